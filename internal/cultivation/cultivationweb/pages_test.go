package cultivationweb_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/cultivation/cultivationweb"
	"github.com/industrybrain/ibrain/internal/rules"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// criterionRowsViaJSON is the oracle for criterionRows: the rows read
// back from the engine's JSON form of the tree, the wire format the API
// serves.
func criterionRowsViaJSON(t *testing.T, n *rules.Node, lang string) []cultivationweb.CriterionRow {
	type critJSON struct {
		ID            string      `json:"id"`
		Label         rules.Text  `json:"label"`
		StatusKey     string      `json:"status"`
		ValueText     *rules.Text `json:"value_text"`
		ThresholdText *rules.Text `json:"threshold_text"`
		Explanation   rules.Text  `json:"explanation"`
		Children      []critJSON  `json:"children"`
	}
	b, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	var root critJSON
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatal(err)
	}
	var out []cultivationweb.CriterionRow
	var walk func(c *critJSON, depth int)
	walk = func(c *critJSON, depth int) {
		if c.StatusKey == "not_applicable" && depth > 0 {
			return
		}
		row := cultivationweb.CriterionRow{ID: c.ID, Depth: min(depth, 6), Leaf: len(c.Children) == 0, StatusKey: c.StatusKey,
			Status: cultivationweb.StatusText(c.StatusKey).Lang(lang), Label: c.Label.Lang(lang), Explanation: c.Explanation.Lang(lang)}
		if c.ValueText != nil {
			row.Value = c.ValueText.Lang(lang)
		}
		if c.ThresholdText != nil {
			row.Threshold = c.ThresholdText.Lang(lang)
		}
		out = append(out, row)
		for i := range c.Children {
			walk(&c.Children[i], depth+1)
		}
	}
	walk(&root, 0)
	return out
}

// TestCriterionRowsMatchJSON: the eligibility page's rows, rendered from
// the tree in one language, say what the API's JSON says, for every rule
// set the fixture firms and a posted profile meet on two dates.
func TestCriterionRowsMatchJSON(t *testing.T) {
	env := webtest.New(t, webtest.EngineDSNs(t)["sqlite"](t))
	webtest.SeedCultivation(t, env)
	var trees []*rules.Node
	for _, d := range []time.Time{time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC), time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)} {
		for _, id := range env.IDs {
			el, _, err := env.App.Cultivation.Eligibility(context.Background(), auth.All(), id, d)
			if err != nil {
				t.Fatal(err)
			}
			for _, te := range el.Titles {
				if te.Result != nil {
					trees = append(trees, te.Result.Criteria)
				}
			}
		}
		p, err := rules.DecodeProfile(strings.NewReader(gazelleBody))
		if err != nil {
			t.Fatal(err)
		}
		reg, err := env.App.Cultivation.Rules()
		if err != nil {
			t.Fatal(err)
		}
		for _, info := range reg.List() {
			rs, err := reg.Get(info.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []rules.Kind{rules.KindNew, rules.KindReview} {
				if !rs.Supports(k) {
					continue
				}
				res, err := rs.Evaluate(p, rules.Context{AssessmentDate: d, Kind: k})
				if err != nil {
					t.Fatal(err)
				}
				trees = append(trees, res.Criteria)
			}
		}
	}
	rows, values := 0, 0
	for _, n := range trees {
		for _, lang := range []string{"zh-CN", "en"} {
			got, want := cultivationweb.CriterionRows(n, lang), criterionRowsViaJSON(t, n, lang)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s %s:\n got %+v\nwant %+v", n.ID(), lang, got, want)
			}
			rows += len(got)
			for _, r := range got {
				if r.Value != "" {
					values++
				}
			}
		}
	}
	if len(trees) < 20 || values == 0 {
		t.Errorf("%d trees, %d rows, %d with values: the comparison covers too little", len(trees), rows, values)
	}
}
