package instruments

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/unit"
)

func TestClasses(t *testing.T) {
	cs, err := Classes()
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 15 || cs[0].Code != "01" || cs[14].Code != "15" {
		t.Fatalf("%d classes: %+v", len(cs), cs)
	}
	if c, _ := ClassByCode(cs, "01"); !slices.Contains(c.Subclasses, "质谱仪器") {
		t.Fatalf("analytical subclasses %v", c.Subclasses)
	}
}

func validInstrument() Instrument {
	return Instrument{UnitID: 1, LocalID: "A-1", Name: "扫描电子显微镜", ClassCode: "01", Subclass: "电子光学仪器", OriginalValue: 3_000_000 * unit.Yuan,
		Modes: []Mode{SelfOperation}, Rules: DefaultRules()}
}

func TestInstrumentValidate(t *testing.T) {
	cs, _ := Classes()
	if err := validInstrument().Validate(cs); err != nil {
		t.Fatal(err)
	}
	for name, mut := range map[string]func(*Instrument){
		"no name":      func(i *Instrument) { i.Name = " " },
		"no local id":  func(i *Instrument) { i.LocalID = "" },
		"bad class":    func(i *Instrument) { i.ClassCode = "16" },
		"bad subclass": func(i *Instrument) { i.Subclass = "激光器" },
		"no value":     func(i *Instrument) { i.OriginalValue = 0 },
		"no mode":      func(i *Instrument) { i.Modes = nil },
		"bad mode":     func(i *Instrument) { i.Modes = []Mode{"teleport"} },
		"bad grid":     func(i *Instrument) { i.Rules.GranularityMinutes = 20 },
	} {
		in := validInstrument()
		mut(&in)
		if err := in.Validate(cs); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestLifecycle(t *testing.T) {
	day := time.Date(2023, 3, 5, 0, 0, 0, 0, Zone)
	in := validInstrument()
	in.Status = Draft
	step := func(in Instrument, ch LifecycleChange, platform bool) Instrument {
		t.Helper()
		out, err := ApplyLifecycle(in, ch, platform, day)
		if err != nil {
			t.Fatalf("%s: %v", ch.Action, err)
		}
		return out
	}
	in = step(in, LifecycleChange{Action: ActSubmit}, false)
	if _, err := ApplyLifecycle(in, LifecycleChange{Action: ActApprove}, false, day); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("a unit approving its own instrument: %v", err)
	}
	in = step(in, LifecycleChange{Action: ActApprove}, true)
	if in.Status != Open || in.EnrolledOn != "2023-03-05" {
		t.Fatalf("%+v", in)
	}
	if _, err := ApplyLifecycle(in, LifecycleChange{Action: ActOffline, Until: "2023-03-05"}, false, day); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("offline until today: %v", err)
	}
	in = step(in, LifecycleChange{Action: ActOffline, Until: "2023-04-01"}, false)
	if in.Status != Offline || in.OfflineUntil != "2023-04-01" {
		t.Fatalf("%+v", in)
	}
	if _, err := ApplyLifecycle(in, LifecycleChange{Action: ActSubmit}, false, day); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("submit while offline: %v", err)
	}
	in = step(in, LifecycleChange{Action: ActReopen}, false)
	if _, err := ApplyLifecycle(in, LifecycleChange{Action: ActRetire}, false, day); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("retire without a reason: %v", err)
	}
	in = step(in, LifecycleChange{Action: ActRetire, Reason: "报废"}, false)
	if in.Status != Retired || in.RemovedOn != "2023-03-05" || in.RetireReason != "报废" || in.EnrolledOn != "2023-03-05" {
		t.Fatalf("%+v", in)
	}
	if _, err := ApplyLifecycle(in, LifecycleChange{Action: ActReopen}, false, day); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("reopen retired: %v", err)
	}
	if GlobalID("cq", 7, "A-1") != "cq.7/A-1" {
		t.Fatal(GlobalID("cq", 7, "A-1"))
	}
}

