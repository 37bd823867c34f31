package demo

import (
	"context"
	"reflect"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/digital"
	"github.com/industrybrain/ibrain/internal/sqlstore"
)

// runDigitalAggregates checks the cockpit's SQL aggregates against the
// computation over the full records they replaced, on the demo records,
// for the city and for one district, and the SQL project page against
// SelectProjects.
func runDigitalAggregates(t *testing.T, st *sqlstore.Store, ps []digital.Project, recs []digital.Recognition) {
	ctx := context.Background()
	rules, err := digital.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	mat, err := st.DigitalMaturity(ctx, auth.All(), digital.RecordFilter{})
	if err != nil {
		t.Fatal(err)
	}
	region := ps[len(ps)/2].RegionCode
	for _, f := range []digital.RecordFilter{{}, {RegionCode: region}} {
		var fps []digital.Project
		var frecs []digital.Recognition
		var fmat []digital.Maturity
		for _, p := range ps {
			if f.RegionCode == "" || p.RegionCode == f.RegionCode {
				fps = append(fps, p)
			}
		}
		for _, r := range recs {
			if f.RegionCode == "" || r.RegionCode == f.RegionCode {
				frecs = append(frecs, r)
			}
		}
		fmat = mat
		if f.RegionCode != "" {
			// Maturity rows carry no region: the store filters them.
			if fmat, err = st.DigitalMaturity(ctx, auth.All(), f); err != nil {
				t.Fatal(err)
			}
		}
		agg, err := st.DigitalAggregates(ctx, auth.All(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range []int{2019, 2023, 2024} {
			at := digital.YearEnd(to)
			ws, ys := rules.GoalWindows(at)
			if agg.FirmsAccepted, agg.Cloud, err = st.DigitalGoalCounts(ctx, auth.All(), f, ws, ys); err != nil {
				t.Fatal(err)
			}
			if got, want := agg.Stats(2018, to), digital.ComputeStats(fps, frecs, 2018, to); !reflect.DeepEqual(got, want) {
				t.Errorf("%q %d: stats from aggregates\n%+v\nfrom records\n%+v", f.RegionCode, to, got, want)
			}
			if got, want := agg.ByRegion(to), digital.ByRegion(fps, frecs, at); !reflect.DeepEqual(got, want) {
				t.Errorf("%q %d: districts from aggregates %+v, from records %+v", f.RegionCode, to, got, want)
			}
			if got, want := agg.ByCluster(to), digital.ByCluster(fps, at); !reflect.DeepEqual(got, want) {
				t.Errorf("%q %d: clusters from aggregates %+v, from records %+v", f.RegionCode, to, got, want)
			}
			if got, want := rules.GoalsFrom(agg, at), rules.GoalsAt(fps, frecs, fmat, at); !reflect.DeepEqual(got, want) {
				t.Errorf("%q %d: goals from aggregates %+v, from records %+v", f.RegionCode, to, got, want)
			}
			for _, ms := range digital.Measures {
				got, _ := agg.CountMeasure(ms, to)
				if want, _ := digital.CountMeasure(fps, frecs, ms, to); got != want {
					t.Errorf("%q %d: %s from aggregates %d, from records %d", f.RegionCode, to, ms, got, want)
				}
			}
		}
		if got, want := agg.LatestYear(2100), digital.LatestYear(fps, frecs, 2100); got != want {
			t.Errorf("%q: latest year from aggregates %d, from records %d", f.RegionCode, got, want)
		}
	}
	// The SQL page equals SelectProjects over the records.
	for _, q := range []digital.ProjectQuery{
		{Limit: 20},
		{Limit: 50, Offset: 100, Kind: digital.KindIntelligent},
		{RegionCode: region, Stage: digital.StageAccepted, Limit: 30},
		{Year: 2023, Limit: 25, Offset: 25},
		{Query: string([]rune(ps[7].FirmName)[:3]), Limit: 10},
		{Query: ps[3].Code, Limit: 10},
	} {
		got, err := st.DigitalProjectPage(ctx, auth.All(), q)
		if err != nil {
			t.Fatal(err)
		}
		want := digital.SelectProjects(ps, q)
		if got.Total != want.Total || len(got.Items) != len(want.Items) {
			t.Errorf("%+v: SQL page %d of %d, selected %d of %d", q, len(got.Items), got.Total, len(want.Items), want.Total)
			continue
		}
		for i := range got.Items {
			if got.Items[i].ID != want.Items[i].ID || !reflect.DeepEqual(got.Items[i], want.Items[i]) {
				t.Errorf("%+v: item %d is %s, want %s", q, i, got.Items[i].Code, want.Items[i].Code)
				break
			}
		}
		if want.Total == 0 {
			t.Errorf("%+v: the demo records hold no match; the check proves nothing", q)
		}
	}
}
