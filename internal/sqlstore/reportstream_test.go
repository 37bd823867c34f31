package sqlstore

import (
	"context"
	"fmt"
	"testing"

	"github.com/industrybrain/ibrain/internal/report"
)

// TestReportStreamAllOrNothing: a streamed write that is aborted after
// every batch was written (the file's last row failed) leaves reports and
// summaries as they were; committed, it counts inserted, updated and
// unchanged rows like any write and its summaries match a rebuild.
func TestReportStreamAllOrNothing(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedRegions(t, st)
		ids := seedFirms(t, st, "STREAM", 30, 2023, 2024)
		value := func(id int64, m, k int) report.Values {
			var v report.Values
			for i := range v {
				v[i] = (id%97+1)*int64(m)*int64(i+1)*1000 + int64(k)
			}
			return v
		}
		var stored []report.Monthly
		for _, id := range ids[:20] {
			for m := 2; m <= 12; m++ {
				stored = append(stored, report.Monthly{EnterpriseID: id, Period: report.Period{Year: 2023, Month: m}, Values: value(id, m, 0)})
			}
		}
		if _, err := st.UpsertReports(ctx, stored); err != nil {
			t.Fatal(err)
		}
		// The stream: firms 0–9's 2023 rows unchanged, 10–19's corrected,
		// 20–29's new, and every firm's 2024 rows new (twins of 2023).
		var rows []report.Monthly
		for i, id := range ids {
			for m := 2; m <= 12; m++ {
				k := 0
				if i >= 10 {
					k = 1
				}
				rows = append(rows, report.Monthly{EnterpriseID: id, Period: report.Period{Year: 2023, Month: m}, Values: value(id, m, k)})
				rows = append(rows, report.Monthly{EnterpriseID: id, Period: report.Period{Year: 2024, Month: m}, Values: value(id, m, 2)})
			}
		}
		send := func(rs *ReportStream) {
			for start := 0; start < len(rows); start += 37 {
				rs.Send(rows[start:min(start+37, len(rows))])
			}
		}
		st.bulkMin = 30 // PostgreSQL: batches of 37 take COPY
		before, beforeSums := snapshot(t, st), summarySnapshot(t, st)
		rs := st.StreamReports(ctx, len(rows), WriteOptions{})
		send(rs)
		if err := rs.Abort(); err != nil {
			t.Fatal(err)
		}
		if after := snapshot(t, st); after != before {
			t.Fatalf("aborted stream changed the store:\n before %s\n after  %s", before, after)
		}
		if afterSums := summarySnapshot(t, st); fmt.Sprint(afterSums) != fmt.Sprint(beforeSums) {
			t.Fatal("aborted stream changed the summaries")
		}

		rs = st.StreamReports(ctx, len(rows), WriteOptions{})
		send(rs)
		res, err := rs.Commit()
		if err != nil {
			t.Fatal(err)
		}
		want := UpsertResult{Inserted: 10*11 + 30*11, Updated: 10 * 11, Unchanged: 10 * 11}
		if res != want {
			t.Fatalf("counted %+v, want %+v", res, want)
		}
		var n int
		if err := st.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM monthly_report`).Scan(&n); err != nil || n != 30*22 {
			t.Fatalf("%d reports stored (%v), want %d", n, err, 30*22)
		}
		maintained := summarySnapshot(t, st)
		if err := st.RefreshAggregates(ctx, []int{2023, 2024, 2025}); err != nil {
			t.Fatal(err)
		}
		if rebuilt := summarySnapshot(t, st); fmt.Sprint(rebuilt) != fmt.Sprint(maintained) {
			t.Fatal("streamed summaries differ from a rebuild")
		}
	})
}
