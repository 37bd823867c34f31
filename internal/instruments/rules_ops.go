package instruments

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The booking rules beyond slot shape: qualification, internal-first
// windows, maintenance and outage windows, cancellation and no-show fees,
// and violations. Each is a field of Rules (data on the instrument, with
// the unit's defaults and the platform's versioned defaults behind them).

// Window kinds.
const (
	WindowMaintenance = "maintenance" // planned
	WindowOutage      = "outage"      // unplanned
)

// InternalWindow is a weekly time only the owning unit's users may book,
// until ReleaseHours before a slot's start, when it opens to everyone
// (CAAS's "internal users first").
type InternalWindow struct {
	Weekdays     []int `json:"weekdays,omitempty"` // ISO weekdays 1 (Monday) … 7; every day when empty
	FromMinute   int   `json:"from_minute"`        // minutes after local midnight
	ToMinute     int   `json:"to_minute"`          // 0 = until midnight
	ReleaseHours int   `json:"release_hours"`      // opens to others this long before a slot starts
}

// DefaultViolationDays is the period violations are counted in when the
// rules name none.
const DefaultViolationDays = 365

// opsProblems are the refused fields of the rules in this file.
func (r Rules) opsProblems() []RuleProblem {
	var ps []RuleProblem
	add := func(field, key string, args ...any) { ps = append(ps, RuleProblem{Field: field, Key: key, Args: args}) }
	for _, f := range []struct {
		name string
		v    int
	}{{"turnaround_days", r.TurnaroundDays}, {"cancel_free_hours", r.CancelFreeHours}, {"max_violations", r.MaxViolations},
		{"qualification_days", r.QualificationDays}, {"qualification_idle_days", r.QualificationIdleDays},
		{"no_show_grace_minutes", r.NoShowGraceMinutes}, {"violation_days", r.ViolationDays}} {
		if f.v < 0 {
			add(f.name, "instruments.err.rule.negative")
		}
	}
	if r.CancelFeePermille < 0 || r.CancelFeePermille > 1000 {
		add("cancel_fee_permille", "instruments.err.rule.permille")
	}
	if r.NoShowFeePermille < 0 || r.NoShowFeePermille > 1000 {
		add("no_show_fee_permille", "instruments.err.rule.permille")
	}
	for i, w := range r.InternalFirst {
		bad := w.FromMinute < 0 || w.FromMinute >= 24*60 || w.ToMinute < 0 || w.ToMinute > 24*60 || w.ToMinute != 0 && w.ToMinute <= w.FromMinute || w.ReleaseHours < 0
		for _, d := range w.Weekdays {
			bad = bad || d < 1 || d > 7
		}
		if bad {
			add("internal_first."+strconv.Itoa(i), "instruments.err.rule.internal_first")
		}
	}
	return ps
}

// isoWeekday is t's ISO weekday (Monday 1 … Sunday 7).
func isoWeekday(t time.Time) int {
	if d := int(t.Weekday()); d != 0 {
		return d
	}
	return 7
}

// checkInternalFirst refuses a user from outside the unit a slot that
// overlaps an internal-first window before the window is released.
func (r Rules) checkInternalFirst(q SlotRequest) error {
	if q.Internal {
		return nil
	}
	start, end := q.Start.In(Zone), q.End.In(Zone)
	day := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, Zone)
	for _, w := range r.InternalFirst {
		if len(w.Weekdays) > 0 {
			on := false
			for _, d := range w.Weekdays {
				on = on || d == isoWeekday(start)
			}
			if !on {
				continue
			}
		}
		to := w.ToMinute
		if to == 0 {
			to = 24 * 60
		}
		ws, we := day.Add(time.Duration(w.FromMinute)*time.Minute), day.Add(time.Duration(to)*time.Minute)
		if !(start.Before(we) && ws.Before(end)) {
			continue
		}
		release := start.Add(-time.Duration(w.ReleaseHours) * time.Hour)
		if q.Now.Before(release) {
			return apperr.New(apperr.Forbidden, "instruments.err.internal_first", release.In(Zone).Format("2006-01-02 15:04"))
		}
	}
	return nil
}

