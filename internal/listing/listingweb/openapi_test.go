package listingweb

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestListingOpenAPISchemas keeps the listing schemas and wire structs in
// step, field by field.
func TestListingOpenAPISchemas(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{
		"ListedCount": apiListedCount{}, "ListingStageCount": apiListingStageCount{}, "ListingSummary": apiListingSummary{},
		"ListingCount": apiListingCount{}, "ListingYear": apiListingYear{}, "ListingYears": apiListingYears{}, "ListingFirm": apiListingFirm{},
		"ListingPage": apiListingPage{}, "ListingEvent": apiListingEvent{}, "ListingHistory": apiListingHistory{}, "ListingEventInput": apiListingEventInput{},
	} {
		sch, ok := doc.Components.Schemas[name]
		if !ok {
			t.Errorf("schema %s missing", name)
			continue
		}
		var fields, props []string
		rt := reflect.TypeOf(v)
		for i := 0; i < rt.NumField(); i++ {
			if tag, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ","); tag != "" && tag != "-" {
				fields = append(fields, tag)
			}
		}
		for p := range sch.Properties {
			props = append(props, p)
		}
		sort.Strings(fields)
		sort.Strings(props)
		if !slices.Equal(fields, props) {
			t.Errorf("schema %s has %v, struct %T has %v", name, props, v, fields)
		}
	}
}
