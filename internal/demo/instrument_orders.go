package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The marketplace's service history (issue 9 items 6 and 8): bookings,
// orders in every state of the order machine with booked, actual and
// billable time apart, reviews and innovation-voucher redemptions, 2023
// to 2025, so that the service statistics and the open-sharing
// evaluation have records to compute from. Generated from the stored
// instruments with its own seeded stream, so the enrolment figures
// (instruments.go) are untouched. History orders belong to no sign-in
// account (user 0); their customers are firms of the demo registry,
// other units (academic users) and the owning unit's own staff. An
// instance without a registry (Sichuan's, see sichuan.go) has no firms:
// its customers are academic users of other units and the unit's own
// staff, and it has no vouchers (the voucher policy is Chongqing's).

// orderYears are the years with service records.
var orderYears = []int{2023, 2024, 2025}

// orderStateWeights is how often a generated order ends in each state,
// in per mille. Orders still running (submitted to in progress) are
// placed in the last month of the records.
var orderStateWeights = []struct {
	state instruments.OrderState
	w     int
}{
	{instruments.Closed, 400}, {instruments.Rated, 150}, {instruments.Paid, 70}, {instruments.Invoiced, 50}, {instruments.UsageConfirmed, 40},
	{instruments.Completed, 30}, {instruments.InProgress, 10}, {instruments.Scheduled, 20}, {instruments.Approved, 15}, {instruments.Submitted, 15},
	{instruments.Rejected, 30}, {instruments.Cancelled, 70}, {instruments.NoShow, 30}, {instruments.Voided, 20}, {instruments.Disputed, 50},
}

// mainLine is the order machine's main line, in order.
var mainLine = []instruments.OrderState{instruments.Submitted, instruments.Approved, instruments.Scheduled, instruments.InProgress, instruments.Completed,
	instruments.UsageConfirmed, instruments.Invoiced, instruments.Paid, instruments.Rated, instruments.Closed}

// running are the states of orders not yet done.
var running = map[instruments.OrderState]bool{instruments.Submitted: true, instruments.Approved: true, instruments.Scheduled: true, instruments.InProgress: true}

// reviewComments are what customers write. Data, not UI text.
var reviewComments = []string{"", "", "数据质量好，出报告及时", "老师操作专业，沟通顺畅", "预约方便，排队时间略长", "测试结果与预期一致", "样品处理规范", "价格合理，下次还会再约"}

// orderPath is the transitions that lead to a final state: the main line
// up to it, or up to the side exit's starting state.
func orderPath(r *rand.Rand, final instruments.OrderState, rated bool) []instruments.OrderState {
	upTo := func(s instruments.OrderState) []instruments.OrderState {
		for i, m := range mainLine {
			if m == s {
				return append([]instruments.OrderState(nil), mainLine[:i+1]...)
			}
		}
		return nil
	}
	switch final {
	case instruments.Rejected:
		return []instruments.OrderState{instruments.Submitted, instruments.Rejected}
	case instruments.Cancelled, instruments.Voided:
		from := []instruments.OrderState{instruments.Submitted, instruments.Approved, instruments.Scheduled}[r.IntN(3)]
		return append(upTo(from), final)
	case instruments.NoShow:
		return append(upTo(instruments.Scheduled), final)
	case instruments.Disputed:
		from := []instruments.OrderState{instruments.UsageConfirmed, instruments.Invoiced}[r.IntN(2)]
		return append(upTo(from), final)
	case instruments.Closed:
		p := upTo(instruments.Paid)
		if rated {
			p = append(p, instruments.Rated)
		}
		return append(p, instruments.Closed)
	}
	return upTo(final)
}

