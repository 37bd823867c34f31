package sqlstore

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/reporting"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/unit"
)

// reportingWorld: two above-scale small firms of 万州 (regionA) with
// accepted 2023 and Jan–May 2024 reports, one firm of 涪陵 (regionB).
type reportingWorld struct {
	svc               *reporting.Service
	ids               []int64
	other             int64
	firm, district    reporting.Actor
	otherDistrict     reporting.Actor
	city              reporting.Actor
	june, may         report.Period
	cityScope, scopeA auth.Scope
}

const wan = int64(unit.Wan)

// plausible returns cumulative values of month m at a monthly output of
// 500 万元.
func plausible(m int) report.Values {
	var v report.Values
	v[report.Output] = int64(m) * 500 * wan
	v[report.ValueAdded] = int64(m) * 125 * wan
	v[report.Revenue] = int64(m) * 480 * wan
	v[report.Profit] = int64(m) * 20 * wan
	v[report.RDExpense] = int64(m) * 10 * wan
	v[report.Investment] = int64(m) * 30 * wan
	v[report.Tax] = int64(m) * 15 * wan
	v[report.Energy] = int64(m) * 100 * 1000
	v[report.Employees] = 60
	return v
}

func newReportingWorld(t *testing.T, st *Store) reportingWorld {
	t.Helper()
	seedRegions(t, st)
	ids := seedFirms(t, st, "91500101RP", 2, 2023, 2024)
	other := seedFirmIn(t, st, regionB)
	var reps []report.Monthly
	for _, id := range append(ids, other) {
		for m := 2; m <= 12; m++ {
			reps = append(reps, report.Monthly{EnterpriseID: id, Period: report.Period{Year: 2023, Month: m}, Values: plausible(m)})
			if m <= 5 {
				reps = append(reps, report.Monthly{EnterpriseID: id, Period: report.Period{Year: 2024, Month: m}, Values: plausible(m)})
			}
		}
	}
	if _, err := st.UpsertReports(context.Background(), reps); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 7, 12, 9, 0, 0, 0, time.UTC) // after the June deadline (10 July)
	svc, err := reporting.NewService(st, reporting.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return reportingWorld{svc: svc, ids: ids, other: other,
		firm:          reporting.Actor{UserID: 11, EnterpriseID: ids[0], CanFill: true},
		district:      reporting.Actor{UserID: 21, CanReview: true},
		otherDistrict: reporting.Actor{UserID: 22, CanReview: true},
		city:          reporting.Actor{UserID: 31, CanReview: true, CanPublish: true},
		june:          report.Period{Year: 2024, Month: 6}, may: report.Period{Year: 2024, Month: 5},
		cityScope: auth.All(), scopeA: auth.Region(regionA)}
}

// cityOutput is the city's above-scale output of a month from the
// summaries the cockpit reads (0 when the month has none).
func cityOutput(t *testing.T, st *Store, p report.Period) int64 {
	t.Helper()
	rows, err := st.Aggregate(context.Background(), auth.All(), stats.Query{Year: p.Year, Month: p.Month})
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, r := range rows {
		sum += r.Sums.Cur[report.Output]
	}
	return sum
}

