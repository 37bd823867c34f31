package importsweb_test

import (
	"os"
	"testing"

	"github.com/industrybrain/ibrain/internal/imports/importsweb"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// TestMain fails the run when a route of this module had no success
// response validated against the OpenAPI document.
func TestMain(m *testing.M) { os.Exit(webtest.Main(m, "import", nil)) }

// TestImportsOpenAPISchemas keeps the import schemas and wire structs in
// step, field by field.
func TestImportsOpenAPISchemas(t *testing.T) {
	webtest.CheckWireSchemas(t, webtest.LoadOpenAPI(t, webtest.SQLite(t)), map[string]any{
		"ImportResult": importsweb.APIImportResult{}, "ImportRejected": importsweb.APIImportRejected{}, "RowError": importsweb.APIRowError{},
	}, nil)
}
