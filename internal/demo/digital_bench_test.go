package demo

import (
	"context"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/digital"
	"github.com/industrybrain/ibrain/internal/sqlstore"
)

// BenchmarkDigitalOverview compares the cockpit's two ways to its figures
// on the demo records (about 10,000 projects with their histories): the
// records read whole and computed in Go (the overview before the
// aggregates) and the SQL aggregates (the overview now), alternating in one
// run so the machine's load falls on both.
//
//	go test ./internal/demo/ -run '^$' -bench DigitalOverview -benchtime 10x
func BenchmarkDigitalOverview(b *testing.B) {
	ctx := context.Background()
	st := demoImage.OpenShared(b)
	rules, err := digital.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	at := digital.YearEnd(2024)
	b.Run("records", func(b *testing.B) {
		for b.Loop() {
			ps, recs, mat := readDigitalRecords(b, st)
			s := digital.ComputeStats(ps, recs, 2018, 2024)
			_ = digital.ByRegion(ps, recs, at)
			_ = digital.ByCluster(ps, at)
			_ = rules.GoalsAt(ps, recs, mat, at)
			_ = digital.SelectProjects(ps, digital.ProjectQuery{Limit: 20})
			if s.Years[6].ApprovedAll == 0 {
				b.Fatal("no 2024 projects")
			}
		}
	})
	b.Run("aggregates", func(b *testing.B) {
		for b.Loop() {
			agg, err := st.DigitalAggregates(ctx, auth.All(), digital.RecordFilter{})
			if err != nil {
				b.Fatal(err)
			}
			ws, ys := rules.GoalWindows(at)
			if agg.FirmsAccepted, agg.Cloud, err = st.DigitalGoalCounts(ctx, auth.All(), digital.RecordFilter{}, ws, ys); err != nil {
				b.Fatal(err)
			}
			s := agg.Stats(2018, 2024)
			_ = agg.ByRegion(2024)
			_ = agg.ByCluster(2024)
			_ = rules.GoalsFrom(agg, at)
			if _, err := st.DigitalProjectPage(ctx, auth.All(), digital.ProjectQuery{Limit: 20}); err != nil {
				b.Fatal(err)
			}
			if s.Years[6].ApprovedAll == 0 {
				b.Fatal("no 2024 projects")
			}
		}
	})
}

func readDigitalRecords(b *testing.B, st *sqlstore.Store) ([]digital.Project, []digital.Recognition, []digital.Maturity) {
	ctx := context.Background()
	ps, err := st.DigitalProjects(ctx, auth.All(), digital.RecordFilter{})
	if err != nil {
		b.Fatal(err)
	}
	recs, err := st.DigitalRecognitions(ctx, auth.All(), digital.RecordFilter{})
	if err != nil {
		b.Fatal(err)
	}
	mat, err := st.DigitalMaturity(ctx, auth.All(), digital.RecordFilter{})
	if err != nil {
		b.Fatal(err)
	}
	return ps, recs, mat
}
