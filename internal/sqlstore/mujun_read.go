package sqlstore

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The 亩均 read paths (migration 0010). A run is immutable once saved, so
// what the pages read is derived from it once and kept next to it: the
// ranking order of its results, its aggregates as rows (read by kind and
// scope, indicator stats only when asked), its group results, and the
// class changes against other runs. mujun_run.summary stays the complete
// record that MujunRunSummary reads (priors, full read-backs).

// runReadBodies returns the JSON of the group results and assembly counts
// kept in mujun_run.groups_body and counts_body.
func runReadBodies(res *mujun.RunResult, counts mujun.AssembleCounts) (string, string, error) {
	g, err := json.Marshal(res.Groups)
	if err != nil {
		return "", "", err
	}
	c, err := json.Marshal(counts)
	if err != nil {
		return "", "", err
	}
	return string(g), string(c), nil
}

// rankingOrder returns each result's position (1-based) in the order the
// lists show a run: group (above scale first), rated firms by rank, then
// exempt firms, ties by enterprise id.
func rankingOrder(es []mujun.EnterpriseResult) []int {
	idx := make([]int, len(es))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		x, y := &es[a], &es[b]
		if c := cmp.Compare(x.Group, y.Group); c != 0 {
			return c
		}
		if c := cmp.Compare(boolInt(x.Rank == 0), boolInt(y.Rank == 0)); c != 0 {
			return c
		}
		if c := cmp.Compare(x.Rank, y.Rank); c != 0 {
			return c
		}
		return cmp.Compare(x.EnterpriseID, y.EnterpriseID)
	})
	ord := make([]int, len(es))
	for pos, i := range idx {
		ord[i] = pos + 1
	}
	return ord
}

// mujunDiffBase is the run a new run of year is compared with on the
// pages: the newest run of the same year, else its prior; 0 for none.
func (s *Store) mujunDiffBase(ctx context.Context, year int, prior int64) (int64, error) {
	var id int64
	err := s.read.QueryRowContext(ctx, `SELECT id FROM mujun_run WHERE year = $1 ORDER BY id DESC LIMIT 1`, year).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return prior, nil
	}
	return id, err
}

// Aggregate kinds in mujun_run_aggregate.
const (
	aggTotal       = "total"
	aggRegion      = "region"
	aggRegionGroup = "region_group"
	aggPark        = "park"
)

const aggChunk = 100 // rows of 19 parameters per INSERT

func (s *Store) insertMujunAggregates(ctx context.Context, tx *sql.Tx, runID int64, res *mujun.RunResult) error {
	type row struct {
		kind string
		seq  int
		a    *mujun.Aggregate
	}
	rows := []row{{aggTotal, 0, &res.Total}}
	for kind, list := range map[string][]mujun.Aggregate{aggRegion: res.Regions, aggRegionGroup: res.RegionsByGroup, aggPark: res.Parks} {
		for i := range list {
			rows = append(rows, row{kind, i, &list[i]})
		}
	}
	const per = 19
	args := make([]any, 0, aggChunk*per)
	for start := 0; start < len(rows); start += aggChunk {
		chunk := rows[start:min(start+aggChunk, len(rows))]
		args = args[:0]
		for _, r := range chunk {
			a := r.a
			classes, err := json.Marshal(a.Classes)
			if err != nil {
				return err
			}
			stats, err := json.Marshal(a.Stats)
			if err != nil {
				return err
			}
			args = append(args, runID, r.kind, r.seq, a.RegionCode, a.ParkCode, string(a.Group), a.Firms, a.Rated, a.MeanScore,
				int64(a.Land), int64(a.Tax), int64(a.ValueAdded), a.TaxPerMu, a.VAPerMu, a.RankByScore, a.RankByVAPerMu, a.RankByTaxPerMu,
				string(classes), string(stats))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mujun_run_aggregate (run_id, kind, seq, region_code, park_code, grp, firms, rated, mean_score,
			land, tax, value_added, tax_per_mu, va_per_mu, rank_by_score, rank_by_va_per_mu, rank_by_tax_per_mu, classes, stats) VALUES `+
			placeholders(s.engine, len(chunk), per), args...); err != nil {
			return fmt.Errorf("sqlstore: insert run aggregates: %w", err)
		}
	}
	return nil
}

// deriveMujunRun fills the read columns of a run saved before migration
// 0010 from its summary. Concurrent callers derive it once: the flag is
// flipped under the writer lock before anything is inserted.
func (s *Store) deriveMujunRun(ctx context.Context, id int64) error {
	res, run, err := s.MujunRunSummary(ctx, auth.All(), id)
	if err != nil {
		return err
	}
	groupsBody, countsBody, err := runReadBodies(&res, run.Counts)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE mujun_run SET groups_body = $1, counts_body = $2, derived = 1 WHERE id = $3 AND derived = 0`, groupsBody, countsBody, id)
		if err != nil {
			return err
		}
		if n, err := r.RowsAffected(); err != nil || n == 0 {
			return err // derived meanwhile
		}
		return s.insertMujunAggregates(ctx, tx, id, &res)
	})
}

