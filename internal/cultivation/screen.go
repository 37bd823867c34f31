package cultivation

import (
	"cmp"
	"errors"
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

// Screening is the result of judging every subject against every tier.
type Screening struct {
	AsOf     time.Time
	Tiers    []Tier
	RuleSets []*rules.RuleSetInfo // per tier: the new-application rule set (nil when none in force)
	Subjects []*Subject           // by id
	Verdicts [][]Verdict          // [subject][tier]

	// Generation is the profile generation the data were read at (or
	// later) and ReadAt when: the "as of" of a screening served while a
	// newer one is computed. Zero for a screening of given subjects.
	Generation int64
	ReadAt     time.Time
	query      ProfileQuery // the store query the subjects came from

	// ranks holds each tier's candidates in rank order, built on first
	// use: a screening is read-only once built, so a request filters the
	// ranked list instead of sorting the city's verdicts again.
	ranks rankCache
	// funnel holds the funnel's counts per district and cluster, built on
	// first use.
	funnel funnelCache
}

// rankCache is a screening's ranked candidates per tier, built lazily.
type rankCache struct {
	once  sync.Once
	tiers []tierRank
}

type tierRank struct {
	once  sync.Once
	order []ranked
}

// ranked is one candidate of a tier in rank order: its subject's index
// and prior-year revenue.
type ranked struct {
	si      int32
	revenue unit.Fen
}

// ErrNoRuleSets is returned when no tier has a rule set in force on the
// assessment date.
var ErrNoRuleSets = errors.New("cultivation: no rule set in force on the assessment date")

// Screen judges every subject against every tier on asOf. It evaluates
// with one reused result per rule set and kind, so a batch allocates only
// the verdicts.
func Screen(reg *rules.Registry, subjects []Subject, asOf time.Time) (*Screening, error) {
	tiers := Tiers()
	sc := &Screening{AsOf: asOf, Tiers: tiers, Subjects: make([]*Subject, len(subjects)), RuleSets: make([]*rules.RuleSetInfo, len(tiers))}
	verdicts := make([]Verdict, len(subjects)*len(tiers))
	sc.Verdicts = make([][]Verdict, len(subjects))
	for i := range subjects {
		sc.Subjects[i] = &subjects[i]
		sc.Verdicts[i] = verdicts[i*len(tiers) : (i+1)*len(tiers) : (i+1)*len(tiers)]
	}
	ctxNew := rules.Context{AssessmentDate: asOf, Kind: rules.KindNew}
	ctxReview := rules.Context{AssessmentDate: asOf, Kind: rules.KindReview}
	any := false
	for ti, tier := range tiers {
		rsNew, kNew, errNew := Choose(reg, tier, false, asOf)
		rsHeld, kHeld, errHeld := Choose(reg, tier, true, asOf)
		if errNew == nil {
			sc.RuleSets[ti] = rsNew.Info()
			any = true
		}
		var resNew, resHeld rules.Result
		for si, s := range sc.Subjects {
			held := Holds(s.Titles, tier.Title, asOf)
			v := &sc.Verdicts[si][ti]
			v.Title, v.Held = tier.Title, held
			rs, k, err, res := rsNew, kNew, errNew, &resNew
			if held {
				rs, k, err, res = rsHeld, kHeld, errHeld, &resHeld
			}
			if err != nil {
				v.Outcome = rules.StatusNotApplicable
				continue
			}
			ctx := ctxNew
			if k == rules.KindReview {
				ctx = ctxReview
			}
			if err := rs.EvaluateInto(&s.Profile, ctx, res); err != nil {
				return nil, err
			}
			v.RuleSetID, v.Kind, v.Outcome = rs.ID(), k, res.Outcome
			countLeaves(res, v)
		}
	}
	if !any {
		return sc, ErrNoRuleSets
	}
	return sc, nil
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

// countLeaves counts the evaluated condition leaves by status.
func countLeaves(res *rules.Result, v *Verdict) {
	v.Short = shortfall(res.Criteria)
	nodes := res.Nodes()
	for i := range nodes {
		n := &nodes[i]
		if n.Type() != "condition" {
			continue
		}
		switch n.Status {
		case rules.StatusMet:
			v.Met++
		case rules.StatusNotMet:
			v.NotMet++
		case rules.StatusUnknown:
			v.Unknown++
		case rules.StatusManual:
			v.Manual++
		}
	}
}

// Filter narrows a screening to a district or a cluster.
type Filter struct {
	RegionCode  string
	ClusterCode string
}

func (f Filter) match(s *Subject) bool {
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
// among the subjects matching f. It adds up the counts of each district
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

// count adds one subject's verdict to the step.
func (st *Step) count(v *Verdict) {
	st.Screened++
	switch {
	case v.Held:
		st.Holders++
		if Qualifies(v.Outcome) {
			st.PassReview++
		} else if v.Outcome == rules.StatusNotMet {
			st.FailReview++
		}
	case Qualifies(v.Outcome):
		st.Qualifying++
	case v.NearMiss():
		st.NearMiss++
	case v.Outcome == rules.StatusUnknown:
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
	Subject *Subject
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
	for _, r := range sc.rankedOf(ti) {
		s := sc.Subjects[r.si]
		if !f.match(s) {
			continue
		}
		v := &sc.Verdicts[r.si][ti]
		if q, near := Qualifies(v.Outcome), v.NearMiss(); !(q && status != CandidatesNear) && !(near && status != CandidatesQualifying) {
			continue
		}
		n++
		if n > offset && (limit < 0 || len(out) < limit) {
			out = append(out, Candidate{Rank: n, Subject: s, Verdict: *v, Revenue: r.revenue})
		}
	}
	return out, n
}

// rankedOf returns tier ti's non-holders that qualify or nearly do, in
// rank order, sorting them once per screening.
func (sc *Screening) rankedOf(ti int) []ranked {
	sc.ranks.once.Do(func() { sc.ranks.tiers = make([]tierRank, len(sc.Tiers)) })
	tr := &sc.ranks.tiers[ti]
	tr.once.Do(func() {
		y1 := sc.AsOf.Year() - 1
		var order []ranked
		for si, s := range sc.Subjects {
			v := sc.Verdicts[si][ti]
			if v.Held || !Qualifies(v.Outcome) && !v.NearMiss() {
				continue
			}
			rev, _ := s.Profile.OperatingRevenue.Get(y1)
			order = append(order, ranked{si: int32(si), revenue: unit.Fen(rev)})
		}
		slices.SortFunc(order, func(x, y ranked) int {
			a, b := sc.Verdicts[x.si][ti], sc.Verdicts[y.si][ti]
			sa, sb := sc.Subjects[x.si], sc.Subjects[y.si]
			return cmp.Or(
				cmp.Compare(outcomeRank(a.Outcome), outcomeRank(b.Outcome)),
				cmp.Compare(a.Unknown, b.Unknown),
				cmp.Compare(b.Met, a.Met),
				cmp.Compare(y.revenue, x.revenue),
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
