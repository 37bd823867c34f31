package federation

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Changed is an instrument named by the change log, with its last change.
type Changed struct {
	Seq          int64
	InstrumentID int64
}

// MirrorRow is a record to keep in the mirror with its availability.
type MirrorRow struct {
	Record Record
	Avail  *Availability
}

// PeerState is how far this instance has read a peer and how the last
// pull went.
type PeerState struct {
	Peer        string
	FeedCursor  int64
	OrderCursor int64
	LastAttempt time.Time
	LastOK      time.Time // the last complete pull; zero when none
	LastError   string
	LastCheck   time.Time
	Repairs     int64
}

// Hold is, at an instrument's home, a booking a peer placed for its user.
type Hold struct {
	ID        int64
	Origin    string
	Key       string
	OrderID   int64 // 0 while being booked
	UserID    int64 // the home's account of the remote user
	State     string
	ExpiresAt time.Time
	CreatedAt time.Time
}

// Hold states.
const (
	Held      = "held"
	Confirmed = "confirmed"
	Expired   = "expired"
)

// RemoteBooking is, at the user's instance, a booking of a peer's
// instrument as the home last reported it.
type RemoteBooking struct {
	ID             int64
	UserID         int64
	Home           string
	Key            string
	HoldID         int64
	RemoteOrder    int64
	InstrumentID   int64
	InstrumentName string
	Start, End     time.Time
	State          string // the hold's state until confirmed, then the home order's
	UnitPrice      int64
	Amount         int64
	Penalty        int64 // the home's cancellation or no-show fee
	ExpiresAt      time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// The voucher (vouchers.go): the user's firm whose voucher applies,
	// the reservation at confirmation and the settlement on the home's
	// evidence (Evidence as signed, EvidenceSig the home's signature).
	EnterpriseID    int64
	VoucherState    string
	VoucherReserved int64
	VoucherSettled  int64
	Evidence        string
	EvidenceSig     string
	SettledAt       time.Time
}

// OrderEvent is a change of a peer user's order, as the home reports it.
type OrderEvent struct {
	Seq       int64  `json:"seq"`
	HoldID    int64  `json:"hold_id"`
	OrderID   int64  `json:"order_id"`
	HoldState string `json:"hold_state"`
	State     string `json:"state"` // the order's
	AmountFen int64  `json:"amount_fen"`
	// PenaltyFen is the home's cancellation or no-show fee.
	PenaltyFen int64  `json:"penalty_fen,omitempty"`
	Key        string `json:"idem_key"`
	// Evidence of the confirmed usage, once the order has it: an
	// Evidence as JSON and the home's signature over it (vouchers.go).
	Evidence    string `json:"evidence,omitempty"`
	EvidenceSig string `json:"evidence_sig,omitempty"`
}

// ExternalService is what a home served to peers' users in a year.
type ExternalService struct {
	Origin        string
	Orders        int
	BookedMinutes int64
	ActualMinutes int64
	AmountFen     int64
}

// MirrorSum is a peer's mirrored catalogue in figures.
type MirrorSum struct {
	Home     string
	Count    int
	ValueFen int64
	Oldest   time.Time // the oldest record's update
}

