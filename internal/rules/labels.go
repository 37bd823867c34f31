package rules

import (
	"fmt"
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

// tf formats the catalogue's rules.<key> in lang; a Text argument is
// rendered in lang.
func tf(lang, key string, args ...any) string {
	a := make([]any, len(args))
	for i, v := range args {
		if t, ok := v.(Text); ok {
			v = t.Lang(lang)
		}
		a[i] = v
	}
	return fmt.Sprintf(lbl(key).Lang(lang), a...)
}

// tb formats rules.<key> in both languages.
func tb(key string, args ...any) Text {
	return Text{ZH: tf(zh, key, args...), EN: tf(en, key, args...)}
}
