package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/mujun"
)

func benchmarksOf(groups []mujun.GroupResult, priorRunID int64) []mujun.RunBenchmark {
	var out []mujun.RunBenchmark
	for _, g := range groups {
		for _, gi := range g.Indicators {
			b := mujun.RunBenchmark{Group: g.Group, Code: gi.Code, Weight: gi.Weight, Cap: gi.Cap, Method: gi.Method, Benchmark: gi.Benchmark,
				Source: gi.BenchmarkFrom, SourceRun: gi.BenchmarkRun, SourceYear: gi.BenchmarkYear, Firms: gi.BenchmarkFirms, MinFirms: gi.MinFirms}
			// Runs saved before the engine recorded the run: the prior run
			// the record names.
			if b.Source == mujun.FromPriorRun && b.SourceRun == 0 {
				b.SourceRun = priorRunID
			}
			out = append(out, b)
		}
	}
	return out
}

// insertMujunBenchmarks writes a run's benchmark rows in its transaction.
func (s *Store) insertMujunBenchmarks(ctx context.Context, tx *sql.Tx, runID int64, res *mujun.RunResult, priorRunID int64) error {
	bs := benchmarksOf(res.Groups, priorRunID)
	if len(bs) == 0 {
		return nil
	}
	const per = 13
	args := make([]any, 0, len(bs)*per)
	for i, b := range bs {
		args = append(args, runID, string(b.Group), i, string(b.Code), b.Weight, b.Cap, string(b.Method), b.Benchmark, b.Source, b.SourceRun, b.SourceYear, b.Firms, b.MinFirms)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO mujun_run_benchmark (run_id, grp, seq, code, weight, cap, method, benchmark, source, source_run, source_year, firms, min_firms)
		VALUES `+placeholders(s.engine, len(bs), per), args...); err != nil {
		return fmt.Errorf("sqlstore: insert run benchmarks: %w", err)
	}
	return nil
}

// MujunRunBenchmarks returns the benchmarks a run scored against, in the
// configuration's order (group, indicator). Runs saved before migration
// 0011 are read from their stored group results. Benchmarks explain scores
// and are the method's yardsticks, so they are not cut to a scope.
func (s *Store) MujunRunBenchmarks(ctx context.Context, runID int64) ([]mujun.RunBenchmark, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT grp, code, weight, cap, method, benchmark, source, source_run, source_year, firms, min_firms
		FROM mujun_run_benchmark WHERE run_id = $1 ORDER BY seq`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []mujun.RunBenchmark
	for rows.Next() {
		var b mujun.RunBenchmark
		var g, c, m string
		if err := rows.Scan(&g, &c, &b.Weight, &b.Cap, &m, &b.Benchmark, &b.Source, &b.SourceRun, &b.SourceYear, &b.Firms, &b.MinFirms); err != nil {
			return nil, err
		}
		b.Group, b.Code, b.Method = mujun.Group(g), mujun.IndicatorCode(c), mujun.BenchmarkMethod(m)
		out = append(out, b)
	}
	if err := rows.Err(); err != nil || len(out) > 0 {
		return out, err
	}
	run, _, groupsBody, err := s.mujunRunHead(ctx, runID)
	if err != nil {
		return nil, err
	}
	var groups []mujun.GroupResult
	if err := json.Unmarshal([]byte(groupsBody), &groups); err != nil {
		return nil, fmt.Errorf("sqlstore: run %d groups: %w", runID, err)
	}
	return benchmarksOf(groups, run.PriorRunID), nil
}

// PriorMujunRun is the run a new run of year takes as its prior: the
// newest run of year − 1 for the unit that evaluated at least one firm. A
// run that found no firms is no prior run. ok is false when there is none.
func (s *Store) PriorMujunRun(ctx context.Context, year int, evaluatingUnit string) (int64, bool, error) {
	var id int64
	err := s.read.QueryRowContext(ctx, `SELECT id FROM mujun_run WHERE year = $1 AND evaluating_unit = $2 AND enterprises > 0 ORDER BY id DESC LIMIT 1`,
		year-1, evaluatingUnit).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// The store is what the 亩均 service reads and writes through.
var _ mujun.Store = (*Store)(nil)

// MujunFirm names an enterprise in scope (Enterprise's not-found error
// when it is not).
func (s *Store) MujunFirm(ctx context.Context, sc auth.Scope, id int64) (mujun.Firm, error) {
	d, err := s.Enterprise(ctx, sc, id)
	if err != nil {
		return mujun.Firm{}, err
	}
	return mujun.Firm{ID: id, Name: d.Name, RegionCode: d.RegionCode}, nil
}
