package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/review"
)

// reportColumns lists monthly_report's value columns in report.Field order.
var reportColumns = func() []string {
	out := make([]string, report.NumFields)
	for i, f := range report.Fields {
		out[i] = f.Code
	}
	return out
}()

// reportChunk is how many rows one multi-row INSERT carries on PostgreSQL
// (writes below bulkMinRows; larger ones COPY): 200 rows × 12 parameters
// stays far below its parameter limit while cutting round trips 200-fold.
const reportChunk = 200

// sqliteReportChunk is the same on SQLite, which has no COPY: the most rows
// one statement can bind (SQLITE_MAX_VARIABLE_NUMBER is 32,766 in modernc's
// build; 2,730 rows × 12 parameters), so a year's file of 77,000 rows is 29
// statements instead of 385 and each statement's fixed cost (reset,
// clearing the bindings, database/sql's argument checks) is paid less often.
const sqliteReportChunk = 32766 / (3 + int(report.NumFields))

// UpsertReports writes monthly reports in one transaction and refreshes the
// summaries of every affected year (and the following year, whose
// comparable basis they are) in the same transaction. Rows equal to what is
// stored are not rewritten, so a repeated import changes nothing. A write
// naming one (firm, period) twice is refused (apperr.Invalid).
func (s *Store) UpsertReports(ctx context.Context, reports []report.Monthly) (UpsertResult, error) {
	return s.ImportReports(ctx, reports, WriteOptions{})
}

// WriteOptions tune a bulk write.
type WriteOptions struct {
	// Progress, when set, is called after each chunk with the rows
	// written so far; the summaries are refreshed after the last call.
	Progress func(done, total int)
	// AcceptedRevision: the caller (online reporting) has judged the
	// period locks itself, so a revision a publisher accepted may write a
	// published period. Every other write to a locked period is refused.
	AcceptedRevision bool
	// DeferSummaries leaves the summaries as they are: a loader writing a
	// year in several batches rebuilds them once, with RefreshAggregates,
	// after the last batch. Until then they do not reflect the rows.
	DeferSummaries bool
}

// ImportReports is UpsertReports with progress reporting, for imports.
func (s *Store) ImportReports(ctx context.Context, reports []report.Monthly, opts WriteOptions) (UpsertResult, error) {
	var res UpsertResult
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = s.upsertReportsTx(ctx, tx, reports, opts)
		return err
	})
	return res, err
}

func (s *Store) upsertReportsTx(ctx context.Context, tx *sql.Tx, reports []report.Monthly, opts WriteOptions) (UpsertResult, error) {
	var res UpsertResult
	if !opts.AcceptedRevision {
		if err := refuseLocked(ctx, tx, reports); err != nil {
			return res, err
		}
	}
	years := map[int]bool{}
	december := false // profiles read December reports only
	for _, r := range reports {
		if err := r.Period.Validate(); err != nil {
			return res, apperr.Wrap(err, apperr.Invalid, "err.period", r.Period.String())
		}
	}
	if r, ok := repeatedKey(reports, nil); ok {
		return res, errRepeatedReport(r)
	}
	if err := checkReportFirms(ctx, tx, s.engine, reports); err != nil {
		return res, err
	}
	// A write keeps the summaries by delta (aggdelta.go), which needs the
	// rows around it as they were; a very large one rebuilds its years.
	var old map[unitKey]report.Values
	var pend *pendingDeltas
	delta := !opts.DeferSummaries && len(reports) <= s.deltaMax && packable(reports)
	var existing int
	var err error
	if delta {
		if old, err = neighbourRows(ctx, tx, s.engine, reports, s.newStoredPeriods()); err != nil {
			return res, err
		}
		for _, r := range reports {
			if _, ok := old[mkUnit(r.EnterpriseID, r.Period.Year, r.Period.Month)]; ok {
				existing++
			}
		}
		// The deltas are computed while the rows are inserted.
		if pend, err = startReportDeltas(ctx, tx, reports, old, nil); err != nil {
			return res, err
		}
	}
	if s.engine == Postgres && len(reports) >= s.bulkMin {
		for _, r := range reports {
			years[r.Period.Year] = true
			december = december || r.Period.Month == 12
		}
		existingCopy, changed, err := s.copyReports(ctx, tx, reports, knownKeys(delta, existing, len(reports)))
		if err != nil {
			return res, err
		}
		if !delta {
			existing = existingCopy
		}
		if opts.Progress != nil {
			opts.Progress(len(reports), len(reports))
		}
		if opts.DeferSummaries {
			years = nil
		}
		return s.finishReports(ctx, tx, reports, years, december, pend, existing, changed)
	}
	if !delta {
		// Count existing keys first so inserted and updated can be told apart.
		if existing, err = s.existingReportKeys(ctx, tx, reports); err != nil {
			return res, err
		}
	}
	w := newRowWriter(s.engine)
	defer w.close()
	for _, r := range reports {
		years[r.Period.Year] = true
		december = december || r.Period.Month == 12
	}
	// Every key new (the delta read them all): a plain INSERT, without
	// the conflict clause's update program.
	changed, err := w.write(ctx, tx, reports, delta && existing == 0, opts.Progress, 0, len(reports))
	if err != nil {
		return res, err
	}
	if opts.DeferSummaries {
		years = nil
	}
	return s.finishReports(ctx, tx, reports, years, december, pend, existing, changed)
}

