package instruments

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sort"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Member is a user's place on the platform: the unit they belong to (0
// for enterprise users) and the category their prices follow.
type Member struct {
	UserID   int64
	UnitID   int64
	Category Category
}

// Actor is who calls a use case, as the web layer knows it from the
// session and the permission policy.
type Actor struct {
	UserID       int64
	EnterpriseID int64 // enterprise users: their firm
	Operator     bool  // the platform operator (science bureau): reviews, vouchers, disputes
	UnitAdmin    bool  // administers every instrument of their unit
	Manager      bool  // manages the instruments assigned to them
	Booker       bool  // may place orders
}

// Detail is an instrument with its unit, items and managers, as its page
// shows it.
type Detail struct {
	Instrument
	Unit     Unit
	Items    []ServiceItem
	Managers []int64
	Uses     int
	Rating   float64
	RatingN  int
}

// PlaceOrder is an order to write with the slot check to run under the
// instrument's lock.
type PlaceOrder struct {
	Order Order
	// Check runs inside the booking transaction with the user's booked
	// minutes on the slot's local day; an error aborts the booking.
	Check func(userDayMinutes int) error
}

// Store is what the marketplace needs from storage.
type Store interface {
	PutUnits(ctx context.Context, us []Unit) ([]Unit, error)
	Units(ctx context.Context) ([]Unit, error)
	SharingMember(ctx context.Context, userID int64) (Member, error)
	PutSharingMember(ctx context.Context, m Member) error
	CreateInstrument(ctx context.Context, in Instrument, items []ServiceItem, managers []int64) (Instrument, error)
	InstrumentDetail(ctx context.Context, id int64) (Detail, error)
	// ManagedInstrumentIDs lists the instruments userID is an assigned
	// manager of.
	ManagedInstrumentIDs(ctx context.Context, userID int64) ([]int64, error)
	// UpdateInstrument changes an instrument in one transaction through fn.
	UpdateInstrument(ctx context.Context, id int64, fn func(Instrument) (Instrument, error)) (Instrument, error)
	SearchInstruments(ctx context.Context, q SearchQuery) (SearchResult, error)
	InstrumentStatRecords(ctx context.Context) ([]StatRecord, error)
	// PlaceOrder writes an order and, for a slot, its booking cells in one
	// transaction holding the instrument's lock; a taken cell is a
	// Conflict.
	PlaceOrder(ctx context.Context, p PlaceOrder) (Order, error)
	// TransitionOrder changes an order through fn in one transaction with
	// the ledger, writing the event, fn's effects and, when the new state
	// frees the slot, deleting the cells.
	TransitionOrder(ctx context.Context, id, actorID int64, fn func(o Order, l LedgerView) (Order, Effects, error)) (Order, error)
	Order(ctx context.Context, id int64) (Order, error)
	// Orders lists orders: a customer's own (UserID), a unit's (UnitID),
	// or every order when both are 0.
	Orders(ctx context.Context, f OrderFilter) ([]Order, error)
	// PostVoucher writes the postings fn plans, in one transaction.
	PostVoucher(ctx context.Context, fn func(l LedgerView) ([]Posting, error)) error
	VoucherBalance(ctx context.Context, account string) (unit.Fen, error)
	// BookedSlots are the slots of live orders overlapping [from, to).
	BookedSlots(ctx context.Context, instrumentID int64, from, to time.Time) ([]Order, error)
	// Reviews lists an instrument's reviews, newest first: the visible
	// ones, the hidden ones of f.ViewerID, or all with f.Hidden.
	Reviews(ctx context.Context, f ReviewFilter) ([]Review, error)
	// Review reads one order's review (NotFound when none).
	Review(ctx context.Context, orderID int64) (Review, error)
	// UpdateReview changes a review through fn in one transaction and
	// keeps the instrument's rating and rank to its visible reviews.
	UpdateReview(ctx context.Context, orderID int64, fn func(Review) (Review, error)) (Review, error)
	PutCalendarFeed(ctx context.Context, token string, userID, instrumentID int64) error
	// CalendarFeed finds a feed by its token (NotFound when none).
	CalendarFeed(ctx context.Context, token string) (userID, instrumentID int64, err error)
	// UsageStore reads the service statistics (usage.go).
	UsageStore
	// OpsStore: unit defaults, qualifications, windows, violations,
	// imports and files (ops.go).
	OpsStore
	// InvoiceStore: invoices of fees (invoice.go).
	InvoiceStore
}

