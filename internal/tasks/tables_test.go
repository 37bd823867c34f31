package tasks

import (
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/target"
)

func builtinCat(t *testing.T) *indicator.Catalogue {
	t.Helper()
	cat, err := indicator.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// The built-in tables are the two of seed-figures.md: 18 manufacturing
// rows and 21 人社 rows with their comparators.
func TestBuiltinTables(t *testing.T) {
	ts, err := BuiltinTables()
	if err != nil {
		t.Fatal(err)
	}
	mfg, ok1 := ts.ByCode("mfg-2024")
	hr, ok2 := ts.ByCode("hrss-2024")
	if !ok1 || !ok2 || len(ts.Tables) != 2 {
		t.Fatalf("tables %+v", ts.Tables)
	}
	if len(mfg.Rows) != 18 || mfg.Department != "市经信委" || !mfg.Scoreboard || mfg.Source != "2024重庆制造业任务表" {
		t.Errorf("manufacturing table: %d rows, %s, scoreboard %v", len(mfg.Rows), mfg.Department, mfg.Scoreboard)
	}
	if len(hr.Rows) != 21 || hr.Department != "市人力社保局" || hr.Scoreboard {
		t.Errorf("人社 table: %d rows, %s", len(hr.Rows), hr.Department)
	}
	want := map[string]struct {
		cmp target.Comparator
		v   float64
	}{
		"HRSS_NEW_URBAN_JOBS":        {target.AtLeast, 600000},
		"HRSS_SURVEYED_UNEMPLOYMENT": {target.About, 5.5},
		"HRSS_PENSION_INSURED":       {target.AtLeast, 26540000},
		"HRSS_SATISFACTION":          {target.AtLeast, 97},
	}
	for _, r := range hr.Rows {
		if w, ok := want[r.Indicator]; ok {
			if r.Comparator != w.cmp || r.Value != w.v {
				t.Errorf("%s: %s %g, want %s %g", r.Indicator, r.Comparator, r.Value, w.cmp, w.v)
			}
			delete(want, r.Indicator)
		}
	}
	if len(want) > 0 {
		t.Errorf("rows missing: %v", want)
	}
	if n := len(ts.Targets()); n != 39 {
		t.Errorf("%d targets, want 39", n)
	}
	if !ts.OnScoreboard(mfg.Source) || ts.OnScoreboard(hr.Source) || !ts.OnScoreboard("test city") {
		t.Error("only the manufacturing table (and sources of no table) belong on the 数读 panel")
	}
}

// A third bureau's table is data only: a catalogue and a tables file, no
// code.
func TestThirdTableFromData(t *testing.T) {
	cat, err := indicator.Parse([]byte(`{"indicators": [
		{"code": "COM_VISITORS", "unit": "persons", "frequency": "yearly", "kind": "point", "aggregation": "manual", "department": "市商务委", "source": "manual", "higher_is_better": true},
		{"code": "COM_VACANCY", "unit": "percent", "frequency": "yearly", "kind": "point", "aggregation": "manual", "department": "市商务委", "source": "manual"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	ts, err := ParseTables([]byte(`{"tables": [{"code": "commerce-2024", "name_zh": "2024商务任务表", "name_en": "2024 commerce", "department": "市商务委",
		"year": 2024, "source": "2024重庆商务任务表", "rows": [
		{"indicator": "COM_VISITORS", "comparator": ">=", "value": 11910000},
		{"indicator": "COM_VACANCY", "comparator": "<=", "value": 8}]}]}`), cat)
	if err != nil {
		t.Fatal(err)
	}
	got := ts.Targets()
	if len(got) != 2 || got[1].Comparator != target.AtMost || got[1].Value != 8 || got[0].Source != "2024重庆商务任务表" || got[0].ScopeKind != target.ScopeCity {
		t.Fatalf("targets %+v", got)
	}
	if ts.OnScoreboard("2024重庆商务任务表") {
		t.Error("a table not marked for the 数读 panel is on it")
	}
}

func TestParseTablesRefuses(t *testing.T) {
	cat := builtinCat(t)
	row := `{"indicator": "NEW_KEY_LABS", "comparator": ">=", "value": 1}`
	table := func(code, source, rows string) string {
		return `{"code": "` + code + `", "name_zh": "表", "name_en": "T", "department": "市科技局", "year": 2024, "source": "` + source + `", "rows": [` + rows + `]}`
	}
	for name, tc := range map[string]struct{ json, want string }{
		"unknown indicator": {`{"tables": [` + table("a-1", "s", `{"indicator": "NOPE", "comparator": ">=", "value": 1}`) + `]}`, "not in the catalogue"},
		"bad comparator":    {`{"tables": [` + table("a-1", "s", `{"indicator": "NEW_KEY_LABS", "comparator": ">", "value": 1}`) + `]}`, "comparator"},
		"repeated code":     {`{"tables": [` + table("a-1", "s", row) + `,` + table("a-1", "t", row) + `]}`, "repeated"},
		"indicator twice":   {`{"tables": [` + table("a-1", "s", row) + `,` + table("b-1", "t", row) + `]}`, "already a 2024 target"},
		"bad code":          {`{"tables": [` + table("A 1", "s", row) + `]}`, "code is not"},
		"no rows":           {`{"tables": [` + table("a-1", "s", "") + `]}`, "no rows"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseTables([]byte(tc.json), cat)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestFormatValue(t *testing.T) {
	for v, want := range map[int64]string{0: "0", 55000: "5.5", -12345: "-1.2345", 6000000000: "600000", 1: "0.0001"} {
		if got := FormatValue(v); got != want {
			t.Errorf("FormatValue(%d) = %q, want %q", v, got, want)
		}
	}
}
