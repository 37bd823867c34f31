package scoreboard

import (
	"bytes"
	"encoding/json"
	stdhtml "html"
	"math"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/target"
)

func sample() Doc {
	yoy := 3.4
	growth := indicator.Indicator{Code: "IND_VA_GROWTH", NameZh: "规上工业增加值增速", NameEn: "Value-added growth", Unit: "percent", UnitZh: "%", UnitEn: "%"}
	output := indicator.Indicator{Code: "IND_OUTPUT", NameZh: "规上工业总产值", NameEn: "Gross output", Unit: "yi_yuan", UnitZh: "亿元", UnitEn: "¥100m"}
	pr := target.Evaluate(target.Target{IndicatorCode: "IND_VA_GROWTH", Year: 2024, Comparator: target.AtLeast, Value: 8}, target.Rate, 7.3, true, 12)
	return FromStats(stats.Scoreboard{
		Year: 2023, Period: report.Period{Year: 2023, Month: 12}, TargetYear: 2024, TargetAsOf: report.Period{Year: 2024, Month: 12},
		Results: []stats.Figure{
			{Indicator: output, Period: report.Period{Year: 2023, Month: 12}, Value: 26123.4, Known: true, YoYPct: &yoy},
			{Indicator: growth, Period: report.Period{Year: 2023, Month: 12}, Value: math.NaN(), Known: true},
		},
		TargetTable: []stats.Figure{{Indicator: growth, Period: report.Period{Year: 2024, Month: 12}, Value: 7.3, Known: true, Progress: &pr}},
	})
}

func TestJSONFigureShape(t *testing.T) {
	var buf bytes.Buffer
	if err := sample().WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Results   []map[string]any `json:"results"`
		TaskTable []map[string]any `json:"target_table"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, buf.String())
	}
	out := got.Results[0]
	for _, k := range []string{"code", "name_zh", "name_en", "value", "unit", "yoy_pct"} {
		if _, ok := out[k]; !ok {
			t.Errorf("figure lacks %q: %v", k, out)
		}
	}
	if out["value"].(float64) != 26123.4 || out["yoy_pct"].(float64) != 3.4 {
		t.Errorf("values changed in transit: %v", out)
	}
	// NaN cannot be JSON; it must come out as null rather than break encoding.
	if v, ok := got.Results[1]["value"]; !ok || v != nil {
		t.Errorf("NaN value = %v, want null", v)
	}
	task := got.TaskTable[0]
	if pr := task["progress"].(map[string]any); pr["status"] != "missed" || pr["target"].(float64) != 8 || pr["actual"].(float64) != 7.3 {
		t.Errorf("task row %v", task)
	}
}

func TestHTML(t *testing.T) {
	var buf bytes.Buffer
	if err := sample().WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	html := stdhtml.UnescapeString(buf.String())
	for _, want := range []string{"2023重庆制造业“成绩单”", "26,123", "+3.4%", "≥ 8", "未完成 / missed", "7.3"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Contains(html, "<script") {
		t.Error("standalone page must not carry scripts")
	}
}

func TestXLSXRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := sample().WriteXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	sh, err := tabular.Read(&buf, "scoreboard.xlsx", tabular.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(sh.Rows) != 3 {
		t.Fatalf("%d rows, want 3", len(sh.Rows))
	}
	if got := sh.Rows[0].Cells[4]; got != "26123.4" {
		t.Errorf("output cell %q", got)
	}
	if got := sh.Rows[2].Cells[8]; got != "missed" {
		t.Errorf("status cell %q", got)
	}
}