// Effects are what an order transition writes besides the order.
type Effects struct {
	Postings  []Posting
	Review    *Review    // the one review of a rated order
	Violation *Violation // a no-show's; the store fills user and unit from the order
}

// OrderFilter narrows an order list.
type OrderFilter struct {
	UserID       int64
	UnitID       int64
	InstrumentID int64
	Limit        int
}

// Review is a customer's rating of a completed order.
type Review struct {
	OrderID      int64
	InstrumentID int64
	UserID       int64
	Stars        int
	Tags         []string
	Comment      string
	CreatedAt    time.Time
	// The owner's reply (reviews.go): the instrument's manager or unit
	// administrator, once, editable until the review is moderated.
	Reply     string
	RepliedBy int64
	RepliedAt time.Time
	// Moderation by the platform operator: a hidden review counts in no
	// rating; ModeratedBy is 0 until the first moderation.
	Hidden       bool
	HiddenReason string
	ModeratedBy  int64
	ModeratedAt  time.Time
}

// ReviewTags are the tags a review may carry.
var ReviewTags = []string{"timeliness", "data_quality", "service"}

// Options tune the service.
type Options struct {
	Now    func() time.Time // the clock; time.Now when nil
	Prefix string           // the instance's identifier prefix; "cq" when empty
	// FileDir keeps the instruments' photos and documents in a
	// directory; in the database when empty.
	FileDir string
	// Mirror, when set, adds federation peers' mirrored instruments to
	// every search, after this instance's own (internal/federation).
	Mirror MirrorSearcher
	// Remote, when set, adds the user's bookings of federation peers'
	// instruments to their orders (internal/federation).
	Remote RemoteOrderLister
	// Holds, when set, names the orders that are federation peers'
	// holds their remote users have not confirmed yet: staff cannot
	// advance those (internal/federation).
	Holds HoldGate
}

// HoldGate tells whether an order is a federation peer's hold that its
// remote user has not confirmed: until then it may expire, so the home's
// staff may reject or void it but not approve or otherwise advance it.
type HoldGate interface {
	Unconfirmed(ctx context.Context, orderID int64) (bool, error)
}

// RemoteOrder is the user's booking of a federation peer's instrument as
// its home last reported it: the home is the only writer of the order,
// so this instance only shows it.
type RemoteOrder struct {
	ID             int64  // the booking at this instance
	Home           string // the instrument's home instance
	InstrumentID   int64  // at the home
	InstrumentName string
	Start, End     time.Time
	State          string // the hold's state until confirmed, then the home order's
	UnitPrice      unit.Fen
	Amount         unit.Fen
	UpdatedAt      time.Time // when the state was last pulled
	// Voucher is the share the user's firm's voucher covers: reserved at
	// this instance until the home's evidence settles it.
	Voucher      unit.Fen
	VoucherState string // "", requested, reserved, settled, released
}

// RemoteOrderLister lists a user's bookings of federation peers'
// instruments.
type RemoteOrderLister interface {
	RemoteOrders(ctx context.Context, userID int64) ([]RemoteOrder, error)
}

// MirrorSearcher searches the mirror of federation peers' catalogues; its
// hits carry their Home.
type MirrorSearcher interface {
	SearchMirror(ctx context.Context, q SearchQuery) (SearchResult, error)
}

// Service is the marketplace's use cases.
type Service struct {
	store   Store
	now     func() time.Time
	prefix  string
	fileDir string
	mirror  MirrorSearcher
	remote  RemoteOrderLister
	holds   HoldGate
}