// mujunRunHead reads a run's record with its configuration and group
// results, deriving the read columns first if the run predates them.
func (s *Store) mujunRunHead(ctx context.Context, id int64) (mujun.RunInfo, string, string, error) {
	for range 2 {
		var run mujun.RunInfo
		var at int64
		var cfgBody, groupsBody, countsBody string
		var derived int
		err := s.read.QueryRowContext(ctx, `SELECT `+runColumns+`, config_body, groups_body, counts_body, derived FROM mujun_run WHERE id = $1`, id).
			Scan(&run.ID, &run.ConfigID, &run.ConfigVersion, &run.Year, &run.EvaluatingUnit, &run.PriorRunID, &run.Enterprises, &run.Skipped, &run.Note, &at, &run.CreatedBy,
				&cfgBody, &groupsBody, &countsBody, &derived)
		if errors.Is(err, sql.ErrNoRows) {
			return run, "", "", apperr.New(apperr.NotFound, "err.mujun_run_not_found", id)
		}
		if err != nil {
			return run, "", "", err
		}
		if derived == 0 {
			if err := s.deriveMujunRun(ctx, id); err != nil {
				return run, "", "", err
			}
			continue
		}
		run.CreatedAt = time.Unix(at, 0).UTC()
		if err := json.Unmarshal([]byte(countsBody), &run.Counts); err != nil {
			return run, "", "", fmt.Errorf("sqlstore: run %d counts: %w", id, err)
		}
		return run, cfgBody, groupsBody, nil
	}
	return mujun.RunInfo{}, "", "", fmt.Errorf("sqlstore: run %d: read columns not derived", id)
}

// MujunRunConfig returns the configuration a run used and its record (with
// the assembly counts), without its results or aggregates.
func (s *Store) MujunRunConfig(ctx context.Context, id int64) (mujun.Config, mujun.RunInfo, error) {
	var cfg mujun.Config
	run, cfgBody, _, err := s.mujunRunHead(ctx, id)
	if err != nil {
		return cfg, run, err
	}
	if err := json.Unmarshal([]byte(cfgBody), &cfg); err != nil {
		return cfg, run, fmt.Errorf("sqlstore: run %d configuration: %w", id, err)
	}
	return cfg, run, nil
}

