package mujun

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/industrybrain/ibrain/internal/unit"
)

// RunOptions tunes a run.
type RunOptions struct {
	// AsOf is the day firm age is measured on for the new-firm exemption;
	// zero means 31 December of the configuration year.
	AsOf time.Time
	// PriorRunID is the stored id of prior, recorded as the provenance of
	// the benchmarks taken from it; 0 when prior is not stored.
	PriorRunID int64
}

// Run evaluates every firm in scope with the default options. prior is the
// previous year's run (nil when there is none); it supplies prior-year means
// for prior_mean and mean_multiple benchmarks and the class history that
// escalates surcharges.
//
// Rules fixed here rather than in configuration:
//   - Ratios over a zero or unknown denominator are missing.
//   - An indicator score is clamped to [0, cap × weight]; a negative value
//     (a tax refund) scores 0 instead of eating other indicators' points.
//   - Totals are rounded to 1e-6 before ranking, so firms whose scores are
//     equal in decimal but differ in the last binary digit tie.
//   - Ties: equal scores share the competition rank and the class of the
//     best-placed slot (see RankShare); listing order within a tie is by ID.
//   - force_class vetoes take the firm out of the rank-share pool (shares
//     apply to the other firms) and override exemption; with several, the
//     worst class wins. Deductions are not floored at 0.
//   - Prior-year means, min_max ranges and group averages are over the
//     group's rated firms with a value; exempt firms are not part of them.
func Run(cfg Config, facts []Facts, prior *RunResult) (RunResult, error) {
	return RunWith(cfg, facts, prior, RunOptions{})
}

// RunWith is Run with options.
func RunWith(cfg Config, facts []Facts, prior *RunResult, opt RunOptions) (RunResult, error) {
	if err := cfg.Validate(); err != nil {
		return RunResult{}, err
	}
	if prior != nil && prior.Year != cfg.Year-1 {
		t := msg("err.mujun_run.prior_year", prior.Year, cfg.Year)
		return RunResult{}, &RunError{Err: ErrPriorYear, Zh: t.Zh, En: t.En}
	}
	cfg, err := cloneConfig(cfg)
	if err != nil {
		return RunResult{}, err
	}
	r := &runner{cfg: &cfg, facts: facts, prior: prior, asOf: opt.AsOf, priorID: opt.PriorRunID}
	if r.asOf.IsZero() {
		r.asOf = cfg.yearEnd()
	}
	r.res = RunResult{ConfigID: cfg.ID, ConfigVersion: cfg.Version, Year: cfg.Year, EvaluatingUnit: cfg.EvaluatingUnit, Config: cfg}
	if err := r.scope(); err != nil {
		return RunResult{}, err
	}
	for gi := range cfg.Groups {
		if err := r.scoreGroup(gi); err != nil {
			return RunResult{}, err
		}
	}
	r.applyPolicies()
	r.aggregate()
	return r.res, nil
}

// cloneConfig deep-copies through JSON so the result's record of the
// configuration cannot change when the caller edits its copy.
func cloneConfig(c Config) (Config, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return Config{}, fmt.Errorf("mujun: copy configuration: %w", err)
	}
	var out Config
	if err := json.Unmarshal(b, &out); err != nil {
		return Config{}, fmt.Errorf("mujun: copy configuration: %w", err)
	}
	return out, nil
}

type runner struct {
	cfg     *Config
	facts   []Facts
	prior   *RunResult
	priorID int64
	asOf    time.Time
	res     RunResult

	// Parallel to res.Enterprises.
	src     []int32 // index into facts
	region  []int32 // interned region
	classOf []int16 // index into cfg.Classes.Defs
	forced  []int16 // class forced by a veto, or -1

	regionCodes []string
	rated       [][]int32 // per group: indices of rated firms, in ID order
	exempt      [][]int32 // per group: indices of exempt firms
}

