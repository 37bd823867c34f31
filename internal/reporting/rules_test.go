package reporting

import (
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/unit"
)

func builtin(t *testing.T) RuleSet {
	t.Helper()
	sets, err := RuleSets()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := RuleSetFor(sets, report.Period{Year: 2024, Month: 6})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// base is a plausible June report of a medium firm: every rule passes.
func base() (report.Period, report.Values, History) {
	w := int64(unit.Wan)
	v := report.Values{}
	v[report.Output] = 6000 * w
	v[report.ValueAdded] = 1500 * w
	v[report.Revenue] = 5800 * w
	v[report.Profit] = 300 * w
	v[report.RDExpense] = 100 * w
	v[report.Investment] = 200 * w
	v[report.Tax] = 150 * w
	v[report.Energy] = 900 * 1000
	v[report.Employees] = 320
	prev := v
	for f := range prev {
		if report.Fields[f].Kind == report.Cumulative {
			prev[f] = v[f] * 5 / 6
		}
	}
	ly := v
	return report.Period{Year: 2024, Month: 6}, v, History{Prev: &prev, LastYear: &ly, Size: enterprise.SizeMedium, StatusKnown: true, AboveScale: true}
}

func keys(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Key)
	}
	return out
}

func has(fs []Finding, key string) bool {
	for _, f := range fs {
		if f.Key == key {
			return true
		}
	}
	return false
}

func TestBaseReportPasses(t *testing.T) {
	rs := builtin(t)
	p, v, h := base()
	if fs := rs.Evaluate(p, v, h); len(fs) != 0 {
		t.Fatalf("a plausible report has findings %v", keys(fs))
	}
}

