package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
)

// Store is what notifications need from storage. The writes of feature
// events (order moves, reporting reminders) are not here: the store makes
// them inside the features' own transactions.
type Store interface {
	// Notifications lists a user's notifications, newest first.
	Notifications(ctx context.Context, userID int64, f ListFilter) ([]Notification, error)
	UnreadNotifications(ctx context.Context, userID int64) (int, error)
	// MarkNotificationsRead marks the user's given notifications read
	// (every unread one when ids is empty) and returns how many changed;
	// another user's ids change nothing.
	MarkNotificationsRead(ctx context.Context, userID int64, ids []int64, at time.Time) (int, error)
	NotifyPrefs(ctx context.Context, userID int64) (Prefs, error)
	PutNotifyPrefs(ctx context.Context, p Prefs) error
	// AddNotes writes notifications and the outbox rows of recipients
	// who want mail in one transaction; a note whose Dedup key is
	// already stored is skipped. It returns how many were written.
	AddNotes(ctx context.Context, notes []Note, at time.Time) (int, error)
	// BookingsStarting lists the live booked slots starting in (from, to].
	BookingsStarting(ctx context.Context, from, to time.Time) ([]Booking, error)
	// ClaimOutbox claims up to limit due pending rows for one attempt:
	// their next attempt moves to now+lease and their attempt count up,
	// so no other worker takes them meanwhile.
	ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Delivery, error)
	// FinishOutbox records an attempt's outcome on a pending row.
	FinishOutbox(ctx context.Context, id int64, o Outcome) error
}

// ListFilter narrows an inbox listing.
type ListFilter struct {
	UnreadOnly bool
	Limit      int
}

// Delivery is a claimed outbox row with what its mail needs.
type Delivery struct {
	OutboxID     int64
	Attempts     int // including this one
	Notification Notification
	To           string
	Lang         string
	CreatedAt    time.Time
}

// Outcome is what happened to one attempt.
type Outcome struct {
	State  string    // OutboxSent, OutboxPending (retry at Next), OutboxFailed or OutboxExpired
	At     time.Time // the attempt
	Next   time.Time // the retry, when pending
	Error  string
	SentAt time.Time
}

// Outbox row states.
const (
	OutboxPending = "pending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"  // gave up after MaxAttempts
	OutboxExpired = "expired" // older than MaxAge when its turn came (mail was off for a long time)
)

// Service is the inbox's use cases.
type Service struct {
	store Store
	now   func() time.Time
	langs []string
}

// Options tune the service.
type Options struct {
	Now   func() time.Time // the clock; time.Now when nil
	Langs []string         // the catalogue's languages (preferences choose one)
}

// NewService returns the service over st.
func NewService(st Store, opts Options) *Service {
	s := &Service{store: st, now: opts.Now, langs: opts.Langs}
	if s.now == nil {
		s.now = time.Now
	}
	if len(s.langs) == 0 {
		s.langs = []string{"zh-CN", "en"}
	}
	return s
}

// Inbox lists the user's notifications, newest first (at most 200).
func (s *Service) Inbox(ctx context.Context, userID int64, f ListFilter) ([]Notification, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	return s.store.Notifications(ctx, userID, f)
}

// Unread counts the user's unread notifications.
func (s *Service) Unread(ctx context.Context, userID int64) (int, error) {
	return s.store.UnreadNotifications(ctx, userID)
}

// MarkRead marks the user's notifications read: the given ones, or all
// when all is set. Naming none without all is refused.
func (s *Service) MarkRead(ctx context.Context, userID int64, ids []int64, all bool) (int, error) {
	if all {
		ids = nil
	} else if len(ids) == 0 || len(ids) > 500 {
		return 0, apperr.New(apperr.Invalid, "notify.err.ids")
	}
	for _, id := range ids {
		if id <= 0 {
			return 0, apperr.New(apperr.Invalid, "notify.err.ids")
		}
	}
	return s.store.MarkNotificationsRead(ctx, userID, ids, s.now())
}

// Prefs reads the user's settings (mail off in the first language when
// none are stored).
func (s *Service) Prefs(ctx context.Context, userID int64) (Prefs, error) {
	p, err := s.store.NotifyPrefs(ctx, userID)
	if apperr.Is(err, apperr.NotFound) {
		return Prefs{UserID: userID, Lang: s.langs[0]}, nil
	}
	return p, err
}

// SetPrefs stores the user's settings after checking them.
func (s *Service) SetPrefs(ctx context.Context, userID int64, p Prefs) (Prefs, error) {
	p.UserID = userID
	p, err := p.Validate(s.langs)
	if err != nil {
		return p, err
	}
	return p, s.store.PutNotifyPrefs(ctx, p)
}

// Mail is one message to send.
type Mail struct {
	To        string
	Subject   string
	Body      string // plain text, UTF-8
	MessageID string // stable per outbox row, so a receiver can drop a repeat
	Date      time.Time
}

// Sender sends mail (SMTP in production, see package mailer).
type Sender interface {
	Send(ctx context.Context, m Mail) error
}

