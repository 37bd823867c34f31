package cultivationweb_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/cultivation/cultivationweb"
	"github.com/industrybrain/ibrain/internal/rules"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// The fixture's reports run to 2024-06, so December 2023 is the latest
// complete year and the default assessment date is 2024-06-30: "prior
// year" is 2023, where 万州汽车 reported ¥1.2 m of revenue (12 months ×
// 1000万/100 fen), 万州食品 ¥2.4 m and 渝中电子 ¥3.6 m
// (webtest.SeedCultivation gives the firms their facts and titles).
const fixtureAsOf = "2024-06-30"

const gazelleBody = `{"name":"测试瞪羚","operating_revenue_fen":{"2021":1000000000,"2024":1520875000},"titles":[]}`

func TestCultivationAPI(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		webtest.SeedCultivation(t, env)
		big := `{"name":"` + strings.Repeat("x", 300<<10) + `"}`
		env.Run(t, []webtest.Scenario{
			{Name: "rule sets", URL: "/api/v1/rulesets", User: "firm", WantStatus: 200,
				WantContains: []string{`"id":"miit2022_little_giant"`, `"id":"cq2023_gazelle"`, `"effective_from":"2022-08-01"`}},
			{Name: "rule sets need sign-in", URL: "/api/v1/rulesets", WantStatus: 401},

			// A posted profile: exactly on the 15 % growth bound (inclusive).
			{Name: "evaluate a profile", Method: "POST", URL: "/api/v1/rulesets/cq2023_gazelle/evaluate?date=2025-06-30", User: "firm", Body: gazelleBody,
				ContentType: "application/json", WantStatus: 200,
				WantContains: []string{`"outcome":"manual_review"`, `"id":"growth"`, `"status":"met"`, `"value":1500`, `"threshold":1500`, `"what_if":[]`}},
			{Name: "evaluate: bad JSON is a clear 400", Method: "POST", URL: "/api/v1/rulesets/cq2023_gazelle/evaluate", User: "firm", Body: `{"employees": "many"`,
				ContentType: "application/json", WantStatus: 400, WantContains: []string{`"code":"invalid"`, "企业画像 JSON 无效"}},
			{Name: "evaluate: unknown field in English", Method: "POST", URL: "/api/v1/rulesets/cq2023_gazelle/evaluate?lang=en", User: "firm", Body: `{"employes": 1}`,
				ContentType: "application/json", WantStatus: 400, WantContains: []string{"Invalid profile JSON", `unknown field \"employes\"`}},
			{Name: "evaluate: impossible value", Method: "POST", URL: "/api/v1/rulesets/cq2023_gazelle/evaluate", User: "firm", Body: `{"market_share_bp": 12000}`,
				ContentType: "application/json", WantStatus: 400, WantContains: []string{"market_share_bp"}},
			{Name: "evaluate: empty body", Method: "POST", URL: "/api/v1/rulesets/cq2023_gazelle/evaluate", User: "firm", WantStatus: 400},
			{Name: "evaluate: too large", Method: "POST", URL: "/api/v1/rulesets/cq2023_gazelle/evaluate", User: "firm", Body: big, ContentType: "application/json", WantStatus: 413},
			{Name: "evaluate: unknown rule set", Method: "POST", URL: "/api/v1/rulesets/nope/evaluate", User: "firm", Body: gazelleBody, WantStatus: 404},
			{Name: "evaluate: kind not judged", Method: "POST", URL: "/api/v1/rulesets/miit2026_little_giant/evaluate?kind=review", User: "firm", Body: gazelleBody, WantStatus: 400},
			{Name: "evaluate: bad date", Method: "POST", URL: "/api/v1/rulesets/cq2023_gazelle/evaluate?date=soon", User: "firm", Body: gazelleBody, WantStatus: 400},

			// Eligibility: scope decides, out of scope is 404.
			{Name: "eligibility as admin", URL: "/api/v1/enterprises/{wz-auto}/eligibility", User: "admin", WantStatus: 200,
				WantContains: []string{`"assessment_date":"` + fixtureAsOf + `"`, `"title":"specialized_sme"`, `"held":true`, `"kind":"review"`,
					`"id":"miit2022_specialized_sme"`, `"kind":"expiring_soon"`, `"kind":"review_due"`, `"what_if":[{`, webtest.NameWZAuto}},
			{Name: "eligibility on a chosen date uses the 2026 rules", URL: "/api/v1/enterprises/{wz-auto}/eligibility?date=2026-06-30", User: "admin", WantStatus: 200,
				WantContains: []string{`"id":"miit2026_tech_innovative_sme"`, `"id":"miit2026_little_giant"`}},
			{Name: "eligibility own firm", URL: "/api/v1/enterprises/{wz-auto}/eligibility", User: "firm", WantStatus: 200},
			{Name: "eligibility another firm 404", URL: "/api/v1/enterprises/{wz-food}/eligibility", User: "firm", WantStatus: 404, WantNotContains: []string{webtest.NameWZFood}},
			{Name: "eligibility other district 404", URL: "/api/v1/enterprises/{yz-elec}/eligibility", User: "wanzhou", WantStatus: 404, WantNotContains: []string{webtest.NameYZElec}},
			{Name: "eligibility bad date", URL: "/api/v1/enterprises/{wz-auto}/eligibility?date=2024-13-01", User: "admin", WantStatus: 400},

			// Funnel and candidates.
			{Name: "funnel city", URL: "/api/v1/cultivation/funnel", User: "admin", WantStatus: 200,
				WantContains: []string{`"assessment_date":"` + fixtureAsOf + `"`, `"title":"innovative_sme","rung":1`, `"qualifying":2`, `"screened":3`}},
			{Name: "funnel district", URL: "/api/v1/cultivation/funnel", User: "wanzhou", WantStatus: 200,
				WantContains: []string{`"qualifying":1`, `"screened":2`}, WantNotContains: []string{`"screened":3`}},
			{Name: "funnel other district 403", URL: "/api/v1/cultivation/funnel?region=500103", User: "wanzhou", WantStatus: 403},
			{Name: "funnel not for enterprise users", URL: "/api/v1/cultivation/funnel", User: "firm", WantStatus: 403},
			{Name: "candidates city", URL: "/api/v1/cultivation/candidates?title=innovative_sme", User: "analyst", WantStatus: 200,
				WantContains: []string{webtest.NameWZFood, webtest.NameYZElec, `"total":2`, `"rule_set_id":"miit2022_innovative_sme"`}},
			{Name: "candidates district sees only its own", URL: "/api/v1/cultivation/candidates?title=innovative_sme", User: "wanzhou", WantStatus: 200,
				WantContains: []string{webtest.NameWZFood, `"total":1`}, WantNotContains: []string{webtest.NameYZElec}},
			{Name: "candidates by region", URL: "/api/v1/cultivation/candidates?title=innovative_sme&region=500103", User: "admin", WantStatus: 200,
				WantContains: []string{webtest.NameYZElec, `"total":1`}, WantNotContains: []string{webtest.NameWZFood}},
			{Name: "candidates other district 403", URL: "/api/v1/cultivation/candidates?region=500103", User: "wanzhou", WantStatus: 403, WantNotContains: []string{webtest.NameYZElec}},
			{Name: "candidates not for enterprise users", URL: "/api/v1/cultivation/candidates", User: "firm", WantStatus: 403},
			{Name: "candidates bad title", URL: "/api/v1/cultivation/candidates?title=emperor", User: "admin", WantStatus: 400, WantContains: []string{"title"}},
			{Name: "candidates bad status", URL: "/api/v1/cultivation/candidates?status=maybe", User: "admin", WantStatus: 400},
			{Name: "candidates paging", URL: "/api/v1/cultivation/candidates?title=innovative_sme&per_page=1&page=2", User: "admin", WantStatus: 200,
				WantContains: []string{`"total":2`, `"rank":2`}, WantNotContains: []string{`"rank":1`}},
		})

		t.Run("xlsx export obeys scope", func(t *testing.T) {
			for _, c := range []struct {
				user       string
				want, deny []string
			}{
				{"admin", []string{webtest.NameWZFood, webtest.NameYZElec}, nil},
				{"wanzhou", []string{webtest.NameWZFood}, []string{webtest.NameYZElec}},
			} {
				res, body := env.Do(webtest.Scenario{URL: "/api/v1/cultivation/candidates.xlsx?title=innovative_sme", User: c.user})
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
				for _, r := range sh.Rows {
					// The cluster and the rule set by name, not code (issue 12).
					if cl, rs := r.Cells[4], r.Cells[11]; strings.HasPrefix(cl, "L") && strings.Contains(cl, "-") || strings.Contains(rs, "miit") || rs == "" {
						t.Errorf("%s: codes in the export: cluster %q, rule set %q", c.user, cl, rs)
					}
				}
				if sh.Header[0] != "排名" {
					t.Errorf("header %v", sh.Header)
				}
			}
		})

		t.Run("eligibility explains the failed criterion", func(t *testing.T) {
			_, body := env.Do(webtest.Scenario{URL: "/api/v1/enterprises/{wz-auto}/eligibility", User: "admin"})
			var doc struct {
				Titles []struct {
					Title  string        `json:"title"`
					Result *rules.Result `json:"-"`
					Raw    struct {
						Outcome  string   `json:"outcome"`
						Criteria struct { // the SME precondition and the tier's conditions
							Children []struct {
								ID       string `json:"id"`
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
				for _, top := range tt.Raw.Criteria.Children {
					for _, c := range top.Children {
						for _, l := range c.Children {
							if l.ID != "revenue_min" {
								continue
							}
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
	env := webtest.New(t, "sqlite:"+t.TempDir()+"/ui.db")
	webtest.SeedCultivation(t, env)
	env.Run(t, []webtest.Scenario{
		{Name: "profile links to eligibility", URL: "/enterprises/{wz-auto}", User: "admin", WantStatus: 200,
			WantContains: []string{`href="/enterprises/{wz-auto}/eligibility"`}},
		{Name: "eligibility page", URL: "/enterprises/{wz-auto}/eligibility", User: "admin", WantStatus: 200,
			WantContains: []string{"称号评价", "专精特新中小企业", "上年营业收入 ¥120万，要求 ≥ ¥1,000万", "2023年营业收入需达到 ¥1,000万（&#43;¥880万）",
				`data-criterion="revenue_min" data-status="not_met"`, "即将到期", "专精特新中小企业（2022版）", "复核"},
			WantNotContains: []string{"miit2022_specialized_sme", "miit2022_innovative_sme"}}, // rule sets by name, not id (issue 12)
		{Name: "eligibility page in English", URL: "/enterprises/{wz-auto}/eligibility?lang=en", User: "admin", WantStatus: 200,
			WantContains: []string{"Title eligibility", "Prior-year operating revenue ¥1.2 M, required ≥ ¥10 M", "What would meet it"}},
		{Name: "eligibility page own firm", URL: "/enterprises/{wz-auto}/eligibility", User: "firm", WantStatus: 200},
		{Name: "eligibility page another firm", URL: "/enterprises/{wz-food}/eligibility", User: "firm", WantStatus: 404, WantNotContains: []string{webtest.NameWZFood}},
		{Name: "eligibility page other district", URL: "/enterprises/{yz-elec}/eligibility", User: "wanzhou", WantStatus: 404, WantNotContains: []string{webtest.NameYZElec}},
		{Name: "cultivation page city", URL: "/cultivation?title=innovative_sme", User: "admin", WantStatus: 200,
			WantContains: []string{"优质企业梯度培育", `id="funnel-table"`, webtest.NameWZFood, webtest.NameYZElec, "candidates.xlsx"}},
		{Name: "cultivation page district", URL: "/cultivation?title=innovative_sme", User: "wanzhou", WantStatus: 200,
			WantContains: []string{webtest.NameWZFood}, WantNotContains: []string{webtest.NameYZElec}},
		{Name: "cultivation page other district", URL: "/cultivation?region=500103", User: "wanzhou", WantStatus: 403, WantNotContains: []string{webtest.NameYZElec}},
		{Name: "cultivation page sends enterprise users to their own eligibility", URL: "/cultivation", User: "firm", WantStatus: http.StatusSeeOther,
			WantHeader: map[string]string{"Location": env.Expand("/enterprises/{wz-auto}/eligibility")}},
		{Name: "help page", URL: "/help/cultivation", User: "wanzhou", WantStatus: 200, WantContains: []string{"梯度培育"}},
	})
}

// TestCultivationSchemasMatchWireTypes keeps this module's documented
// schemas and wire structs in step.
func TestCultivationSchemasMatchWireTypes(t *testing.T) {
	webtest.CheckWireSchemas(t, webtest.LoadOpenAPI(t, webtest.SQLite(t)), map[string]any{
		"RuleSetList": cultivationweb.APIRuleSetList{}, "Funnel": cultivationweb.APIFunnel{}, "CandidatePage": cultivationweb.APICandidatePage{}, "Candidate": cultivationweb.APICandidate{},
		"Eligibility": cultivation.EligibilityDoc{}, "TitleEligibility": cultivation.TitleDoc{}, "RuleSetInfo": rules.RuleSetInfo{},
		"Reminder": rules.Reminder{}, "Text": rules.Text{},
		// The funnel step flattens cultivation.Step into the wire step.
		"FunnelStep": cultivationweb.APIFunnelStep{},
	}, map[string]any{
		// A profile is also the body of POST /rulesets/{id}/evaluate, where
		// every field is optional, so only its properties are compared.
		"Profile": rules.Profile{}, "ProfileIP": rules.IP{}, "ProfileAward": rules.Award{}, "ProfilePlacement": rules.Placement{},
		"ProfileStandard": rules.Standard{}, "ProfileDomain": rules.Domain{}, "ProfileQuality": rules.Quality{}, "HeldTitle": rules.HeldTitle{},
	})
}
