package mujun

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/industrybrain/ibrain/internal/unit"
)

// Config is one version of one evaluating unit's method for one year. It is
// data (JSON) because every jurisdiction and year differs (domain.md §4).
type Config struct {
	ID             string `json:"id"`
	Version        int    `json:"version"`
	Year           int    `json:"year"`            // the year whose facts are evaluated
	EvaluatingUnit string `json:"evaluating_unit"` // "city" or a region code; facts outside it are skipped
	EffectiveFrom  string `json:"effective_from"`  // YYYY-MM-DD
	EffectiveTo    string `json:"effective_to,omitempty"`
	Source         string `json:"source"` // where the method comes from, or that it is a configurable default
	Note           Text   `json:"note,omitzero"`
	// MinBenchmarkFirms is the fewest firms with a value that a benchmark
	// computed from data (prior_mean, mean_multiple, current_mean, min_max)
	// may rest on; with fewer the run is refused. 0 means 1: a benchmark is
	// never taken from no firms at all.
	MinBenchmarkFirms int `json:"min_benchmark_firms,omitempty"`

	Groups   []GroupConfig `json:"groups"`
	Vetoes   []Veto        `json:"vetoes,omitempty"`
	Classes  Classes       `json:"classes"`
	Exempt   Exempt        `json:"exempt,omitzero"`
	Policies []Policy      `json:"policies,omitempty"`
}

// GroupConfig is the method for one group.
type GroupConfig struct {
	Group Group `json:"group"`
	Name  Text  `json:"name"`
	// MinLand is the land area a firm needs to be evaluated in this group, in
	// 0.01 mu (300 = 3 mu). 规下 firms below it, or with unknown land, are
	// skipped; 0 evaluates every firm.
	MinLand    unit.Mu100        `json:"min_land_mu100"`
	Indicators []IndicatorConfig `json:"indicators"`
	// Cutoff overrides Classes.Cutoff for this group (Ningbo-style separate
	// shares per group); nil uses the common rule.
	Cutoff *Cutoff `json:"cutoff,omitempty"`
}

// IndicatorConfig is one scored indicator of a group.
type IndicatorConfig struct {
	Code      IndicatorCode `json:"code"`
	Weight    float64       `json:"weight"` // points; a group's weights sum to 100
	Benchmark Benchmark     `json:"benchmark"`
	// Cap limits the score to Cap × Weight so outliers do not dominate
	// (e.g. 1.5 or 2); 0 means no cap.
	Cap float64 `json:"cap"`
	// HigherIsBetter defaults to true (every built-in indicator); false
	// scores benchmark ÷ value and needs a cap.
	HigherIsBetter *bool       `json:"higher_is_better,omitempty"`
	Missing        MissingRule `json:"missing"`
}

func (ic IndicatorConfig) higher() bool { return ic.HigherIsBetter == nil || *ic.HigherIsBetter }

// minFirms is the fewest firms a data-dependent benchmark may rest on.
func (c *Config) minFirms() int { return max(1, c.MinBenchmarkFirms) }

// BenchmarkMethod says how an indicator value becomes points.
type BenchmarkMethod string

// Benchmark methods (domain.md §4.2).
const (
	// PriorMean: weight × value ÷ (prior-year group mean) — Huangyan.
	PriorMean BenchmarkMethod = "prior_mean"
	// MeanMultiple: weight × value ÷ (Multiple × prior-year group mean) — Huai'an uses 2×.
	MeanMultiple BenchmarkMethod = "mean_multiple"
	// Fixed: weight × value ÷ Value — published or older fixed benchmarks (Linhai).
	Fixed BenchmarkMethod = "fixed"
	// MinMax: weight × [Floor + Range × (v − min)/(max − min)] / 100 over this
	// year's group — Jingde (Floor 20, Range 80).
	MinMax BenchmarkMethod = "min_max"
)

// MeanKind says which prior-year mean a benchmark uses.
type MeanKind string