// PermanentError marks a send error that retrying cannot fix (the server
// refused the recipient for good, a 5xx reply): the row fails at once.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// WorkerOptions tune the worker.
type WorkerOptions struct {
	Now      func() time.Time // the clock; time.Now when nil
	Sender   Sender           // nil: no mail is sent (the outbox waits)
	Render   Renderer         // the catalogue
	BaseURL  string           // the platform's address, for links in mail
	Log      *slog.Logger
	Interval time.Duration // between passes of Run; 30 s when 0
	Batch    int           // rows per pass; 50 when 0
	Lease    time.Duration // how long a claimed row is held; 2 min when 0
	// Retries back off from RetryBase doubling up to RetryMax; after
	// MaxAttempts the row fails. Rows older than MaxAge expire unsent.
	RetryBase   time.Duration // 30 s when 0
	RetryMax    time.Duration // 1 h when 0
	MaxAttempts int           // 8 when 0
	MaxAge      time.Duration // 72 h when 0
}

// Worker delivers the outbox and schedules booking reminders.
type Worker struct {
	store    Store
	opts     WorkerOptions
	routings []Routing
}

// NewWorker returns a worker over st.
func NewWorker(st Store, opts WorkerOptions) (*Worker, error) {
	rs, err := Routings()
	if err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Sender != nil && opts.Render == nil {
		return nil, errors.New("notify: a worker that sends mail needs the catalogue")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opts.Interval, 30*time.Second)
	def(&opts.Lease, 2*time.Minute)
	def(&opts.RetryBase, 30*time.Second)
	def(&opts.RetryMax, time.Hour)
	def(&opts.MaxAge, 72*time.Hour)
	if opts.Batch <= 0 {
		opts.Batch = 50
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 8
	}
	return &Worker{store: st, opts: opts, routings: rs}, nil
}

// Backoff is the wait before the retry that follows attempt n (1-based):
// base, 2·base, 4·base … capped at max.
func Backoff(n int, base, max time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}

// Remind writes the reminders of the bookings that start within the
// routing's lead time from now; a booking already reminded is skipped.
func (w *Worker) Remind(ctx context.Context) (int, error) {
	now := w.opts.Now()
	r, err := RoutingOn(w.routings, now)
	if err != nil {
		return 0, err
	}
	bs, err := w.store.BookingsStarting(ctx, now, now.Add(time.Duration(r.BookingReminderHours)*time.Hour))
	if err != nil {
		return 0, err
	}
	notes := make([]Note, 0, len(bs))
	for _, b := range bs {
		notes = append(notes, PlanBookingReminder(b))
	}
	if len(notes) == 0 {
		return 0, nil
	}
	return w.store.AddNotes(ctx, notes, now)
}

// PassResult counts what one delivery pass did.
type PassResult struct {
	Sent, Retried, Failed, Expired int
}

// Deliver sends the due outbox rows once each. Without a sender it does
// nothing: rows wait until mail is configured (and expire after MaxAge).
func (w *Worker) Deliver(ctx context.Context) (PassResult, error) {
	var res PassResult
	if w.opts.Sender == nil {
		return res, nil
	}
	now := w.opts.Now()
	ds, err := w.store.ClaimOutbox(ctx, now, w.opts.Lease, w.opts.Batch)
	if err != nil {
		return res, err
	}
	for _, d := range ds {
		o := Outcome{At: now}
		switch {
		case now.Sub(d.CreatedAt) > w.opts.MaxAge:
			o.State = OutboxExpired
			res.Expired++
		default:
			err := w.opts.Sender.Send(ctx, w.Compose(d))
			var perm *PermanentError
			switch {
			case err == nil:
				o.State, o.SentAt = OutboxSent, w.opts.Now()
				res.Sent++
			case errors.As(err, &perm) || d.Attempts >= w.opts.MaxAttempts:
				o.State, o.Error = OutboxFailed, trim(err.Error())
				res.Failed++
			default:
				o.State, o.Error = OutboxPending, trim(err.Error())
				o.Next = now.Add(Backoff(d.Attempts, w.opts.RetryBase, w.opts.RetryMax))
				res.Retried++
			}
			if err != nil {
				w.opts.Log.Warn("notify: mail not sent", "outbox", d.OutboxID, "attempt", d.Attempts, "err", err)
			}
		}
		if err := w.store.FinishOutbox(ctx, d.OutboxID, o); err != nil {
			return res, err
		}
	}
	return res, nil
}

func trim(s string) string {
	if len(s) > 500 {
		return s[:500]
	}
	return s
}

// Compose writes the mail of a delivery in the recipient's language: the
// notification's text as subject and first line, then its link.
func (w *Worker) Compose(d Delivery) Mail {
	text := d.Notification.Text(w.opts.Render, d.Lang)
	link := strings.TrimRight(w.opts.BaseURL, "/") + d.Notification.Link
	body := text + "\r\n\r\n" + w.opts.Render(d.Lang, "notify.mail.open", link) + "\r\n\r\n-- \r\n" + w.opts.Render(d.Lang, "notify.mail.footer")
	return Mail{To: d.To, Subject: text, Body: body, Date: d.CreatedAt,
		MessageID: fmt.Sprintf("<notify-%s@ibrain.local>", strconv.FormatInt(d.OutboxID, 10))}
}

// Run schedules reminders and delivers mail every interval until ctx
// ends. A failed pass is logged and the next one tries again.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.opts.Interval)
	defer t.Stop()
	for {
		if n, err := w.Remind(ctx); err != nil {
			w.opts.Log.Error("notify: booking reminders", "err", err)
		} else if n > 0 {
			w.opts.Log.Info("notify: booking reminders", "written", n)
		}
		if _, err := w.Deliver(ctx); err != nil {
			w.opts.Log.Error("notify: delivery", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