// NewService returns the service over st.
func NewService(st Store, opts Options) *Service {
	s := &Service{store: st, now: opts.Now, prefix: opts.Prefix, fileDir: opts.FileDir, mirror: opts.Mirror, remote: opts.Remote, holds: opts.Holds}
	if s.now == nil {
		s.now = time.Now
	}
	if s.prefix == "" {
		s.prefix = "cq"
	}
	return s
}

// Prefix is the instance's identifier prefix.
func (s *Service) Prefix() string { return s.prefix }

// Search searches the open catalogue.
func (s *Service) Search(ctx context.Context, q SearchQuery) (SearchResult, error) {
	q.Text = strings.TrimSpace(q.Text)
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 20
	}
	if q.UnitType != "" && !q.UnitType.Valid() {
		return SearchResult{}, apperr.New(apperr.Invalid, "instruments.err.unit_type")
	}
	if q.Mode != "" && !q.Mode.Valid() {
		return SearchResult{}, apperr.New(apperr.Invalid, "instruments.err.modes")
	}
	if q.Band != "" && BandOf(bandFloor(q.Band)) != q.Band {
		return SearchResult{}, apperr.New(apperr.Invalid, "instruments.err.band")
	}
	res, err := s.store.SearchInstruments(ctx, q)
	if err != nil || s.mirror == nil {
		return res, err
	}
	// Peers' instruments follow this instance's own: the page continues
	// into the mirror where the local matches end.
	mq := q
	mq.Offset, mq.Limit = max(0, q.Offset-res.Total), q.Limit-len(res.Hits)
	m, err := s.mirror.SearchMirror(ctx, mq)
	if err != nil {
		return res, err
	}
	return mergeResults(res, m), nil
}

// mergeResults adds a mirror's result to the local one.
func mergeResults(res, m SearchResult) SearchResult {
	res.Total += m.Total
	res.Hits = append(res.Hits, m.Hits...)
	for name, fs := range m.Facets {
		n := map[string]int{}
		for _, f := range res.Facets[name] {
			n[f.Value] += f.N
		}
		for _, f := range fs {
			n[f.Value] += f.N
		}
		out := make([]Facet, 0, len(n))
		for v, c := range n {
			out = append(out, Facet{Value: v, N: c})
		}
		sort.Slice(out, func(a, b int) bool { return out[a].N > out[b].N || out[a].N == out[b].N && out[a].Value < out[b].Value })
		if res.Facets == nil {
			res.Facets = map[string][]Facet{}
		}
		res.Facets[name] = out
	}
	return res
}

func bandFloor(key string) unit.Fen {
	for _, b := range PriceBands {
		if b.Key == key {
			return b.From
		}
	}
	return -1
}

// Detail reads an instrument's page data.
func (s *Service) Detail(ctx context.Context, id int64) (Detail, error) {
	return s.store.InstrumentDetail(ctx, id)
}

// BookedSlots are the live booked slots of an instrument in [from, to).
func (s *Service) BookedSlots(ctx context.Context, id int64, from, to time.Time) ([]Order, error) {
	return s.store.BookedSlots(ctx, id, from, to)
}

// Stats computes a year's platform statistics from the records.
func (s *Service) Stats(ctx context.Context, year, top int) (Stats, error) {
	recs, err := s.store.InstrumentStatRecords(ctx)
	if err != nil {
		return Stats{}, err
	}
	return ComputeStats(recs, year, top), nil
}

