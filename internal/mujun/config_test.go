package mujun

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
)

func TestBuiltinConfigs(t *testing.T) {
	for _, name := range BuiltinNames() {
		cfg, err := Builtin(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if cfg.ID != name || cfg.Source == "" || cfg.Note.Zh == "" || cfg.Note.En == "" {
			t.Errorf("%s: identity %q source %q", name, cfg.ID, cfg.Source)
		}
	}
	cq, _ := Builtin("chongqing_2024")
	// The default must say it is not the official method (domain.md §4.5).
	if !strings.Contains(cq.Source, "CONFIGURABLE DEFAULT") || !strings.Contains(cq.Note.Zh, "可配置默认值") {
		t.Error("chongqing_2024 does not mark itself as a configurable default")
	}
	// Chongqing's four core indicators carry most of the 规上 weight.
	core := 0.0
	for _, ic := range cq.Groups[0].Indicators {
		switch ic.Code {
		case VAPerMu, TaxPerMu, VAPerEnergy, RDIntensity:
			core += ic.Weight
		}
	}
	if core != 85 {
		t.Errorf("core indicator weight %v, want 85", core)
	}
	if _, err := Builtin("nope"); err == nil {
		t.Error("unknown builtin loaded")
	}
}

func TestConfigJSONRoundTrip(t *testing.T) {
	cfg, _ := Builtin("chongqing_2024")
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(b)
	if err != nil {
		t.Fatalf("re-parse: %v", err)
	}
	b2, _ := json.Marshal(back)
	if string(b) != string(b2) {
		t.Error("configuration changed in a JSON round trip")
	}
}

func problems(t *testing.T, err error) map[string]string {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want *ValidationError", err)
	}
	if apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("apperr code %s, want invalid", apperr.CodeOf(err))
	}
	out := map[string]string{}
	for _, p := range ve.Problems {
		if p.Zh == "" || p.En == "" {
			t.Errorf("problem %s lacks text", p.Path)
		}
		out[p.Path] = p.Code
	}
	return out
}