// finishReports counts a report write and brings the summaries up to date:
// by delta when pend (started before the write) is given, else by
// rebuilding every written year and the year after it.
func (s *Store) finishReports(ctx context.Context, tx *sql.Tx, reports []report.Monthly, years map[int]bool, december bool,
	pend *pendingDeltas, existing, changed int) (UpsertResult, error) {
	var res UpsertResult
	res.Inserted = len(reports) - existing
	res.Updated = changed - res.Inserted
	res.Unchanged = len(reports) - changed
	if changed == 0 {
		return res, nil
	}
	if december {
		// The December rows' enterprises, for the profile change log.
		var decIDs []int64
		for _, r := range reports {
			if r.Period.Month == 12 {
				decIDs = append(decIDs, r.EnterpriseID)
			}
		}
		if len(decIDs) > changeLogMaxIDs {
			decIDs = nil // every enterprise
		}
		if err := bumpProfileGeneration(ctx, tx, decIDs); err != nil {
			return res, err
		}
	}
	if changed >= s.bulkMin {
		if err := s.analyzeGrown(ctx, tx, changed, "monthly_report"); err != nil {
			return res, err
		}
	}
	if pend != nil {
		if err := pend.apply(ctx, tx, s.engine); err != nil {
			return res, fmt.Errorf("sqlstore: summaries: %w", err)
		}
		return res, nil
	}
	affected := map[int]bool{}
	for y := range years {
		affected[y], affected[y+1] = true, true
	}
	return res, s.refreshYears(ctx, tx, affected)
}

// reportCopyCols are monthly_report's columns in the order copyReports
// sends them.
var reportCopyCols = append([]string{"enterprise_id", "year", "month"}, reportColumns...)

// storedKeys is what a writer knows of its keys before it writes them,
// from the rows it read for the summaries' delta.
type storedKeys int

const (
	keysUnknown storedKeys = iota
	keysNew                // no key is stored
	keysStored             // every key is stored
)

// knownKeys is what the delta's read (when delta) told of n keys, existing
// of which were stored.
func knownKeys(delta bool, existing, n int) storedKeys {
	switch {
	case !delta:
		return keysUnknown
	case existing == 0:
		return keysNew
	case existing == n:
		return keysStored
	}
	return keysUnknown
}

