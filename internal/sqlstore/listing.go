package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/listing"
	"github.com/industrybrain/ibrain/internal/unit"
)

const listingEventCols = `le.enterprise_id, le.stage, le.event_date, le.agreed_on, le.sponsor, le.board, le.kind, le.proceeds, le.note`

// scanListingEvent reads the columns of listingEventCols.
func scanListingEvent(sc interface{ Scan(...any) error }) (int64, listing.Event, error) {
	var id, proceeds int64
	var stage, date, agreed, board, kind string
	var ev listing.Event
	if err := sc.Scan(&id, &stage, &date, &agreed, &ev.Sponsor, &board, &kind, &proceeds, &ev.Note); err != nil {
		return 0, ev, err
	}
	ev.Stage, ev.Date, ev.AgreedOn = listing.Stage(stage), parseDate(date), parseDate(agreed)
	ev.Board, ev.Kind, ev.Proceeds = listing.Board(board), listing.Kind(kind), unit.Fen(proceeds)
	return id, ev, nil
}

// ListingRecords returns every listing record of the enterprises in scope
// (those with at least one event), ordered by enterprise id. The pipeline
// holds hundreds to a few thousand firms, so statistics and lists are
// computed over the whole set by internal/listing, the one place that
// decides where a record stands at a date.
//
// The city's records are read once per data generation and kept
// (genMemo; 772 events, about 100 kB, at ten times the demo): every
// pipeline page and API answer, whatever its date, stage, board, search
// or page, starts from the same set, and reading it (a thousand rows, ten
// columns each) was nearly all of their CPU. A scope or district is the
// kept set filtered here.
func (s *Store) ListingRecords(ctx context.Context, sc auth.Scope, f listing.RecordFilter) ([]listing.Firm, error) {
	all, err := s.listing.get(ctx, s, struct{}{}, func() ([]listing.Firm, error) { return s.readListingRecords(ctx) })
	if err != nil {
		return nil, err
	}
	var out []listing.Firm
	for _, fm := range all {
		if (f.RegionCode == "" || fm.RegionCode == f.RegionCode) && sc.Covers(fm.EnterpriseID, fm.RegionCode) {
			// The caller owns its copy; the events are shared, clipped so
			// that an append copies them rather than writing into the
			// kept array.
			fm.Events = slices.Clip(fm.Events)
			out = append(out, fm)
		}
	}
	return out, nil
}

// readListingRecords reads every listing record of the city.
func (s *Store) readListingRecords(ctx context.Context) ([]listing.Firm, error) {
	// The pipeline's firms first (the distinct ids of the events' key, in
	// order), each looked up once, then every event in the table's order,
	// grouped here: joining every event to its firm and reading the events
	// in key order cost two lookups per event.
	rows, err := s.read.QueryContext(ctx, `SELECT e.id, e.credit_code, e.name, e.region_code
		FROM (SELECT DISTINCT enterprise_id AS id FROM listing_event) l CROSS JOIN enterprise e
		WHERE e.id = l.id ORDER BY e.id`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: listing records: %w", err)
	}
	var out []listing.Firm
	at := map[int64]int{}
	for rows.Next() {
		var fm listing.Firm
		if err := rows.Scan(&fm.EnterpriseID, &fm.CreditCode, &fm.Name, &fm.RegionCode); err != nil {
			rows.Close()
			return nil, err
		}
		at[fm.EnterpriseID] = len(out)
		out = append(out, fm)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	if rows, err = s.read.QueryContext(ctx, `SELECT le.seq, `+listingEventCols+` FROM listing_event le`); err != nil {
		return nil, fmt.Errorf("sqlstore: listing records: %w", err)
	}
	defer rows.Close()
	seqs := make([][]int, len(out))
	for rows.Next() {
		var seq int
		var id, proceeds int64
		var stage, date, agreed, board, kind string
		var ev listing.Event
		if err := rows.Scan(&seq, &id, &stage, &date, &agreed, &ev.Sponsor, &board, &kind, &proceeds, &ev.Note); err != nil {
			return nil, err
		}
		i, ok := at[id]
		if !ok {
			continue
		}
		ev.Stage, ev.Date, ev.AgreedOn = listing.Stage(stage), parseDate(date), parseDate(agreed)
		ev.Board, ev.Kind, ev.Proceeds = listing.Board(board), listing.Kind(kind), unit.Fen(proceeds)
		out[i].Events = append(out[i].Events, ev)
		seqs[i] = append(seqs[i], seq)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Each firm's events in their sequence (the table's order is the
	// order they were written in, which a replaced history need not keep).
	for i := range out {
		if !slices.IsSorted(seqs[i]) {
			sortBySeq(out[i].Events, seqs[i])
		}
	}
	return out, nil
}

// sortBySeq orders evs by their sequence numbers seqs (same length).
func sortBySeq(evs []listing.Event, seqs []int) {
	idx := make([]int, len(evs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(seqs[a], seqs[b]) })
	sorted := make([]listing.Event, len(evs))
	for i, j := range idx {
		sorted[i] = evs[j]
	}
	copy(evs, sorted)
}

// ListingRecord returns one enterprise's listing record. An enterprise
// outside the scope is not found, like one that does not exist; an
// enterprise in scope without events has an empty record.
func (s *Store) ListingRecord(ctx context.Context, sc auth.Scope, enterpriseID int64) (listing.Firm, error) {
	return s.listingRecord(ctx, s.read, sc, enterpriseID)
}

// queryer is what both *sql.DB and *sql.Tx offer.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (s *Store) listingRecord(ctx context.Context, q queryer, sc auth.Scope, enterpriseID int64) (listing.Firm, error) {
	f := listing.Firm{Record: listing.Record{EnterpriseID: enterpriseID}}
	where, args := scopeClause(sc, "e", 2)
	err := q.QueryRowContext(ctx, `SELECT e.credit_code, e.name, e.region_code FROM enterprise e WHERE e.id = $1 AND `+where,
		append([]any{enterpriseID}, args...)...).Scan(&f.CreditCode, &f.Name, &f.RegionCode)
	if errors.Is(err, sql.ErrNoRows) {
		return f, apperr.New(apperr.NotFound, "err.enterprise_not_found")
	}
	if err != nil {
		return f, err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+listingEventCols+` FROM listing_event le WHERE le.enterprise_id = $1 ORDER BY le.seq`, enterpriseID)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	for rows.Next() {
		_, ev, err := scanListingEvent(rows)
		if err != nil {
			return f, err
		}
		f.Events = append(f.Events, ev)
	}
	return f, rows.Err()
}

// AppendListingEvent validates ev as the next step of the enterprise's
// record and stores it, in one transaction: the history is read, checked
// and extended under the writer lock, so two concurrent stage changes are
// judged one after the other and can never leave an invalid history.
func (s *Store) AppendListingEvent(ctx context.Context, sc auth.Scope, enterpriseID int64, ev listing.Event, opts listing.AppendOptions) (listing.Firm, error) {
	var out listing.Firm
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		f, err := s.listingRecord(ctx, tx, sc, enterpriseID)
		if err != nil {
			return err
		}
		if opts.ExpectEvents >= 0 && opts.ExpectEvents != len(f.Events) {
			return apperr.New(apperr.Conflict, "err.listing.stale", opts.ExpectEvents, len(f.Events))
		}
		rec, err := f.Append(ev)
		if err != nil {
			return err
		}
		if err := s.insertListingEvent(ctx, tx, enterpriseID, len(rec.Events), ev, opts.By); err != nil {
			return err
		}
		f.Record = rec
		out = f
		return nil
	})
	return out, err
}