// TestRuleBounds checks each rule at its bound (passes), just inside and
// just outside (flagged). Bounds are written out from rules.json by hand.
func TestRuleBounds(t *testing.T) {
	rs := builtin(t)
	w := int64(unit.Wan)
	type tc struct {
		name    string
		key     string
		sev     Severity
		set     func(v *report.Values, h *History)
		flagged bool
	}
	tests := []tc{
		{"investment zero", "non_negative.investment", Error, func(v *report.Values, h *History) { v[report.Investment] = 0; h.Prev[report.Investment] = 0 }, false},
		{"investment −1 fen", "non_negative.investment", Error, func(v *report.Values, h *History) { v[report.Investment] = -1; h.Prev[report.Investment] = -5 }, true},
		{"profit may be negative", "non_negative.profit", Error, func(v *report.Values, h *History) { v[report.Profit] = -100 * w }, false},

		{"output equal to May", "cumulative.output", Error, func(v *report.Values, h *History) { h.Prev[report.Output] = v[report.Output] }, false},
		{"output 1 fen below May", "cumulative.output", Error, func(v *report.Values, h *History) { h.Prev[report.Output] = v[report.Output] + 1 }, true},
		{"no May stored", "cumulative.output", Error, func(v *report.Values, h *History) { h.Prev = nil; v[report.Output] = 1 }, false},

		{"tax at the cap", "overflow.tax", Error, func(v *report.Values, h *History) { v[report.Tax] = 100000000 * w }, false},
		{"tax 1 fen above the cap", "overflow.tax", Error, func(v *report.Values, h *History) { v[report.Tax] = 100000000*w + 1 }, true},
		{"profit 1 fen below −cap", "overflow.profit", Error, func(v *report.Values, h *History) { v[report.Profit] = -100000000*w - 1 }, true},
		{"employees at the cap", "overflow_employees.employees", Error, func(v *report.Values, h *History) { v[report.Employees] = 1000000 }, false},
		{"employees above the cap", "overflow_employees.employees", Error, func(v *report.Values, h *History) { v[report.Employees] = 1000001 }, true},

		{"output 20× last year", "history_bound.output", Error, func(v *report.Values, h *History) { h.LastYear[report.Output] = v[report.Output] / 20 }, false},
		{"output 1 fen above 20×", "history_bound.output", Error, func(v *report.Values, h *History) {
			h.LastYear[report.Output] = v[report.Output] / 20
			v[report.Output]++
		}, true},
		{"no last year", "history_bound.output", Error, func(v *report.Values, h *History) { h.LastYear = nil }, false},

		{"medium output at 2,000,000 万元", "size_bound.output", Error, func(v *report.Values, h *History) { v[report.Output] = 2000000 * w }, false},
		{"medium output 1 fen above", "size_bound.output", Error, func(v *report.Values, h *History) { v[report.Output] = 2000000*w + 1 }, true},
		{"large output far above the medium cap", "size_bound.output", Error, func(v *report.Values, h *History) {
			h.Size = enterprise.SizeLarge
			v[report.Output] = 2000000*w + 1
		}, false},

		{"value added equal to output", "va_le_output.value_added", Error, func(v *report.Values, h *History) { v[report.ValueAdded] = v[report.Output] }, false},
		{"value added 1 fen above output", "va_le_output.value_added", Error, func(v *report.Values, h *History) { v[report.ValueAdded] = v[report.Output] + 1 }, true},

		{"output +50 % exactly", "yoy_band.output", Warning, func(v *report.Values, h *History) { h.LastYear[report.Output] = 4000 * w }, false},
		{"output just above +50 %", "yoy_band.output", Warning, func(v *report.Values, h *History) { h.LastYear[report.Output] = 4000*w - 1 }, true},
		{"output −30 % exactly", "yoy_band.output", Warning, func(v *report.Values, h *History) { h.LastYear[report.Output] = v[report.Output] * 10 / 7 }, false},
		{"output just below −30 %", "yoy_band.output", Warning, func(v *report.Values, h *History) { h.LastYear[report.Output] = v[report.Output]*10/7 + 1 }, true},

		// May cumulative 5000 over 5 months: average 1000; June single at 3000 is 3×.
		{"June single 3× the average", "month_jump.output", Warning, func(v *report.Values, h *History) {
			h.Prev[report.Output] = 5000 * w
			v[report.Output] = 8000 * w
			h.LastYear[report.Output] = 8000 * w
		}, false},
		{"June single just above 3×", "month_jump.output", Warning, func(v *report.Values, h *History) {
			h.Prev[report.Output] = 5000 * w
			v[report.Output] = 8000*w + 1
			h.LastYear[report.Output] = 8000 * w
		}, true},

		{"value added 10 % of output", "va_ratio.value_added", Warning, func(v *report.Values, h *History) { v[report.ValueAdded] = 600 * w; h.Prev[report.ValueAdded] = 0 }, false},
		{"value added just below 10 %", "va_ratio.value_added", Warning, func(v *report.Values, h *History) { v[report.ValueAdded] = 600*w - 1; h.Prev[report.ValueAdded] = 0 }, true},
		{"value added 60 % of output", "va_ratio.value_added", Warning, func(v *report.Values, h *History) { v[report.ValueAdded] = 3600 * w }, false},
		{"value added just above 60 %", "va_ratio.value_added", Warning, func(v *report.Values, h *History) { v[report.ValueAdded] = 3600*w + 1 }, true},

		{"not above scale this year", "above_scale", Warning, func(v *report.Values, h *History) { h.AboveScale = false }, true},
		{"no yearly record", "above_scale", Warning, func(v *report.Values, h *History) { h.StatusKnown = false }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, v, h := base()
			prev, ly := *h.Prev, *h.LastYear
			h.Prev, h.LastYear = &prev, &ly
			tt.set(&v, &h)
			fs := rs.Evaluate(p, v, h)
			if has(fs, tt.key) != tt.flagged {
				t.Fatalf("%s flagged = %v, want %v (findings %v)", tt.key, has(fs, tt.key), tt.flagged, keys(fs))
			}
			for _, f := range fs {
				if f.Key == tt.key && f.Severity != tt.sev {
					t.Errorf("%s severity %s, want %s", f.Key, f.Severity, tt.sev)
				}
			}
			if tt.flagged && Blocking(fs) != (tt.sev == Error) && tt.sev == Error {
				t.Errorf("a hard finding does not block")
			}
		})
	}
}