// copyReports writes reports (distinct keys) on PostgreSQL through COPY
// into a staging table and one merge, returning how many keys existed
// before and how many rows changed. Keys known to be new are COPYed
// straight into the table; keys known to be stored skip the insert of
// new ones (an anti-join of the batch against the key, 25-35 ms per
// 4,096 rows at ten times the demo).
func (s *Store) copyReports(ctx context.Context, tx *sql.Tx, reports []report.Monthly, known storedKeys) (existing, changed int, err error) {
	if known == keysNew {
		// Straight into the table: no stage to write and read again.
		if _, err := s.copyReportRows(ctx, tx, "monthly_report", reports); err != nil {
			return 0, 0, err
		}
		return 0, len(reports), nil
	}
	if err := stageTable(ctx, tx, "stage_report", "enterprise_id BIGINT, year INTEGER, month INTEGER, "+strings.Join(reportColumns, " BIGINT, ")+" BIGINT"); err != nil {
		return 0, 0, err
	}
	if _, err := s.copyReportRows(ctx, tx, "stage_report", reports); err != nil {
		return 0, 0, err
	}
	// New keys by a plain INSERT, stored ones by an UPDATE of the rows
	// that differ: an INSERT … ON CONFLICT inserts each row speculatively
	// and cost twice as much. The writer lock (inTx) keeps other writers
	// out between the two statements.
	cols := strings.Join(reportCopyCols, ", ")
	match := `r.enterprise_id = s.enterprise_id AND r.year = s.year AND r.month = s.month`
	var inserted int64
	if known != keysStored {
		out, err := tx.ExecContext(ctx, `INSERT INTO monthly_report (`+cols+`) SELECT `+cols+` FROM stage_report s
			WHERE NOT EXISTS (SELECT 1 FROM monthly_report r WHERE `+match+`)`)
		if err != nil {
			return 0, 0, fmt.Errorf("sqlstore: insert reports: %w", err)
		}
		inserted, _ = out.RowsAffected()
		if int(inserted) == len(reports) {
			return 0, len(reports), nil // all new: nothing to compare
		}
	}
	sets := make([]string, len(reportColumns))
	diffs := make([]string, len(reportColumns))
	for i, c := range reportColumns {
		sets[i] = c + " = s." + c
		diffs[i] = "r." + c + " <> s." + c
	}
	// inserted rows match themselves but differ in nothing, so the UPDATE
	// leaves them alone.
	out, err := tx.ExecContext(ctx, `UPDATE monthly_report r SET `+strings.Join(sets, ", ")+` FROM stage_report s
		WHERE `+match+` AND (`+strings.Join(diffs, " OR ")+`)`)
	if err != nil {
		return 0, 0, fmt.Errorf("sqlstore: update reports: %w", err)
	}
	updated, _ := out.RowsAffected()
	return len(reports) - int(inserted), int(inserted + updated), nil
}

