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
		return Config{}, &ValidationError{Problems: []Problem{newProblem("", ErrSyntax,
			"配置不是有效的JSON："+err.Error(), "configuration is not valid JSON: "+err.Error())}}
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
		return Config{}, &ValidationError{Problems: []Problem{newProblem("", ErrUnknownCode,
			"没有名为 "+name+" 的内置配置", "no built-in configuration named "+name)}}
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
		v.add("id", ErrMissing, "缺少配置编号", "id is required")
	}
	if c.Version < 1 {
		v.add("version", ErrInvalidValue, "版本号须为正整数", "version must be a positive integer")
	}
	if c.Year < 2000 || c.Year > 2100 {
		v.add("year", ErrInvalidValue, fmt.Sprintf("年度 %d 不在 2000–2100 之间", c.Year), fmt.Sprintf("year %d is outside 2000–2100", c.Year))
	}
	if c.EvaluatingUnit == "" {
		v.add("evaluating_unit", ErrMissing, "缺少评价单位（city 或区县代码）", `evaluating_unit is required ("city" or a region code)`)
	}
	from, err := time.Parse(time.DateOnly, c.EffectiveFrom)
	if err != nil {
		v.add("effective_from", ErrInvalidValue, "生效日期须为 YYYY-MM-DD", "effective_from must be YYYY-MM-DD")
	}
	if c.EffectiveTo != "" {
		to, err2 := time.Parse(time.DateOnly, c.EffectiveTo)
		if err2 != nil || (err == nil && !to.After(from)) {
			v.add("effective_to", ErrInvalidValue, "失效日期须为晚于生效日期的 YYYY-MM-DD", "effective_to must be a YYYY-MM-DD after effective_from")
		}
	}
	if c.Source == "" {
		v.add("source", ErrMissing, "须注明方法来源", "source is required")
	}
	if c.MinBenchmarkFirms < 0 {
		v.add("min_benchmark_firms", ErrInvalidValue, "基准最少企业数不能为负", "min_benchmark_firms must be ≥ 0")
	}

	v.classes(c)
	if len(c.Groups) == 0 {
		v.add("groups", ErrMissing, "至少需要一个评价组", "at least one group is required")
	}
	for gi := range c.Groups {
		v.group(c, gi)
	}
	for i, vt := range c.Vetoes {
		p := fmt.Sprintf("vetoes[%d]", i)
		if vt.Code == "" {
			v.add(p+".code", ErrMissing, "否决项缺少代码", "veto code is required")
		} else if c.veto(vt.Code) != i {
			v.add(p+".code", ErrDuplicate, "否决项代码重复："+vt.Code, "duplicate veto code "+vt.Code)
		}
		v.text(p+".name", vt.Name)
		switch vt.Effect {
		case ForceClass:
			if c.classIndex(vt.Class) < 0 {
				v.add(p+".class", ErrUnknownCode, "否决项指定的类别不存在："+vt.Class, "veto forces an unknown class "+vt.Class)
			}
		case Deduct:
			if !(vt.Points > 0) {
				v.add(p+".points", ErrInvalidValue, "扣分须大于 0", "deducted points must be > 0")
			}
		default:
			v.add(p+".effect", ErrUnknownCode, "未知的否决效果："+string(vt.Effect), "unknown veto effect "+string(vt.Effect))
		}
	}
	if c.Exempt.Class != "" && c.classIndex(c.Exempt.Class) < 0 {
		v.add("exempt.class", ErrUnknownCode, "免评企业类别不存在："+c.Exempt.Class, "unknown exempt class "+c.Exempt.Class)
	}
	if c.Exempt.Class == "" && (c.Exempt.NewFirmYears != 0 || len(c.Exempt.Sections) > 0) {
		v.add("exempt.class", ErrMissing, "设置了免评规则但未指定类别", "exempt rules need a class")
	}
	if c.Exempt.NewFirmYears < 0 {
		v.add("exempt.new_firm_years", ErrInvalidValue, "新办企业年限不能为负", "new_firm_years must be ≥ 0")
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

func (v *validator) add(path string, err error, zh, en string) {
	v.problems = append(v.problems, newProblem(path, err, zh, en))
}

func (v *validator) text(path string, t Text) {
	if t.Zh == "" || t.En == "" {
		v.add(path, ErrMissing, "须同时提供中文和英文名称", "both zh and en text are required")
	}
}

func (v *validator) classes(c *Config) {
	if len(c.Classes.Defs) < 2 {
		v.add("classes.defs", ErrMissing, "至少需要两个类别", "at least two classes are required")
	}
	for i, d := range c.Classes.Defs {
		p := fmt.Sprintf("classes.defs[%d]", i)
		if d.Code == "" {
			v.add(p+".code", ErrMissing, "类别缺少代码", "class code is required")
		} else if c.classIndex(d.Code) != i {
			v.add(p+".code", ErrDuplicate, "类别代码重复："+d.Code, "duplicate class code "+d.Code)
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
				v.add(fmt.Sprintf("%s[%d].class", p, i), ErrUnknownCode, "类别不存在："+code, "unknown class "+code)
			case ci <= last:
				v.add(fmt.Sprintf("%s[%d].class", p, i), ErrClassOrder, "类别须按定义顺序（由优到差）且不重复", "classes must follow the definition order (best first) without repeats")
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
				v.add(fmt.Sprintf("%s.shares[%d].pct", path, i), ErrInvalidValue, "比例不能为负", "share must be ≥ 0")
			}
			sum += s.Pct
		}
		order(path+".shares", codes)
		if len(co.Shares) < 2 {
			v.add(path+".shares", ErrMissing, "按排名比例分类至少需要两个类别", "rank shares need at least two classes")
		}
		if math.Abs(sum-100) > weightTolerance {
			v.add(path+".shares", ErrShareSum, fmt.Sprintf("各类比例之和为 %g%%，应为 100%%", sum), fmt.Sprintf("shares sum to %g%%, not 100%%", sum))
		}
		if !slices.Contains(codes, co.Remainder) {
			v.add(path+".remainder", ErrUnknownCode, "余数类别须为所列类别之一", "remainder must be one of the listed classes")
		}
	case Score:
		codes := make([]string, len(co.Thresholds))
		for i, t := range co.Thresholds {
			codes[i] = t.Class
			if i > 0 && i < len(co.Thresholds)-1 && !(t.MinScore < co.Thresholds[i-1].MinScore) {
				v.add(fmt.Sprintf("%s.thresholds[%d].min_score", path, i), ErrInvalidValue, "分数线须由高到低严格递减", "thresholds must decrease strictly")
			}
		}
		order(path+".thresholds", codes)
		if len(co.Thresholds) < 2 {
			v.add(path+".thresholds", ErrMissing, "按分数分类至少需要两个类别", "score cut-offs need at least two classes")
		}
	default:
		v.add(path+".method", ErrUnknownCode, "未知的分类方法："+string(co.Method), "unknown cut-off method "+string(co.Method))
	}
}

