package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/rules"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The fixture's reports run to 2024-06, so December 2023 is the latest
// complete year and the default assessment date is 2024-06-30: "prior
// year" is 2023, where 万州汽车 reported ¥1.2 m of revenue (12 months ×
// 1000万/100 fen), 万州食品 ¥2.4 m and 渝中电子 ¥3.6 m.
const fixtureAsOf = "2024-06-30"

// seedCultivation gives the fixture firms profile facts and titles:
//
//   - 万州汽车 holds 专精特新 (granted 2021-08-20, valid to 2024-08-20, so
//     re-reviewed, with reminders) and fails its revenue criterion: ¥1.2 m
//     against ¥10 m, and ¥19.99 m of equity financing against ¥20 m;
//   - 万州食品 has a provincial R&D institution and 渝中电子 the high-tech
//     honour: either is a direct route to 创新型中小企业.
func seedCultivation(t *testing.T, env *testEnv) {
	t.Helper()
	ctx := context.Background()
	fen := func(v int64) *unit.Fen { f := unit.Fen(v); return &f }
	if err := env.store.PutTitles(ctx, []enterprise.Title{{EnterpriseID: env.ids[entWanzhouAuto], Kind: enterprise.TitleSpecialized, Level: enterprise.LevelProvincial,
		GrantedOn: time.Date(2021, 8, 20, 0, 0, 0, 0, time.UTC), ValidUntil: time.Date(2024, 8, 20, 0, 0, 0, 0, time.UTC)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.store.PutProfileFacts(ctx, []cultivation.YearFacts{
		{EnterpriseID: env.ids[entWanzhouAuto], Year: 2023, Source: "test", Facts: cultivation.Facts{NicheYears: rules.Ptr[int64](8), EquityFinancing2Y: fen(1999 * int64(unit.Wan))}},
		{EnterpriseID: env.ids[entWanzhouFood], Year: 2023, Source: "test", Facts: cultivation.Facts{RDInstitution: rules.Ptr(rules.LevelProvincial)}},
		{EnterpriseID: env.ids[entYuzhongElec], Year: 2023, Source: "test", Facts: cultivation.Facts{Honours: []string{"high_tech"}}},
	}); err != nil {
		t.Fatal(err)
	}
}

const gazelleBody = `{"name":"测试瞪羚","operating_revenue_fen":{"2021":1000000000,"2024":1520875000},"titles":[]}`

func TestCultivationAPI(t *testing.T) {
	forEachTestEngine(t, func(t *testing.T, env *testEnv) {
		seedCultivation(t, env)
		big := `{"name":"` + strings.Repeat("x", 300<<10) + `"}`
		env.run(t, []scenario{
			{name: "rule sets", url: "/api/v1/rulesets", user: "firm", wantStatus: 200,
				wantContains: []string{`"id":"miit2022_little_giant"`, `"id":"cq2023_gazelle"`, `"effective_from":"2022-08-01"`}},
			{name: "rule sets need sign-in", url: "/api/v1/rulesets", wantStatus: 401},

			// A posted profile: exactly on the 15 % growth bound (inclusive).
			{name: "evaluate a profile", method: "POST", url: "/api/v1/rulesets/cq2023_gazelle/evaluate?date=2025-06-30", user: "firm", body: gazelleBody,
				contentType: "application/json", wantStatus: 200,
				wantContains: []string{`"outcome":"manual_review"`, `"id":"growth"`, `"status":"met"`, `"value":1500`, `"threshold":1500`, `"what_if":[]`}},
			{name: "evaluate: bad JSON is a clear 400", method: "POST", url: "/api/v1/rulesets/cq2023_gazelle/evaluate", user: "firm", body: `{"employees": "many"`,
				contentType: "application/json", wantStatus: 400, wantContains: []string{`"code":"invalid"`, "企业画像 JSON 无效"}},
			{name: "evaluate: unknown field in English", method: "POST", url: "/api/v1/rulesets/cq2023_gazelle/evaluate?lang=en", user: "firm", body: `{"employes": 1}`,
				contentType: "application/json", wantStatus: 400, wantContains: []string{"Invalid profile JSON", `unknown field \"employes\"`}},
			{name: "evaluate: impossible value", method: "POST", url: "/api/v1/rulesets/cq2023_gazelle/evaluate", user: "firm", body: `{"market_share_bp": 12000}`,
				contentType: "application/json", wantStatus: 400, wantContains: []string{"market_share_bp"}},
			{name: "evaluate: empty body", method: "POST", url: "/api/v1/rulesets/cq2023_gazelle/evaluate", user: "firm", wantStatus: 400},
			{name: "evaluate: too large", method: "POST", url: "/api/v1/rulesets/cq2023_gazelle/evaluate", user: "firm", body: big, contentType: "application/json", wantStatus: 413},
			{name: "evaluate: unknown rule set", method: "POST", url: "/api/v1/rulesets/nope/evaluate", user: "firm", body: gazelleBody, wantStatus: 404},
			{name: "evaluate: kind not judged", method: "POST", url: "/api/v1/rulesets/miit2026_little_giant/evaluate?kind=review", user: "firm", body: gazelleBody, wantStatus: 400},
			{name: "evaluate: bad date", method: "POST", url: "/api/v1/rulesets/cq2023_gazelle/evaluate?date=soon", user: "firm", body: gazelleBody, wantStatus: 400},

			// Eligibility: scope decides, out of scope is 404.
			{name: "eligibility as admin", url: "/api/v1/enterprises/{wz-auto}/eligibility", user: "admin", wantStatus: 200,
				wantContains: []string{`"assessment_date":"` + fixtureAsOf + `"`, `"title":"specialized_sme"`, `"held":true`, `"kind":"review"`,
					`"id":"miit2022_specialized_sme"`, `"kind":"expiring_soon"`, `"kind":"review_due"`, `"what_if":[{`, nameWZAuto}},
			{name: "eligibility on a chosen date uses the 2026 rules", url: "/api/v1/enterprises/{wz-auto}/eligibility?date=2026-06-30", user: "admin", wantStatus: 200,
				wantContains: []string{`"id":"miit2026_tech_innovative_sme"`, `"id":"miit2026_little_giant"`}},
			{name: "eligibility own firm", url: "/api/v1/enterprises/{wz-auto}/eligibility", user: "firm", wantStatus: 200},
			{name: "eligibility another firm 404", url: "/api/v1/enterprises/{wz-food}/eligibility", user: "firm", wantStatus: 404, wantNotContains: []string{nameWZFood}},
			{name: "eligibility other district 404", url: "/api/v1/enterprises/{yz-elec}/eligibility", user: "wanzhou", wantStatus: 404, wantNotContains: []string{nameYZElec}},
			{name: "eligibility bad date", url: "/api/v1/enterprises/{wz-auto}/eligibility?date=2024-13-01", user: "admin", wantStatus: 400},

			// Funnel and candidates.
			{name: "funnel city", url: "/api/v1/cultivation/funnel", user: "admin", wantStatus: 200,
				wantContains: []string{`"assessment_date":"` + fixtureAsOf + `"`, `"title":"innovative_sme","rung":1`, `"qualifying":2`, `"screened":3`}},
			{name: "funnel district", url: "/api/v1/cultivation/funnel", user: "wanzhou", wantStatus: 200,
				wantContains: []string{`"qualifying":1`, `"screened":2`}, wantNotContains: []string{`"screened":3`}},
			{name: "funnel other district 403", url: "/api/v1/cultivation/funnel?region=500103", user: "wanzhou", wantStatus: 403},
			{name: "funnel not for enterprise users", url: "/api/v1/cultivation/funnel", user: "firm", wantStatus: 403},
			{name: "candidates city", url: "/api/v1/cultivation/candidates?title=innovative_sme", user: "analyst", wantStatus: 200,
				wantContains: []string{nameWZFood, nameYZElec, `"total":2`, `"rule_set_id":"miit2022_innovative_sme"`}},
			{name: "candidates district sees only its own", url: "/api/v1/cultivation/candidates?title=innovative_sme", user: "wanzhou", wantStatus: 200,
				wantContains: []string{nameWZFood, `"total":1`}, wantNotContains: []string{nameYZElec}},
			{name: "candidates by region", url: "/api/v1/cultivation/candidates?title=innovative_sme&region=500103", user: "admin", wantStatus: 200,
				wantContains: []string{nameYZElec, `"total":1`}, wantNotContains: []string{nameWZFood}},
			{name: "candidates other district 403", url: "/api/v1/cultivation/candidates?region=500103", user: "wanzhou", wantStatus: 403, wantNotContains: []string{nameYZElec}},
			{name: "candidates not for enterprise users", url: "/api/v1/cultivation/candidates", user: "firm", wantStatus: 403},
			{name: "candidates bad title", url: "/api/v1/cultivation/candidates?title=emperor", user: "admin", wantStatus: 400, wantContains: []string{"title"}},
			{name: "candidates bad status", url: "/api/v1/cultivation/candidates?status=maybe", user: "admin", wantStatus: 400},
			{name: "candidates paging", url: "/api/v1/cultivation/candidates?title=innovative_sme&per_page=1&page=2", user: "admin", wantStatus: 200,
				wantContains: []string{`"total":2`, `"rank":2`}, wantNotContains: []string{`"rank":1`}},
		})

		t.Run("xlsx export obeys scope", func(t *testing.T) {
			for _, c := range []struct {
				user       string
				want, deny []string
			}{
				{"admin", []string{nameWZFood, nameYZElec}, nil},
				{"wanzhou", []string{nameWZFood}, []string{nameYZElec}},
			} {
				res, body := env.do(scenario{url: "/api/v1/cultivation/candidates.xlsx?title=innovative_sme", user: c.user})
				if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
					t.Fatalf("%s: status %d %s", c.user, res.StatusCode, res.Header.Get("Content-Type"))
				}
				sh, err := tabular.Read(bytes.NewReader([]byte(body)), "x.xlsx", tabular.Options{})
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, r := range sh.Rows {
					names = append(names, r.Cells[2])
				}
				all := strings.Join(names, "|")
				for _, w := range c.want {
					if !strings.Contains(all, w) {
						t.Errorf("%s: xlsx lacks %s: %v", c.user, w, names)
					}
				}
				for _, d := range c.deny {
					if strings.Contains(all, d) {
						t.Errorf("%s: xlsx contains %s", c.user, d)
					}
				}
				if sh.Header[0] != "排名" {
					t.Errorf("header %v", sh.Header)
				}
			}
		})

		t.Run("eligibility explains the failed criterion", func(t *testing.T) {
			_, body := env.do(scenario{url: "/api/v1/enterprises/{wz-auto}/eligibility", user: "admin"})
			var doc struct {
				Titles []struct {
					Title  string        `json:"title"`
					Result *rules.Result `json:"-"`
					Raw    struct {
						Outcome  string `json:"outcome"`
						Criteria struct {
							Children []struct {
								ID       string `json:"id"`
								Status   string `json:"status"`
								Children []struct {
									ID          string     `json:"id"`
									Status      string     `json:"status"`
									Value       *int64     `json:"value"`
									Threshold   *int64     `json:"threshold"`
									Explanation rules.Text `json:"explanation"`
								} `json:"children"`
							} `json:"children"`
						} `json:"criteria"`
						WhatIf []struct {
							NodeID string     `json:"node_id"`
							Text   rules.Text `json:"text"`
						} `json:"what_if"`
					} `json:"result"`
				} `json:"titles"`
			}
			if err := json.Unmarshal([]byte(body), &doc); err != nil {
				t.Fatal(err)
			}
			var found bool
			for _, tt := range doc.Titles {
				if tt.Title != "specialized_sme" {
					continue
				}
				if tt.Raw.Outcome != "not_met" {
					t.Errorf("outcome %s", tt.Raw.Outcome)
				}
				for _, c := range tt.Raw.Criteria.Children {
					for _, l := range c.Children {
						if l.ID == "revenue_min" {
							found = true
							// ¥1.2 m used against ¥10 m, both in fen.
							if l.Status != "not_met" || l.Value == nil || *l.Value != 120_000_000 || *l.Threshold != 1_000_000_000 ||
								l.Explanation.ZH != "上年营业收入 ¥120万，要求 ≥ ¥1,000万" {
								t.Errorf("revenue_min = %+v", l)
							}
						}
					}
				}
				var texts []string
				for _, w := range tt.Raw.WhatIf {
					texts = append(texts, w.Text.ZH)
				}
				all := strings.Join(texts, "\n")
				for _, w := range []string{"2023年营业收入需达到 ¥1,000万（+¥880万）", "近2年新增股权融资额：近2年股权融资需达到 ¥2,000万（+¥1万）"} {
					if !strings.Contains(all, w) {
						t.Errorf("what-if lacks %q:\n%s", w, all)
					}
				}
			}
			if !found {
				t.Error("no revenue_min criterion")
			}
		})
	})
}

func TestCultivationPages(t *testing.T) {
	env := newTestEnv(t, "sqlite:"+t.TempDir()+"/ui.db")
	seedCultivation(t, env)
	env.run(t, []scenario{
		{name: "profile links to eligibility", url: "/enterprises/{wz-auto}", user: "admin", wantStatus: 200,
			wantContains: []string{`href="/enterprises/{wz-auto}/eligibility"`}},
		{name: "eligibility page", url: "/enterprises/{wz-auto}/eligibility", user: "admin", wantStatus: 200,
			wantContains: []string{"称号评价", "专精特新中小企业", "上年营业收入 ¥120万，要求 ≥ ¥1,000万", "2023年营业收入需达到 ¥1,000万（&#43;¥880万）",
				`data-criterion="revenue_min" data-status="not_met"`, "即将到期", "miit2022_specialized_sme", "复核"}},
		{name: "eligibility page in English", url: "/enterprises/{wz-auto}/eligibility?lang=en", user: "admin", wantStatus: 200,
			wantContains: []string{"Title eligibility", "Prior-year operating revenue ¥1.2 M, required ≥ ¥10 M", "What would meet it"}},
		{name: "eligibility page own firm", url: "/enterprises/{wz-auto}/eligibility", user: "firm", wantStatus: 200},
		{name: "eligibility page another firm", url: "/enterprises/{wz-food}/eligibility", user: "firm", wantStatus: 404, wantNotContains: []string{nameWZFood}},
		{name: "eligibility page other district", url: "/enterprises/{yz-elec}/eligibility", user: "wanzhou", wantStatus: 404, wantNotContains: []string{nameYZElec}},
		{name: "cultivation page city", url: "/cultivation?title=innovative_sme", user: "admin", wantStatus: 200,
			wantContains: []string{"优质企业梯度培育", `id="funnel-table"`, nameWZFood, nameYZElec, "candidates.xlsx"}},
		{name: "cultivation page district", url: "/cultivation?title=innovative_sme", user: "wanzhou", wantStatus: 200,
			wantContains: []string{nameWZFood}, wantNotContains: []string{nameYZElec}},
		{name: "cultivation page other district", url: "/cultivation?region=500103", user: "wanzhou", wantStatus: 403, wantNotContains: []string{nameYZElec}},
		{name: "cultivation page sends enterprise users to their own eligibility", url: "/cultivation", user: "firm", wantStatus: http.StatusSeeOther,
			wantHeader: map[string]string{"Location": env.expand("/enterprises/{wz-auto}/eligibility")}},
		{name: "help page", url: "/help/cultivation", user: "wanzhou", wantStatus: 200, wantContains: []string{"梯度培育"}},
	})
}

// TestCultivationSchemasMatchWireTypes keeps this module's documented
// schemas and wire structs in step.
func TestCultivationSchemasMatchWireTypes(t *testing.T) {
	checkWireSchemas(t, loadOpenAPI(t), map[string]any{
		"RuleSetList": apiRuleSetList{}, "Funnel": apiFunnel{}, "CandidatePage": apiCandidatePage{}, "Candidate": apiCandidate{},
		"Eligibility": cultivation.EligibilityDoc{}, "TitleEligibility": cultivation.TitleDoc{}, "RuleSetInfo": rules.RuleSetInfo{},
		"Reminder": rules.Reminder{}, "Text": rules.Text{},
		// The funnel step flattens cultivation.Step into the wire step.
		"FunnelStep": apiFunnelStep{},
	}, map[string]any{
		// A profile is also the body of POST /rulesets/{id}/evaluate, where
		// every field is optional, so only its properties are compared.
		"Profile": rules.Profile{}, "ProfileIP": rules.IP{}, "ProfileAward": rules.Award{}, "ProfilePlacement": rules.Placement{},
		"ProfileStandard": rules.Standard{}, "ProfileDomain": rules.Domain{}, "ProfileQuality": rules.Quality{}, "HeldTitle": rules.HeldTitle{},
	})
}
