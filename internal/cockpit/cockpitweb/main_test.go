package cockpitweb_test

import (
	"os"
	"testing"

	"github.com/industrybrain/ibrain/internal/cockpit/cockpitweb"
	"github.com/industrybrain/ibrain/internal/pdfprint"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// TestMain fails the run when a route of this module had no success
// response validated against the OpenAPI document.
// The PDF briefing needs chromium; on a machine without it (and not told
// to require a browser) its success cannot be shown.
func TestMain(m *testing.M) {
	var exempt map[string]string
	if pdfprint.FromEnv().Available() != nil && os.Getenv("IBRAIN_REQUIRE_BROWSER") == "" {
		exempt = map[string]string{"GET /api/v1/scoreboard.pdf": "chromium is not installed here"}
	}
	os.Exit(webtest.Main(m, "cockpit", exempt))
}

// TestCockpitOpenAPISchemas keeps the cockpit's schemas and wire structs
// in step, field by field.
func TestCockpitOpenAPISchemas(t *testing.T) {
	webtest.CheckWireSchemas(t, webtest.LoadOpenAPI(t, webtest.SQLite(t)), map[string]any{
		"Progress": cockpitweb.APIProgress{}, "Figure": cockpitweb.APIFigure{}, "Figures": cockpitweb.APIFigures{}, "Trend": cockpitweb.APITrend{},
		"Slice": cockpitweb.APISlice{}, "Breakdown": cockpitweb.APIBreakdown{}, "Targets": cockpitweb.APITargets{}, "Scoreboard": cockpitweb.APIScoreboard{},
		"TrendTarget": cockpitweb.APITrendTarget{}, "Spans": cockpitweb.APISpans{}, "SpanRow": cockpitweb.APISpanRow{}, "SpanValue": cockpitweb.APISpanValue{},
	}, nil)
}