// CreateInstrument enrols a draft for the actor's unit (an operator names
// any unit).
func (s *Service) CreateInstrument(ctx context.Context, a Actor, in Instrument, items []ServiceItem) (Instrument, error) {
	if !a.Operator {
		if !a.UnitAdmin {
			return Instrument{}, apperr.New(apperr.Forbidden, "api.err.forbidden")
		}
		m, err := s.store.SharingMember(ctx, a.UserID)
		if apperr.Is(err, apperr.NotFound) {
			return Instrument{}, apperr.New(apperr.Forbidden, "instruments.err.no_member")
		}
		if err != nil {
			return Instrument{}, err
		}
		in.UnitID = m.UnitID
	}
	cs, err := Classes()
	if err != nil {
		return Instrument{}, err
	}
	if in.Rules.Approval == "" && in.Rules.GranularityMinutes == 0 {
		if in.Rules, err = s.UnitRules(ctx, in.UnitID); err != nil {
			return Instrument{}, err
		}
	}
	in.Status, in.EnrolledOn, in.RemovedOn = Draft, "", ""
	if err := in.Validate(cs); err != nil {
		return Instrument{}, err
	}
	for _, it := range items {
		if strings.TrimSpace(it.Name) == "" || !it.Mode.Valid() || it.Unit != PerHour && it.Unit != PerSample {
			return Instrument{}, apperr.New(apperr.Invalid, "instruments.err.item")
		}
		for _, r := range it.Rates {
			if !r.Category.Valid() || r.Price < 0 {
				return Instrument{}, apperr.New(apperr.Invalid, "instruments.err.item")
			}
		}
	}
	return s.store.CreateInstrument(ctx, in, items, nil)
}

// Lifecycle takes a lifecycle step: the platform reviews, the owning unit
// does the rest.
func (s *Service) Lifecycle(ctx context.Context, a Actor, id int64, ch LifecycleChange) (Instrument, error) {
	d, err := s.store.InstrumentDetail(ctx, id)
	if err != nil {
		return Instrument{}, err
	}
	platform := ch.Action == ActApprove || ch.Action == ActReturn
	if platform && !a.Operator {
		return Instrument{}, apperr.New(apperr.Forbidden, "instruments.err.lifecycle_actor")
	}
	if !platform {
		ok, err := s.manages(ctx, a, d)
		if err != nil {
			return Instrument{}, err
		}
		if !ok {
			return Instrument{}, apperr.New(apperr.Forbidden, "instruments.err.lifecycle_actor")
		}
	}
	now := s.now()
	return s.store.UpdateInstrument(ctx, id, func(in Instrument) (Instrument, error) {
		return ApplyLifecycle(in, ch, platform, now.In(Zone))
	})
}

// manages reports whether a manages the instrument: its unit's
// administrator or one of its assigned managers.
func (s *Service) manages(ctx context.Context, a Actor, d Detail) (bool, error) {
	if a.Manager {
		for _, id := range d.Managers {
			if id == a.UserID {
				return true, nil
			}
		}
	}
	if a.UnitAdmin {
		m, err := s.store.SharingMember(ctx, a.UserID)
		if err != nil {
			if apperr.Is(err, apperr.NotFound) {
				return false, nil
			}
			return false, err
		}
		return m.UnitID == d.UnitID, nil
	}
	return false, nil
}

// BookRequest asks for a slot (self-operation, assisted) or sends samples.
type BookRequest struct {
	InstrumentID int64
	ItemID       int64
	Start, End   time.Time // slotted modes
	Samples      int       // sample sending
	Note         string
}

// category is the user's price category for an instrument.
func (s *Service) category(ctx context.Context, a Actor, r bookingReads, unitID int64) (Category, error) {
	m, err := r.member(ctx)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return "", err
	}
	switch {
	case err == nil && m.UnitID != 0 && m.UnitID == unitID:
		return Internal, nil
	case err == nil && m.Category != "":
		return m.Category, nil
	case a.EnterpriseID != 0:
		return EnterpriseUser, nil
	}
	return ExternalAcademic, nil
}

// BookingFacts are what a booking reads before it is placed: the
// instrument's detail and the user's membership, unwaived violations and
// qualifications. They may be shared with a cache: read them, never
// change their slices.
type BookingFacts struct {
	Detail   Detail
	Member   Member
	IsMember bool // false: the user has no sharing_member row
	// Violations are the user's unwaived violations at every unit.
	Violations []ViolationMark
	// Qualifications are as Qualifications(user, 0) lists them.
	Qualifications []Qualification
}