// checkReportFirms refuses a write naming a firm that does not exist, with
// one keyed count per chunk of firms. It stands in for the foreign key that
// migrations 0027 (PostgreSQL, a trigger call per row) and 0045 (SQLite, a
// lookup per row) dropped.
func checkReportFirms(ctx context.Context, q queryer, engine Engine, reports []report.Monthly) error {
	ids := make([]int64, len(reports))
	for i, r := range reports {
		ids[i] = r.EnterpriseID
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for start := 0; start < len(ids); start += firmsInChunk(engine) {
		chunk := ids[start:min(start+firmsInChunk(engine), len(ids))]
		test, args := firmsIn(engine, "id", chunk)
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM enterprise WHERE `+test, args...).Scan(&n); err != nil {
			return fmt.Errorf("sqlstore: report firms: %w", err)
		}
		if n != len(chunk) {
			return apperr.New(apperr.NotFound, "err.enterprise_not_found")
		}
	}
	return nil
}

// firmsIn is a WHERE test that col is one of ids, with its arguments;
// firmsInChunk is how many ids one test names. On PostgreSQL the ids are
// one array parameter, so every chunk is the same statement, parsed and
// planned once per connection: a list of literals was a new statement for
// each chunk of 500 firms, about 2 ms each to parse and bind (28 ms of a
// year's file of 7,000 firms, its existence check and its neighbour read).
// SQLite has no arrays and parses a list of literals quickly.
func firmsIn(engine Engine, col string, ids []int64) (string, []any) {
	if engine == Postgres {
		return col + ` = ANY($1)`, []any{ids}
	}
	var b strings.Builder
	b.WriteString(col + ` IN (`)
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10)) // integers: no injection
	}
	b.WriteByte(')')
	return b.String(), nil
}

func firmsInChunk(engine Engine) int {
	if engine == Postgres {
		return 20000
	}
	return 500
}

// repeatedKey returns the first report whose (firm, period) an earlier
// one names, in reports or in written (keys of an earlier part of the
// same write, added to when given). Imports refuse such a file row by
// row (importer.KeyDuplicateReport); a store write refuses it whole, as
// its rows' order would decide the stored value and the counts.
func repeatedKey(reports []report.Monthly, written map[unitKey]struct{}) (report.Monthly, bool) {
	if written == nil {
		written = make(map[unitKey]struct{}, len(reports))
	}
	for _, r := range reports {
		k := mkUnit(r.EnterpriseID, r.Period.Year, r.Period.Month)
		if _, again := written[k]; again {
			return r, true
		}
		written[k] = struct{}{}
	}
	return report.Monthly{}, false
}

func errRepeatedReport(r report.Monthly) error {
	return apperr.New(apperr.Invalid, "err.report_repeated", r.EnterpriseID, r.Period.String())
}

func (s *Store) existingReportKeys(ctx context.Context, tx *sql.Tx, reports []report.Monthly) (int, error) {
	if len(reports) == 0 {
		return 0, nil
	}
	// One range query per enterprise would be slow for big imports; count
	// matches with a temp-free approach: a keyed lookup per distinct
	// enterprise-year is bounded by the number of firms, not rows.
	type key struct {
		id   int64
		year int
	}
	want := map[key][]int{}
	for _, r := range reports {
		k := key{r.EnterpriseID, r.Period.Year}
		want[k] = append(want[k], r.Period.Month)
	}
	st, err := tx.PrepareContext(ctx, `SELECT month FROM monthly_report WHERE enterprise_id = $1 AND year = $2`)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	n := 0
	for k, months := range want {
		rows, err := st.QueryContext(ctx, k.id, k.year)
		if err != nil {
			return 0, err
		}
		have := map[int]bool{}
		for rows.Next() {
			var m int
			if err := rows.Scan(&m); err != nil {
				rows.Close()
				return 0, err
			}
			have[m] = true
		}
		rows.Close()
		for _, m := range months {
			if have[m] {
				n++
			}
		}
	}
	return n, nil
}

// upsertReportSQL builds a multi-row upsert, or a plain insert when the
// caller knows every key is new. SQLite gets anonymous "?"
// placeholders: modernc resolves each "$N" by name through a linear list,
// which made binding 2,400 named parameters quadratic and dominated import
// time (measured: 70 % of CPU). PostgreSQL needs "$N".
func upsertReportSQL(rows int, engine Engine, allNew bool) string {
	var b strings.Builder
	b.WriteString("INSERT INTO monthly_report (enterprise_id, year, month, ")
	b.WriteString(strings.Join(reportColumns, ", "))
	b.WriteString(") VALUES ")
	b.WriteString(placeholders(engine, rows, 3+len(reportColumns)))
	if allNew {
		return b.String()
	}
	b.WriteString(" ON CONFLICT (enterprise_id, year, month) DO UPDATE SET ")
	sets := make([]string, len(reportColumns))
	diffs := make([]string, len(reportColumns))
	for i, c := range reportColumns {
		sets[i] = c + " = excluded." + c
		diffs[i] = "monthly_report." + c + " <> excluded." + c
	}
	b.WriteString(strings.Join(sets, ", "))
	// Only differing rows are updated, so RowsAffected counts real changes.
	b.WriteString(" WHERE " + strings.Join(diffs, " OR "))
	return b.String()
}

// EnterpriseReports returns one enterprise's reports for years [from, to],
// oldest first, if the enterprise is in scope.
func (s *Store) EnterpriseReports(ctx context.Context, sc auth.Scope, id int64, from, to int) ([]report.Monthly, error) {
	where, args := scopeClause(sc, "e", 4)
	rows, err := s.read.QueryContext(ctx, `SELECT r.year, r.month, r.`+strings.Join(reportColumns, ", r.")+`
		FROM monthly_report r JOIN enterprise e ON e.id = r.enterprise_id
		WHERE r.enterprise_id = $1 AND r.year >= $2 AND r.year <= $3 AND `+where+` ORDER BY r.year, r.month`,
		append([]any{id, from, to}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []report.Monthly
	for rows.Next() {
		m := report.Monthly{EnterpriseID: id}
		dest := []any{&m.Period.Year, &m.Period.Month}
		for i := range m.Values {
			dest = append(dest, &m.Values[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ReportYears returns the years that have reports, oldest first.
func (s *Store) ReportYears(ctx context.Context) ([]int, error) {
	// A loose index scan: each step seeks the next year in
	// monthly_report_period, so the cost is a few seeks per year rather
	// than a pass over every report (240,000 rows in the demo, 15 ms).
	rows, err := s.read.QueryContext(ctx, `WITH RECURSIVE y(v) AS (
		SELECT MIN(year) FROM monthly_report
		UNION ALL
		SELECT (SELECT MIN(year) FROM monthly_report WHERE year > y.v) FROM y WHERE y.v IS NOT NULL
	) SELECT v FROM y WHERE v IS NOT NULL ORDER BY v`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			return nil, err
		}
		out = append(out, y)
	}
	return out, rows.Err()
}

// refreshYears rebuilds agg_month for the given years inside tx.
func (s *Store) refreshYears(ctx context.Context, tx *sql.Tx, years map[int]bool) error {
	ys := make([]int, 0, len(years))
	for y := range years {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	if s.engine == Postgres && len(ys) > 0 {
		// A rebuild hashes two years of reports: JIT compilation costs
		// more than it saves on it, and the default work_mem spills the
		// hashes to disk at 10×. Both settings end with the transaction.
		if _, err := tx.ExecContext(ctx, `SET LOCAL jit = off`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `SET LOCAL work_mem = '64MB'`); err != nil {
			return err
		}
	}
	for _, y := range ys {
		if err := refreshAggYear(ctx, tx, y); err != nil {
			return fmt.Errorf("sqlstore: refresh summaries for %d: %w", y, err)
		}
		if err := refreshRollups(ctx, tx, y); err != nil {
			return fmt.Errorf("sqlstore: refresh rollups for %d: %w", y, err)
		}
	}
	return nil
}

// RefreshAggregates rebuilds the summaries of the given years, in one
// transaction: after reference data (cluster catalogues) change, and as
// the operator's repair (`ibrain summaries rebuild`).
func (s *Store) RefreshAggregates(ctx context.Context, years []int) error {
	m := map[int]bool{}
	for _, y := range years {
		m[y] = true
	}
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.refreshYears(ctx, tx, m) })
}

// SummaryDrift is what CheckAggregates found in one summary table for
// the checked years.
type SummaryDrift struct {
	Table string
	// Rows is how many rows the maintained table holds, Rebuilt how many
	// a rebuild writes.
	Rows, Rebuilt int
	// Stale counts maintained rows a rebuild does not write as they are,
	// Missing rebuilt rows the maintained table lacks as they are; a cell
	// with other figures counts in both.
	Stale, Missing int
}

// errCheckDone rolls back CheckAggregates' rebuild.
var errCheckDone = errors.New("sqlstore: summary check done")

// CheckAggregates rebuilds the summaries of years in a transaction it
// rolls back, and compares each summary row the rebuild writes with the
// maintained one: the operator's check that the summaries kept by delta
// (aggdelta.go) still equal what the reports say. It holds the writer
// lock while it runs, so it compares one state of the data.
func (s *Store) CheckAggregates(ctx context.Context, years []int) ([]SummaryDrift, error) {
	m := map[int]bool{}
	for _, y := range years {
		m[y] = true
	}
	tables := []string{"agg_month"}
	for _, r := range rollups {
		tables = append(tables, r.table)
	}
	out := make([]SummaryDrift, len(tables))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		before := make([]map[string]int, len(tables))
		for i, t := range tables {
			rows, err := summaryRows(ctx, tx, t, years)
			if err != nil {
				return err
			}
			before[i] = rows
		}
		if err := s.refreshYears(ctx, tx, m); err != nil {
			return err
		}
		for i, t := range tables {
			after, err := summaryRows(ctx, tx, t, years)
			if err != nil {
				return err
			}
			d := SummaryDrift{Table: t}
			for row, n := range before[i] {
				d.Rows += n
				d.Stale += max(n-after[row], 0)
			}
			for row, n := range after {
				d.Rebuilt += n
				d.Missing += max(n-before[i][row], 0)
			}
			out[i] = d
		}
		return errCheckDone
	})
	if !errors.Is(err, errCheckDone) {
		return nil, err
	}
	return out, nil
}

// summaryRows reads a summary table's rows of years, each row as text,
// counted (a multiset: the rows are compared, not their order).
func summaryRows(ctx context.Context, tx *sql.Tx, table string, years []int) (map[string]int, error) {
	if len(years) == 0 {
		return map[string]int{}, nil
	}
	args := make([]any, len(years))
	for i, y := range years {
		args[i] = y
	}
	return rowSet(ctx, tx, `SELECT * FROM `+table+` WHERE year IN (`+inList(1, len(years))+`)`, args...)
}

// rowSet reads a query's rows, each as text, counted: a multiset that
// compares two states of a table whatever the order of their rows.
func rowSet(ctx context.Context, tx *sql.Tx, query string, args ...any) (map[string]int, error) {
	out := map[string]int{}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %s: %w", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var b strings.Builder
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		b.Reset()
		for i, v := range vals {
			if i > 0 {
				b.WriteByte('|')
			}
			if raw, ok := v.([]byte); ok {
				v = string(raw)
			}
			fmt.Fprint(&b, v)
		}
		out[b.String()]++
	}
	return out, rows.Err()
}

// refreshAggYear recomputes one year's summary rows. The set is the year's
// above-scale enterprises; b_* columns hold the same enterprises' values a
// year earlier, which is what comparable-basis growth divides by.
// Specialized status is taken at year end.
func refreshAggYear(ctx context.Context, tx *sql.Tx, year int) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM agg_month WHERE year = $1`, year); err != nil {
		return err
	}
	// A year without reports has no summary rows. Loading enterprises
	// before their reports (the demo, a new year's registry) would
	// otherwise resolve every firm's cell for nothing, once per batch.
	var has int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM monthly_report WHERE year = $1 LIMIT 1) x`, year).Scan(&has)
	if err != nil || has == 0 {
		return err
	}
	cur := make([]string, len(reportColumns))
	base := make([]string, len(reportColumns))
	inner := make([]string, 0, 2*len(reportColumns))
	names := make([]string, 0, 2*len(reportColumns))
	for i, c := range reportColumns {
		cur[i] = "SUM(x." + c + ")"
		base[i] = "SUM(x.b_" + c + ")"
		inner = append(inner, "r."+c, "COALESCE(b."+c+", 0) AS b_"+c)
		names = append(names, c)
	}
	for _, c := range reportColumns {
		names = append(names, "b_"+c)
	}
	// Per-enterprise attributes (cell and specialized flag) are resolved
	// once in a materialised CTE, not once per monthly row: it cut the
	// title lookups elevenfold. CROSS JOIN keeps f as the outer loop on
	// SQLite, so each firm's reports are found through the primary key;
	// with a plain JOIN SQLite walked the year's reports by
	// monthly_report_period and scanned all of f for each one (firms ×
	// rows: 35 s for 7,000 firms). PostgreSQL plans CROSS JOIN freely.
	q := `WITH f AS MATERIALIZED (
  ` + cellAttrsSQL + `
)
INSERT INTO agg_month (year, month, region_code, cluster_code, tier, section, sei, specialized, n, n_base, ` + strings.Join(names, ", ") + `)
SELECT $1, x.month, x.region_code, x.cluster_code, x.tier, x.section, x.sei, x.specialized, COUNT(*), SUM(x.has_base), ` + strings.Join(cur, ", ") + `, ` + strings.Join(base, ", ") + `
FROM (
  SELECT r.month, f.region_code, f.cluster_code, f.tier, f.section, f.sei, f.specialized,
    CASE WHEN b.enterprise_id IS NULL THEN 0 ELSE 1 END AS has_base,
    ` + strings.Join(inner, ", ") + `
  FROM f
  CROSS JOIN monthly_report r
  LEFT JOIN monthly_report b ON b.enterprise_id = r.enterprise_id AND b.year = $1 - 1 AND b.month = r.month
  WHERE r.enterprise_id = f.enterprise_id AND r.year = $1
) x
GROUP BY x.month, x.region_code, x.cluster_code, x.tier, x.section, x.sei, x.specialized`
	_, err = tx.ExecContext(ctx, q, year, fmt.Sprintf("%d-12-31", year))
	return err
}

// ReportRow is a report with its enterprise's identity, for exports.
type ReportRow struct {
	CreditCode string
	Name       string
	RegionCode string
	report.Monthly
}

// ReportFilter selects reports for export.
type ReportFilter struct {
	Year       int // required
	Month      int // 0 = every month
	RegionCode string
}

// EachReport streams the reports in scope matching f to fn, ordered by
// credit code and month, without holding them all in memory.
func (s *Store) EachReport(ctx context.Context, sc auth.Scope, f ReportFilter, fn func(ReportRow) error) error {
	where, args := scopeClause(sc, "e", 1)
	conds := []string{where}
	args = append(args, f.Year)
	conds = append(conds, fmt.Sprintf("r.year = $%d", len(args)))
	if f.Month != 0 {
		args = append(args, f.Month)
		conds = append(conds, fmt.Sprintf("r.month = $%d", len(args)))
	}
	if f.RegionCode != "" {
		args = append(args, f.RegionCode)
		conds = append(conds, fmt.Sprintf("e.region_code = $%d", len(args)))
	}
	rows, err := s.read.QueryContext(ctx, `SELECT e.credit_code, e.name, e.region_code, r.enterprise_id, r.year, r.month, r.`+strings.Join(reportColumns, ", r.")+`
		FROM monthly_report r JOIN enterprise e ON e.id = r.enterprise_id
		WHERE `+strings.Join(conds, " AND ")+` ORDER BY e.credit_code, r.month`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r ReportRow
		dest := []any{&r.CreditCode, &r.Name, &r.RegionCode, &r.EnterpriseID, &r.Period.Year, &r.Period.Month}
		for i := range r.Values {
			dest = append(dest, &r.Values[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// refuseLocked refuses a write that touches a published period: such a
// change must go through a revision request (internal/reporting).
func refuseLocked(ctx context.Context, q queryer, reports []report.Monthly) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM period_lock WHERE domain = $1`, string(review.MonthlyReport)).Scan(&n); err != nil || n == 0 {
		return err
	}
	seen := map[report.Period]bool{}
	for _, r := range reports {
		if seen[r.Period] {
			continue
		}
		seen[r.Period] = true
		locked, err := periodLockedTx(ctx, q, review.MonthlyReport, review.Period{Year: r.Period.Year, Month: r.Period.Month})
		if err != nil {
			return err
		}
		if locked {
			return apperr.New(apperr.Conflict, "reporting.err.locked_period", r.Period.String())
		}
	}
	return nil
}

