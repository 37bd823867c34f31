package ssoweb_test

import (
	"testing"

	"github.com/industrybrain/ibrain/internal/testkit"
)

// TestMain removes the databases testkit built. The module has no API
// routes (its routes are the sign-in redirects), so there is no OpenAPI
// coverage to check.
func TestMain(m *testing.M) { testkit.Main(m) }
