package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// gazelleProfile: revenue ¥10 m in 2021 and ¥15.20875 m in 2024 is a CAGR
// of exactly 15 % (1.15³ = 1.520875), the gazelle bound, which is
// inclusive; one fen less misses it.
const gazelleProfile = `{"name":"测试瞪羚","operating_revenue_fen":{"2021":1000000000,"2024":%s},"titles":[]}`

func TestEvaluateList(t *testing.T) {
	code, out, errOut := run(t, "evaluate", "--list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var sets []struct {
		ID    string `json:"id"`
		Kinds []string
	}
	if err := json.Unmarshal([]byte(out), &sets); err != nil {
		t.Fatalf("--list is not JSON: %v\n%s", err, out)
	}
	ids := map[string]bool{}
	for _, s := range sets {
		ids[s.ID] = true
	}
	for _, want := range []string{"miit2022_innovative_sme", "miit2022_specialized_sme", "miit2022_little_giant", "miit2026_little_giant", "champion2023_single_champion", "cq2023_unicorn", "cq2023_potential_unicorn", "cq2023_gazelle"} {
		if !ids[want] {
			t.Errorf("--list lacks %s", want)
		}
	}
	code, out, _ = run(t, "evaluate", "--list", "--format", "text", "--lang", "en")
	if code != 0 || !strings.Contains(out, "Little giant") && !strings.Contains(out, "little giant") || !strings.Contains(out, "miit2022_little_giant") {
		t.Errorf("text list: %d\n%s", code, out)
	}
}

func TestEvaluateProfileFile(t *testing.T) {
	dir := t.TempDir()
	exact := writeFile(t, dir, "exact.json", strings.Replace(gazelleProfile, "%s", "1520875000", 1))
	short := writeFile(t, dir, "short.json", strings.Replace(gazelleProfile, "%s", "1520874999", 1))

	code, out, errOut := run(t, "evaluate", "--rules", "cq2023_gazelle", "--input", exact, "--date", "2025-06-30")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		Outcome  string              `json:"outcome"`
		Kind     string              `json:"kind"`
		RuleSet  struct{ ID string } `json:"rule_set"`
		Criteria struct {
			Children []struct {
				ID        string `json:"id"`
				Status    string `json:"status"`
				Value     *int64 `json:"value"`
				Threshold *int64 `json:"threshold"`
			} `json:"children"`
		} `json:"criteria"`
		WhatIf []json.RawMessage `json:"what_if"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	// All data criteria are met; a reviewer still judges the new-economy
	// item, so the whole is "needs manual review".
	if res.Outcome != "manual_review" || res.Kind != "new" || res.RuleSet.ID != "cq2023_gazelle" {
		t.Errorf("outcome %s kind %s rule set %s", res.Outcome, res.Kind, res.RuleSet.ID)
	}
	for _, c := range res.Criteria.Children {
		if c.ID == "growth" && (c.Status != "met" || c.Value == nil || *c.Value != 1500 || *c.Threshold != 1500) {
			t.Errorf("growth criterion = %+v, want met at exactly 1500 bp", c)
		}
	}
	if len(res.WhatIf) != 0 {
		t.Errorf("what-if for a met rule: %s", res.WhatIf)
	}

	code, out, _ = run(t, "evaluate", "--rules", "cq2023_gazelle", "--input", short, "--date", "2025-06-30", "--format", "text", "--lang", "en")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"not met", "✗", "What would meet it", "operating revenue 2024 must reach"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
}

func TestEvaluateErrors(t *testing.T) {
	dir := t.TempDir()
	broken := writeFile(t, dir, "broken.json", `{"name": "x", "employees": "many"}`)
	typo := writeFile(t, dir, "typo.json", `{"employes": 10}`)
	bad := writeFile(t, dir, "bad.json", `{"market_share_bp": 12000}`)
	good := writeFile(t, dir, "good.json", `{"employees": 10}`)
	cases := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"broken JSON", []string{"--rules", "cq2023_gazelle", "--input", broken}, 1, "broken.json"},
		{"unknown field", []string{"--rules", "cq2023_gazelle", "--input", typo}, 1, `unknown field "employes"`},
		{"impossible value", []string{"--rules", "cq2023_gazelle", "--input", bad}, 1, "market_share_bp"},
		{"missing file", []string{"--rules", "cq2023_gazelle", "--input", filepath.Join(dir, "none.json")}, 1, "none.json"},
		{"unknown rule set", []string{"--rules", "nope", "--input", good}, 1, `no rule set "nope"`},
		{"input without rules", []string{"--input", good}, 2, "--rules"},
		{"no mode", []string{}, 2, "exactly one"},
		{"two modes", []string{"--list", "--enterprise", "X"}, 2, "exactly one"},
		{"bad format", []string{"--list", "--format", "xml"}, 2, "--format"},
		{"bad date", []string{"--rules", "cq2023_gazelle", "--input", good, "--date", "June"}, 2, "--date"},
		{"kind not judged", []string{"--rules", "miit2026_little_giant", "--input", good, "--kind", "review"}, 1, "does not judge review"},
		{"unknown enterprise", []string{"--enterprise", "91500000XXXXXXXXXX", "--db", "sqlite:" + filepath.Join(dir, "e.db")}, 1, "no enterprise"},
	}
	for _, c := range cases {
		code, out, errOut := run(t, append([]string{"evaluate"}, c.args...)...)
		if code != c.wantCode || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d (want %d), stderr %q (want %q), stdout %.100q", c.name, code, c.wantCode, errOut, c.want, out)
		}
	}
}

func TestEvaluateStoredEnterprise(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "cli.db")
	code := validCode(t, "91500112MA5U7K0X")
	header := "统一社会信用代码,企业名称,所属区县,行业代码,成立日期,用地面积（亩）,年度,是否规上,从业人员,上年营业收入（万元）\n"
	p := writeFile(t, dir, "e.csv", header+code+",重庆测试汽车有限公司,渝北区,3612,2010-05-01,120,2024,是,800,90000\n")
	if c, out, errOut := run(t, "import", "--db", db, "--kind", "enterprises", p); c != 0 {
		t.Fatalf("import: %d %s %s", c, out, errOut)
	}
	c, out, errOut := run(t, "evaluate", "--enterprise", code, "--db", db, "--date", "2025-06-30")
	if c != 0 {
		t.Fatalf("exit %d: %s", c, errOut)
	}
	var doc struct {
		Name   string `json:"name"`
		Date   string `json:"assessment_date"`
		Titles []struct {
			Title  string `json:"title"`
			Result *struct {
				Outcome string `json:"outcome"`
			} `json:"result"`
		} `json:"titles"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%.500s", err, out)
	}
	if doc.Name != "重庆测试汽车有限公司" || doc.Date != "2025-06-30" || len(doc.Titles) != 7 {
		t.Fatalf("doc: %+v", doc)
	}
	// Without reports or profile facts nothing can be met; the founding
	// date alone decides nothing either way for the little giant.
	for _, tt := range doc.Titles {
		if tt.Result == nil || tt.Result.Outcome == "met" {
			t.Errorf("%s: %+v", tt.Title, tt.Result)
		}
	}
	c, out, _ = run(t, "evaluate", "--enterprise", code, "--db", db, "--rules", "cq2023_unicorn", "--date", "2025-06-30", "--format", "text")
	if c != 0 || !strings.Contains(out, "独角兽企业") || !strings.Contains(out, "成立年限") {
		t.Errorf("one rule set, text: %d\n%s", c, out)
	}
}