// OrderTerms are the cancellation and no-show terms of the instrument's
// rules when the order was placed, frozen on the order like its price.
type OrderTerms struct {
	CancelFreeHours    int `json:"cancel_free_hours"`
	CancelFeePermille  int `json:"cancel_fee_permille"`
	NoShowGraceMinutes int `json:"no_show_grace_minutes"`
	NoShowFeePermille  int `json:"no_show_fee_permille"`
}

// Terms are the rules' order terms.
func (r Rules) Terms() OrderTerms {
	return OrderTerms{CancelFreeHours: r.CancelFreeHours, CancelFeePermille: r.CancelFeePermille,
		NoShowGraceMinutes: r.NoShowGraceMinutes, NoShowFeePermille: r.NoShowFeePermille}
}

// BookedCharge is the fee of the order as booked: its booked minutes for
// an hourly item, its samples for a per-sample one.
func (o Order) BookedCharge() unit.Fen {
	return Charge(o.ChargeUnit, o.UnitPrice, o.BookedMinutes, o.Samples)
}

// share is permille of amt, rounded half up to the fen.
func share(amt unit.Fen, permille int) unit.Fen {
	return (amt*unit.Fen(permille) + 500) / 1000
}

// CancelFee is what cancelling the order at now costs under its frozen
// terms: nothing until CancelFreeHours before the slot starts (that
// instant included), then CancelFeePermille of the booked price. A
// request not yet approved and a sample order cancel free. A slot that
// has started cannot be cancelled (it is a no-show or it is used).
func (o Order) CancelFee(from OrderState, now time.Time) (unit.Fen, error) {
	if !o.Mode.Slotted() || o.Start.IsZero() {
		return 0, nil
	}
	if !now.Before(o.Start) {
		return 0, apperr.New(apperr.Conflict, "instruments.err.cancel_started")
	}
	if from == Submitted {
		return 0, nil
	}
	free := o.Start.Add(-time.Duration(o.Terms.CancelFreeHours) * time.Hour)
	if !now.After(free) {
		return 0, nil
	}
	return share(o.BookedCharge(), o.Terms.CancelFeePermille), nil
}

// NoShowFee is what marking the order a no-show at now costs: it may be
// marked from NoShowGraceMinutes after the start (that instant included)
// and costs NoShowFeePermille of the booked price.
func (o Order) NoShowFee(now time.Time) (unit.Fen, error) {
	if o.Start.IsZero() {
		return 0, apperr.New(apperr.Conflict, "instruments.err.no_show_slot")
	}
	if now.Before(o.Start.Add(time.Duration(o.Terms.NoShowGraceMinutes) * time.Minute)) {
		return 0, apperr.New(apperr.Conflict, "instruments.err.no_show_early", o.Terms.NoShowGraceMinutes)
	}
	return share(o.BookedCharge(), o.Terms.NoShowFeePermille), nil
}

// ViolationSince is the start of the period a booking at now counts
// violations in.
func (r Rules) ViolationSince(now time.Time) time.Time {
	days := r.ViolationDays
	if days <= 0 {
		days = DefaultViolationDays
	}
	return now.Add(-time.Duration(days) * 24 * time.Hour)
}

// CheckViolations suspends a user with MaxViolations or more violations
// at the unit in the period (0 = never suspended).
func (r Rules) CheckViolations(n int) error {
	if r.MaxViolations > 0 && n >= r.MaxViolations {
		return apperr.New(apperr.Forbidden, "instruments.err.suspended", n)
	}
	return nil
}

// Violation is a recorded breach of the booking rules (a no-show).
type Violation struct {
	ID      int64
	UserID  int64
	UnitID  int64
	OrderID int64
	Kind    string
	At      time.Time
	Waiver  // zero until waived (waiver.go); a waived violation counts no more
}

// ViolationNoShow is the kind of a no-show violation.
const ViolationNoShow = "no_show"

// Qualification is a user's training or authorisation (上机培训/授权) to
// operate one instrument, or every instrument of a class at a unit,
// granted by its manager or the unit's administrator until a day.
type Qualification struct {
	ID           int64
	UserID       int64
	UnitID       int64
	InstrumentID int64  // 0: every instrument of ClassCode at UnitID
	ClassCode    string // set when InstrumentID is 0
	GrantedOn    string // YYYY-MM-DD
	ExpiresOn    string // YYYY-MM-DD, the last valid day
	GrantedBy    int64
	Revoked      bool
}

