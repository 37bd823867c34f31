package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/unit"
)

// mujunWorld is five firms for 2023:
//
//	F1 regionA 10 mu above, December report, supplied park/electricity (and a tax that must be ignored)
//	F2 regionB 20 mu above, November report only → left out (no December)
//	F3 regionA  6 mu below, supplied tax/revenue/energy/employees/electricity
//	F4 regionB  8 mu below, nothing supplied → left out
//	F5 regionB 15 mu above, December report, supplied park, emissions and a veto
type mujunWorld struct {
	ids [6]int64 // index 1..5
}

func seedMujunWorld(t *testing.T, st *Store) mujunWorld {
	t.Helper()
	ctx := context.Background()
	seedRegions(t, st)
	type f struct {
		region string
		land   unit.Mu100
		above  bool
	}
	firms := []f{{}, {regionA, 1000, true}, {regionB, 2000, true}, {regionA, 600, false}, {regionB, 800, false}, {regionB, 1500, true}}
	var rows []EnterpriseWithYear
	for i := 1; i <= 5; i++ {
		rows = append(rows, EnterpriseWithYear{
			Enterprise: enterprise.Enterprise{CreditCode: "MJ" + string(rune('0'+i)), Name: "亩均测试企业" + string(rune('0'+i)), RegionCode: firms[i].region,
				IndustryCode: "3011", Founded: day("2010-01-01"), LandArea: firms[i].land},
			Year: &enterprise.Year{Year: 2023, AboveScale: firms[i].above, Size: enterprise.SizeSmall, Employees: 50, Revenue: 3000 * unit.Wan},
		})
	}
	if _, err := st.UpsertEnterprises(ctx, rows); err != nil {
		t.Fatal(err)
	}
	idOf, err := st.EnterpriseIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var w mujunWorld
	for i := 1; i <= 5; i++ {
		w.ids[i] = idOf["MJ"+string(rune('0'+i))]
	}
	dec := func(id int64, month int, tax, va, rev, rd, energy, emp int64) report.Monthly {
		var v report.Values
		v[report.Tax], v[report.ValueAdded], v[report.Revenue], v[report.RDExpense], v[report.Energy], v[report.Employees] = tax, va, rev, rd, energy, emp
		v[report.Output] = rev
		return report.Monthly{EnterpriseID: id, Period: report.Period{Year: 2023, Month: month}, Values: v}
	}
	if _, err := st.UpsertReports(ctx, []report.Monthly{
		dec(w.ids[1], 12, 100*int64(unit.Wan), 500*int64(unit.Wan), 2000*int64(unit.Wan), 40*int64(unit.Wan), 200_000, 100),
		dec(w.ids[2], 11, 90*int64(unit.Wan), 400*int64(unit.Wan), 1500*int64(unit.Wan), 10*int64(unit.Wan), 100_000, 80),
		dec(w.ids[5], 12, 60*int64(unit.Wan), 300*int64(unit.Wan), 1800*int64(unit.Wan), 90*int64(unit.Wan), 150_000, 60),
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutMujunParks(ctx, []mujun.Park{
		{Code: "500101-P1", RegionCode: regionA, NameZh: "万州经济技术开发区", NameEn: "Wanzhou ETDZ"},
		{Code: "500102-P1", RegionCode: regionB, NameZh: "涪陵白涛化工园区", NameEn: "Fuling Baitao Chemical Park"},
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutMujunFacts(ctx, []mujun.Supplied{
		{EnterpriseID: w.ids[1], Year: 2023, ParkCode: "500101-P1", Electricity: mujun.Some[int64](1_000_000), Tax: mujun.Some(unit.Fen(1)), Source: "经信委"},
		{EnterpriseID: w.ids[3], Year: 2023, Electricity: mujun.Some[int64](400_000), Tax: mujun.Some(30 * unit.Wan), Revenue: mujun.Some(600 * unit.Wan),
			Energy: mujun.Some(unit.KgCE(50_000)), Employees: mujun.Some[int64](20), Source: "税务局"},
		{EnterpriseID: w.ids[5], Year: 2023, ParkCode: "500102-P1", Emissions: mujun.Some[int64](1000), Vetoes: []string{"environmental_penalty"}, Source: "生态环境局"},
	}); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestMujunFactsRoundTripAndAssembly(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		w := seedMujunWorld(t, st)
		got, err := st.MujunFacts(ctx, auth.All(), 2023)
		if err != nil {
			t.Fatal(err)
		}
		want := []mujun.Supplied{
			{EnterpriseID: w.ids[1], Year: 2023, ParkCode: "500101-P1", Electricity: mujun.Some[int64](1_000_000), Tax: mujun.Some(unit.Fen(1)), Source: "经信委"},
			{EnterpriseID: w.ids[3], Year: 2023, Electricity: mujun.Some[int64](400_000), Tax: mujun.Some(30 * unit.Wan), Revenue: mujun.Some(600 * unit.Wan),
				Energy: mujun.Some(unit.KgCE(50_000)), Employees: mujun.Some[int64](20), Source: "税务局"},
			{EnterpriseID: w.ids[5], Year: 2023, ParkCode: "500102-P1", Emissions: mujun.Some[int64](1000), Vetoes: []string{"environmental_penalty"}, Source: "生态环境局"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("facts round trip:\n got %+v\nwant %+v", got, want)
		}
		// Scope: regionA sees F1 and F3 only.
		if got, err := st.MujunFacts(ctx, auth.Region(regionA), 2023); err != nil || len(got) != 2 || got[0].EnterpriseID != w.ids[1] || got[1].EnterpriseID != w.ids[3] {
			t.Fatalf("district facts: %v %+v", err, got)
		}

		// Bad batches write nothing: an unknown park, a negative amount.
		before := countRows(t, st, "mujun_facts")
		err = st.PutMujunFacts(ctx, []mujun.Supplied{
			{EnterpriseID: w.ids[4], Year: 2023, Electricity: mujun.Some[int64](5), Source: "x"},
			{EnterpriseID: w.ids[2], Year: 2023, ParkCode: "NOPE", Source: "x"},
		})
		if !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("unknown park: %v, want Invalid", err)
		}
		if err := st.PutMujunFacts(ctx, []mujun.Supplied{{EnterpriseID: w.ids[4], Year: 2023, Emissions: mujun.Some[int64](-1), Source: "x"}}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("negative emissions: %v, want Invalid", err)
		}
		if n := countRows(t, st, "mujun_facts"); n != before {
			t.Fatalf("rejected batches wrote rows: %d → %d", before, n)
		}

		facts, cnt, err := mujun.NewService(st).AssembleFacts(ctx, auth.All(), 2023)
		if err != nil {
			t.Fatal(err)
		}
		if cnt != (mujun.AssembleCounts{AboveScale: 2, BelowScale: 1, NoDecember: 1, NoFacts: 1}) {
			t.Errorf("counts %+v", cnt)
		}
		founded := day("2010-01-01")
		wantFacts := []mujun.Facts{
			{EnterpriseID: w.ids[1], RegionCode: regionA, ParkCode: "500101-P1", Group: mujun.AboveScale, Land: mujun.Some(unit.Mu100(1000)),
				Tax: mujun.Some(100 * unit.Wan), ValueAdded: mujun.Some(500 * unit.Wan), Revenue: mujun.Some(2000 * unit.Wan), RD: mujun.Some(40 * unit.Wan),
				Energy: mujun.Some(unit.KgCE(200_000)), Employees: mujun.Some[int64](100), Electricity: mujun.Some[int64](1_000_000), Founded: founded},
			{EnterpriseID: w.ids[3], RegionCode: regionA, Group: mujun.BelowScale, Land: mujun.Some(unit.Mu100(600)),
				Tax: mujun.Some(30 * unit.Wan), Revenue: mujun.Some(600 * unit.Wan), Energy: mujun.Some(unit.KgCE(50_000)), Employees: mujun.Some[int64](20),
				Electricity: mujun.Some[int64](400_000), Founded: founded},
			{EnterpriseID: w.ids[5], RegionCode: regionB, ParkCode: "500102-P1", Group: mujun.AboveScale, Land: mujun.Some(unit.Mu100(1500)),
				Tax: mujun.Some(60 * unit.Wan), ValueAdded: mujun.Some(300 * unit.Wan), Revenue: mujun.Some(1800 * unit.Wan), RD: mujun.Some(90 * unit.Wan),
				Energy: mujun.Some(unit.KgCE(150_000)), Employees: mujun.Some[int64](60), Emissions: mujun.Some[int64](1000),
				Vetoes: []string{"environmental_penalty"}, Founded: founded},
		}
		if !reflect.DeepEqual(facts, wantFacts) {
			t.Fatalf("assembled:\n got %+v\nwant %+v", facts, wantFacts)
		}
	})
}

// testConfig is the Chongqing default for 2023 under another id.
func testConfig(t *testing.T) mujun.Config {
	t.Helper()
	cfg, err := mujun.Builtin("chongqing_2024")
	if err != nil {
		t.Fatal(err)
	}
	cfg.ID, cfg.Year, cfg.EffectiveFrom = "test_2023", 2023, "2024-01-01"
	return cfg
}

// evaluateMujunWorld evaluates the seeded world's 2023 facts with the
// test configuration: the run most tests save.
func evaluateMujunWorld(t *testing.T, st *Store) (mujun.RunResult, mujun.AssembleCounts) {
	t.Helper()
	facts, cnt, err := mujun.NewService(st).AssembleFacts(t.Context(), auth.All(), 2023)
	if err != nil {
		t.Fatal(err)
	}
	res, err := mujun.Run(testConfig(t), facts, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res, cnt
}

func TestMujunRunStoredAtomicallyAndScoped(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		w := seedMujunWorld(t, st)
		res, cnt := evaluateMujunWorld(t, st)
		id, err := st.SaveMujunRun(ctx, res, mujun.RunMeta{Note: "first", By: "tester", Counts: cnt})
		if err != nil {
			t.Fatal(err)
		}
		back, run, err := st.MujunRunResult(ctx, auth.All(), id)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, res) {
			t.Errorf("run read back differs:\n got %+v\nwant %+v", back, res)
		}
		if run.Enterprises != 3 || run.Note != "first" || run.CreatedBy != "tester" || run.Counts != cnt || run.ConfigID != "test_2023" {
			t.Errorf("run record %+v", run)
		}

		// A failure at the last result row rolls back the run row and every
		// result written before it.
		runs, results := countRows(t, st, "mujun_run"), countRows(t, st, "mujun_result")
		bad := res
		bad.Enterprises = slices.Clone(res.Enterprises)
		bad.Enterprises[len(bad.Enterprises)-1].EnterpriseID = 987654321 // no such enterprise
		if _, err := st.SaveMujunRun(ctx, bad, mujun.RunMeta{}); err == nil {
			t.Fatal("saving a result for an unknown enterprise succeeded")
		}
		if r2, e2 := countRows(t, st, "mujun_run"), countRows(t, st, "mujun_result"); r2 != runs || e2 != results {
			t.Fatalf("failed save left rows: runs %d→%d, results %d→%d", runs, r2, results, e2)
		}

		// Scope: a district reads its own firms and aggregates only.
		dist, _, err := st.MujunRunResult(ctx, auth.Region(regionA), id)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, e := range dist.Enterprises {
			ids = append(ids, e.EnterpriseID)
		}
		if !slices.Equal(ids, []int64{w.ids[1], w.ids[3]}) {
			t.Errorf("district enterprises %v, want F1, F3", ids)
		}
		for _, a := range slices.Concat(dist.Regions, dist.RegionsByGroup, dist.Parks) {
			if a.RegionCode != regionA {
				t.Errorf("district sees aggregate of %s", a.RegionCode)
			}
		}
		if dist.Total.Firms != 0 || len(dist.Regions) != 1 || len(dist.Parks) != 1 {
			t.Errorf("district aggregates: total %d firms, %d regions, %d parks", dist.Total.Firms, len(dist.Regions), len(dist.Parks))
		}
		own, _, err := st.MujunRunResult(ctx, auth.Enterprise(w.ids[5]), id)
		if err != nil || len(own.Enterprises) != 1 || own.Enterprises[0].EnterpriseID != w.ids[5] || len(own.Regions) != 0 {
			t.Errorf("enterprise scope: %v %+v", err, own.Enterprises)
		}
		if _, _, err := st.MujunRunResult(ctx, auth.All(), id+100); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("missing run: %v", err)
		}

		// Ranked pages: above scale by rank, then below scale; the veto's
		// 5-point deduction is kept.
		page, err := st.MujunResults(ctx, auth.All(), id, mujun.ResultFilter{})
		if err != nil || page.Total != 3 {
			t.Fatalf("results: %v total %d", err, page.Total)
		}
		if page.Items[2].EnterpriseID != w.ids[3] || page.Items[0].Rank != 1 || page.Items[1].Rank != 2 || page.Items[0].Name == "" {
			t.Errorf("ranking: %+v", page.Items)
		}
		for _, it := range page.Items {
			if it.EnterpriseID == w.ids[5] && it.Deducted != 5 {
				t.Errorf("F5 deducted %v, want 5", it.Deducted)
			}
		}
		if p, err := st.MujunResults(ctx, auth.Region(regionB), id, mujun.ResultFilter{}); err != nil || p.Total != 1 || p.Items[0].EnterpriseID != w.ids[5] {
			t.Errorf("district B page: %v %+v", err, p)
		}
		if p, err := st.MujunResults(ctx, auth.Region(regionB), id, mujun.ResultFilter{RegionCode: regionA}); err != nil || p.Total != 0 {
			t.Errorf("district filter widened scope: %v %+v", err, p)
		}
		if rs, err := st.MujunEnterpriseResults(ctx, auth.Enterprise(w.ids[1]), w.ids[3]); err != nil || len(rs) != 0 {
			t.Errorf("enterprise user read another firm's result: %v %+v", err, rs)
		}
		if rs, err := st.MujunEnterpriseResults(ctx, auth.Enterprise(w.ids[3]), w.ids[3]); err != nil || len(rs) != 1 || rs[0].Run.ID != id {
			t.Errorf("own results: %v %+v", err, rs)
		}
	})
}

