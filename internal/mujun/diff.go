package mujun

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ChangeKind says how a firm appears in two runs.
type ChangeKind string

// Change kinds.
const (
	Changed ChangeKind = "changed" // in both runs, in different classes
	Added   ChangeKind = "added"   // only in the new run
	Removed ChangeKind = "removed" // only in the old run
)

// Reason is a machine-readable cause of a class change.
type Reason string

// Reasons.
const (
	ReasonScore          Reason = "score_changed"     // the firm's own indicator values moved its score
	ReasonWeights        Reason = "weights_changed"   // indicator weights (or the indicator set) changed its score
	ReasonBenchmark      Reason = "benchmark_changed" // benchmarks moved its score
	ReasonScoringRule    Reason = "scoring_rule"      // a cap or missing-data rule changed its score
	ReasonOthersMoved    Reason = "others_moved"      // own score unchanged: other firms' scores moved the cut-off
	ReasonCutoff         Reason = "cutoff_changed"    // the group's cut-off rule changed
	ReasonVetoAdded      Reason = "veto_added"        // a veto applies now
	ReasonVetoRemoved    Reason = "veto_removed"      // a veto no longer applies
	ReasonVetoRule       Reason = "veto_rule"         // the definition of a veto the firm has changed
	ReasonNowExempt      Reason = "now_exempt"        // exempt in the new run only
	ReasonNoLongerExempt Reason = "no_longer_exempt"  // exempt in the old run only
	ReasonGroup          Reason = "group_changed"     // moved between above- and below-scale
	ReasonEntered        Reason = "entered_scope"
	ReasonLeft           Reason = "left_scope"
)

// ClassChange is one firm whose class differs between two runs.
type ClassChange struct {
	EnterpriseID int64      `json:"enterprise_id"`
	RegionCode   string     `json:"region_code"`
	ParkCode     string     `json:"park_code,omitempty"`
	Group        Group      `json:"group"` // the new run's group (old for Removed)
	Kind         ChangeKind `json:"kind"`
	OldClass     string     `json:"old_class,omitempty"`
	NewClass     string     `json:"new_class,omitempty"`
	// Direction is "up" or "down" in the new configuration's class order;
	// "" when either side is missing or an exempt class.
	Direction string  `json:"direction,omitempty"`
	OldScore  float64 `json:"old_score"`
	NewScore  float64 `json:"new_score"`
	OldRank   int     `json:"old_rank"`
	NewRank   int     `json:"new_rank"`

	Reasons []Reason `json:"reasons"`
	// Drivers are the indicators whose score moved most, largest first.
	Drivers []Driver `json:"drivers,omitempty"`
	// ConfigChanges are the configuration differences that bear on the firm:
	// its group's indicators and cut-off, its vetoes, the exemption rule.
	ConfigChanges []ConfigChange `json:"config_changes,omitempty"`
	Explanation   Text           `json:"explanation"`
}

// Driver is the change of one indicator's score for one firm.
type Driver struct {
	Code         IndicatorCode `json:"code"`
	OldScore     float64       `json:"old_score"`
	NewScore     float64       `json:"new_score"`
	Delta        float64       `json:"delta"`
	OldValue     float64       `json:"old_value"`
	NewValue     float64       `json:"new_value"`
	OldBenchmark float64       `json:"old_benchmark"`
	NewBenchmark float64       `json:"new_benchmark"`
	OldWeight    float64       `json:"old_weight"`
	NewWeight    float64       `json:"new_weight"`
	// Causes: "value", "missing", "benchmark", "weight", "cap",
	// "missing_rule", "reweight", "added", "removed".
	Causes []string `json:"causes"`
}

// ConfigChange is one configuration difference.
type ConfigChange struct {
	// Kind: "weight", "benchmark", "benchmark_method", "cap", "missing_rule",
	// "indicator_added", "indicator_removed", "land_threshold", "cutoff",
	// "veto", "exempt".
	Kind      string        `json:"kind"`
	Group     Group         `json:"group,omitempty"`
	Indicator IndicatorCode `json:"indicator,omitempty"`
	Veto      string        `json:"veto,omitempty"`
	Old       string        `json:"old"`
	New       string        `json:"new"`
	Text      Text          `json:"text"`
}

