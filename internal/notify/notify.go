// Package notify is the platform's notifications: an in-app inbox per
// account and an e-mail outbox. Features do not call it to send: the
// store writes a feature event's notifications (and, for recipients who
// want mail, their outbox rows) in the transaction of the event, using the
// plans of this package, so an event that rolls back notifies nobody and
// one that commits cannot lose its mail. A worker (Worker) sends the
// outbox through SMTP when configured and schedules booking reminders.
package notify

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/mail"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
)

// local is the platform's time zone (China Standard Time), in which slots
// are shown and routing versions take effect.
func local() *time.Location { return time.FixedZone("CST", 8*3600) }

// Kinds of notification; each is a catalogue message notify.kind.<kind>.
const (
	KindBookingReminder   = "booking.reminder"
	KindReportingReminder = "reporting.reminder"
)

// OrderKind is the kind of an order's move to a state.
func OrderKind(state string) string { return "order." + state }

// Note is a notification to write.
type Note struct {
	UserID int64
	Kind   string
	Args   []string // the message's arguments, in order
	Link   string   // a path on the platform
	Dedup  string   // a key a scheduled notification is written once under; "" for none
}

// Notification is a stored notification.
type Notification struct {
	ID        int64
	UserID    int64
	Kind      string
	Args      []string
	Link      string
	CreatedAt time.Time
	ReadAt    time.Time // zero while unread
}

// Key is the catalogue key of the notification's text.
func (n Notification) Key() string { return "notify.kind." + n.Kind }

// Renderer renders a catalogue message in a language.
type Renderer func(lang, key string, args ...any) string

// Text renders the notification in lang.
func (n Notification) Text(t Renderer, lang string) string {
	args := make([]any, len(n.Args))
	for i, a := range n.Args {
		args[i] = a
	}
	return t(lang, n.Key(), args...)
}

// Party is whom a rule addresses in an order event.
type Party string

// Parties of an order event.
const (
	Customer Party = "customer" // the account that placed the order
	Managers Party = "managers" // the instrument's managers
	Operator Party = "operator" // the platform operators (science bureau)
	Author   Party = "author"   // a review's author (review events)
)

// Review events.
const (
	ReviewReplied  = "replied"
	ReviewHidden   = "hidden"
	ReviewRestored = "restored"
)

// Routing is a version of the notification rules: who is told of each
// order state, and how long before a booking its reminder goes out.
type Routing struct {
	EffectiveFrom        string             `json:"effective_from"`
	BookingReminderHours int                `json:"booking_reminder_hours"`
	OrderEvents          map[string][]Party `json:"order_events"`
	// ReviewEvents: who is told of the owner's reply to a review and of
	// its moderation (replied, hidden, restored).
	ReviewEvents map[string][]Party `json:"review_events"`
}

//go:embed routing.json
var routingJSON []byte

// Routings returns the shipped rule versions, oldest first.
func Routings() ([]Routing, error) {
	var rs []Routing
	if err := json.Unmarshal(routingJSON, &rs); err != nil {
		return nil, fmt.Errorf("notify: routing: %w", err)
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].EffectiveFrom < rs[j].EffectiveFrom })
	for _, r := range rs {
		if r.BookingReminderHours <= 0 {
			return nil, fmt.Errorf("notify: routing %s: booking_reminder_hours must be positive", r.EffectiveFrom)
		}
		for st, ps := range r.OrderEvents {
			for _, p := range ps {
				if p != Customer && p != Managers && p != Operator {
					return nil, fmt.Errorf("notify: routing %s: state %s: unknown party %q", r.EffectiveFrom, st, p)
				}
			}
		}
		for ev, ps := range r.ReviewEvents {
			if ev != ReviewReplied && ev != ReviewHidden && ev != ReviewRestored {
				return nil, fmt.Errorf("notify: routing %s: unknown review event %q", r.EffectiveFrom, ev)
			}
			for _, p := range ps {
				if p != Author && p != Managers && p != Operator {
					return nil, fmt.Errorf("notify: routing %s: review %s: unknown party %q", r.EffectiveFrom, ev, p)
				}
			}
		}
	}
	return rs, nil
}

// RoutingOn returns the version in force at t; before the first version,
// the first (an event is never left without rules).
func RoutingOn(rs []Routing, t time.Time) (Routing, error) {
	if len(rs) == 0 {
		return Routing{}, fmt.Errorf("notify: no routing")
	}
	day := t.In(local()).Format(time.DateOnly)
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i].EffectiveFrom <= day {
			return rs[i], nil
		}
	}
	return rs[0], nil
}

// OrderEvent is an order's move to a state, with the accounts concerned.
type OrderEvent struct {
	OrderID        int64
	InstrumentName string
	To             string  // the new state
	ActorID        int64   // who moved it
	CustomerID     int64   // who placed the order
	ManagerIDs     []int64 // the instrument's managers
	OperatorIDs    []int64 // the platform operators
}

