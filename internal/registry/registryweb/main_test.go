package registryweb_test

import (
	"os"
	"testing"

	"github.com/industrybrain/ibrain/internal/registry/registryweb"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// TestMain fails the run when a route of the registry's two modules had no
// success response validated against the OpenAPI document.
func TestMain(m *testing.M) {
	os.Exit(webtest.MainModules(m, []string{"enterprises", "reference"}, nil))
}

// TestRegistryOpenAPISchemas keeps the registry's schemas and wire structs
// in step, field by field.
func TestRegistryOpenAPISchemas(t *testing.T) {
	webtest.CheckWireSchemas(t, webtest.LoadOpenAPI(t, webtest.SQLite(t)), map[string]any{
		"Region": registryweb.APIRegion{}, "Cluster": registryweb.APICluster{}, "ClusterCatalogue": registryweb.APIClusterCatalogue{},
		"Indicator": registryweb.APIIndicator{}, "EnterpriseItem": registryweb.APIEnterpriseItem{}, "EnterprisePage": registryweb.APIEnterprisePage{},
		"EnterpriseYear": registryweb.APIEnterpriseYear{}, "Title": registryweb.APITitle{}, "Enterprise": registryweb.APIEnterprise{},
		"Field": registryweb.APIField{}, "SingleValue": registryweb.APISingleValue{}, "ReportMonth": registryweb.APIReportMonth{},
		"Reports": registryweb.APIReports{},
	}, nil)
}
