package rules

import "encoding/json"

// The JSON shapes of rule-set files. They are read once at load and
// compiled into the Go tree of compile.go; evaluation never sees them.

type fileSpec struct {
	Family   string        `json:"family"`
	Note     string        `json:"note"`
	RuleSets []ruleSetSpec `json:"rule_sets"`
}

type ruleSetSpec struct {
	ID            string        `json:"id"`
	Extends       string        `json:"extends,omitempty"` // take criteria (and unset fields) from this rule set
	Policy        *Text         `json:"policy,omitempty"`
	Title         *Text         `json:"title,omitempty"`
	TitleKind     string        `json:"title_kind,omitempty"`
	Subject       string        `json:"subject,omitempty"` // "" = an enterprise title; else what title_kind names (e.g. a factory rung)
	Version       string        `json:"version,omitempty"`
	Jurisdiction  string        `json:"jurisdiction,omitempty"`
	EffectiveFrom string        `json:"effective_from"`
	EffectiveTo   string        `json:"effective_to,omitempty"` // inclusive; empty = open
	Kinds         []Kind        `json:"kinds"`
	Source        string        `json:"source,omitempty"`
	Note          string        `json:"note,omitempty"`
	TierBoundary  string        `json:"tier_boundary,omitempty"`
	Validity      *validitySpec `json:"validity,omitempty"`
	Criteria      *nodeSpec     `json:"criteria,omitempty"`
}

type validitySpec struct {
	Years            int    `json:"years"`
	UpdateDeadline   string `json:"update_deadline,omitempty"` // "MM-DD", yearly
	Review           bool   `json:"review"`
	ReviewNoticeDays int    `json:"review_notice_days,omitempty"`
	Note             string `json:"note,omitempty"`
}

type nodeSpec struct {
	ID       string      `json:"id"`
	Type     string      `json:"type"` // all_of, any_of, condition, manual, score, banded, include
	Label    *Text       `json:"label,omitempty"`
	Note     string      `json:"note,omitempty"`
	Kinds    []Kind      `json:"kinds,omitempty"` // only for these application kinds
	Children []*nodeSpec `json:"children,omitempty"`

	// condition and banded
	Metric    string          `json:"metric,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Op        string          `json:"op,omitempty"` // min, max, true, false
	Threshold string          `json:"threshold,omitempty"`
	Inclusive *bool           `json:"inclusive,omitempty"`

	// manual
	Question *Text `json:"question,omitempty"`

	// score
	Minimum     string          `json:"minimum,omitempty"`
	Boundary    string          `json:"boundary,omitempty"`
	Categories  []*categorySpec `json:"categories,omitempty"`
	LocalPoints *categorySpec   `json:"local_points,omitempty"`

	// banded
	Bands []*bandSpec `json:"bands,omitempty"`

	// include
	RuleSet string `json:"rule_set,omitempty"`
}

type categorySpec struct {
	ID         string           `json:"id"`
	Label      *Text            `json:"label,omitempty"`
	Note       string           `json:"note,omitempty"`
	Minimum    string           `json:"minimum,omitempty"`
	Max        string           `json:"max,omitempty"` // cap on the category sum
	Indicators []*indicatorSpec `json:"indicators"`
}

type indicatorSpec struct {
	ID       string          `json:"id"`
	Type     string          `json:"type,omitempty"` // "" (metric tiers) or "input" (points given by a reviewer)
	Label    *Text           `json:"label,omitempty"`
	Note     string          `json:"note,omitempty"`
	Max      string          `json:"max"`
	Else     string          `json:"else,omitempty"` // points below every tier; default 0
	Boundary string          `json:"boundary,omitempty"`
	Question *Text           `json:"question,omitempty"`
	Metric   string          `json:"metric,omitempty"`
	Params   json.RawMessage `json:"params,omitempty"`
	Lower    bool            `json:"lower_is_better,omitempty"`
	Tiers    []tierSpec      `json:"tiers,omitempty"`
	Bases    []*baseSpec     `json:"bases,omitempty"` // alternatives; the best counts
}

type baseSpec struct {
	Metric string          `json:"metric"`
	Params json.RawMessage `json:"params,omitempty"`
	Lower  bool            `json:"lower_is_better,omitempty"`
	Tiers  []tierSpec      `json:"tiers"`
}

type tierSpec struct {
	Bound  string `json:"bound"`
	Points string `json:"points"`
}

type bandSpec struct {
	ID        string    `json:"id"`
	Label     *Text     `json:"label,omitempty"`
	Min       string    `json:"min,omitempty"` // empty = the catch-all last band
	Inclusive *bool     `json:"inclusive,omitempty"`
	Criteria  *nodeSpec `json:"criteria"`
}