// Store is what the federation needs from storage.
type Store interface {
	// ChangedSince lists the instruments changed after seq, each once at
	// its last change, in change order.
	ChangedSince(ctx context.Context, seq int64, limit int) ([]Changed, error)
	// CatalogueDetails reads instruments with their units and items, and
	// their published price facet.
	CatalogueDetails(ctx context.Context, ids []int64) (map[int64]instruments.Detail, map[int64]int64, error)
	// LiveInstrumentIDs lists the open and offline instruments' ids.
	LiveInstrumentIDs(ctx context.Context) ([]int64, error)
	// BookedCells are the booked cells of the instruments in [from, to).
	BookedCells(ctx context.Context, ids []int64, from, to time.Time) (map[int64][]int64, error)

	// ApplyMirror upserts and deletes mirror rows of home and stores the
	// feed cursor, in one transaction.
	ApplyMirror(ctx context.Context, home string, rows []MirrorRow, cursor int64, at time.Time) error
	// PruneMirror deletes home's mirror rows whose ids are not in keep.
	PruneMirror(ctx context.Context, home string, keep []int64) (int, error)
	MirrorHashes(ctx context.Context, home string) (map[int64]string, error)
	MirrorRecord(ctx context.Context, home string, id int64) (Record, *Availability, time.Time, error)
	SearchMirror(ctx context.Context, q instruments.SearchQuery) (instruments.SearchResult, error)
	MirrorSums(ctx context.Context) ([]MirrorSum, error)
	PeerState(ctx context.Context, peer string) (PeerState, error)
	SavePeerState(ctx context.Context, st PeerState) error

	// UseNonce records a peer's nonce until expires; a second use is a
	// Conflict.
	UseNonce(ctx context.Context, peer, nonce string, expires, now time.Time) error
	// ClaimHold inserts a claim for (origin, key) or returns the hold
	// that has it (claimed false).
	ClaimHold(ctx context.Context, h Hold) (Hold, bool, error)
	// RetakeHold hands a stale claim (order 0, created before staleBefore)
	// to a new attempt; false when it is not stale.
	RetakeHold(ctx context.Context, id int64, staleBefore, now time.Time) (bool, error)
	FinishHold(ctx context.Context, id, orderID, userID int64) error
	DropHold(ctx context.Context, id int64) error
	HoldByID(ctx context.Context, id int64) (Hold, error)
	// HoldByOrder finds the hold that booked a home order (NotFound when
	// the order is not a peer's).
	HoldByOrder(ctx context.Context, orderID int64) (Hold, error)
	// SetHoldState moves a hold from one state to another; false when it
	// was not in from.
	SetHoldState(ctx context.Context, id int64, from, to string) (bool, error)
	ExpiredHolds(ctx context.Context, now time.Time) ([]Hold, error)
	OrderEventsFor(ctx context.Context, origin string, since int64, limit int) ([]OrderEvent, error)
	ExternalService(ctx context.Context, from, to time.Time) ([]ExternalService, error)

	PutRemoteBooking(ctx context.Context, b RemoteBooking) (RemoteBooking, error)
	RemoteBookings(ctx context.Context, userID int64) ([]RemoteBooking, error)
	RemoteBooking(ctx context.Context, id int64) (RemoteBooking, error)
	// ApplyOrderEvents updates the bookings the events name and stores
	// the order cursor, in one transaction.
	ApplyOrderEvents(ctx context.Context, home string, evs []OrderEvent, cursor int64, at time.Time) error
	// SettleVoucher changes a booking's voucher through fn in one
	// transaction with the voucher ledger, writing fn's postings.
	SettleVoucher(ctx context.Context, id int64, fn func(b RemoteBooking, l instruments.LedgerView) (RemoteBooking, []instruments.Posting, error)) (RemoteBooking, error)
	// VoucherBookings lists bookings with a voucher, newest first: those
	// of home still reserved (home not empty), or all.
	VoucherBookings(ctx context.Context, home string) ([]RemoteBooking, error)

	// The accounts of remote users at a home (shared with single sign-on).
	IdentityUser(ctx context.Context, issuer, subject string) (auth.User, error)
	CreateLinkedUser(ctx context.Context, u auth.User, issuer, subject string) (auth.User, error)
	// UserIdentity is the provider identity linked to a local account
	// (NotFound when it has none).
	UserIdentity(ctx context.Context, userID int64) (issuer, subject string, err error)
	PutSharingMember(ctx context.Context, m instruments.Member) error
	Order(ctx context.Context, id int64) (instruments.Order, error)
}

// Transport makes an HTTP request to a peer (federationweb over
// net/http). It returns the answer's status, body and signature header;
// an error means no answer came.
type Transport interface {
	Do(ctx context.Context, method, url string, header map[string]string, body []byte) (status int, resp []byte, sig string, err error)
}

// Service is the federation's use cases, both as a home and as a peer.
type Service struct {
	cfg   Config
	key   ed25519.PrivateKey
	store Store
	inst  *instruments.Service
	tr    Transport
	now   func() time.Time
	peers PeerStore // peers added at run time; nil: the configuration's only

	mu      sync.Mutex
	observe []func(PeerStatus) // told after every pull (the web side's metrics)
}

// Observe registers fn to be told each peer's state after every pull.
func (s *Service) Observe(fn func(PeerStatus)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.observe = append(s.observe, fn)
}

// Options tune the service.
type Options struct {
	Now func() time.Time
	// Peers holds the peers added at run time (peers.go).
	Peers PeerStore
}

// NewService returns the service; cfg without an instance is a disabled
// federation (every use case answers "not configured").
func NewService(cfg Config, key ed25519.PrivateKey, st Store, inst *instruments.Service, tr Transport, opts Options) *Service {
	s := &Service{cfg: cfg, key: key, store: st, inst: inst, tr: tr, now: opts.Now, peers: opts.Peers}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Config is the configuration.
func (s *Service) Config() Config { return s.cfg }

// Enabled reports whether this instance is federated.
func (s *Service) Enabled() bool { return s != nil && s.cfg.Enabled() }

func (s *Service) enabled() error {
	if !s.Enabled() {
		return apperr.New(apperr.NotFound, "federation.err.disabled")
	}
	return nil
}

// ---- the home's side: feed, checksum, holds, order events ----

// CheckPeerRequest verifies a signed request and spends its nonce.
func (s *Service) CheckPeerRequest(ctx context.Context, method, pathQuery, peer, date, nonce, sig string, body []byte) (Peer, error) {
	if err := s.enabled(); err != nil {
		return Peer{}, err
	}
	now := s.now()
	cfg, err := s.current(ctx)
	if err != nil {
		return Peer{}, err
	}
	p, err := cfg.CheckRequest(method, pathQuery, peer, date, nonce, sig, body, now)
	if err != nil {
		return Peer{}, apperr.Wrap(err, apperr.Unauthorized, "federation.err.signature")
	}
	skew := time.Duration(s.cfg.SkewSeconds) * time.Second
	if err := s.store.UseNonce(ctx, p.ID, nonce, now.Add(2*skew), now); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return Peer{}, apperr.Wrap(ErrReplay, apperr.Unauthorized, "federation.err.replay")
		}
		return Peer{}, err
	}
	return p, nil
}

// SignResponse signs an answer to the request with nonce.
func (s *Service) SignResponse(nonce string, status int, body []byte) string {
	return Sign(s.key, ResponseSigningString(s.cfg.Instance, nonce, status, body))
}

