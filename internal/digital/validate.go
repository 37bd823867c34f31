package digital

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Text bounds, in characters.
const (
	MaxName = 200
	MaxCode = 64
	MaxNote = 500
)

// maxMeasure bounds a measured value (hundredths), far above any real one,
// so gains never overflow.
const maxMeasure = 1_000_000_000_000

// MaxAmount bounds an investment or a subsidy: ¥100 bn, far above any
// renovation project, so a unit mix-up (yuan for ¥10k) is refused.
const MaxAmount = 1000 * unit.Yi

func invalid(key string, args ...any) error { return apperr.New(apperr.Invalid, key, args...) }

// ValidateFields checks the project's own fields (not its history) against
// the rules: text lengths, kind, the scenarios of the catalogue in force
// on the application day, amounts, dates and measures.
func (p Project) ValidateFields(r *Rules) error {
	switch {
	case strings.TrimSpace(p.Code) == "" || utf8.RuneCountInString(p.Code) > MaxCode:
		return invalid("err.digital.code")
	case strings.TrimSpace(p.Name) == "" || utf8.RuneCountInString(p.Name) > MaxName:
		return invalid("err.digital.name")
	case !p.Kind.Valid():
		return invalid("err.digital.kind", string(p.Kind))
	case p.Planned <= 0 || p.Planned > MaxAmount:
		return invalid("err.digital.planned")
	case p.StartOn.IsZero() || p.EndOn.IsZero() || p.EndOn.Before(p.StartOn):
		return invalid("err.digital.dates")
	case p.EnterpriseID <= 0:
		return invalid("err.digital.firm")
	}
	day := p.AppliedOn()
	if day.IsZero() {
		day = p.StartOn
	}
	ed := r.EditionAt(day)
	if len(p.Scenarios) == 0 {
		return invalid("err.digital.no_scenario")
	}
	for i, s := range p.Scenarios {
		if _, ok := ed.Scenario(s); !ok {
			return invalid("err.digital.scenario", s, ed.Version)
		}
		if slices.Contains(p.Scenarios[:i], s) {
			return invalid("err.digital.scenario_repeated", s)
		}
	}
	for i, m := range p.Measures {
		switch {
		case !m.Indicator.Valid():
			return invalid("err.digital.indicator", string(m.Indicator))
		case m.Before <= 0 || m.After < 0 || m.Before > maxMeasure || m.After > maxMeasure:
			return invalid("err.digital.measure", string(m.Indicator))
		}
		for _, o := range p.Measures[:i] {
			if o.Indicator == m.Indicator {
				return invalid("err.digital.measure_repeated", string(m.Indicator))
			}
		}
	}
	return nil
}

// Validate checks the fields and the whole history:
//
//   - the history opens with the application; dates never go backwards;
//   - approval follows the application, at the level the investment
//     threshold in force on the application day names (district below it,
//     city at or above); rejection only answers an application;
//   - milestones follow the approval, each with the investment to date,
//     never less than the previous one;
//   - acceptance follows the approval (or a milestone) and records the
//     actual investment, positive and not below the last milestone;
//   - subsidies follow the acceptance, positive, and their sum never
//     exceeds the actual investment;
//   - withdrawal may end a project at any point before acceptance;
//   - nothing follows a rejection or a withdrawal.
func (p Project) Validate(r *Rules) error {
	if err := p.ValidateFields(r); err != nil {
		return err
	}
	var prev *Event
	var invested, actual, subsidy unit.Fen
	for i := range p.Events {
		e := &p.Events[i]
		n := i + 1
		if !e.Stage.Valid() {
			return invalid("err.digital.stage", n, string(e.Stage))
		}
		if e.Date.IsZero() {
			return invalid("err.digital.event_date", n)
		}
		if utf8.RuneCountInString(e.Note) > MaxNote {
			return invalid("err.digital.note", n)
		}
		if e.Amount < 0 || e.Amount > MaxAmount {
			return invalid("err.digital.amount", n)
		}
		if e.Stage != StageApproved && e.Level != "" {
			return invalid("err.digital.level_not_applicable", n)
		}
		if prev == nil {
			if e.Stage != StageApplied {
				return invalid("err.digital.first", n)
			}
		} else {
			if e.Date.Before(prev.Date) {
				return invalid("err.digital.date_backwards", n, e.Date.Format(time.DateOnly), prev.Date.Format(time.DateOnly))
			}
			if !follows(prev.Stage, e.Stage) {
				return invalid("err.digital.transition", n, string(prev.Stage), string(e.Stage))
			}
		}
		switch e.Stage {
		case StageApplied, StageRejected, StageWithdrawn:
			if e.Amount != 0 {
				return invalid("err.digital.amount_not_applicable", n)
			}
		case StageApproved:
			want := r.LevelFor(p.Planned, p.Events[0].Date)
			if e.Level != want {
				return invalid("err.digital.level", n, string(e.Level), string(want), unit.FormatScaled(int64(r.Threshold(p.Events[0].Date)), int64(unit.Wan)))
			}
			if e.Amount != 0 {
				return invalid("err.digital.amount_not_applicable", n)
			}
		case StageMilestone:
			if e.Amount <= 0 || e.Amount < invested {
				return invalid("err.digital.milestone", n)
			}
			invested = e.Amount
		case StageAccepted:
			if e.Amount <= 0 || e.Amount < invested {
				return invalid("err.digital.actual", n)
			}
			actual = e.Amount
		case StageSubsidised:
			subsidy += e.Amount
			if e.Amount <= 0 || subsidy > actual {
				return invalid("err.digital.subsidy", n)
			}
		}
		prev = e
	}
	return nil
}

