package cultivation

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/rules"
)

// TitleEligibility is one tier of an enterprise's eligibility: the rule set
// chosen by date and kind, and the whole result.
type TitleEligibility struct {
	Tier   Tier
	Held   bool
	Result *rules.Result // nil when no rule set is in force
}

// Eligibility is what an official sees for one enterprise: every tier with
// its result, and the reminders for the titles it holds.
type Eligibility struct {
	AsOf      time.Time
	Profile   rules.Profile
	Titles    []TitleEligibility
	Reminders []rules.Reminder
}

// Evaluate judges one enterprise's profile against every tier on asOf.
func Evaluate(reg *rules.Registry, p rules.Profile, titles []enterprise.Title, asOf time.Time) (Eligibility, error) {
	el := Eligibility{AsOf: asOf, Profile: p}
	for _, tier := range Tiers() {
		te := TitleEligibility{Tier: tier, Held: Holds(titles, tier.Title, asOf)}
		rs, kind, err := Choose(reg, tier, te.Held, asOf)
		switch {
		case apperr.Is(err, apperr.NotFound):
		case err != nil:
			return el, err
		default:
			res, err := rs.Evaluate(p, rules.Context{AssessmentDate: asOf, Kind: kind})
			if err != nil {
				return el, err
			}
			te.Result = &res
		}
		el.Titles = append(el.Titles, te)
	}
	el.Reminders = reg.Reminders(titles, asOf, rules.ReminderOptions{})
	if el.Reminders == nil {
		el.Reminders = []rules.Reminder{}
	}
	return el, nil
}

// statusMark is a status's sign in text output.
func statusMark(s rules.Status) string {
	switch s {
	case rules.StatusMet:
		return "✓"
	case rules.StatusNotMet:
		return "✗"
	case rules.StatusUnknown:
		return "?"
	case rules.StatusManual:
		return "!"
	}
	return "-"
}

// WriteText renders a result for people: the summary, the criteria tree
// with each explanation (values used and threshold), and the what-if
// changes, in lang ("zh-CN" or "en").
func WriteText(w io.Writer, res *rules.Result, lang string) error {
	var b strings.Builder
	b.WriteString(res.Summary().Lang(lang) + "\n")
	if res.RuleSet != nil {
		fmt.Fprintf(&b, "  %s: %s (%s)\n", label(lang, "rule_set"), res.RuleSet.ID, res.RuleSet.Source)
	}
	var walk func(n *rules.Node, depth int)
	walk = func(n *rules.Node, depth int) {
		if n.Status == rules.StatusNotApplicable && depth > 0 {
			return
		}
		b.WriteString(strings.Repeat("  ", depth+1) + statusMark(n.Status) + " " + n.Explain().Lang(lang) + "\n")
		for i := range n.Children {
			walk(&n.Children[i], depth+1)
		}
	}
	if res.Criteria != nil {
		walk(res.Criteria, 0)
	}
	if len(res.WhatIf) > 0 {
		b.WriteString(label(lang, "how_to_meet") + "\n")
		for i := range res.WhatIf {
			b.WriteString("  → " + res.WhatIf[i].Text().Lang(lang) + "\n")
		}
	}
	b.WriteString(label(lang, "legend") + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteEligibilityText renders every tier of an eligibility and the
// reminders.
func WriteEligibilityText(w io.Writer, el *Eligibility, lang string) error {
	head := fmt.Sprintf("%s %s · %s %s\n\n", el.Profile.Name, el.Profile.CreditCode, label(lang, "assessed"), el.AsOf.Format(time.DateOnly))
	if _, err := io.WriteString(w, head); err != nil {
		return err
	}
	for _, te := range el.Titles {
		if te.Result == nil {
			continue
		}
		if te.Held {
			if _, err := io.WriteString(w, label(lang, "held")); err != nil {
				return err
			}
		}
		if err := WriteText(w, te.Result, lang); err != nil {
			return err
		}
		if _, err := io.WriteString(w, "\n"); err != nil {
			return err
		}
	}
	if len(el.Reminders) > 0 {
		if _, err := io.WriteString(w, label(lang, "reminders")); err != nil {
			return err
		}
		for _, r := range el.Reminders {
			if _, err := io.WriteString(w, "  • "+r.Text.Lang(lang)+"\n"); err != nil {
				return err
			}
		}
	}
	return nil
}

// label returns the text layout's word key in lang, from the catalogue
// (internal/i18n/cultivation.*.json, keys cultivation.text.*).
func label(lang, key string) string {
	t := texts()["cultivation.text."+key]
	if strings.HasPrefix(lang, "en") {
		return t[1]
	}
	return t[0]
}

var texts = sync.OnceValue(func() map[string][2]string { return i18n.Pairs("cultivation") })

// DefaultAsOf returns the assessment date the platform uses when none is
// asked for: today, unless the prior year's December reports are not in
// yet (the rules judge the prior year, 上年) — then 30 June after the
// latest complete year, so the figures the rules read exist.
func DefaultAsOf(today time.Time, latestCompleteYear int) time.Time {
	d := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	if latestCompleteYear == 0 || latestCompleteYear >= d.Year()-1 {
		return d
	}
	return time.Date(latestCompleteYear+1, 6, 30, 0, 0, 0, 0, time.UTC)
}

// EligibilityDoc is the wire form of an eligibility, for the API and
// `ibrain evaluate --enterprise`.
type EligibilityDoc struct {
	EnterpriseID   int64            `json:"enterprise_id"`
	Name           string           `json:"name"`
	CreditCode     string           `json:"credit_code"`
	AssessmentDate string           `json:"assessment_date"`
	Titles         []TitleDoc       `json:"titles"`
	Reminders      []rules.Reminder `json:"reminders"`
	Profile        rules.Profile    `json:"profile"`
}

// TitleDoc is one tier of an EligibilityDoc.
type TitleDoc struct {
	Title     enterprise.TitleKind `json:"title"`
	Rung      int                  `json:"rung"` // 1–4 on the ladder, 0 beside it
	Held      bool                 `json:"held"`
	Qualifies bool                 `json:"qualifies"`      // met, or met but for a reviewer's items
	Result    *rules.Result        `json:"result"`         // null when no rule set is in force
	Note      string               `json:"note,omitempty"` // why there is no result
}

// EligibilityJSON returns the wire form of el.
func EligibilityJSON(el *Eligibility, id int64) EligibilityDoc {
	d := EligibilityDoc{EnterpriseID: id, Name: el.Profile.Name, CreditCode: el.Profile.CreditCode,
		AssessmentDate: el.AsOf.Format(time.DateOnly), Reminders: el.Reminders, Profile: el.Profile, Titles: []TitleDoc{}}
	for _, te := range el.Titles {
		td := TitleDoc{Title: te.Tier.Title, Rung: te.Tier.Rung, Held: te.Held, Result: te.Result}
		if te.Result != nil {
			td.Qualifies = Qualifies(te.Result.Outcome)
		} else {
			td.Note = "no rule set in force on the assessment date"
		}
		d.Titles = append(d.Titles, td)
	}
	return d
}