func (v *validator) group(c *Config, gi int) {
	g := &c.Groups[gi]
	p := fmt.Sprintf("groups[%d]", gi)
	if !g.Group.valid() {
		v.add(p+".group", ErrUnknownCode, "未知的评价组："+string(g.Group), "unknown group "+string(g.Group))
	} else if c.group(g.Group) != gi {
		v.add(p+".group", ErrDuplicate, "评价组重复："+string(g.Group), "duplicate group "+string(g.Group))
	}
	v.text(p+".name", g.Name)
	if g.MinLand < 0 {
		v.add(p+".min_land_mu100", ErrInvalidValue, "用地门槛不能为负", "land threshold must be ≥ 0")
	}
	if g.Cutoff != nil {
		v.cutoff(c, p+".cutoff", g.Cutoff)
	}
	if len(g.Indicators) == 0 {
		v.add(p+".indicators", ErrMissing, "评价组至少需要一个指标", "a group needs at least one indicator")
		return
	}
	sum := 0.0
	seen := [numCodes]bool{}
	for ii, ic := range g.Indicators {
		ip := fmt.Sprintf("%s.indicators[%d]", p, ii)
		ci := codeIndex(ic.Code)
		switch {
		case ci < 0:
			v.add(ip+".code", ErrUnknownCode, "未知的指标代码："+string(ic.Code), "unknown indicator code "+string(ic.Code))
		case seen[ci]:
			v.add(ip+".code", ErrDuplicate, "指标重复："+string(ic.Code), "duplicate indicator "+string(ic.Code))
		default:
			seen[ci] = true
		}
		if !(ic.Weight > 0) {
			v.add(ip+".weight", ErrInvalidValue, "权重须大于 0", "weight must be > 0")
		}
		sum += ic.Weight
		// A cap below 1 would stop a firm at the benchmark from earning its
		// weight, which no published method does.
		if ic.Cap != 0 && !(ic.Cap >= 1) {
			v.add(ip+".cap", ErrInvalidValue, "封顶倍数须为 0（不封顶）或不小于 1", "cap must be 0 (none) or ≥ 1")
		}
		switch ic.Missing {
		case GroupAverage, Zero, ExcludeAndReweight:
		default:
			v.add(ip+".missing", ErrUnknownCode, "未知的缺失数据规则："+string(ic.Missing), "unknown missing-data rule "+string(ic.Missing))
		}
		b := ic.Benchmark
		switch b.Method {
		case Fixed:
			if !(b.Value > 0) {
				v.add(ip+".benchmark.value", ErrInvalidValue, "固定基准值须大于 0", "a fixed benchmark must be > 0")
			}
		case PriorMean, MeanMultiple:
			if b.Method == MeanMultiple && !(b.Multiple > 0) {
				v.add(ip+".benchmark.multiple", ErrInvalidValue, "均值倍数须大于 0", "the mean multiple must be > 0")
			}
			if b.Value != 0 {
				v.add(ip+".benchmark.value", ErrInvalidValue, "上年均值取自上年评价结果，不能在配置中填写；已公布的基准请用 fixed 方法", "the prior mean comes from the prior run and cannot be set here; use method fixed for a published benchmark")
			}
			if b.Mean != "" && b.Mean != RatioOfSums && b.Mean != FirmMean {
				v.add(ip+".benchmark.mean", ErrUnknownCode, "未知的均值口径："+string(b.Mean), "unknown mean kind "+string(b.Mean))
			}
			switch b.NoPrior {
			case RefuseWithoutPrior, UseCurrentMean:
			case noPriorConfigValue:
				v.add(ip+".benchmark.no_prior", ErrInvalidValue, "config_value 已停用：配置值不能代替上年均值；已公布的基准请用 fixed 方法", "config_value is no longer accepted: a configured value cannot stand in for the prior mean; use method fixed for a published benchmark")
			default:
				v.add(ip+".benchmark.no_prior", ErrUnknownCode, "未知的无上年数据规则："+string(b.NoPrior), "unknown no_prior rule "+string(b.NoPrior))
			}
		case MinMax:
			if b.Value != 0 {
				v.add(ip+".benchmark.value", ErrInvalidValue, "极值法的基准取自当年数据，不能在配置中填写", "min_max takes its range from this year's data; value cannot be set")
			}
			if b.Floor < 0 || !(b.Range > 0) {
				v.add(ip+".benchmark", ErrInvalidValue, "极值法须 floor ≥ 0 且 range > 0", "min_max needs floor ≥ 0 and range > 0")
			}
		default:
			v.add(ip+".benchmark.method", ErrUnknownCode, "未知的基准方法："+string(b.Method), "unknown benchmark method "+string(b.Method))
		}
		if !ic.higher() && b.Method != MinMax && ic.Cap == 0 {
			v.add(ip+".cap", ErrInvalidValue, "越低越好的指标按基准比值计分时须封顶", "a lower-is-better ratio indicator needs a cap")
		}
	}
	if math.Abs(sum-100) > weightTolerance {
		v.add(p+".indicators", ErrWeightSum, fmt.Sprintf("%s 组权重之和为 %g，应为 100", g.Group, sum), fmt.Sprintf("weights of %s sum to %g, not 100", g.Group, sum))
	}
}

