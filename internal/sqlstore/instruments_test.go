package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
)

// market is a small marketplace: one university with an administrator
// and a manager, an operator, an enterprise customer and an academic
// customer of another unit.
type market struct {
	st                                         *Store
	svc                                        *instruments.Service
	uni, other                                 instruments.Unit
	operator, admin, manager, firm, researcher instruments.Actor
	now                                        time.Time
}

func newMarket(t *testing.T, st *Store) *market {
	t.Helper()
	ctx := context.Background()
	m := &market{st: st, now: time.Date(2026, 12, 3, 8, 0, 0, 0, instruments.Zone)}
	m.svc = instruments.NewService(st, instruments.Options{Now: func() time.Time { return m.now }})
	us, err := st.PutUnits(ctx, []instruments.Unit{{Name: "西南大学", Type: instruments.University, RegionCode: "500109"}, {Name: "某研究院", Type: instruments.Institute, RegionCode: "500103"}})
	if err != nil {
		t.Fatal(err)
	}
	m.uni, m.other = us[0], us[1]
	user := func(name string, unitID int64, cat instruments.Category) int64 {
		id, err := st.CreateUser(ctx, auth.User{Username: name, DisplayName: name, PasswordHash: "x", Role: auth.RoleCityAnalyst})
		if err != nil {
			t.Fatal(err)
		}
		if unitID != 0 {
			if err := st.PutSharingMember(ctx, instruments.Member{UserID: id, UnitID: unitID, Category: cat}); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	m.operator = instruments.Actor{UserID: user("operator", 0, ""), Operator: true, Booker: true}
	m.admin = instruments.Actor{UserID: user("unitadmin", m.uni.ID, instruments.Internal), UnitAdmin: true, Booker: true}
	m.manager = instruments.Actor{UserID: user("manager", m.uni.ID, instruments.Internal), Manager: true, Booker: true}
	m.firm = instruments.Actor{UserID: user("firmuser", 0, ""), EnterpriseID: 42, Booker: true}
	m.researcher = instruments.Actor{UserID: user("researcher", m.other.ID, instruments.ExternalAcademic), Booker: true}
	return m
}

// open creates an instrument of the university with an hourly item and a
// sample item, and takes it through review to open.
func (m *market) open(t *testing.T, name, model, class, sub string, rules instruments.Rules, entPrice unit.Fen) (instruments.Detail, int64, int64) {
	t.Helper()
	ctx := context.Background()
	in := instruments.Instrument{UnitID: m.uni.ID, LocalID: name + model, Name: name, ClassCode: class, Subclass: sub, Model: model, Manufacturer: "日立",
		OriginalValue: 2_000_000 * unit.Yuan, RegionCode: "500109", Modes: []instruments.Mode{instruments.SelfOperation, instruments.SampleSending}, Rules: rules}
	items := []instruments.ServiceItem{
		{Name: "机时", Mode: instruments.SelfOperation, Unit: instruments.PerHour, Rates: []instruments.Rate{
			{Category: instruments.Internal, EffectiveFrom: "2024-01-01", Price: 100 * unit.Yuan},
			{Category: instruments.ExternalAcademic, EffectiveFrom: "2024-01-01", Price: 200 * unit.Yuan},
			{Category: instruments.EnterpriseUser, EffectiveFrom: "2024-01-01", Price: entPrice}}},
		{Name: "送样测试", Mode: instruments.SampleSending, Unit: instruments.PerSample, Rates: []instruments.Rate{
			{Category: instruments.EnterpriseUser, EffectiveFrom: "2024-01-01", Price: 80 * unit.Yuan}}},
	}
	created, err := m.svc.CreateInstrument(ctx, m.admin, in, items)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.st.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO instrument_manager (instrument_id, user_id) VALUES ($1, $2)`, created.ID, m.manager.UserID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.svc.Lifecycle(ctx, m.admin, created.ID, instruments.LifecycleChange{Action: instruments.ActSubmit}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.svc.Lifecycle(ctx, m.admin, created.ID, instruments.LifecycleChange{Action: instruments.ActApprove}); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("unit approving: %v", err)
	}
	if _, err := m.svc.Lifecycle(ctx, m.operator, created.ID, instruments.LifecycleChange{Action: instruments.ActApprove}); err != nil {
		t.Fatal(err)
	}
	d, err := m.svc.Detail(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	return d, d.Items[0].ID, d.Items[1].ID
}

func openRules() instruments.Rules {
	r := instruments.DefaultRules()
	r.DailyQuotaMinutes = 0
	return r
}

func TestInstrumentSearch(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		m := newMarket(t, st)
		sem, _, _ := m.open(t, "场发射扫描电镜", "SU8010", "01", "电子光学仪器", openRules(), 300*unit.Yuan)
		m.open(t, "透射电镜", "JEM-2100F", "01", "电子光学仪器", openRules(), 800*unit.Yuan)
		m.open(t, "液相色谱质谱联用仪", "6545", "01", "质谱仪器", openRules(), 600*unit.Yuan)
		m.open(t, "核磁共振波谱仪", "AVANCE III 600", "01", "波谱仪器", openRules(), 1200*unit.Yuan)
		mat, _, _ := m.open(t, "万能材料试验机", "5985", "02", "力学性能测试仪器", openRules(), 150*unit.Yuan)
		names := func(q instruments.SearchQuery) []string {
			t.Helper()
			res, err := m.svc.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, h := range res.Hits {
				out = append(out, h.Name)
			}
			if res.Total != len(out) {
				t.Fatalf("total %d, hits %v", res.Total, out)
			}
			return out
		}
		check := func(q instruments.SearchQuery, want ...string) {
			t.Helper()
			if got := names(q); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%+v: %v, want %v", q, got, want)
			}
		}
		check(instruments.SearchQuery{Text: "电镜"}, "场发射扫描电镜", "透射电镜")
		check(instruments.SearchQuery{Text: "SU8010"}, "场发射扫描电镜")
		check(instruments.SearchQuery{Text: "su8010"}, "场发射扫描电镜")
		check(instruments.SearchQuery{Text: "质谱"}, "液相色谱质谱联用仪")
		check(instruments.SearchQuery{Text: "核磁"}, "核磁共振波谱仪")
		check(instruments.SearchQuery{Text: "扫描 日立"}, "场发射扫描电镜")
		check(instruments.SearchQuery{Text: "镜"}, "场发射扫描电镜", "透射电镜")
		check(instruments.SearchQuery{Text: "电镜", Band: "200_500"}, "场发射扫描电镜")
		check(instruments.SearchQuery{Class: "02"}, "万能材料试验机")
		check(instruments.SearchQuery{Text: "光刻"})
		res, err := m.svc.Search(ctx, instruments.SearchQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 5 || fmt.Sprint(res.Facets["class"]) != "[{01 4} {02 1}]" || fmt.Sprint(res.Facets["band"]) != "[{500_1000 2} {200_500 1} {ge1000 1} {lt200 1}]" ||
			fmt.Sprint(res.Facets["unit_type"]) != "[{university 5}]" || fmt.Sprint(res.Facets["mode"]) != "[{sample 5} {self 5}]" {
			t.Fatalf("facets %v", res.Facets)
		}
		// A retired instrument is no longer found; its record stays.
		if _, err := m.svc.Lifecycle(ctx, m.admin, mat.ID, instruments.LifecycleChange{Action: instruments.ActRetire, Reason: "报废"}); err != nil {
			t.Fatal(err)
		}
		check(instruments.SearchQuery{Class: "02"})
		if _, err := m.svc.Lifecycle(ctx, m.researcher, sem.ID, instruments.LifecycleChange{Action: instruments.ActRetire, Reason: "x"}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a stranger retiring: %v", err)
		}
		st2, err := m.svc.Stats(ctx, 2026, 5)
		if err != nil {
			t.Fatal(err)
		}
		if st2.Enrolled != 5 || st2.Removed != 1 || st2.Total != 4 || st2.Value != 8_000_000*unit.Yuan {
			t.Fatalf("stats %+v", st2)
		}
	})
}

// Many clients race for one slot: exactly one booking is made and every
// other client is told the slot is taken. A second race for overlapping
// slots of different lengths ends the same way.
func TestBookingRace(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		m := newMarket(t, st)
		rules := openRules()
		rules.Approval = instruments.ApproveAuto
		d, hourly, _ := m.open(t, "扫描电镜", "SU8010", "01", "电子光学仪器", rules, 300*unit.Yuan)
		var clients []instruments.Actor
		for i := range 24 {
			id, err := st.CreateUser(ctx, auth.User{Username: fmt.Sprintf("racer%02d", i), DisplayName: "r", PasswordHash: "x", Role: auth.RoleEnterprise, EnterpriseID: int64(100 + i)})
			if err != nil {
				t.Fatal(err)
			}
			clients = append(clients, instruments.Actor{UserID: id, EnterpriseID: int64(100 + i), Booker: true})
		}
		day := time.Date(2026, 12, 7, 0, 0, 0, 0, instruments.Zone)
		race := func(slot func(i int) (time.Time, time.Time)) (ok, conflicts int) {
			var wg sync.WaitGroup
			var mu sync.Mutex
			for i, c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s, e := slot(i)
					_, err := m.svc.Book(ctx, c, instruments.BookRequest{InstrumentID: d.ID, ItemID: hourly, Start: s, End: e})
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						ok++
					case apperr.Is(err, apperr.Conflict):
						conflicts++
					default:
						t.Errorf("client %d: %v", i, err)
					}
				}()
			}
			wg.Wait()
			return ok, conflicts
		}
		ok, conflicts := race(func(int) (time.Time, time.Time) { return day.Add(9 * time.Hour), day.Add(10 * time.Hour) })
		if ok != 1 || conflicts != len(clients)-1 {
			t.Fatalf("same slot: %d booked, %d refused", ok, conflicts)
		}
		// Overlapping slots: 13:00 + k×30 min, an hour and a half or two long, all
		// overlapping 14:00–14:30.
		ok, _ = race(func(i int) (time.Time, time.Time) {
			s := day.Add(13*time.Hour + time.Duration(i%3)*30*time.Minute)
			return s, s.Add(time.Duration(90+30*(i%2)) * time.Minute)
		})
		if ok != 1 {
			t.Fatalf("overlapping slots: %d booked", ok)
		}
		// Checked after the run, from the orders themselves: no two live
		// orders of the instrument overlap.
		booked, err := st.BookedSlots(ctx, d.ID, day, day.AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		if len(booked) != 2 {
			t.Fatalf("%d live orders", len(booked))
		}
		for i := range booked {
			for j := i + 1; j < len(booked); j++ {
				if booked[i].Start.Before(booked[j].End) && booked[j].Start.Before(booked[i].End) {
					t.Fatalf("overlap %+v %+v", booked[i], booked[j])
				}
			}
		}
	})
}

func TestOrderFlowWithVoucher(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		m := newMarket(t, st)
		rules := openRules()
		rules.DailyQuotaMinutes = 180
		d, hourly, sample := m.open(t, "扫描电镜", "SU8010", "01", "电子光学仪器", rules, 300*unit.Yuan)
		day := time.Date(2026, 12, 7, 0, 0, 0, 0, instruments.Zone)
		book := func(a instruments.Actor, h0, h1 int) (instruments.Order, error) {
			return m.svc.Book(ctx, a, instruments.BookRequest{InstrumentID: d.ID, ItemID: hourly, Start: day.Add(time.Duration(h0) * time.Hour), End: day.Add(time.Duration(h1) * time.Hour)})
		}
		o, err := book(m.firm, 9, 11)
		if err != nil {
			t.Fatal(err)
		}
		if o.State != instruments.Submitted || o.UnitPrice != 300*unit.Yuan || o.Category != instruments.EnterpriseUser || o.BookedMinutes != 120 {
			t.Fatalf("%+v", o)
		}
		// The quota (180 min a day) refuses a third and fourth hour.
		if _, err := book(m.firm, 12, 14); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("over the quota: %v", err)
		}
		// The researcher of another unit pays the academic rate; the
		// unit's own manager the internal one.
		ro, err := book(m.researcher, 12, 13)
		if err != nil || ro.UnitPrice != 200*unit.Yuan {
			t.Fatalf("%+v %v", ro, err)
		}
		if _, err := book(m.researcher, 10, 12); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("overlapping booking: %v", err)
		}
		// Cancelling frees the slot for another user.
		if _, err := m.svc.Act(ctx, m.researcher, ro.ID, instruments.ActRequest{Action: instruments.OrderCancel}); err != nil {
			t.Fatal(err)
		}
		if io, err := book(m.manager, 12, 13); err != nil || io.UnitPrice != 100*unit.Yuan {
			t.Fatalf("rebook: %+v %v", io, err)
		}
		// Parties: the customer cannot approve; a stranger cannot see it.
		if _, err := m.svc.Act(ctx, m.firm, o.ID, instruments.ActRequest{Action: instruments.OrderApprove}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("customer approving: %v", err)
		}
		if _, err := m.svc.Act(ctx, m.researcher, o.ID, instruments.ActRequest{Action: instruments.OrderApprove}); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("stranger approving: %v", err)
		}
		// Vouchers: the bureau funds 2026 and allocates ¥1,000 to the firm.
		if err := m.svc.FundVouchers(ctx, m.operator, 2026, 5_000*unit.Yuan); err != nil {
			t.Fatal(err)
		}
		if err := m.svc.AllocateVoucher(ctx, m.manager, 42, 2026, 1_000*unit.Yuan); !apperr.Is(err, apperr.Forbidden) {
			t.Fatal(err)
		}
		if err := m.svc.AllocateVoucher(ctx, m.operator, 42, 2026, 1_000*unit.Yuan); err != nil {
			t.Fatal(err)
		}
		if err := m.svc.AllocateVoucher(ctx, m.operator, 43, 2026, 4_500*unit.Yuan); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("over the budget: %v", err)
		}
		for _, step := range []struct {
			a      instruments.Actor
			action string
		}{{m.manager, "approve"}, {m.manager, "schedule"}, {m.manager, "start"}, {m.manager, "complete"}} {
			if _, err := m.svc.Act(ctx, step.a, o.ID, instruments.ActRequest{Action: step.action}); err != nil {
				t.Fatalf("%s: %v", step.action, err)
			}
		}
		// 110 minutes used, 120 billed at ¥300/h = ¥600; the voucher covers
		// half: ¥300.
		o, err = m.svc.Act(ctx, m.manager, o.ID, instruments.ActRequest{Action: instruments.OrderConfirm, Usage: instruments.Usage{ActualMinutes: 110, BillableMinutes: 120}})
		if err != nil {
			t.Fatal(err)
		}
		if o.Amount != 600*unit.Yuan || o.VoucherAmount != 300*unit.Yuan || o.ActualMinutes != 110 || o.BookedMinutes != 120 {
			t.Fatalf("%+v", o)
		}
		if b, _ := st.VoucherBalance(ctx, instruments.FirmAccount(42, 2026)); b != 700*unit.Yuan {
			t.Fatalf("firm balance %d", b)
		}
		for _, step := range []struct {
			a      instruments.Actor
			action string
		}{{m.manager, "invoice"}, {m.manager, "pay"}} {
			if _, err := m.svc.Act(ctx, step.a, o.ID, instruments.ActRequest{Action: step.action}); err != nil {
				t.Fatalf("%s: %v", step.action, err)
			}
		}
		if _, err := m.svc.Rate(ctx, m.firm, o.ID, 6, nil, ""); !apperr.Is(err, apperr.Invalid) {
			t.Fatal(err)
		}
		if _, err := m.svc.Rate(ctx, m.firm, o.ID, 5, []string{"timeliness", "data_quality"}, "很好"); err != nil {
			t.Fatal(err)
		}
		if _, err := m.svc.Rate(ctx, m.firm, o.ID, 4, nil, ""); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("second review: %v", err)
		}
		dd, err := m.svc.Detail(ctx, d.ID)
		if err != nil || dd.Uses != 1 || dd.RatingN != 1 || dd.Rating != 5 {
			t.Fatalf("%+v %v", dd, err)
		}
		// The ledger as a whole sums to zero.
		var total int64
		if err := st.read.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount), 0) FROM voucher_posting`).Scan(&total); err != nil || total != 0 {
			t.Fatalf("ledger sum %d %v", total, err)
		}
		// Sample sending joins the queue with the promised turnaround.
		so, err := m.svc.Book(ctx, m.firm, instruments.BookRequest{InstrumentID: d.ID, ItemID: sample, Samples: 3})
		if err != nil || so.DueOn != "2026-12-10" || so.Mode != instruments.SampleSending {
			t.Fatalf("%+v %v", so, err)
		}
		// No-shows: the unit's rules suspend a user after MaxViolations
		// (3 by default) within a year.
		for i := range 3 {
			if _, err := m.svc.Book(ctx, m.researcher, instruments.BookRequest{InstrumentID: d.ID, ItemID: hourly, Start: day.AddDate(0, 0, 1+i).Add(9 * time.Hour), End: day.AddDate(0, 0, 1+i).Add(10 * time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		ros, _ := m.svc.Orders(ctx, m.researcher)
		marked := 0
		for _, ro := range ros {
			if ro.State != instruments.Submitted {
				continue
			}
			for _, a := range []string{"approve", "schedule", "no_show"} {
				if a == "no_show" {
					// A no-show is marked after the slot has started.
					m.now = ro.Start.Add(time.Hour)
				}
				if _, err := m.svc.Act(ctx, m.manager, ro.ID, instruments.ActRequest{Action: a}); err != nil {
					t.Fatalf("%s: %v", a, err)
				}
			}
			m.now = time.Date(2026, 12, 3, 8, 0, 0, 0, instruments.Zone)
			marked++
			_, err := m.svc.Book(ctx, m.researcher, instruments.BookRequest{InstrumentID: d.ID, ItemID: hourly, Start: day.AddDate(0, 0, 5).Add(9 * time.Hour), End: day.AddDate(0, 0, 5).Add(10 * time.Hour)})
			if suspended := apperr.Is(err, apperr.Forbidden); suspended != (marked >= 3) {
				t.Fatalf("after %d no-shows: %v", marked, err)
			}
			if err == nil {
				// Free the slot again for the next round.
				last, _ := m.svc.Orders(ctx, m.researcher)
				if _, err := m.svc.Act(ctx, m.researcher, last[0].ID, instruments.ActRequest{Action: "cancel"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if marked != 3 {
			t.Fatalf("%d no-shows marked", marked)
		}
		// Orders: the manager sees the unit's, the firm its own.
		mine, _ := m.svc.Orders(ctx, m.firm)
		unitOrders, _ := m.svc.Orders(ctx, m.manager)
		if len(mine) != 2 || len(unitOrders) != 4+3+2 { // + three no-shows and two cancelled rebookings
			t.Fatalf("firm %d, unit %d", len(mine), len(unitOrders))
		}
	})
}
