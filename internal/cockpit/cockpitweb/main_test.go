package cockpitweb_test

import (
	"os"
	"testing"

	"github.com/industrybrain/ibrain/internal/cockpit/cockpitweb"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// TestMain fails the run when a route of this module had no success
// response validated against the OpenAPI document.
func TestMain(m *testing.M) { os.Exit(webtest.Main(m, "cockpit", nil)) }

// TestCockpitOpenAPISchemas keeps the cockpit's schemas and wire structs
// in step, field by field.
func TestCockpitOpenAPISchemas(t *testing.T) {
	webtest.CheckWireSchemas(t, webtest.LoadOpenAPI(t, webtest.SQLite(t)), map[string]any{
		"Progress": cockpitweb.APIProgress{}, "Figure": cockpitweb.APIFigure{}, "Figures": cockpitweb.APIFigures{}, "Trend": cockpitweb.APITrend{},
		"Slice": cockpitweb.APISlice{}, "Breakdown": cockpitweb.APIBreakdown{}, "Targets": cockpitweb.APITargets{}, "Scoreboard": cockpitweb.APIScoreboard{},
	}, nil)
}
