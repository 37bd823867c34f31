package web_test

import (
	"os"
	"testing"

	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// TestMain fails the run when a route of the core (the routes no feature
// module contributes) had no success response validated against the
// OpenAPI document.
func TestMain(m *testing.M) { os.Exit(webtest.Main(m, "", nil)) }