func TestValidation(t *testing.T) {
	cases := []struct {
		name   string
		edit   func(*Config)
		path   string
		code   string
		target error
	}{
		{"weights", func(c *Config) { c.Groups[0].Indicators[0].Weight = 15 }, "groups[0].indicators", "weight_sum", ErrWeightSum},
		{"shares", func(c *Config) { c.Classes.Cutoff.Shares[3].Pct = 0 }, "classes.cutoff.shares", "share_sum", ErrShareSum},
		{"unknown indicator", func(c *Config) { c.Groups[0].Indicators[0].Code = "profit_per_mu" }, "groups[0].indicators[0].code", "unknown_code", ErrUnknownCode},
		{"duplicate indicator", func(c *Config) { c.Groups[0].Indicators[1].Code = TaxPerMu }, "groups[0].indicators[1].code", "duplicate", ErrDuplicate},
		{"negative cap", func(c *Config) { c.Groups[0].Indicators[0].Cap = -1 }, "groups[0].indicators[0].cap", "invalid_value", ErrInvalidValue},
		{"cap below 1", func(c *Config) { c.Groups[0].Indicators[0].Cap = 0.5 }, "groups[0].indicators[0].cap", "invalid_value", ErrInvalidValue},
		{"method", func(c *Config) { c.Groups[0].Indicators[0].Benchmark.Method = "median" }, "groups[0].indicators[0].benchmark.method", "unknown_code", ErrUnknownCode},
		{"fixed without value", func(c *Config) { c.Groups[0].Indicators[0].Benchmark = Benchmark{Method: Fixed} }, "groups[0].indicators[0].benchmark.value", "invalid_value", ErrInvalidValue},
		{"multiple", func(c *Config) { c.Groups[0].Indicators[0].Benchmark = Benchmark{Method: MeanMultiple} }, "groups[0].indicators[0].benchmark.multiple", "invalid_value", ErrInvalidValue},
		{"min_max range", func(c *Config) { c.Groups[0].Indicators[0].Benchmark = Benchmark{Method: MinMax, Floor: 20} }, "groups[0].indicators[0].benchmark", "invalid_value", ErrInvalidValue},
		{"missing rule", func(c *Config) { c.Groups[0].Indicators[0].Missing = "" }, "groups[0].indicators[0].missing", "unknown_code", ErrUnknownCode},
		{"group", func(c *Config) { c.Groups[0].Group = "tenant" }, "groups[0].group", "unknown_code", ErrUnknownCode},
		{"veto class", func(c *Config) { c.Vetoes[0].Class = "E" }, "vetoes[0].class", "unknown_code", ErrUnknownCode},
		{"deduct points", func(c *Config) { c.Vetoes[3].Points = 0 }, "vetoes[3].points", "invalid_value", ErrInvalidValue},
		{"class order", func(c *Config) { c.Classes.Cutoff.Shares[0].Class = "B" }, "classes.cutoff.shares[1].class", "class_order", ErrClassOrder},
		{"remainder", func(c *Config) { c.Classes.Cutoff.Remainder = "T" }, "classes.cutoff.remainder", "unknown_code", ErrUnknownCode},
		{"exempt class", func(c *Config) { c.Exempt.Class = "X" }, "exempt.class", "unknown_code", ErrUnknownCode},
		{"surcharge rates", func(c *Config) { c.Policies[6].RateFen = nil }, "policies[6].rate_fen", "missing", ErrMissing},
		{"relief", func(c *Config) { c.Policies[3].Kind, c.Policies[3].ReliefPct = LandTaxRelief, 120 }, "policies[3].relief_pct", "invalid_value", ErrInvalidValue},
		{"policy kind", func(c *Config) { c.Policies[0].Kind = "free_lunch" }, "policies[0].kind", "unknown_code", ErrUnknownCode},
		{"date", func(c *Config) { c.EffectiveFrom = "2025/01/01" }, "effective_from", "invalid_value", ErrInvalidValue},
		{"name", func(c *Config) { c.Classes.Defs[0].Name.En = "" }, "classes.defs[0].name", "missing", ErrMissing},
		{"thresholds", func(c *Config) {
			c.Classes.Cutoff = Cutoff{Method: Score, Thresholds: []ClassThreshold{{"A", 80}, {"B", 85}, {"C", 0}}}
		}, "classes.cutoff.thresholds[1].min_score", "invalid_value", ErrInvalidValue},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, _ := Builtin("chongqing_2024")
			c.edit(&cfg)
			err := cfg.Validate()
			if !errors.Is(err, c.target) {
				t.Fatalf("err = %v, want %v", err, c.target)
			}
			if got := problems(t, err)[c.path]; got != c.code {
				t.Errorf("problems %v, want %s at %s", problems(t, err), c.code, c.path)
			}
		})
	}
}

func TestValidationCollectsAll(t *testing.T) {
	cfg, _ := Builtin("chongqing_2024")
	cfg.ID = ""
	cfg.Groups[1].Indicators[0].Weight = 40
	cfg.Classes.Cutoff.Shares[0].Pct = 30
	got := problems(t, cfg.Validate())
	for _, p := range []string{"id", "groups[1].indicators", "classes.cutoff.shares"} {
		if _, ok := got[p]; !ok {
			t.Errorf("problem at %s not reported: %v", p, got)
		}
	}
	// Run refuses an invalid configuration too.
	if _, err := Run(cfg, nil, nil); !errors.Is(err, ErrWeightSum) {
		t.Errorf("Run err = %v", err)
	}
}

func TestParseRejectsUnknownFields(t *testing.T) {
	_, err := Parse([]byte(`{"id": "x", "wieghts": 1}`))
	if !errors.Is(err, ErrSyntax) {
		t.Fatalf("err = %v, want ErrSyntax", err)
	}
}

func TestSelect(t *testing.T) {
	a, _ := Builtin("chongqing_2024")
	b := a
	b.Version = 2
	b.EffectiveFrom = "2025-06-01"
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	cfgs := []Config{a, b}
	if c, ok := Select(cfgs, "city", 2024, day("2025-03-01")); !ok || c.Version != 1 {
		t.Errorf("March: %v %v", c.Version, ok)
	}
	if c, ok := Select(cfgs, "city", 2024, day("2025-07-01")); !ok || c.Version != 2 {
		t.Errorf("July: %v %v", c.Version, ok)
	}
	if _, ok := Select(cfgs, "500101", 2024, day("2025-07-01")); ok {
		t.Error("district found a city configuration")
	}
}
