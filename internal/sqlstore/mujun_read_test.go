package sqlstore

import (
	"cmp"
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/mujun"
)

// mujunTwoRuns evaluates the five-firm world twice for 2023: under the test
// configuration, then, after F1 is found to have falsified data (a veto
// forcing class D), under a version with other weights.
func mujunTwoRuns(t *testing.T, st *Store) (mujunWorld, int64, int64) {
	t.Helper()
	ctx := t.Context()
	w := seedMujunWorld(t, st)
	cfg := testConfig(t)
	ev1, err := mujun.NewService(st).Evaluate(ctx, cfg, 2023, mujun.EvaluateOptions{NoPrior: true, By: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutMujunFacts(ctx, []mujun.Supplied{{EnterpriseID: w.ids[1], Year: 2023, ParkCode: "500101-P1", Electricity: mujun.Some[int64](1_000_000),
		Vetoes: []string{"data_fraud"}, Source: "统计局"}}); err != nil {
		t.Fatal(err)
	}
	cfg.Version = 2
	cfg.Groups[0].Indicators[0].Weight += 5
	cfg.Groups[0].Indicators[1].Weight -= 5
	ev2, err := mujun.NewService(st).Evaluate(ctx, cfg, 2023, mujun.EvaluateOptions{NoPrior: true, By: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	return w, ev1.RunID, ev2.RunID
}

func TestMujunStoredDiffEqualsEngineDiff(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		w, r1, r2 := mujunTwoRuns(t, st)
		// The second run of the year was diffed against the first when it
		// was saved.
		if n := countRows(t, st, "mujun_diff"); n != 1 {
			t.Fatalf("%d diffs stored at save time, want 1", n)
		}
		engineDiff := func(sc auth.Scope, from, to int64) []mujun.ClassChange {
			old, _, err := st.MujunRunResult(ctx, sc, from)
			if err != nil {
				t.Fatal(err)
			}
			cur, _, err := st.MujunRunResult(ctx, sc, to)
			if err != nil {
				t.Fatal(err)
			}
			return mujun.Diff(old, cur)
		}
		got, err := st.MujunDiff(ctx, auth.All(), r1, r2)
		if err != nil {
			t.Fatal(err)
		}
		if want := engineDiff(auth.All(), r1, r2); !reflect.DeepEqual(got, want) {
			t.Fatalf("stored diff differs from mujun.Diff:\n got %+v\nwant %+v", got, want)
		}
		// F1 is forced into class D by the veto it now has.
		f1 := slices.IndexFunc(got, func(c mujun.ClassChange) bool { return c.EnterpriseID == w.ids[1] })
		if f1 < 0 || got[f1].NewClass != "D" || !slices.Contains(got[f1].Reasons, mujun.ReasonVetoAdded) {
			t.Fatalf("F1's change: %+v", got)
		}

		// Another pair is diffed on first request, once.
		back, err := st.MujunDiff(ctx, auth.All(), r2, r1)
		if err != nil {
			t.Fatal(err)
		}
		if want := engineDiff(auth.All(), r2, r1); !reflect.DeepEqual(back, want) {
			t.Fatalf("reverse diff:\n got %+v\nwant %+v", back, want)
		}
		if _, err := st.MujunDiff(ctx, auth.All(), r2, r1); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, st, "mujun_diff"); n != 2 {
			t.Fatalf("%d diffs stored, want 2", n)
		}

		// In a narrower scope: exactly the diff of the scoped halves.
		for _, sc := range []auth.Scope{auth.Region(regionA), auth.Region(regionB), auth.Enterprise(w.ids[1]), auth.Enterprise(w.ids[3])} {
			got, err := st.MujunDiff(ctx, sc, r1, r2)
			if err != nil {
				t.Fatal(err)
			}
			if want := engineDiff(sc, r1, r2); !reflect.DeepEqual(got, want) {
				t.Errorf("scope %+v:\n got %+v\nwant %+v", sc, got, want)
			}
		}

		// Rows, one per page, are the full list; counts cover every change.
		full, err := st.MujunDiffRows(ctx, auth.All(), r1, r2, mujun.DiffQuery{})
		if err != nil {
			t.Fatal(err)
		}
		moves := map[[2]string]int{}
		for _, c := range got {
			moves[[2]string{c.OldClass, c.NewClass}]++
		}
		if full.Total != len(got) || len(full.Rows) != len(got) || len(full.Moves) != len(moves) {
			t.Fatalf("rows: total %d, %d rows, %d moves; want %d changes, %d moves", full.Total, len(full.Rows), len(full.Moves), len(got), len(moves))
		}
		for _, m := range full.Moves {
			if moves[[2]string{m.OldClass, m.NewClass}] != m.Firms {
				t.Errorf("move %+v, want %d", m, moves[[2]string{m.OldClass, m.NewClass}])
			}
		}
		for i, c := range got {
			p, err := st.MujunDiffRows(ctx, auth.All(), r1, r2, mujun.DiffQuery{Limit: 1, Offset: i})
			if err != nil || len(p.Rows) != 1 || p.Total != len(got) {
				t.Fatalf("page %d: %v %+v", i, err, p)
			}
			if r := p.Rows[0]; r.EnterpriseID != c.EnterpriseID || !reflect.DeepEqual(r, full.Rows[i]) || !strings.HasPrefix(r.Name, "亩均测试企业") {
				t.Errorf("page %d: %+v, want %+v", i, r, full.Rows[i])
			}
		}

		// One district's changes: its rows, and counts within it, for the
		// city and for the district's own officer; none for another's.
		for _, sc := range []auth.Scope{auth.All(), auth.Region(regionA), auth.Region(regionB)} {
			p, err := st.MujunDiffRows(ctx, sc, r1, r2, mujun.DiffQuery{RegionCode: regionA})
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			if sc.IsAll() || sc.RegionCode == regionA {
				for _, c := range got {
					if c.RegionCode == regionA {
						want = append(want, c.EnterpriseID)
					}
				}
			}
			var ids []int64
			for _, r := range p.Rows {
				ids = append(ids, r.EnterpriseID)
			}
			firms := 0
			for _, m := range p.Moves {
				firms += m.Firms
			}
			if !slices.Equal(ids, want) || p.Total != len(want) || firms != len(want) {
				t.Errorf("scope %+v, district %s: rows %v (total %d, moves %d), want %v", sc, regionA, ids, p.Total, firms, want)
			}
		}

		// An unknown run is not found and stores nothing.
		if _, err := st.MujunDiff(ctx, auth.All(), r1, r2+100); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("unknown run: %v", err)
		}
		if n := countRows(t, st, "mujun_diff"); n != 2 {
			t.Fatalf("%d diffs stored after a failed request, want 2", n)
		}
	})
}