// Each booking limit at, just below and just above its value.
func TestCheckSlotLimits(t *testing.T) {
	r := Rules{Approval: ApproveManual, LeadMinutes: 120, HorizonDays: 14, MinBlockMinutes: 60, MaxBlockMinutes: 240, GranularityMinutes: 30,
		DailyQuotaMinutes: 300, OpenFromMinute: 8 * 60, OpenToMinute: 20 * 60,
		Maintenance: []Window{{Start: time.Date(2026, 12, 10, 9, 0, 0, 0, Zone), End: time.Date(2026, 12, 10, 12, 0, 0, 0, Zone)}}}
	now := time.Date(2026, 12, 3, 8, 0, 0, 0, Zone)
	at := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, Zone) }
	cases := []struct {
		name       string
		start, end time.Time
		day        int
		want       string // message key, "" for ok
	}{
		{"ok", at(4, 9, 0), at(4, 10, 0), 0, ""},
		{"end before start", at(4, 10, 0), at(4, 9, 0), 0, "instruments.err.slot_order"},
		{"off grid start", at(4, 9, 15), at(4, 10, 15), 0, "instruments.err.granularity"},
		{"off grid length", at(4, 9, 0), at(4, 10, 15), 0, "instruments.err.granularity"},
		{"min block at", at(4, 9, 0), at(4, 10, 0), 0, ""},
		{"min block below", at(4, 9, 0), at(4, 9, 30), 0, "instruments.err.min_block"},
		{"max block at", at(4, 9, 0), at(4, 13, 0), 0, ""},
		{"max block above", at(4, 9, 0), at(4, 13, 30), 0, "instruments.err.max_block"},
		{"lead at", at(3, 10, 0), at(3, 11, 0), 0, ""},
		{"lead below", at(3, 9, 30), at(3, 10, 30), 0, "instruments.err.lead"},
		{"horizon at", at(17, 7, 0).Add(0), at(17, 8, 0), 0, "instruments.err.hours"},
		{"horizon above", at(17, 8, 0), at(17, 9, 0), 0, "instruments.err.horizon"},
		{"horizon inside", at(16, 18, 0), at(16, 19, 0), 0, ""},
		{"opening at", at(4, 8, 0), at(4, 9, 0), 0, ""},
		{"opening before", at(4, 7, 30), at(4, 8, 30), 0, "instruments.err.hours"},
		{"closing at", at(4, 19, 0), at(4, 20, 0), 0, ""},
		{"closing after", at(4, 19, 30), at(4, 20, 30), 0, "instruments.err.hours"},
		{"maintenance overlap", at(10, 11, 30), at(10, 12, 30), 0, "instruments.err.maintenance"},
		{"maintenance adjacent", at(10, 12, 0), at(10, 13, 0), 0, ""},
		{"quota at", at(4, 9, 0), at(4, 10, 0), 240, ""},
		{"quota above", at(4, 9, 0), at(4, 10, 30), 240, "instruments.err.quota"},
	}
	for _, c := range cases {
		err := r.CheckSlot(SlotRequest{Start: c.start, End: c.end, Now: now, UserDayMinutes: c.day})
		var key string
		if e, ok := err.(*apperr.Error); ok {
			key = e.Key
		} else if err != nil {
			key = err.Error()
		}
		if key != c.want {
			t.Errorf("%s: got %q, want %q", c.name, key, c.want)
		}
	}
	if n := len(Cells(at(4, 9, 0), at(4, 10, 0))); n != 60/CellMinutes {
		t.Fatalf("cells %d", n)
	}
}