// follows reports whether stage b may come right after stage a.
func follows(a, b Stage) bool {
	switch a {
	case StageApplied:
		return b == StageApproved || b == StageRejected || b == StageWithdrawn
	case StageApproved, StageMilestone:
		return b == StageMilestone || b == StageAccepted || b == StageWithdrawn
	case StageAccepted, StageSubsidised:
		return b == StageSubsidised
	}
	return false
}

// Append returns the project with ev added, after checking the result.
func (p Project) Append(ev Event, r *Rules) (Project, error) {
	out := p
	out.Events = append(slices.Clip(p.Events), ev)
	if err := out.Validate(r); err != nil {
		return p, err
	}
	return out, nil
}

// Validate checks a maturity record.
func (m Maturity) Validate() error {
	switch {
	case m.EnterpriseID <= 0:
		return invalid("err.digital.firm")
	case m.Year < 2000 || m.Year > 2100:
		return invalid("err.digital.year", m.Year)
	case m.CMMM < 0 || m.CMMM > 5:
		return invalid("err.digital.cmmm", m.CMMM)
	case m.SMELevel < 0 || m.SMELevel > 4:
		return invalid("err.digital.sme_level", m.SMELevel)
	case m.NCRate != nil && (*m.NCRate < 0 || *m.NCRate > 10000):
		return invalid("err.digital.nc_rate")
	case !slices.Contains(Sources, m.Source):
		return invalid("err.digital.source", string(m.Source))
	case utf8.RuneCountInString(m.Evidence) > MaxNote:
		return invalid("err.digital.evidence")
	case m.CMMM == 0 && m.SMELevel == 0 && m.NCRate == nil && !m.Cloud:
		return invalid("err.digital.empty_maturity")
	}
	return nil
}

// Validate checks a recognition.
func (rc Recognition) Validate() error {
	switch {
	case rc.EnterpriseID <= 0:
		return invalid("err.digital.firm")
	case !rc.Rung.Valid():
		return invalid("err.digital.rung", string(rc.Rung))
	case strings.TrimSpace(rc.Name) == "" || utf8.RuneCountInString(rc.Name) > MaxName:
		return invalid("err.digital.name")
	case rc.RecognisedOn.IsZero():
		return invalid("err.digital.recognised_on")
	case rc.Rung == RungFuture && !slices.Contains(FutureTypes, rc.FutureType):
		return invalid("err.digital.future_type")
	case rc.Rung != RungFuture && rc.FutureType != "":
		return invalid("err.digital.future_type")
	case utf8.RuneCountInString(rc.Batch) > MaxName || utf8.RuneCountInString(rc.Note) > MaxNote:
		return invalid("err.digital.note", 0)
	}
	return nil
}
