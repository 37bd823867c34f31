package sqlstore

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
)

// The booking facts cache. Every booking read three things before it
// queued for its batch (the instrument's detail, the user's membership,
// the user's violations; qualifications too when the rules ask): three
// round trips, about half of this process's CPU per booking and a third
// of the server's. They change rarely, so they are kept in memory.
//
// The database stays the truth. Triggers log every write to the tables
// they come from in booking_fact_change (migration 0040), in commit
// order. Before it answers, BookingFacts waits for a probe of that log
// that began after the call did, and the probe drops every cached fact
// a newer entry names: a write committed before the booking started —
// in this process or another — is seen, as a direct read would see it.
// Concurrent bookings share a probe (one round trip for all the callers
// that arrived while the previous one ran), which is what makes the
// cache cheaper than the reads. A fact read on a miss is kept only if
// no probe dropped anything while it was read, so a value read before a
// write cannot be stored after the probe that dropped it.

// factsDetailsMax and factsUsersMax bound the cache's maps (a detail
// with its rates and rules is a few kilobytes, a user's facts far less):
// a full map loses an arbitrary entry for each new one.
const (
	factsDetailsMax = 5_000
	factsUsersMax   = 20_000
)

// factsProbeTimeout bounds one probe: its waiters give up with their own
// contexts, but a probe stuck on a dead connection would hold up every
// later one.
const factsProbeTimeout = 30 * time.Second

// factsProbeMax is the most log entries a probe applies one by one; past
// it the cache is emptied and starts again from the log's end.
const factsProbeMax = 1000

type bookingFacts struct {
	mu      sync.Mutex
	started bool   // mark has been read
	mark    int64  // the last log entry applied
	gen     uint64 // bumped whenever a probe drops anything
	details map[int64]*instruments.Detail
	itemOf  map[int64]int64 // service item → instrument, for rate entries
	users   map[int64]*userFacts
	next    *factsProbe // the probe that starts next; callers join it
	probing bool        // a goroutine is running probes
	// probes counts the probes run (the benchmark reports them per
	// booking).
	probes atomic.Int64
}

type userFacts struct {
	member     instruments.Member
	isMember   bool
	violations []instruments.ViolationMark
	quals      []instruments.Qualification
}

type factsProbe struct {
	done chan struct{}
	err  error
}

// BookingFacts answers a booking's reads (instruments.FactsStore).
func (s *Store) BookingFacts(ctx context.Context, instrumentID, userID int64) (instruments.BookingFacts, error) {
	var f instruments.BookingFacts
	if err := s.freshFacts(ctx); err != nil {
		return f, err
	}
	c := &s.facts
	c.mu.Lock()
	d, u, gen := c.details[instrumentID], c.users[userID], c.gen
	c.mu.Unlock()
	if d == nil {
		dd, err := s.InstrumentDetail(ctx, instrumentID)
		if err != nil {
			return f, err // not found is not kept: a later insert logs nothing
		}
		d = &dd
	}
	if u == nil {
		var err error
		if u, err = s.readUserFacts(ctx, userID); err != nil {
			return f, err
		}
	}
	c.mu.Lock()
	if c.gen == gen {
		if c.details == nil {
			c.details, c.itemOf, c.users = map[int64]*instruments.Detail{}, map[int64]int64{}, map[int64]*userFacts{}
		}
		if _, ok := c.details[instrumentID]; !ok {
			if len(c.details) >= factsDetailsMax {
				for id, old := range c.details {
					c.dropDetail(id, old)
					break
				}
			}
			c.details[instrumentID] = d
			for _, it := range d.Items {
				c.itemOf[it.ID] = instrumentID
			}
		}
		if _, ok := c.users[userID]; !ok {
			if len(c.users) >= factsUsersMax {
				for id := range c.users {
					delete(c.users, id)
					break
				}
			}
			c.users[userID] = u
		}
	}
	c.mu.Unlock()
	f.Detail, f.Member, f.IsMember, f.Violations, f.Qualifications = *d, u.member, u.isMember, u.violations, u.quals
	return f, nil
}