func TestPricing(t *testing.T) {
	it := ServiceItem{Unit: PerHour, Rates: []Rate{
		{EnterpriseUser, "2024-01-01", 400 * unit.Yuan}, {EnterpriseUser, "2026-01-01", 500 * unit.Yuan}, {Internal, "2024-01-01", 100 * unit.Yuan}}}
	p, err := it.PriceFor(EnterpriseUser, time.Date(2025, 6, 1, 0, 0, 0, 0, Zone))
	if err != nil || p != 400*unit.Yuan {
		t.Fatal(p, err)
	}
	if p, _ = it.PriceFor(EnterpriseUser, time.Date(2026, 1, 1, 0, 0, 0, 0, Zone)); p != 500*unit.Yuan {
		t.Fatal(p)
	}
	if _, err := it.PriceFor(PartnerRegion, time.Now()); !apperr.Is(err, apperr.Invalid) {
		t.Fatal(err)
	}
	// 50 minutes of a ¥500/h item are charged as 4 quarters: ¥500.
	if c := Charge(PerHour, 500*unit.Yuan, 50, 0); c != 500*unit.Yuan {
		t.Fatal(c)
	}
	// 20 minutes of ¥333.33/h: 2 quarters = ¥166.665 → ¥166.67.
	if c := Charge(PerHour, 33333, 20, 0); c != 16667 {
		t.Fatal(c)
	}
	if c := Charge(PerSample, 80*unit.Yuan, 0, 3); c != 240*unit.Yuan {
		t.Fatal(c)
	}
}

// Every (state, action, party) triple: allowed exactly when the table in
// the test (written out independently of Transitions) says so.
func TestOrderMachineByParty(t *testing.T) {
	allowed := map[string]OrderState{
		"submitted approve manager": Approved, "submitted reject manager": Rejected,
		"approved schedule manager": Scheduled, "scheduled start manager": InProgress,
		"in_progress complete manager": Completed, "completed confirm_usage manager": UsageConfirmed,
		"usage_confirmed invoice manager": Invoiced, "invoiced pay manager": Paid, "paid rate customer": Rated,
		"paid close manager": Closed, "paid close operator": Closed, "rated close manager": Closed, "rated close operator": Closed,
		"submitted cancel customer": Cancelled, "approved cancel customer": Cancelled, "scheduled cancel customer": Cancelled,
		"scheduled no_show manager": NoShow,
		"submitted void manager":    Voided, "approved void manager": Voided, "scheduled void manager": Voided,
		"submitted void operator": Voided, "approved void operator": Voided, "scheduled void operator": Voided,
		"usage_confirmed dispute customer": Disputed, "invoiced dispute customer": Disputed,
		"disputed resolve operator": UsageConfirmed,
	}
	actions := []string{OrderApprove, OrderReject, OrderSchedule, OrderStart, OrderComplete, OrderConfirm, OrderInvoice, OrderPay,
		OrderRate, OrderClose, OrderCancel, OrderNoShow, OrderVoid, OrderDispute, OrderResolve}
	seen := 0
	for _, s := range OrderStates {
		for _, a := range actions {
			for _, p := range Parties {
				key := string(s) + " " + a + " " + string(p)
				tr, err := Step(s, a, p)
				want, ok := allowed[key]
				switch {
				case ok && (err != nil || tr.To != want):
					t.Errorf("%s: got %v %v, want %s", key, tr.To, err, want)
				case !ok && err == nil:
					t.Errorf("%s: allowed, want refused", key)
				case !ok && !apperr.Is(err, apperr.Forbidden) && !apperr.Is(err, apperr.Conflict):
					t.Errorf("%s: %v", key, err)
				}
				if ok {
					seen++
				}
			}
		}
	}
	if seen != len(allowed) {
		t.Fatalf("%d of %d allowed steps exercised", seen, len(allowed))
	}
	if _, err := Step(Submitted, "teleport", Customer); !apperr.Is(err, apperr.Invalid) {
		t.Fatal(err)
	}
	for _, s := range OrderStates {
		if Releases(s) != (s == Rejected || s == Cancelled || s == Voided) {
			t.Errorf("releases %s", s)
		}
	}

	// The fee machine: a cancelled or no-show order with a fee is
	// invoiced and paid by its manager only; with no fee, or in any other
	// state, every fee step is refused, and so is every other action.
	feeAllowed := map[string]FeeState{
		"cancelled fee  invoice manager": FeeInvoiced, "cancelled fee invoiced pay manager": FeePaid,
		"no_show fee  invoice manager": FeeInvoiced, "no_show fee invoiced pay manager": FeePaid,
	}
	seen = 0
	for _, s := range OrderStates {
		for _, penalty := range []unit.Fen{0, 120 * unit.Yuan} {
			for _, fs := range FeeStates {
				for _, a := range actions {
					for _, p := range Parties {
						fee := "free"
						if penalty > 0 {
							fee = "fee"
						}
						key := string(s) + " " + fee + " " + string(fs) + " " + a + " " + string(p)
						tr, err := StepFee(Order{State: s, Penalty: penalty, FeeState: fs}, a, p)
						want, ok := feeAllowed[key]
						switch {
						case ok && (err != nil || tr.From != fs || tr.To != want):
							t.Errorf("%s: got %v %v, want %q", key, tr.To, err, want)
						case !ok && err == nil:
							t.Errorf("%s: allowed, want refused", key)
						case !ok && !apperr.Is(err, apperr.Forbidden) && !apperr.Is(err, apperr.Conflict):
							t.Errorf("%s: %v", key, err)
						}
						if ok {
							seen++
						}
					}
				}
			}
		}
	}
	if seen != len(feeAllowed) {
		t.Fatalf("%d of %d allowed fee steps exercised", seen, len(feeAllowed))
	}
}

