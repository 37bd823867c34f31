package rules

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/enterprise"
)

//go:embed rulesets/*.json
var builtinFiles embed.FS

// Kind is the kind of application a rule set judges.
type Kind string

// Application kinds.
const (
	KindNew    Kind = "new"    // first application (新申请/认定)
	KindReview Kind = "review" // re-review at the end of the validity period (复核)
)

func (k Kind) index() int {
	switch k {
	case KindNew:
		return 0
	case KindReview:
		return 1
	}
	return -1
}

// TitleTechInnovativeSME is the 2026 tier-1 title 科技和创新型中小企业, which
// merges 科技型 and 创新型中小企业 (enterprise has no constant for it yet).
const TitleTechInnovativeSME enterprise.TitleKind = "tech_innovative_sme"

// JurisdictionNational is the jurisdiction of MIIT rules.
const JurisdictionNational = "CN"

// RuleSetInfo is a rule set's identity and metadata.
type RuleSetInfo struct {
	ID        string               `json:"id"`
	Policy    Text                 `json:"policy"`
	Title     Text                 `json:"title"`
	TitleKind enterprise.TitleKind `json:"title_kind"`
	// Subject is empty for enterprise titles; other subjects (e.g.
	// "digital_ladder") judge something else a firm can be recognised for,
	// and title_kind then names that (a factory rung), checked by the module
	// that owns the subject. Screenings of titles never see them.
	Subject       string   `json:"subject,omitempty"`
	Version       string   `json:"version"`
	Jurisdiction  string   `json:"jurisdiction"`
	EffectiveFrom Date     `json:"effective_from"`
	EffectiveTo   Date     `json:"effective_to,omitzero"` // last day in force; zero = open
	Kinds         []Kind   `json:"kinds"`
	Source        string   `json:"source"`
	Note          string   `json:"note,omitempty"`
	Validity      Validity `json:"validity"`
}

// Validity is how long a title granted under a rule set lasts and how it is
// maintained.
type Validity struct {
	Years            int    `json:"years"`
	UpdateDeadline   string `json:"update_deadline,omitempty"` // "MM-DD", each year
	Review           bool   `json:"review"`                    // re-reviewed (复核) at the end of the period
	ReviewNoticeDays int    `json:"review_notice_days,omitempty"`
	Note             string `json:"note,omitempty"`
}

// InForce reports whether the rule set is in force on day d.
func (i *RuleSetInfo) InForce(d Date) bool {
	return !d.Before(i.EffectiveFrom) && (i.EffectiveTo.IsZero() || !i.EffectiveTo.Before(d))
}

// RuleSet is one compiled, versioned rule set. It is immutable and safe for
// concurrent use.
type RuleSet struct {
	info  RuleSetInfo
	trees [2]*tree // by Kind.index(); nil when the kind is not supported
}

// Info returns the rule set's identity.
func (rs *RuleSet) Info() *RuleSetInfo { return &rs.info }

// ID returns the rule set's id.
func (rs *RuleSet) ID() string { return rs.info.ID }

// Supports reports whether the rule set judges applications of kind k.
func (rs *RuleSet) Supports(k Kind) bool { i := k.index(); return i >= 0 && rs.trees[i] != nil }

// Options configure a Registry.
type Options struct {
	// Jurisdiction is the platform's own jurisdiction: Select prefers its
	// rule sets to national ones and ignores other local ones. Default CN-CQ.
	Jurisdiction string
	// TierBoundary, when set, overrides the boundary rule of every score
	// tier table (e.g. BoundaryHigherTier for a province that scores a
	// bound in the better tier).
	TierBoundary Boundary
	// LocalPoints replaces the local-points block (特色化) of a rule set,
	// by rule-set id, with a JSON category ({"id", "label", "max",
	// "indicators": [...]}), e.g. once Chongqing publishes its indicators.
	LocalPoints map[string]json.RawMessage
	// Files are extra rule-set files (name → JSON), loaded with the built-in
	// ones; ids must not clash.
	Files map[string][]byte
}

// Registry holds the loaded rule sets. Build it with Builtin or New; it is
// read-only afterwards and safe for concurrent use.
type Registry struct {
	sets         []*RuleSet
	byID         map[string]*RuleSet
	jurisdiction string
	metrics      metricSet
}

