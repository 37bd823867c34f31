// Package instruments is the large-instrument sharing marketplace
// (大型科研仪器开放共享): owning units and their instruments with the
// catalogue's core fields, the lifecycle the platform reviews, service
// items and rate cards, booking rules, the order state machine, innovation
// vouchers (创新券) and the statistics the science bureau reads. It holds
// the rules only; storage is behind Store (service.go) and HTTP in
// instrumentsweb.
package instruments

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/unit"
)

// UnitType is the kind of an owning unit, the first breakdown of the
// platform's statistics.
type UnitType string

// Unit types, in the order the statistics list them.
const (
	University UnitType = "university"
	Institute  UnitType = "institute"
	Enterprise UnitType = "enterprise"
	OtherUnit  UnitType = "other"
)

// UnitTypes lists every unit type in display order.
var UnitTypes = []UnitType{University, Institute, Enterprise, OtherUnit}

// Valid reports whether t is a known unit type.
func (t UnitType) Valid() bool {
	for _, x := range UnitTypes {
		if x == t {
			return true
		}
	}
	return false
}

// Unit is an instrument-owning unit (管理单位).
type Unit struct {
	ID         int64
	Name       string
	Type       UnitType
	RegionCode string // the district, the default location of its instruments
}

// Class is one of the 15 national instrument classes with its subclasses.
type Class struct {
	Code       string   `json:"code"` // "01".."15"
	NameZH     string   `json:"name_zh"`
	NameEN     string   `json:"name_en"`
	Subclasses []string `json:"subclasses"`
}

//go:embed classes.json
var classesJSON []byte

// Classes returns the 15 top-level classes in the order of national
// reports (domain.md §8.2).
func Classes() ([]Class, error) {
	var cs []Class
	if err := json.Unmarshal(classesJSON, &cs); err != nil {
		return nil, fmt.Errorf("instruments: classes: %w", err)
	}
	return cs, nil
}

// ClassByCode finds a class.
func ClassByCode(cs []Class, code string) (Class, bool) {
	for _, c := range cs {
		if c.Code == code {
			return c, true
		}
	}
	return Class{}, false
}

// Status is a step of an instrument's lifecycle.
type Status string