// rankedInGo is the list order of a run's results, computed from the
// results read back: group, rated firms by rank, exempt firms, ties by id.
func rankedInGo(es []mujun.EnterpriseResult, f mujun.ResultFilter) []int64 {
	var sel []mujun.EnterpriseResult
	for _, e := range es {
		if (f.RegionCode == "" || e.RegionCode == f.RegionCode) && (f.ParkCode == "" || e.ParkCode == f.ParkCode) &&
			(f.Class == "" || e.Class == f.Class) && (f.Group == "" || e.Group == f.Group) {
			sel = append(sel, e)
		}
	}
	slices.SortFunc(sel, func(a, b mujun.EnterpriseResult) int {
		if c := strings.Compare(string(a.Group), string(b.Group)); c != 0 {
			return c
		}
		if (a.Rank == 0) != (b.Rank == 0) {
			if a.Rank == 0 {
				return 1
			}
			return -1
		}
		if c := cmp.Compare(a.Rank, b.Rank); c != 0 {
			return c
		}
		return cmp.Compare(a.EnterpriseID, b.EnterpriseID)
	})
	var ids []int64
	for _, e := range sel {
		ids = append(ids, e.EnterpriseID)
	}
	return ids
}

// checkPagesMatchGo pages through a run's results in SQL and compares them
// with the ranking computed in Go.
func checkPagesMatchGo(t *testing.T, st *Store, runID int64, scopes []auth.Scope, filters []mujun.ResultFilter) {
	t.Helper()
	ctx := context.Background()
	for _, sc := range scopes {
		res, _, err := st.MujunRunResult(ctx, sc, runID)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[int64]mujun.EnterpriseResult{}
		for _, e := range res.Enterprises {
			byID[e.EnterpriseID] = e
		}
		for _, f := range filters {
			want := rankedInGo(res.Enterprises, f)
			for _, per := range []int{1, 2, 50} {
				var got []int64
				for off := 0; ; off += per {
					f.Limit, f.Offset = per, off
					p, err := st.MujunResults(ctx, sc, runID, f)
					if err != nil {
						t.Fatal(err)
					}
					if p.Total != len(want) {
						t.Fatalf("scope %+v filter %+v: total %d, want %d", sc, f, p.Total, len(want))
					}
					for _, it := range p.Items {
						got = append(got, it.EnterpriseID)
						if !reflect.DeepEqual(it.EnterpriseResult, byID[it.EnterpriseID]) {
							t.Errorf("result of %d differs from the run read back", it.EnterpriseID)
						}
					}
					if len(p.Items) < per {
						break
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("scope %+v filter %+v per page %d: %v, want %v", sc, f, per, got, want)
				}
			}
		}
	}
}

// checkPartsMatchSummary compares MujunRunParts with MujunRunSummary.
func checkPartsMatchSummary(t *testing.T, st *Store, runID int64, scopes []auth.Scope) {
	t.Helper()
	ctx := context.Background()
	every := mujun.SummaryParts{Groups: true, Total: true, Regions: true, RegionsByGroup: true, Parks: true, Stats: true}
	for _, sc := range scopes {
		want, wantRun, err := st.MujunRunSummary(ctx, sc, runID)
		if err != nil {
			t.Fatal(err)
		}
		want.Skipped = nil
		got, run, err := st.MujunRunParts(ctx, sc, runID, every)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) || run != wantRun {
			t.Errorf("scope %+v: parts differ from the summary:\n got %+v\nwant %+v", sc, got, want)
		}
		cfg, run, err := st.MujunRunConfig(ctx, runID)
		if err != nil || !reflect.DeepEqual(cfg, want.Config) || run != wantRun {
			t.Errorf("configuration: %v %+v", err, run)
		}
		// Only what is asked for, stats left out unless asked.
		only, _, err := st.MujunRunParts(ctx, sc, runID, mujun.SummaryParts{Parks: true})
		if err != nil {
			t.Fatal(err)
		}
		if only.Groups != nil || only.Regions != nil || only.RegionsByGroup != nil || len(only.Parks) != len(want.Parks) {
			t.Errorf("scope %+v: parks only read %+v", sc, only)
		}
		for i, a := range only.Parks {
			w := want.Parks[i]
			w.Stats = nil
			if !reflect.DeepEqual(a, w) {
				t.Errorf("park %d without stats: %+v, want %+v", i, a, w)
			}
		}
	}
}