// Builtin loads the rule sets compiled into the binary with default options.
func Builtin() (*Registry, error) { return New(Options{}) }

// validMMDD reports whether s is a yearly date "MM-DD" (29 Feb excluded, as
// it would not recur).
func validMMDD(s string) bool {
	if len(s) != 5 || s[2] != '-' {
		return false
	}
	_, err := time.Parse("2006-01-02", "2025-"+s)
	return err == nil
}

// New loads the built-in rule sets plus opt.Files.
func New(opt Options) (*Registry, error) {
	if opt.Jurisdiction == "" {
		opt.Jurisdiction = "CN-CQ"
	}
	if opt.TierBoundary != "" && opt.TierBoundary != BoundaryLowerInclusive && opt.TierBoundary != BoundaryHigherTier {
		return nil, &LoadError{Err: fmt.Errorf("unknown tier boundary %q", opt.TierBoundary)}
	}
	files := map[string][]byte{}
	err := fs.WalkDir(builtinFiles, "rulesets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := builtinFiles.ReadFile(p)
		files[p] = b
		return err
	})
	if err != nil {
		return nil, &LoadError{Err: err}
	}
	for name, b := range opt.Files {
		if _, dup := files[name]; dup {
			return nil, &LoadError{File: name, Err: fmt.Errorf("file name clashes with a built-in file")}
		}
		files[name] = b
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)

	specs := map[string]*ruleSetSpec{}
	var order []string
	fileOf := map[string]string{}
	for _, name := range names {
		dec := json.NewDecoder(bytes.NewReader(files[name]))
		dec.DisallowUnknownFields()
		var f fileSpec
		if err := dec.Decode(&f); err != nil {
			return nil, &LoadError{File: path.Base(name), Err: err}
		}
		for i := range f.RuleSets {
			s := &f.RuleSets[i]
			if s.ID == "" {
				return nil, &LoadError{File: name, Err: fmt.Errorf("rule set %d has no id", i)}
			}
			if _, dup := specs[s.ID]; dup {
				return nil, &LoadError{File: name, RuleSet: s.ID, Err: fmt.Errorf("duplicate rule-set id")}
			}
			specs[s.ID] = s
			order = append(order, s.ID)
			fileOf[s.ID] = path.Base(name)
		}
	}
	for _, id := range order {
		if err := resolveExtends(specs, specs[id], 0); err != nil {
			return nil, &LoadError{File: fileOf[id], RuleSet: id, Err: err}
		}
	}
	local := map[string]*categorySpec{}
	for id, raw := range opt.LocalPoints {
		if _, ok := specs[id]; !ok {
			return nil, &LoadError{RuleSet: id, Err: fmt.Errorf("local points for an unknown rule set")}
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		var cs categorySpec
		if err := dec.Decode(&cs); err != nil {
			return nil, &LoadError{RuleSet: id, Err: fmt.Errorf("local points: %w", err)}
		}
		local[id] = &cs
	}

	r := &Registry{byID: map[string]*RuleSet{}, jurisdiction: opt.Jurisdiction, metrics: newMetrics()}
	c := &compiler{metrics: r.metrics, specs: specs, boundary: opt.TierBoundary, local: local}
	for _, id := range order {
		rs, err := buildRuleSet(c, specs[id])
		if err != nil {
			if le, ok := err.(*LoadError); ok {
				le.File = fileOf[id]
				return nil, le
			}
			return nil, &LoadError{File: fileOf[id], RuleSet: id, Err: err}
		}
		r.sets = append(r.sets, rs)
		r.byID[id] = rs
	}
	if err := checkOverlaps(r.sets); err != nil {
		return nil, err
	}
	slices.SortStableFunc(r.sets, func(a, b *RuleSet) int {
		if a.info.TitleKind != b.info.TitleKind {
			return strings.Compare(string(a.info.TitleKind), string(b.info.TitleKind))
		}
		return a.info.EffectiveFrom.t.Compare(b.info.EffectiveFrom.t)
	})
	return r, nil
}

