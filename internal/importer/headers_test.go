package importer

import (
	"strings"
	"testing"
	"unicode"
)

// legacyHeader is the English header earlier templates wrote: the
// snake_case code, with the unit unless the code says it (land_mu).
func legacyHeader(s colSpec) string {
	if s.unitEn != "" && !s.bareEn {
		return s.en + " (" + s.unitEn + ")"
	}
	return s.en
}

// TestEnglishHeadersAreWords checks every kind's English template header
// is words (no snake_case), and that the snake_case headers of earlier
// templates still resolve to the same columns without a warning.
func TestEnglishHeadersAreWords(t *testing.T) {
	sets := map[string]*columnSet{KindEnterprises: enterpriseCols, KindReports: reportCols, KindProfiles: profileCols, KindMujunFacts: mujunCols, KindListing: listingCols}
	for _, kind := range Kinds {
		cs := sets[kind]
		if cs == nil {
			t.Fatalf("%s: no column set in the test", kind)
		}
		header, _, ok := Template(kind, "en")
		if !ok || len(header) != len(cs.specs) {
			t.Fatalf("%s: template of %d columns for %d specs", kind, len(header), len(cs.specs))
		}
		for _, h := range header {
			if strings.Contains(h, "_") || !unicode.IsUpper([]rune(h)[0]) {
				t.Errorf("%s: English header %q is not words", kind, h)
			}
		}
		var rep Report
		idx := cs.resolve(header, 1, &rep)
		if len(rep.Errors)+len(rep.Warnings) != 0 {
			t.Errorf("%s %q: %v %v", kind, header, keysOf(rep.Errors), keysOf(rep.Warnings))
		}
		legacy := make([]string, len(header))
		for j, c := range idx {
			if c < 0 {
				t.Fatalf("%s: column %s absent from the template", kind, cs.specs[j].zh)
			}
			legacy[c] = legacyHeader(cs.specs[j])
		}
		idx2 := cs.resolve(legacy, 1, &rep)
		if len(rep.Errors)+len(rep.Warnings) != 0 {
			t.Errorf("%s %q: %v %v", kind, legacy, keysOf(rep.Errors), keysOf(rep.Warnings))
		}
		for j := range idx {
			if idx2[j] != idx[j] {
				t.Errorf("%s: old header %q read as column %d, want %d", kind, legacy[idx[j]], idx2[j], idx[j])
			}
		}
	}
}
