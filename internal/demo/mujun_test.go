package demo

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/refdata"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/unit"
)

// TestMujunDemo checks what the 亩均 step leaves for the pages: parks with
// park-like names, below-scale facts only for firms of at least 5 mu, some
// vetoes, runs of 2022 and 2023 (the 2023 ones on the 2022 prior) and a
// second 2023 configuration version whose run differs in classes.
func TestMujunDemo(t *testing.T) {
	t.Parallel()
	st := openLoadedSQLite(t)
	ctx := context.Background()
	parks, err := st.MujunParks(ctx)
	if err != nil || len(parks) < 82 {
		t.Fatalf("parks: %v, %d (want ≥ 2 for each of 41 units)", err, len(parks))
	}
	for _, p := range parks {
		if !strings.HasSuffix(p.NameZh, "园区") && !strings.HasSuffix(p.NameZh, "产业园") {
			t.Errorf("park name %q", p.NameZh)
		}
	}
	runs, err := st.MujunRuns(ctx)
	if err != nil || len(runs) != 3 {
		t.Fatalf("runs: %v %+v", err, runs)
	}
	r22, r23, r23b := runs[2], runs[1], runs[0]
	if r22.Year != 2022 || r23.Year != 2023 || r23b.Year != 2023 || r23.PriorRunID != r22.ID || r23b.PriorRunID != r22.ID || r23b.ConfigVersion != 2 {
		t.Fatalf("runs: %+v", runs)
	}
	facts, cnt, err := mujun.NewService(st).AssembleFacts(ctx, auth.All(), 2023)
	if err != nil {
		t.Fatal(err)
	}
	if cnt.BelowScale == 0 || cnt.AboveScale < 6000 || cnt.NoDecember != 0 {
		t.Errorf("assembled: %+v", cnt)
	}
	vetoes := 0
	for _, f := range facts {
		if f.Group == mujun.BelowScale && (!f.Land.Known || f.Land.Value < unit.Mu100(500)) {
			t.Fatalf("below-scale firm %d with %v land has facts", f.EnterpriseID, f.Land)
		}
		if len(f.Vetoes) > 0 {
			vetoes++
		}
	}
	if vetoes == 0 {
		t.Error("no veto items")
	}
	changes, err := st.MujunDiff(ctx, auth.All(), r23.ID, r23b.ID)
	if err != nil || len(changes) == 0 {
		t.Fatalf("diff: %v, %d changes", err, len(changes))
	}
}

// BenchmarkMujunEvaluateDemo is one evaluation as the platform runs it on
// the demo dataset (scale 1, SQLite): assemble 2023's facts from the store,
// load the 2022 prior run, run the Chongqing default and save the run with
// every result, in one transaction.
func BenchmarkMujunEvaluateDemo(b *testing.B) {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "demo.db"), sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	ref, err := refdata.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	if err := refdata.Sync(ctx, st, ref); err != nil {
		b.Fatal(err)
	}
	if _, err := Load(ctx, st, Options{Seed: 1, Scale: 1}); err != nil {
		b.Fatal(err)
	}
	cfg, err := demoConfig(2023)
	if err != nil {
		b.Fatal(err)
	}
	firms := 0
	b.ResetTimer()
	for b.Loop() {
		ev, err := mujun.NewService(st).Evaluate(ctx, cfg, 2023, mujun.EvaluateOptions{By: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		firms = len(ev.Result.Enterprises)
	}
	b.ReportMetric(float64(firms), "firms")
}

// TestMujunReadPathsDemo checks the read columns on the demo's runs: the
// diff of the two 2023 runs stored at save time equals mujun.Diff of the
// runs read back, the summary parts equal the summary, and pages of the
// ranking read in SQL equal the ranking computed in Go.
func TestMujunReadPathsDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo dataset")
	}
	t.Parallel()
	st := openLoadedSQLite(t)
	ctx := context.Background()
	runs, err := st.MujunRuns(ctx)
	if err != nil || len(runs) != 3 {
		t.Fatalf("runs: %v %d", err, len(runs))
	}
	r23, r23b := runs[1].ID, runs[0].ID
	all := auth.All()
	old, _, err := st.MujunRunResult(ctx, all, r23)
	if err != nil {
		t.Fatal(err)
	}
	cur, _, err := st.MujunRunResult(ctx, all, r23b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.MujunDiff(ctx, all, r23, r23b)
	if err != nil {
		t.Fatal(err)
	}
	if want := mujun.Diff(old, cur); len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("stored diff (%d changes) differs from mujun.Diff (%d)", len(got), len(want))
	}

	every := mujun.SummaryParts{Groups: true, Total: true, Regions: true, RegionsByGroup: true, Parks: true, Stats: true}
	for _, sc := range []auth.Scope{all, auth.Region(cur.Regions[0].RegionCode)} {
		want, _, err := st.MujunRunSummary(ctx, sc, r23b)
		if err != nil {
			t.Fatal(err)
		}
		want.Skipped = nil
		parts, _, err := st.MujunRunParts(ctx, sc, r23b, every)
		if err != nil || !reflect.DeepEqual(parts, want) {
			t.Fatalf("scope %+v: parts differ from the summary (%v)", sc, err)
		}
	}

	// The ranking in Go: group, rated firms by rank, exempt firms, by id.
	ranked := func(f mujun.ResultFilter) []int64 {
		var sel []mujun.EnterpriseResult
		for _, e := range cur.Enterprises {
			if (f.Group == "" || e.Group == f.Group) && (f.RegionCode == "" || e.RegionCode == f.RegionCode) && (f.Class == "" || e.Class == f.Class) {
				sel = append(sel, e)
			}
		}
		key := func(e mujun.EnterpriseResult) [4]int64 {
			g, exempt := int64(0), int64(0)
			if e.Group != mujun.AboveScale {
				g = 1
			}
			if e.Rank == 0 {
				exempt = 1
			}
			return [4]int64{g, exempt, int64(e.Rank), e.EnterpriseID}
		}
		sort.Slice(sel, func(i, j int) bool {
			a, b := key(sel[i]), key(sel[j])
			return slices.Compare(a[:], b[:]) < 0
		})
		ids := make([]int64, len(sel))
		for i, e := range sel {
			ids[i] = e.EnterpriseID
		}
		return ids
	}
	region := cur.Regions[3].RegionCode
	for _, f := range []mujun.ResultFilter{{}, {Group: mujun.BelowScale}, {RegionCode: region}, {Class: "C"}} {
		want := ranked(f)
		for _, off := range []int{0, 50, len(want) - 70} {
			f.Limit, f.Offset = 100, max(off, 0)
			p, err := st.MujunResults(ctx, all, r23b, f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, it := range p.Items {
				ids = append(ids, it.EnterpriseID)
			}
			if end := min(f.Offset+100, len(want)); p.Total != len(want) || !slices.Equal(ids, want[f.Offset:end]) {
				t.Errorf("filter %+v offset %d: total %d (want %d), page differs from the ranking in Go", f, f.Offset, p.Total, len(want))
			}
		}
	}
}