// DiffOptions tunes Diff.
type DiffOptions struct {
	// MaxDrivers is how many indicators to name per firm; 0 means 3.
	MaxDrivers int
	// MinDelta is the smallest indicator score change worth naming; 0 means
	// 0.005 points (what two decimals can show).
	MinDelta float64
}

// Diff lists the firms whose class differs between two runs, typically the
// same year's facts under two configuration versions, with the reasons.
func Diff(old, new RunResult) []ClassChange { return DiffWith(old, new, DiffOptions{}) }

// DiffWith is Diff with options.
func DiffWith(old, new RunResult, opt DiffOptions) []ClassChange {
	if opt.MaxDrivers <= 0 {
		opt.MaxDrivers = 3
	}
	if opt.MinDelta <= 0 {
		opt.MinDelta = 0.005
	}
	d := differ{old: &old, new: &new, opt: opt, groupChanges: map[Group][]ConfigChange{}}
	for _, g := range []Group{AboveScale, BelowScale} {
		d.groupChanges[g] = d.configChanges(g)
	}
	d.exemptChanges = exemptChanges(&old.Config, &new.Config)

	oi, ni := sortedIdx(old.Enterprises), sortedIdx(new.Enterprises)
	var out []ClassChange
	i, j := 0, 0
	for i < len(oi) || j < len(ni) {
		switch {
		case j >= len(ni) || (i < len(oi) && old.Enterprises[oi[i]].EnterpriseID < new.Enterprises[ni[j]].EnterpriseID):
			out = append(out, d.one(&old.Enterprises[oi[i]], nil))
			i++
		case i >= len(oi) || new.Enterprises[ni[j]].EnterpriseID < old.Enterprises[oi[i]].EnterpriseID:
			out = append(out, d.one(nil, &new.Enterprises[ni[j]]))
			j++
		default:
			o, n := &old.Enterprises[oi[i]], &new.Enterprises[ni[j]]
			if o.Class != n.Class {
				out = append(out, d.one(o, n))
			}
			i++
			j++
		}
	}
	return out
}

func sortedIdx(es []EnterpriseResult) []int {
	idx := make([]int, len(es))
	for i := range idx {
		idx[i] = i
	}
	byID := func(a, b int) int { return cmp.Compare(es[a].EnterpriseID, es[b].EnterpriseID) }
	if !slices.IsSortedFunc(idx, byID) {
		slices.SortFunc(idx, byID)
	}
	return idx
}

type differ struct {
	old, new      *RunResult
	opt           DiffOptions
	groupChanges  map[Group][]ConfigChange
	exemptChanges []ConfigChange
}

func (d *differ) one(o, n *EnterpriseResult) ClassChange {
	var c ClassChange
	switch {
	case o == nil:
		c = ClassChange{EnterpriseID: n.EnterpriseID, RegionCode: n.RegionCode, ParkCode: n.ParkCode, Group: n.Group, Kind: Added,
			NewClass: n.Class, NewScore: n.Score, NewRank: n.Rank, Reasons: []Reason{ReasonEntered}}
	case n == nil:
		c = ClassChange{EnterpriseID: o.EnterpriseID, RegionCode: o.RegionCode, ParkCode: o.ParkCode, Group: o.Group, Kind: Removed,
			OldClass: o.Class, OldScore: o.Score, OldRank: o.Rank, Reasons: []Reason{ReasonLeft}}
	default:
		c = ClassChange{EnterpriseID: n.EnterpriseID, RegionCode: n.RegionCode, ParkCode: n.ParkCode, Group: n.Group, Kind: Changed,
			OldClass: o.Class, NewClass: n.Class, OldScore: o.Score, NewScore: n.Score, OldRank: o.Rank, NewRank: n.Rank}
		c.Direction = d.direction(o.Class, n.Class)
		all := d.drivers(o, n)
		d.reasons(&c, o, n, all)
		c.Drivers = all[:min(len(all), d.opt.MaxDrivers)]
	}
	c.Explanation = d.explain(&c, o, n)
	return c
}

func (d *differ) direction(oc, nc string) string {
	cfg := &d.new.Config
	oi, ni := cfg.classIndex(oc), cfg.classIndex(nc)
	if oi < 0 || ni < 0 || oc == cfg.Exempt.Class || nc == cfg.Exempt.Class || oc == d.old.Config.Exempt.Class {
		return ""
	}
	if ni < oi {
		return "up"
	}
	return "down"
}

