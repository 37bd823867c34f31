package digital

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"time"

	"github.com/industrybrain/ibrain/internal/rules"
	"github.com/industrybrain/ibrain/internal/unit"
)

var (
	//go:embed policy.json
	policyJSON []byte
	//go:embed scenarios.json
	scenariosJSON []byte
)

// Approval is the approval rule of a version.
type Approval struct {
	CityThresholdWan string `json:"city_threshold_wan"` // ¥10k, exact decimal
	Note             string `json:"note"`
	threshold        unit.Fen
}

// Version is one version of the rules.
type Version struct {
	Version       string   `json:"version"`
	EffectiveFrom string   `json:"effective_from"`
	Source        string   `json:"source"`
	Approval      Approval `json:"approval"`
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

// Rules are the loaded versions, goals and scenario editions, and the rule
// engine whose ladder rule sets judge the rungs. Read-only after loading,
// safe for concurrent use.
type Rules struct {
	Versions []Version `json:"versions"`
	Goals    []Goal    `json:"goals"`
	Editions []Edition
	reg      *rules.Registry
}

// Builtin loads the rules compiled into the binary, with the engine's
// built-in rule sets.
func Builtin() (*Rules, error) {
	reg, err := rules.Builtin()
	if err != nil {
		return nil, err
	}
	return LoadRules(policyJSON, scenariosJSON, reg)
}

// Registry is the rule engine the ladder is judged by.
func (r *Rules) Registry() *rules.Registry { return r.reg }

// LoadRules parses and checks a policy and a scenario file, and checks that
// reg's ladder rule sets name known rungs and cover the workshop and the
// smart factory from the first version on.
func LoadRules(policy, scenarios []byte, reg *rules.Registry) (*Rules, error) {
	r := Rules{reg: reg}
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
	}
	for _, info := range reg.List() {
		if info.Subject == LadderSubject && !Rung(info.TitleKind).Valid() {
			return nil, fmt.Errorf("digital: rule set %s: unknown rung %q", info.ID, info.TitleKind)
		}
	}
	for _, rung := range []Rung{RungWorkshop, RungSmart} {
		if _, ok := r.RuleSet(rung, r.Versions[0].from); !ok {
			return nil, fmt.Errorf("digital: no %s rule set in force on %s", rung, r.Versions[0].EffectiveFrom)
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

// Goal returns the goal with code.
func (r *Rules) Goal(code string) (Goal, bool) {
	for _, g := range r.Goals {
		if g.Code == code {
			return g, true
		}
	}
	return Goal{}, false
}
