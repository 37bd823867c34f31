package rules

import (
	"slices"
	"strconv"
	"time"

	"github.com/industrybrain/ibrain/internal/enterprise"
)

// ReminderKind classifies a reminder.
type ReminderKind string

// Reminder kinds.
const (
	ReminderExpiringSoon ReminderKind = "expiring_soon" // validity ends within ExpiryWindow
	ReminderExpired      ReminderKind = "expired"       // validity ended within ExpiredGrace
	ReminderUpdateDue    ReminderKind = "update_due"    // yearly data update deadline within UpdateWindow
	ReminderReviewDue    ReminderKind = "review_due"    // re-review (复核) due before the title lapses
)

// Reminder is one maintenance item for a held title.
type Reminder struct {
	Kind         ReminderKind         `json:"kind"`
	EnterpriseID int64                `json:"enterprise_id,omitempty"`
	TitleKind    enterprise.TitleKind `json:"title_kind"`
	RuleSetID    string               `json:"rule_set_id,omitempty"`
	Due          Date                 `json:"due"`       // last valid day, or the deadline
	DaysLeft     int                  `json:"days_left"` // from asOf to Due; negative once past
	Text         Text                 `json:"text"`
}

// ReminderOptions tune the reminder windows, in days; zero means the default.
type ReminderOptions struct {
	ExpiryWindow int // default 90
	UpdateWindow int // default 30
	ExpiredGrace int // default 90
}

func (o *ReminderOptions) defaults() {
	if o.ExpiryWindow <= 0 {
		o.ExpiryWindow = 90
	}
	if o.UpdateWindow <= 0 {
		o.UpdateWindow = 30
	}
	if o.ExpiredGrace <= 0 {
		o.ExpiredGrace = 90
	}
}

// titleName returns a title's display name, from its rule set when known.
func titleName(k enterprise.TitleKind, rs *RuleSet) Text {
	if rs != nil {
		return rs.info.Title
	}
	switch k {
	case enterprise.TitleInnovativeSME, TitleTechInnovativeSME, enterprise.TitleSpecialized, enterprise.TitleLittleGiant,
		enterprise.TitleChampion, enterprise.TitleHighTech, enterprise.TitleUnicorn, enterprise.TitlePotentialUni, enterprise.TitleGazelle:
		return lbl("title." + string(k))
	}
	return t(string(k), string(k))
}

// selectAny is Select without an error, trying the kinds in order.
func (r *Registry) selectAny(k enterprise.TitleKind, d Date, kinds ...Kind) *RuleSet {
	for _, kind := range kinds {
		if rs, err := r.Select(k, kind, d.Time()); err == nil {
			return rs
		}
	}
	return nil
}

// Reminders lists the maintenance items of the titles on asOf: titles
// expiring soon or just expired, yearly data updates due and re-reviews
// due. Validity periods come from the rule set the title was granted
// under (when ValidUntil is unset); update deadlines and re-review rules
// from the rule set in force now. Sorted by due date.
func (r *Registry) Reminders(titles []enterprise.Title, asOf time.Time, opt ReminderOptions) []Reminder {
	opt.defaults()
	now := NewDate(asOf)
	var out []Reminder
	for _, tl := range titles {
		granted := NewDate(tl.GrantedOn)
		if now.Before(granted) {
			continue
		}
		grantRS := r.selectAny(tl.Kind, granted, KindNew, KindReview)
		until := NewDate(tl.ValidUntil)
		if until.IsZero() && grantRS != nil && grantRS.info.Validity.Years > 0 {
			until = granted.AddYears(grantRS.info.Validity.Years)
		}
		name := titleName(tl.Kind, grantRS)
		add := func(k ReminderKind, rs *RuleSet, due Date, text Text) {
			rem := Reminder{Kind: k, EnterpriseID: tl.EnterpriseID, TitleKind: tl.Kind, Due: due, DaysLeft: now.DaysUntil(due), Text: text}
			if rs != nil {
				rem.RuleSetID = rs.info.ID
			}
			out = append(out, rem)
		}
		if !until.IsZero() {
			last := until.AddDays(-1) // ValidUntil is exclusive
			left := now.DaysUntil(last)
			n := strconv.Itoa(left)
			switch {
			case left >= 0 && left < opt.ExpiryWindow:
				add(ReminderExpiringSoon, grantRS, last,
					tb("reminder.expiring", name, last.String(), n))
			case left < 0 && -left <= opt.ExpiredGrace:
				add(ReminderExpired, grantRS, last,
					tb("reminder.expired", name, last.String()))
			}
			reviewRS := r.selectAny(tl.Kind, last, KindReview)
			if reviewRS == nil {
				reviewRS = grantRS
			}
			if reviewRS != nil && reviewRS.info.Validity.Review && left >= 0 && left < reviewRS.info.Validity.ReviewNoticeDays {
				add(ReminderReviewDue, reviewRS, last,
					tb("reminder.review_due", name, last.String(), reviewRS.info.Version, n))
			}
		}
		if !until.IsZero() && !now.Before(until) {
			continue // no updates for a lapsed title
		}
		cur := r.selectAny(tl.Kind, now, KindReview, KindNew)
		if cur == nil {
			cur = grantRS
		}
		if cur == nil || cur.info.Validity.UpdateDeadline == "" {
			continue
		}
		dl, err := ParseDate(strconv.Itoa(now.Year()) + "-" + cur.info.Validity.UpdateDeadline)
		if err != nil {
			continue
		}
		if dl.Before(now) {
			dl, _ = ParseDate(strconv.Itoa(now.Year()+1) + "-" + cur.info.Validity.UpdateDeadline)
		}
		left := now.DaysUntil(dl)
		if left >= opt.UpdateWindow || (!until.IsZero() && !dl.Before(until)) || !granted.Before(dl) {
			continue
		}
		n := strconv.Itoa(left)
		add(ReminderUpdateDue, cur, dl,
			tb("reminder.update_due", name, dl.String(), n))
	}
	slices.SortStableFunc(out, func(a, b Reminder) int { return a.Due.t.Compare(b.Due.t) })
	return out
}
