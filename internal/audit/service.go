package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Recorder is what another module needs to write to the trail (the
// reporting workflow records its review decisions through it). At, Seq
// and the hashes are filled in by the trail.
type Recorder interface {
	Record(ctx context.Context, e Event) error
}

// Query narrows a search of the trail. Zero fields do not filter.
type Query struct {
	From, To time.Time // To is exclusive
	Actor    string
	Action   Action
	Outcome  string
	Limit    int // at most MaxLimit; MaxLimit when 0
	AfterSeq int64
}

// MaxLimit bounds one page of search results.
const MaxLimit = 500

// Store is what the trail needs from storage.
type Store interface {
	// AppendAudit seals e after the stored head (Seal) and stores it and
	// the new head in one transaction.
	AppendAudit(ctx context.Context, e Event) (Event, error)
	// AuditHead returns the head.
	AuditHead(ctx context.Context) (Head, error)
	// AuditEvents returns events matching q in sequence order.
	AuditEvents(ctx context.Context, q Query) ([]Event, error)
	// ScanAudit calls fn for every stored event with Seq ≤ through (all
	// when through is 0), in sequence order.
	ScanAudit(ctx context.Context, through int64, fn func(Event) error) error
	// ArchiveAudit deletes the events with Seq ≤ seq and moves the head's
	// archive mark to (seq, hash), recording the archive file, in one
	// transaction.
	ArchiveAudit(ctx context.Context, seq int64, hash string, a Archive) error
}

// Archive describes one archive file.
type Archive struct {
	FromSeq, ToSeq int64
	File           string
	SHA256         string
	At             time.Time
}

// Options tune the trail.
type Options struct {
	// Retention is how long events stay in the database before Archive
	// may move them to a file; at least MinRetention (the default).
	Retention time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Key, when set (at least MinKeyBytes), seals new records with
	// HMAC-SHA256 under it and verifies keyed records with it (LoadKey).
	Key []byte
}

// LoadKey reads an audit key file: its content, surrounding white space
// removed, of at least MinKeyBytes bytes (e.g. 'openssl rand -hex 32').
func LoadKey(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	key := bytes.TrimSpace(data)
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("audit key %s: %d bytes, want at least %d", path, len(key), MinKeyBytes)
	}
	return key, nil
}

// MinRetention is the shortest retention allowed: 等保 L3 asks for audit
// records to be kept at least six months.
const MinRetention = 180 * 24 * time.Hour

// Service is the trail's use cases.
type Service struct {
	store Store
	opts  Options
}

// NewService returns the trail over st.
func NewService(st Store, opts Options) *Service {
	if opts.Retention < MinRetention {
		opts.Retention = MinRetention
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{store: st, opts: opts}
}

// Record appends an event stamped with the trail's clock.
func (s *Service) Record(ctx context.Context, e Event) error {
	if e.Action == "" {
		return errors.New("audit: event without action")
	}
	if e.Outcome == "" {
		e.Outcome = OK
	}
	e.At = s.opts.Now()
	e.key = s.opts.Key
	_, err := s.store.AppendAudit(ctx, e)
	return err
}

// Search returns a page of events.
func (s *Service) Search(ctx context.Context, q Query) ([]Event, error) {
	if q.Limit <= 0 || q.Limit > MaxLimit {
		q.Limit = MaxLimit
	}
	return s.store.AuditEvents(ctx, q)
}

// Report is the outcome of a verification.
type Report struct {
	Head       Head
	Checked    int64
	Problems   []Problem
	FirstKeyed int64 // the first record with a keyed hash (0: none)
}

// OK reports whether the chain is intact.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// Verify walks the whole stored chain.
func (s *Service) Verify(ctx context.Context) (Report, error) {
	head, err := s.store.AuditHead(ctx)
	if err != nil {
		return Report{}, err
	}
	v := NewKeyedVerifier(head, s.opts.Key)
	if err := s.store.ScanAudit(ctx, 0, func(e Event) error { v.Add(e); return nil }); err != nil {
		return Report{}, err
	}
	return Report{Head: head, Problems: v.Finish(), Checked: v.Checked(), FirstKeyed: v.FirstKeyed()}, nil
}

// exportLine is one event as a line of JSON, in an export or archive.
type exportLine struct {
	Seq      int64  `json:"seq"`
	At       string `json:"at"`
	ActorID  int64  `json:"actor_id"`
	Actor    string `json:"actor"`
	Action   Action `json:"action"`
	Target   string `json:"target"`
	Outcome  string `json:"outcome"`
	IP       string `json:"ip"`
	Detail   string `json:"detail"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

func toLine(e Event) exportLine {
	return exportLine{Seq: e.Seq, At: e.At.UTC().Format("2006-01-02T15:04:05.000Z"), ActorID: e.ActorID, Actor: e.Actor,
		Action: e.Action, Target: e.Target, Outcome: e.Outcome, IP: e.IP, Detail: e.Detail, PrevHash: e.PrevHash, Hash: e.Hash}
}

// WriteJSONLines writes events as JSON lines, hashes included, so an
// exported or archived range can still be verified on its own.
func WriteJSONLines(w io.Writer, events []Event) error {
	enc := json.NewEncoder(w)
	for _, e := range events {
		if err := enc.Encode(toLine(e)); err != nil {
			return err
		}
	}
	return nil
}

// ArchiveResult says what Archive moved.
type ArchiveResult struct {
	Archive
	Count int64
}

// Archive moves the events older than the retention to w (JSON lines,
// hashes included) and then deletes them from the database, moving the
// head's archive mark so Verify starts after them. Nothing is deleted
// unless the whole range was written first; a chain that does not verify
// is not archived, so damage cannot be archived away. file names w in the
// archive record.
func (s *Service) Archive(ctx context.Context, w io.Writer, file string) (ArchiveResult, error) {
	rep, err := s.Verify(ctx)
	if err != nil {
		return ArchiveResult{}, err
	}
	if !rep.OK() {
		return ArchiveResult{}, fmt.Errorf("audit: the trail does not verify (%v); not archiving", rep.Problems[0])
	}
	cutoff := s.opts.Now().Add(-s.opts.Retention)
	var through int64
	var lastHash string
	h := sha256.New()
	enc := json.NewEncoder(io.MultiWriter(w, h))
	res := ArchiveResult{Archive: Archive{FromSeq: rep.Head.ArchivedSeq + 1, File: file, At: s.opts.Now()}}
	errStop := errors.New("stop")
	err = s.store.ScanAudit(ctx, 0, func(e Event) error {
		if !e.At.Before(cutoff) {
			return errStop
		}
		if err := enc.Encode(toLine(e)); err != nil {
			return err
		}
		through, lastHash = e.Seq, e.Hash
		res.Count++
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return ArchiveResult{}, err
	}
	if res.Count == 0 {
		return res, nil
	}
	res.ToSeq, res.SHA256 = through, hex.EncodeToString(h.Sum(nil))
	// A file must be on disk before its rows leave the database.
	if f, ok := w.(interface{ Sync() error }); ok {
		if err := f.Sync(); err != nil {
			return ArchiveResult{}, err
		}
	}
	if err := s.store.ArchiveAudit(ctx, through, lastHash, res.Archive); err != nil {
		return ArchiveResult{}, err
	}
	if err := s.Record(ctx, Event{Action: Archived, Actor: "system", Target: file,
		Detail: fmt.Sprintf("seq %d–%d sha256 %s", res.FromSeq, res.ToSeq, res.SHA256)}); err != nil {
		return res, err
	}
	return res, nil
}