// A fee's line: the frozen penalty in full, of its own kind, never on
// the voucher (even when the order carries a voucher amount); a
// fee-free cancellation or a billed fee plans no invoice.
func TestPlanInvoiceFees(t *testing.T) {
	unitOf := func(Order) int64 { return 7 }
	used := Order{ID: 1, UserID: 5, State: UsageConfirmed, Amount: 300 * unit.Yuan, VoucherAmount: 150 * unit.Yuan, BookedMinutes: 60}
	late := Order{ID: 2, UserID: 5, State: Cancelled, Penalty: 120 * unit.Yuan, VoucherAmount: 50 * unit.Yuan, BookedMinutes: 120}
	absent := Order{ID: 3, UserID: 5, State: NoShow, Penalty: 900 * unit.Yuan, BookedMinutes: 180}
	inv, err := PlanInvoice([]Order{used, late, absent}, unitOf)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Amount != 1_320*unit.Yuan || inv.Voucher != 150*unit.Yuan || inv.Due != 1_170*unit.Yuan || inv.Penalty != 1_020*unit.Yuan {
		t.Fatalf("%+v", inv)
	}
	kinds := []LineKind{LineCharge, LineCancellation, LineNoShow}
	dues := []unit.Fen{150 * unit.Yuan, 120 * unit.Yuan, 900 * unit.Yuan}
	for i, l := range inv.Lines {
		if l.Kind != kinds[i] || l.Due != dues[i] || l.Kind.Fee() != (i > 0) {
			t.Errorf("line %d: %+v", i, l)
		}
	}
	free := Order{ID: 4, UserID: 5, State: Cancelled}
	billed := late
	billed.FeeState = FeeInvoiced
	for _, os := range [][]Order{{free}, {used, free}, {billed}} {
		if _, err := PlanInvoice(os, unitOf); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("%+v: %v", os, err)
		}
	}
	// Paying and voiding move the invoiced fee; nothing else moves.
	billed.FeeState = FeeInvoiced
	if s, ok := NextFeeState(InvoicePaid, billed); !ok || s != FeePaid {
		t.Errorf("pay: %q %v", s, ok)
	}
	if s, ok := NextFeeState(InvoiceVoided, billed); !ok || s != FeeUnbilled {
		t.Errorf("void: %q %v", s, ok)
	}
	if _, ok := NextFeeState(InvoicePaid, used); ok {
		t.Error("a usage order's fee moved")
	}
}