// rowWriter writes report rows by multi-row statements (SQLite; small
// writes on PostgreSQL), keeping one prepared statement per chunk size for
// the whole write.
type rowWriter struct {
	engine Engine
	size   int
	stmts  map[int]*sql.Stmt
	args   []any
}

func newRowWriter(engine Engine) *rowWriter {
	size := reportChunk
	if engine != Postgres {
		size = sqliteReportChunk
	}
	return &rowWriter{engine: engine, size: size, stmts: map[int]*sql.Stmt{}}
}

func (w *rowWriter) close() {
	for _, st := range w.stmts {
		st.Close()
	}
}

// write inserts reports (allNew: the caller knows no key is stored) or
// upserts them, returning how many rows changed. progress, when set, is
// told done+written of total after each statement.
func (w *rowWriter) write(ctx context.Context, tx *sql.Tx, reports []report.Monthly, allNew bool, progress func(done, total int), done, total int) (int, error) {
	changed := 0
	for start := 0; start < len(reports); start += w.size {
		chunk := reports[start:min(start+w.size, len(reports))]
		key := len(chunk)
		if allNew {
			key = -key // the plain INSERT of that size
		}
		st, ok := w.stmts[key]
		if !ok {
			var err error
			st, err = tx.PrepareContext(ctx, upsertReportSQL(len(chunk), w.engine, allNew))
			if err != nil {
				return changed, err
			}
			w.stmts[key] = st
		}
		w.args = w.args[:0]
		for _, r := range chunk {
			w.args = append(w.args, r.EnterpriseID, r.Period.Year, r.Period.Month)
			for _, v := range r.Values {
				w.args = append(w.args, v)
			}
		}
		out, err := st.ExecContext(ctx, w.args...)
		if err != nil {
			return changed, fmt.Errorf("sqlstore: upsert reports: %w", err)
		}
		n, _ := out.RowsAffected()
		changed += int(n)
		if progress != nil {
			progress(done+start+len(chunk), total)
		}
	}
	return changed, nil
}
