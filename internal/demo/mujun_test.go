package demo

import (
	"context"
	"path/filepath"
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
	st := openSQLite(t)
	ctx := context.Background()
	if _, err := Load(ctx, st, Options{Seed: 1, Scale: 1}); err != nil {
		t.Fatal(err)
	}
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
	facts, cnt, err := st.AssembleMujunFacts(ctx, auth.All(), 2023)
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
		ev, err := st.EvaluateMujun(ctx, cfg, 2023, sqlstore.EvaluateOptions{By: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		firms = len(ev.Result.Enterprises)
	}
	b.ReportMetric(float64(firms), "firms")
}
