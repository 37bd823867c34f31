package demo

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/refdata"
	"github.com/industrybrain/ibrain/internal/rules"
	"github.com/industrybrain/ibrain/internal/sqlstore"
)

// BenchmarkCultivationScreen measures what the /cultivation page and the
// funnel API do per request on the demo dataset (scale 1, about 9,000
// firms existing in 2024): read every enterprise's raw facts from the store
// (five queries), build the profiles, and evaluate every firm for every
// tier. Loading the demo takes about half a minute before the timer starts.
//
//	go test ./internal/demo/ -run '^$' -bench CultivationScreen -benchtime 10x
func BenchmarkCultivationScreen(b *testing.B) {
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
	reg, err := rules.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	asOf := CultivationAsOf
	from, to := cultivation.ProfileYears(asOf)
	q := sqlstore.ProfileQuery{FromYear: from, ToYear: to}
	var raws []cultivation.Raw
	b.Run("store", func(b *testing.B) {
		for b.Loop() {
			if raws, err = st.ProfileRaws(ctx, auth.All(), q); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(raws)), "firms")
	})
	b.Run("profiles+evaluate", func(b *testing.B) {
		for b.Loop() {
			if _, err := cultivation.Screen(reg, cultivation.Subjects(raws, asOf), asOf); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(raws)*len(cultivation.Tiers())), "evaluations")
	})
	b.Run("total", func(b *testing.B) {
		for b.Loop() {
			rs, err := st.ProfileRaws(ctx, auth.All(), q)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := cultivation.Screen(reg, cultivation.Subjects(rs, asOf), asOf); err != nil {
				b.Fatal(err)
			}
		}
	})
}
