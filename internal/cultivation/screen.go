package cultivation

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/rules"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Tier is one title the screening judges.
type Tier struct {
	Title enterprise.TitleKind
	// Successor judges new applications when Title has no rule set for
	// them in force: from 2026-04-01 a new 创新型 application is one for the
	// merged 科技和创新型中小企业.
	Successor enterprise.TitleKind
	Rung      int // position on the ladder 1–4; 0 = a list beside the ladder
}

// Tiers returns the screened titles: the ladder 创新型 → 专精特新 → 小巨人 →
// 单项冠军, then Chongqing's 独角兽, 潜在独角兽 and 瞪羚 lists.
func Tiers() []Tier {
	return []Tier{
		{Title: enterprise.TitleInnovativeSME, Successor: rules.TitleTechInnovativeSME, Rung: 1},
		{Title: enterprise.TitleSpecialized, Rung: 2},
		{Title: enterprise.TitleLittleGiant, Rung: 3},
		{Title: enterprise.TitleChampion, Rung: 4},
		{Title: enterprise.TitleUnicorn},
		{Title: enterprise.TitlePotentialUni},
		{Title: enterprise.TitleGazelle},
	}
}

// TierOf returns the tier of a title.
func TierOf(k enterprise.TitleKind) (Tier, bool) {
	for _, t := range Tiers() {
		if t.Title == k {
			return t, true
		}
	}
	return Tier{}, false
}

// Holds reports whether titles include a valid title of kind on day d.
func Holds(titles []enterprise.Title, kind enterprise.TitleKind, d time.Time) bool {
	for _, t := range titles {
		if t.Kind == kind && t.ValidOn(d) {
			return true
		}
	}
	return false
}

// Choose returns the rule set and application kind for an enterprise and a
// tier on asOf: a holder of the title is re-reviewed (复核) under the
// review rules in force, falling back to the rules for new applications
// where no review variant exists; anyone else applies anew.
func Choose(reg *rules.Registry, tier Tier, held bool, asOf time.Time) (*rules.RuleSet, rules.Kind, error) {
	if held {
		if rs, err := reg.Select(tier.Title, rules.KindReview, asOf); err == nil {
			return rs, rules.KindReview, nil
		}
	}
	rs, err := reg.Select(tier.Title, rules.KindNew, asOf)
	if err != nil && tier.Successor != "" {
		if rs2, err2 := reg.Select(tier.Successor, rules.KindNew, asOf); err2 == nil {
			return rs2, rules.KindNew, nil
		}
	}
	return rs, rules.KindNew, err
}

// Qualifies reports whether an outcome means the data meet the rule: met,
// or met except for items only a reviewer can judge.
func Qualifies(s rules.Status) bool { return s == rules.StatusMet || s == rules.StatusManual }

// Subject is one enterprise to screen.
type Subject struct {
	ID          int64
	Name        string
	CreditCode  string
	RegionCode  string
	ClusterCode string
	Titles      []enterprise.Title
	Profile     rules.Profile
}

// Firm is what a screening keeps of a subject once judged: the identity
// lists show and filter by. The profile and titles are not kept: a
// city-wide screening lives in the cache, and they were most of its
// memory.
type Firm struct {
	ID          int64
	Name        string
	CreditCode  string
	RegionCode  string
	ClusterCode string
}

// Verdict is one enterprise's outcome for one tier.
type Verdict struct {
	Title     enterprise.TitleKind `json:"title"`
	RuleSetID string               `json:"rule_set_id"`
	Kind      rules.Kind           `json:"kind"`
	Held      bool                 `json:"held"`
	Outcome   rules.Status         `json:"outcome"`
	// Condition leaves by status: how far the enterprise is from the rule.
	Met     int `json:"met"`
	NotMet  int `json:"not_met"`
	Unknown int `json:"unknown"`
	Manual  int `json:"manual"`
	// Short is how many criteria would have to change for the rule to be
	// met (an any_of counts its cheapest route); unreachable while data
	// are missing on the way.
	Short int `json:"short_by"`
}

// NearMiss reports a rule not met by exactly one criterion, with every
// other criterion met or left to a reviewer: the borderline candidates a
// cultivation officer follows up.
func (v *Verdict) NearMiss() bool { return v.Outcome == rules.StatusNotMet && v.Short == 1 }

