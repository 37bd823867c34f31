package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/industrybrain/ibrain/internal/report"
)

// Summaries maintained by delta. A write of k report rows changes the
// summaries of at most 2k (firm, year, month) units: the row itself and its
// comparable-basis twin a year later. Each unit contributes to one cell of
// agg_month (and of each rollup) when its firm is above scale that year:
// one firm-month (n), whether a year-earlier row exists (n_base), the
// row's values and the year-earlier values. The contributions of the
// affected units are computed before and after the write, from the firms'
// own rows, and the differences are added to the cells in the same
// transaction, so the cost follows the write, not the city.
//
// Bulk writes take the same path since issue 13's import work: reading the
// neighbours in chunks of firms made it cheaper than rebuilding a year for
// any write below deltaMaxRows.
//
// Writes that change what a unit belongs to (a firm's district, industry,
// above-scale status or titles; a catalogue) still rebuild the affected
// years: they are rare and touch every month of a firm.

// deltaMaxRows is the largest report write maintained by delta. Up to it
// (a month's file of the whole city at 10× is ~70,000 rows; a year's,
// ~770,000 at 10×, is over) the write reads its firms' neighbouring rows
// in chunks and adds differences, so its cost follows the write; above
// it, the years are rebuilt, which bounds the memory of the rows read
// before the write (about 200 bytes per row).
const deltaMaxRows = 400_000

// unitKey is one (firm, year, month) whose contribution a write may change,
// packed into an integer: the delta of a month's file hashes hundreds of
// thousands of them, and maps keyed by a uint64 take the runtime's fast
// 64-bit path instead of hashing a 24-byte struct. Firm ids
// below 2^46 and years below 2^14 fit; writes with a larger id rebuild
// instead (see packable).
type unitKey uint64

func mkUnit(id int64, year, month int) unitKey {
	return unitKey(uint64(id)<<18 | uint64(year)<<4 | uint64(month))
}

func (u unitKey) id() int64  { return int64(u >> 18) }
func (u unitKey) year() int  { return int(u>>4) & (1<<14 - 1) }
func (u unitKey) month() int { return int(u) & 15 }

// packable reports whether every firm of reports fits a unitKey (and so
// may be written by delta); periods are validated to years 2000–2100.
func packable(reports []report.Monthly) bool {
	for _, r := range reports {
		if r.EnterpriseID < 0 || r.EnterpriseID >= 1<<46 {
			return false
		}
	}
	return true
}

// cellKey is one agg_month cell.
type cellKey struct {
	year, month                    int
	region, cluster, tier, section string
	sei, specialized               int
}

// cellOf is the part of a cell a firm-year decides.
type cellOf struct {
	region, cluster, tier, section string
	sei, specialized               int
}

// cellDelta is what a write adds to one cell.
type cellDelta struct {
	n, nBase  int64
	cur, base report.Values
}

func (d *cellDelta) add(sign int64, c contribution) {
	d.n += sign
	if c.hasBase {
		d.nBase += sign
	}
	for i := range d.cur {
		d.cur[i] += sign * c.cur[i]
		d.base[i] += sign * c.base[i]
	}
}

func (d *cellDelta) zero() bool {
	return d.n == 0 && d.nBase == 0 && d.cur == (report.Values{}) && d.base == (report.Values{})
}

// contribution is one unit's share of its cell.
type contribution struct {
	hasBase   bool
	cur, base report.Values
}

// pendingDeltas is a summary delta being computed while the rows are
// written: everything it reads from the database (the rows before the
// write, the units' cells) is read before the write starts, so the Go
// work (hashing every written unit into its cell) runs on the second core
// while the first one (SQLite) or the server (PostgreSQL) inserts the rows.
type pendingDeltas struct {
	done   chan struct{}
	deltas map[cellKey]*cellDelta
}

