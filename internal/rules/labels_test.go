package rules

import (
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/enterprise"
)

// Every label the package looks up is in the catalogue in both languages:
// a missing one would show as its key (rules.…).
func TestLabelsInCatalogue(t *testing.T) {
	check := func(what string, l Text) {
		t.Helper()
		if l.ZH == "" || l.EN == "" || strings.HasPrefix(l.ZH, "rules.") || strings.HasPrefix(l.EN, "rules.") {
			t.Errorf("%s: label %+v is not in internal/i18n/rules.*.json", what, l)
		}
	}
	for name, m := range newMetrics() {
		check("metric "+name, m.label)
		for _, p := range m.parts {
			check("metric "+name+" part "+p.field, p.label)
		}
		if len(m.levels) != len(m.keys) {
			t.Errorf("metric %s: %d levels for %d keys", name, len(m.levels), len(m.keys))
		}
		for i, l := range m.levels {
			check("metric "+name+" level "+m.keys[i], l)
		}
	}
	n := 0
	for key := range labels() {
		if name, ok := strings.CutPrefix(key, "rules.flag."); ok {
			n++
			if _, known := flagPtr(&Profile{}, name); !known {
				t.Errorf("%s labels an unknown flag", key)
			}
			check(key, flagLabel(name))
		}
	}
	if n == 0 {
		t.Error("no flag labels in the catalogue")
	}
	for _, s := range []Status{StatusMet, StatusNotMet, StatusUnknown, StatusManual, StatusNotApplicable} {
		check("status "+s.String(), s.Text())
	}
	for _, k := range []enterprise.TitleKind{enterprise.TitleInnovativeSME, TitleTechInnovativeSME, enterprise.TitleSpecialized,
		enterprise.TitleLittleGiant, enterprise.TitleChampion, enterprise.TitleHighTech, enterprise.TitleUnicorn,
		enterprise.TitlePotentialUni, enterprise.TitleGazelle} {
		check("title "+string(k), titleName(k, nil))
	}
}