// verdict is a Verdict as a screening stores it, 16 bytes: the title, rule
// set and kind follow from the tier and held (every firm of a tier is
// judged by the same two rule sets, see choice), the counts fit 16 bits
// (a rule set's condition leaves; Screen refuses more).
type verdict struct {
	outcome rules.Status
	held    bool
	met     uint16
	notMet  uint16
	unknown uint16
	manual  uint16
	short   int32
}

func (v *verdict) nearMiss() bool { return v.outcome == rules.StatusNotMet && v.short == 1 }

// choice is the rule set and kind a tier judges non-holders or holders
// by, empty when none is in force.
type choice struct {
	ruleSetID string
	kind      rules.Kind
}

// Screening is the result of judging every subject against every tier,
// kept compact (about 200 bytes a firm plus its name and credit code):
// Len firms in id order, each with one verdict per tier.
type Screening struct {
	AsOf     time.Time
	Tiers    []Tier
	RuleSets []*rules.RuleSetInfo // per tier: the new-application rule set (nil when none in force)

	// Generation is the profile generation the data were read at (or
	// later) and ReadAt when: the "as of" of a screening served while a
	// newer one is computed. Zero for a screening of given subjects.
	Generation int64
	ReadAt     time.Time
	query      ProfileQuery // the store query the subjects came from

	choices  [][2]choice // per tier: for non-holders [0] and holders [1]
	firms    []Firm      // by id
	revenue  []unit.Fen  // per firm: prior-year operating revenue (0 when unknown), for ranking
	verdicts []verdict   // [firm*len(Tiers) + tier]

	// ranks holds each tier's candidates in rank order, built on first
	// use: a screening is read-only once built, so a request filters the
	// ranked list instead of sorting the city's verdicts again.
	ranks rankCache
	// funnel holds the funnel's counts per district and cluster, built on
	// first use.
	funnel funnelCache
}

// Len is the number of firms screened.
func (sc *Screening) Len() int { return len(sc.firms) }

// Firm returns firm i (0 ≤ i < Len, in id order); the firm is shared and
// read-only.
func (sc *Screening) Firm(i int) *Firm { return &sc.firms[i] }

// Verdict returns firm i's verdict for tier ti.
func (sc *Screening) Verdict(i, ti int) Verdict {
	return sc.expand(ti, &sc.verdicts[i*len(sc.Tiers)+ti])
}

func (sc *Screening) verdict(i, ti int) *verdict { return &sc.verdicts[i*len(sc.Tiers)+ti] }

// expand turns a stored verdict of tier ti into a Verdict.
func (sc *Screening) expand(ti int, v *verdict) Verdict {
	c := sc.choices[ti][0]
	if v.held {
		c = sc.choices[ti][1]
	}
	return Verdict{Title: sc.Tiers[ti].Title, RuleSetID: c.ruleSetID, Kind: c.kind, Held: v.held, Outcome: v.outcome,
		Met: int(v.met), NotMet: int(v.notMet), Unknown: int(v.unknown), Manual: int(v.manual), Short: int(v.short)}
}

// rankCache is a screening's ranked candidates per tier, built lazily.
type rankCache struct {
	once  sync.Once
	tiers []tierRank
}

type tierRank struct {
	once  sync.Once
	order []int32 // firm indexes
}

// ErrNoRuleSets is returned when no tier has a rule set in force on the
// assessment date.
var ErrNoRuleSets = errors.New("cultivation: no rule set in force on the assessment date")

// Screen judges every subject against every tier on asOf. It evaluates
// with one reused result per tier and kind, so a batch allocates only the
// verdicts.
func Screen(reg *rules.Registry, subjects []Subject, asOf time.Time) (*Screening, error) {
	j := newJudge(reg, asOf, len(subjects))
	for i := range subjects {
		s := &subjects[i]
		if err := j.add(Firm{ID: s.ID, Name: s.Name, CreditCode: s.CreditCode, RegionCode: s.RegionCode, ClusterCode: s.ClusterCode}, s.Titles, &s.Profile); err != nil {
			return nil, err
		}
	}
	return j.done()
}