// Mean kinds.
const (
	// RatioOfSums is Σ numerator ÷ Σ denominator (e.g. total tax ÷ total land),
	// how county 亩均 figures are usually published. The default.
	RatioOfSums MeanKind = "ratio_of_sums"
	// FirmMean is the plain mean of the firms' values.
	FirmMean MeanKind = "firm_mean"
)

// NoPrior says what a prior-mean benchmark does without a prior run.
type NoPrior string

// No-prior rules.
const (
	// RefuseWithoutPrior refuses the run when there is no prior run with
	// firms. The default ("").
	RefuseWithoutPrior NoPrior = ""
	// UseCurrentMean takes this year's group mean: the bootstrap for a first
	// evaluation that has neither a prior run nor published figures.
	UseCurrentMean NoPrior = "current_mean"
	// noPriorConfigValue was the old fallback to Benchmark.Value, which let
	// a placeholder become a benchmark; a published prior-year mean is now
	// a fixed benchmark. Rejected by Validate.
	noPriorConfigValue NoPrior = "config_value"
)

// Benchmark is an indicator's normalisation.
type Benchmark struct {
	Method BenchmarkMethod `json:"method"`
	// Multiple is the factor of MeanMultiple (Huai'an: 2).
	Multiple float64 `json:"multiple,omitempty"`
	// Value is the benchmark of Fixed, set explicitly (> 0); the other
	// methods take theirs from data and reject a Value, so that no
	// placeholder is ever used as a benchmark.
	Value float64 `json:"value,omitempty"`
	// Mean selects the prior-year mean; "" is RatioOfSums.
	Mean MeanKind `json:"mean,omitempty"`
	// NoPrior selects what happens without a prior run; "" refuses the run.
	NoPrior NoPrior `json:"no_prior,omitempty"`
	// Floor and Range are MinMax's points, in % of the weight, at the
	// minimum and across min..max (Jingde: 20 and 80).
	Floor float64 `json:"floor,omitempty"`
	Range float64 `json:"range,omitempty"`
}

// MissingRule decides the score of an indicator a firm has no value for.
type MissingRule string

// Missing-data rules.
const (
	// GroupAverage gives the group's average score on that indicator among
	// firms with a value (Huangyan: missing emissions).
	GroupAverage MissingRule = "group_average"
	// Zero gives no points.
	Zero MissingRule = "zero"
	// ExcludeAndReweight drops the indicator and scales the firm's other
	// scores by total weight ÷ remaining weight.
	ExcludeAndReweight MissingRule = "exclude_and_reweight"
)

// VetoEffect is what a veto item does.
type VetoEffect string

// Veto effects.
const (
	ForceClass VetoEffect = "force_class" // e.g. a major safety or environmental incident → D
	Deduct     VetoEffect = "deduct"      // subtract Points from the total
)

// Veto is a penalty item (一票否决 or 扣分项).
type Veto struct {
	Code   string     `json:"code"`
	Name   Text       `json:"name"`
	Effect VetoEffect `json:"effect"`
	Class  string     `json:"class,omitempty"`  // ForceClass
	Points float64    `json:"points,omitempty"` // Deduct
}

// Classes names the classes and holds the common cut-off rule.
type Classes struct {
	// Defs lists every class best first, including any class reserved for
	// exempt firms (T), which the cut-off does not mention.
	Defs   []ClassDef `json:"defs"`
	Cutoff Cutoff     `json:"cutoff"`
}

// ClassDef is a class code and its name.
type ClassDef struct {
	Code string `json:"code"` // "A", "B", "C", "D", "T"
	Name Text   `json:"name"` // 优先发展 / Priority development …
}

// CutoffMethod says how scores become classes.
type CutoffMethod string

// Cut-off methods.
const (
	// RankShare gives classes by share of the ranked firms. Class size =
	// round-half-up(share × n / 100) for every class but Remainder, filled
	// best first, each clamped to the firms left; Remainder takes the rest.
	// A firm's class is that of the slot at its competition rank (1 + the
	// number of firms with a strictly higher score), so equal scores share
	// the better class and the next class shrinks.
	RankShare CutoffMethod = "rank_share"
	// Score gives the first class (best first) whose MinScore the score
	// reaches (≥); the last class takes every lower score.
	Score CutoffMethod = "score"
)

