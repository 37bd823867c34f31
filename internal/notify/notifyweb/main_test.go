package notifyweb_test

import (
	"os"
	"testing"

	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// TestMain fails the run when a route of this module had no success
// response validated against the OpenAPI document.
func TestMain(m *testing.M) { os.Exit(webtest.Main(m, "notify", nil)) }