// ScreenRaws is Screen(reg, Subjects(raws, asOf), asOf) building one
// profile at a time and releasing each raw once judged (raws is emptied),
// so the screening never holds every profile at once.
func ScreenRaws(reg *rules.Registry, raws []Raw, asOf time.Time) (*Screening, error) {
	j := newJudge(reg, asOf, len(raws))
	for i := range raws {
		if err := j.addRaw(&raws[i]); err != nil {
			return nil, err
		}
		raws[i] = Raw{}
	}
	return j.done()
}

// judge builds a screening one firm at a time.
type judge struct {
	sc    *Screening
	asOf  time.Time
	y1    int
	rs    [][2]*rules.RuleSet // per tier: non-holders, holders; nil when none
	ctx   [][2]rules.Context  // the evaluation context of each
	res   [][2]rules.Result   // reused results
	codes map[string]string   // district and cluster codes, stored once
	any   bool                // some tier has a rule set in force
}

func newJudge(reg *rules.Registry, asOf time.Time, n int) *judge {
	tiers := Tiers()
	j := &judge{asOf: asOf, y1: asOf.Year() - 1, rs: make([][2]*rules.RuleSet, len(tiers)), ctx: make([][2]rules.Context, len(tiers)),
		res: make([][2]rules.Result, len(tiers)), codes: map[string]string{},
		sc: &Screening{AsOf: asOf, Tiers: tiers, RuleSets: make([]*rules.RuleSetInfo, len(tiers)), choices: make([][2]choice, len(tiers)),
			firms: make([]Firm, 0, n), revenue: make([]unit.Fen, 0, n), verdicts: make([]verdict, 0, n*len(tiers))}}
	for ti, tier := range tiers {
		for h, held := range []bool{false, true} {
			rs, k, err := Choose(reg, tier, held, asOf)
			if err != nil {
				continue
			}
			if !held {
				j.sc.RuleSets[ti] = rs.Info()
				j.any = true
			}
			j.rs[ti][h], j.ctx[ti][h] = rs, rules.Context{AssessmentDate: asOf, Kind: k}
			j.sc.choices[ti][h] = choice{ruleSetID: rs.ID(), kind: k}
		}
	}
	return j
}

// code returns s, sharing one copy per distinct code.
func (j *judge) code(s string) string {
	if c, ok := j.codes[s]; ok {
		return c
	}
	j.codes[s] = s
	return s
}

// add judges one firm with its titles and profile against every tier.
func (j *judge) add(f Firm, titles []enterprise.Title, p *rules.Profile) error {
	f.RegionCode, f.ClusterCode = j.code(f.RegionCode), j.code(f.ClusterCode)
	rev, _ := p.OperatingRevenue.Get(j.y1)
	j.sc.firms = append(j.sc.firms, f)
	j.sc.revenue = append(j.sc.revenue, unit.Fen(rev))
	for ti, tier := range j.sc.Tiers {
		v := verdict{held: Holds(titles, tier.Title, j.asOf)}
		h := 0
		if v.held {
			h = 1
		}
		rs := j.rs[ti][h]
		if rs == nil {
			v.outcome = rules.StatusNotApplicable
			j.sc.verdicts = append(j.sc.verdicts, v)
			continue
		}
		res := &j.res[ti][h]
		if err := rs.EvaluateInto(p, j.ctx[ti][h], res); err != nil {
			return err
		}
		v.outcome = res.Outcome
		if err := countLeaves(res, &v); err != nil {
			return fmt.Errorf("cultivation: rule set %s: %w", rs.ID(), err)
		}
		j.sc.verdicts = append(j.sc.verdicts, v)
	}
	return nil
}

// addRaw judges one firm from its raw facts.
func (j *judge) addRaw(r *Raw) error {
	e := &r.Enterprise
	p := BuildProfile(r, j.asOf)
	return j.add(Firm{ID: e.ID, Name: e.Name, CreditCode: e.CreditCode, RegionCode: e.RegionCode, ClusterCode: r.ClusterCode}, e.Titles, &p)
}

// done returns the screening, with ErrNoRuleSets when no tier had a rule
// set in force.
func (j *judge) done() (*Screening, error) {
	if !j.any {
		return j.sc, ErrNoRuleSets
	}
	return j.sc, nil
}