// MaxPage is the largest feed page.
const MaxPage = 500

// Changes is a page of this instance's catalogue feed after since.
func (s *Service) Changes(ctx context.Context, since int64, limit int) (Page, error) {
	if err := s.enabled(); err != nil {
		return Page{}, err
	}
	if since < 0 {
		return Page{}, apperr.New(apperr.Invalid, "federation.err.cursor")
	}
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	ch, err := s.store.ChangedSince(ctx, since, limit+1)
	if err != nil {
		return Page{}, err
	}
	now := s.now()
	p := Page{Origin: s.cfg.Instance, Since: since, Next: since, GeneratedAt: now.Unix(), Entries: []Entry{}}
	if len(ch) > limit {
		ch, p.More = ch[:limit], true
	}
	ids := make([]int64, len(ch))
	for i, c := range ch {
		ids[i] = c.InstrumentID
	}
	recs, avail, err := s.records(ctx, ids, now)
	if err != nil {
		return Page{}, err
	}
	for _, c := range ch {
		p.Next = c.Seq // past a change whose row is gone, too: the feed must move on
		if r, ok := recs[c.InstrumentID]; ok {
			p.Entries = append(p.Entries, Entry{Seq: c.Seq, Record: r, Avail: avail[c.InstrumentID]})
		}
	}
	return p, nil
}

