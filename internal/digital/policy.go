package digital

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/industrybrain/ibrain/internal/unit"
)

var (
	//go:embed policy.json
	policyJSON []byte
	//go:embed scenarios.json
	scenariosJSON []byte
)

// Condition is one data-decidable criterion of a rung: metric ≥ Min.
type Condition struct {
	Metric string `json:"metric"`
	Min    int64  `json:"min"`
	Note   string `json:"note"`
}

// RungRule is a rung's criteria in one version: conditions the data
// decides, and manual items a reviewer judges (their keys name messages).
type RungRule struct {
	Rung       Rung        `json:"rung"`
	Conditions []Condition `json:"conditions"`
	Manual     []string    `json:"manual"`
}

// Approval is the approval rule of a version.
type Approval struct {
	CityThresholdWan string `json:"city_threshold_wan"` // ¥10k, exact decimal
	Note             string `json:"note"`
	threshold        unit.Fen
}

// Version is one version of the rules.
type Version struct {
	Version       string     `json:"version"`
	EffectiveFrom string     `json:"effective_from"`
	Source        string     `json:"source"`
	Approval      Approval   `json:"approval"`
	Ladder        []RungRule `json:"ladder"`
	from          time.Time
}

// Goal is a target of the 2027 plan.
type Goal struct {
	Code   string `json:"code"`
	Value  int64  `json:"value"`
	From   string `json:"from"`
	To     string `json:"to"`
	Source string `json:"source"`
}