func TestMujunConfigVersions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		if err := st.SeedMujunBuiltins(ctx); err != nil {
			t.Fatal(err)
		}
		if err := st.SeedMujunBuiltins(ctx); err != nil { // idempotent
			t.Fatal(err)
		}
		list, err := st.MujunConfigs(ctx)
		if err != nil || len(list) != 2 || !list[0].Builtin {
			t.Fatalf("seeded: %v %+v", err, list)
		}
		cfg, err := mujun.Builtin("chongqing_2024")
		if err != nil {
			t.Fatal(err)
		}
		cfg.Groups[0].Indicators[0].Weight = 20
		cfg.Groups[0].Indicators[1].Weight = 30
		saved, err := st.PutMujunConfig(ctx, cfg, mujun.ConfigOptions{By: "admin"})
		if err != nil || saved.Version != 2 {
			t.Fatalf("new version: %v v%d", err, saved.Version)
		}
		got, info, err := st.MujunConfig(ctx, "chongqing_2024", 0)
		if err != nil || info.Version != 2 || got.Groups[0].Indicators[1].Weight != 30 || info.CreatedBy != "admin" {
			t.Fatalf("latest: %v %+v", err, info)
		}
		if old, _, err := st.MujunConfig(ctx, "chongqing_2024", 1); err != nil || old.Groups[0].Indicators[1].Weight != 25 {
			t.Fatalf("v1 changed: %v", err)
		}
		cfg.Groups[0].Indicators[0].Weight = 99 // weights no longer sum to 100
		_, err = st.PutMujunConfig(ctx, cfg, mujun.ConfigOptions{})
		var ve *mujun.ValidationError
		if !errors.As(err, &ve) || !errors.Is(err, mujun.ErrWeightSum) || !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("invalid config: %v", err)
		}
		if n := countRows(t, st, "mujun_config"); n != 3 {
			t.Fatalf("%d configs stored, want 3", n)
		}
		if _, _, err := st.MujunConfig(ctx, "nope", 0); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("unknown config: %v", err)
		}
	})
}