// instrumentOrderHistory generates the order records of the stored
// instruments.
func instrumentOrderHistory(ctx context.Context, st *sqlstore.Store, seed uint64, prof instrumentProfile) ([]sqlstore.OrderRecord, []sqlstore.VoucherEntry, error) {
	r := rand.New(rand.NewPCG(seed, 0x0de5))
	ins, err := st.UsageInstruments(ctx)
	if err != nil {
		return nil, nil, err
	}
	sort.Slice(ins, func(i, j int) bool { return ins[i].ID < ins[j].ID })
	units, err := st.Units(ctx)
	if err != nil {
		return nil, nil, err
	}
	sort.Slice(units, func(i, j int) bool { return units[i].ID < units[j].ID })
	codes, err := st.EnterpriseIDs(ctx)
	if err != nil {
		return nil, nil, err
	}
	firms := make([]int64, 0, len(codes))
	for _, id := range codes {
		firms = append(firms, id)
	}
	sort.Slice(firms, func(i, j int) bool { return firms[i] < firms[j] })
	if len(firms) > 400 {
		firms = firms[:400]
	}
	if len(units) < 2 {
		return nil, nil, fmt.Errorf("demo: instrument orders: %d firms, %d units", len(firms), len(units))
	}
	policies, err := instruments.VoucherPolicies()
	if err != nil {
		return nil, nil, err
	}
	// Vouchers: each year the bureau funds a budget and allocates to the
	// firms that will use it, up to the yearly cap.
	var entries []sqlstore.VoucherEntry
	ledger := &instruments.MemLedger{}
	for _, y := range orderYears {
		if len(firms) == 0 {
			break
		}
		pol, err := instruments.VoucherPolicyOn(policies, fmt.Sprintf("%d-01-01", y))
		if err != nil {
			return nil, nil, err
		}
		at := time.Date(y, 1, 5, 10, 0, 0, 0, instruments.Zone)
		allocs := firms[:len(firms)/4]
		fund, err := instruments.PlanFund(pol, y, pol.PerFirmYearCap*unit.Fen(len(allocs)))
		if err != nil {
			return nil, nil, err
		}
		ledger.Post(fund)
		entries = append(entries, sqlstore.VoucherEntry{At: at, Postings: fund})
		for _, f := range allocs {
			ps, err := instruments.PlanAllocate(ledger, pol, f, y, pol.PerFirmYearCap/2+unit.Fen(r.IntN(int(pol.PerFirmYearCap/unit.Yuan/2)))*unit.Yuan)
			if err != nil {
				return nil, nil, err
			}
			ledger.Post(ps)
			entries = append(entries, sqlstore.VoucherEntry{At: at.Add(time.Hour), Postings: ps})
		}
	}
	var weightSum int
	for _, s := range orderStateWeights {
		weightSum += s.w
	}
	pickState := func() instruments.OrderState {
		k := r.IntN(weightSum)
		for _, s := range orderStateWeights {
			if k < s.w {
				return s.state
			}
			k -= s.w
		}
		return instruments.Closed
	}
	var recs []sqlstore.OrderRecord
	nextVoucherOrder := int64(0) // a stand-in order id for the in-memory ledger
	unitOf := map[int64]int64{}
	for _, in := range ins {
		unitOf[in.ID] = in.UnitID
		// About one live instrument in seven is booked through the
		// platform; how busy it is varies widely.
		if in.RemovedOn != "" || r.IntN(prof.bookedOneIn) != 0 {
			continue
		}
		d, err := st.InstrumentDetail(ctx, in.ID)
		if err != nil {
			return nil, nil, err
		}
		activity := r.ExpFloat64()
		for _, y := range orderYears {
			n := min(80, int(activity*14))
			days := r.Perm(360)[:n]
			sort.Ints(days)
			for _, dd := range days {
				day := time.Date(y, 1, 1, 0, 0, 0, 0, instruments.Zone).AddDate(0, 0, dd)
				var item instruments.ServiceItem
				if len(d.Items) == 0 {
					break
				}
				item = d.Items[r.IntN(len(d.Items))]
				o := instruments.Order{InstrumentID: in.ID, ItemID: item.ID, Mode: item.Mode, ChargeUnit: item.Unit}
				var rec sqlstore.OrderRecord
				switch k := r.IntN(10); {
				case k < 5 && len(firms) > 0:
					o.Category, o.EnterpriseID = instruments.EnterpriseUser, firms[r.IntN(len(firms))]
				case k < 8:
					o.Category = instruments.ExternalAcademic
					for rec.ClientUnitID == 0 || rec.ClientUnitID == in.UnitID {
						rec.ClientUnitID = units[r.IntN(len(units))].ID
					}
				default:
					o.Category, rec.ClientUnitID = instruments.Internal, in.UnitID
				}
				price, err := item.PriceFor(o.Category, day)
				if err != nil {
					continue
				}
				o.UnitPrice = price
				state := pickState()
				if running[state] && !(y == 2025 && dd >= 334) {
					state = instruments.Closed
				}
				o.State = state
				hours := 1 + r.IntN(6)
				if o.Mode.Slotted() {
					o.Start = day.Add(time.Duration(9+r.IntN(16-hours)) * time.Hour)
					o.End = o.Start.Add(time.Duration(hours) * time.Hour)
					o.BookedMinutes = hours * 60
				} else {
					o.DueOn = day.Format("2006-01-02")
					o.Samples = 1 + r.IntN(12)
				}
				o.CreatedAt = day.AddDate(0, 0, -(2 + r.IntN(12))).Add(time.Duration(8+r.IntN(10)) * time.Hour)
				if instruments.UsageRecorded(state) {
					// The lab records what was used: a slot runs over or
					// ends early; sample runs take their own time. The
					// bill rounds up to the half hour.
					if o.Mode.Slotted() {
						o.ActualMinutes = max(15, o.BookedMinutes+15*(r.IntN(5)-2))
					} else {
						o.ActualMinutes = 30 * o.Samples * (1 + r.IntN(3))
					}
					o.BillableMinutes = (o.ActualMinutes + 29) / 30 * 30
					o.Amount = instruments.Charge(o.ChargeUnit, o.UnitPrice, o.BillableMinutes, o.Samples)
				}
				rated := state == instruments.Rated || (state == instruments.Closed && r.IntN(10) < 6)
				path := orderPath(r, state, rated)
				at := o.CreatedAt
				for i, s := range path {
					var from instruments.OrderState
					if i > 0 {
						from = path[i-1]
						switch s {
						case instruments.InProgress, instruments.NoShow:
							at = o.Start
							if at.IsZero() {
								at = day.Add(9 * time.Hour)
							}
						case instruments.Completed:
							at = at.Add(time.Duration(max(o.ActualMinutes, 60)) * time.Minute)
						default:
							at = at.Add(time.Duration(1+r.IntN(30)) * time.Hour)
						}
					}
					rec.Events = append(rec.Events, sqlstore.OrderEvent{From: from, To: s, At: at})
				}
				if rated {
					var tags []string
					for _, tg := range instruments.ReviewTags {
						if r.IntN(2) == 0 {
							tags = append(tags, tg)
						}
					}
					stars := 5 - min(4, int(r.ExpFloat64()*0.8))
					rec.Review = &instruments.Review{InstrumentID: in.ID, Stars: stars, Tags: tags, Comment: reviewComments[r.IntN(len(reviewComments))], CreatedAt: at}
				}
				if o.EnterpriseID > 0 && instruments.UsageRecorded(state) && r.IntN(2) == 0 {
					pol, err := instruments.VoucherPolicyOn(policies, day.Format("2006-01-02"))
					if err != nil {
						return nil, nil, err
					}
					nextVoucherOrder++
					ps, covered, err := instruments.PlanRedeem(ledger, pol, o.EnterpriseID, y, nextVoucherOrder, o.Amount)
					if err != nil {
						return nil, nil, err
					}
					if covered > 0 {
						ledger.Post(ps)
						o.VoucherAmount = covered
						rec.Vouchers = append(rec.Vouchers, ps)
					}
				}
				rec.Order = o
				recs = append(recs, rec)
			}
		}
	}
	billHistory(recs, unitOf, prof.prefix)
	return recs, entries, nil
}

