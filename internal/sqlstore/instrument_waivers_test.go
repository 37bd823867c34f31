package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Waiving a violation (issue 9 item 3): two no-shows suspend the
// researcher under rules allowing two; only the unit's administrator or
// the operator waives, with a reason, once; the waiver takes the count
// below the limit and the researcher books again.
func TestWaiveViolation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		m := newMarket(t, st)
		rules := openRules()
		rules.Approval, rules.MaxViolations = instruments.ApproveAuto, 2
		d, hourly, _ := m.open(t, "质谱仪", "Q-TOF", "01", "质谱仪器", rules, 300*unit.Yuan)
		book := func(day int) (instruments.Order, error) {
			at := time.Date(2026, 12, day, 9, 0, 0, 0, instruments.Zone)
			return m.svc.Book(ctx, m.researcher, instruments.BookRequest{InstrumentID: d.ID, ItemID: hourly, Start: at, End: at.Add(time.Hour)})
		}
		for _, day := range []int{7, 8} {
			o, err := book(day)
			if err != nil {
				t.Fatal(err)
			}
			m.now = o.Start.Add(time.Hour)
			for _, a := range []string{instruments.OrderSchedule, instruments.OrderNoShow} {
				if _, err := m.svc.Act(ctx, m.manager, o.ID, instruments.ActRequest{Action: a}); err != nil {
					t.Fatal(err)
				}
			}
		}
		m.now = time.Date(2026, 12, 9, 8, 0, 0, 0, instruments.Zone)
		if _, err := book(20); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("two no-shows of two allowed: %v", err)
		}
		vs, err := m.svc.ViolationsOf(ctx, m.admin, m.researcher.UserID)
		if err != nil || len(vs) != 2 {
			t.Fatalf("%d violations %v", len(vs), err)
		}
		id := vs[0].ID
		// Who may waive: not the researcher, not the instrument's manager,
		// not another unit's administrator; a reason is required.
		other := instruments.Actor{UserID: m.researcher.UserID, UnitAdmin: true}
		for name, a := range map[string]instruments.Actor{"researcher": m.researcher, "manager": m.manager, "other unit's admin": other} {
			if _, err := m.svc.WaiveViolation(ctx, a, id, "系统故障"); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("%s waiving: %v", name, err)
			}
		}
		if _, err := m.svc.WaiveViolation(ctx, m.admin, id, "  "); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("no reason: %v", err)
		}
		if _, err := m.svc.WaiveViolation(ctx, m.admin, 999999, "x"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("unknown violation: %v", err)
		}
		if _, err := book(20); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("refused waivers lifted the suspension: %v", err)
		}
		w, err := m.svc.WaiveViolation(ctx, m.admin, id, " 仪器当日故障 ")
		if err != nil || w.WaivedBy != m.admin.UserID || w.WaiveReason != "仪器当日故障" || !w.WaivedAt.Equal(m.now) {
			t.Fatalf("%+v %v", w, err)
		}
		if _, err := m.svc.WaiveViolation(ctx, m.operator, id, "again"); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("second waiver: %v", err)
		}
		// One violation left of two allowed: the suspension is lifted.
		if _, err := book(20); err != nil {
			t.Fatalf("after the waiver: %v", err)
		}
		// The operator waives the other; the list keeps both, waived.
		if _, err := m.svc.WaiveViolation(ctx, m.operator, vs[1].ID, "复核后撤销"); err != nil {
			t.Fatal(err)
		}
		mine, err := m.svc.ViolationsOf(ctx, m.researcher, 0)
		if err != nil || len(mine) != 2 || mine[0].WaivedBy == 0 || mine[1].WaivedBy != m.operator.UserID && mine[0].WaivedBy != m.operator.UserID {
			t.Fatalf("%+v %v", mine, err)
		}
		if n, err := st.Violations(ctx, m.researcher.UserID, m.uni.ID, time.Time{}); err != nil || n != 0 {
			t.Fatalf("counted %d %v", n, err)
		}
	})
}