// MujunRunParts reads the selected parts of a run's summary as
// MujunRunSummary does, cut to scope the same way (in SQL), without the
// skipped firms. With every part and Stats the parts equal
// MujunRunSummary's.
func (s *Store) MujunRunParts(ctx context.Context, sc auth.Scope, id int64, parts mujun.SummaryParts) (mujun.RunResult, mujun.RunInfo, error) {
	var res mujun.RunResult
	run, cfgBody, groupsBody, err := s.mujunRunHead(ctx, id)
	if err != nil {
		return res, run, err
	}
	if err := json.Unmarshal([]byte(cfgBody), &res.Config); err != nil {
		return res, run, fmt.Errorf("sqlstore: run %d configuration: %w", id, err)
	}
	res.ConfigID, res.ConfigVersion, res.Year, res.EvaluatingUnit = run.ConfigID, run.ConfigVersion, run.Year, run.EvaluatingUnit
	if parts.Groups {
		if err := json.Unmarshal([]byte(groupsBody), &res.Groups); err != nil {
			return res, run, fmt.Errorf("sqlstore: run %d groups: %w", id, err)
		}
		if !sc.IsAll() {
			for i := range res.Groups {
				g := &res.Groups[i]
				g.Firms, g.Rated, g.Exempt, g.Stats, g.Classes = 0, 0, 0, nil, nil
			}
		}
	}
	var kinds []string
	if parts.Total && sc.IsAll() {
		kinds = append(kinds, aggTotal)
	}
	for _, k := range []struct {
		on   bool
		kind string
	}{{parts.Regions, aggRegion}, {parts.RegionsByGroup, aggRegionGroup}, {parts.Parks, aggPark}} {
		if k.on {
			kinds = append(kinds, k.kind)
		}
	}
	// A narrower scope than the city sees its own district's aggregates
	// only: none for an enterprise.
	if len(kinds) == 0 || (!sc.IsAll() && sc.RegionCode == "") {
		return res, run, nil
	}
	args := []any{id}
	in := make([]string, len(kinds))
	for i, k := range kinds {
		args = append(args, k)
		in[i] = fmt.Sprintf("$%d", len(args))
	}
	where := `run_id = $1 AND kind IN (` + strings.Join(in, ", ") + `)`
	if !sc.IsAll() {
		args = append(args, sc.RegionCode)
		where += fmt.Sprintf(" AND region_code = $%d", len(args))
	}
	statsCol := `''`
	if parts.Stats {
		statsCol = `stats`
	}
	rows, err := s.read.QueryContext(ctx, `SELECT kind, region_code, park_code, grp, firms, rated, mean_score, land, tax, value_added, tax_per_mu, va_per_mu,
		rank_by_score, rank_by_va_per_mu, rank_by_tax_per_mu, classes, `+statsCol+` FROM mujun_run_aggregate WHERE `+where+` ORDER BY kind, seq`, args...)
	if err != nil {
		return res, run, fmt.Errorf("sqlstore: run aggregates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a mujun.Aggregate
		var kind, grp, classes, stats string
		var land, tax, va int64
		if err := rows.Scan(&kind, &a.RegionCode, &a.ParkCode, &grp, &a.Firms, &a.Rated, &a.MeanScore, &land, &tax, &va, &a.TaxPerMu, &a.VAPerMu,
			&a.RankByScore, &a.RankByVAPerMu, &a.RankByTaxPerMu, &classes, &stats); err != nil {
			return res, run, err
		}
		a.Group, a.Land, a.Tax, a.ValueAdded = mujun.Group(grp), unit.Mu100(land), unit.Fen(tax), unit.Fen(va)
		if err := json.Unmarshal([]byte(classes), &a.Classes); err != nil {
			return res, run, fmt.Errorf("sqlstore: run %d aggregate classes: %w", id, err)
		}
		if stats != "" {
			if err := json.Unmarshal([]byte(stats), &a.Stats); err != nil {
				return res, run, fmt.Errorf("sqlstore: run %d aggregate stats: %w", id, err)
			}
		}
		switch kind {
		case aggTotal:
			res.Total = a
		case aggRegion:
			res.Regions = append(res.Regions, a)
		case aggRegionGroup:
			res.RegionsByGroup = append(res.RegionsByGroup, a)
		case aggPark:
			res.Parks = append(res.Parks, a)
		}
	}
	return res, run, rows.Err()
}

// ---- class changes between runs ----

const diffChunk = 100 // rows of 19 parameters per INSERT

// insertMujunDiff stores the changes from one run to another in tx; false
// when the pair was stored already.
func (s *Store) insertMujunDiff(ctx context.Context, tx *sql.Tx, from, to int64, changes []mujun.ClassChange) (bool, error) {
	r, err := tx.ExecContext(ctx, `INSERT INTO mujun_diff (from_run, to_run, changes, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (from_run, to_run) DO NOTHING`,
		from, to, len(changes), s.unix())
	if err != nil {
		return false, fmt.Errorf("sqlstore: insert diff: %w", err)
	}
	if n, err := r.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	const per = 19
	args := make([]any, 0, diffChunk*per)
	for start := 0; start < len(changes); start += diffChunk {
		chunk := changes[start:min(start+diffChunk, len(changes))]
		args = args[:0]
		for i := range chunk {
			c := &chunk[i]
			drivers, err := rawJSON(c.Drivers)
			if err != nil {
				return false, err
			}
			cfg, err := rawJSON(c.ConfigChanges)
			if err != nil {
				return false, err
			}
			reasons := make([]string, len(c.Reasons))
			for j, r := range c.Reasons {
				reasons[j] = string(r)
			}
			args = append(args, from, to, c.EnterpriseID, c.RegionCode, c.ParkCode, string(c.Group), string(c.Kind), c.OldClass, c.NewClass, c.Direction,
				c.OldScore, c.NewScore, c.OldRank, c.NewRank, strings.Join(reasons, ","), drivers, cfg, c.Explanation.Zh, c.Explanation.En)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mujun_diff_entry (from_run, to_run, enterprise_id, region_code, park_code, grp, kind, old_class, new_class,
			direction, old_score, new_score, old_rank, new_rank, reasons, drivers, config_changes, explanation_zh, explanation_en) VALUES `+
			placeholders(s.engine, len(chunk), per), args...); err != nil {
			return false, fmt.Errorf("sqlstore: insert diff entries: %w", err)
		}
	}
	return true, s.insertMujunDiffMoves(ctx, tx, from, to, changes)
}

// rawJSON encodes v as the API writes it (no HTML escaping), so the stored
// text can be sent as it is.
func rawJSON(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// ensureMujunDiff computes and stores the changes from one run to another
// unless they are stored. Both runs must exist.
func (s *Store) ensureMujunDiff(ctx context.Context, from, to int64) error {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM mujun_diff WHERE from_run = $1 AND to_run = $2`, from, to).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	old, _, err := s.MujunRunResult(ctx, auth.All(), from)
	if err != nil {
		return err
	}
	cur, _, err := s.MujunRunResult(ctx, auth.All(), to)
	if err != nil {
		return err
	}
	changes := mujun.Diff(old, cur)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := s.insertMujunDiff(ctx, tx, from, to, changes)
		return err
	})
}

