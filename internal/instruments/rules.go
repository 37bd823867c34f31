package instruments

import (
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
)

// CellMinutes is the platform's booking grid. Every slot starts and ends
// on it and a booking occupies one row per cell in the store, so two
// bookings of an instrument can never share a cell: the database's
// primary key refuses the second, whatever the engine.
const CellMinutes = 15

// Zone is the platform's local time: day boundaries for quotas and
// opening hours (Chongqing, UTC+8, no daylight saving).
var Zone = time.FixedZone("CST", 8*3600)

// Approval says how a booking request is approved.
type Approval string

// Approval modes.
const (
	ApproveAuto      Approval = "auto"
	ApproveQualified Approval = "auto_qualified" // automatic for users with a valid qualification
	ApproveManual    Approval = "manual"
)

// Window is a maintenance or outage window in which nothing is booked.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Note  string    `json:"note,omitempty"`
	Kind  string    `json:"kind,omitempty"` // WindowMaintenance (planned, the default) or WindowOutage
}

// Rules are an instrument's booking rules, stored as data with the
// instrument (the unit's defaults are copied in when it is created). Zero
// limits mean "no limit".
type Rules struct {
	Approval           Approval `json:"approval"`
	LeadMinutes        int      `json:"lead_minutes"`        // a slot starts at least this long after the request
	HorizonDays        int      `json:"horizon_days"`        // and at most this many days ahead
	MinBlockMinutes    int      `json:"min_block_minutes"`   // shortest booking
	MaxBlockMinutes    int      `json:"max_block_minutes"`   // longest booking
	GranularityMinutes int      `json:"granularity_minutes"` // starts and lengths are multiples of it
	DailyQuotaMinutes  int      `json:"daily_quota_minutes"` // per user and local day
	OpenFromMinute     int      `json:"open_from_minute"`    // opening hours, minutes after local midnight
	OpenToMinute       int      `json:"open_to_minute"`      // 0 = until midnight
	TurnaroundDays     int      `json:"turnaround_days"`     // promised for sample sending
	CancelFreeHours    int      `json:"cancel_free_hours"`   // cancelling later costs CancelFeePermille of the price
	CancelFeePermille  int      `json:"cancel_fee_permille"` // share of the booked price charged for a late cancellation
	MaxViolations      int      `json:"max_violations"`      // no-shows that suspend a user
	Maintenance        []Window `json:"maintenance,omitempty"`
	// The rules below are in rules_ops.go.
	QualificationRequired bool             `json:"qualification_required,omitempty"` // self-operation needs a valid qualification
	QualificationDays     int              `json:"qualification_days,omitempty"`     // a grant's validity when the grantor names no expiry
	InternalFirst         []InternalWindow `json:"internal_first,omitempty"`         // times only the owning unit books until released
	NoShowGraceMinutes    int              `json:"no_show_grace_minutes,omitempty"`  // a no-show is marked this long after the start at the earliest
	NoShowFeePermille     int              `json:"no_show_fee_permille,omitempty"`   // share of the booked price a no-show costs
	ViolationDays         int              `json:"violation_days,omitempty"`         // the period violations are counted in (365 when 0)
	// QualificationIdleDays, when set, lets a qualification lapse this
	// many days after its holder's last completed use of an instrument
	// it covers (or after the grant, if never used) instead of on a fixed
	// day (NEMO's "expiry after last use").
	QualificationIdleDays int `json:"qualification_idle_days,omitempty"`
}

// DefaultRules are the platform's current default rules
// (booking_rules.json), behind a unit's own defaults.
func DefaultRules() Rules {
	vs, err := PlatformRules()
	if err != nil {
		panic(err) // compiled-in data; TestPlatformRules reads it
	}
	return vs[len(vs)-1].Rules
}

// Validate checks that the rules can be applied. A refusal is Invalid
// ("instruments.err.rules") and wraps a *RulesInvalid naming every
// refused field, which the rules form shows beside each field.
func (r Rules) Validate() error {
	if ps := r.Problems(); len(ps) > 0 {
		return apperr.Wrap(&RulesInvalid{Problems: ps}, apperr.Invalid, "instruments.err.rules")
	}
	return nil
}

// RuleProblem is a field of the rules that cannot be applied: its JSON
// name (with an index for a window, "maintenance.0") and the catalogue
// message saying why.
type RuleProblem struct {
	Field string
	Key   string
	Args  []any
}

// RulesInvalid lists the refused fields of a rules change.
type RulesInvalid struct{ Problems []RuleProblem }

func (e *RulesInvalid) Error() string {
	fs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		fs[i] = p.Field
	}
	return "instruments: invalid rules: " + strings.Join(fs, ", ")
}