// snapshot counts the rows of every table a refused write could touch.
func snapshot(t *testing.T, st *Store) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{`SELECT COUNT(*) FROM report_submission`, `SELECT COUNT(*) FROM review_event`, `SELECT COUNT(*) FROM monthly_report`,
		`SELECT COALESCE(SUM(output), 0) FROM monthly_report`, `SELECT COALESCE(SUM(output), 0) FROM agg_month`} {
		var n int64
		if err := st.read.QueryRowContext(context.Background(), q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		b.WriteString(q[len("SELECT "):] + "=" + itoa(n) + ";")
	}
	return b.String()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func ruleKeys(err error) []string {
	var re *reporting.RuleError
	if !errors.As(err, &re) {
		return nil
	}
	var out []string
	for _, f := range re.Findings {
		if f.Severity == reporting.Error || len(re.Unexplained) > 0 {
			out = append(out, f.Key)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestReportingHostileWrites(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		w := newReportingWorld(t, st)
		before := snapshot(t, st)
		mayOutput := cityOutput(t, st, w.may)

		// An enterprise submitting 9,000,000,000,000 万元: a submission
		// that the bounds rules block; nothing is stored.
		huge := plausible(6)
		huge[report.Output] = 9_000_000_000_000 * wan
		_, err := w.svc.Act(ctx, auth.Enterprise(w.ids[0]), w.firm, reporting.Request{Key: reporting.Key{EnterpriseID: w.ids[0], Period: w.june}, Action: review.Submit, Values: &huge})
		if !apperr.Is(err, apperr.Invalid) || !contains(ruleKeys(err), "overflow.output") || !contains(ruleKeys(err), "size_bound.output") {
			t.Fatalf("huge enterprise submission: %v (rules %v); want invalid by overflow and size bounds", err, ruleKeys(err))
		}
		// Two such rows recorded by the city in one import: refused whole,
		// the totals cannot overflow.
		reqs := []reporting.Request{
			{Key: reporting.Key{EnterpriseID: w.ids[0], Period: w.june}, Action: review.Record, Values: &huge},
			{Key: reporting.Key{EnterpriseID: w.ids[1], Period: w.june}, Action: review.Record, Values: &huge},
		}
		if _, err := w.svc.ActMany(ctx, w.cityScope, w.city, reqs); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("two huge rows: %v, want invalid", err)
		}
		// A value at the int64 limit.
		limit := plausible(6)
		limit[report.Revenue] = 1<<63 - 1
		if _, err := w.svc.Act(ctx, w.cityScope, w.city, reporting.Request{Key: reporting.Key{EnterpriseID: w.ids[0], Period: w.june}, Action: review.Record, Values: &limit}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("int64 limit: %v, want invalid", err)
		}
		// June below the stored May (across files: May was stored earlier).
		low := plausible(6)
		low[report.Output] = plausible(5)[report.Output] - 1
		_, err = w.svc.Act(ctx, w.scopeA, w.district, reporting.Request{Key: reporting.Key{EnterpriseID: w.ids[0], Period: w.june}, Action: review.Record, Values: &low})
		if !contains(ruleKeys(err), "cumulative.output") {
			t.Fatalf("June below May: %v (rules %v), want cumulative.output", err, ruleKeys(err))
		}
		if got := snapshot(t, st); got != before {
			t.Fatalf("refused writes changed the database:\n%s\n%s", before, got)
		}
		if got := cityOutput(t, st, w.may); got != mayOutput {
			t.Fatalf("city May output moved from %d to %d", mayOutput, got)
		}
	})
}

func TestReportingWorkflow(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		w := newReportingWorld(t, st)
		key := reporting.Key{EnterpriseID: w.ids[0], Period: w.june}
		firmScope := auth.Enterprise(w.ids[0])
		june := plausible(6)
		june[report.Output] = 6 * 500 * wan * 2 // +100 % on last June: a warning
		june[report.ValueAdded] = 6 * 125 * wan * 2
		// Submitting with the warning unexplained is refused.
		_, err := w.svc.Act(ctx, firmScope, w.firm, reporting.Request{Key: key, Action: review.Submit, Values: &june})
		if !contains(ruleKeys(err), "yoy_band.output") || !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("unexplained warning: %v, want refused naming yoy_band.output", err)
		}
		// A draft keeps the warning without blocking.
		sub, err := w.svc.Act(ctx, firmScope, w.firm, reporting.Request{Key: key, Action: review.Save, Values: &june})
		if err != nil || sub.State != review.Draft {
			t.Fatalf("save: %v, %v", sub.State, err)
		}
		expl := map[string]string{"yoy_band.output": "a second production line started in March", "month_jump.output": "same", "month_jump.revenue": ""}
		sub, err = w.svc.Act(ctx, firmScope, w.firm, reporting.Request{Key: key, Action: review.Submit, Values: &june, Explanations: expl})
		if err != nil {
			t.Fatalf("submit with explanation: %v (%v)", err, ruleKeys(err))
		}
		if sub.State != review.Submitted || cityOutput(t, st, w.june) != 0 {
			t.Fatalf("after submit: state %s, city June output %d; want submitted and nothing counted", sub.State, cityOutput(t, st, w.june))
		}
		// Another district's officer does not see the firm; the firm cannot
		// accept its own report.
		if _, err := w.svc.Act(ctx, auth.Region(regionB), w.otherDistrict, reporting.Request{Key: key, Action: review.Accept}); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("other district accepting: %v, want not found", err)
		}
		if _, err := w.svc.Act(ctx, firmScope, w.firm, reporting.Request{Key: key, Action: review.Accept}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("firm accepting its own report: %v, want forbidden", err)
		}
		// Return needs a reason; then the firm corrects and resubmits.
		if _, err := w.svc.Act(ctx, w.scopeA, w.district, reporting.Request{Key: key, Action: review.Return}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("return without reason: %v", err)
		}
		sub, err = w.svc.Act(ctx, w.scopeA, w.district, reporting.Request{Key: key, Action: review.Return, Reason: "output doubled?"})
		if err != nil || sub.State != review.Returned || sub.ReturnReason != "output doubled?" {
			t.Fatalf("return: %+v, %v", sub, err)
		}
		fixed := plausible(6)
		if _, err := w.svc.Act(ctx, firmScope, w.firm, reporting.Request{Key: key, Action: review.Submit, Values: &fixed}); err != nil {
			t.Fatalf("resubmit: %v (%v)", err, ruleKeys(err))
		}
		if cityOutput(t, st, w.june) != 0 {
			t.Fatal("June counted before acceptance")
		}
		sub, err = w.svc.Act(ctx, w.scopeA, w.district, reporting.Request{Key: key, Action: review.Accept})
		if err != nil || sub.State != review.Accepted {
			t.Fatalf("accept: %v, %v", sub.State, err)
		}
		if got := cityOutput(t, st, w.june); got != fixed[report.Output] {
			t.Fatalf("city June output after acceptance = %d, want %d (the one accepted firm)", got, fixed[report.Output])
		}
		events, err := st.ReviewEvents(ctx, review.MonthlyReport, itoaID(w.ids[0]), review.Period{Year: 2024, Month: 6})
		if err != nil || len(events) != 5 {
			t.Fatalf("history: %d events, %v; want save, submit, return, submit, accept", len(events), err)
		}
		if last := events[4]; last.Action != review.Accept || last.OldValues != "" || !strings.Contains(last.NewValues, `"output":"3000"`) {
			t.Errorf("accept event %+v: want new values and no old ones", last)
		}
		// The status page counts: firm 0 accepted, firm 1 missing (late).
		status, err := w.svc.Status(ctx, w.scopeA, w.june)
		if err != nil || len(status.Firms) != 2 || len(status.Districts) != 1 {
			t.Fatalf("status: %+v, %v", status, err)
		}
		d := status.Districts[0]
		if d.Expected != 2 || d.Reported != 1 || d.RatePct != 50 || d.ByState[review.Missing] != 1 || !status.Firms[1].Late {
			t.Errorf("district rate %+v, firm 1 late %v; want 1 of 2 reported, 50 %%", d, status.Firms[1].Late)
		}
		n, err := w.svc.Remind(ctx, w.scopeA, w.district, w.june, nil)
		if err != nil || n != 1 {
			t.Fatalf("remind: %d, %v; want the one late firm", n, err)
		}
		if status, _ = w.svc.Status(ctx, w.scopeA, w.june); status.Firms[1].Reminders != 1 {
			t.Errorf("reminders of the late firm = %d, want 1", status.Firms[1].Reminders)
		}
	})
}

