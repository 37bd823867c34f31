package cockpitweb_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/reporting"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/unit"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// juneOutputYi sums the fixture firms' stored June 2024 cumulative output
// (every fixture firm is above scale in 2024), in 亿元: the value the
// cockpit's IND_OUTPUT must show, computed from the records.
func juneOutputYi(t *testing.T, env *webtest.Env) float64 {
	t.Helper()
	var fen int64
	for _, label := range []string{webtest.EntWanzhouAuto, webtest.EntWanzhouFood, webtest.EntYuzhongElec} {
		reps, err := env.Store.EnterpriseReports(context.Background(), auth.All(), env.IDs[label], 2024, 2024)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reps {
			if r.Period.Month == 6 {
				fen += r.Values[report.Output]
			}
		}
	}
	return float64(fen) / float64(unit.Yi)
}

// outputKPI reads IND_OUTPUT from /api/v1/stats/kpis for June 2024 on a basis.
func outputKPI(t *testing.T, env *webtest.Env, basis string) float64 {
	t.Helper()
	_, body := env.Do(webtest.Scenario{URL: "/api/v1/stats/kpis?year=2024&month=6&basis=" + basis, User: "analyst", WantStatus: 200})
	var doc struct {
		Figures []struct {
			Code  string   `json:"code"`
			Value *float64 `json:"value"`
		} `json:"figures"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	for _, f := range doc.Figures {
		if f.Code == "IND_OUTPUT" && f.Value != nil {
			return *f.Value
		}
	}
	t.Fatalf("no IND_OUTPUT in %s", body)
	return 0
}

// juneTrendPoint reads June 2024 from the output trend on a basis (the
// whole-year read, which joins published and unpublished months).
func juneTrendPoint(t *testing.T, env *webtest.Env, basis string) float64 {
	t.Helper()
	_, body := env.Do(webtest.Scenario{URL: "/api/v1/stats/trend?indicator=IND_OUTPUT&year=2024&basis=" + basis, User: "analyst", WantStatus: 200})
	var doc struct {
		Points []struct {
			Period string   `json:"period"`
			Value  *float64 `json:"value"`
		} `json:"points"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	for _, p := range doc.Points {
		if p.Period == "2024-06" && p.Value != nil {
			return *p.Value
		}
	}
	t.Fatalf("no 2024-06 in %s", body)
	return 0
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestCockpitAsPublishedAndAsRevised: the city publishes June, a revision
// of one firm's June is accepted; the cockpit's output figure as published
// is the records' sum before the revision, as revised the sum after it, on
// both engines, and the pages carry the switch.
func TestCockpitAsPublishedAndAsRevised(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		ctx := context.Background()
		before := juneOutputYi(t, env)
		if got := outputKPI(t, env, "published"); !near(got, before) {
			t.Fatalf("unpublished June as published = %v, want the current %v", got, before)
		}
		env.Run(t, []webtest.Scenario{
			{Name: "the city publishes June", Method: "POST", URL: "/api/v1/reporting/publish", User: "admin", ContentType: "application/json",
				Body: `{"period": "2024-06"}`, WantStatus: 200},
		})
		// The firm revises its June output up by 50 万元; the city accepts.
		id := env.IDs[webtest.EntWanzhouAuto]
		june := report.Period{Year: 2024, Month: 6}
		reps, err := env.Store.EnterpriseReports(ctx, auth.All(), id, 2024, 2024)
		if err != nil {
			t.Fatal(err)
		}
		var vals report.Values
		for _, r := range reps {
			if r.Period == june {
				vals = r.Values
			}
		}
		vals[report.Output] += 50 * int64(unit.Wan)
		key := reporting.Key{EnterpriseID: id, Period: june}
		firm := reporting.Actor{UserID: env.Users["firm"], EnterpriseID: id, CanFill: true}
		city := reporting.Actor{UserID: env.Users["admin"], CanReview: true, CanPublish: true}
		req := reporting.Request{Key: key, Action: review.Submit, Values: &vals, Reason: "late invoice"}
		_, err = env.App.Reporting.Act(ctx, auth.Enterprise(id), firm, req)
		var re *reporting.RuleError
		if errors.As(err, &re) && len(re.Unexplained) > 0 {
			// The fixture's series trips a soft warning; the firm explains it.
			req.Explanations = map[string]string{}
			for _, k := range re.Unexplained {
				req.Explanations[k] = "one late invoice"
			}
			_, err = env.App.Reporting.Act(ctx, auth.Enterprise(id), firm, req)
		}
		if err != nil {
			t.Fatalf("revision request: %v", err)
		}
		if _, err := env.App.Reporting.Act(ctx, auth.All(), city, reporting.Request{Key: key, Action: review.Accept}); err != nil {
			t.Fatalf("accepting the revision: %v", err)
		}
		after := juneOutputYi(t, env)
		if near(after, before) {
			t.Fatal("the revision did not change the records")
		}
		if got := outputKPI(t, env, "published"); !near(got, before) {
			t.Errorf("June output as published = %v, want %v (the records before the revision)", got, before)
		}
		if got := outputKPI(t, env, "revised"); !near(got, after) {
			t.Errorf("June output as revised = %v, want %v (the records after the revision)", got, after)
		}
		if got := juneTrendPoint(t, env, "published"); !near(got, before) {
			t.Errorf("June in the trend as published = %v, want %v", got, before)
		}
		if got := juneTrendPoint(t, env, "revised"); !near(got, after) {
			t.Errorf("June in the trend as revised = %v, want %v", got, after)
		}
		if got := outputKPI(t, env, ""); !near(got, after) {
			t.Errorf("June output by default = %v, want as revised %v", got, after)
		}
		env.Run(t, []webtest.Scenario{
			{Name: "the cockpit page has the switch", URL: "/?year=2024&month=6&basis=published", User: "admin", WantStatus: 200,
				WantContains: []string{`id="period-basis"`, `value="published" selected`, `id="basis-note"`}},
			{Name: "the district page keeps it", URL: "/districts/500101?year=2024&month=6&basis=published", User: "wanzhou", WantStatus: 200,
				WantContains: []string{`id="period-basis"`, `value="published" selected`}},
			{Name: "as revised by default", URL: "/?year=2024&month=6", User: "admin", WantStatus: 200,
				WantContains: []string{`value="revised" selected`}, WantNotContains: []string{`id="basis-note"`}},
			{Name: "the targets page has the switch", URL: "/targets?year=2024&basis=published", User: "admin", WantStatus: 200,
				WantContains: []string{`id="targets-basis"`, `id="basis-note"`}},
			{Name: "targets as published", URL: "/api/v1/targets?year=2024&month=6&basis=published", User: "admin", WantStatus: 200, WantContains: []string{"test city"}},
			{Name: "trend as published", URL: "/api/v1/stats/trend?indicator=IND_OUTPUT&year=2024&basis=published", User: "admin", WantStatus: 200, WantContains: []string{`"period":"2024-06"`}},
			{Name: "breakdown as published", URL: "/api/v1/stats/breakdown?by=region&year=2024&month=6&basis=published", User: "admin", WantStatus: 200, WantContains: []string{`"key":"500101"`}},
			{Name: "an unknown basis is refused (API)", URL: "/api/v1/stats/kpis?basis=draft", User: "admin", WantStatus: 400, WantContains: []string{"basis"}},
			{Name: "an unknown basis is refused (page)", URL: "/?basis=draft", User: "admin", WantStatus: 400},
		})
	})
}