// records builds the published records and availability of instruments.
func (s *Service) records(ctx context.Context, ids []int64, now time.Time) (map[int64]Record, map[int64]*Availability, error) {
	ds, prices, err := s.store.CatalogueDetails(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	day, _ := instruments.LocalDay(now)
	cells, err := s.store.BookedCells(ctx, ids, day, day.AddDate(0, 0, AvailabilityDays))
	if err != nil {
		return nil, nil, err
	}
	recs, avail := map[int64]Record{}, map[int64]*Availability{}
	for id, d := range ds {
		r := RecordOf(s.cfg.Instance, d, prices[id])
		recs[id] = r
		if !r.Deleted {
			a := AvailabilityOf(d.Rules, cells[id], now)
			avail[id] = &a
		}
	}
	return recs, avail, nil
}

// Checksum is this instance's live catalogue's count and checksum.
func (s *Service) Checksum(ctx context.Context) (CatalogueSum, error) {
	if err := s.enabled(); err != nil {
		return CatalogueSum{}, err
	}
	ids, err := s.store.LiveInstrumentIDs(ctx)
	if err != nil {
		return CatalogueSum{}, err
	}
	hashes := map[int64]string{}
	for i := 0; i < len(ids); i += MaxPage {
		ds, prices, err := s.store.CatalogueDetails(ctx, ids[i:min(i+MaxPage, len(ids))])
		if err != nil {
			return CatalogueSum{}, err
		}
		for id, d := range ds {
			if r := RecordOf(s.cfg.Instance, d, prices[id]); !r.Deleted {
				hashes[id] = r.Hash()
			}
		}
	}
	return CatalogueSum{Origin: s.cfg.Instance, Count: len(hashes), Checksum: Checksum(hashes)}, nil
}

// HoldRequest is a peer's request to book for its user.
type HoldRequest struct {
	Key          string    `json:"idem_key"`
	Issuer       string    `json:"issuer"`
	Subject      string    `json:"subject"`
	Name         string    `json:"name"`
	InstrumentID int64     `json:"instrument_id"`
	ItemID       int64     `json:"item_id"`
	Start        time.Time `json:"start,omitzero"`
	End          time.Time `json:"end,omitzero"`
	Samples      int       `json:"samples,omitempty"`
	Note         string    `json:"note,omitempty"`
}

// HoldAnswer is the home's answer to a hold or its confirmation.
type HoldAnswer struct {
	HoldID     int64  `json:"hold_id"`
	OrderID    int64  `json:"order_id"`
	HoldState  string `json:"hold_state"`
	OrderState string `json:"order_state"`
	ExpiresAt  int64  `json:"expires_at"`
	UnitPrice  int64  `json:"unit_price_fen"`
	Category   string `json:"category"`
	Name       string `json:"instrument_name"`
	Start      int64  `json:"start,omitempty"`
	End        int64  `json:"end,omitempty"`
	Created    bool   `json:"created"`
	AmountFen  int64  `json:"amount_fen,omitempty"`
	PenaltyFen int64  `json:"penalty_fen,omitempty"` // the home's cancellation fee
}

var keyPattern = regexp.MustCompile(`^[A-Za-z0-9:_.-]{8,100}$`)

// staleClaim is how long a claim without an order may stand before a
// retry takes it over (the booking itself takes milliseconds).
const staleClaim = time.Minute

// PlaceHold books at this instance, the instrument's home, for a peer's
// user: the home's rules and its rate card for partner-region users
// apply, and the order waits for its confirmation until the hold
// expires. The (origin, key) claim makes a retry return the same hold.
func (s *Service) PlaceHold(ctx context.Context, origin Peer, req HoldRequest) (HoldAnswer, error) {
	if err := s.enabled(); err != nil {
		return HoldAnswer{}, err
	}
	if !keyPattern.MatchString(req.Key) {
		return HoldAnswer{}, apperr.New(apperr.Invalid, "federation.err.key")
	}
	if !slices.Contains(s.cfg.TrustedIssuers, req.Issuer) || req.Subject == "" {
		return HoldAnswer{}, apperr.New(apperr.Forbidden, "federation.err.issuer")
	}
	if err := s.ExpireHolds(ctx); err != nil {
		return HoldAnswer{}, err
	}
	now := s.now()
	h, claimed, err := s.store.ClaimHold(ctx, Hold{Origin: origin.ID, Key: req.Key, State: Held,
		ExpiresAt: now.Add(time.Duration(s.cfg.HoldMinutes) * time.Minute), CreatedAt: now})
	if err != nil {
		return HoldAnswer{}, err
	}
	if !claimed {
		if h.OrderID != 0 {
			return s.answer(ctx, h, false)
		}
		ok, err := s.store.RetakeHold(ctx, h.ID, now.Add(-staleClaim), now)
		if err != nil {
			return HoldAnswer{}, err
		}
		if !ok {
			return HoldAnswer{}, apperr.New(apperr.Conflict, "federation.err.in_progress")
		}
	}
	o, userID, err := s.bookForGuest(ctx, origin, req)
	if err != nil {
		if derr := s.store.DropHold(ctx, h.ID); derr != nil {
			return HoldAnswer{}, errors.Join(err, derr)
		}
		return HoldAnswer{}, err
	}
	if err := s.store.FinishHold(ctx, h.ID, o.ID, userID); err != nil {
		return HoldAnswer{}, err
	}
	h.OrderID, h.UserID = o.ID, userID
	return s.answer(ctx, h, true)
}

// bookForGuest books as the home's account of the remote user, created
// at its first booking with the partner-region price category.
func (s *Service) bookForGuest(ctx context.Context, origin Peer, req HoldRequest) (instruments.Order, int64, error) {
	u, err := s.store.IdentityUser(ctx, req.Issuer, req.Subject)
	if apperr.Is(err, apperr.NotFound) {
		sum := sha256.Sum256([]byte(req.Issuer + "\x00" + req.Subject))
		name := strings.TrimSpace(req.Name)
		if name == "" || len([]rune(name)) > 60 {
			name = origin.ID + "-" + hex.EncodeToString(sum[:])[:8]
		}
		nu := auth.User{Username: "fed-" + origin.ID + "-" + hex.EncodeToString(sum[:])[:12], DisplayName: name,
			Role: auth.RoleAcademic, PasswordHash: "!sso"}
		u, err = s.store.CreateLinkedUser(ctx, nu, req.Issuer, req.Subject)
		if apperr.Is(err, apperr.Conflict) {
			u, err = s.store.IdentityUser(ctx, req.Issuer, req.Subject)
		} else if err == nil {
			err = s.store.PutSharingMember(ctx, instruments.Member{UserID: u.ID, Category: instruments.PartnerRegion})
		}
	}
	if err != nil {
		return instruments.Order{}, 0, err
	}
	o, err := s.inst.Book(ctx, instruments.Actor{UserID: u.ID, Booker: true}, instruments.BookRequest{
		InstrumentID: req.InstrumentID, ItemID: req.ItemID, Start: req.Start, End: req.End, Samples: req.Samples,
		Note: strings.TrimSpace(origin.ID + " " + req.Note)})
	return o, u.ID, err
}

func (s *Service) answer(ctx context.Context, h Hold, created bool) (HoldAnswer, error) {
	o, err := s.store.Order(ctx, h.OrderID)
	if err != nil {
		return HoldAnswer{}, err
	}
	d, err := s.inst.Detail(ctx, o.InstrumentID)
	if err != nil {
		return HoldAnswer{}, err
	}
	a := HoldAnswer{HoldID: h.ID, OrderID: o.ID, HoldState: h.State, OrderState: string(o.State), ExpiresAt: h.ExpiresAt.Unix(),
		UnitPrice: int64(o.UnitPrice), Category: string(o.Category), Name: d.Name + " " + d.Model, Created: created,
		AmountFen: int64(o.Amount), PenaltyFen: int64(o.Penalty)}
	if !o.Start.IsZero() {
		a.Start, a.End = o.Start.Unix(), o.End.Unix()
	}
	return a, nil
}

// ConfirmHold confirms a peer's hold before it expires; confirming again
// answers the same.
func (s *Service) ConfirmHold(ctx context.Context, origin Peer, id int64) (HoldAnswer, error) {
	if err := s.enabled(); err != nil {
		return HoldAnswer{}, err
	}
	h, err := s.store.HoldByID(ctx, id)
	if err != nil || h.Origin != origin.ID || h.OrderID == 0 {
		return HoldAnswer{}, apperr.New(apperr.NotFound, "federation.err.no_hold")
	}
	if h.State == Held && !s.now().Before(h.ExpiresAt) {
		if err := s.expire(ctx, h); err != nil {
			return HoldAnswer{}, err
		}
		h.State = Expired
	}
	switch h.State {
	case Expired:
		return HoldAnswer{}, apperr.New(apperr.Conflict, "federation.err.hold_expired")
	case Held:
		ok, err := s.store.SetHoldState(ctx, h.ID, Held, Confirmed)
		if err != nil {
			return HoldAnswer{}, err
		}
		if !ok { // raced with the sweeper or another confirmation
			return s.ConfirmHold(ctx, origin, id)
		}
		h.State = Confirmed
	}
	return s.answer(ctx, h, false)
}

// ExpireHolds cancels the orders of holds whose time ran out unconfirmed,
// freeing their slots.
func (s *Service) ExpireHolds(ctx context.Context) error {
	hs, err := s.store.ExpiredHolds(ctx, s.now())
	if err != nil {
		return err
	}
	for _, h := range hs {
		if err := s.expire(ctx, h); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) expire(ctx context.Context, h Hold) error {
	ok, err := s.store.SetHoldState(ctx, h.ID, Held, Expired)
	if err != nil || !ok {
		return err
	}
	_, err = s.inst.Act(ctx, instruments.Actor{UserID: h.UserID, Booker: true}, h.OrderID, instruments.ActRequest{Action: instruments.OrderCancel})
	if apperr.Is(err, apperr.Conflict) {
		return nil // already rejected or otherwise closed by the home
	}
	return err
}

// Unconfirmed reports whether a home order is a peer's hold its remote
// user has not confirmed (instruments.Options.Holds): expired or not,
// such an order is the sweeper's to cancel, not the staff's to advance.
func (s *Service) Unconfirmed(ctx context.Context, orderID int64) (bool, error) {
	if !s.Enabled() {
		return false, nil
	}
	h, err := s.store.HoldByOrder(ctx, orderID)
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	return err == nil && h.State == Held, err
}

// OrderEvents are the changes of a peer's users' orders after since.
func (s *Service) OrderEvents(ctx context.Context, origin Peer, since int64, limit int) ([]OrderEvent, error) {
	if err := s.enabled(); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	evs, err := s.store.OrderEventsFor(ctx, origin.ID, since, limit)
	if err != nil {
		return nil, err
	}
	return evs, s.attachEvidence(ctx, origin, evs)
}

// ---- the peer's side: calls, pulls, remote bookings ----

// call makes a signed request and verifies the signed answer. err is
// Unavailable when no answer came (or a 5xx one); status and body are
// the verified answer otherwise.
func (s *Service) call(ctx context.Context, p Peer, method, pathQuery string, body []byte) (int, []byte, error) {
	nonce := newNonce()
	date := s.now().Unix()
	hdr := map[string]string{
		HeaderPeer: s.cfg.Instance, HeaderDate: fmt.Sprint(date), HeaderNonce: nonce,
		HeaderSignature: Sign(s.key, RequestSigningString(method, pathQuery, s.cfg.Instance, date, nonce, body)),
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	status, resp, sig, err := s.tr.Do(ctx, method, p.URL+pathQuery, hdr, body)
	if err != nil {
		return 0, nil, apperr.Wrap(err, apperr.Unavailable, "federation.err.unreachable", p.ID)
	}
	if status >= 500 {
		return 0, nil, apperr.Wrap(fmt.Errorf("federation: %s answered %d", p.ID, status), apperr.Unavailable, "federation.err.unreachable", p.ID)
	}
	if !Verify(p.key, ResponseSigningString(p.ID, nonce, status, resp), sig) {
		return 0, nil, apperr.Wrap(ErrTampered, apperr.Unavailable, "federation.err.tampered", p.ID)
	}
	return status, resp, nil
}

func newNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// remoteError turns a verified non-2xx answer into the home's error.
func remoteError(status int, body []byte) error {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	code := apperr.Invalid
	switch status {
	case 404:
		code = apperr.NotFound
	case 409:
		code = apperr.Conflict
	case 401, 403:
		code = apperr.Forbidden
	}
	return apperr.New(code, "federation.err.remote", e.Error.Message)
}

// PullResult is what one pull of a peer did.
type PullResult struct {
	Peer     string `json:"peer"`
	Applied  int    `json:"applied"`
	Events   int    `json:"events"`
	Checked  bool   `json:"checked"`
	Repaired int    `json:"repaired"`
	Error    string `json:"error,omitempty"`
}

// PullOptions tune a pull.
type PullOptions struct {
	Check bool // compare checksums and repair drift
}

// Pull reads a peer's feed from its cursor and its users' order events,
// and with opts.Check compares the catalogue checksums and repairs a
// difference by reading the whole feed again. A failure leaves the
// mirror as it was and is recorded on the peer's state.
func (s *Service) Pull(ctx context.Context, peerID string, opts PullOptions) (PullResult, error) {
	if err := s.enabled(); err != nil {
		return PullResult{}, err
	}
	cfg, err := s.current(ctx)
	if err != nil {
		return PullResult{}, err
	}
	p, ok := cfg.Peer(peerID)
	if !ok {
		return PullResult{}, apperr.New(apperr.NotFound, "federation.err.no_peer", peerID)
	}
	st, err := s.store.PeerState(ctx, p.ID)
	if err != nil {
		return PullResult{}, err
	}
	res := PullResult{Peer: p.ID}
	st.LastAttempt = s.now()
	perr := s.pull(ctx, p, &st, &res, opts)
	if perr != nil {
		st.LastError, res.Error = perr.Error(), perr.Error()
	} else {
		st.LastError, st.LastOK = "", s.now()
	}
	if err := s.store.SavePeerState(ctx, st); err != nil {
		return res, err
	}
	s.mu.Lock()
	obs := s.observe
	s.mu.Unlock()
	for _, fn := range obs {
		ps := PeerStatus{Peer: p, State: st, Age: -1}
		if !st.LastOK.IsZero() {
			ps.Age = s.now().Sub(st.LastOK)
		}
		fn(ps)
	}
	return res, perr
}

func (s *Service) pull(ctx context.Context, p Peer, st *PeerState, res *PullResult, opts PullOptions) error {
	n, err := s.readFeed(ctx, p, st.FeedCursor, func(next int64) { st.FeedCursor = next }, nil)
	res.Applied += n
	if err != nil {
		return err
	}
	if err := s.readOrders(ctx, p, st, res); err != nil {
		return err
	}
	if !opts.Check {
		return nil
	}
	res.Checked = true
	st.LastCheck = s.now()
	status, body, err := s.call(ctx, p, "GET", "/api/v1/fed/checksum", nil)
	if err != nil {
		return err
	}
	if status != 200 {
		return remoteError(status, body)
	}
	var remote CatalogueSum
	if err := json.Unmarshal(body, &remote); err != nil || remote.Origin != p.ID {
		return fmt.Errorf("federation: %s: bad checksum answer", p.ID)
	}
	mine, err := s.store.MirrorHashes(ctx, p.ID)
	if err != nil {
		return err
	}
	if Checksum(mine) == remote.Checksum {
		return nil
	}
	// Drift: read the whole feed again and drop what it no longer has.
	keep := map[int64]bool{}
	n, err = s.readFeed(ctx, p, 0, func(next int64) { st.FeedCursor = next }, keep)
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(keep))
	for id := range keep {
		ids = append(ids, id)
	}
	pruned, err := s.store.PruneMirror(ctx, p.ID, ids)
	if err != nil {
		return err
	}
	res.Repaired = n + pruned
	st.Repairs++
	return nil
}

// readFeed applies a peer's feed pages from since on; keep, when not
// nil, collects the live ids seen.
func (s *Service) readFeed(ctx context.Context, p Peer, since int64, advance func(int64), keep map[int64]bool) (int, error) {
	applied := 0
	for range 100_000 {
		status, body, err := s.call(ctx, p, "GET", fmt.Sprintf("/api/v1/fed/changes?since=%d&limit=%d", since, MaxPage), nil)
		if err != nil {
			return applied, err
		}
		if status != 200 {
			return applied, remoteError(status, body)
		}
		var page Page
		if err := json.Unmarshal(body, &page); err != nil {
			return applied, fmt.Errorf("federation: %s: feed page: %w", p.ID, err)
		}
		if page.Origin != p.ID || page.Since != since || page.Next < since {
			return applied, fmt.Errorf("federation: %s: the feed page is not the one asked for", p.ID)
		}
		rows := make([]MirrorRow, 0, len(page.Entries))
		for _, e := range page.Entries {
			if e.Record.Home != p.ID || e.Seq <= since || e.Seq > page.Next {
				return applied, fmt.Errorf("federation: %s: a feed entry is not the peer's own or out of order", p.ID)
			}
			rows = append(rows, MirrorRow{Record: e.Record, Avail: e.Avail})
			if keep != nil && !e.Record.Deleted {
				keep[e.Record.ID] = true
			}
		}
		if err := s.store.ApplyMirror(ctx, p.ID, rows, page.Next, s.now()); err != nil {
			return applied, err
		}
		applied += len(rows)
		advance(page.Next)
		since = page.Next
		if !page.More {
			return applied, nil
		}
	}
	return applied, errors.New("federation: the feed does not end")
}

func (s *Service) readOrders(ctx context.Context, p Peer, st *PeerState, res *PullResult) error {
	for range 10_000 {
		status, body, err := s.call(ctx, p, "GET", fmt.Sprintf("/api/v1/fed/orders?since=%d", st.OrderCursor), nil)
		if err != nil {
			return err
		}
		if status != 200 {
			return remoteError(status, body)
		}
		var evs struct {
			Events []OrderEvent `json:"events"`
		}
		if err := json.Unmarshal(body, &evs); err != nil {
			return fmt.Errorf("federation: %s: order events: %w", p.ID, err)
		}
		if len(evs.Events) == 0 {
			return nil
		}
		next, err := s.receiveEvents(ctx, p, st.OrderCursor, evs.Events)
		if err != nil {
			return err
		}
		res.Events += len(evs.Events)
		st.OrderCursor = next
	}
	return nil
}

// PullAll pulls every peer; every CheckEvery-th round also checks.
func (s *Service) PullAll(ctx context.Context, opts PullOptions) []PullResult {
	var out []PullResult
	cfg, err := s.current(ctx)
	if err != nil {
		return []PullResult{{Error: err.Error()}}
	}
	for _, p := range cfg.Peers {
		r, _ := s.Pull(ctx, p.ID, opts)
		out = append(out, r)
	}
	return out
}

// Run pulls the peers and expires holds on the configured schedule until
// ctx ends.
func (s *Service) Run(ctx context.Context, onError func(error)) {
	if !s.Enabled() {
		return
	}
	t := time.NewTicker(time.Duration(s.cfg.PullSeconds) * time.Second)
	defer t.Stop()
	for round := 0; ; round++ {
		for _, r := range s.PullAll(ctx, PullOptions{Check: round%s.cfg.CheckEvery == 0}) {
			if r.Error != "" && onError != nil {
				onError(fmt.Errorf("federation: pull %s: %s", r.Peer, r.Error))
			}
		}
		if err := s.ExpireHolds(ctx); err != nil && onError != nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// BookRequest is a signed-in user's booking of a peer's instrument.
type BookRequest struct {
	Home         string
	InstrumentID int64
	ItemID       int64
	Start, End   time.Time
	Samples      int
	Note         string
	Key          string // the client's idempotency key
	// Voucher applies the user's firm's innovation voucher, issued at
	// this instance: reserved here at the confirmation, settled here on
	// the home's evidence.
	Voucher bool
}

// Book books a peer's instrument at its home for the user: synchronously,
// so an unreachable home is an Unavailable error and nothing is created;
// the client's key makes a retry return the same booking. The booking is
// a hold until Confirm.
func (s *Service) Book(ctx context.Context, u auth.User, req BookRequest) (RemoteBooking, error) {
	if err := s.enabled(); err != nil {
		return RemoteBooking{}, err
	}
	cfg, err := s.current(ctx)
	if err != nil {
		return RemoteBooking{}, err
	}
	p, ok := cfg.Peer(req.Home)
	if !ok {
		return RemoteBooking{}, apperr.New(apperr.NotFound, "federation.err.no_peer", req.Home)
	}
	if !keyPattern.MatchString(req.Key) || strings.Contains(req.Key, ":") {
		return RemoteBooking{}, apperr.New(apperr.Invalid, "federation.err.key")
	}
	iss, sub, err := s.store.UserIdentity(ctx, u.ID)
	if apperr.Is(err, apperr.NotFound) || err == nil && !slices.Contains(s.cfg.TrustedIssuers, iss) {
		return RemoteBooking{}, apperr.New(apperr.Forbidden, "federation.err.no_identity")
	}
	if err != nil {
		return RemoteBooking{}, err
	}
	if req.Voucher && u.EnterpriseID == 0 {
		return RemoteBooking{}, apperr.New(apperr.Invalid, "federation.err.voucher_firm")
	}
	key := fmt.Sprintf("u%d:%s", u.ID, req.Key)
	body, _ := json.Marshal(HoldRequest{Key: key, Issuer: iss, Subject: sub, Name: u.DisplayName, InstrumentID: req.InstrumentID,
		ItemID: req.ItemID, Start: req.Start.UTC(), End: req.End.UTC(), Samples: req.Samples, Note: req.Note})
	status, resp, err := s.call(ctx, p, "POST", "/api/v1/fed/holds", body)
	if err != nil {
		return RemoteBooking{}, err
	}
	if status != 200 && status != 201 {
		return RemoteBooking{}, remoteError(status, resp)
	}
	var a HoldAnswer
	if err := json.Unmarshal(resp, &a); err != nil {
		return RemoteBooking{}, fmt.Errorf("federation: %s: hold answer: %w", p.ID, err)
	}
	now := s.now()
	b := RemoteBooking{UserID: u.ID, Home: p.ID, Key: key, HoldID: a.HoldID, RemoteOrder: a.OrderID, InstrumentID: req.InstrumentID,
		InstrumentName: a.Name, State: a.HoldState, UnitPrice: a.UnitPrice, ExpiresAt: time.Unix(a.ExpiresAt, 0), CreatedAt: now, UpdatedAt: now}
	if a.HoldState == Confirmed && a.OrderState != "" {
		// A retry after the confirmation: keep the order's state, as
		// Confirm stored it, rather than step back to "confirmed".
		b.State = a.OrderState
	}
	if a.Start != 0 {
		b.Start, b.End = time.Unix(a.Start, 0).UTC(), time.Unix(a.End, 0).UTC()
	}
	if req.Voucher {
		b.EnterpriseID, b.VoucherState = u.EnterpriseID, VoucherRequested
	}
	if b, err = s.store.PutRemoteBooking(ctx, b); err != nil {
		return b, err
	}
	return s.reserve(ctx, b) // a retry after a confirmation whose reservation was not written
}

// userBooking reads the user's booking and its home (NotFound for
// another user's).
func (s *Service) userBooking(ctx context.Context, u auth.User, id int64) (RemoteBooking, Peer, error) {
	b, err := s.store.RemoteBooking(ctx, id)
	if err != nil || b.UserID != u.ID {
		return RemoteBooking{}, Peer{}, apperr.New(apperr.NotFound, "federation.err.no_booking")
	}
	p, err := s.peer(ctx, b.Home)
	if err != nil {
		return RemoteBooking{}, Peer{}, err
	}
	return b, p, nil
}

// Confirm confirms the user's hold at the home.
func (s *Service) Confirm(ctx context.Context, u auth.User, id int64) (RemoteBooking, error) {
	if err := s.enabled(); err != nil {
		return RemoteBooking{}, err
	}
	b, p, err := s.userBooking(ctx, u, id)
	if err != nil {
		return RemoteBooking{}, err
	}
	status, resp, err := s.call(ctx, p, "POST", fmt.Sprintf("/api/v1/fed/holds/%d/confirm", b.HoldID), []byte("{}"))
	if err != nil {
		return RemoteBooking{}, err
	}
	if status == 409 {
		b.State, b.UpdatedAt = Expired, s.now()
		if _, err := s.store.PutRemoteBooking(ctx, b); err != nil {
			return RemoteBooking{}, err
		}
	}
	if status != 200 {
		return RemoteBooking{}, remoteError(status, resp)
	}
	var a HoldAnswer
	if err := json.Unmarshal(resp, &a); err != nil {
		return RemoteBooking{}, err
	}
	b.State, b.UpdatedAt = a.OrderState, s.now()
	if b, err = s.store.PutRemoteBooking(ctx, b); err != nil {
		return b, err
	}
	return s.reserve(ctx, b)
}

// MyBookings are the user's bookings of peers' instruments.
func (s *Service) MyBookings(ctx context.Context, u auth.User) ([]RemoteBooking, error) {
	if err := s.enabled(); err != nil {
		return nil, err
	}
	return s.store.RemoteBookings(ctx, u.ID)
}

// RemoteOrders are the user's bookings of peers' instruments for the
// marketplace's "my orders" (instruments.Options.Remote); none while the
// federation is off.
func (s *Service) RemoteOrders(ctx context.Context, userID int64) ([]instruments.RemoteOrder, error) {
	if !s.Enabled() {
		return nil, nil
	}
	bs, err := s.store.RemoteBookings(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]instruments.RemoteOrder, 0, len(bs))
	for _, b := range bs {
		out = append(out, instruments.RemoteOrder{ID: b.ID, Home: b.Home, InstrumentID: b.InstrumentID, InstrumentName: b.InstrumentName,
			Start: b.Start, End: b.End, State: b.State, UnitPrice: unit.Fen(b.UnitPrice), Amount: unit.Fen(b.Amount), UpdatedAt: b.UpdatedAt,
			Voucher: unit.Fen(b.VoucherShare()), VoucherState: b.VoucherState})
	}
	return out, nil
}

// MirrorInstrument is a peer's instrument as the mirror holds it.
func (s *Service) MirrorInstrument(ctx context.Context, home string, id int64) (Record, *Availability, time.Time, error) {
	if err := s.enabled(); err != nil {
		return Record{}, nil, time.Time{}, err
	}
	return s.store.MirrorRecord(ctx, home, id)
}

// SearchMirror searches the mirror (instruments.Options.Mirror).
func (s *Service) SearchMirror(ctx context.Context, q instruments.SearchQuery) (instruments.SearchResult, error) {
	if !s.Enabled() {
		return instruments.SearchResult{}, nil
	}
	return s.store.SearchMirror(ctx, q)
}

// PeerStatus is a peer with its pull state.
type PeerStatus struct {
	Peer  Peer
	State PeerState
	// Age is how old the mirror is: since the last complete pull.
	Age time.Duration
}

// Status lists the peers with their states.
func (s *Service) Status(ctx context.Context) ([]PeerStatus, error) {
	if err := s.enabled(); err != nil {
		return nil, err
	}
	var out []PeerStatus
	cfg, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range cfg.Peers {
		st, err := s.store.PeerState(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		ps := PeerStatus{Peer: p, State: st, Age: -1}
		if !st.LastOK.IsZero() {
			ps.Age = s.now().Sub(st.LastOK)
		}
		out = append(out, ps)
	}
	return out, nil
}

// InstanceFigures are one instance's figures in the joint view.
type InstanceFigures struct {
	Instance    string
	Own         bool
	Instruments int
	ValueFen    int64
	// External service: what this instance's instruments served to
	// peers' users this year (own instance only).
	External []ExternalService
	// AsOf is when the figures were read (the mirror's oldest record for
	// a peer).
	AsOf time.Time
}

// JointStats are the joint platform's figures: each instance's live
// catalogue (a peer's as mirrored) and their sum; each instance's own
// statistics stay its own (instruments.Stats).
type JointStats struct {
	Instances   []InstanceFigures
	Instruments int
	ValueFen    int64
}

// Joint computes the joint figures for the year of now.
func (s *Service) Joint(ctx context.Context) (JointStats, error) {
	if err := s.enabled(); err != nil {
		return JointStats{}, err
	}
	now := s.now()
	ids, err := s.store.LiveInstrumentIDs(ctx)
	if err != nil {
		return JointStats{}, err
	}
	own := InstanceFigures{Instance: s.cfg.Instance, Own: true, Instruments: len(ids), AsOf: now}
	for i := 0; i < len(ids); i += MaxPage {
		ds, _, err := s.store.CatalogueDetails(ctx, ids[i:min(i+MaxPage, len(ids))])
		if err != nil {
			return JointStats{}, err
		}
		for _, d := range ds {
			own.ValueFen += int64(d.OriginalValue)
		}
	}
	y := now.In(instruments.Zone).Year()
	from := time.Date(y, 1, 1, 0, 0, 0, 0, instruments.Zone)
	if own.External, err = s.store.ExternalService(ctx, from, from.AddDate(1, 0, 0)); err != nil {
		return JointStats{}, err
	}
	js := JointStats{Instances: []InstanceFigures{own}, Instruments: own.Instruments, ValueFen: own.ValueFen}
	sums, err := s.store.MirrorSums(ctx)
	if err != nil {
		return JointStats{}, err
	}
	for _, m := range sums {
		js.Instances = append(js.Instances, InstanceFigures{Instance: m.Home, Instruments: m.Count, ValueFen: m.ValueFen, AsOf: m.Oldest})
		js.Instruments += m.Count
		js.ValueFen += m.ValueFen
	}
	return js, nil
}