// The lifecycle: a unit drafts an instrument and submits it; the platform
// reviews it and opens it (or sends it back to draft); an open instrument
// goes offline until a date and back, and is finally retired with a reason.
const (
	Draft       Status = "draft"
	UnderReview Status = "under_review"
	Open        Status = "open"
	Offline     Status = "offline"
	Retired     Status = "retired"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{Draft, UnderReview, Open, Offline, Retired}

// Mode is a service mode.
type Mode string

// Service modes: the user operates the instrument (自主上机), staff
// operate it with the user present, or the user sends samples (委托测试),
// which joins a queue with a promised turnaround instead of taking a slot.
const (
	SelfOperation Mode = "self"
	Assisted      Mode = "assisted"
	SampleSending Mode = "sample"
)

// Modes lists the service modes.
var Modes = []Mode{SelfOperation, Assisted, SampleSending}

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool { return m == SelfOperation || m == Assisted || m == SampleSending }

// Slotted reports whether the mode occupies the instrument for a time slot.
func (m Mode) Slotted() bool { return m != SampleSending }

// Instrument is one catalogue entry with the core fields of GB/T 30523
// and the platform's lifecycle.
type Instrument struct {
	ID            int64
	UnitID        int64
	LocalID       string // the unit's asset number; with the instance prefix the global identifier
	Name          string
	ClassCode     string
	Subclass      string
	Model         string
	Manufacturer  string
	Country       string
	OriginalValue unit.Fen
	PurchaseDate  string // YYYY-MM-DD
	Location      string
	RegionCode    string
	Specs         string
	Capabilities  string
	SampleReq     string
	Contact       string
	Modes         []Mode
	Status        Status
	OfflineUntil  string // YYYY-MM-DD, while Offline
	RetireReason  string
	EnrolledOn    string // YYYY-MM-DD: the day it was opened on the platform
	RemovedOn     string // YYYY-MM-DD: the day it was retired
	Rules         Rules
}

// GlobalID is the instrument's identifier across federated instances, in
// the style of GB/T 32843 (科技资源标识): the instance prefix, the owning
// unit and the unit's local id.
func GlobalID(prefix string, unitID int64, localID string) string {
	return fmt.Sprintf("%s.%d/%s", prefix, unitID, localID)
}

// Validate checks the fields a catalogue entry must have.
func (in Instrument) Validate(cs []Class) error {
	if strings.TrimSpace(in.Name) == "" {
		return apperr.New(apperr.Invalid, "instruments.err.name")
	}
	if strings.TrimSpace(in.LocalID) == "" {
		return apperr.New(apperr.Invalid, "instruments.err.local_id")
	}
	c, ok := ClassByCode(cs, in.ClassCode)
	if !ok {
		return apperr.New(apperr.Invalid, "instruments.err.class", in.ClassCode)
	}
	if in.Subclass != "" && len(c.Subclasses) > 0 {
		found := false
		for _, s := range c.Subclasses {
			found = found || s == in.Subclass
		}
		if !found {
			return apperr.New(apperr.Invalid, "instruments.err.subclass", in.Subclass)
		}
	}
	if in.OriginalValue <= 0 {
		return apperr.New(apperr.Invalid, "instruments.err.value")
	}
	if len(in.Modes) == 0 {
		return apperr.New(apperr.Invalid, "instruments.err.modes")
	}
	for _, m := range in.Modes {
		if !m.Valid() {
			return apperr.New(apperr.Invalid, "instruments.err.modes")
		}
	}
	return in.Rules.Validate()
}

// HasMode reports whether the instrument offers m.
func (in Instrument) HasMode(m Mode) bool {
	for _, x := range in.Modes {
		if x == m {
			return true
		}
	}
	return false
}

// Lifecycle actions.
const (
	ActSubmit  = "submit"  // draft → under review (the unit)
	ActApprove = "approve" // under review → open (the platform); dates the enrolment
	ActReturn  = "return"  // under review → draft (the platform)
	ActOffline = "offline" // open → offline until a date (the unit)
	ActReopen  = "reopen"  // offline → open (the unit)
	ActRetire  = "retire"  // open or offline → retired with a reason (the unit); dates the removal
)

// LifecycleChange is one requested lifecycle step.
type LifecycleChange struct {
	Action string
	Until  string // ActOffline: the day it comes back
	Reason string // ActRetire
}

// lifecycle is the table of allowed steps: action → from → to, and
// whether the platform (not the owning unit) takes it.
var lifecycle = []struct {
	action   string
	from     []Status
	to       Status
	platform bool
}{
	{ActSubmit, []Status{Draft}, UnderReview, false},
	{ActApprove, []Status{UnderReview}, Open, true},
	{ActReturn, []Status{UnderReview}, Draft, true},
	{ActOffline, []Status{Open}, Offline, false},
	{ActReopen, []Status{Offline}, Open, false},
	{ActRetire, []Status{Open, Offline}, Retired, false},
}

// ApplyLifecycle returns in after ch taken on day by a platform operator
// (platform) or the owning unit. Enrolment is the first opening; removal
// is retirement.
func ApplyLifecycle(in Instrument, ch LifecycleChange, platform bool, day time.Time) (Instrument, error) {
	for _, step := range lifecycle {
		if step.action != ch.Action {
			continue
		}
		if step.platform != platform {
			return in, apperr.New(apperr.Forbidden, "instruments.err.lifecycle_actor")
		}
		ok := false
		for _, f := range step.from {
			ok = ok || f == in.Status
		}
		if !ok {
			return in, apperr.New(apperr.Conflict, "instruments.err.lifecycle", string(in.Status), ch.Action)
		}
		d := day.Format(time.DateOnly)
		switch ch.Action {
		case ActApprove:
			if in.EnrolledOn == "" {
				in.EnrolledOn = d
			}
		case ActOffline:
			if _, err := time.Parse(time.DateOnly, ch.Until); err != nil || ch.Until <= d {
				return in, apperr.New(apperr.Invalid, "instruments.err.offline_until")
			}
			in.OfflineUntil = ch.Until
		case ActReopen:
			in.OfflineUntil = ""
		case ActRetire:
			if strings.TrimSpace(ch.Reason) == "" {
				return in, apperr.New(apperr.Invalid, "instruments.err.retire_reason")
			}
			in.RetireReason, in.RemovedOn, in.OfflineUntil = strings.TrimSpace(ch.Reason), d, ""
		}
		in.Status = step.to
		return in, nil
	}
	return in, apperr.New(apperr.Invalid, "instruments.err.action", ch.Action)
}
