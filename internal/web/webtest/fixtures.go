package webtest

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/digital"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/goals"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/listing"
	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/rules"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Feature fixtures shared by the feature's own tests and the cross-feature
// ones (the browser tour, the access matrix).

// day parses an ISO date; the fixtures' dates are literals.
func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// SeedListing gives the three fixture firms a listing record:
//
//	wz-auto (万州)  reform 2023-01-10, tutoring 2024-02-07 (agreement 01-31, 中信证券)
//	wz-food (万州)  listed 2022-06-01 on the SZSE main board, IPO 10亿元
//	yz-elec (渝中)  full route, listed 2023-09-01 on STAR, IPO 25.5亿元
//
// At 2024-02-29 the city has 1 firm in tutoring and 2 listed (both
// domestic); 2023's domestic IPO proceeds are 25.5亿元, 155 % above 2022's
// 10亿元. 万州 alone: 1 in tutoring, 1 listed, no 2023 listing.
func SeedListing(t *testing.T, env *Env) {
	t.Helper()
	recs := []listing.Record{
		{EnterpriseID: env.IDs[EntWanzhouAuto], Events: []listing.Event{
			{Stage: listing.StageReform, Date: day("2023-01-10")},
			{Stage: listing.StageTutoring, Date: day("2024-02-07"), AgreedOn: day("2024-01-31"), Sponsor: "中信证券股份有限公司"}}},
		{EnterpriseID: env.IDs[EntWanzhouFood], Events: []listing.Event{
			{Stage: listing.StageListed, Date: day("2022-06-01"), Board: listing.BoardSZSEMain, Kind: listing.KindIPO, Proceeds: 10 * unit.Yi}}},
		{EnterpriseID: env.IDs[EntYuzhongElec], Events: []listing.Event{
			{Stage: listing.StageTutoring, Date: day("2021-03-01"), Sponsor: "国泰君安证券股份有限公司"},
			{Stage: listing.StageAccepted, Date: day("2022-06-01"), Board: listing.BoardSTAR},
			{Stage: listing.StageReview, Date: day("2023-03-01")},
			{Stage: listing.StageRegistered, Date: day("2023-06-01")},
			{Stage: listing.StageListed, Date: day("2023-09-01"), Board: listing.BoardSTAR, Kind: listing.KindIPO, Proceeds: 255 * unit.Yi / 10}}},
	}
	if _, err := env.Store.PutListingRecords(context.Background(), recs, "test"); err != nil {
		t.Fatal(err)
	}
}