// Any sequence of funding, allocations, redemptions, refunds and remote
// bookings' reservations, settlements and releases keeps the
// ledger balanced, no account but the issuer's below zero, every firm
// within its yearly cap and every order's redemption within the covered
// share of its fee.
func TestVoucherLedgerProperty(t *testing.T) {
	pol := VoucherPolicy{Issuer: "bureau", CoveredPermille: 500, PerOrderCap: 30_000 * unit.Yuan, PerFirmYearCap: 100_000 * unit.Yuan}
	for seed := uint64(1); seed <= 200; seed++ {
		r := rand.New(rand.NewPCG(seed, 9))
		l := &MemLedger{}
		fees := map[int64]unit.Fen{}
		firmOf := map[int64]int64{}
		remoteFirm, remoteYear := map[int64]int64{}, map[int64]int{}
		for step := 0; step < 60; step++ {
			year := 2025 + r.IntN(2)
			firm := int64(1 + r.IntN(4))
			var ps []Posting
			var err error
			switch r.IntN(7) {
			case 0:
				ps, err = PlanFund(pol, year, unit.Fen(r.Int64N(200_000))*unit.Yuan)
			case 1:
				ps, err = PlanAllocate(l, pol, firm, year, unit.Fen(1+r.Int64N(60_000))*unit.Yuan)
			case 2:
				order := int64(1 + r.IntN(30))
				fee := unit.Fen(r.Int64N(100_000_00))
				var covered unit.Fen
				ps, covered, err = PlanRedeem(l, pol, firm, year, order, fee)
				if err == nil && covered > 0 {
					fees[order], firmOf[order] = fee, firm
					if covered > fee/2 || covered > pol.PerOrderCap {
						t.Fatalf("seed %d: covered %d of %d", seed, covered, fee)
					}
				}
			case 3:
				order := int64(1 + r.IntN(30))
				if f, ok := firmOf[order]; ok {
					ps, err = PlanRefund(l, pol, f, year, order)
				}
			// Remote bookings (a federation peer's instrument): reserve on
			// the estimate, settle on the home's billable fee, or release.
			case 4:
				b := int64(1 + r.IntN(10))
				if _, ok := remoteFirm[b]; !ok {
					remoteFirm[b], remoteYear[b] = firm, year
				}
				ps, _, err = PlanReserve(l, pol, remoteFirm[b], remoteYear[b], b, unit.Fen(r.Int64N(100_000_00)))
			case 5:
				b := int64(1 + r.IntN(10))
				if f, ok := remoteFirm[b]; ok {
					fee := unit.Fen(r.Int64N(100_000_00))
					var settled unit.Fen
					ps, settled, err = PlanSettle(l, pol, f, remoteYear[b], b, fee)
					if err == nil && (settled > fee/2 || settled > pol.PerOrderCap) {
						t.Fatalf("seed %d: booking %d settled %d of %d", seed, b, settled, fee)
					}
				}
			case 6:
				b := int64(1 + r.IntN(10))
				if f, ok := remoteFirm[b]; ok {
					ps, err = PlanRelease(l, pol, f, remoteYear[b], b)
				}
			}
			if err != nil && !apperr.Is(err, apperr.Conflict) && !apperr.Is(err, apperr.Invalid) {
				t.Fatal(err)
			}
			var sum unit.Fen
			for _, p := range ps {
				sum += p.Amount
			}
			if sum != 0 {
				t.Fatalf("seed %d: entry sums to %d", seed, sum)
			}
			l.Post(ps)
			balances := map[string]unit.Fen{}
			var total unit.Fen
			for _, p := range l.Postings {
				balances[p.Account] += p.Amount
				total += p.Amount
			}
			if total != 0 {
				t.Fatalf("seed %d: ledger sums to %d", seed, total)
			}
			for acct, b := range balances {
				if b < 0 && !strings.HasPrefix(acct, "issuer:") {
					t.Fatalf("seed %d step %d: %s at %d", seed, step, acct, b)
				}
			}
			for b, y := range remoteYear {
				if l.RemoteBalance(ReservedAccount(pol.Issuer, y), b) < 0 || l.RemoteBalance(RedeemedAccount(pol.Issuer, y), b) > pol.PerOrderCap {
					t.Fatalf("seed %d: booking %d reserved %d, redeemed %d", seed, b,
						l.RemoteBalance(ReservedAccount(pol.Issuer, y), b), l.RemoteBalance(RedeemedAccount(pol.Issuer, y), b))
				}
				if l.RemoteBalance(RedeemedAccount(pol.Issuer, y), b) > 0 && l.RemoteBalance(ReservedAccount(pol.Issuer, y), b) != 0 {
					t.Fatalf("seed %d: booking %d settled with a reservation left", seed, b)
				}
			}
			for f := int64(1); f <= 4; f++ {
				for y := 2025; y <= 2026; y++ {
					if l.Allocated(f, y) > pol.PerFirmYearCap {
						t.Fatalf("seed %d: firm %d over the cap in %d", seed, f, y)
					}
				}
			}
		}
	}
}

