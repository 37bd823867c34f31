package listing

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
)

// The listing service: the use cases the pages, the API and the CLI share.
// It reads whole records through Store and computes every figure here, so
// a count on the page, in the API and in `ibrain listing` is one
// computation.

// Firm is an enterprise's listing record with the registry facts lists and
// pages show.
type Firm struct {
	Record
	CreditCode string
	Name       string
	RegionCode string
}

// RecordFilter narrows the records read for statistics.
type RecordFilter struct {
	RegionCode string // one district or zone; all in scope when empty
}

// AppendOptions tune Store.AppendListingEvent.
type AppendOptions struct {
	// ExpectEvents, when not negative, is how many events the caller saw
	// in the record; if another write got in first the append is refused
	// as a conflict instead of judging the new event against a history
	// the caller never saw.
	ExpectEvents int
	By           string // who records it (username), kept with the row
}

// Store is what the service needs from storage. A firm outside the scope
// is not found, like one that does not exist.
type Store interface {
	// ListingRecords returns the records (firms with at least one event)
	// in scope, ordered by enterprise id.
	ListingRecords(ctx context.Context, sc auth.Scope, f RecordFilter) ([]Firm, error)
	// ListingRecord returns one firm's record, empty when it has no event.
	ListingRecord(ctx context.Context, sc auth.Scope, enterpriseID int64) (Firm, error)
	// AppendListingEvent validates ev against the stored history and
	// appends it in one transaction.
	AppendListingEvent(ctx context.Context, sc auth.Scope, enterpriseID int64, ev Event, opts AppendOptions) (Firm, error)
}

// Service is the listing pipeline's use cases.
type Service struct {
	store Store
}

// NewService returns the service over st.
func NewService(st Store) *Service { return &Service{store: st} }

// Query chooses the records of a report: a region (all in scope when
// empty) and the day the pipeline is counted at.
type Query struct {
	RegionCode string
	At         time.Time
	// AtLatest moves At back to the latest recorded event when that is
	// earlier, so a pipeline whose records stop early is shown as it last
	// stood rather than as an empty current year.
	AtLatest bool
	// The years to compute: From..To, or, when LastYears is set, the
	// LastYears calendar years ending with the (moved) At's year. None
	// when To is zero or From > To.
	From, To  int
	LastYears int
}

// Report is the pipeline at a day and the figures of a span of years.
type Report struct {
	At      time.Time // the day counted, after AtLatest
	Moved   bool      // At was moved back to the latest event
	Region  string
	Counts  Counts
	Years   []YearFigures
	Records []Record
}

// CheckRegion refuses a region filter outside the scope, so a district
// officer's filter can never name another district.
func CheckRegion(sc auth.Scope, region string) error {
	if region != "" && !sc.IsAll() && region != sc.RegionCode {
		return apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	return nil
}

// Report counts the pipeline at q.At and computes the years q asks for.
func (s *Service) Report(ctx context.Context, sc auth.Scope, q Query) (Report, error) {
	if err := CheckRegion(sc, q.RegionCode); err != nil {
		return Report{}, err
	}
	firms, err := s.store.ListingRecords(ctx, sc, RecordFilter{RegionCode: q.RegionCode})
	if err != nil {
		return Report{}, err
	}
	recs := Records(firms)
	rep := Report{At: q.At, Region: q.RegionCode, Records: recs}
	if q.AtLatest {
		if last := LatestEvent(recs); !last.IsZero() && last.Before(q.At) {
			rep.At, rep.Moved = last, true
		}
	}
	rep.Counts = CountsAt(recs, rep.At)
	from, to := q.From, q.To
	if q.LastYears > 0 {
		from, to = rep.At.Year()-q.LastYears+1, rep.At.Year()
	}
	if to > 0 && from <= to {
		rep.Years = YearlyThrough(recs, from, to, rep.At)
	}
	return rep, nil
}

// Filter selects firms for the pipeline list.
type Filter struct {
	At         time.Time // state at the end of this day
	Stage      Stage     // any when empty
	RegionCode string
	Board      Board
	Query      string // substring of name or credit code
	Limit      int    // 50 when zero, at most MaxLimit
	Offset     int
}

// MaxLimit bounds one page of the list (exports page through).
const MaxLimit = 5000

// Item is one firm of the pipeline list with its state at the date.
type Item struct {
	Firm
	State State
}

// Page is a page of the pipeline list and the total matching.
type Page struct {
	Items []Item
	Total int
}

// Firms returns the firms in scope whose state at f.At matches the filter,
// latest change first (so the newest filings lead the tutoring list), then
// by name.
func (s *Service) Firms(ctx context.Context, sc auth.Scope, f Filter) (Page, error) {
	var page Page
	if err := CheckRegion(sc, f.RegionCode); err != nil {
		return page, err
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, MaxLimit)
	firms, err := s.store.ListingRecords(ctx, sc, RecordFilter{RegionCode: f.RegionCode})
	if err != nil {
		return page, err
	}
	q := strings.ToUpper(strings.TrimSpace(f.Query))
	var all []Item
	for _, firm := range firms {
		st, ok := firm.At(f.At)
		switch {
		case !ok, f.Stage != "" && st.Stage != f.Stage, f.Board != "" && st.Board != f.Board:
			continue
		case q != "" && !strings.Contains(strings.ToUpper(firm.Name), q) && !strings.Contains(firm.CreditCode, q):
			continue
		}
		all = append(all, Item{Firm: firm, State: st})
	}
	slices.SortStableFunc(all, func(a, b Item) int {
		if c := b.State.Since.Compare(a.State.Since); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	page.Total = len(all)
	if f.Offset < len(all) {
		page.Items = all[f.Offset:min(len(all), f.Offset+f.Limit)]
	}
	return page, nil
}

// Firm returns one firm's record.
func (s *Service) Firm(ctx context.Context, sc auth.Scope, enterpriseID int64) (Firm, error) {
	return s.store.ListingRecord(ctx, sc, enterpriseID)
}

// RecordEvent records the next stage event of a firm; the store judges it
// against the history in the same transaction that writes it.
func (s *Service) RecordEvent(ctx context.Context, sc auth.Scope, enterpriseID int64, ev Event, opts AppendOptions) (Firm, error) {
	return s.store.AppendListingEvent(ctx, sc, enterpriseID, ev, opts)
}

// Records strips the registry facts, for the statistics.
func Records(firms []Firm) []Record {
	out := make([]Record, len(firms))
	for i, f := range firms {
		out[i] = f.Record
	}
	return out
}

// LatestEvent is the date of the latest event in recs, or zero.
func LatestEvent(recs []Record) time.Time {
	var last time.Time
	for _, r := range recs {
		for _, e := range r.Events {
			if e.Date.After(last) {
				last = e.Date
			}
		}
	}
	return last
}