// SeedCultivation gives the fixture firms profile facts and titles:
//
//   - 万州汽车 holds 专精特新 (granted 2021-08-20, valid to 2024-08-20, so
//     re-reviewed, with reminders) and fails its revenue criterion: ¥1.2 m
//     against ¥10 m, and ¥19.99 m of equity financing against ¥20 m;
//   - 万州食品 has a provincial R&D institution and 渝中电子 the high-tech
//     honour: either is a direct route to 创新型中小企业.
func SeedCultivation(t *testing.T, env *Env) {
	t.Helper()
	ctx := context.Background()
	fen := func(v int64) *unit.Fen { f := unit.Fen(v); return &f }
	if err := env.Store.PutTitles(ctx, []enterprise.Title{{EnterpriseID: env.IDs[EntWanzhouAuto], Kind: enterprise.TitleSpecialized, Level: enterprise.LevelProvincial,
		GrantedOn: time.Date(2021, 8, 20, 0, 0, 0, 0, time.UTC), ValidUntil: time.Date(2024, 8, 20, 0, 0, 0, 0, time.UTC)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.PutProfileFacts(ctx, []cultivation.YearFacts{
		{EnterpriseID: env.IDs[EntWanzhouAuto], Year: 2023, Source: "test", Facts: cultivation.Facts{NicheYears: rules.Ptr[int64](8), EquityFinancing2Y: fen(1999 * int64(unit.Wan))}},
		{EnterpriseID: env.IDs[EntWanzhouFood], Year: 2023, Source: "test", Facts: cultivation.Facts{RDInstitution: rules.Ptr(rules.LevelProvincial)}},
		{EnterpriseID: env.IDs[EntYuzhongElec], Year: 2023, Source: "test", Facts: cultivation.Facts{Honours: []string{"high_tech"}}},
	}); err != nil {
		t.Fatal(err)
	}
}

// SeedGoals adds titles and two goal plans to the fixture. 2024: four new
// 专精特新 (万州 3, 渝中 1); 2027: ten gazelles (万州 6, 渝中 4) from the
// end-2022 stock.
func SeedGoals(t *testing.T, env *Env) {
	t.Helper()
	ctx := context.Background()
	if err := env.Store.PutTitles(ctx, []enterprise.Title{
		{EnterpriseID: env.IDs[EntWanzhouAuto], Kind: enterprise.TitleSpecialized, Level: enterprise.LevelProvincial, GrantedOn: day("2024-03-01"), ValidUntil: day("2027-03-01")},
		{EnterpriseID: env.IDs[EntYuzhongElec], Kind: enterprise.TitleSpecialized, Level: enterprise.LevelProvincial, GrantedOn: day("2024-05-01"), ValidUntil: day("2027-05-01")},
		{EnterpriseID: env.IDs[EntWanzhouFood], Kind: enterprise.TitleGazelle, Level: enterprise.LevelProvincial, GrantedOn: day("2022-06-01"), ValidUntil: day("2025-06-01")},
		{EnterpriseID: env.IDs[EntWanzhouAuto], Kind: enterprise.TitleGazelle, Level: enterprise.LevelProvincial, GrantedOn: day("2023-06-01"), ValidUntil: day("2026-06-01")},
	}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []goals.Plan{
		{ID: "t-2024", Version: 1, EffectiveFrom: day("2024-01-01"), NameZh: "2024", NameEn: "2024", Source: "测试任务表", Measure: goals.New, BaseYear: 2023, GoalYear: 2024,
			AlertPct: 80, ExcellentPct: 120, Goals: []goals.Goal{{IndicatorCode: "NEW_SPECIALIZED", City: 4, Districts: map[string]int{"500101": 3, "500103": 1}}}},
		{ID: "t-2027", Version: 1, EffectiveFrom: day("2023-01-01"), NameZh: "2027", NameEn: "2027", Source: "测试目标", Measure: goals.Stock, BaseYear: 2022, GoalYear: 2027,
			AlertPct: 90, ExcellentPct: 110, Goals: []goals.Goal{{IndicatorCode: "GAZELLE_COUNT", City: 10, Districts: map[string]int{"500101": 6, "500103": 4}}}},
	} {
		if err := env.Store.PutGoalPlan(ctx, p, env.Users["admin"]); err != nil {
			t.Fatal(err)
		}
	}
}

// SeedMujun adds parks and supplied facts for 2023 to the fixture and
// two runs made through the API: run 1 under chongqing_2023 v1 (rank
// shares), run 2 under v2 (a single score threshold: everybody A).
func SeedMujun(t *testing.T, env *Env) {
	t.Helper()
	ctx := context.Background()
	if err := env.Store.SeedMujunBuiltins(ctx); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.PutMujunParks(ctx, []mujun.Park{{Code: "500101-P1", RegionCode: "500101", NameZh: "万州工业园区", NameEn: "Wanzhou Industrial Park"}}); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.PutMujunFacts(ctx, []mujun.Supplied{
		{EnterpriseID: env.IDs[EntWanzhouAuto], Year: 2023, ParkCode: "500101-P1", Electricity: mujun.Some[int64](1_000_000), Source: "test"},
		{EnterpriseID: env.IDs[EntWanzhouFood], Year: 2023, ParkCode: "500101-P1", Electricity: mujun.Some[int64](2_000_000), Source: "test"},
	}); err != nil {
		t.Fatal(err)
	}
	cfg := MujunConfig2023(t)
	body, _ := json.Marshal(cfg)
	for i, want := range []string{`"version":1`, `"version":2`} {
		if i == 1 {
			cfg.Classes.Cutoff = mujun.Cutoff{Method: mujun.Score, Thresholds: []mujun.ClassThreshold{{Class: "A", MinScore: 0}, {Class: "D", MinScore: 0}}}
			body, _ = json.Marshal(cfg)
		}
		res, out := env.Do(Scenario{Method: "POST", URL: "/api/v1/mujun/configs", User: "admin", Body: string(body), ContentType: "application/json"})
		if res.StatusCode != http.StatusCreated || !strings.Contains(out, want) {
			t.Fatalf("upload config %d: %d %.400s", i+1, res.StatusCode, out)
		}
	}
	for _, v := range []string{"1", "2"} {
		res, out := env.Do(Scenario{Method: "POST", URL: "/api/v1/mujun/runs", User: "admin", ContentType: "application/json",
			Body: `{"year":2023,"config_id":"chongqing_2023","config_version":` + v + `,"note":"web test"}`})
		if res.StatusCode != http.StatusCreated || !strings.Contains(out, `"id":`+v) {
			t.Fatalf("run v%s: %d %.400s", v, res.StatusCode, out)
		}
	}
}

// MujunConfig2023 is the built-in 2024 configuration moved to 2023 (id
// chongqing_2023), the configuration SeedMujun uploads.
func MujunConfig2023(t *testing.T) mujun.Config {
	t.Helper()
	cfg, err := mujun.Builtin("chongqing_2024")
	if err != nil {
		t.Fatal(err)
	}
	cfg.ID, cfg.Year, cfg.EffectiveFrom = "chongqing_2023", 2023, "2024-01-01"
	return cfg
}

// SeedInstruments adds one owning unit and one open instrument with an
// hourly service item (instrument id 1 in a fresh fixture), so the
// instrument pages have a record to show.
func SeedInstruments(t *testing.T, env *Env) int64 {
	t.Helper()
	ctx := context.Background()
	us, err := env.Store.PutUnits(ctx, []instruments.Unit{{Name: "西南大学", Type: instruments.University, RegionCode: "500109"}})
	if err != nil {
		t.Fatal(err)
	}
	in := instruments.Instrument{UnitID: us[0].ID, LocalID: "SEM-01", Name: "场发射扫描电镜", ClassCode: "01", Subclass: "电子光学仪器", Model: "SU8010",
		Manufacturer: "日立", Country: "日本", OriginalValue: 3_000_000 * unit.Yuan, RegionCode: "500109", Capabilities: "表面形貌 能谱分析",
		Status: instruments.Open, EnrolledOn: "2023-05-01", Modes: []instruments.Mode{instruments.SelfOperation}, Rules: instruments.DefaultRules()}
	items := []instruments.ServiceItem{{Name: "机时", Mode: instruments.SelfOperation, Unit: instruments.PerHour, Rates: []instruments.Rate{
		{Category: instruments.EnterpriseUser, EffectiveFrom: "2024-01-01", Price: 400 * unit.Yuan}}}}
	created, err := env.Store.CreateInstrument(ctx, in, items, nil)
	if err != nil {
		t.Fatal(err)
	}
	return created.ID
}

// SeedDigital gives the 万州 auto-parts firm a digital record: an accepted
// demonstration project (project id 1 in a fresh fixture) and an applied
// one, two years of maturity, two digital workshops and a smart factory,
// so the digital pages have records to show.
func SeedDigital(t *testing.T, env *Env) int64 {
	t.Helper()
	ctx := context.Background()
	r, err := digital.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	id := env.IDs[EntWanzhouAuto]
	ps := []digital.Project{
		{Code: "WZ-2023-001", EnterpriseID: id, Name: "总装线智能化改造", Kind: digital.KindIntelligent, Scenarios: []string{"F01", "M01"},
			Planned: 3200 * unit.Wan, Demonstration: true, StartOn: day("2023-03-01"), EndOn: day("2023-10-31"),
			Measures: []digital.Measure{{Indicator: digital.IndProductivity, Before: 10000, After: 16000}, {Indicator: digital.IndDefectRate, Before: 300, After: 120}},
			Events: []digital.Event{{Stage: digital.StageApplied, Date: day("2023-02-01")}, {Stage: digital.StageApproved, Date: day("2023-02-20"), Level: digital.LevelCity},
				{Stage: digital.StageMilestone, Date: day("2023-07-01"), Amount: 1500 * unit.Wan}, {Stage: digital.StageAccepted, Date: day("2023-12-01"), Amount: 3100 * unit.Wan},
				{Stage: digital.StageSubsidised, Date: day("2024-02-01"), Amount: 200 * unit.Wan}}},
		{Code: "WZ-2024-002", EnterpriseID: id, Name: "仓储物流数字化改造", Kind: digital.KindDigital, Scenarios: []string{"P03"},
			Planned: 450 * unit.Wan, StartOn: day("2024-05-01"), EndOn: day("2024-12-31"),
			Events: []digital.Event{{Stage: digital.StageApplied, Date: day("2024-04-01")}}},
	}
	opts := digital.WriteOptions{Rules: r, By: "fixture", ExpectEvents: -1}
	if _, err := env.Store.PutDigitalProjects(ctx, auth.All(), ps, opts); err != nil {
		t.Fatal(err)
	}
	nc := int64(7200)
	if _, err := env.Store.PutDigitalMaturity(ctx, auth.All(), []digital.Maturity{
		{EnterpriseID: id, Year: 2023, CMMM: 2, SMELevel: 3, NCRate: &nc, Cloud: true, Source: digital.SourceZJTX, Evidence: "2023-118"},
		{EnterpriseID: id, Year: 2024, CMMM: 3, NCRate: &nc, Cloud: true, Source: digital.SourceC3MEP}}, opts); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.AddDigitalRecognitions(ctx, auth.All(), []digital.Recognition{
		{EnterpriseID: id, Rung: digital.RungWorkshop, Name: "总装数字化车间", RecognisedOn: day("2022-06-28"), Batch: "2022年第一批"},
		{EnterpriseID: id, Rung: digital.RungWorkshop, Name: "冲压数字化车间", RecognisedOn: day("2022-06-28"), Batch: "2022年第一批"},
		{EnterpriseID: id, Rung: digital.RungSmart, Name: "汽车零部件智能工厂", RecognisedOn: day("2023-12-20"), Batch: "2023年第二批"}}, opts); err != nil {
		t.Fatal(err)
	}
	return 1
}