// A run's policy texts are stored once on the run; each result's detail
// refers to them by index and keeps its indicators positionally, reads
// back whole, and rows written before (texts and field names inline)
// still read.
func TestMujunPolicyTextsStoredOnce(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		seedMujunWorld(t, st)
		res, cnt := evaluateMujunWorld(t, st)
		texts := map[mujun.Text]bool{}
		withPolicies := 0
		for _, e := range res.Enterprises {
			for _, p := range e.Policies {
				texts[p.Text] = true
			}
			if len(e.Policies) > 0 {
				withPolicies++
			}
		}
		if withPolicies < 2 {
			t.Fatalf("the fixture applies policies to %d firms; the test needs two or more", withPolicies)
		}
		id, err := st.SaveMujunRun(ctx, res, mujun.RunMeta{Counts: cnt})
		if err != nil {
			t.Fatal(err)
		}
		var stored string
		if err := st.read.QueryRowContext(ctx, `SELECT policy_texts FROM mujun_run WHERE id = $1`, id).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		var runTexts []mujun.Text
		if err := json.Unmarshal([]byte(stored), &runTexts); err != nil {
			t.Fatal(err)
		}
		if len(runTexts) != len(texts) {
			t.Errorf("run keeps %d texts, want the %d distinct ones", len(runTexts), len(texts))
		}
		rows, err := st.read.QueryContext(ctx, `SELECT enterprise_id, detail FROM mujun_result WHERE run_id = $1`, id)
		if err != nil {
			t.Fatal(err)
		}
		details := map[int64]string{}
		for rows.Next() {
			var eid int64
			var d string
			if err := rows.Scan(&eid, &d); err != nil {
				t.Fatal(err)
			}
			details[eid] = d
			if strings.Contains(d, "capped_score") {
				t.Errorf("result %d repeats the indicator field names: %s", eid, d)
			}
			for tx := range texts {
				if strings.Contains(d, tx.Zh) || strings.Contains(d, tx.En) {
					t.Errorf("result %d repeats a policy text: %s", eid, d)
				}
			}
		}
		rows.Close()
		back, _, err := st.MujunRunResult(ctx, auth.All(), id)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back.Enterprises, res.Enterprises) {
			t.Errorf("results read back differ:\n got %+v\nwant %+v", back.Enterprises, res.Enterprises)
		}
		// A row in the format before migration 0015: texts inline.
		var e mujun.EnterpriseResult
		for _, x := range res.Enterprises {
			if len(x.Policies) > 0 {
				e = x
				break
			}
		}
		old, err := json.Marshal(map[string]any{"indicators": e.Indicators, "vetoes": e.Vetoes, "policies": e.Policies})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.write.ExecContext(ctx, `UPDATE mujun_result SET detail = $1 WHERE run_id = $2 AND enterprise_id = $3`, string(old), id, e.EnterpriseID); err != nil {
			t.Fatal(err)
		}
		hist, err := st.MujunEnterpriseResults(ctx, auth.All(), e.EnterpriseID)
		if err != nil || len(hist) != 1 {
			t.Fatalf("history: %v %d", err, len(hist))
		}
		if !reflect.DeepEqual(hist[0].Result.Policies, e.Policies) {
			t.Errorf("an inline-text row reads %+v, want %+v", hist[0].Result.Policies, e.Policies)
		}
	})
}
