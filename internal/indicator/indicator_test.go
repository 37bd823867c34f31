package indicator

import (
	"strings"
	"testing"
)

func mustBuiltin(t *testing.T) *Catalogue {
	t.Helper()
	c, err := Builtin()
	if err != nil {
		t.Fatalf("Builtin: %v", err)
	}
	return c
}

func TestBuiltinLoads(t *testing.T) {
	c := mustBuiltin(t)
	t.Run("51 indicators", func(t *testing.T) {
		if n := len(c.Indicators); n != 51 {
			t.Fatalf("got %d", n)
		}
	})
	t.Run("versioned with an effective date", func(t *testing.T) {
		if c.Version == "" || c.EffectiveFrom != "2022-01-01" {
			t.Fatalf("version %q from %q", c.Version, c.EffectiveFrom)
		}
	})
	t.Run("11 monthly computed and 40 yearly", func(t *testing.T) {
		n := map[string]int{}
		for _, d := range c.Indicators {
			n[d.Frequency]++
		}
		if n["monthly"] != 11 || n["yearly"] != 40 {
			t.Fatalf("got %v", n)
		}
	})
}

// The statistics engine switches on these exact measure names; a renamed
// measure would fail there at run time, so pin them here.
func TestMeasures(t *testing.T) {
	c := mustBuiltin(t)
	tests := []struct {
		code, measure, unit, aggregation, source string
	}{
		{"IND_OUTPUT", "output", "yi_yuan", "sum", "computed"},
		{"IND_VA_GROWTH", "va_real_growth", "percent", "growth", "computed"},
		{"IND_OUTPUT_GROWTH", "output_growth", "percent", "growth", "computed"},
		{"IND_REVENUE", "revenue", "yi_yuan", "sum", "computed"},
		{"IND_PROFIT", "profit", "yi_yuan", "sum", "computed"},
		{"MFG_INVEST_GROWTH", "mfg_investment_growth", "percent", "growth", "computed"},
		{"IND_INVEST_GROWTH", "investment_growth", "percent", "growth", "computed"},
		{"SEI_VA_SHARE", "sei_va_share", "percent", "share", "computed"},
		{"RD_INTENSITY", "rd_intensity", "percent", "ratio", "computed"},
		{"ZJTX_RD_INTENSITY", "specialized_rd_intensity", "percent", "ratio", "computed"},
		{"ABOVE_SCALE_COUNT", "enterprise_count", "count", "count", "computed"},
		{"NEW_SPECIALIZED", "new_titles_specialized", "count", "count", "computed"},
		{"NEW_LITTLE_GIANTS", "new_titles_little_giant", "count", "count", "computed"},
		{"NEW_CHAMPIONS", "new_titles_single_champion", "count", "count", "computed"},
		{"UNICORN_COUNT", "titles_held_unicorn", "count", "count", "computed"},
		{"POTENTIAL_UNICORN_COUNT", "titles_held_potential_unicorn", "count", "count", "computed"},
		{"GAZELLE_COUNT", "titles_held_gazelle", "count", "count", "computed"},
		{"MFG_VA_GDP_SHARE", "", "percent", "share", "manual"},
		{"DIGITAL_CORE_VA_GROWTH", "", "percent", "growth", "manual"},
		{"NEW_INDUSTRY_BRAINS", "", "count", "manual", "manual"},
		{"NEW_FUTURE_FACTORIES", "digital_new_future_factories", "count", "count", "computed"},
		{"NEW_SMART_FACTORIES", "digital_new_smart_factories", "count", "count", "computed"},
		{"NEW_DIGITAL_WORKSHOPS", "digital_new_digital_workshops", "count", "count", "computed"},
		{"NEW_SOFTWARE_FIRMS", "", "count", "manual", "manual"},
		{"NEW_SOFTWARE_EMPLOYEES", "", "persons", "manual", "manual"},
		{"SOFTWARE_INDUSTRY_SIZE", "", "yi_yuan", "manual", "manual"},
		{"NEW_MFG_INNOVATION_CENTRES", "", "count", "manual", "manual"},
		{"NEW_KEY_LABS", "", "count", "manual", "manual"},
		{"NEW_ENTERPRISE_TECH_CENTRES", "", "count", "manual", "manual"},
		{"TECH_RENOVATION_PROJECTS", "digital_renovation_projects", "count", "count", "computed"},
		// The 人社 bureau's 2024 task table (internal/tasks/tables.json).
		{"HRSS_NEW_URBAN_JOBS", "", "persons", "manual", "manual"},
		{"HRSS_REEMPLOYMENT", "", "persons", "manual", "manual"},
		{"HRSS_HARDSHIP_JOBS", "", "persons", "manual", "manual"},
		{"HRSS_SURVEYED_UNEMPLOYMENT", "", "percent", "manual", "manual"},
		{"HRSS_PENSION_INSURED", "", "persons", "manual", "manual"},
		{"HRSS_UNEMPLOYMENT_INSURED", "", "persons", "manual", "manual"},
		{"HRSS_INJURY_INSURED", "", "persons", "manual", "manual"},
		{"HRSS_INJURY_COVERAGE_PROJECTS", "", "percent", "manual", "manual"},
		{"HRSS_TALENT_ATTRACTED", "", "persons", "manual", "manual"},
		{"HRSS_POSTDOC_RECRUITS", "", "persons", "manual", "manual"},
		{"HRSS_SENIOR_WORKER_CERTS", "", "persons", "manual", "manual"},
		{"HRSS_TECHNICIAN_CERTS", "", "persons", "manual", "manual"},
		{"HRSS_TECH_SCHOOL_ENROLMENT", "", "persons", "manual", "manual"},
		{"HRSS_SUBSIDISED_TRAINING", "", "persons", "manual", "manual"},
		{"HRSS_ARBITRATION_CLOSURE", "", "percent", "manual", "manual"},
		{"HRSS_MEDIATION_SUCCESS", "", "percent", "manual", "manual"},
		{"HRSS_INSPECTION_CLOSURE", "", "percent", "manual", "manual"},
		{"HRSS_WAGE_COMPLAINT_CLOSURE", "", "percent", "manual", "manual"},
		{"HRSS_ESSC_COVERAGE", "", "percent", "manual", "manual"},
		{"HRSS_ONLINE_SERVICES", "", "percent", "manual", "manual"},
		{"HRSS_SATISFACTION", "", "percent", "manual", "manual"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			d, ok := c.ByCode(tt.code)
			if !ok {
				t.Fatal("missing")
			}
			if d.Measure != tt.measure || d.Unit != tt.unit || d.Aggregation != tt.aggregation || d.Source != tt.source {
				t.Fatalf("got measure %q unit %q aggregation %q source %q", d.Measure, d.Unit, d.Aggregation, d.Source)
			}
		})
	}
	t.Run("no indicator outside this list", func(t *testing.T) {
		if len(c.Indicators) != len(tests) {
			t.Fatalf("catalogue has %d indicators, table %d", len(c.Indicators), len(tests))
		}
	})
}