// ViolationMark is one unwaived violation: the unit and the time (unix
// seconds) it counts from.
type ViolationMark struct {
	UnitID int64
	At     int64
}

// FactsStore is a Store that answers a booking's reads at once, from a
// cache that has applied every write committed before the call began
// (any process's), so a fact it serves is never older than the request:
// a suspension, rule or membership change committed before a booking
// started is seen by it, as a direct read would see it.
type FactsStore interface {
	BookingFacts(ctx context.Context, instrumentID, userID int64) (BookingFacts, error)
}

// bookingReads answers Book's reads about its user: from the store's
// facts when it serves them (f set), else one query each, as needed.
type bookingReads struct {
	store  Store
	userID int64
	f      *BookingFacts
}

func (r bookingReads) member(ctx context.Context) (Member, error) {
	if r.f == nil {
		return r.store.SharingMember(ctx, r.userID)
	}
	if !r.f.IsMember {
		return Member{UserID: r.userID}, apperr.New(apperr.NotFound, "instruments.err.no_member")
	}
	return r.f.Member, nil
}

// violations counts the user's unwaived violations at unitID since.
func (r bookingReads) violations(ctx context.Context, unitID int64, since time.Time) (int, error) {
	if r.f == nil {
		return r.store.Violations(ctx, r.userID, unitID, since)
	}
	n := 0
	for _, v := range r.f.Violations {
		if v.UnitID == unitID && v.At >= since.Unix() {
			n++
		}
	}
	return n, nil
}

func (r bookingReads) qualifications(ctx context.Context) ([]Qualification, error) {
	if r.f == nil {
		return r.store.Qualifications(ctx, r.userID, 0)
	}
	return r.f.Qualifications, nil
}

