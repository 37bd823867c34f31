package demo

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/refdata"
	"github.com/industrybrain/ibrain/internal/sqlstore"
)

// BenchmarkMujunReadDemo measures what the 亩均 read paths ask of the store
// per request on the demo dataset (scale 1, SQLite, 8,209 evaluated firms
// per 2023 run): the diff of the two 2023 runs with the firms' names (every
// change, as the API returns them, and the diff page's first 500), the
// first page of the enterprise ranking, the class distribution, districts
// and parks of a run (what /mujun shows), the 2027 targets and one firm's
// results. Loading the demo takes about half a minute before the timers
// start.
//
//	go test ./internal/demo/ -run '^$' -bench MujunReadDemo -benchtime 20x
func BenchmarkMujunReadDemo(b *testing.B) {
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
	runs, err := st.MujunRuns(ctx)
	if err != nil || len(runs) != 3 {
		b.Fatalf("runs: %v %d", err, len(runs))
	}
	r23, r23b := runs[1].ID, runs[0].ID // 2023 under v1 and v2
	all := auth.All()

	b.Run("diff", func(b *testing.B) {
		n := 0
		for b.Loop() {
			d, err := st.MujunDiffRows(ctx, all, r23, r23b, mujun.DiffQuery{})
			if err != nil {
				b.Fatal(err)
			}
			n = len(d.Rows)
		}
		b.ReportMetric(float64(n), "changes")
	})
	b.Run("diff_page", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.MujunDiffRows(ctx, all, r23, r23b, mujun.DiffQuery{Limit: 500}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("results_page", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := st.MujunRunConfig(ctx, r23b); err != nil {
				b.Fatal(err)
			}
			if _, err := st.MujunResults(ctx, all, r23b, mujun.ResultFilter{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("summary", func(b *testing.B) {
		for b.Loop() {
			parts := mujun.SummaryParts{Groups: true, Total: true, Regions: true, RegionsByGroup: true, Parks: true}
			if _, _, err := st.MujunRunParts(ctx, all, r23b, parts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("targets", func(b *testing.B) {
		for b.Loop() {
			years, err := st.MujunRunYears(ctx, "city")
			if err != nil {
				b.Fatal(err)
			}
			for _, id := range years {
				res, _, err := st.MujunRunParts(ctx, all, id, mujun.SummaryParts{RegionsByGroup: true, Stats: true})
				if err != nil {
					b.Fatal(err)
				}
				_ = res.DistrictYears(mujun.AboveScale)
			}
		}
	})
	page, err := st.MujunResults(ctx, all, r23b, mujun.ResultFilter{})
	if err != nil || len(page.Items) == 0 {
		b.Fatalf("results: %v", err)
	}
	firm := page.Items[0].EnterpriseID
	b.Run("enterprise", func(b *testing.B) {
		for b.Loop() {
			rs, err := st.MujunEnterpriseResults(ctx, all, firm)
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range rs { // the page reads each run's configuration
				if _, _, err := st.MujunRunConfig(ctx, r.Run.ID); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
