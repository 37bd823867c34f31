package instrumentsweb_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/instruments/instrumentsweb"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// Entered evaluation scores over HTTP: only the bureau enters them; the
// usage answer's evaluation then marks the indicator entered and the
// computed ones computed.
func TestEvalScoresAPI(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		insID, _ := marketFixture(t, env)
		d, err := env.Store.InstrumentDetail(context.Background(), insID)
		if err != nil {
			t.Fatal(err)
		}
		year := time.Now().Year()
		body := fmt.Sprintf(`{"unit_id":%d,"year":%d,"indicator":"technical_team","points":4.5,"note":"实验队伍稳定","evidence":"人事处名单"}`, d.UnitID, year)
		js := "application/json"
		env.Run(t, []webtest.Scenario{
			{Name: "UnitCannot", Method: "PUT", URL: "/api/v1/instrument-evaluation-scores", User: "swuadmin", ContentType: js, Body: body, WantStatus: http.StatusForbidden},
			{Name: "ComputedRefused", Method: "PUT", URL: "/api/v1/instrument-evaluation-scores", User: "bureau", ContentType: js,
				Body: fmt.Sprintf(`{"unit_id":%d,"year":%d,"indicator":"shared_hours","points":1,"note":"x"}`, d.UnitID, year), WantStatus: http.StatusBadRequest},
			{Name: "Enter", Method: "PUT", URL: "/api/v1/instrument-evaluation-scores", User: "bureau", ContentType: js, Body: body, WantStatus: http.StatusOK,
				WantContains: []string{`"points":4.5`, "人事处名单"}},
			{Name: "List", URL: fmt.Sprintf("/api/v1/instrument-evaluation-scores?year=%d", year), User: "bureau", WantStatus: http.StatusOK, WantContains: []string{`"indicator":"technical_team"`}},
			{Name: "BadYear", URL: "/api/v1/instrument-evaluation-scores?year=x", User: "bureau", WantStatus: http.StatusBadRequest},
			{Name: "Evaluation", URL: fmt.Sprintf("/api/v1/instruments/usage?year=%d", year), User: "bureau", WantStatus: http.StatusOK,
				WantContains: []string{`"key":"technical_team","group":"organisation","weight":6,"assessed":true,"score":4.5,"source":"entered"`, `"source":"computed"`}},
		})
	})
}

// The entered scores' schemas match their wire structs.
func TestEvalScoreSchemas(t *testing.T) {
	webtest.CheckWireSchemas(t, webtest.LoadOpenAPI(t, webtest.SQLite(t)), map[string]any{
		"InstrumentEvalScore": instrumentsweb.APIEvalScore{}, "InstrumentEvalScores": instrumentsweb.APIEvalScores{}, "InstrumentIndicatorScore": instrumentsweb.APIIndicatorScore{}},
		map[string]any{"InstrumentEvalScoreRequest": instrumentsweb.EvalScoreBody{}})
}