// resolveExtends fills unset fields of s from the rule set it extends.
func resolveExtends(specs map[string]*ruleSetSpec, s *ruleSetSpec, depth int) error {
	if s.Extends == "" {
		return nil
	}
	if depth > 8 {
		return fmt.Errorf("extends chain too long (cycle?)")
	}
	base, ok := specs[s.Extends]
	if !ok {
		return fmt.Errorf("extends unknown rule set %q", s.Extends)
	}
	if err := resolveExtends(specs, base, depth+1); err != nil {
		return err
	}
	if s.Policy == nil {
		s.Policy = base.Policy
	}
	if s.Title == nil {
		s.Title = base.Title
	}
	for _, f := range []struct {
		dst *string
		src string
	}{
		{&s.TitleKind, base.TitleKind}, {&s.Subject, base.Subject}, {&s.Version, base.Version}, {&s.Jurisdiction, base.Jurisdiction},
		{&s.Source, base.Source}, {&s.TierBoundary, base.TierBoundary},
	} {
		if *f.dst == "" {
			*f.dst = f.src
		}
	}
	if s.Validity == nil {
		s.Validity = base.Validity
	}
	if s.Criteria == nil {
		s.Criteria = base.Criteria
	}
	return nil
}

func buildRuleSet(c *compiler, s *ruleSetSpec) (*RuleSet, error) {
	fail := func(format string, a ...any) error {
		return &LoadError{RuleSet: s.ID, Err: fmt.Errorf(format, a...)}
	}
	if s.Policy == nil || s.Title == nil || s.Policy.ZH == "" || s.Policy.EN == "" || s.Title.ZH == "" || s.Title.EN == "" {
		return nil, fail("policy and title need zh and en")
	}
	kind := enterprise.TitleKind(s.TitleKind)
	switch {
	case s.Subject == "" && !kind.Valid() && kind != TitleTechInnovativeSME:
		return nil, fail("unknown title_kind %q", s.TitleKind)
	case s.Subject != "" && s.TitleKind == "":
		return nil, fail("a rule set of subject %q needs title_kind", s.Subject)
	}
	if s.Version == "" || s.Jurisdiction == "" || s.Source == "" {
		return nil, fail("version, jurisdiction and source are required")
	}
	from, err := ParseDate(s.EffectiveFrom)
	if err != nil {
		return nil, fail("effective_from: %v", err)
	}
	var to Date
	if s.EffectiveTo != "" {
		if to, err = ParseDate(s.EffectiveTo); err != nil {
			return nil, fail("effective_to: %v", err)
		}
		if to.Before(from) {
			return nil, fail("effective_to before effective_from")
		}
	}
	if len(s.Kinds) == 0 {
		return nil, fail("kinds is empty")
	}
	if s.Criteria == nil {
		return nil, fail("no criteria")
	}
	rs := &RuleSet{info: RuleSetInfo{
		ID: s.ID, Policy: *s.Policy, Title: *s.Title, TitleKind: kind, Subject: s.Subject, Version: s.Version,
		Jurisdiction: s.Jurisdiction, EffectiveFrom: from, EffectiveTo: to, Kinds: slices.Clone(s.Kinds),
		Source: s.Source, Note: s.Note,
	}}
	if v := s.Validity; v != nil {
		if v.UpdateDeadline != "" && !validMMDD(v.UpdateDeadline) {
			return nil, fail("validity.update_deadline %q is not MM-DD", v.UpdateDeadline)
		}
		rs.info.Validity = Validity{Years: v.Years, UpdateDeadline: v.UpdateDeadline, Review: v.Review,
			ReviewNoticeDays: v.ReviewNoticeDays, Note: v.Note}
	}
	for _, k := range s.Kinds {
		i := k.index()
		if i < 0 {
			return nil, fail("unknown kind %q", k)
		}
		if rs.trees[i] != nil {
			return nil, fail("kind %q listed twice", k)
		}
		if rs.trees[i], err = c.compileTree(s, k); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// checkOverlaps rejects two rule sets that Select could not tell apart.
func checkOverlaps(sets []*RuleSet) error {
	for i, a := range sets {
		for _, b := range sets[i+1:] {
			if a.info.TitleKind != b.info.TitleKind || a.info.Jurisdiction != b.info.Jurisdiction {
				continue
			}
			for _, k := range a.info.Kinds {
				if !b.Supports(k) {
					continue
				}
				if overlaps(&a.info, &b.info) {
					return &LoadError{RuleSet: b.info.ID, Err: &OverlapError{A: a.info.ID, B: b.info.ID, Kind: k, Jurisdiction: a.info.Jurisdiction}}
				}
			}
		}
	}
	return nil
}

func overlaps(a, b *RuleSetInfo) bool {
	// [af, at] ∩ [bf, bt] ≠ ∅ with open ends.
	aEndsBefore := !a.EffectiveTo.IsZero() && a.EffectiveTo.Before(b.EffectiveFrom)
	bEndsBefore := !b.EffectiveTo.IsZero() && b.EffectiveTo.Before(a.EffectiveFrom)
	return !aEndsBefore && !bEndsBefore
}

// NotFoundError reports that no rule set matches a request.
type NotFoundError struct {
	ID        string
	TitleKind enterprise.TitleKind
	Kind      Kind
	Date      Date
}

func (e *NotFoundError) Error() string {
	if e.ID != "" {
		return "rules: no rule set " + e.ID
	}
	return fmt.Sprintf("rules: no %s rule set for %s applications in force on %s", e.TitleKind, e.Kind, e.Date)
}

// Message keys of the errors this package returns through apperr; their
// texts are in the catalogue (internal/i18n/cultivation.{zh-CN,en}.json).
const (
	MsgRuleSetNotFound = "err.rules_rule_set_not_found"
	MsgKindUnsupported = "err.rules_kind_unsupported"
	MsgNoDate          = "err.rules_no_assessment_date"
)

// List returns every rule set's identity, by title kind and date.
func (r *Registry) List() []RuleSetInfo {
	out := make([]RuleSetInfo, len(r.sets))
	for i, rs := range r.sets {
		out[i] = rs.info
	}
	return out
}

// Get returns the rule set with id.
func (r *Registry) Get(id string) (*RuleSet, error) {
	if rs, ok := r.byID[id]; ok {
		return rs, nil
	}
	return nil, apperr.Wrap(&NotFoundError{ID: id}, apperr.NotFound, MsgRuleSetNotFound)
}

// Select returns the rule set for a title and application kind in force on
// the assessment date. The platform's own jurisdiction wins over national
// rules; rule sets of other jurisdictions are never chosen.
func (r *Registry) Select(title enterprise.TitleKind, kind Kind, date time.Time) (*RuleSet, error) {
	d := NewDate(date)
	var best *RuleSet
	for _, rs := range r.sets {
		if rs.info.TitleKind != title || !rs.Supports(kind) || !rs.info.InForce(d) {
			continue
		}
		j := rs.info.Jurisdiction
		if j != JurisdictionNational && j != r.jurisdiction {
			continue
		}
		if best == nil || (j == r.jurisdiction && best.info.Jurisdiction != r.jurisdiction) {
			best = rs
		}
	}
	if best == nil {
		return nil, apperr.Wrap(&NotFoundError{TitleKind: title, Kind: kind, Date: d}, apperr.NotFound, MsgRuleSetNotFound)
	}
	return best, nil
}

// InForce returns the rule sets of the registry's jurisdiction (and national
// ones) in force on date that judge applications of kind, one per title:
// what a screening of all titles on that date runs. Rule sets of other
// subjects are left out.
func (r *Registry) InForce(kind Kind, date time.Time) []*RuleSet {
	var out []*RuleSet
	seen := map[enterprise.TitleKind]bool{}
	for _, rs := range r.sets {
		if seen[rs.info.TitleKind] || rs.info.Subject != "" {
			continue
		}
		if sel, err := r.Select(rs.info.TitleKind, kind, date); err == nil {
			seen[rs.info.TitleKind] = true
			out = append(out, sel)
		}
	}
	return out
}

// Evaluate selects the rule set for title by ctx and evaluates p with it.
func (r *Registry) Evaluate(p Profile, title enterprise.TitleKind, ctx Context) (Result, error) {
	rs, err := r.Select(title, ctx.Kind, ctx.AssessmentDate)
	if err != nil {
		return Result{}, err
	}
	return rs.Evaluate(p, ctx)
}