// startReportDeltas reads the cells of the units a write of reports
// changes and starts computing the deltas in a goroutine. It must be
// called before the rows are written (unitCells reads the firms' years,
// not monthly_report, so the order does not change what it reads; it is
// only that the transaction's connection is busy afterwards).
func startReportDeltas(ctx context.Context, q queryer, reports []report.Monthly, old map[unitKey]report.Values, ahead *cellsAhead) (*pendingDeltas, error) {
	written := make(map[unitKey]int, len(reports))
	for i, r := range reports {
		written[mkUnit(r.EnterpriseID, r.Period.Year, r.Period.Month)] = i
	}
	// The units: each written row and its twin a year later (once, when
	// the twin is not itself written).
	units := make([]unitKey, 0, 2*len(reports))
	for _, r := range reports {
		u := mkUnit(r.EnterpriseID, r.Period.Year, r.Period.Month)
		units = append(units, u)
		next := mkUnit(u.id(), u.year()+1, u.month())
		if _, ok := written[next]; !ok {
			units = append(units, next)
		}
	}
	cells, err := unitCells(ctx, q, units, ahead)
	if err != nil {
		return nil, err
	}
	p := &pendingDeltas{done: make(chan struct{})}
	// Pure computation over values no one writes meanwhile (the caller
	// only reads reports): safe to overlap with the insert.
	go func() {
		defer close(p.done)
		p.deltas = reportDeltas(reports, old, written, units, cells)
	}()
	return p, nil
}