func TestFindingExplainsItself(t *testing.T) {
	rs := builtin(t)
	p, v, h := base()
	h.Prev[report.Output] = 7000 * int64(unit.Wan)
	fs := rs.Evaluate(p, v, h)
	if len(fs) == 0 {
		t.Fatal("no finding")
	}
	var f Finding
	for _, x := range fs {
		if x.Key == "cumulative.output" {
			f = x
		}
	}
	zh, en := f.Text("zh-CN"), f.Text("en")
	for _, want := range []string{"工业总产值", "6000", "7000", "1至5月"} {
		if !strings.Contains(zh, want) {
			t.Errorf("zh text %q lacks %q", zh, want)
		}
	}
	for _, want := range []string{"Gross industrial output", "6000", "7000", "¥10k"} {
		if !strings.Contains(en, want) {
			t.Errorf("en text %q lacks %q", en, want)
		}
	}
	for _, x := range fs {
		if strings.Contains(x.Text("en"), "%!") || strings.Contains(x.Text("zh-CN"), "%!") {
			t.Errorf("%s renders badly: %s", x.Key, x.Text("en"))
		}
	}
}

func TestExplanations(t *testing.T) {
	rs := builtin(t)
	p, v, h := base()
	h.LastYear[report.Output] = 1000 * int64(unit.Wan) // +500 %: a warning, not blocking
	fs := rs.Evaluate(p, v, h)
	if Blocking(fs) {
		t.Fatalf("warnings block: %v", keys(fs))
	}
	if u := Unexplained(fs); len(u) != 1 || u[0] != "yoy_band.output" {
		t.Fatalf("unexplained = %v, want [yoy_band.output]", u)
	}
	Explain(fs, map[string]string{"yoy_band.output": "new production line"})
	if u := Unexplained(fs); len(u) != 0 {
		t.Fatalf("still unexplained %v", u)
	}
}

func TestRuleSetVersions(t *testing.T) {
	data := `{"rule_sets":[
	 {"version":"a","effective_from":"2022-01-01","rules":[{"id":"x","kind":"non_negative","severity":"error","fields":["output"]}]},
	 {"version":"b","effective_from":"2025-01-01","rules":[{"id":"x","kind":"non_negative","severity":"warning","fields":["output"]}]}]}`
	sets, err := ParseRuleSets([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		p    report.Period
		want string
	}{{report.Period{Year: 2024, Month: 12}, "a"}, {report.Period{Year: 2025, Month: 2}, "b"}} {
		rs, err := RuleSetFor(sets, c.p)
		if err != nil || rs.Version != c.want {
			t.Errorf("rules for %s = %s, %v; want %s", c.p, rs.Version, err, c.want)
		}
	}
	if _, err := RuleSetFor(sets, report.Period{Year: 2021, Month: 6}); err == nil {
		t.Error("a period before every rule set has rules")
	}
	for _, bad := range []string{
		`{"rule_sets":[{"version":"a","effective_from":"2022-01-01","rules":[{"id":"x","kind":"nope","severity":"error","fields":["output"]}]}]}`,
		`{"rule_sets":[{"version":"a","effective_from":"2022-01-01","rules":[{"id":"x","kind":"non_negative","severity":"error","fields":["outptu"]}]}]}`,
		`{"rule_sets":[{"version":"a","effective_from":"2022-01-01","rules":[{"id":"x","kind":"yoy_band","severity":"warning","fields":["output"],"min_pct":"-3e1","max_pct":"5"}]}]}`,
		`{"rule_sets":[{"version":"a","effective_from":"2022-01-01","rules":[{"id":"x","kind":"non_negative","severity":"fatal","fields":["output"]}]}]}`,
	} {
		if _, err := ParseRuleSets([]byte(bad)); err == nil {
			t.Errorf("accepted bad rules %s", bad)
		}
	}
}
