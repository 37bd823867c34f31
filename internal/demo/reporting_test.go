package demo

import (
	"context"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/reporting"
	"github.com/industrybrain/ibrain/internal/review"
)

// TestReportingDemo checks the open period's workflow state as the status
// page computes it: most firms accepted, some late, some returned, some
// awaiting review, warnings explained; and that the open period moves no
// figure (the cockpit's latest month stays December 2024).
func TestReportingDemo(t *testing.T) {
	t.Parallel()
	st := openLoadedSQLite(t)
	ctx := context.Background()
	svc, err := reporting.NewService(st, reporting.Options{})
	if err != nil {
		t.Fatal(err)
	}
	latest, err := st.LatestPeriod(ctx)
	if err != nil || latest != (report.Period{Year: 2024, Month: 12}) {
		t.Fatalf("latest period %v, %v; want 2024-12 (the open period counts nowhere yet)", latest, err)
	}
	cur, err := svc.CurrentPeriod(ctx)
	if err != nil || cur != (report.Period{Year: 2025, Month: 2}) {
		t.Fatalf("current period %v, %v; want 2025-02", cur, err)
	}
	status, err := svc.Status(ctx, auth.All(), cur)
	if err != nil {
		t.Fatal(err)
	}
	by := map[review.State]int{}
	warned, reminded := 0, 0
	for _, f := range status.Firms {
		by[f.State]++
		if f.Warnings > 0 && f.State == review.Accepted {
			warned++
		}
		if f.Reminders > 0 {
			reminded++
		}
	}
	n := len(status.Firms)
	if n < 5000 {
		t.Fatalf("%d firms expected to report, want the 2024 directory (about 7,000)", n)
	}
	if by[review.Accepted] < n*3/4 {
		t.Errorf("accepted %d of %d, want most", by[review.Accepted], n)
	}
	for _, s := range []review.State{review.Missing, review.Draft, review.Submitted, review.Returned} {
		if by[s] == 0 || by[s] > n/10 {
			t.Errorf("%s: %d of %d firms, want some but few", s, by[s], n)
		}
	}
	if warned == 0 {
		t.Error("no accepted report carries an explained warning")
	}
	if reminded != by[review.Missing]+by[review.Draft]+by[review.Returned] {
		t.Errorf("%d firms reminded, want every firm that has not reported (%d)", reminded, by[review.Missing]+by[review.Draft]+by[review.Returned])
	}
	// A returned report says why, and an explained warning is kept.
	for _, f := range status.Firms {
		if f.State != review.Returned {
			continue
		}
		form, err := svc.Form(ctx, auth.All(), reporting.Actor{CanReview: true}, reporting.Key{EnterpriseID: f.Firm.ID, Period: cur})
		if err != nil || form.Submission.ReturnReason == "" {
			t.Errorf("returned report of %s: reason %q, %v", f.Firm.Name, form.Submission.ReturnReason, err)
		}
		break
	}
}