func TestMujunReadColumns(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		w, r1, r2 := mujunTwoRuns(t, st)
		scopes := []auth.Scope{auth.All(), auth.Region(regionA), auth.Region(regionB), auth.Enterprise(w.ids[5])}
		filters := []mujun.ResultFilter{{}, {Group: mujun.AboveScale}, {Group: mujun.BelowScale}, {RegionCode: regionB}, {Class: "D"}, {ParkCode: "500101-P1"}}
		for _, id := range []int64{r1, r2} {
			checkPartsMatchSummary(t, st, id, scopes)
			checkPagesMatchGo(t, st, id, scopes, filters)
		}

		// A run saved before migration 0010: no read columns, no ranking
		// order. The migration's backfill and the first read restore them.
		for _, q := range []string{`UPDATE mujun_run SET groups_body = '', counts_body = '', derived = 0`, `DELETE FROM mujun_run_aggregate`, `UPDATE mujun_result SET ord = 0`} {
			if _, err := st.write.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		ms, err := loadMigrations()
		if err != nil {
			t.Fatal(err)
		}
		backfill := ""
		for _, m := range ms {
			if m.version == 10 {
				for _, stmt := range splitStatements(m.sql) {
					if strings.HasPrefix(stmt, "UPDATE mujun_result SET ord") {
						backfill = stmt
					}
				}
			}
		}
		if backfill == "" {
			t.Fatal("migration 0010 has no ord backfill")
		}
		if _, err := st.write.ExecContext(ctx, backfill); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{r1, r2} {
			checkPartsMatchSummary(t, st, id, scopes)
			checkPagesMatchGo(t, st, id, scopes, filters)
		}
		if n := countRows(t, st, "mujun_run_aggregate"); n == 0 {
			t.Fatal("aggregates not derived on read")
		}
		var pending int
		if err := st.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM mujun_run WHERE derived = 0`).Scan(&pending); err != nil || pending != 0 {
			t.Fatalf("%d runs left underived (%v)", pending, err)
		}
		if _, _, err := st.MujunRunParts(ctx, auth.All(), r2+100, mujun.SummaryParts{Regions: true}); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("unknown run: %v", err)
		}
	})
}