// reasons names why the class changed. A moved score is attributed by
// the causes of its indicators' changes (drivers, all of them): the
// firm's own values, the weights, the benchmarks or a scoring rule, so
// a change of configuration is not reported as the firm's doing.
func (d *differ) reasons(c *ClassChange, o, n *EnterpriseResult, drivers []Driver) {
	if o.Group != n.Group {
		c.Reasons = append(c.Reasons, ReasonGroup)
	}
	switch {
	case o.Exempt == "" && n.Exempt != "":
		c.Reasons = append(c.Reasons, ReasonNowExempt)
	case o.Exempt != "" && n.Exempt == "":
		c.Reasons = append(c.Reasons, ReasonNoLongerExempt)
	}
	if len(d.exemptChanges) > 0 && (o.Exempt != "" || n.Exempt != "") {
		c.ConfigChanges = append(c.ConfigChanges, d.exemptChanges...)
	}
	for _, v := range n.Vetoes {
		if !slices.Contains(o.Vetoes, v) {
			c.Reasons = append(c.Reasons, ReasonVetoAdded)
			break
		}
	}
	for _, v := range o.Vetoes {
		if !slices.Contains(n.Vetoes, v) {
			c.Reasons = append(c.Reasons, ReasonVetoRemoved)
			break
		}
	}
	if vc := vetoChanges(&d.old.Config, &d.new.Config, o.Vetoes, n.Vetoes); len(vc) > 0 {
		c.Reasons = append(c.Reasons, ReasonVetoRule)
		c.ConfigChanges = append(c.ConfigChanges, vc...)
	}
	gcs := d.groupChanges[n.Group]
	cutoff := false
	for _, cc := range gcs {
		cutoff = cutoff || cc.Kind == "cutoff"
	}
	if cutoff {
		c.Reasons = append(c.Reasons, ReasonCutoff)
	}
	scoreMoved := math.Abs(n.Score-o.Score) > 1e-6
	if scoreMoved {
		var own, weights, bench, rule bool
		for _, dr := range drivers {
			for _, cause := range dr.Causes {
				switch cause {
				case "value", "missing":
					own = true
				case "weight", "reweight", "added", "removed":
					weights = true
				case "benchmark":
					bench = true
				case "cap", "missing_rule":
					rule = true
				}
			}
		}
		if !own && !weights && !bench && !rule {
			own = true // moves too small to name one by one are the firm's own
		}
		for _, r := range []struct {
			on bool
			r  Reason
		}{{own, ReasonScore}, {weights, ReasonWeights}, {bench, ReasonBenchmark}, {rule, ReasonScoringRule}} {
			if r.on {
				c.Reasons = append(c.Reasons, r.r)
			}
		}
	}
	if !scoreMoved && !cutoff && len(c.Reasons) == 0 {
		c.Reasons = append(c.Reasons, ReasonOthersMoved)
	}
	c.ConfigChanges = append(c.ConfigChanges, gcs...)
}