// Problems lists every field of the rules that cannot be applied, in
// the form's order (none when the rules are valid).
func (r Rules) Problems() []RuleProblem {
	var ps []RuleProblem
	add := func(field, key string, args ...any) { ps = append(ps, RuleProblem{Field: field, Key: key, Args: args}) }
	if r.Approval != ApproveAuto && r.Approval != ApproveQualified && r.Approval != ApproveManual {
		add("approval", "instruments.err.rule.approval")
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"lead_minutes", r.LeadMinutes}, {"horizon_days", r.HorizonDays}, {"min_block_minutes", r.MinBlockMinutes}, {"max_block_minutes", r.MaxBlockMinutes},
		{"daily_quota_minutes", r.DailyQuotaMinutes}} {
		if f.v < 0 {
			add(f.name, "instruments.err.rule.negative")
		}
	}
	if r.GranularityMinutes <= 0 || r.GranularityMinutes%CellMinutes != 0 {
		add("granularity_minutes", "instruments.err.rule.granularity", CellMinutes)
	}
	if r.MaxBlockMinutes > 0 && r.MinBlockMinutes > r.MaxBlockMinutes {
		add("max_block_minutes", "instruments.err.rule.min_max")
	}
	if r.OpenFromMinute < 0 || r.OpenFromMinute >= 24*60 {
		add("open_from_minute", "instruments.err.rule.hours")
	}
	if r.OpenToMinute < 0 || r.OpenToMinute > 24*60 || r.OpenToMinute != 0 && r.OpenToMinute <= r.OpenFromMinute {
		add("open_to_minute", "instruments.err.rule.hours")
	}
	for i, w := range r.Maintenance {
		if !w.End.After(w.Start) || w.Kind != "" && w.Kind != WindowMaintenance && w.Kind != WindowOutage {
			add("maintenance."+strconv.Itoa(i), "instruments.err.window")
		}
	}
	return append(ps, r.opsProblems()...)
}

// SlotRequest is a requested slot with what the store knows of the user's
// other bookings.
type SlotRequest struct {
	Start, End time.Time
	Now        time.Time
	// UserDayMinutes is what the user already holds on the instrument on
	// the slot's local day (the store reads it under the same lock as the
	// booking).
	UserDayMinutes int
	// Internal is a user of the instrument's unit, who may book inside
	// its internal-first windows.
	Internal bool
}

// CheckSlot applies the rules to a slot request. Every refusal names the
// rule, so a user can fix the request.
func (r Rules) CheckSlot(q SlotRequest) error {
	start, end := q.Start.In(Zone), q.End.In(Zone)
	if !end.After(start) {
		return apperr.New(apperr.Invalid, "instruments.err.slot_order")
	}
	mins := int(end.Sub(start) / time.Minute)
	g := r.GranularityMinutes
	if g <= 0 {
		g = CellMinutes
	}
	sinceMidnight := start.Hour()*60 + start.Minute()
	if start.Second() != 0 || start.Nanosecond() != 0 || sinceMidnight%g != 0 || mins%g != 0 || end.Sub(start)%time.Minute != 0 {
		return apperr.New(apperr.Invalid, "instruments.err.granularity", g)
	}
	if r.MinBlockMinutes > 0 && mins < r.MinBlockMinutes {
		return apperr.New(apperr.Invalid, "instruments.err.min_block", r.MinBlockMinutes)
	}
	if r.MaxBlockMinutes > 0 && mins > r.MaxBlockMinutes {
		return apperr.New(apperr.Invalid, "instruments.err.max_block", r.MaxBlockMinutes)
	}
	if start.Before(q.Now.Add(time.Duration(r.LeadMinutes) * time.Minute)) {
		return apperr.New(apperr.Invalid, "instruments.err.lead", r.LeadMinutes)
	}
	if r.HorizonDays > 0 && end.After(q.Now.Add(time.Duration(r.HorizonDays)*24*time.Hour)) {
		return apperr.New(apperr.Invalid, "instruments.err.horizon", r.HorizonDays)
	}
	// Opening hours: the slot lies within one local day's opening.
	day := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, Zone)
	openTo := r.OpenToMinute
	if openTo == 0 {
		openTo = 24 * 60
	}
	if start.Before(day.Add(time.Duration(r.OpenFromMinute)*time.Minute)) || end.After(day.Add(time.Duration(openTo)*time.Minute)) {
		return apperr.New(apperr.Invalid, "instruments.err.hours")
	}
	for _, w := range r.Maintenance {
		if start.Before(w.End) && w.Start.Before(end) {
			return apperr.New(apperr.Conflict, "instruments.err.maintenance")
		}
	}
	if r.DailyQuotaMinutes > 0 && q.UserDayMinutes+mins > r.DailyQuotaMinutes {
		return apperr.New(apperr.Invalid, "instruments.err.quota", r.DailyQuotaMinutes)
	}
	return r.checkInternalFirst(q)
}

// Cells returns the grid cells [start, end) occupies, as unix seconds.
func Cells(start, end time.Time) []int64 {
	var out []int64
	for t := start.Unix(); t < end.Unix(); t += CellMinutes * 60 {
		out = append(out, t)
	}
	return out
}

// LocalDay returns the local day of t as [start, end).
func LocalDay(t time.Time) (time.Time, time.Time) {
	l := t.In(Zone)
	d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, Zone)
	return d, d.AddDate(0, 0, 1)
}