func (r *runner) scope() error {
	facts := r.facts
	order := make([]int32, len(facts))
	for i := range order {
		order[i] = int32(i)
	}
	byID := func(a, b int32) int { return cmp.Compare(facts[a].EnterpriseID, facts[b].EnterpriseID) }
	if !slices.IsSortedFunc(order, byID) {
		slices.SortFunc(order, byID)
	}
	for k := 1; k < len(order); k++ {
		if id := facts[order[k]].EnterpriseID; id == facts[order[k-1]].EnterpriseID {
			t := msg("err.mujun_run.duplicate_enterprise", id)
			return &RunError{Err: ErrDuplicateEnterprise, EnterpriseID: id, Zh: t.Zh, En: t.En}
		}
	}

	cfg := r.cfg
	n := len(facts)
	ents := make([]EnterpriseResult, 0, n)
	r.src = make([]int32, 0, n)
	r.region = make([]int32, 0, n)
	r.forced = make([]int16, 0, n)
	r.rated = make([][]int32, len(cfg.Groups))
	r.exempt = make([][]int32, len(cfg.Groups))
	regionIdx := map[string]int32{}
	for _, fi := range order {
		f := &facts[fi]
		forced := int16(-1)
		for _, code := range f.Vetoes {
			vi := cfg.veto(code)
			if vi < 0 {
				t := msg("err.mujun_run.unknown_veto", f.EnterpriseID, code)
				return &RunError{Err: ErrUnknownVeto, EnterpriseID: f.EnterpriseID, Zh: t.Zh, En: t.En}
			}
			if v := &cfg.Vetoes[vi]; v.Effect == ForceClass {
				forced = max(forced, int16(cfg.classIndex(v.Class)))
			}
		}
		if reason := r.skipReason(f); reason != "" {
			r.res.Skipped = append(r.res.Skipped, Skipped{EnterpriseID: f.EnterpriseID, RegionCode: f.RegionCode, Reason: reason})
			continue
		}
		gi := cfg.group(f.Group)
		e := EnterpriseResult{EnterpriseID: f.EnterpriseID, RegionCode: f.RegionCode, ParkCode: f.ParkCode, Group: f.Group, Exempt: r.exemptReason(f)}
		if len(f.Vetoes) > 0 {
			e.Vetoes = slices.Clone(f.Vetoes)
		}
		k := int32(len(ents))
		ents = append(ents, e)
		ri, ok := regionIdx[f.RegionCode]
		if !ok {
			ri = int32(len(r.regionCodes))
			regionIdx[f.RegionCode] = ri
			r.regionCodes = append(r.regionCodes, f.RegionCode)
		}
		r.src = append(r.src, fi)
		r.region = append(r.region, ri)
		r.forced = append(r.forced, forced)
		if e.Exempt == "" {
			r.rated[gi] = append(r.rated[gi], k)
		} else {
			r.exempt[gi] = append(r.exempt[gi], k)
		}
	}
	r.res.Enterprises = ents
	r.classOf = make([]int16, len(ents))
	return nil
}

func (r *runner) skipReason(f *Facts) SkipReason {
	switch {
	case f.RegionCode == "":
		return SkipRegionMissing
	case r.cfg.EvaluatingUnit != "city" && f.RegionCode != r.cfg.EvaluatingUnit:
		return SkipOutsideUnit
	case !f.Group.valid():
		return SkipGroupInvalid
	}
	gi := r.cfg.group(f.Group)
	if gi < 0 {
		return SkipGroup
	}
	if threshold := r.cfg.Groups[gi].MinLand; threshold > 0 {
		if !f.Land.Known {
			return SkipLandUnknown
		}
		if f.Land.Value < threshold {
			return SkipBelowLand
		}
	}
	return ""
}

func (r *runner) exemptReason(f *Facts) ExemptReason {
	ex := &r.cfg.Exempt
	if ex.Class == "" {
		return ""
	}
	if ex.NewFirmYears > 0 && !f.Founded.IsZero() {
		// Whole calendar years at the reference day: founded 2023-01-01 is
		// younger than 2 years on 2024-12-31; founded 2022-12-31 is not.
		d := time.Date(f.Founded.Year(), f.Founded.Month(), f.Founded.Day(), 0, 0, 0, 0, time.UTC)
		if d.AddDate(ex.NewFirmYears, 0, 0).After(r.asOf) {
			return ExemptNewFirm
		}
	}
	if f.Section != "" && slices.Contains(ex.Sections, f.Section) {
		return ExemptSection
	}
	return ""
}

