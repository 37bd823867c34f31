package rules

import (
	"sync"

	"github.com/industrybrain/ibrain/internal/i18n"
)

// The labels of metrics, their inputs, ordinal levels and flags are texts a
// user reads in explanations, so they live in the message catalogue,
// internal/i18n/rules.{zh-CN,en}.json, under these keys:
//
//	rules.metric.<metric>         a metric's label
//	rules.part.<profile field>    an input's label ({y} stands for its year)
//	rules.level.<metric>.<key>    a UnitLevel metric's ordinal
//	rules.flag.<flag>             a Profile flag
//	rules.node.<kind>             a default criterion label
var labels = sync.OnceValue(func() map[string][2]string { return i18n.Pairs("rules") })

// lbl returns the catalogue's texts of rules.<key>; a key the catalogue
// lacks shows as itself (TestLabelsInCatalogue rules that out).
func lbl(key string) Text {
	p, ok := labels()["rules."+key]
	if !ok {
		return Text{ZH: "rules." + key, EN: "rules." + key}
	}
	return Text{ZH: p[0], EN: p[1]}
}

// levelLabels returns the labels of a UnitLevel metric's ordinals, in the
// order of keys.
func levelLabels(metric string, keys []string) []Text {
	out := make([]Text, len(keys))
	for i, k := range keys {
		out[i] = lbl("level." + metric + "." + k)
	}
	return out
}
