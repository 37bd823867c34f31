package sqlstore

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/digital"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The cockpit's SQL aggregates and paged list give what the domain
// computes over the records read whole, on both engines, for the city, a
// district filter and a district user.
func TestDigitalAggregatesMatchRecords(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedRegions(t, st)
		ids := append(seedFirms(t, st, "91500101DA", 3, 2023), seedFirmIn(t, st, regionB))
		r, err := digital.Builtin()
		if err != nil {
			t.Fatal(err)
		}
		day := digital.Day
		var ps []digital.Project
		kinds := []digital.Kind{digital.KindIntelligent, digital.KindDigital, digital.KindGreen}
		for i := range 24 {
			y := 2019 + i%6
			evs := []digital.Event{{Stage: digital.StageApplied, Date: day(y, 2, 1+i)}}
			if i%5 != 4 { // every fifth stays an application
				evs = append(evs, digital.Event{Stage: digital.StageApproved, Date: day(y, 4, 1), Level: digital.LevelDistrict})
				switch i % 4 {
				case 0, 1: // accepted the next year, half of them subsidised
					evs = append(evs, digital.Event{Stage: digital.StageMilestone, Date: day(y, 9, 1), Amount: unit.Fen(100+i) * unit.Wan},
						digital.Event{Stage: digital.StageAccepted, Date: day(y+1, 3, 1), Amount: unit.Fen(300+i) * unit.Wan})
					if i%4 == 0 {
						evs = append(evs, digital.Event{Stage: digital.StageSubsidised, Date: day(y+1, 6, 1), Amount: unit.Fen(20+i) * unit.Wan})
					}
				case 2:
					evs = append(evs, digital.Event{Stage: digital.StageWithdrawn, Date: day(y, 10, 1)})
				}
			}
			ps = append(ps, digital.Project{Code: fmt.Sprintf("AG-%02d", i), EnterpriseID: ids[i%len(ids)], Name: fmt.Sprintf("改造项目%d", i), Kind: kinds[i%3],
				ClusterCode: []string{"", "C01", "C02"}[i%3], Scenarios: []string{"F01"}, Planned: unit.Fen(400+i) * unit.Wan, Demonstration: i%6 == 0,
				StartOn: day(y, 3, 1), EndOn: day(y+1, 2, 1), Measures: []digital.Measure{{Indicator: digital.IndProductivity, Before: 100, After: int64(130 + i)}}, Events: evs})
		}
		if _, err := st.PutDigitalProjects(ctx, auth.All(), ps, digital.WriteOptions{Rules: r, By: "t", ExpectEvents: -1}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.PutDigitalMaturity(ctx, auth.All(), []digital.Maturity{
			{EnterpriseID: ids[0], Year: 2022, Cloud: true, Source: digital.SourceZJTX}, {EnterpriseID: ids[0], Year: 2024, Cloud: false, SMELevel: 2, Source: digital.SourceZJTX},
			{EnterpriseID: ids[1], Year: 2023, Cloud: true, Source: digital.SourceZJTX}, {EnterpriseID: ids[3], Year: 2021, Cloud: true, Source: digital.SourceZJTX},
		}, digital.WriteOptions{By: "t", ExpectEvents: -1}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddDigitalRecognitions(ctx, auth.All(), []digital.Recognition{
			{EnterpriseID: ids[0], Rung: digital.RungWorkshop, Name: "车间一", RecognisedOn: day(2022, 6, 30)},
			{EnterpriseID: ids[0], Rung: digital.RungWorkshop, Name: "车间二", RecognisedOn: day(2023, 6, 30)},
			{EnterpriseID: ids[3], Rung: digital.RungWorkshop, Name: "车间三", RecognisedOn: day(2023, 12, 20)},
		}, digital.WriteOptions{By: "t", ExpectEvents: -1}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			sc auth.Scope
			f  digital.RecordFilter
		}{{auth.All(), digital.RecordFilter{}}, {auth.All(), digital.RecordFilter{RegionCode: regionB}}, {auth.Region(regionA), digital.RecordFilter{}}} {
			recsP, err := st.DigitalProjects(ctx, c.sc, c.f)
			if err != nil {
				t.Fatal(err)
			}
			recs, _ := st.DigitalRecognitions(ctx, c.sc, c.f)
			mat, _ := st.DigitalMaturity(ctx, c.sc, c.f)
			agg, err := st.DigitalAggregates(ctx, c.sc, c.f)
			if err != nil {
				t.Fatal(err)
			}
			for _, y := range []int{2020, 2023, 2025} {
				at := digital.YearEnd(y)
				ws, cy := r.GoalWindows(at)
				if agg.FirmsAccepted, agg.Cloud, err = st.DigitalGoalCounts(ctx, c.sc, c.f, ws, cy); err != nil {
					t.Fatal(err)
				}
				if got, want := agg.Stats(2019, y), digital.ComputeStats(recsP, recs, 2019, y); !reflect.DeepEqual(got, want) {
					t.Errorf("%+v %d: stats\n%+v\nwant\n%+v", c, y, got, want)
				}
				if got, want := agg.ByRegion(y), digital.ByRegion(recsP, recs, at); !reflect.DeepEqual(got, want) {
					t.Errorf("%+v %d: districts %+v, want %+v", c, y, got, want)
				}
				if got, want := agg.ByCluster(y), digital.ByCluster(recsP, at); !reflect.DeepEqual(got, want) {
					t.Errorf("%+v %d: clusters %+v, want %+v", c, y, got, want)
				}
				if got, want := r.GoalsFrom(agg, at), r.GoalsAt(recsP, recs, mat, at); !reflect.DeepEqual(got, want) {
					t.Errorf("%+v %d: goals %+v, want %+v", c, y, got, want)
				}
			}
			if got, want := agg.LatestYear(2030), digital.LatestYear(recsP, recs, 2030); got != want {
				t.Errorf("%+v: latest year %d, want %d", c, got, want)
			}
			for _, q := range []digital.ProjectQuery{{Limit: 5}, {Limit: 5, Offset: 5}, {Kind: digital.KindDigital, Limit: 50},
				{Stage: digital.StageAccepted, Limit: 50}, {Year: 2021, Limit: 50}, {Query: "ag-1", Limit: 50}, {Query: "项目2", Limit: 50}} {
				q.RegionCode = c.f.RegionCode
				got, err := st.DigitalProjectPage(ctx, c.sc, q)
				if err != nil {
					t.Fatal(err)
				}
				if want := digital.SelectProjects(recsP, q); !reflect.DeepEqual(got, want) {
					t.Errorf("%+v %+v: page %d of %d, want %d of %d", c, q, len(got.Items), got.Total, len(want.Items), want.Total)
				}
			}
		}
		// The fixture reaches every branch compared above.
		agg, _ := st.DigitalAggregates(ctx, auth.All(), digital.RecordFilter{})
		s := agg.Stats(2019, 2025)
		if s.Years[1].Subsidy == 0 || s.Years[1].Accepted == 0 || len(agg.Regions) < 2 || len(agg.Clusters) < 3 || len(agg.Demonstration) == 0 {
			t.Fatalf("the fixture misses a case: %+v", s.Years[1])
		}
	})
}