func TestThresholds(t *testing.T) {
	c := mustBuiltin(t)
	tests := []struct {
		name               string
		code               string
		alert, excel       float64
		wantNone           bool
		wantHigherIsBetter bool
	}{
		{"value-added growth alerts below 5 and excels at 8", "IND_VA_GROWTH", 5, 8, false, true},
		{"manufacturing investment growth", "MFG_INVEST_GROWTH", 5, 10, false, true},
		{"SEI share", "SEI_VA_SHARE", 30, 35, false, true},
		{"专精特新 R&D intensity", "ZJTX_RD_INTENSITY", 3, 5, false, true},
		{"manufacturing share of GDP", "MFG_VA_GDP_SHARE", 25, 28, false, true},
		{"output level has none, it scales with the scope", "IND_OUTPUT", 0, 0, true, true},
		{"enterprise count has none", "ABOVE_SCALE_COUNT", 0, 0, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := c.ByCode(tt.code)
			if tt.wantNone {
				if d.Alert != nil || d.Excellent != nil {
					t.Fatalf("got thresholds %v %v", d.Alert, d.Excellent)
				}
				return
			}
			if d.Alert == nil || d.Excellent == nil || *d.Alert != tt.alert || *d.Excellent != tt.excel || d.HigherIsBetter != tt.wantHigherIsBetter {
				t.Fatalf("got %+v", d)
			}
		})
	}
}

