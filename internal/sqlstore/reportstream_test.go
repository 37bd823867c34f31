package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/industrybrain/ibrain/internal/apperr"
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

// TestReportWritesRefuseRepeatedKeys: a report write that names a (firm,
// period) twice is refused with apperr.Invalid and writes nothing: as
// one ImportReports (by the row path and, on PostgreSQL, by COPY) and as a
// stream whose repeat comes in a later batch or within one batch. Before,
// PostgreSQL's row path failed with a raw ON CONFLICT error and SQLite
// stored the last row, counted differently by the stream and the write.
func TestReportWritesRefuseRepeatedKeys(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedRegions(t, st)
		ids := seedFirms(t, st, "REPEAT", 8, 2023, 2024)
		row := func(i, m int, k int64) report.Monthly {
			return report.Monthly{EnterpriseID: ids[i], Period: report.Period{Year: 2024, Month: m}, Values: vals(1000*int64(i)+10*int64(m)+k, k%2 == 1)}
		}
		if _, err := st.UpsertReports(ctx, []report.Monthly{row(0, 3, 0), row(1, 3, 0)}); err != nil {
			t.Fatal(err)
		}
		before, beforeSums := snapshot(t, st), summarySnapshot(t, st)
		unchanged := func(what string, err error) {
			t.Helper()
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("%s: %v, want invalid", what, err)
			}
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Key != "err.report_repeated" {
				t.Fatalf("%s: %v, want err.report_repeated", what, err)
			}
			if after := snapshot(t, st); after != before {
				t.Fatalf("%s changed the store", what)
			}
			if fmt.Sprint(summarySnapshot(t, st)) != fmt.Sprint(beforeSums) {
				t.Fatalf("%s changed the summaries", what)
			}
		}
		rows := []report.Monthly{row(0, 3, 1), row(2, 3, 1), row(3, 3, 1), row(4, 3, 1), row(2, 3, 2), row(5, 3, 1)}
		for _, bulkMin := range []int{math.MaxInt, 1} { // the row path, then COPY on PostgreSQL
			st.bulkMin = bulkMin
			_, err := st.ImportReports(ctx, rows, WriteOptions{})
			unchanged(fmt.Sprintf("one write (bulk from %d)", bulkMin), err)
			_, err = st.ImportReports(ctx, rows, WriteOptions{DeferSummaries: true})
			unchanged(fmt.Sprintf("one deferred write (bulk from %d)", bulkMin), err)
		}
		for name, batches := range map[string][][]report.Monthly{
			"a later batch": {{row(0, 3, 1), row(2, 3, 1), row(3, 3, 1)}, {row(4, 3, 1), row(2, 3, 2), row(5, 3, 1)}},
			"one batch":     {{row(6, 3, 1), row(7, 3, 1)}, {row(4, 3, 1), row(6, 3, 3), row(5, 3, 1)}, {row(3, 3, 1)}},
		} {
			for _, bulkMin := range []int{math.MaxInt, 2} {
				st.bulkMin = bulkMin
				rs := st.StreamReports(ctx, 0, WriteOptions{})
				for _, b := range batches {
					rs.Send(b)
				}
				_, err := rs.Commit()
				unchanged(fmt.Sprintf("a stream repeating a key in %s (bulk from %d)", name, bulkMin), err)
			}
		}
		// The same rows without the repeat are written.
		st.bulkMin = 2
		if res, err := st.ImportReports(ctx, rows[:4], WriteOptions{}); err != nil || res.Inserted != 3 || res.Updated != 1 {
			t.Fatalf("distinct rows: %+v %v", res, err)
		}
	})
}

