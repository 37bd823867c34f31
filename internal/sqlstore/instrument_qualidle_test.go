package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Qualification expiry counted from the last use (issue 9 item 3): with
// qualification_idle_days 10, the researcher's grant of 3 December
// (never used: valid through the 13th) carries, after a completed use on
// the 7th, through the 17th: bookings on the 16th (below) and the 17th
// (at the limit) are taken, the 18th (above) is refused.
func TestQualificationIdleExpiry(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		m := newMarket(t, st)
		rules := openRules()
		rules.Approval, rules.QualificationRequired, rules.QualificationIdleDays = instruments.ApproveAuto, true, 10
		d, hourly, _ := m.open(t, "共聚焦显微镜", "LSM980", "01", "显微镜及图像分析仪器", rules, 300*unit.Yuan)
		book := func(day int) (instruments.Order, error) {
			at := time.Date(2026, 12, day, 9, 0, 0, 0, instruments.Zone)
			return m.svc.Book(ctx, m.researcher, instruments.BookRequest{InstrumentID: d.ID, ItemID: hourly, Start: at, End: at.Add(time.Hour)})
		}
		q, err := m.svc.GrantQualification(ctx, m.manager, instruments.Qualification{UserID: m.researcher.UserID, InstrumentID: d.ID})
		if err != nil || q.ExpiresOn != "2026-12-13" {
			t.Fatalf("never-used lapse: %+v %v", q, err)
		}
		// Never used: the 14th is past the grant's idle period.
		if _, err := book(14); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("never used, 11 days after the grant: %v", err)
		}
		if last, err := st.LastUse(ctx, m.researcher.UserID, q); err != nil || last != "" {
			t.Fatalf("last use %q %v", last, err)
		}
		use, err := book(7)
		if err != nil {
			t.Fatal(err)
		}
		m.now = use.Start
		for _, a := range []string{instruments.OrderSchedule, instruments.OrderStart, instruments.OrderComplete} {
			if _, err := m.svc.Act(ctx, m.manager, use.ID, instruments.ActRequest{Action: a}); err != nil {
				t.Fatalf("%s: %v", a, err)
			}
		}
		m.now = time.Date(2026, 12, 8, 8, 0, 0, 0, instruments.Zone)
		if last, err := st.LastUse(ctx, m.researcher.UserID, q); err != nil || last != "2026-12-07" {
			t.Fatalf("last use %q %v", last, err)
		}
		if _, err := book(16); err != nil {
			t.Fatalf("9 days after the last use: %v", err)
		}
		if _, err := book(17); err != nil {
			t.Fatalf("10 days after the last use: %v", err)
		}
		if _, err := book(18); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("11 days after the last use: %v", err)
		}
		// A class grant at the unit counts uses of the class's instruments.
		cq, err := m.svc.GrantQualification(ctx, m.admin, instruments.Qualification{UserID: m.researcher.UserID, UnitID: m.uni.ID, ClassCode: "01"})
		if err != nil {
			t.Fatal(err)
		}
		if last, err := st.LastUse(ctx, m.researcher.UserID, cq); err != nil || last != "2026-12-07" {
			t.Fatalf("class last use %q %v", last, err)
		}
	})
}