// dropDetail forgets an instrument's detail; c.mu is held.
func (c *bookingFacts) dropDetail(id int64, d *instruments.Detail) {
	for _, it := range d.Items {
		delete(c.itemOf, it.ID)
	}
	delete(c.details, id)
}

// readUserFacts reads a user's membership, unwaived violations and
// qualifications, as SharingMember, Violations and Qualifications do.
func (s *Store) readUserFacts(ctx context.Context, userID int64) (*userFacts, error) {
	u := &userFacts{}
	m, err := s.SharingMember(ctx, userID)
	switch {
	case err == nil:
		u.member, u.isMember = m, true
	case apperr.Is(err, apperr.NotFound):
	default:
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT unit_id, at FROM booking_violation WHERE user_id = $1 AND waived_by = 0`, userID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var v instruments.ViolationMark
		if err := rows.Scan(&v.UnitID, &v.At); err != nil {
			rows.Close()
			return nil, err
		}
		u.violations = append(u.violations, v)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if u.quals, err = s.Qualifications(ctx, userID, 0); err != nil {
		return nil, err
	}
	return u, nil
}

// freshFacts returns once a probe of the change log that began after the
// call has been applied.
func (s *Store) freshFacts(ctx context.Context) error {
	c := &s.facts
	c.mu.Lock()
	p := c.next
	if p == nil {
		p = &factsProbe{done: make(chan struct{})}
		c.next = p
	}
	start := !c.probing
	c.probing = true
	c.mu.Unlock()
	if start {
		go s.runFactsProbes()
	}
	select {
	case <-p.done:
		return p.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// runFactsProbes runs probes while callers wait for one.
func (s *Store) runFactsProbes() {
	c := &s.facts
	for {
		c.mu.Lock()
		p := c.next
		c.next = nil
		if p == nil {
			c.probing = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), factsProbeTimeout)
		p.err = s.probeFacts(ctx)
		cancel()
		close(p.done)
	}
}

// probeFacts applies the change log's entries past the mark.
func (s *Store) probeFacts(ctx context.Context) error {
	c := &s.facts
	c.probes.Add(1)
	c.mu.Lock()
	started, mark := c.started, c.mark
	c.mu.Unlock()
	if !started {
		return s.restartFacts(ctx)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, kind, ref FROM booking_fact_change WHERE id > $1 ORDER BY id LIMIT `+strconv.Itoa(factsProbeMax+1), mark)
	if err != nil {
		return err
	}
	type entry struct {
		kind string
		ref  int64
	}
	var es []entry
	last := mark
	for rows.Next() {
		var e entry
		if err := rows.Scan(&last, &e.kind, &e.ref); err != nil {
			rows.Close()
			return err
		}
		es = append(es, e)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if len(es) == 0 {
		return nil
	}
	if len(es) > factsProbeMax {
		return s.restartFacts(ctx)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range es {
		switch e.kind {
		case "i":
			if d := c.details[e.ref]; d != nil {
				c.dropDetail(e.ref, d)
			}
		case "r":
			if id, ok := c.itemOf[e.ref]; ok {
				c.dropDetail(id, c.details[id])
			}
		case "u":
			for id, d := range c.details {
				if d.Unit.ID == e.ref {
					c.dropDetail(id, d)
				}
			}
		case "m", "v", "q":
			delete(c.users, e.ref)
		default:
			// An entry this version does not know: forget everything.
			clear(c.details)
			clear(c.itemOf)
			clear(c.users)
		}
	}
	c.mark = last
	c.gen++
	return nil
}

// restartFacts empties the cache and moves the mark to the log's end:
// at the first probe, and when more changed than is worth applying.
func (s *Store) restartFacts(ctx context.Context) error {
	var mark int64
	if err := s.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM booking_fact_change`).Scan(&mark); err != nil {
		return err
	}
	c := &s.facts
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.details)
	clear(c.itemOf)
	clear(c.users)
	c.started, c.mark = true, mark
	c.gen++
	return nil
}