// TestReportStreamOpenCopy: on PostgreSQL a stream keeps one COPY open
// across its batches of new rows and ends it before a batch that
// updates stored rows (which is staged and merged on the same
// connection) or a small batch written row by row; here every kind of
// batch follows the others, including a small batch of new rows while
// the COPY is open (it joins the COPY). Aborted with the COPY open, the
// stream leaves everything as it was; committed, every row is stored
// and counted once and the summaries equal a rebuild. On SQLite the same
// stream runs through its row path.
func TestReportStreamOpenCopy(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedRegions(t, st)
		ids := seedFirms(t, st, "OPENCOPY", 60, 2023, 2024)
		row := func(i, m int, k int64) report.Monthly {
			return report.Monthly{EnterpriseID: ids[i], Period: report.Period{Year: 2024, Month: m}, Values: vals(100*int64(i)+int64(m)+k, i%3 == 0)}
		}
		var stored []report.Monthly
		for i := 20; i < 30; i++ {
			stored = append(stored, row(i, 3, 0))
		}
		if _, err := st.UpsertReports(ctx, stored); err != nil {
			t.Fatal(err)
		}
		month := func(from, to, m int, k int64) []report.Monthly {
			var out []report.Monthly
			for i := from; i < to; i++ {
				out = append(out, row(i, m, k))
			}
			return out
		}
		st.bulkMin = 8
		batches := [][]report.Monthly{
			month(0, 10, 3, 1),  // new: opens the COPY
			month(10, 20, 3, 1), // new: the same COPY
			month(0, 3, 4, 1),   // new and small: the same COPY
			month(20, 30, 3, 1), // stored rows corrected: the COPY ends, staged
			month(30, 40, 3, 1), // new: a second COPY
			month(20, 23, 4, 1), // new and small, no COPY open: row by row
			month(40, 60, 3, 1), // new: a third COPY, open at the end
		}
		send := func(rs *ReportStream) {
			for _, b := range batches {
				rs.Send(b)
			}
		}
		before, beforeSums := snapshot(t, st), summarySnapshot(t, st)
		rs := st.StreamReports(ctx, 0, WriteOptions{})
		send(rs)
		if err := rs.Abort(); err != nil {
			t.Fatal(err)
		}
		if snapshot(t, st) != before || fmt.Sprint(summarySnapshot(t, st)) != fmt.Sprint(beforeSums) {
			t.Fatal("an aborted stream changed the store")
		}
		rs = st.StreamReports(ctx, 0, WriteOptions{})
		send(rs)
		res, err := rs.Commit()
		if err != nil {
			t.Fatal(err)
		}
		if want := (UpsertResult{Inserted: 50 + 3 + 3, Updated: 10}); res != want {
			t.Fatalf("counted %+v, want %+v", res, want)
		}
		var n, sum int64
		if err := st.read.QueryRowContext(ctx, `SELECT COUNT(*), SUM(output) FROM monthly_report`).Scan(&n, &sum); err != nil {
			t.Fatal(err)
		}
		var wantSum int64
		for _, b := range batches {
			for _, r := range b {
				wantSum += r.Values[report.Output]
			}
		}
		if n != 66 || sum != wantSum {
			t.Fatalf("stored %d rows summing %d, want 66 summing %d", n, sum, wantSum)
		}
		maintained := summarySnapshot(t, st)
		if err := st.RefreshAggregates(ctx, []int{2024, 2025}); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(summarySnapshot(t, st)) != fmt.Sprint(maintained) {
			t.Fatal("the stream's summaries differ from a rebuild")
		}
	})
}

// TestReportCopyFailsMidway: when the server refuses a row of an open
// COPY (here a key already stored, which the stream's checks never let
// through), the COPY ends with the server's error, the batches sent
// after it do not hang, and the transaction writes nothing.
func TestReportCopyFailsMidway(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		if st.engine != Postgres {
			t.Skip("COPY is PostgreSQL's")
		}
		ctx := context.Background()
		seedRegions(t, st)
		ids := seedFirms(t, st, "COPYFAIL", 40, 2024)
		row := func(i int) report.Monthly {
			return report.Monthly{EnterpriseID: ids[i], Period: report.Period{Year: 2024, Month: 5}, Values: vals(int64(i+1), false)}
		}
		if _, err := st.UpsertReports(ctx, []report.Monthly{row(15)}); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, st)
		err := st.inTx(ctx, func(tx *sql.Tx) error {
			c := st.openReportCopy(ctx, tx)
			var sendErr error
			for start := 0; start < 40 && sendErr == nil; start += 5 {
				var b []report.Monthly
				for i := start; i < start+5; i++ {
					b = append(b, row(i))
				}
				sendErr = c.send(b)
			}
			err := c.close(true)
			if sendErr != nil && !errors.Is(err, sendErr) && err.Error() != sendErr.Error() {
				t.Errorf("send failed with %v, the COPY with %v", sendErr, err)
			}
			return err
		})
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "23505" {
			t.Fatalf("copy of a stored key: %v, want a unique violation", err)
		}
		if snapshot(t, st) != before {
			t.Fatal("a failed COPY changed the store")
		}
		// The store still writes (the connection was given back).
		if _, err := st.UpsertReports(ctx, []report.Monthly{row(1)}); err != nil {
			t.Fatal(err)
		}
	})
}