// unreachable is the shortfall of a criterion whose data are missing.
const unreachable = 1 << 20

// shortfall counts the criteria below n that must change for n to be met:
// a failing condition or scorecard counts one, all_of adds its children,
// any_of takes its cheapest child; missing data make it unreachable.
func shortfall(n *rules.Node) int {
	switch n.Status {
	case rules.StatusMet, rules.StatusManual, rules.StatusNotApplicable:
		return 0
	case rules.StatusUnknown:
		return unreachable
	}
	switch n.Type() {
	case "all_of", "banded":
		sum := 0
		for i := range n.Children {
			sum = min(unreachable, sum+shortfall(&n.Children[i]))
		}
		return max(sum, 1)
	case "any_of":
		best := unreachable
		for i := range n.Children {
			best = min(best, shortfall(&n.Children[i]))
		}
		return max(best, 1)
	}
	return 1
}

// countLeaves counts the evaluated condition leaves by status, and the
// shortfall.
func countLeaves(res *rules.Result, v *verdict) error {
	v.short = int32(shortfall(res.Criteria))
	var met, notMet, unknown, manual int
	nodes := res.Nodes()
	for i := range nodes {
		n := &nodes[i]
		if n.Type() != "condition" {
			continue
		}
		switch n.Status {
		case rules.StatusMet:
			met++
		case rules.StatusNotMet:
			notMet++
		case rules.StatusUnknown:
			unknown++
		case rules.StatusManual:
			manual++
		}
	}
	if met+notMet+unknown+manual > math.MaxUint16 {
		return errors.New("more condition leaves than a screening counts")
	}
	v.met, v.notMet, v.unknown, v.manual = uint16(met), uint16(notMet), uint16(unknown), uint16(manual)
	return nil
}

// Filter narrows a screening to a district or a cluster.
type Filter struct {
	RegionCode  string
	ClusterCode string
}

func (f Filter) match(s *Firm) bool {
	return (f.RegionCode == "" || s.RegionCode == f.RegionCode) && (f.ClusterCode == "" || s.ClusterCode == f.ClusterCode)
}

// Step is one tier of the funnel.
type Step struct {
	Tier Tier `json:"-"`
	// Holders hold the title on the assessment date; of them, PassReview
	// meet the re-review rules on data and FailReview do not.
	Holders    int `json:"holders"`
	PassReview int `json:"pass_review"`
	FailReview int `json:"fail_review"`
	// Qualifying non-holders meet the rules for a new application (some
	// subject to a reviewer's items); NearMiss miss by one condition;
	// Unknown lack data to decide.
	Qualifying int `json:"qualifying"`
	NearMiss   int `json:"near_miss"`
	Unknown    int `json:"unknown"`
	Screened   int `json:"screened"`
}

// Funnel counts, per tier, the holders and the qualifying non-holders
// among the firms matching f. It adds up the counts of each district
// and cluster, counted once per screening (funnel.go), so a request costs
// the number of groups, not of firms.
func (sc *Screening) Funnel(f Filter) []Step {
	out := make([]Step, len(sc.Tiers))
	for ti, t := range sc.Tiers {
		out[ti].Tier = t
	}
	for _, g := range sc.funnelGroups() {
		if g.matches(f) {
			for ti := range out {
				out[ti].add(&g.steps[ti])
			}
		}
	}
	return out
}

// count adds one firm's verdict to the step.
func (st *Step) count(v *verdict) {
	st.Screened++
	switch {
	case v.held:
		st.Holders++
		if Qualifies(v.outcome) {
			st.PassReview++
		} else if v.outcome == rules.StatusNotMet {
			st.FailReview++
		}
	case Qualifies(v.outcome):
		st.Qualifying++
	case v.nearMiss():
		st.NearMiss++
	case v.outcome == rules.StatusUnknown:
		st.Unknown++
	}
}

// CandidateStatus selects which candidates a list shows.
type CandidateStatus string

// Candidate statuses.
const (
	CandidatesQualifying CandidateStatus = "qualifying" // meet the rules on data
	CandidatesNear       CandidateStatus = "near"       // miss by one condition
	CandidatesAll        CandidateStatus = "all"        // both
)