func (v *validator) policy(c *Config, i int, p Policy) {
	path := fmt.Sprintf("policies[%d]", i)
	if c.classIndex(p.Class) < 0 {
		v.add(path+".class", ErrUnknownCode, "政策所属类别不存在："+p.Class, "policy for unknown class "+p.Class)
	}
	if !p.Kind.valid() {
		v.add(path+".kind", ErrUnknownCode, "未知的政策类型："+string(p.Kind), "unknown policy kind "+string(p.Kind))
	}
	// One policy per kind and class: surcharges do not stack (Shandong: the
	// highest applies), so two of them would be ambiguous.
	for j := range i {
		q := c.Policies[j]
		if q.Class == p.Class && q.Kind == p.Kind && p.Kind != Measure {
			v.add(path+".kind", ErrDuplicate, "同一类别的同类政策重复："+string(p.Kind), "duplicate policy kind "+string(p.Kind)+" for class "+p.Class)
		}
	}
	if p.Kind.surcharge() {
		if len(p.RateFen) == 0 {
			v.add(path+".rate_fen", ErrMissing, "加价政策须给出每年的加价标准", "a surcharge needs its rate per year")
		}
		for j, r := range p.RateFen {
			if r < 0 {
				v.add(fmt.Sprintf("%s.rate_fen[%d]", path, j), ErrInvalidValue, "加价标准不能为负", "a surcharge rate must be ≥ 0")
			}
		}
	} else if len(p.RateFen) > 0 {
		v.add(path+".rate_fen", ErrInvalidValue, "只有加价政策才有加价标准", "only surcharges have rates")
	}
	if p.Kind == LandTaxRelief && !(p.ReliefPct > 0 && p.ReliefPct <= 100) {
		v.add(path+".relief_pct", ErrInvalidValue, "减免比例须在 0–100 之间", "relief_pct must be in (0, 100]")
	}
	v.text(path+".text", p.Text)
}