// Cutoff is a class cut-off rule.
type Cutoff struct {
	Method     CutoffMethod     `json:"method"`
	Shares     []ClassShare     `json:"shares,omitempty"`     // RankShare, best first, summing to 100
	Remainder  string           `json:"remainder,omitempty"`  // RankShare: the class that absorbs rounding
	Thresholds []ClassThreshold `json:"thresholds,omitempty"` // Score, best first
}

// ClassShare is a class's share of the ranked firms, in percent.
type ClassShare struct {
	Class string  `json:"class"`
	Pct   float64 `json:"pct"`
}

// ClassThreshold is a class's lowest score; the last entry's is ignored.
type ClassThreshold struct {
	Class    string  `json:"class"`
	MinScore float64 `json:"min_score"`
}

// Exempt are firms that are not scored but given a class: new firms and
// utilities (Huai'an: class T; elsewhere "managed as B").
type Exempt struct {
	Class        string   `json:"class,omitempty"`          // "" disables exemption
	NewFirmYears int      `json:"new_firm_years,omitempty"` // exempt when younger than this at the year end; 0 = no rule
	Sections     []string `json:"sections,omitempty"`       // GB/T 4754 sections, e.g. ["D"] for utilities
}

// PolicyKind is a kind of differentiated policy (差别化政策).
type PolicyKind string

// Policy kinds (domain.md §4.4).
const (
	ElectricitySurcharge PolicyKind = "electricity_surcharge" // fen/kWh
	WaterSurcharge       PolicyKind = "water_surcharge"       // fen/m³
	LandTaxRelief        PolicyKind = "land_tax_relief"       // 城镇土地使用税 relief, %
	PriorityLand         PolicyKind = "priority_land"
	PriorityEnergy       PolicyKind = "priority_energy"
	PriorityCredit       PolicyKind = "priority_credit"
	PriorityEmission     PolicyKind = "priority_emission_rights"
	Measure              PolicyKind = "measure" // other measure, text only (帮扶提升, 兼并重组 …)
)

func (k PolicyKind) valid() bool {
	switch k {
	case ElectricitySurcharge, WaterSurcharge, LandTaxRelief, PriorityLand, PriorityEnergy, PriorityCredit, PriorityEmission, Measure:
		return true
	}
	return false
}

func (k PolicyKind) surcharge() bool { return k == ElectricitySurcharge || k == WaterSurcharge }

// Policy is a differentiated policy attached to a class.
type Policy struct {
	Class string     `json:"class"`
	Kind  PolicyKind `json:"kind"`
	// RateFen is the surcharge per kWh or m³ by consecutive year in the class:
	// [5, 10, 15] is +5 fen in the first year, +10 in the second and +15 from
	// the third on (Shandong 2022).
	RateFen   []int64 `json:"rate_fen,omitempty"`
	ReliefPct float64 `json:"relief_pct,omitempty"` // LandTaxRelief
	Text      Text    `json:"text"`
}

// yearEnd is the date at which firm age is measured.
func (c *Config) yearEnd() time.Time { return time.Date(c.Year, 12, 31, 0, 0, 0, 0, time.UTC) }

func (c *Config) group(g Group) int {
	for i := range c.Groups {
		if c.Groups[i].Group == g {
			return i
		}
	}
	return -1
}

func (c *Config) classIndex(code string) int {
	for i := range c.Classes.Defs {
		if c.Classes.Defs[i].Code == code {
			return i
		}
	}
	return -1
}

func (c *Config) cutoff(gi int) *Cutoff {
	if c.Groups[gi].Cutoff != nil {
		return c.Groups[gi].Cutoff
	}
	return &c.Classes.Cutoff
}