func (d *differ) drivers(o, n *EnterpriseResult) []Driver {
	oc, nc := d.old.Config.Groups, d.new.Config.Groups
	og, ng := groupCfg(oc, o.Group), groupCfg(nc, n.Group)
	var out []Driver
	add := func(code IndicatorCode) {
		ox, oOK := findIndicator(o.Indicators, code)
		nx, nOK := findIndicator(n.Indicators, code)
		dr := Driver{Code: code, OldScore: ox.Score, NewScore: nx.Score, Delta: nx.Score - ox.Score,
			OldValue: ox.Value, NewValue: nx.Value, OldBenchmark: ox.Benchmark, NewBenchmark: nx.Benchmark,
			OldWeight: ox.Weight, NewWeight: nx.Weight}
		switch {
		case !oOK:
			dr.Causes = []string{"added"}
		case !nOK:
			dr.Causes = []string{"removed"}
		default:
			if ox.Weight != nx.Weight {
				dr.Causes = append(dr.Causes, "weight")
			}
			if !near(ox.Benchmark, nx.Benchmark) {
				dr.Causes = append(dr.Causes, "benchmark")
			}
			if ox.Missing != nx.Missing {
				dr.Causes = append(dr.Causes, "missing")
			} else if !near(ox.Value, nx.Value) {
				dr.Causes = append(dr.Causes, "value")
			}
			oi, ni := indicatorCfg(og, code), indicatorCfg(ng, code)
			if oi != nil && ni != nil {
				if oi.Cap != ni.Cap && (ox.RawScore != ox.CappedScore || nx.RawScore != nx.CappedScore) {
					dr.Causes = append(dr.Causes, "cap")
				}
				if oi.Missing != ni.Missing && (ox.Missing || nx.Missing) {
					dr.Causes = append(dr.Causes, "missing_rule")
				}
			}
			if o.ReweightFactor != n.ReweightFactor {
				dr.Causes = append(dr.Causes, "reweight")
			}
		}
		if math.Abs(dr.Delta) >= d.opt.MinDelta {
			out = append(out, dr)
		}
	}
	for _, x := range n.Indicators {
		add(x.Code)
	}
	for _, x := range o.Indicators {
		if _, ok := findIndicator(n.Indicators, x.Code); !ok {
			add(x.Code)
		}
	}
	slices.SortStableFunc(out, func(a, b Driver) int { return cmp.Compare(math.Abs(b.Delta), math.Abs(a.Delta)) })
	return out
}

// near compares benchmarks and values that went through the same float
// arithmetic; a relative 1e-9 hides only binary noise.
func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func findIndicator(xs []IndicatorResult, c IndicatorCode) (IndicatorResult, bool) {
	for _, x := range xs {
		if x.Code == c {
			return x, true
		}
	}
	return IndicatorResult{}, false
}

func groupCfg(gs []GroupConfig, g Group) *GroupConfig {
	for i := range gs {
		if gs[i].Group == g {
			return &gs[i]
		}
	}
	return nil
}

func indicatorCfg(g *GroupConfig, c IndicatorCode) *IndicatorConfig {
	if g == nil {
		return nil
	}
	for i := range g.Indicators {
		if g.Indicators[i].Code == c {
			return &g.Indicators[i]
		}
	}
	return nil
}

func indicatorName(c IndicatorCode) Text {
	if d, ok := Definition(c); ok {
		return d.Name
	}
	return Text{string(c), string(c)}
}

