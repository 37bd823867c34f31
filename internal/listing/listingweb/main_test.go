package listingweb_test

import (
	"os"
	"testing"

	"github.com/industrybrain/ibrain/internal/listing/listingweb"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// TestMain fails the run when a route of this module had no success
// response validated against the OpenAPI document.
func TestMain(m *testing.M) { os.Exit(webtest.Main(m, "listing", nil)) }

// TestListingOpenAPISchemas keeps the listing schemas and wire structs in
// step, field by field.
func TestListingOpenAPISchemas(t *testing.T) {
	webtest.CheckWireSchemas(t, webtest.LoadOpenAPI(t, webtest.SQLite(t)), map[string]any{
		"ListedCount": listingweb.APIListedCount{}, "ListingStageCount": listingweb.APIListingStageCount{}, "ListingSummary": listingweb.APIListingSummary{},
		"ListingCount": listingweb.APIListingCount{}, "ListingYear": listingweb.APIListingYear{}, "ListingYears": listingweb.APIListingYears{},
		"ListingFirm": listingweb.APIListingFirm{}, "ListingPage": listingweb.APIListingPage{}, "ListingEvent": listingweb.APIListingEvent{},
		"ListingHistory": listingweb.APIListingHistory{},
	}, map[string]any{"ListingEventInput": listingweb.APIListingEventInput{}})
}