func (c *Config) veto(code string) int {
	for i := range c.Vetoes {
		if c.Vetoes[i].Code == code {
			return i
		}
	}
	return -1
}

// Parse reads a configuration from JSON and validates it. Unknown fields are
// errors so that a misspelt key cannot silently fall back to a default.
func Parse(data []byte) (Config, error) {
	var c Config
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, &ValidationError{Problems: []Problem{newProblem("", ErrSyntax, "err.mujun_cfg.configuration_is_not_valid_json", err.Error())}}
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

//go:embed configs/*.json
var builtinFS embed.FS

// BuiltinNames lists the shipped configurations.
func BuiltinNames() []string { return []string{"chongqing_2024", "huangyan_2022"} }

// Builtin loads a shipped configuration by name (see BuiltinNames).
func Builtin(name string) (Config, error) {
	if !slices.Contains(BuiltinNames(), name) {
		return Config{}, &ValidationError{Problems: []Problem{newProblem("", ErrUnknownCode, "err.mujun_cfg.no_built_in_configuration_named", name)}}
	}
	data, err := builtinFS.ReadFile("configs/" + name + ".json")
	if err != nil {
		return Config{}, fmt.Errorf("mujun: %w", err)
	}
	return Parse(data)
}

// Select returns the configuration in force for an evaluating unit and year:
// the highest version among those whose year and unit match and whose
// effective period contains day. ok is false when none applies.
func Select(cfgs []Config, evaluatingUnit string, year int, day time.Time) (Config, bool) {
	best := -1
	d := day.Format(time.DateOnly)
	for i, c := range cfgs {
		if c.EvaluatingUnit != evaluatingUnit || c.Year != year || d < c.EffectiveFrom || (c.EffectiveTo != "" && d >= c.EffectiveTo) {
			continue
		}
		if best < 0 || c.Version > cfgs[best].Version {
			best = i
		}
	}
	if best < 0 {
		return Config{}, false
	}
	return cfgs[best], true
}

// weightTolerance absorbs binary rounding of decimal weights (33.3 + …).
const weightTolerance = 1e-6

// Validate checks the configuration and returns a *ValidationError listing
// every problem, so an editor sees them all at once.
func (c *Config) Validate() error {
	v := &validator{}
	if c.ID == "" {
		v.add("id", ErrMissing, "err.mujun_cfg.id_is_required")
	}
	if c.Version < 1 {
		v.add("version", ErrInvalidValue, "err.mujun_cfg.version_must_be_a_positive_integer")
	}
	if c.Year < 2000 || c.Year > 2100 {
		v.add("year", ErrInvalidValue, "err.mujun_cfg.year_is_outside_2000_2100", c.Year)
	}
	if c.EvaluatingUnit == "" {
		v.add("evaluating_unit", ErrMissing, "err.mujun_cfg.evaluating_unit_is_required_city_or")
	}
	from, err := time.Parse(time.DateOnly, c.EffectiveFrom)
	if err != nil {
		v.add("effective_from", ErrInvalidValue, "err.mujun_cfg.effective_from_must_be_yyyy_mm")
	}
	if c.EffectiveTo != "" {
		to, err2 := time.Parse(time.DateOnly, c.EffectiveTo)
		if err2 != nil || (err == nil && !to.After(from)) {
			v.add("effective_to", ErrInvalidValue, "err.mujun_cfg.effective_to_must_be_a_yyyy")
		}
	}
	if c.Source == "" {
		v.add("source", ErrMissing, "err.mujun_cfg.source_is_required")
	}
	if c.MinBenchmarkFirms < 0 {
		v.add("min_benchmark_firms", ErrInvalidValue, "err.mujun_cfg.min_benchmark_firms_must_be_0")
	}

	v.classes(c)
	if len(c.Groups) == 0 {
		v.add("groups", ErrMissing, "err.mujun_cfg.at_least_one_group_is_required")
	}
	for gi := range c.Groups {
		v.group(c, gi)
	}
	for i, vt := range c.Vetoes {
		p := fmt.Sprintf("vetoes[%d]", i)
		if vt.Code == "" {
			v.add(p+".code", ErrMissing, "err.mujun_cfg.veto_code_is_required")
		} else if c.veto(vt.Code) != i {
			v.add(p+".code", ErrDuplicate, "err.mujun_cfg.duplicate_veto_code", vt.Code)
		}
		v.text(p+".name", vt.Name)
		switch vt.Effect {
		case ForceClass:
			if c.classIndex(vt.Class) < 0 {
				v.add(p+".class", ErrUnknownCode, "err.mujun_cfg.veto_forces_an_unknown_class", vt.Class)
			}
		case Deduct:
			if !(vt.Points > 0) {
				v.add(p+".points", ErrInvalidValue, "err.mujun_cfg.deducted_points_must_be_0")
			}
		default:
			v.add(p+".effect", ErrUnknownCode, "err.mujun_cfg.unknown_veto_effect", string(vt.Effect))
		}
	}
	if c.Exempt.Class != "" && c.classIndex(c.Exempt.Class) < 0 {
		v.add("exempt.class", ErrUnknownCode, "err.mujun_cfg.unknown_exempt_class", c.Exempt.Class)
	}
	if c.Exempt.Class == "" && (c.Exempt.NewFirmYears != 0 || len(c.Exempt.Sections) > 0) {
		v.add("exempt.class", ErrMissing, "err.mujun_cfg.exempt_rules_need_a_class")
	}
	if c.Exempt.NewFirmYears < 0 {
		v.add("exempt.new_firm_years", ErrInvalidValue, "err.mujun_cfg.new_firm_years_must_be_0")
	}
	for i, p := range c.Policies {
		v.policy(c, i, p)
	}
	if len(v.problems) > 0 {
		return &ValidationError{ConfigID: c.ID, Problems: v.problems}
	}
	return nil
}

type validator struct{ problems []Problem }

// add records a problem whose text is the catalogue's key with args.
func (v *validator) add(path string, err error, key string, args ...any) {
	v.problems = append(v.problems, newProblem(path, err, key, args...))
}

func (v *validator) text(path string, t Text) {
	if t.Zh == "" || t.En == "" {
		v.add(path, ErrMissing, "err.mujun_cfg.both_zh_and_en_text_are")
	}
}

func (v *validator) classes(c *Config) {
	if len(c.Classes.Defs) < 2 {
		v.add("classes.defs", ErrMissing, "err.mujun_cfg.at_least_two_classes_are_required")
	}
	for i, d := range c.Classes.Defs {
		p := fmt.Sprintf("classes.defs[%d]", i)
		if d.Code == "" {
			v.add(p+".code", ErrMissing, "err.mujun_cfg.class_code_is_required")
		} else if c.classIndex(d.Code) != i {
			v.add(p+".code", ErrDuplicate, "err.mujun_cfg.duplicate_class_code", d.Code)
		}
		v.text(p+".name", d.Name)
	}
	v.cutoff(c, "classes.cutoff", &c.Classes.Cutoff)
}

func (v *validator) cutoff(c *Config, path string, co *Cutoff) {
	// Classes of a cut-off must appear in Defs order so that "best first"
	// means the same everywhere.
	order := func(p string, codes []string) {
		last := -1
		for i, code := range codes {
			ci := c.classIndex(code)
			switch {
			case ci < 0:
				v.add(fmt.Sprintf("%s[%d].class", p, i), ErrUnknownCode, "err.mujun_cfg.unknown_class", code)
			case ci <= last:
				v.add(fmt.Sprintf("%s[%d].class", p, i), ErrClassOrder, "err.mujun_cfg.classes_must_follow_the_definition_order")
			default:
				last = ci
			}
		}
	}
	switch co.Method {
	case RankShare:
		codes := make([]string, len(co.Shares))
		sum := 0.0
		for i, s := range co.Shares {
			codes[i] = s.Class
			if s.Pct < 0 || math.IsNaN(s.Pct) {
				v.add(fmt.Sprintf("%s.shares[%d].pct", path, i), ErrInvalidValue, "err.mujun_cfg.share_must_be_0")
			}
			sum += s.Pct
		}
		order(path+".shares", codes)
		if len(co.Shares) < 2 {
			v.add(path+".shares", ErrMissing, "err.mujun_cfg.rank_shares_need_at_least_two")
		}
		if math.Abs(sum-100) > weightTolerance {
			v.add(path+".shares", ErrShareSum, "err.mujun_cfg.shares_sum_to_not_100", sum)
		}
		if !slices.Contains(codes, co.Remainder) {
			v.add(path+".remainder", ErrUnknownCode, "err.mujun_cfg.remainder_must_be_one_of_the")
		}
	case Score:
		codes := make([]string, len(co.Thresholds))
		for i, t := range co.Thresholds {
			codes[i] = t.Class
			if i > 0 && i < len(co.Thresholds)-1 && !(t.MinScore < co.Thresholds[i-1].MinScore) {
				v.add(fmt.Sprintf("%s.thresholds[%d].min_score", path, i), ErrInvalidValue, "err.mujun_cfg.thresholds_must_decrease_strictly")
			}
		}
		order(path+".thresholds", codes)
		if len(co.Thresholds) < 2 {
			v.add(path+".thresholds", ErrMissing, "err.mujun_cfg.score_cut_offs_need_at_least")
		}
	default:
		v.add(path+".method", ErrUnknownCode, "err.mujun_cfg.unknown_cut_off_method", string(co.Method))
	}
}

func (v *validator) group(c *Config, gi int) {
	g := &c.Groups[gi]
	p := fmt.Sprintf("groups[%d]", gi)
	if !g.Group.valid() {
		v.add(p+".group", ErrUnknownCode, "err.mujun_cfg.unknown_group", string(g.Group))
	} else if c.group(g.Group) != gi {
		v.add(p+".group", ErrDuplicate, "err.mujun_cfg.duplicate_group", string(g.Group))
	}
	v.text(p+".name", g.Name)
	if g.MinLand < 0 {
		v.add(p+".min_land_mu100", ErrInvalidValue, "err.mujun_cfg.land_threshold_must_be_0")
	}
	if g.Cutoff != nil {
		v.cutoff(c, p+".cutoff", g.Cutoff)
	}
	if len(g.Indicators) == 0 {
		v.add(p+".indicators", ErrMissing, "err.mujun_cfg.a_group_needs_at_least_one")
		return
	}
	sum := 0.0
	seen := [numCodes]bool{}
	for ii, ic := range g.Indicators {
		ip := fmt.Sprintf("%s.indicators[%d]", p, ii)
		ci := codeIndex(ic.Code)
		switch {
		case ci < 0:
			v.add(ip+".code", ErrUnknownCode, "err.mujun_cfg.unknown_indicator_code", string(ic.Code))
		case seen[ci]:
			v.add(ip+".code", ErrDuplicate, "err.mujun_cfg.duplicate_indicator", string(ic.Code))
		default:
			seen[ci] = true
		}
		if !(ic.Weight > 0) {
			v.add(ip+".weight", ErrInvalidValue, "err.mujun_cfg.weight_must_be_0")
		}
		sum += ic.Weight
		// A cap below 1 would stop a firm at the benchmark from earning its
		// weight, which no published method does.
		if ic.Cap != 0 && !(ic.Cap >= 1) {
			v.add(ip+".cap", ErrInvalidValue, "err.mujun_cfg.cap_must_be_0_none_or")
		}
		switch ic.Missing {
		case GroupAverage, Zero, ExcludeAndReweight:
		default:
			v.add(ip+".missing", ErrUnknownCode, "err.mujun_cfg.unknown_missing_data_rule", string(ic.Missing))
		}
		b := ic.Benchmark
		switch b.Method {
		case Fixed:
			if !(b.Value > 0) {
				v.add(ip+".benchmark.value", ErrInvalidValue, "err.mujun_cfg.a_fixed_benchmark_must_be_0")
			}
		case PriorMean, MeanMultiple:
			if b.Method == MeanMultiple && !(b.Multiple > 0) {
				v.add(ip+".benchmark.multiple", ErrInvalidValue, "err.mujun_cfg.the_mean_multiple_must_be_0")
			}
			if b.Value != 0 {
				v.add(ip+".benchmark.value", ErrInvalidValue, "err.mujun_cfg.the_prior_mean_comes_from_the")
			}
			if b.Mean != "" && b.Mean != RatioOfSums && b.Mean != FirmMean {
				v.add(ip+".benchmark.mean", ErrUnknownCode, "err.mujun_cfg.unknown_mean_kind", string(b.Mean))
			}
			switch b.NoPrior {
			case RefuseWithoutPrior, UseCurrentMean:
			case noPriorConfigValue:
				v.add(ip+".benchmark.no_prior", ErrInvalidValue, "err.mujun_cfg.config_value_is_no_longer_accepted")
			default:
				v.add(ip+".benchmark.no_prior", ErrUnknownCode, "err.mujun_cfg.unknown_no_prior_rule", string(b.NoPrior))
			}
		case MinMax:
			if b.Value != 0 {
				v.add(ip+".benchmark.value", ErrInvalidValue, "err.mujun_cfg.min_max_takes_its_range_from")
			}
			if b.Floor < 0 || !(b.Range > 0) {
				v.add(ip+".benchmark", ErrInvalidValue, "err.mujun_cfg.min_max_needs_floor_0_and")
			}
		default:
			v.add(ip+".benchmark.method", ErrUnknownCode, "err.mujun_cfg.unknown_benchmark_method", string(b.Method))
		}
		if !ic.higher() && b.Method != MinMax && ic.Cap == 0 {
			v.add(ip+".cap", ErrInvalidValue, "err.mujun_cfg.a_lower_is_better_ratio_indicator")
		}
	}
	if math.Abs(sum-100) > weightTolerance {
		v.add(p+".indicators", ErrWeightSum, "err.mujun_cfg.weights_of_sum_to_not_100", g.Group, sum)
	}
}

func (v *validator) policy(c *Config, i int, p Policy) {
	path := fmt.Sprintf("policies[%d]", i)
	if c.classIndex(p.Class) < 0 {
		v.add(path+".class", ErrUnknownCode, "err.mujun_cfg.policy_for_unknown_class", p.Class)
	}
	if !p.Kind.valid() {
		v.add(path+".kind", ErrUnknownCode, "err.mujun_cfg.unknown_policy_kind", string(p.Kind))
	}
	// One policy per kind and class: surcharges do not stack (Shandong: the
	// highest applies), so two of them would be ambiguous.
	for j := range i {
		q := c.Policies[j]
		if q.Class == p.Class && q.Kind == p.Kind && p.Kind != Measure {
			v.add(path+".kind", ErrDuplicate, "err.mujun_cfg.duplicate_policy_kind_for_class", string(p.Kind), p.Class)
		}
	}
	if p.Kind.surcharge() {
		if len(p.RateFen) == 0 {
			v.add(path+".rate_fen", ErrMissing, "err.mujun_cfg.a_surcharge_needs_its_rate_per")
		}
		for j, r := range p.RateFen {
			if r < 0 {
				v.add(fmt.Sprintf("%s.rate_fen[%d]", path, j), ErrInvalidValue, "err.mujun_cfg.a_surcharge_rate_must_be_0")
			}
		}
	} else if len(p.RateFen) > 0 {
		v.add(path+".rate_fen", ErrInvalidValue, "err.mujun_cfg.only_surcharges_have_rates")
	}
	if p.Kind == LandTaxRelief && !(p.ReliefPct > 0 && p.ReliefPct <= 100) {
		v.add(path+".relief_pct", ErrInvalidValue, "err.mujun_cfg.relief_pct_must_be_in_0")
	}
	v.text(path+".text", p.Text)
}