func TestTerms(t *testing.T) {
	terms, singles := Terms("场发射扫描电镜 SU8010（日立）")
	for _, w := range []string{"电镜", "扫描", "su8010", "日立"} {
		if !slices.Contains(terms, w) {
			t.Errorf("%q not in %v", w, terms)
		}
	}
	if len(singles) != 0 {
		t.Errorf("singles %v", singles)
	}
	q, _ := Terms("电镜")
	if len(q) != 1 || q[0] != "电镜" {
		t.Fatal(q)
	}
	if _, s := Terms("镜"); len(s) != 1 {
		t.Fatal(s)
	}
}

func TestComputeStats(t *testing.T) {
	recs := []StatRecord{
		{UnitID: 1, UnitName: "A", UnitType: University, ClassCode: "01", Value: 100, EnrolledOn: "2022-05-01"},
		{UnitID: 1, UnitName: "A", UnitType: University, ClassCode: "01", Value: 200, EnrolledOn: "2023-05-01"},
		{UnitID: 2, UnitName: "B", UnitType: Enterprise, ClassCode: "02", Value: 300, EnrolledOn: "2021-01-01", RemovedOn: "2023-02-01"},
		{UnitID: 2, UnitName: "B", UnitType: Enterprise, ClassCode: "02", Value: 400, EnrolledOn: "2021-01-01"},
		{UnitID: 3, UnitName: "C", UnitType: Institute, ClassCode: "03", Value: 500, EnrolledOn: "2024-01-01"},
		{UnitID: 3, UnitName: "C", UnitType: Institute, ClassCode: "03", Value: 600}, // a draft
	}
	st := ComputeStats(recs, 2023, 5)
	if st.Enrolled != 1 || st.Removed != 1 || st.Total != 3 || st.Value != 700 {
		t.Fatalf("%+v", st)
	}
	if st.ByType[0].N != 2 || st.ByType[0].New != 1 || st.ByType[2].N != 1 || st.ByType[1].N != 0 {
		t.Fatalf("%+v", st.ByType)
	}
	if st.TopUnits[0].Label != "A" || st.TopUnits[0].N != 2 || st.TopClasses[0].Key != "01" {
		t.Fatalf("%+v %+v", st.TopUnits, st.TopClasses)
	}
	if len(st.Flows) != 3 || st.Flows[0] != (YearFlow{2021, 2, 0, 2}) || st.Flows[2] != (YearFlow{2023, 1, 1, 3}) {
		t.Fatalf("%+v", st.Flows)
	}
}

func TestICalendar(t *testing.T) {
	s := time.Date(2026, 12, 7, 10, 0, 0, 0, Zone)
	o := Order{ID: 7, State: Cancelled, Start: s, End: s.Add(2 * time.Hour), CreatedAt: s.Add(-48 * time.Hour)}
	long := strings.Repeat("场发射扫描电镜", 6) + ", 测试; 完成"
	cal := ICalendar("cq", []CalEvent{FeedEvent("cq", o, long), FeedEvent("cq", Order{ID: 8, State: Submitted, Start: s, End: s.Add(time.Hour)}, "b"), FeedEvent("cq", Order{ID: 9, State: Submitted}, "sample")})
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "UID:order-7@cq\r\n", "DTSTART:20261207T020000Z\r\n", "DTEND:20261207T040000Z\r\n",
		"STATUS:CANCELLED\r\n", "UID:order-8@cq\r\nDTSTAMP:", "STATUS:TENTATIVE\r\n", "END:VCALENDAR\r\n", `\, 测试\; 完成`} {
		if !strings.Contains(strings.ReplaceAll(cal, "\r\n ", ""), want) {
			t.Errorf("missing %q in\n%s", want, cal)
		}
	}
	if strings.Contains(cal, "order-9") {
		t.Error("a sample order without a slot is in the feed")
	}
	for _, l := range strings.Split(cal, "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("folding split a character: %q", l)
		}
	}
}
