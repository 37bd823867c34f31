package mujun

import (
	"context"
	"reflect"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
)

// targetsStore answers the reads of Service.Targets from runs held in
// memory, cutting them to the scope as the SQL store does: a district its
// own aggregates, an enterprise none.
type targetsStore struct {
	Store
	runs      map[int]int64       // year → newest city run
	byRun     map[int64]RunResult // the city's aggregates
	partsRead int
}

func (f *targetsStore) MujunRunYears(context.Context, string) (map[int]int64, error) {
	return f.runs, nil
}

func (f *targetsStore) MujunRunParts(_ context.Context, sc auth.Scope, id int64, _ SummaryParts) (RunResult, RunInfo, error) {
	f.partsRead++
	full := f.byRun[id]
	res := RunResult{Year: full.Year}
	if !sc.IsAll() && sc.RegionCode == "" {
		return res, RunInfo{ID: id}, nil
	}
	for _, a := range full.RegionsByGroup {
		if sc.IsAll() || a.RegionCode == sc.RegionCode {
			res.RegionsByGroup = append(res.RegionsByGroup, a)
		}
	}
	return res, RunInfo{ID: id}, nil
}

// TestTargetsKeepRunValues checks the target tracking, whose district
// values are kept per run after the first read, against working it out
// from each run's aggregates read in the scope (as Targets did before),
// for the city, two districts and an enterprise, asked twice each.
func TestTargetsKeepRunValues(t *testing.T) {
	ctx := t.Context()
	st := &targetsStore{runs: map[int]int64{2022: 11, 2023: 12, 2024: 13}, byRun: map[int64]RunResult{}}
	for y, id := range st.runs {
		res := RunResult{Year: y}
		for d, region := range []string{"500101", "500102", "500103"} {
			for gi, g := range []Group{AboveScale, BelowScale} {
				a := Aggregate{RegionCode: region, Group: g, Stats: make([]IndicatorStats, numCodes)}
				for i := range a.Stats {
					num, den := int64(1000+100*(y-2022)*(d+1)+10*i+gi), int64(50+d+i)
					a.Stats[i] = IndicatorStats{Code: codeAt(i), N: 3 + d, Num: num, Den: den, RatioOfSums: ratio(i, num, den)}
				}
				res.RegionsByGroup = append(res.RegionsByGroup, a)
			}
		}
		st.byRun[id] = res
	}
	want := func(sc auth.Scope) TargetTracking {
		out := TargetTracking{Set: Chongqing2027(), Runs: map[int]int64{}, Districts: []DistrictProgress{}}
		var series []DistrictYear
		for y, id := range st.runs {
			res, _, _ := st.MujunRunParts(ctx, sc, id, SummaryParts{RegionsByGroup: true, Stats: true})
			for _, dy := range res.DistrictYears(AboveScale) {
				if dy.RegionCode == "city" && !sc.IsAll() {
					continue
				}
				series = append(series, dy)
			}
			out.Runs[y] = id
			out.AsOf = max(out.AsOf, y)
		}
		prog, err := TargetProgress(series, out.Set, out.AsOf)
		if err != nil {
			t.Fatal(err)
		}
		out.Districts = prog
		return out
	}
	svc := NewService(st)
	for range 2 {
		for _, sc := range []auth.Scope{auth.All(), auth.Region("500101"), auth.Region("500103"), auth.Enterprise(7)} {
			got, err := svc.Targets(ctx, sc)
			if err != nil {
				t.Fatal(err)
			}
			if w := want(sc); !reflect.DeepEqual(got, w) {
				t.Fatalf("scope %+v:\n got %+v\nwant %+v", sc, got, w)
			}
		}
	}
	if sc := auth.All(); len(want(sc).Districts) < 4 {
		t.Fatalf("the fixture tracks %d districts: too few to test anything", len(want(sc).Districts))
	}
	st.partsRead = 0
	if _, err := svc.Targets(ctx, auth.Region("500102")); err != nil {
		t.Fatal(err)
	}
	if st.partsRead != 0 {
		t.Fatalf("Targets read %d runs' aggregates again, want 0 (kept)", st.partsRead)
	}
}
