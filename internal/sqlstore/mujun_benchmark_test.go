package sqlstore

import (
	"errors"
	"reflect"
	"testing"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/mujun"
)

// mujunTables are every table a run writes; a refused run must leave each
// of them as it was.
var mujunTables = []string{"mujun_run", "mujun_result", "mujun_run_aggregate", "mujun_run_benchmark", "mujun_diff", "mujun_diff_entry"}

func mujunCounts(t *testing.T, st *Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range mujunTables {
		out[tb] = countRows(t, st, tb)
	}
	return out
}

// priorMeanConfig is testConfig with every benchmark the prior-year mean and
// no bootstrap: it needs a 2022 run with firms.
func priorMeanConfig(t *testing.T) mujun.Config {
	cfg := testConfig(t)
	for gi := range cfg.Groups {
		for ii := range cfg.Groups[gi].Indicators {
			cfg.Groups[gi].Indicators[ii].Benchmark = mujun.Benchmark{Method: mujun.PriorMean}
		}
	}
	return cfg
}

// TestMujunBenchmarkRefusalAndProvenance: a run whose prior-mean benchmark
// has no prior run with firms (only an empty 2022 run exists), or whose
// evaluated set is below the configured minimum, is refused with a
// BenchmarkError and writes nothing; with a 2022 run that found firms the
// run takes it as prior (not the newer empty one) and the stored
// provenance reads back equal to the engine's.
func TestMujunBenchmarkRefusalAndProvenance(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		seedMujunWorld(t, st)

		// A 2022 run that found no firms (no 2022 facts).
		cfg22 := testConfig(t)
		cfg22.ID, cfg22.Year = "test_2022", 2022
		empty, err := mujun.NewService(st).Evaluate(ctx, cfg22, 2022, mujun.EvaluateOptions{By: "tester"})
		if err != nil || len(empty.Result.Enterprises) != 0 {
			t.Fatalf("empty 2022 run: %v, %d firms", err, len(empty.Result.Enterprises))
		}

		before := mujunCounts(t, st)
		_, err = mujun.NewService(st).Evaluate(ctx, priorMeanConfig(t), 2023, mujun.EvaluateOptions{By: "tester"})
		var be *mujun.BenchmarkError
		if !errors.As(err, &be) || !apperr.Is(err, apperr.Invalid) || be.Gap != mujun.GapNoPrior || be.Year != 2022 || be.Unit != "city" || be.Indicator == "" {
			t.Fatalf("no prior with firms: err = %v, want a no_prior refusal for 2022", err)
		}
		if after := mujunCounts(t, st); !reflect.DeepEqual(after, before) {
			t.Fatalf("refused run wrote rows: %v → %v", before, after)
		}

		// The bootstrap from this year's firms, with a minimum above the
		// two above-scale firms: refused, nothing written.
		small := testConfig(t)
		small.MinBenchmarkFirms = 3
		_, err = mujun.NewService(st).Evaluate(ctx, small, 2023, mujun.EvaluateOptions{NoPrior: true, By: "tester"})
		if !errors.As(err, &be) || be.Gap != mujun.GapCurrentTooFew || be.Firms != 2 || be.MinFirms != 3 || be.Group != mujun.AboveScale {
			t.Fatalf("too few firms: err = %v, want current_too_few 2 < 3", err)
		}
		if after := mujunCounts(t, st); !reflect.DeepEqual(after, before) {
			t.Fatalf("refused run wrote rows: %v → %v", before, after)
		}

		// A 2022 run with firms: the 2023 facts evaluated as 2022, saved
		// before a newer empty 2022 run.
		facts, cnt, err := mujun.NewService(st).AssembleFacts(ctx, auth.All(), 2023)
		if err != nil {
			t.Fatal(err)
		}
		res22, err := mujun.Run(cfg22, facts, nil)
		if err != nil {
			t.Fatal(err)
		}
		full, err := st.SaveMujunRun(ctx, res22, mujun.RunMeta{By: "tester", Counts: cnt})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := mujun.NewService(st).Evaluate(ctx, cfg22, 2022, mujun.EvaluateOptions{NoPrior: true, By: "tester"}); err != nil {
			t.Fatal(err)
		}
		ev, err := mujun.NewService(st).Evaluate(ctx, priorMeanConfig(t), 2023, mujun.EvaluateOptions{By: "tester"})
		if err != nil {
			t.Fatalf("with a prior run with firms: %v", err)
		}
		if ev.Prior != full {
			t.Fatalf("prior run %d, want %d (the newest 2022 run with firms)", ev.Prior, full)
		}
		got, err := st.MujunRunBenchmarks(ctx, ev.RunID)
		if err != nil {
			t.Fatal(err)
		}
		if want := benchmarksOf(ev.Result.Groups, 0); !reflect.DeepEqual(got, want) || len(got) != 8 {
			t.Fatalf("benchmarks read back:\n got %+v\nwant %+v", got, want)
		}
		for _, b := range got {
			if b.Source == mujun.FromNone {
				continue
			}
			if b.Source != mujun.FromPriorRun || b.SourceRun != full || b.SourceYear != 2022 || b.Firms < 1 || b.MinFirms != 1 || b.Cap != 2 || !(b.Benchmark > 0) {
				t.Errorf("provenance %+v, want prior run %d of 2022", b, full)
			}
		}

		// A run saved before migration 0011 (no rows): read from its group
		// results with the record's prior run.
		if _, err := st.write.ExecContext(ctx, `DELETE FROM mujun_run_benchmark WHERE run_id = $1`, ev.RunID); err != nil {
			t.Fatal(err)
		}
		if old, err := st.MujunRunBenchmarks(ctx, ev.RunID); err != nil || !reflect.DeepEqual(old, got) {
			t.Fatalf("pre-0011 read: %v\n got %+v\nwant %+v", err, old, got)
		}
	})
}