// Scenario is one typical scenario of the catalogue.
type Scenario struct {
	Code   string `json:"code"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
	Conf   string `json:"conf"`
}

// Link is one link (环节) of the catalogue with its scenarios.
type Link struct {
	Code      string     `json:"code"`
	NameZh    string     `json:"name_zh"`
	NameEn    string     `json:"name_en"`
	Scenarios []Scenario `json:"scenarios"`
}

// Edition is one edition of the scenario catalogue.
type Edition struct {
	Version       string `json:"version"`
	EffectiveFrom string `json:"effective_from"`
	Source        string `json:"source"`
	Links         []Link `json:"links"`
	from          time.Time
}

// Rules are the loaded versions, goals and scenario editions. Read-only
// after loading, safe for concurrent use.
type Rules struct {
	Versions []Version `json:"versions"`
	Goals    []Goal    `json:"goals"`
	Editions []Edition
}

// metrics a condition may name.
var knownMetrics = []string{"nc_rate_bp", "cmmm_level", "sme_level", "digital_workshops",
	"holds_smart_factory", "holds_smart_factory_excellent", "holds_future_factory"}

// Builtin loads the rules compiled into the binary.
func Builtin() (*Rules, error) { return LoadRules(policyJSON, scenariosJSON) }

// LoadRules parses and checks a policy and a scenario file.
func LoadRules(policy, scenarios []byte) (*Rules, error) {
	var r Rules
	dec := json.NewDecoder(bytes.NewReader(policy))
	dec.DisallowUnknownFields()
	var pf struct {
		Note     string    `json:"note"`
		Versions []Version `json:"versions"`
		Goals    []Goal    `json:"goals"`
	}
	if err := dec.Decode(&pf); err != nil {
		return nil, fmt.Errorf("digital: policy: %w", err)
	}
	r.Versions, r.Goals = pf.Versions, pf.Goals
	if len(r.Versions) == 0 {
		return nil, fmt.Errorf("digital: policy has no version")
	}
	for i := range r.Versions {
		v := &r.Versions[i]
		d, err := time.Parse(time.DateOnly, v.EffectiveFrom)
		if err != nil {
			return nil, fmt.Errorf("digital: version %s: effective_from: %w", v.Version, err)
		}
		if i > 0 && !d.After(r.Versions[i-1].from) {
			return nil, fmt.Errorf("digital: version %s starts before the previous one", v.Version)
		}
		v.from = d
		t, err := unit.ParseScaled(v.Approval.CityThresholdWan, int64(unit.Wan))
		if err != nil || t <= 0 {
			return nil, fmt.Errorf("digital: version %s: bad city threshold %q", v.Version, v.Approval.CityThresholdWan)
		}
		v.Approval.threshold = unit.Fen(t)
		for _, rr := range v.Ladder {
			if !rr.Rung.Valid() {
				return nil, fmt.Errorf("digital: version %s: unknown rung %q", v.Version, rr.Rung)
			}
			for _, c := range rr.Conditions {
				if !slices.Contains(knownMetrics, c.Metric) {
					return nil, fmt.Errorf("digital: version %s, rung %s: unknown metric %q", v.Version, rr.Rung, c.Metric)
				}
			}
		}
	}
	for _, g := range r.Goals {
		if _, err := time.Parse(time.DateOnly, g.From); err != nil {
			return nil, fmt.Errorf("digital: goal %s: %w", g.Code, err)
		}
		if _, err := time.Parse(time.DateOnly, g.To); err != nil {
			return nil, fmt.Errorf("digital: goal %s: %w", g.Code, err)
		}
	}
	var sf struct {
		Note     string    `json:"note"`
		Editions []Edition `json:"editions"`
	}
	dec = json.NewDecoder(bytes.NewReader(scenarios))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sf); err != nil {
		return nil, fmt.Errorf("digital: scenarios: %w", err)
	}
	if len(sf.Editions) == 0 {
		return nil, fmt.Errorf("digital: scenario catalogue has no edition")
	}
	for i := range sf.Editions {
		e := &sf.Editions[i]
		d, err := time.Parse(time.DateOnly, e.EffectiveFrom)
		if err != nil {
			return nil, fmt.Errorf("digital: edition %s: %w", e.Version, err)
		}
		e.from = d
		seen := map[string]bool{}
		for _, l := range e.Links {
			for _, s := range l.Scenarios {
				if s.Code == "" || seen[s.Code] {
					return nil, fmt.Errorf("digital: edition %s: scenario code %q empty or repeated", e.Version, s.Code)
				}
				seen[s.Code] = true
			}
		}
	}
	r.Editions = sf.Editions
	return &r, nil
}

// VersionAt is the version in force on day d (the first one before any).
func (r *Rules) VersionAt(d time.Time) *Version {
	v := &r.Versions[0]
	for i := range r.Versions {
		if !r.Versions[i].from.After(d) {
			v = &r.Versions[i]
		}
	}
	return v
}

// LevelFor is who approves a project of planned investment applied for on
// day d: the city at or above the threshold in force, else the district.
func (r *Rules) LevelFor(planned unit.Fen, d time.Time) Level {
	if planned >= r.VersionAt(d).Approval.threshold {
		return LevelCity
	}
	return LevelDistrict
}

// Threshold is the city-approval threshold in force on day d.
func (r *Rules) Threshold(d time.Time) unit.Fen { return r.VersionAt(d).Approval.threshold }

// EditionAt is the scenario catalogue in force on day d.
func (r *Rules) EditionAt(d time.Time) *Edition {
	e := &r.Editions[0]
	for i := range r.Editions {
		if !r.Editions[i].from.After(d) {
			e = &r.Editions[i]
		}
	}
	return e
}

// Scenario finds a scenario of the edition by code.
func (e *Edition) Scenario(code string) (Scenario, bool) {
	for _, l := range e.Links {
		for _, s := range l.Scenarios {
			if s.Code == code {
				return s, true
			}
		}
	}
	return Scenario{}, false
}

// RungRule is the rule of rung in the version in force on d; ok is false
// when the rung is not recognised then (e.g. 卓越级 before 2024).
func (r *Rules) RungRule(rung Rung, d time.Time) (RungRule, bool) {
	for _, rr := range r.VersionAt(d).Ladder {
		if rr.Rung == rung {
			return rr, true
		}
	}
	return RungRule{}, false
}

// Goal returns the goal with code.
func (r *Rules) Goal(code string) (Goal, bool) {
	for _, g := range r.Goals {
		if g.Code == code {
			return g, true
		}
	}
	return Goal{}, false
}