// Valid reports whether s is a known status.
func (s CandidateStatus) Valid() bool {
	return s == CandidatesQualifying || s == CandidatesNear || s == CandidatesAll
}

// Candidate is one ranked non-holder.
type Candidate struct {
	Rank    int
	Subject *Firm // shared and read-only
	Verdict Verdict
	Revenue unit.Fen // prior-year operating revenue, 0 when unknown
}

// Candidates ranks the non-holders of title matching f: qualifying ones
// first (met before needing a reviewer), then near misses; within each,
// fewer unknown conditions, more conditions met, larger prior-year
// revenue, then name and id, so the order is total and stable.
func (sc *Screening) Candidates(title enterprise.TitleKind, f Filter, status CandidateStatus) []Candidate {
	ti := -1
	for i, t := range sc.Tiers {
		if t.Title == title {
			ti = i
		}
	}
	if ti < 0 {
		return nil
	}
	if status == "" {
		status = CandidatesAll
	}
	out, _ := sc.candidates(ti, f, status, 0, -1)
	return out
}

// CandidatesPage is the page of Candidates from offset (0-based) of at
// most limit candidates, and how many there are in all. It walks the
// ranked list without building the other pages, so a request's cost is
// a pass over the tier's candidates plus its page.
func (sc *Screening) CandidatesPage(title enterprise.TitleKind, f Filter, status CandidateStatus, offset, limit int) ([]Candidate, int) {
	ti := -1
	for i, t := range sc.Tiers {
		if t.Title == title {
			ti = i
		}
	}
	if ti < 0 {
		return nil, 0
	}
	if status == "" {
		status = CandidatesAll
	}
	return sc.candidates(ti, f, status, max(offset, 0), max(limit, 0))
}

// candidates numbers tier ti's matches in rank order and keeps those from
// offset on, at most limit of them (all when limit < 0).
func (sc *Screening) candidates(ti int, f Filter, status CandidateStatus, offset, limit int) ([]Candidate, int) {
	var out []Candidate
	n := 0
	for _, si := range sc.rankedOf(ti) {
		s := &sc.firms[si]
		if !f.match(s) {
			continue
		}
		v := sc.verdict(int(si), ti)
		if q, near := Qualifies(v.outcome), v.nearMiss(); !(q && status != CandidatesNear) && !(near && status != CandidatesQualifying) {
			continue
		}
		n++
		if n > offset && (limit < 0 || len(out) < limit) {
			out = append(out, Candidate{Rank: n, Subject: s, Verdict: sc.expand(ti, v), Revenue: sc.revenue[si]})
		}
	}
	return out, n
}

// rankedOf returns tier ti's non-holders that qualify or nearly do, in
// rank order, sorting them once per screening.
func (sc *Screening) rankedOf(ti int) []int32 {
	sc.ranks.once.Do(func() { sc.ranks.tiers = make([]tierRank, len(sc.Tiers)) })
	tr := &sc.ranks.tiers[ti]
	tr.once.Do(func() {
		var order []int32
		for si := range sc.firms {
			v := sc.verdict(si, ti)
			if v.held || !Qualifies(v.outcome) && !v.nearMiss() {
				continue
			}
			order = append(order, int32(si))
		}
		slices.SortFunc(order, func(x, y int32) int {
			a, b := sc.verdict(int(x), ti), sc.verdict(int(y), ti)
			sa, sb := &sc.firms[x], &sc.firms[y]
			return cmp.Or(
				cmp.Compare(outcomeRank(a.outcome), outcomeRank(b.outcome)),
				cmp.Compare(a.unknown, b.unknown),
				cmp.Compare(b.met, a.met),
				cmp.Compare(sc.revenue[y], sc.revenue[x]),
				cmp.Compare(sa.Name, sb.Name),
				cmp.Compare(sa.ID, sb.ID),
			)
		})
		tr.order = order
	})
	return tr.order
}

// outcomeRank orders outcomes for ranking: met, manual, not met.
func outcomeRank(s rules.Status) int {
	switch s {
	case rules.StatusMet:
		return 0
	case rules.StatusManual:
		return 1
	case rules.StatusUnknown:
		return 2
	}
	return 3
}