func itoaID(id int64) string { return strconv.FormatInt(id, 10) }

func TestReportingLockAndRevision(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		w := newReportingWorld(t, st)
		key := reporting.Key{EnterpriseID: w.ids[0], Period: w.may}
		if _, err := w.svc.Publish(ctx, w.district, w.may, ""); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("district publishing: %v, want forbidden", err)
		}
		if _, err := w.svc.Publish(ctx, w.city, w.may, "May published"); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, st)
		newMay := plausible(5)
		newMay[report.Output] += 10 * wan
		// Every path that writes a locked period directly is refused with
		// the typed lock error.
		if _, err := w.svc.Act(ctx, w.cityScope, w.city, reporting.Request{Key: key, Action: review.Record, Values: &newMay}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("record into a locked period: %v, want conflict", err)
		}
		if _, err := st.UpsertReports(ctx, []report.Monthly{{EnterpriseID: w.ids[0], Period: w.may, Values: newMay}}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("direct write into a locked period: %v, want conflict", err)
		}
		// A revision request needs a reason.
		if _, err := w.svc.Act(ctx, auth.Enterprise(w.ids[0]), w.firm, reporting.Request{Key: key, Action: review.Submit, Values: &newMay}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("revision without reason: %v, want invalid", err)
		}
		if got := snapshot(t, st); got != before {
			t.Fatalf("refused writes changed the database:\n%s\n%s", before, got)
		}
		sub, err := w.svc.Act(ctx, auth.Enterprise(w.ids[0]), w.firm, reporting.Request{Key: key, Action: review.Submit, Values: &newMay, Reason: "late invoice"})
		if err != nil || !sub.Revision || sub.State != review.Submitted {
			t.Fatalf("revision request: %+v, %v", sub, err)
		}
		published := cityOutput(t, st, w.may)
		// The district may not decide a revision of a published period.
		if _, err := w.svc.Act(ctx, w.scopeA, w.district, reporting.Request{Key: key, Action: review.Accept}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("district accepting a revision: %v, want forbidden", err)
		}
		if _, err := w.svc.Act(ctx, w.cityScope, w.city, reporting.Request{Key: key, Action: review.Accept}); err != nil {
			t.Fatalf("city accepting the revision: %v", err)
		}
		if got := cityOutput(t, st, w.may); got != published+10*wan {
			t.Fatalf("May output after revision = %d, want %d", got, published+10*wan)
		}
		// As published and as revised: the published figure is rebuilt
		// from the history, the revised one is what the cockpit reads.
		rv, err := w.svc.Revisions(ctx, w.cityScope, w.may)
		if err != nil || !rv.Locked || len(rv.Firms) != 1 || rv.Firms[0].Firm.ID != w.ids[0] {
			t.Fatalf("revisions: %+v, %v", rv, err)
		}
		if rv.AsPublished[report.Output] != published || rv.AsRevised[report.Output] != published+10*wan {
			t.Errorf("May output as published %d, as revised %d; want %d and %d", rv.AsPublished[report.Output], rv.AsRevised[report.Output], published, published+10*wan)
		}
		events, _ := st.ReviewEvents(ctx, review.MonthlyReport, itoaID(w.ids[0]), review.Period{Year: 2024, Month: 5})
		last := events[len(events)-1]
		if !last.Revision || last.ActorID != w.city.UserID || !strings.Contains(last.OldValues, `"output":"2500"`) || !strings.Contains(last.NewValues, `"output":"2510"`) {
			t.Errorf("revision history %+v: want who, old 2500 and new 2510", last)
		}
	})
}