// configChanges lists the differences of one group between the runs'
// configurations, with the benchmarks the runs actually used.
func (d *differ) configChanges(g Group) []ConfigChange {
	oc, nc := &d.old.Config, &d.new.Config
	og, ng := groupCfg(oc.Groups, g), groupCfg(nc.Groups, g)
	if og == nil || ng == nil {
		return nil
	}
	ogr, _ := d.old.Group(g)
	ngr, _ := d.new.Group(g)
	var out []ConfigChange
	ch := func(kind string, code IndicatorCode, old, new string, key string, args ...any) {
		out = append(out, ConfigChange{Kind: kind, Group: g, Indicator: code, Old: old, New: new, Text: msg(key, args...)})
	}
	if og.MinLand != ng.MinLand {
		o, n := muText(int64(og.MinLand)), muText(int64(ng.MinLand))
		ch("land_threshold", "", o, n, "mujun.diff.land_threshold_mu", o, n)
	}
	for _, ni := range ng.Indicators {
		name := indicatorName(ni.Code)
		oi := indicatorCfg(og, ni.Code)
		if oi == nil {
			w := num(ni.Weight, 4)
			ch("indicator_added", ni.Code, "", w, "mujun.diff.indicator_added_weight", name.Zh, w, name.En)
			continue
		}
		if oi.Weight != ni.Weight {
			o, n := num(oi.Weight, 4), num(ni.Weight, 4)
			ch("weight", ni.Code, o, n, "mujun.diff.weight_of", name.Zh, o, n, name.En)
		}
		if oi.Benchmark.Method != ni.Benchmark.Method || oi.Benchmark.Multiple != ni.Benchmark.Multiple ||
			oi.Benchmark.Floor != ni.Benchmark.Floor || oi.Benchmark.Range != ni.Benchmark.Range || oi.Benchmark.Mean != ni.Benchmark.Mean {
			o, n := methodText(oi.Benchmark), methodText(ni.Benchmark)
			ol, nl := methodLabel(oi.Benchmark), methodLabel(ni.Benchmark)
			out = append(out, ConfigChange{Kind: "benchmark_method", Group: g, Indicator: ni.Code, Old: o, New: n,
				Text: both(msg("mujun.diff.benchmark_method_of", name.Zh, ol.Zh, nl.Zh, name.En), msg("mujun.diff.benchmark_method_of", name.Zh, ol.En, nl.En, name.En))})
		}
		ob, _ := ogr.indicator(ni.Code)
		nb, _ := ngr.indicator(ni.Code)
		if ni.Benchmark.Method != MinMax && !near(ob.Benchmark, nb.Benchmark) {
			o, n := num(ob.Benchmark, 4), num(nb.Benchmark, 4)
			ch("benchmark", ni.Code, o, n, "mujun.diff.benchmark_of", name.Zh, o, n, name.En)
		}
		if oi.Cap != ni.Cap {
			o, n := capText(oi.Cap), capText(ni.Cap)
			ch("cap", ni.Code, o.En, n.En, "mujun.diff.cap_of", name.Zh, o.Zh, n.Zh, name.En, o.En, n.En)
		}
		if oi.Missing != ni.Missing {
			ol, nl := msg("mujun.missing."+string(oi.Missing)), msg("mujun.missing."+string(ni.Missing))
			out = append(out, ConfigChange{Kind: "missing_rule", Group: g, Indicator: ni.Code, Old: string(oi.Missing), New: string(ni.Missing),
				Text: both(msg("mujun.diff.missing_data_rule_of", name.Zh, ol.Zh, nl.Zh, name.En), msg("mujun.diff.missing_data_rule_of", name.Zh, ol.En, nl.En, name.En))})
		}
	}
	for _, oi := range og.Indicators {
		if indicatorCfg(ng, oi.Code) == nil {
			name := indicatorName(oi.Code)
			ch("indicator_removed", oi.Code, num(oi.Weight, 4), "", "mujun.diff.indicator_removed", name.Zh, name.En)
		}
	}
	ocut, ncut := cutoffText(oc.cutoff(oc.group(g))), cutoffText(nc.cutoff(nc.group(g)))
	if ocut != ncut {
		// Old and New keep the codes for the API; the text names them.
		ol, nl := cutoffLabel(oc.cutoff(oc.group(g))), cutoffLabel(nc.cutoff(nc.group(g)))
		out = append(out, ConfigChange{Kind: "cutoff", Group: g, Old: ocut, New: ncut,
			Text: both(msg("mujun.diff.class_cut_off", ol.Zh, nl.Zh), msg("mujun.diff.class_cut_off", ol.En, nl.En))})
	}
	return out
}

func vetoChanges(oc, nc *Config, ov, nv []string) []ConfigChange {
	var out []ConfigChange
	seen := map[string]bool{}
	for _, code := range slices.Concat(ov, nv) {
		if seen[code] {
			continue
		}
		seen[code] = true
		oi, ni := oc.veto(code), nc.veto(code)
		o, n := "—", "—"
		if oi >= 0 {
			o = vetoText(oc.Vetoes[oi])
		}
		if ni >= 0 {
			n = vetoText(nc.Vetoes[ni])
		}
		if o != n {
			name := Text{code, code}
			if ni >= 0 {
				name = nc.Vetoes[ni].Name
			} else if oi >= 0 {
				name = oc.Vetoes[oi].Name
			}
			out = append(out, ConfigChange{Kind: "veto", Veto: code, Old: o, New: n,
				Text: msg("mujun.diff.veto", name.Zh, o, n, name.En)})
		}
	}
	return out
}

func exemptChanges(oc, nc *Config) []ConfigChange {
	o, n := exemptText(oc.Exempt), exemptText(nc.Exempt)
	if o == n {
		return nil
	}
	return []ConfigChange{{Kind: "exempt", Old: o, New: n, Text: msg("mujun.diff.exemption_rule", o, n)}}
}

func vetoText(v Veto) string {
	if v.Effect == ForceClass {
		return "force_class " + v.Class
	}
	return "deduct " + num(v.Points, 4)
}

func exemptText(e Exempt) string {
	if e.Class == "" {
		return "none"
	}
	return fmt.Sprintf("class %s, new firms < %d years, sections %s", e.Class, e.NewFirmYears, strings.Join(e.Sections, "/"))
}