func (s *Store) insertListingEvent(ctx context.Context, tx *sql.Tx, id int64, seq int, ev listing.Event, by string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO listing_event (enterprise_id, seq, stage, event_date, agreed_on, sponsor, board, kind, proceeds, note, recorded_at, recorded_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		id, seq, string(ev.Stage), formatDate(ev.Date), formatDate(ev.AgreedOn), ev.Sponsor, string(ev.Board), string(ev.Kind), int64(ev.Proceeds), ev.Note, s.unix(), by)
	if err != nil {
		return fmt.Errorf("sqlstore: listing event %d/%d: %w", id, seq, err)
	}
	return nil
}

// PutListingRecords stores whole histories, replacing each enterprise's
// record, in one transaction: every record is validated first and nothing
// is written if one fails. A record equal to what is stored is left alone
// and counted unchanged, so loading the same data twice changes nothing.
func (s *Store) PutListingRecords(ctx context.Context, recs []listing.Record, by string) (UpsertResult, error) {
	var res UpsertResult
	for _, r := range recs {
		if err := r.Validate(); err != nil {
			return res, fmt.Errorf("enterprise %d: %w", r.EnterpriseID, err)
		}
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = s.putListingRecordsTx(ctx, tx, recs, by)
		return err
	})
	return res, err
}

// putListingRecordsTx replaces validated histories inside tx, leaving equal
// ones untouched.
func (s *Store) putListingRecordsTx(ctx context.Context, tx *sql.Tx, recs []listing.Record, by string) (UpsertResult, error) {
	var res UpsertResult
	for _, r := range recs {
		cur, err := s.listingRecord(ctx, tx, auth.All(), r.EnterpriseID)
		if err != nil {
			return res, err
		}
		if slices.EqualFunc(cur.Events, r.Events, eventEqual) {
			res.Unchanged++
			continue
		}
		if len(cur.Events) == 0 {
			res.Inserted++
		} else {
			res.Updated++
			if _, err := tx.ExecContext(ctx, `DELETE FROM listing_event WHERE enterprise_id = $1`, r.EnterpriseID); err != nil {
				return res, err
			}
		}
		for i, ev := range r.Events {
			if err := s.insertListingEvent(ctx, tx, r.EnterpriseID, i+1, ev, by); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

// eventEqual compares events as stored (dates by day).
func eventEqual(a, b listing.Event) bool {
	return a.Stage == b.Stage && formatDate(a.Date) == formatDate(b.Date) && formatDate(a.AgreedOn) == formatDate(b.AgreedOn) &&
		a.Sponsor == b.Sponsor && a.Board == b.Board && a.Kind == b.Kind && a.Proceeds == b.Proceeds && a.Note == b.Note
}