func TestBuiltinEntriesAreComplete(t *testing.T) {
	c := mustBuiltin(t)
	for _, d := range c.Indicators {
		t.Run(d.Code+" has department and bilingual definitions", func(t *testing.T) {
			if d.Department == "" || d.DefinitionZh == "" || d.DefinitionEn == "" || d.UnitZh == "" || d.UnitEn == "" {
				t.Fatalf("%+v", d)
			}
			if !strings.HasPrefix(d.Department, "市") {
				t.Fatalf("department %q is not a municipal one", d.Department)
			}
		})
	}
}

func TestByCode(t *testing.T) {
	c := mustBuiltin(t)
	tests := []struct {
		name, code, wantZh string
		wantOK             bool
	}{
		{"known code", "IND_VA_GROWTH", "规上工业增加值增速", true},
		{"codes are case-sensitive", "ind_va_growth", "", false},
		{"unknown code", "NOPE", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := c.ByCode(tt.code)
			if ok != tt.wantOK || d.NameZh != tt.wantZh {
				t.Fatalf("ByCode(%q) = %q, %v", tt.code, d.NameZh, ok)
			}
		})
	}
	t.Run("works on a catalogue built in code", func(t *testing.T) {
		lit := &Catalogue{Indicators: []Indicator{{Code: "A", NameZh: "甲"}}}
		if d, ok := lit.ByCode("A"); !ok || d.NameZh != "甲" {
			t.Fatalf("got %+v, %v", d, ok)
		}
	})
}

func TestParseRejectsBadData(t *testing.T) {
	tests := []struct {
		name    string
		entries string
		wantErr string // empty: must load
	}{
		{"minimal entries load", `{"code":"A","measure":"output","aggregation":"sum"},{"code":"B","aggregation":"manual"}`, ""},
		{"repeated code", `{"code":"A"},{"code":"A"}`, "repeated"},
		{"missing code", `{"name_zh":"甲"}`, "no code"},
		{"unknown unit", `{"code":"A","unit":"yuan"}`, "unit"},
		{"unknown frequency", `{"code":"A","frequency":"weekly"}`, "frequency"},
		{"unknown kind", `{"code":"A","kind":"flow"}`, "kind"},
		{"unknown aggregation", `{"code":"A","aggregation":"avg"}`, "aggregation"},
		{"unknown source", `{"code":"A","source":"excel"}`, "source"},
		{"computed without measure", `{"code":"A","source":"computed"}`, "measure"},
		{"manual with measure", `{"code":"A","source":"manual","measure":"output"}`, "measure"},
		{"manual aggregation with measure", `{"code":"A","aggregation":"manual","measure":"output"}`, "manual aggregation"},
		{"percentage summed", `{"code":"A","unit":"percent","aggregation":"sum"}`, "percentage"},
		{"excellent below alert", `{"code":"A","alert":8,"excellent":5,"higher_is_better":true}`, "not better"},
		{"lower-is-better excellent above alert", `{"code":"A","alert":5,"excellent":8,"higher_is_better":false}`, "not better"},
		{"lower-is-better thresholds in order", `{"code":"A","alert":8,"excellent":5,"higher_is_better":false}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(`{"version":"t","indicators":[` + tt.entries + `]}`))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestCompleteCheckRejectsGaps(t *testing.T) {
	good := `{"code":"A","name_zh":"甲","name_en":"A","unit":"count","unit_zh":"个","unit_en":"items","frequency":"yearly","kind":"cumulative","aggregation":"manual","department":"市经信委","source":"manual","definition_zh":"甲","definition_en":"A"}`
	tests := []struct {
		name    string
		doc     string
		wantErr string
	}{
		{"complete entry passes", `{"version":"1","effective_from":"2022-01-01","indicators":[` + good + `]}`, ""},
		{"missing version", `{"effective_from":"2022-01-01","indicators":[` + good + `]}`, "no version"},
		{"bad effective date", `{"version":"1","effective_from":"2022","indicators":[` + good + `]}`, "effective_from"},
		{"missing department", `{"version":"1","effective_from":"2022-01-01","indicators":[` + strings.Replace(good, `"市经信委"`, `""`, 1) + `]}`, "department"},
		{"missing frequency", `{"version":"1","effective_from":"2022-01-01","indicators":[` + strings.Replace(good, `"yearly"`, `""`, 1) + `]}`, "frequency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.doc))
			if err == nil {
				err = c.check(true)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