func methodText(b Benchmark) string {
	switch b.Method {
	case MeanMultiple:
		return string(b.Method) + " ×" + num(b.Multiple, 4)
	case MinMax:
		return fmt.Sprintf("min_max %s+%s", num(b.Floor, 4), num(b.Range, 4))
	}
	return string(b.Method)
}

func capText(c float64) Text {
	if c == 0 {
		return msg("mujun.diff.none")
	}
	s := num(c, 4) + "×"
	return Text{s, s}
}

func cutoffText(c *Cutoff) string {
	var parts []string
	switch c.Method {
	case RankShare:
		for _, s := range c.Shares {
			parts = append(parts, s.Class+" "+num(s.Pct, 4)+"%")
		}
		return "rank_share " + strings.Join(parts, "/") + " (remainder " + c.Remainder + ")"
	case Score:
		for i, t := range c.Thresholds {
			if i == len(c.Thresholds)-1 {
				parts = append(parts, t.Class+" <")
			} else {
				parts = append(parts, t.Class+" ≥"+num(t.MinScore, 4))
			}
		}
		return "score " + strings.Join(parts, "/")
	}
	return string(c.Method)
}

// cutoffLabel is cutoffText for readers, in both languages.
func cutoffLabel(c *Cutoff) Text {
	var parts []string
	switch c.Method {
	case RankShare:
		for _, s := range c.Shares {
			parts = append(parts, s.Class+" "+num(s.Pct, 4)+"%")
		}
		return msg("mujun.cutoff.rank_share", strings.Join(parts, "/"), c.Remainder)
	case Score:
		for i, t := range c.Thresholds {
			if i == len(c.Thresholds)-1 {
				parts = append(parts, t.Class+" <")
			} else {
				parts = append(parts, t.Class+" ≥"+num(t.MinScore, 4))
			}
		}
		return msg("mujun.cutoff.score", strings.Join(parts, "/"))
	}
	return Text{string(c.Method), string(c.Method)}
}

// methodLabel is methodText for readers, in both languages.
func methodLabel(b Benchmark) Text {
	t := msg("mujun.method." + string(b.Method))
	switch b.Method {
	case MeanMultiple:
		t.Zh += " ×" + num(b.Multiple, 4)
		t.En += " ×" + num(b.Multiple, 4)
	case MinMax:
		t.Zh += fmt.Sprintf(" %s+%s", num(b.Floor, 4), num(b.Range, 4))
		t.En += fmt.Sprintf(" %s+%s", num(b.Floor, 4), num(b.Range, 4))
	}
	return t
}

// both takes the Chinese of zh and the English of en: a text whose
// arguments differ by language.
func both(zh, en Text) Text { return Text{Zh: zh.Zh, En: en.En} }

func muText(m100 int64) string { return num(float64(m100)/100, 2) }