// Book places an order: a slot checked against the instrument's rules and
// booked under its lock, or a place in the sample queue with the promised
// turnaround. The price of the user's category on the day is frozen on
// the order. Auto-approval rules approve it at once.
func (s *Service) Book(ctx context.Context, a Actor, req BookRequest) (Order, error) {
	if !a.Booker {
		return Order{}, apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	// The instrument and the user's facts: from the store's cache when
	// it keeps one (three round trips per booking otherwise).
	r := bookingReads{store: s.store, userID: a.UserID}
	var d Detail
	if fs, ok := s.store.(FactsStore); ok {
		f, err := fs.BookingFacts(ctx, req.InstrumentID, a.UserID)
		if err != nil {
			return Order{}, err
		}
		d, r.f = f.Detail, &f
	} else {
		var err error
		if d, err = s.store.InstrumentDetail(ctx, req.InstrumentID); err != nil {
			return Order{}, err
		}
	}
	if d.Status != Open {
		return Order{}, apperr.New(apperr.Conflict, "instruments.err.not_open")
	}
	var item *ServiceItem
	for i := range d.Items {
		if d.Items[i].ID == req.ItemID {
			item = &d.Items[i]
		}
	}
	if item == nil {
		return Order{}, apperr.New(apperr.NotFound, "instruments.err.no_item")
	}
	now := s.now()
	if err := s.checkSuspension(ctx, r, d, now); err != nil {
		return Order{}, err
	}
	cat, err := s.category(ctx, a, r, d.UnitID)
	if err != nil {
		return Order{}, err
	}
	price, err := item.PriceFor(cat, now)
	if err != nil {
		return Order{}, err
	}
	o := Order{InstrumentID: d.ID, ItemID: item.ID, UserID: a.UserID, EnterpriseID: a.EnterpriseID, Category: cat, Mode: item.Mode,
		State: Submitted, ChargeUnit: item.Unit, UnitPrice: price, Note: strings.TrimSpace(req.Note), CreatedAt: now}
	p := PlaceOrder{Order: o}
	if item.Mode.Slotted() {
		o.Start, o.End = req.Start.UTC(), req.End.UTC()
		o.BookedMinutes = int(o.End.Sub(o.Start) / time.Minute)
		rules := d.Rules
		p.Check = func(dayMinutes int) error {
			return rules.CheckSlot(SlotRequest{Start: o.Start, End: o.End, Now: now, UserDayMinutes: dayMinutes, Internal: cat == Internal})
		}
		if err := rules.CheckSlot(SlotRequest{Start: o.Start, End: o.End, Now: now, Internal: cat == Internal}); err != nil {
			return Order{}, err
		}
	} else {
		if req.Samples <= 0 {
			return Order{}, apperr.New(apperr.Invalid, "instruments.err.samples")
		}
		o.Samples = req.Samples
		o.DueOn = now.In(Zone).AddDate(0, 0, d.Rules.TurnaroundDays).Format(time.DateOnly)
	}
	// Qualification and the approval mode (ops.go); the cancellation and
	// no-show terms are frozen with the price.
	if o.State, err = s.admit(ctx, a, r, d, *item, o, now); err != nil {
		return Order{}, err
	}
	o.Terms = d.Rules.Terms()
	p.Order = o
	return s.store.PlaceOrder(ctx, p)
}

// ActRequest is an order action with what some actions carry.
type ActRequest struct {
	Action string
	Usage  Usage // confirm_usage
}

// Act takes an order action as the party the actor is for this order: its
// customer, a manager of its instrument, or the operator. Confirming use
// fixes the amount and, for an enterprise customer with an allocation,
// redeems the voucher share; voiding or a resolved dispute refunds it.
//
// Invoicing and payment go through invoices (invoice.go), so that every
// invoiced order is on exactly one: "invoice" bills the one order,
// "pay" records the payment of the invoice holding it.
func (s *Service) Act(ctx context.Context, a Actor, id int64, req ActRequest) (Order, error) {
	switch req.Action {
	case OrderInvoice:
		if _, err := s.IssueInvoice(ctx, a, InvoiceRequest{OrderIDs: []int64{id}}); err != nil {
			return Order{}, err
		}
		return s.store.Order(ctx, id)
	case OrderPay:
		o, err := s.store.Order(ctx, id)
		if err != nil {
			return Order{}, err
		}
		inv, err := s.store.InvoiceOfOrder(ctx, id)
		if apperr.Is(err, apperr.NotFound) {
			if o.State != Invoiced {
				// Not invoiced: the order machine names the refusal.
				_, err = Step(o.State, OrderPay, Manager)
				return Order{}, err
			}
			// An order invoiced before invoices were stored (imported
			// history) moves on its own.
			return s.act(ctx, a, id, req, nil)
		}
		if err != nil {
			return Order{}, err
		}
		if _, err := s.PayInvoice(ctx, a, inv.ID); err != nil {
			return Order{}, err
		}
		return s.store.Order(ctx, id)
	}
	return s.act(ctx, a, id, req, nil)
}

func (s *Service) act(ctx context.Context, a Actor, id int64, req ActRequest, review *Review) (Order, error) {
	o, err := s.store.Order(ctx, id)
	if err != nil {
		return Order{}, err
	}
	d, err := s.store.InstrumentDetail(ctx, o.InstrumentID)
	if err != nil {
		return Order{}, err
	}
	var parties []Party
	if o.UserID == a.UserID {
		parties = append(parties, Customer)
	}
	if ok, err := s.manages(ctx, a, d); err != nil {
		return Order{}, err
	} else if ok {
		parties = append(parties, Manager)
	}
	if a.Operator {
		parties = append(parties, Operator)
	}
	if len(parties) == 0 {
		return Order{}, apperr.New(apperr.NotFound, "instruments.err.no_order")
	}
	if s.holds != nil && req.Action != OrderCancel && req.Action != OrderReject && req.Action != OrderVoid {
		pending, err := s.holds.Unconfirmed(ctx, id)
		if err != nil {
			return Order{}, err
		}
		if pending {
			return Order{}, apperr.New(apperr.Conflict, "instruments.err.hold_unconfirmed")
		}
	}
	policies, err := VoucherPolicies()
	if err != nil {
		return Order{}, err
	}
	now := s.now()
	return s.store.TransitionOrder(ctx, id, a.UserID, func(o Order, l LedgerView) (Order, Effects, error) {
		o, posts, err := s.transition(o, l, parties, req, policies, now)
		eff := Effects{Postings: posts}
		if err == nil && o.State == NoShow {
			eff.Violation = &Violation{OrderID: o.ID, Kind: ViolationNoShow, At: now}
		}
		if err == nil && o.State == Rated {
			if review == nil {
				return o, eff, apperr.New(apperr.Invalid, "instruments.err.stars")
			}
			r := *review
			r.OrderID, r.InstrumentID = o.ID, o.InstrumentID
			eff.Review = &r
		}
		return o, eff, err
	})
}

// transition applies one action to an order with its ledger effects.
func (s *Service) transition(o Order, l LedgerView, parties []Party, req ActRequest, policies []VoucherPolicy, now time.Time) (Order, []Posting, error) {
	var tr Transition
	var err error
	for _, p := range parties {
		if tr, err = Step(o.State, req.Action, p); err == nil {
			break
		}
	}
	if err != nil {
		return o, nil, err
	}
	from := o.State
	o.State = tr.To
	var posts []Posting
	year := o.CreatedAt.In(Zone).Year()
	switch tr.Action {
	case OrderCancel:
		// A late cancellation costs the share the order's terms name.
		if o.Penalty, err = o.CancelFee(from, now); err != nil {
			return o, nil, err
		}
	case OrderNoShow:
		if o.Penalty, err = o.NoShowFee(now); err != nil {
			return o, nil, err
		}
	case OrderConfirm:
		if o, err = o.ConfirmUsage(req.Usage); err != nil {
			return o, nil, err
		}
		if o.EnterpriseID != 0 {
			pol, err := VoucherPolicyOn(policies, now.In(Zone).Format(time.DateOnly))
			if err == nil {
				var covered unit.Fen
				if posts, covered, err = PlanRedeem(l, pol, o.EnterpriseID, year, o.ID, o.Amount); err != nil {
					return o, nil, err
				}
				o.VoucherAmount = covered
			}
		}
	case OrderVoid, OrderResolve:
		if o.VoucherAmount > 0 {
			pol, err := VoucherPolicyOn(policies, now.In(Zone).Format(time.DateOnly))
			if err != nil {
				return o, nil, err
			}
			if posts, err = PlanRefund(l, pol, o.EnterpriseID, year, o.ID); err != nil {
				return o, nil, err
			}
			o.VoucherAmount = 0
		}
		if tr.Action == OrderResolve {
			// The operator's resolution confirms the usage again, with
			// the corrected figures when given.
			if req.Usage != (Usage{}) {
				if o, err = o.ConfirmUsage(req.Usage); err != nil {
					return o, nil, err
				}
			}
		}
	}
	return o, posts, nil
}

// Orders lists the orders the actor may see: the operator all, a unit's
// administrator or manager their unit's, anyone else their own.
func (s *Service) Orders(ctx context.Context, a Actor) ([]Order, error) {
	f := OrderFilter{UserID: a.UserID, Limit: 200}
	if a.Operator {
		f.UserID = 0
	} else if a.UnitAdmin || a.Manager {
		m, err := s.store.SharingMember(ctx, a.UserID)
		if err != nil {
			return nil, err
		}
		f = OrderFilter{UnitID: m.UnitID, Limit: 200}
	}
	return s.store.Orders(ctx, f)
}

// RemoteOrders are the actor's own bookings of federation peers'
// instruments (none without a federation); a unit's staff and the
// operator see their own too, as the home's orders are not theirs to
// manage.
func (s *Service) RemoteOrders(ctx context.Context, a Actor) ([]RemoteOrder, error) {
	if s.remote == nil || a.UserID == 0 {
		return nil, nil
	}
	return s.remote.RemoteOrders(ctx, a.UserID)
}

// FundVouchers puts money into a year's voucher budget (the operator).
func (s *Service) FundVouchers(ctx context.Context, a Actor, year int, amt unit.Fen) error {
	if !a.Operator {
		return apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	pol, err := s.policy()
	if err != nil {
		return err
	}
	return s.store.PostVoucher(ctx, func(LedgerView) ([]Posting, error) { return PlanFund(pol, year, amt) })
}

// AllocateVoucher gives a firm part of a year's budget (the operator).
func (s *Service) AllocateVoucher(ctx context.Context, a Actor, enterpriseID int64, year int, amt unit.Fen) error {
	if !a.Operator {
		return apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	pol, err := s.policy()
	if err != nil {
		return err
	}
	return s.store.PostVoucher(ctx, func(l LedgerView) ([]Posting, error) { return PlanAllocate(l, pol, enterpriseID, year, amt) })
}

func (s *Service) policy() (VoucherPolicy, error) {
	ps, err := VoucherPolicies()
	if err != nil {
		return VoucherPolicy{}, err
	}
	return VoucherPolicyOn(ps, s.now().In(Zone).Format(time.DateOnly))
}

// Rate records the customer's one review of a paid order and moves it
// to rated.
func (s *Service) Rate(ctx context.Context, a Actor, id int64, stars int, tags []string, comment string) (Order, error) {
	if stars < 1 || stars > 5 {
		return Order{}, apperr.New(apperr.Invalid, "instruments.err.stars")
	}
	for _, t := range tags {
		ok := false
		for _, k := range ReviewTags {
			ok = ok || k == t
		}
		if !ok {
			return Order{}, apperr.New(apperr.Invalid, "instruments.err.tag", t)
		}
	}
	return s.act(ctx, a, id, ActRequest{Action: OrderRate}, &Review{UserID: a.UserID, Stars: stars, Tags: tags, Comment: strings.TrimSpace(comment), CreatedAt: s.now()})
}

// NewCalendarFeed creates a subscribable feed with an unguessable token:
// the caller's own bookings, or an instrument's when instrumentID is set
// (its managers and the operator only). It returns the token.
func (s *Service) NewCalendarFeed(ctx context.Context, a Actor, instrumentID int64) (string, error) {
	if instrumentID != 0 {
		d, err := s.store.InstrumentDetail(ctx, instrumentID)
		if err != nil {
			return "", err
		}
		ok, err := s.manages(ctx, a, d)
		if err != nil {
			return "", err
		}
		if !ok && !a.Operator {
			return "", apperr.New(apperr.Forbidden, "api.err.forbidden")
		}
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	token := hex.EncodeToString(buf)
	return token, s.store.PutCalendarFeed(ctx, token, a.UserID, instrumentID)
}

// CalendarFeed renders the feed a token names.
func (s *Service) CalendarFeed(ctx context.Context, token string) (string, error) {
	userID, instrumentID, err := s.store.CalendarFeed(ctx, token)
	if err != nil {
		return "", err
	}
	f := OrderFilter{UserID: userID, Limit: 500}
	name := s.prefix
	if instrumentID != 0 {
		f = OrderFilter{InstrumentID: instrumentID, Limit: 500}
	}
	os, err := s.store.Orders(ctx, f)
	if err != nil {
		return "", err
	}
	names := map[int64]string{}
	var evs []CalEvent
	for _, o := range os {
		if _, ok := names[o.InstrumentID]; !ok {
			d, err := s.store.InstrumentDetail(ctx, o.InstrumentID)
			if err != nil {
				return "", err
			}
			names[o.InstrumentID] = d.Name + " " + d.Model
		}
		evs = append(evs, FeedEvent(s.prefix, o, names[o.InstrumentID]))
		if instrumentID != 0 {
			name = names[o.InstrumentID]
		}
	}
	return ICalendar(name, evs), nil
}