// MujunDiff lists the enterprises in scope whose class differs between two
// runs, with reasons: mujun.Diff of the two runs, computed once and kept.
// A firm's entry depends only on its own two results and the two
// configurations, so the city-wide entries of the firms in scope are
// exactly the diff of the scoped halves.
func (s *Store) MujunDiff(ctx context.Context, sc auth.Scope, from, to int64) ([]mujun.ClassChange, error) {
	d, err := s.MujunDiffRows(ctx, sc, from, to, mujun.DiffQuery{})
	if err != nil {
		return nil, err
	}
	var out []mujun.ClassChange
	for _, r := range d.Rows {
		c := mujun.ClassChange{EnterpriseID: r.EnterpriseID, RegionCode: r.RegionCode, ParkCode: r.ParkCode, Group: r.Group, Kind: r.Kind,
			OldClass: r.OldClass, NewClass: r.NewClass, Direction: r.Direction, OldScore: r.OldScore, NewScore: r.NewScore, OldRank: r.OldRank, NewRank: r.NewRank,
			Reasons: r.Reasons, Explanation: r.Explanation}
		if err := json.Unmarshal(r.Drivers, &c.Drivers); err != nil {
			return nil, fmt.Errorf("sqlstore: diff %d→%d drivers of %d: %w", from, to, r.EnterpriseID, err)
		}
		if err := json.Unmarshal(r.ConfigChanges, &c.ConfigChanges); err != nil {
			return nil, fmt.Errorf("sqlstore: diff %d→%d configuration changes of %d: %w", from, to, r.EnterpriseID, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// MujunDiffRows reads the stored changes between two runs in scope (see
// MujunDiff), computing and storing them first if nobody asked before.
func (s *Store) MujunDiffRows(ctx context.Context, sc auth.Scope, from, to int64, q mujun.DiffQuery) (mujun.DiffPage, error) {
	var page mujun.DiffPage
	for _, id := range []int64{from, to} {
		if _, err := s.MujunRunInfo(ctx, id); err != nil {
			return page, err
		}
	}
	if err := s.ensureMujunDiff(ctx, from, to); err != nil {
		return page, err
	}
	where, args := scopeClause(sc, "e", 3)
	args = append([]any{from, to}, args...)
	if q.RegionCode != "" {
		args = append(args, q.RegionCode)
		where += fmt.Sprintf(" AND d.region_code = $%d", len(args))
	}
	base := ` FROM mujun_diff_entry d JOIN enterprise e ON e.id = d.enterprise_id WHERE d.from_run = $1 AND d.to_run = $2 AND ` + where
	// The city's counts need no enterprise row: the join read one per
	// change (5,500 at ten times the demo) on every page.
	// In the city's scope they are sums of the counts kept with the
	// changes (mujun_diff_move), not a grouping of the changes.
	count := `SELECT d.old_class, d.new_class, COUNT(*)` + base
	if sc.IsAll() {
		count = `SELECT d.old_class, d.new_class, SUM(d.n) FROM mujun_diff_move d WHERE d.from_run = $1 AND d.to_run = $2 AND ` + where
	}
	mrows, err := s.read.QueryContext(ctx, count+` GROUP BY d.old_class, d.new_class ORDER BY d.old_class, d.new_class`, args...)
	if err != nil {
		return page, fmt.Errorf("sqlstore: diff moves: %w", err)
	}
	defer mrows.Close()
	for mrows.Next() {
		var m mujun.DiffMove
		if err := mrows.Scan(&m.OldClass, &m.NewClass, &m.Firms); err != nil {
			return page, err
		}
		page.Moves = append(page.Moves, m)
		page.Total += m.Firms
	}
	if err := mrows.Err(); err != nil {
		return page, err
	}
	mrows.Close()
	if q.Move != nil {
		args = append(args, q.Move.OldClass, q.Move.NewClass)
		base += fmt.Sprintf(" AND d.old_class = $%d AND d.new_class = $%d", len(args)-1, len(args))
	}
	limit := ""
	if q.Limit > 0 {
		limit = pageClause(q.Limit, q.Offset)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT d.enterprise_id, e.name, d.region_code, d.park_code, d.grp, d.kind, d.old_class, d.new_class, d.direction,
		d.old_score, d.new_score, d.old_rank, d.new_rank, d.reasons, d.drivers, d.config_changes, d.explanation_zh, d.explanation_en`+base+
		` ORDER BY d.enterprise_id`+limit, args...)
	if err != nil {
		return page, fmt.Errorf("sqlstore: diff entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r mujun.DiffRow
		var grp, kind, reasons, drivers, cfg string
		if err := rows.Scan(&r.EnterpriseID, &r.Name, &r.RegionCode, &r.ParkCode, &grp, &kind, &r.OldClass, &r.NewClass, &r.Direction,
			&r.OldScore, &r.NewScore, &r.OldRank, &r.NewRank, &reasons, &drivers, &cfg, &r.Explanation.Zh, &r.Explanation.En); err != nil {
			return page, err
		}
		r.Group, r.Kind = mujun.Group(grp), mujun.ChangeKind(kind)
		if reasons != "" {
			for _, x := range strings.Split(reasons, ",") {
				r.Reasons = append(r.Reasons, mujun.Reason(x))
			}
		}
		r.Drivers, r.ConfigChanges = json.RawMessage(drivers), json.RawMessage(cfg)
		page.Rows = append(page.Rows, r)
	}
	return page, rows.Err()
}