// statAcc accumulates IndicatorStats.
type statAcc struct {
	n        int
	num, den int64
	sum      float64
	lo, hi   float64
}

func (a *statAcc) add(num, den int64, v float64) {
	if a.n == 0 || v < a.lo {
		a.lo = v
	}
	if a.n == 0 || v > a.hi {
		a.hi = v
	}
	a.n++
	a.num += num
	a.den += den
	a.sum += v
}

func (a *statAcc) out(i int) IndicatorStats {
	s := IndicatorStats{Code: codeAt(i), N: a.n, Num: a.num, Den: a.den, Min: a.lo, Max: a.hi}
	if a.n > 0 {
		s.FirmMean = a.sum / float64(a.n)
		if a.den > 0 {
			s.RatioOfSums = ratio(i, a.num, a.den)
		}
	}
	return s
}

// rankKey is what a group is sorted by; copying score and ID next to the
// index keeps the sort cache-friendly at 10⁵ firms.
type rankKey struct {
	score float64
	id    int64
	idx   int32
}

func (r *runner) scoreGroup(gi int) error {
	cfg, facts, ents := r.cfg, r.facts, r.res.Enterprises
	gc := &cfg.Groups[gi]
	mem := r.rated[gi]
	k := len(gc.Indicators)
	gr := GroupResult{Group: gc.Group, Name: gc.Name, Rated: len(mem), Exempt: len(r.exempt[gi])}
	gr.Firms = gr.Rated + gr.Exempt

	var accs [numCodes]statAcc
	for _, m := range mem {
		f := &facts[r.src[m]]
		for i := range numCodes {
			if num, den, ok := f.parts(i); ok {
				accs[i].add(num, den, ratio(i, num, den))
			}
		}
	}
	gr.Stats = make([]IndicatorStats, numCodes)
	for i := range numCodes {
		gr.Stats[i] = accs[i].out(i)
	}

	gis := make([]GroupIndicator, k)
	codeIdx := make([]int, k)
	totalW := 0.0
	for j := range gc.Indicators {
		ic := &gc.Indicators[j]
		codeIdx[j] = codeIndex(ic.Code)
		cur := gr.Stats[codeIdx[j]]
		gx, err := r.benchmark(gc, ic, cur)
		if err != nil {
			return err
		}
		gx.Code, gx.Weight, gx.Min, gx.Max, gx.Cap, gx.MissingRule = ic.Code, ic.Weight, cur.Min, cur.Max, ic.Cap, ic.Missing
		gis[j] = gx
		totalW += ic.Weight
	}

	// Pass 1: values, raw and capped scores, and the sums behind the group
	// average that GroupAverage fills in.
	backing := make([]IndicatorResult, len(mem)*k)
	sumCapped := make([]float64, k)
	known := make([]int, k)
	for p, m := range mem {
		f := &facts[r.src[m]]
		irs := backing[p*k : (p+1)*k : (p+1)*k]
		for j := range irs {
			ic, gx, x := &gc.Indicators[j], &gis[j], &irs[j]
			x.Code, x.Weight, x.Benchmark = ic.Code, ic.Weight, gx.Benchmark
			num, den, ok := f.parts(codeIdx[j])
			if !ok {
				x.Missing, x.Filled = true, ic.Missing
				continue
			}
			x.Value = ratio(codeIdx[j], num, den)
			x.RawScore = rawScore(ic, gx, x.Value)
			x.CappedScore = capScore(ic, x.RawScore)
			sumCapped[j] += x.CappedScore
			known[j]++
		}
		ents[m].Indicators = irs
	}
	for j := range gis {
		gis[j].MissingCount = len(mem) - known[j]
		if known[j] > 0 {
			gis[j].AverageScore = sumCapped[j] / float64(known[j])
		}
	}
	gr.Indicators = gis

	// Pass 2: missing-data rules, reweighting, deductions, total.
	keys := make([]rankKey, len(mem))
	for p, m := range mem {
		e := &ents[m]
		excluded := 0.0
		for j := range e.Indicators {
			if x := &e.Indicators[j]; x.Missing && x.Filled == ExcludeAndReweight {
				excluded += x.Weight
			}
		}
		factor := 1.0
		if excluded > 0 {
			factor = 0 // nothing left to score
			if rest := totalW - excluded; rest > weightTolerance {
				factor = totalW / rest
			}
			e.ReweightFactor = factor
		}
		sub := 0.0
		for j := range e.Indicators {
			x := &e.Indicators[j]
			switch {
			case !x.Missing:
				x.Score = x.CappedScore * factor
			case x.Filled == GroupAverage:
				x.Score = gis[j].AverageScore * factor
			}
			sub += x.Score
		}
		e.Subtotal = sub
		for _, code := range e.Vetoes {
			if v := &cfg.Vetoes[cfg.veto(code)]; v.Effect == Deduct {
				e.Deducted += v.Points
			}
		}
		e.Score = round6(sub - e.Deducted)
		keys[p] = rankKey{score: e.Score, id: e.EnterpriseID, idx: m}
	}

	slices.SortFunc(keys, func(a, b rankKey) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	r.rank(keys)
	gr.Classes = r.classify(gi, keys)
	r.res.Groups = append(r.res.Groups, gr)
	return nil
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// benchmark returns the value that earns an indicator its weight and where
// it came from. A method that needs data refuses (a *BenchmarkError) when
// the data is absent, empty, below the configuration's minimum number of
// firms or averages to nothing; nothing stands in for it. cur is this
// year's group over the rated firms; when no firm has a value there is
// nothing to score and no benchmark is needed.
func (r *runner) benchmark(gc *GroupConfig, ic *IndicatorConfig, cur IndicatorStats) (GroupIndicator, error) {
	g := gc.Group
	b := &ic.Benchmark
	gi := GroupIndicator{Method: b.Method, MinFirms: r.cfg.minFirms()}
	if b.Method == Fixed {
		gi.Benchmark, gi.BenchmarkFrom, gi.MinFirms = b.Value, FromConfig, 0
		return gi, nil
	}
	if cur.N == 0 {
		gi.BenchmarkFrom = FromNone
		return gi, nil
	}
	refuse := func(gap BenchmarkGap, year int, run int64, firms int) (GroupIndicator, error) {
		return gi, &BenchmarkError{Gap: gap, Group: g, GroupName: gc.Name, Indicator: ic.Code, Method: b.Method, Year: year, Unit: r.cfg.EvaluatingUnit,
			PriorRunID: run, Firms: firms, MinFirms: gi.MinFirms}
	}
	useCurrent := func() (GroupIndicator, error) {
		if cur.N < gi.MinFirms {
			return refuse(GapCurrentTooFew, r.cfg.Year, 0, cur.N)
		}
		gi.BenchmarkFrom, gi.BenchmarkYear, gi.BenchmarkFirms = FromCurrentYear, r.cfg.Year, cur.N
		return gi, nil
	}
	if b.Method == MinMax {
		if _, err := useCurrent(); err != nil {
			return gi, err
		}
		gi.Benchmark = cur.Max
		if !ic.higher() {
			gi.Benchmark = cur.Min
		}
		return gi, nil
	}
	pick := func(s IndicatorStats) float64 {
		if b.Mean == FirmMean {
			return s.FirmMean
		}
		return s.RatioOfSums
	}
	var mean float64
	switch {
	case r.prior != nil:
		ps := r.priorStats(g, ic.Code)
		if ps.N < gi.MinFirms {
			return refuse(GapPriorTooFew, r.prior.Year, r.priorID, ps.N)
		}
		mean = pick(ps)
		gi.BenchmarkFrom, gi.BenchmarkRun, gi.BenchmarkYear, gi.BenchmarkFirms = FromPriorRun, r.priorID, r.prior.Year, ps.N
	case b.NoPrior == UseCurrentMean:
		if _, err := useCurrent(); err != nil {
			return gi, err
		}
		mean = pick(cur)
	default:
		return refuse(GapNoPrior, r.cfg.Year-1, 0, 0)
	}
	gi.Benchmark = mean
	if b.Method == MeanMultiple {
		gi.Benchmark *= b.Multiple
	}
	if !(gi.Benchmark > 0) {
		return refuse(GapZeroMean, gi.BenchmarkYear, gi.BenchmarkRun, gi.BenchmarkFirms)
	}
	return gi, nil
}

// priorStats returns the prior run's statistics of an indicator in a
// group; N is 0 when the prior run has no such group or no firm with a
// value.
func (r *runner) priorStats(g Group, c IndicatorCode) IndicatorStats {
	gr, ok := r.prior.Group(g)
	if !ok {
		return IndicatorStats{}
	}
	s, _ := gr.stats(c)
	return s
}

func rawScore(ic *IndicatorConfig, gx *GroupIndicator, v float64) float64 {
	w := ic.Weight
	if ic.Benchmark.Method == MinMax {
		t := 1.0 // every firm at the same value is at the top of the range
		if gx.Max > gx.Min {
			if ic.higher() {
				t = (v - gx.Min) / (gx.Max - gx.Min)
			} else {
				t = (gx.Max - v) / (gx.Max - gx.Min)
			}
		}
		return w * (ic.Benchmark.Floor + ic.Benchmark.Range*t) / 100
	}
	if ic.higher() {
		return w * v / gx.Benchmark
	}
	if v <= 0 {
		return ic.Cap * w // nothing used: the best a capped score can be
	}
	return w * gx.Benchmark / v
}

func capScore(ic *IndicatorConfig, raw float64) float64 {
	s := raw
	if ic.Cap > 0 && s > ic.Cap*ic.Weight {
		s = ic.Cap * ic.Weight
	}
	return max(s, 0)
}

// rank sets competition ranks in the group and in each region.
func (r *runner) rank(keys []rankKey) {
	ents := r.res.Enterprises
	seen := make([]int, len(r.regionCodes))
	last := make([]float64, len(r.regionCodes))
	lastRank := make([]int, len(r.regionCodes))
	rank := 0
	for p, key := range keys {
		if p == 0 || key.score != keys[p-1].score {
			rank = p + 1
		}
		e := &ents[key.idx]
		e.Rank = rank
		ri := r.region[key.idx]
		seen[ri]++
		if seen[ri] == 1 || key.score != last[ri] {
			lastRank[ri] = seen[ri]
		}
		last[ri] = key.score
		e.RegionRank = lastRank[ri]
	}
}

// classify gives every firm of group gi its class and returns the class
// distribution.
func (r *runner) classify(gi int, keys []rankKey) []ClassCount {
	cfg, ents := r.cfg, r.res.Enterprises
	defs := cfg.Classes.Defs
	counts := make([]ClassCount, len(defs))
	for i, d := range defs {
		counts[i].Class = d.Code
	}
	set := func(idx int32, ci int, by ClassSource) {
		r.classOf[idx] = int16(ci)
		e := &ents[idx]
		e.Class, e.ClassBy = defs[ci].Code, by
		c := &counts[ci]
		if e.Exempt == "" {
			if c.Count == 0 || e.Score < c.MinScore {
				c.MinScore = e.Score
			}
			if c.Count == 0 || e.Score > c.MaxScore {
				c.MaxScore = e.Score
			}
		}
		c.Count++
	}

	co := cfg.cutoff(gi)
	pool := make([]rankKey, 0, len(keys))
	for _, key := range keys {
		if f := r.forced[key.idx]; f >= 0 {
			set(key.idx, int(f), ByVeto)
		} else {
			pool = append(pool, key)
		}
	}
	switch co.Method {
	case RankShare:
		sizes := shareSizes(co, len(pool))
		t, end := 0, sizes[0]
		prank := 0
		for p, key := range pool {
			if p == 0 || key.score != pool[p-1].score {
				prank = p + 1
			}
			for prank-1 >= end && t < len(sizes)-1 {
				t++
				end += sizes[t]
			}
			set(key.idx, cfg.classIndex(co.Shares[t].Class), ByRankShare)
		}
		for t, s := range co.Shares {
			counts[cfg.classIndex(s.Class)].Quota = sizes[t]
		}
	case Score:
		th := co.Thresholds
		for _, key := range pool {
			t := 0
			for t < len(th)-1 && key.score < th[t].MinScore {
				t++
			}
			set(key.idx, cfg.classIndex(th[t].Class), ByScore)
		}
	}

	// Exempt firms are outside the ranking; a forcing veto still applies.
	ec := cfg.classIndex(cfg.Exempt.Class)
	for _, k := range r.exempt[gi] {
		if f := r.forced[k]; f >= 0 {
			set(k, int(f), ByVeto)
		} else {
			set(k, ec, ByExemption)
		}
	}
	return counts
}

// shareSizes turns rank shares into class sizes for n firms: round half up
// for each class but the remainder, filled best first and clamped to the
// firms left; the remainder class takes what is left.
func shareSizes(co *Cutoff, n int) []int {
	sizes := make([]int, len(co.Shares))
	left := n
	rem := -1
	for t, s := range co.Shares {
		if s.Class == co.Remainder {
			rem = t
			continue
		}
		// The epsilon keeps 20.5 % × 10 = 2.05 → 2 and 5 % × 10 = 0.5 → 1
		// from landing on the wrong side through binary rounding.
		q := int(math.Floor(s.Pct*float64(n)/100 + 0.5 + 1e-9))
		q = min(q, left)
		sizes[t] = q
		left -= q
	}
	sizes[rem] = left
	return sizes
}

func (r *runner) applyPolicies() {
	cfg, ents := r.cfg, r.res.Enterprises
	byClass := make([][]int, len(cfg.Classes.Defs))
	for i, p := range cfg.Policies {
		ci := cfg.classIndex(p.Class)
		byClass[ci] = append(byClass[ci], i)
	}
	total := 0
	for k := range ents {
		total += len(byClass[r.classOf[k]])
	}
	backing := make([]AppliedPolicy, total)

	// Prior results are matched by a merge join on enterprise ID; a prior
	// loaded from elsewhere may not be sorted, so sort an index of it.
	var prior []EnterpriseResult
	var porder []int32
	if r.prior != nil {
		prior = r.prior.Enterprises
		porder = make([]int32, len(prior))
		for i := range porder {
			porder[i] = int32(i)
		}
		byID := func(a, b int32) int { return cmp.Compare(prior[a].EnterpriseID, prior[b].EnterpriseID) }
		if !slices.IsSortedFunc(porder, byID) {
			slices.SortFunc(porder, byID)
		}
	}
	pj, off := 0, 0
	for k := range ents {
		e := &ents[k]
		e.ConsecutiveYears = 1
		for pj < len(porder) && prior[porder[pj]].EnterpriseID < e.EnterpriseID {
			pj++
		}
		if pj < len(porder) {
			if pe := &prior[porder[pj]]; pe.EnterpriseID == e.EnterpriseID && pe.Class == e.Class {
				e.ConsecutiveYears = max(pe.ConsecutiveYears, 1) + 1
			}
		}
		pis := byClass[r.classOf[k]]
		if len(pis) == 0 {
			continue
		}
		aps := backing[off : off+len(pis) : off+len(pis)]
		off += len(pis)
		f := &r.facts[r.src[k]]
		for i, pi := range pis {
			p := &cfg.Policies[pi]
			ap := &aps[i]
			ap.Kind, ap.ReliefPct, ap.Text = p.Kind, p.ReliefPct, p.Text
			if p.Kind.surcharge() {
				ap.RateFen = p.RateFen[min(e.ConsecutiveYears, len(p.RateFen))-1]
				if p.Kind == ElectricitySurcharge && f.Electricity.Known {
					ap.AmountFen = Some(unit.Fen(ap.RateFen * f.Electricity.Value))
				}
			}
		}
		e.Policies = aps
	}
}