// num formats x with at most dec decimals and no trailing zeros.
func num(x float64, dec int) string {
	s := strconv.FormatFloat(x, 'f', dec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

func signed(x float64) string {
	s := num(x, 2)
	if x > 0 {
		s = "+" + s
	}
	return s
}

func className(cfg *Config, code string) Text {
	if i := cfg.classIndex(code); i >= 0 {
		return cfg.Classes.Defs[i].Name
	}
	return Text{code, code}
}

func causeLabel(cause string, dr Driver) Text {
	switch cause {
	case "weight":
		return msg("mujun.diff.weight", num(dr.OldWeight, 4), num(dr.NewWeight, 4))
	case "benchmark":
		return msg("mujun.diff.benchmark", num(dr.OldBenchmark, 4), num(dr.NewBenchmark, 4))
	case "value":
		return msg("mujun.diff.value", num(dr.OldValue, 4), num(dr.NewValue, 4))
	case "missing":
		return msg("mujun.diff.data_now_missing_or_present")
	case "cap":
		return msg("mujun.diff.cap_changed")
	case "missing_rule":
		return msg("mujun.diff.missing_data_rule_changed")
	case "reweight":
		return msg("mujun.diff.reweighted")
	case "added":
		return msg("mujun.diff.indicator_added")
	case "removed":
		return msg("mujun.diff.indicator_removed_2")
	}
	return Text{cause, cause}
}

func (d *differ) explain(c *ClassChange, o, n *EnterpriseResult) Text {
	oc, nc := &d.old.Config, &d.new.Config
	var zh, en strings.Builder
	add := func(key string, args ...any) {
		t := msg(key, args...)
		zh.WriteString(t.Zh)
		en.WriteString(t.En)
	}
	// each renders a key with a Text argument in its own language.
	each := func(key string, arg Text, more ...any) {
		zh.WriteString(msg(key, append([]any{arg.Zh}, more...)...).Zh)
		en.WriteString(msg(key, append([]any{arg.En}, more...)...).En)
	}
	switch c.Kind {
	case Added:
		each("mujun.diff.explain_added", className(nc, c.NewClass), c.NewClass)
		return Text{zh.String(), en.String()}
	case Removed:
		each("mujun.diff.explain_removed", className(oc, c.OldClass), c.OldClass)
		return Text{zh.String(), en.String()}
	}
	on, nn := className(oc, c.OldClass), className(nc, c.NewClass)
	rest := []any{c.OldClass, c.NewClass, num(c.OldScore, 2), num(c.NewScore, 2), c.OldRank, c.NewRank}
	zh.WriteString(msg("mujun.diff.explain_moved", append([]any{on.Zh, nn.Zh}, rest...)...).Zh)
	en.WriteString(msg("mujun.diff.explain_moved", append([]any{on.En, nn.En}, rest...)...).En)
	for _, r := range c.Reasons {
		switch r {
		case ReasonVetoAdded:
			each("mujun.diff.reason_veto_added", vetoNames(nc, n.Vetoes, o.Vetoes))
		case ReasonVetoRemoved:
			each("mujun.diff.reason_veto_removed", vetoNames(oc, o.Vetoes, n.Vetoes))
		case ReasonNowExempt:
			each("mujun.diff.reason_now_exempt", exemptReasonText(n.Exempt))
		case ReasonNoLongerExempt:
			add("mujun.diff.reason_no_longer_exempt")
		case ReasonGroup:
			add("mujun.diff.reason_group", string(o.Group), string(n.Group))
		case ReasonOthersMoved:
			add("mujun.diff.reason_others_moved")
		}
	}
	if len(c.Drivers) > 0 {
		var zs, es []string
		for _, dr := range c.Drivers {
			var zc, ec []string
			for _, cause := range dr.Causes {
				t := causeLabel(cause, dr)
				zc = append(zc, t.Zh)
				ec = append(ec, t.En)
			}
			name := indicatorName(dr.Code)
			sep := msg("mujun.diff.sep_causes")
			zs = append(zs, msg("mujun.diff.driver", name.Zh, signed(dr.Delta), strings.Join(zc, sep.Zh)).Zh)
			es = append(es, msg("mujun.diff.driver", name.En, signed(dr.Delta), strings.Join(ec, sep.En)).En)
		}
		sep := msg("mujun.diff.sep_items")
		each("mujun.diff.drivers", Text{strings.Join(zs, sep.Zh), strings.Join(es, sep.En)})
	}
	if len(c.ConfigChanges) > 0 {
		var zs, es []string
		for _, cc := range c.ConfigChanges {
			zs = append(zs, cc.Text.Zh)
			es = append(es, cc.Text.En)
		}
		sep := msg("mujun.diff.sep_items")
		each("mujun.diff.config_changes", Text{strings.Join(zs, sep.Zh), strings.Join(es, sep.En)})
	}
	return Text{zh.String(), en.String()}
}

// vetoNames names the codes in have that are not in other.
func vetoNames(cfg *Config, have, other []string) Text {
	var zs, es []string
	for _, code := range have {
		if slices.Contains(other, code) {
			continue
		}
		name := Text{code, code}
		if i := cfg.veto(code); i >= 0 {
			name = cfg.Vetoes[i].Name
		}
		zs = append(zs, name.Zh)
		es = append(es, name.En)
	}
	sep := msg("mujun.diff.sep_names")
	return Text{strings.Join(zs, sep.Zh), strings.Join(es, sep.En)}
}

func exemptReasonText(r ExemptReason) Text {
	switch r {
	case ExemptNewFirm:
		return msg("mujun.diff.new_firm")
	case ExemptSection:
		return msg("mujun.diff.exempt_industry")
	}
	return Text{string(r), string(r)}
}
