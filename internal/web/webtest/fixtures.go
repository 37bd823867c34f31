package webtest

import (
	"context"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/goals"
	"github.com/industrybrain/ibrain/internal/listing"
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