// PlanOrderEvent lists the notifications of an order event: one per
// account of each party the rule for the new state names. The party that
// acted is not told of its own act: a customer's own cancellation goes to
// the managers only, and when one manager approves, the others are not
// told either (the instrument's team acted). An operator's act reaches
// every party named.
func PlanOrderEvent(r Routing, ev OrderEvent) []Note {
	actorIsManager := slices.Contains(ev.ManagerIDs, ev.ActorID)
	seen := map[int64]bool{ev.ActorID: true}
	var out []Note
	add := func(ids ...int64) {
		for _, id := range ids {
			if id == 0 || seen[id] {
				continue
			}
			seen[id] = true
			out = append(out, Note{UserID: id, Kind: OrderKind(ev.To), Link: "/instruments/orders",
				Args: []string{strconv.FormatInt(ev.OrderID, 10), ev.InstrumentName}})
		}
	}
	for _, p := range r.OrderEvents[ev.To] {
		switch p {
		case Customer:
			add(ev.CustomerID)
		case Managers:
			if !actorIsManager {
				add(ev.ManagerIDs...)
			}
		case Operator:
			add(ev.OperatorIDs...)
		}
	}
	return out
}

// ReviewEvent is the owner's reply to a review or its moderation.
type ReviewEvent struct {
	OrderID        int64
	InstrumentID   int64
	InstrumentName string
	Event          string // ReviewReplied, ReviewHidden, ReviewRestored
	ActorID        int64
	AuthorID       int64   // the review's author
	ManagerIDs     []int64 // the instrument's managers
	OperatorIDs    []int64
}

// ReviewKind is the kind of a review event's notification.
func ReviewKind(event string) string { return "review." + event }

// PlanReviewEvent lists the notifications of a review event: one per
// account of each party its rule names, never the actor.
func PlanReviewEvent(r Routing, ev ReviewEvent) []Note {
	seen := map[int64]bool{ev.ActorID: true}
	var out []Note
	add := func(ids ...int64) {
		for _, id := range ids {
			if id == 0 || seen[id] {
				continue
			}
			seen[id] = true
			out = append(out, Note{UserID: id, Kind: ReviewKind(ev.Event), Link: "/instruments/" + strconv.FormatInt(ev.InstrumentID, 10),
				Args: []string{strconv.FormatInt(ev.OrderID, 10), ev.InstrumentName}})
		}
	}
	for _, p := range r.ReviewEvents[ev.Event] {
		switch p {
		case Author:
			add(ev.AuthorID)
		case Managers:
			add(ev.ManagerIDs...)
		case Operator:
			add(ev.OperatorIDs...)
		}
	}
	return out
}

// Booking is a booked slot about to start.
type Booking struct {
	OrderID        int64
	UserID         int64
	InstrumentName string
	Start          time.Time
}

// PlanBookingReminder is the reminder of a booking to its customer,
// written once per order whichever scheduler run finds it first.
func PlanBookingReminder(b Booking) Note {
	return Note{UserID: b.UserID, Kind: KindBookingReminder, Link: "/instruments/orders",
		Args:  []string{strconv.FormatInt(b.OrderID, 10), b.InstrumentName, b.Start.In(local()).Format("2006-01-02 15:04")},
		Dedup: "booking:" + strconv.FormatInt(b.OrderID, 10) + ":" + strconv.FormatInt(b.UserID, 10)}
}

// ReportingReminder is a district's reminder of a late monthly report.
type ReportingReminder struct {
	FirmName string
	Year     int
	Month    int
	UserIDs  []int64 // the firm's accounts
}

// PlanReportingReminder tells each account of the late firm.
func PlanReportingReminder(r ReportingReminder) []Note {
	var out []Note
	period := fmt.Sprintf("%04d-%02d", r.Year, r.Month)
	for _, id := range r.UserIDs {
		out = append(out, Note{UserID: id, Kind: KindReportingReminder, Link: "/reporting", Args: []string{period, r.FirmName}})
	}
	return out
}

// Prefs are a user's notification settings.
type Prefs struct {
	UserID  int64
	Email   string
	Lang    string // zh-CN or en: the language of their mail
	EmailOn bool
}

// Validate checks the settings: a plain address (no display name) when
// mail is on or an address is given, and a known language.
func (p Prefs) Validate(langs []string) (Prefs, error) {
	p.Email = strings.TrimSpace(p.Email)
	if p.Email != "" {
		a, err := mail.ParseAddress(p.Email)
		if err != nil || a.Name != "" || a.Address != p.Email || len(p.Email) > 254 {
			return p, apperr.New(apperr.Invalid, "notify.err.email")
		}
	}
	if p.EmailOn && p.Email == "" {
		return p, apperr.New(apperr.Invalid, "notify.err.email_needed")
	}
	if !slices.Contains(langs, p.Lang) {
		return p, apperr.New(apperr.Invalid, "notify.err.lang")
	}
	return p, nil
}