// ValidOn reports whether q is in force on day (YYYY-MM-DD, the
// marketplace's Zone): not revoked, granted on or before day, expiring on
// or after it.
func (q Qualification) ValidOn(day string) bool {
	return !q.Revoked && q.GrantedOn <= day && day <= q.ExpiresOn
}

// Covers reports whether q qualifies its user for in on day (YYYY-MM-DD):
// not revoked, granted on or before day, expiring on or after it.
func (q Qualification) Covers(in Instrument, day string) bool {
	if !q.ValidOn(day) {
		return false
	}
	if q.InstrumentID != 0 {
		return q.InstrumentID == in.ID
	}
	return q.UnitID == in.UnitID && q.ClassCode == in.ClassCode
}

// Scope reports whether q is for in (the instrument, or its class at its
// unit) and not revoked, whatever its dates.
func (q Qualification) Scope(in Instrument) bool {
	if q.Revoked {
		return false
	}
	if q.InstrumentID != 0 {
		return q.InstrumentID == in.ID
	}
	return q.UnitID == in.UnitID && q.ClassCode == in.ClassCode
}

// LastValidDay is q's last valid day under rules that let it lapse
// idleDays after the last completed use (lastUse, YYYY-MM-DD; "" when
// never used): the later of its stored expiry (the never-used lapse when
// granted under such rules) and lastUse + idleDays. Without idle days it
// is the stored expiry.
func (q Qualification) LastValidDay(idleDays int, lastUse string) string {
	if idleDays <= 0 || lastUse == "" {
		return q.ExpiresOn
	}
	d, err := time.ParseInLocation(time.DateOnly, lastUse, Zone)
	if err != nil {
		return q.ExpiresOn
	}
	return max(q.ExpiresOn, d.AddDate(0, 0, idleDays).Format(time.DateOnly))
}

// Qualified reports whether any of qs covers in on day.
func Qualified(qs []Qualification, in Instrument, day string) bool {
	for _, q := range qs {
		if q.Covers(in, day) {
			return true
		}
	}
	return false
}

// NeedsQualification reports whether booking mode on an instrument with
// these rules needs a qualification: self-operation, when required.
func (r Rules) NeedsQualification(m Mode) bool {
	return r.QualificationRequired && m == SelfOperation
}

// InitialState is the state a new order starts in under the approval
// mode: automatic approval, automatic for a qualified user, or manual.
func (r Rules) InitialState(qualified bool) OrderState {
	switch {
	case r.Approval == ApproveAuto, r.Approval == ApproveQualified && qualified:
		return Approved
	}
	return Submitted
}

//go:embed booking_rules.json
var bookingRulesJSON []byte

// RuleVersion is the platform's default booking rules from a day.
type RuleVersion struct {
	EffectiveFrom string `json:"effective_from"`
	Rules         Rules  `json:"rules"`
}

// PlatformRules returns the platform's default booking rule versions,
// oldest first, each valid.
func PlatformRules() ([]RuleVersion, error) {
	var vs []RuleVersion
	if err := json.Unmarshal(bookingRulesJSON, &vs); err != nil {
		return nil, fmt.Errorf("instruments: booking rules: %w", err)
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i].EffectiveFrom < vs[j].EffectiveFrom })
	for _, v := range vs {
		if _, err := time.Parse(time.DateOnly, v.EffectiveFrom); err != nil {
			return nil, fmt.Errorf("instruments: booking rules %q: %w", v.EffectiveFrom, err)
		}
		if err := v.Rules.Validate(); err != nil {
			return nil, fmt.Errorf("instruments: booking rules of %s: %w", v.EffectiveFrom, err)
		}
	}
	if len(vs) == 0 {
		return nil, fmt.Errorf("instruments: no booking rules")
	}
	return vs, nil
}

// PlatformRulesOn is the platform's default rules in force on day.
func PlatformRulesOn(day string) (Rules, error) {
	vs, err := PlatformRules()
	if err != nil {
		return Rules{}, err
	}
	out := vs[0].Rules
	for _, v := range vs {
		if v.EffectiveFrom <= day {
			out = v.Rules
		}
	}
	return out, nil
}

// ViolationSinceDays is the length of the violation period in days.
func (r Rules) ViolationSinceDays() int {
	if r.ViolationDays <= 0 {
		return DefaultViolationDays
	}
	return r.ViolationDays
}