func TestReportingWarnsWithoutAboveScale(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		w := newReportingWorld(t, st)
		p := report.Period{Year: 2025, Month: 2}
		v := plausible(2)
		submit := func(i int) error {
			a := reporting.Actor{UserID: 12, EnterpriseID: w.ids[i], CanFill: true}
			_, err := w.svc.Act(ctx, auth.Enterprise(w.ids[i]), a, reporting.Request{Key: reporting.Key{EnterpriseID: w.ids[i], Period: p}, Action: review.Submit, Values: &v})
			return err
		}
		// While no 2025 directory is loaded, the latest one (2024, where
		// the firm is above scale) says who reports: no warning.
		if err := submit(0); err != nil {
			t.Fatalf("1–2月 2025 before the 2025 directory: %v (%v)", err, ruleKeys(err))
		}
		// Once the 2025 directory exists without the firm, its reports
		// for 2025 are warned about: they will not count.
		seedFirms(t, st, "91500101RQ", 1, 2025)
		err := submit(1)
		if !contains(ruleKeys(err), "above_scale") {
			t.Fatalf("report for a year without status: %v (%v), want the above_scale warning", err, ruleKeys(err))
		}
	})
}

func TestReportingOverwriteIsVisible(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		w := newReportingWorld(t, st)
		key := reporting.Key{EnterpriseID: w.ids[0], Period: w.may}
		mayOutput := cityOutput(t, st, w.may)
		// The same values again (a repeated import) change nothing and
		// leave no history.
		same := plausible(5)
		sub, err := w.svc.Act(ctx, w.scopeA, w.district, reporting.Request{Key: key, Action: review.Record, Values: &same})
		if err != nil || !sub.Unchanged {
			t.Fatalf("re-recording stored values: %+v, %v; want unchanged", sub, err)
		}
		if evs, _ := st.ReviewEvents(ctx, review.MonthlyReport, itoaID(w.ids[0]), review.Period{Year: 2024, Month: 5}); len(evs) != 0 {
			t.Fatalf("an unchanged record left %d events", len(evs))
		}
		// Different values overwrite the accepted May visibly: the
		// history keeps who, and the old and new values.
		changed := plausible(5)
		changed[report.Output] += 5 * wan
		sub, err = w.svc.Act(ctx, w.scopeA, w.district, reporting.Request{Key: key, Action: review.Record, Values: &changed})
		if err != nil || !sub.Replaced {
			t.Fatalf("overwrite: %+v, %v; want replaced", sub, err)
		}
		evs, err := st.ReviewEvents(ctx, review.MonthlyReport, itoaID(w.ids[0]), review.Period{Year: 2024, Month: 5})
		if err != nil || len(evs) != 1 {
			t.Fatalf("history after overwrite: %v, %v", evs, err)
		}
		e := evs[0]
		if e.ActorID != w.district.UserID || !strings.Contains(e.OldValues, `"output":"2500"`) || !strings.Contains(e.NewValues, `"output":"2505"`) {
			t.Errorf("overwrite event %+v: want the officer, old 2500 and new 2505", e)
		}
		if got := cityOutput(t, st, w.may); got != mayOutput+5*wan {
			t.Errorf("city May output %d, want %d", got, mayOutput+5*wan)
		}
	})
}