// billHistory puts the invoiced, paid, rated and closed orders on
// invoices, as a unit bills a customer's month: one invoice per unit,
// customer (a firm, another unit, or the unit's own staff), month of
// invoicing and payment state, issued when its last order was invoiced
// and paid when its last was paid. It draws no random numbers, so the
// generated orders and the statistics computed from them are unchanged.
func billHistory(recs []sqlstore.OrderRecord, unitOf map[int64]int64, prefix string) {
	type key struct {
		unit, firm, client int64
		month              string
		paid               bool
	}
	invs := map[key]*sqlstore.HistoryInvoice{}
	for i := range recs {
		rec := &recs[i]
		var invoiced, paid time.Time
		for _, e := range rec.Events {
			switch e.To {
			case instruments.Invoiced:
				invoiced = e.At
			case instruments.Paid:
				paid = e.At
			}
		}
		// A disputed order's bill is in question: it is left off.
		if invoiced.IsZero() || rec.Order.State == instruments.Disputed {
			continue
		}
		k := key{unit: unitOf[rec.Order.InstrumentID], firm: rec.Order.EnterpriseID, client: rec.ClientUnitID,
			month: invoiced.In(instruments.Zone).Format("2006-01"), paid: !paid.IsZero()}
		h := invs[k]
		if h == nil {
			h = &sqlstore.HistoryInvoice{Prefix: prefix, Note: k.month}
			invs[k] = h
		}
		if invoiced.After(h.IssuedAt) {
			h.IssuedAt = invoiced
		}
		if paid.After(h.PaidAt) {
			h.PaidAt = paid
		}
		rec.Invoice = h
	}
}

// loadInstrumentOrders writes the service history once: a database that
// already has orders is left as it is.
func loadInstrumentOrders(ctx context.Context, st *sqlstore.Store, seed uint64, prof instrumentProfile) (int, error) {
	if have, err := st.Orders(ctx, instruments.OrderFilter{Limit: 1}); err != nil || len(have) > 0 {
		return 0, err
	}
	recs, entries, err := instrumentOrderHistory(ctx, st, seed, prof)
	if err != nil {
		return 0, fmt.Errorf("demo: instrument orders: %w", err)
	}
	n, err := st.ImportOrderRecords(ctx, recs, entries, sqlstore.OrderImportOptions{SkipIfOrders: true})
	if err != nil {
		return 0, fmt.Errorf("demo: instrument orders: %w", err)
	}
	return n, nil
}