// apply waits for the deltas and adds them to the summary tables.
func (p *pendingDeltas) apply(ctx context.Context, tx *sql.Tx, engine Engine) error {
	select {
	case <-p.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	return addToCells(ctx, tx, engine, p.deltas)
}

// reportDeltas sums, per agg_month cell, what the write changes: each
// unit's contribution after the write minus its contribution before. It
// walks the written rows rather than copying old, so a bulk write costs
// maps of its own size.
func reportDeltas(reports []report.Monthly, old map[unitKey]report.Values, written map[unitKey]int, units []unitKey, cells map[firmYear]cellOf) map[cellKey]*cellDelta {
	after := func(u unitKey) (report.Values, bool) {
		if i, ok := written[u]; ok {
			return reports[i].Values, true
		}
		v, ok := old[u]
		return v, ok
	}
	// Each firm-year's cell is looked up once and its per-month deltas
	// kept in a slice, so the loop over the units hashes integers only.
	type slot struct {
		key   cellKey
		delta [13]*cellDelta
	}
	slotOf := map[firmYear]*slot{}
	byCell := map[cellKey]*slot{} // firms of one cell share a slot
	deltas := map[cellKey]*cellDelta{}
	for _, u := range units {
		fy := firmYear{u.id(), u.year()}
		sl, ok := slotOf[fy]
		if !ok {
			c, above := cells[fy]
			if above {
				k := cellKey{u.year(), 0, c.region, c.cluster, c.tier, c.section, c.sei, c.specialized}
				if sl = byCell[k]; sl == nil {
					sl = &slot{key: k}
					byCell[k] = sl
				}
			}
			slotOf[fy] = sl
		}
		if sl == nil {
			continue // not above scale that year: in no cell
		}
		d := sl.delta[u.month()]
		if d == nil {
			d = &cellDelta{}
			sl.delta[u.month()] = d
			k := sl.key
			k.month = u.month()
			deltas[k] = d
		}
		if len(old) > 0 { // a first load has nothing stored around it
			if cur, ok := old[u]; ok {
				base, hasBase := old[mkUnit(u.id(), u.year()-1, u.month())]
				d.add(-1, contribution{hasBase: hasBase, cur: cur, base: base})
			}
		}
		if cur, ok := after(u); ok {
			base, hasBase := after(mkUnit(u.id(), u.year()-1, u.month()))
			d.add(+1, contribution{hasBase: hasBase, cur: cur, base: base})
		}
	}
	return deltas
}

// unitContribution is u's share of its cell in the rows of state, and
// whether u has a row at all.
func unitContribution(state map[unitKey]report.Values, u unitKey) (contribution, bool) {
	cur, ok := state[u]
	if !ok {
		return contribution{}, false
	}
	base, hasBase := state[mkUnit(u.id(), u.year()-1, u.month())]
	return contribution{hasBase: hasBase, cur: cur, base: base}, true
}

// firmYear keys a firm's cell in one year.
type firmYear struct {
	id   int64
	year int
}

// cellAttrsSQL resolves the cell of each above-scale firm-year: the same
// expressions refreshAggYear uses for the whole year, so a delta lands in
// the cell a rebuild would put the row in. $1 is the year, $2 its last day.
//
// Concatenating an empty string to t.kind keeps SQLite (which has no
// statistics here) off the title_kind index for the specialized flag:
// through it, each firm's lookup walked every specialized title granted
// by the date, and the whole year's cells took 11 s in the C shell at 10×
// (0.24 s through the primary key, which starts with the firm).
// PostgreSQL, which has statistics, hashes the year's specialized titles
// once either way.
const cellAttrsSQL = cellAttrsFrom + `ey.above_scale = 1`

// cellAttrsFrom is cellAttrsSQL up to its last condition.
const cellAttrsFrom = `SELECT ey.enterprise_id, e.region_code,
    COALESCE(m.cluster_code, '') AS cluster_code, COALESCE(m.tier, '') AS tier, COALESCE(m.section, '') AS section,
    CASE WHEN COALESCE(m.sei_domain, 0) > 0 THEN 1 ELSE 0 END AS sei,
    CASE WHEN EXISTS (SELECT 1 FROM title t WHERE t.enterprise_id = e.id AND (t.kind || '') IN ('specialized_sme', 'little_giant')
      AND t.granted_on <= $2 AND (t.valid_until = '' OR t.valid_until > $2)) THEN 1 ELSE 0 END AS specialized
  FROM enterprise_year ey
  JOIN enterprise e ON e.id = ey.enterprise_id
  LEFT JOIN industry_map m ON m.year = ey.year AND m.industry_code = e.industry_code
  WHERE ey.year = $1 AND `

// cellsOfFirmsSQL is cellAttrsSQL for the listed firms only. "+ 0" keeps
// SQLite off the index on (year, above_scale), which walked the year's
// 70,000 firms at 10× to find a correction's hundred; the primary key
// (firm, year) finds each directly.
func cellsOfFirmsSQL(ids []int64) string {
	list := make([]string, len(ids))
	for i, id := range ids {
		list[i] = strconv.FormatInt(id, 10) // integers from the store: no injection
	}
	return cellAttrsFrom + `ey.above_scale + 0 = 1 AND ey.enterprise_id IN (` + strings.Join(list, ",") + `)`
}

// unitCells reads the cells of the units' firm-years that are above
// scale, taking a year's from ahead when it read them.
func unitCells(ctx context.Context, q queryer, units []unitKey, ahead *cellsAhead) (map[firmYear]cellOf, error) {
	byYear := map[int][]int64{}
	seen := map[firmYear]bool{}
	for _, u := range units {
		fy := firmYear{u.id(), u.year()}
		if !seen[fy] {
			seen[fy] = true
			byYear[u.year()] = append(byYear[u.year()], u.id())
		}
	}
	out := map[firmYear]cellOf{}
	for year, ids := range byYear {
		all, ok, err := ahead.year(year)
		if !ok && len(ids) > cellsWholeYear {
			// Many firms: the year's cells in one pass, keeping the
			// wanted ones. PostgreSQL filters a long IN list by comparing
			// each of the year's firms with every listed id, which made
			// the chunked reads of a month's file cost more than this.
			all, err = yearCellsOf(ctx, q, year)
			ok = true
		}
		if err != nil {
			return nil, err
		}
		if ok {
			for _, id := range ids {
				if c, ok := all[id]; ok {
					out[firmYear{id, year}] = c
				}
			}
			continue
		}
		for start := 0; start < len(ids); start += 500 {
			chunk := ids[start:min(start+500, len(ids))]
			if err := eachCell(ctx, q, cellsOfFirmsSQL(chunk), year, func(id int64, c cellOf) { out[firmYear{id, year}] = c }); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// cellsWholeYear is the number of a year's firms above which unitCells
// reads the whole year's cells instead of naming the firms.
const cellsWholeYear = 2000

// cellsAhead reads whole years' summary cells through the read pool while
// a streamed write's batches are written, for the delta computed after
// the last one: a month's file of corrections at ten times the demo
// waited 0.7 s for them after its last UPDATE on PostgreSQL. The cells
// come from firms' years, titles and the industry map, which a report
// write does not change, so reading them early reads what the end would.
// Only the write's goroutine starts and asks; nil starts nothing.
type cellsAhead struct {
	ctx   context.Context
	q     queryer
	years map[int]*yearCells
}

// yearCells is one year's cells being read: every above-scale firm's.
type yearCells struct {
	done  chan struct{}
	cells map[int64]cellOf
	err   error
}

// start begins reading a year's cells, once.
func (a *cellsAhead) start(year int) {
	if _, ok := a.years[year]; ok {
		return
	}
	yc := &yearCells{done: make(chan struct{})}
	a.years[year] = yc
	go func() {
		defer close(yc.done)
		yc.cells, yc.err = yearCellsOf(a.ctx, a.q, year)
	}()
}

// year returns a year's cells when their read was started, waiting for it.
func (a *cellsAhead) year(year int) (map[int64]cellOf, bool, error) {
	if a == nil {
		return nil, false, nil
	}
	yc, ok := a.years[year]
	if !ok {
		return nil, false, nil
	}
	<-yc.done
	return yc.cells, true, yc.err
}

// wait waits for every read started, so none outlives its write.
func (a *cellsAhead) wait() {
	if a == nil {
		return
	}
	for _, yc := range a.years {
		<-yc.done
	}
}

// yearCellsOf reads the cells of every above-scale firm of a year.
func yearCellsOf(ctx context.Context, q queryer, year int) (map[int64]cellOf, error) {
	out := map[int64]cellOf{}
	err := eachCell(ctx, q, cellAttrsSQL, year, func(id int64, c cellOf) { out[id] = c })
	return out, err
}

// eachCell runs a cells query (cellAttrsSQL or cellsOfFirmsSQL) for a
// year and passes each row to fn.
func eachCell(ctx context.Context, q queryer, stmt string, year int, fn func(id int64, c cellOf)) error {
	rows, err := q.QueryContext(ctx, stmt, year, fmt.Sprintf("%d-12-31", year))
	if err != nil {
		return fmt.Errorf("sqlstore: cells: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var c cellOf
		if err := rows.Scan(&id, &c.region, &c.cluster, &c.tier, &c.section, &c.sei, &c.specialized); err != nil {
			return err
		}
		fn(id, c)
	}
	return rows.Err()
}

// neighbourRows reads, before a write, the stored rows of every written
// (firm, month) in the year before, the year of and the year after each
// written row: all a unit's contribution needs. Only the periods that
// hold any row are asked for (stored): a new month's file needs the year
// before's rows, not probes of its own and the next year's empty periods.
//
// A write of up to three months takes its rows from whole periods, each
// read once per write, when it is large (storedPeriods.whole: a batch of
// a month's file), and on PostgreSQL names its exact keys when it is
// small (neighbourRowsByKey). Otherwise it asks for a chunk of firms at a time
// (firmsIn), with the stored years and months as lists, so the primary
// key (firm, year, month) is sought once per firm and a year's file of
// 7,000 firms costs one query (PostgreSQL) or 14 (SQLite) rather than one
// per firm-year; rows of the cross product no unit needs are dropped.
func neighbourRows(ctx context.Context, q queryer, engine Engine, reports []report.Monthly, stored *storedPeriods) (map[unitKey]report.Values, error) {
	// The firms, and the years and months the rows name (with the years
	// around each), in sorted slices and a month mask rather than maps: a
	// year's file has 77,000 rows, and a first load of its year reads
	// nothing back to filter.
	firms := make([]int64, len(reports))
	var years []int
	var months uint16
	for i, r := range reports {
		firms[i] = r.EnterpriseID
		months |= 1 << r.Period.Month
		for y := r.Period.Year - 1; y <= r.Period.Year+1; y++ {
			if !slices.Contains(years, y) {
				years = append(years, y)
			}
		}
	}
	// The stored periods among them, and their years and months. A small
	// write (an online submission, a correction) takes every period as
	// stored: asking would cost it more round trips than it saves.
	live := map[int32]bool{}
	var liveYears, liveMonths []int
	for _, y := range years {
		for m := 1; m <= 12; m++ {
			if months&(1<<m) == 0 {
				continue
			}
			ok := true
			if len(reports) >= stored.check {
				var err error
				if ok, err = stored.stored(ctx, q, y, m); err != nil {
					return nil, err
				}
			}
			if ok {
				live[periodKey(y, m)] = true
				if !slices.Contains(liveYears, y) {
					liveYears = append(liveYears, y)
				}
				if !slices.Contains(liveMonths, m) {
					liveMonths = append(liveMonths, m)
				}
			}
		}
	}
	out := map[unitKey]report.Values{} // a first load finds nothing: no room reserved
	if len(live) == 0 {
		return out, nil
	}
	if len(liveMonths) <= 3 && len(reports) >= stored.whole {
		return out, neighbourRowsOfPeriods(ctx, q, reports, live, stored, out)
	}
	if engine == Postgres && len(liveMonths) <= 3 {
		return out, neighbourRowsByKey(ctx, q, reports, live, out)
	}
	slices.Sort(firms)
	firms = slices.Compact(firms)
	slices.Sort(liveYears)
	slices.Sort(liveMonths)
	var yearList, monthList []string
	for _, y := range liveYears {
		yearList = append(yearList, strconv.Itoa(y))
	}
	for _, m := range liveMonths {
		monthList = append(monthList, strconv.Itoa(m))
	}
	// Integers from the store and the validated periods: no injection.
	tail := ` AND year IN (` + strings.Join(yearList, ",") + `) AND month IN (` + strings.Join(monthList, ",") + `)`
	if len(monthList) > 3 {
		// A file of several months (a year's file names eleven): seek
		// each firm once and walk its years, instead of one seek per
		// firm, year and month (16,500 per 500 firms for a year's file);
		// the months no unit needs are dropped below.
		tail = ` AND year BETWEEN ` + yearList[0] + ` AND ` + yearList[len(yearList)-1]
	}
	type fm struct {
		id    int64
		month int
	}
	var want map[fm][]int // written years per (firm, month), once a row comes back
	keep := func(id int64, year, month int) bool {
		if want == nil {
			want = make(map[fm][]int, len(reports))
			for _, r := range reports {
				k := fm{r.EnterpriseID, r.Period.Month}
				want[k] = append(want[k], r.Period.Year)
			}
		}
		for _, y := range want[fm{id, month}] {
			if year >= y-1 && year <= y+1 {
				return true
			}
		}
		return false
	}
	for start := 0; start < len(firms); start += firmsInChunk(engine) {
		test, args := firmsIn(engine, "enterprise_id", firms[start:min(start+firmsInChunk(engine), len(firms))])
		if err := scanNeighbours(ctx, q, `SELECT enterprise_id, year, month, `+strings.Join(reportColumns, ", ")+
			` FROM monthly_report WHERE `+test+tail, args, keep, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// neighbourRowsByKey reads on PostgreSQL the stored rows of the exact keys
// neighbourRows wants, in the stored periods live: the keys as three
// arrays joined to the table, each a seek of the primary key. Given the
// firms as an array and the years and months as lists, the planner took
// the period index and filtered every firm's row of those periods: at
// ten times the demo each batch of 4,096 rows of a month's file read
// 143,000 rows, 100-400 ms while the COPY ran beside it.
func neighbourRowsByKey(ctx context.Context, q queryer, reports []report.Monthly, live map[int32]bool, out map[unitKey]report.Values) error {
	var ids []int64
	var years, months []int32
	for _, r := range reports {
		for y := r.Period.Year - 1; y <= r.Period.Year+1; y++ {
			if live[periodKey(y, r.Period.Month)] {
				ids = append(ids, r.EnterpriseID)
				years = append(years, int32(y))
				months = append(months, int32(r.Period.Month))
			}
		}
	}
	for start := 0; start < len(ids); start += neighbourKeysChunk {
		end := min(start+neighbourKeysChunk, len(ids))
		err := scanNeighbours(ctx, q, `SELECT r.enterprise_id, r.year, r.month, r.`+strings.Join(reportColumns, ", r.")+`
			FROM unnest($1::bigint[], $2::int[], $3::int[]) AS k(id, y, m)
			JOIN monthly_report r ON r.enterprise_id = k.id AND r.year = k.y AND r.month = k.m`,
			[]any{ids[start:end], years[start:end], months[start:end]}, nil, out)
		if err != nil {
			return err
		}
	}
	return nil
}

// neighbourRowsOfPeriods takes the rows neighbourRows wants from the
// whole stored periods live, each read once per write (wholePeriodRows).
func neighbourRowsOfPeriods(ctx context.Context, q queryer, reports []report.Monthly, live map[int32]bool, stored *storedPeriods, out map[unitKey]report.Values) error {
	var last int32 = -1
	var rows map[int64]report.Values
	for _, r := range reports {
		for y := r.Period.Year - 1; y <= r.Period.Year+1; y++ {
			k := periodKey(y, r.Period.Month)
			if !live[k] {
				continue
			}
			if k != last {
				var err error
				if rows, err = stored.period(ctx, q, y, r.Period.Month); err != nil {
					return err
				}
				last = k
			}
			if v, ok := rows[r.EnterpriseID]; ok {
				out[mkUnit(r.EnterpriseID, y, r.Period.Month)] = v
			}
		}
	}
	return nil
}

// neighbourKeysChunk is how many keys one neighbourRowsByKey query names.
const neighbourKeysChunk = 30000

// scanNeighbours runs a neighbour query and adds the rows keep accepts
// (every row when keep is nil) to out.
func scanNeighbours(ctx context.Context, q queryer, query string, args []any, keep func(id int64, year, month int) bool, out map[unitKey]report.Values) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("sqlstore: neighbouring reports: %w", err)
	}
	defer rows.Close()
	var id int64
	var year, month int
	var v report.Values
	dest := []any{&id, &year, &month}
	for i := range v {
		dest = append(dest, &v[i])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if keep == nil || keep(id, year, month) {
			out[mkUnit(id, year, month)] = v
		}
	}
	return rows.Err()
}

// storedPeriods remembers, for the neighbour reads of one write, which
// report periods hold any stored row and, once a large batch of a
// month's file has needed one, all of that period's rows. The reads see
// the committed state before the write (a stream's read pool) or the
// write's own transaction, where a period an earlier part of the same
// write filled reads as stored and may hold the write's own rows: more
// probes, or rows the callers leave out, never a row missed.
type storedPeriods struct {
	has  map[int32]bool
	rows map[int32]map[int64]report.Values // whole periods read
	// whole is the smallest batch read from whole periods, check the
	// smallest write that asks which periods hold rows (the store's
	// wholePeriod and storedCheck).
	whole, check int
}

func (s *Store) newStoredPeriods() *storedPeriods {
	return &storedPeriods{has: map[int32]bool{}, rows: map[int32]map[int64]report.Values{}, whole: s.wholePeriod, check: s.storedCheck}
}

func periodKey(year, month int) int32 { return int32(year*100 + month) }

// stored reports whether the period holds any row.
func (sp *storedPeriods) stored(ctx context.Context, q queryer, year, month int) (bool, error) {
	k := periodKey(year, month)
	if v, ok := sp.has[k]; ok {
		return v, nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM monthly_report WHERE year = $1 AND month = $2 LIMIT 1) p`, year, month).Scan(&n); err != nil {
		return false, fmt.Errorf("sqlstore: stored periods: %w", err)
	}
	sp.has[k] = n > 0
	return n > 0, nil
}

// period returns every stored row of a period, read once.
func (sp *storedPeriods) period(ctx context.Context, q queryer, year, month int) (map[int64]report.Values, error) {
	k := periodKey(year, month)
	if p, ok := sp.rows[k]; ok {
		return p, nil
	}
	p := map[int64]report.Values{}
	rows, err := q.QueryContext(ctx, `SELECT enterprise_id, `+strings.Join(reportColumns, ", ")+` FROM monthly_report WHERE year = $1 AND month = $2`, year, month)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: neighbouring reports: %w", err)
	}
	defer rows.Close()
	var id int64
	var v report.Values
	dest := []any{&id}
	for i := range v {
		dest = append(dest, &v[i])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		p[id] = v
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sp.rows[k] = p
	return p, nil
}

// storedCheckRows is the smallest write whose neighbour read first asks
// which of its periods hold any row.
const storedCheckRows = 500

// wholePeriodRows is the smallest batch of a file of up to three months
// whose neighbours are taken from whole periods, each read once per
// write: a batch that large names a good part of a period's firms (a
// month's file at ten times the demo names 72,000 of them in batches of
// 4,096), and one sequential read of the period is cheaper than a seek
// per key for every batch (PostgreSQL: 15 µs a key while the write ran,
// 120-190 ms a batch; the whole period about 150 ms, once).
const wholePeriodRows = 2000

// addToCells adds the deltas to agg_month and to every rollup, inserting a
// cell when it is new. The deltas are first summed per row of each table
// (a rollup row gathers many agg_month cells), then written by multi-row
// upserts of up to cellChunk rows: one statement per table for a small
// write, a few dozen for a month's file.
func addToCells(ctx context.Context, tx *sql.Tx, engine Engine, deltas map[cellKey]*cellDelta) error {
	sums := append([]string{"n", "n_base"}, reportColumns...)
	for _, c := range reportColumns {
		sums = append(sums, "b_"+c)
	}
	type table struct {
		name string
		keys []string // in the order of the key values
		pk   []string // the table's primary key
		key  func(k cellKey) cellKey
		vals func(k cellKey) []any
	}
	all := []string{"year", "month", "region_code", "cluster_code", "tier", "section", "sei", "specialized"}
	tables := []table{
		{"agg_month", all, []string{"year", "month", "region_code", "cluster_code", "section", "sei", "specialized"},
			func(k cellKey) cellKey { return k },
			func(k cellKey) []any {
				return []any{k.year, k.month, k.region, k.cluster, k.tier, k.section, k.sei, k.specialized}
			}},
		{"agg_city", []string{"year", "month", "section", "sei", "specialized"}, []string{"year", "month", "section", "sei", "specialized"},
			func(k cellKey) cellKey {
				return cellKey{year: k.year, month: k.month, section: k.section, sei: k.sei, specialized: k.specialized}
			},
			func(k cellKey) []any { return []any{k.year, k.month, k.section, k.sei, k.specialized} }},
		{"agg_region", []string{"year", "month", "region_code", "section", "sei", "specialized"}, []string{"year", "region_code", "month", "section", "sei", "specialized"},
			func(k cellKey) cellKey {
				return cellKey{year: k.year, month: k.month, region: k.region, section: k.section, sei: k.sei, specialized: k.specialized}
			},
			func(k cellKey) []any { return []any{k.year, k.month, k.region, k.section, k.sei, k.specialized} }},
		// A cluster has one tier, so the tier rides along with the key.
		{"agg_cluster", []string{"year", "month", "cluster_code", "tier", "section", "sei", "specialized"}, []string{"year", "cluster_code", "month", "section", "sei", "specialized"},
			func(k cellKey) cellKey {
				return cellKey{year: k.year, month: k.month, cluster: k.cluster, tier: k.tier, section: k.section, sei: k.sei, specialized: k.specialized}
			},
			func(k cellKey) []any {
				return []any{k.year, k.month, k.cluster, k.tier, k.section, k.sei, k.specialized}
			}},
	}
	for _, t := range tables {
		rows := map[cellKey]*cellDelta{}
		var order []cellKey
		for k, d := range deltas {
			if d.zero() {
				continue
			}
			tk := t.key(k)
			r := rows[tk]
			if r == nil {
				r = &cellDelta{}
				rows[tk] = r
				order = append(order, tk)
			}
			r.n += d.n
			r.nBase += d.nBase
			for i := range r.cur {
				r.cur[i] += d.cur[i]
				r.base[i] += d.base[i]
			}
		}
		cols := append(append([]string(nil), t.keys...), sums...)
		set := make([]string, len(sums))
		for i, c := range sums {
			set[i] = c + " = " + t.name + "." + c + " + excluded." + c
		}
		stmt := func(n int) string {
			return `INSERT INTO ` + t.name + ` (` + strings.Join(cols, ", ") + `) VALUES ` + placeholders(engine, n, len(cols)) +
				` ON CONFLICT (` + strings.Join(t.pk, ", ") + `) DO UPDATE SET ` + strings.Join(set, ", ")
		}
		args := make([]any, 0, cellChunk*len(cols))
		for start := 0; start < len(order); start += cellChunk {
			chunk := order[start:min(start+cellChunk, len(order))]
			args = args[:0]
			for _, k := range chunk {
				d := rows[k]
				if d.zero() {
					continue
				}
				args = append(append(args, t.vals(k)...), d.n, d.nBase)
				for _, v := range d.cur {
					args = append(args, v)
				}
				for _, v := range d.base {
					args = append(args, v)
				}
			}
			if len(args) == 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, stmt(len(args)/len(cols)), args...); err != nil {
				return fmt.Errorf("sqlstore: %s delta: %w", t.name, err)
			}
		}
	}
	return nil
}

// cellChunk is how many summary rows one upsert carries: 100 rows × 28
// parameters stays below SQLite's and PostgreSQL's parameter limits.
const cellChunk = 100
