package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/notify"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The instrument-sharing marketplace's storage (instruments.Store).

// PutUnits inserts units by name, leaving existing ones as they are, and
// returns every unit given with its id.
func (s *Store) PutUnits(ctx context.Context, us []instruments.Unit) ([]instruments.Unit, error) {
	out := make([]instruments.Unit, len(us))
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		for i, u := range us {
			if !u.Type.Valid() || strings.TrimSpace(u.Name) == "" {
				return apperr.New(apperr.Invalid, "instruments.err.unit")
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO sharing_unit (name, unit_type, region_code) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
				u.Name, string(u.Type), u.RegionCode); err != nil {
				return fmt.Errorf("sqlstore: unit: %w", err)
			}
			if err := tx.QueryRowContext(ctx, `SELECT id, unit_type, region_code FROM sharing_unit WHERE name = $1`, u.Name).Scan(&u.ID, &u.Type, &u.RegionCode); err != nil {
				return err
			}
			out[i] = u
		}
		return nil
	})
	return out, err
}

// Units lists the units by name.
func (s *Store) Units(ctx context.Context) ([]instruments.Unit, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, name, unit_type, region_code FROM sharing_unit ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []instruments.Unit
	for rows.Next() {
		var u instruments.Unit
		if err := rows.Scan(&u.ID, &u.Name, &u.Type, &u.RegionCode); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SharingMember returns a user's unit and category (NotFound when the
// user belongs to none).
func (s *Store) SharingMember(ctx context.Context, userID int64) (instruments.Member, error) {
	m := instruments.Member{UserID: userID}
	err := s.read.QueryRowContext(ctx, `SELECT unit_id, category FROM sharing_member WHERE user_id = $1`, userID).Scan(&m.UnitID, &m.Category)
	if errors.Is(err, sql.ErrNoRows) {
		return m, apperr.New(apperr.NotFound, "instruments.err.no_member")
	}
	return m, err
}

// PutSharingMember places a user in a unit.
func (s *Store) PutSharingMember(ctx context.Context, m instruments.Member) error {
	if !m.Category.Valid() {
		return apperr.New(apperr.Invalid, "instruments.err.category")
	}
	return s.opsTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sharing_member (user_id, unit_id, category) VALUES ($1, $2, $3)
			ON CONFLICT (user_id) DO UPDATE SET unit_id = excluded.unit_id, category = excluded.category`, m.UserID, m.UnitID, string(m.Category))
		return err
	})
}

// NewInstrument is an instrument to create with its items and managers.
type NewInstrument struct {
	Instrument instruments.Instrument
	Items      []instruments.ServiceItem
	Managers   []int64
}

// CreateInstrument creates one instrument.
func (s *Store) CreateInstrument(ctx context.Context, in instruments.Instrument, items []instruments.ServiceItem, managers []int64) (instruments.Instrument, error) {
	ids, err := s.CreateInstruments(ctx, []NewInstrument{{in, items, managers}}, CreateOptions{})
	if err != nil {
		return in, err
	}
	in.ID = ids[0]
	return in, nil
}

// CreateOptions tune CreateInstruments.
type CreateOptions struct {
	// SkipExisting leaves an instrument whose (unit, local id) is taken
	// as it is (its id is 0 in the answer) instead of failing the call:
	// loading the demo again changes nothing.
	SkipExisting bool
}

// CreateInstruments creates instruments, their items, rates and managers
// in one transaction and indexes the open ones for search. A taken
// (unit, local id) fails the whole call unless opts skip it.
func (s *Store) CreateInstruments(ctx context.Context, ins []NewInstrument, opts CreateOptions) ([]int64, error) {
	ids := make([]int64, len(ins))
	err := s.opsTx(ctx, func(tx *sql.Tx) error { return s.createInstrumentsTx(ctx, tx, ins, opts, ids) })
	return ids, err
}

// createInstrumentsTx is CreateInstruments inside tx, writing the new ids
// into ids (the bulk import shares it).
func (s *Store) createInstrumentsTx(ctx context.Context, tx *sql.Tx, ins []NewInstrument, opts CreateOptions, ids []int64) error {
	{ // the body CreateInstruments ran in its transaction, as it was

		for k, n := range ins {
			in := n.Instrument
			rules, err := json.Marshal(in.Rules)
			if err != nil {
				return err
			}
			var unitType string
			if err := tx.QueryRowContext(ctx, `SELECT unit_type FROM sharing_unit WHERE id = $1`, in.UnitID).Scan(&unitType); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return apperr.New(apperr.Invalid, "instruments.err.unit")
				}
				return err
			}
			var id int64
			err = tx.QueryRowContext(ctx, `INSERT INTO instrument (unit_type, unit_id, local_id, name, class_code, subclass, model, manufacturer, country, original_value,
				purchase_date, location, region_code, specs, capabilities, sample_req, contact, mode_self, mode_assisted, mode_sample, status, offline_until,
				retire_reason, enrolled_on, removed_on, rules, price_from)
				VALUES ($27, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)
				ON CONFLICT (unit_id, local_id) DO NOTHING RETURNING id`,
				in.UnitID, in.LocalID, in.Name, in.ClassCode, in.Subclass, in.Model, in.Manufacturer, in.Country, int64(in.OriginalValue),
				in.PurchaseDate, in.Location, in.RegionCode, in.Specs, in.Capabilities, in.SampleReq, in.Contact,
				boolInt(in.HasMode(instruments.SelfOperation)), boolInt(in.HasMode(instruments.Assisted)), boolInt(in.HasMode(instruments.SampleSending)),
				string(in.Status), in.OfflineUntil, in.RetireReason, in.EnrolledOn, in.RemovedOn, string(rules), int64(priceFrom(n.Items)), unitType).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				if opts.SkipExisting {
					continue
				}
				return apperr.New(apperr.Conflict, "instruments.err.duplicate", in.LocalID)
			}
			if err != nil {
				return fmt.Errorf("sqlstore: instrument: %w", err)
			}
			ids[k] = id
			if err := logCatalogueChange(ctx, tx, id, s.unix()); err != nil {
				return err
			}
			for _, it := range n.Items {
				var itemID int64
				if err := tx.QueryRowContext(ctx, `INSERT INTO service_item (instrument_id, name, mode, charge_unit) VALUES ($1, $2, $3, $4) RETURNING id`,
					id, it.Name, string(it.Mode), string(it.Unit)).Scan(&itemID); err != nil {
					return fmt.Errorf("sqlstore: service item: %w", err)
				}
				if len(it.Rates) > 0 {
					args := make([]any, 0, 4*len(it.Rates))
					for _, r := range it.Rates {
						args = append(args, itemID, string(r.Category), r.EffectiveFrom, int64(r.Price))
					}
					if _, err := tx.ExecContext(ctx, `INSERT INTO service_rate (item_id, category, effective_from, price) VALUES `+numbered(len(it.Rates), 4), args...); err != nil {
						return fmt.Errorf("sqlstore: rate: %w", err)
					}
				}
			}
			for _, u := range n.Managers {
				if _, err := tx.ExecContext(ctx, `INSERT INTO instrument_manager (instrument_id, user_id) VALUES ($1, $2)`, id, u); err != nil {
					return err
				}
			}
			in.ID = id
			if err := s.insertTerms(ctx, tx, in); err != nil {
				return err
			}
		}
		return nil
	}
}

// priceFrom is the lowest current enterprise price per hour of the items
// (per sample when it has no hourly item), the price facet's key.
func priceFrom(items []instruments.ServiceItem) unit.Fen {
	if p := lowestPrice(items, instruments.PerHour); p > 0 {
		return p
	}
	return lowestPrice(items, instruments.PerSample)
}

func lowestPrice(items []instruments.ServiceItem, cu instruments.ChargeUnit) unit.Fen {
	var best unit.Fen
	for _, it := range items {
		if it.Unit != cu {
			continue
		}
		var cur instruments.Rate
		for _, r := range it.Rates {
			if r.Category == instruments.EnterpriseUser && r.EffectiveFrom >= cur.EffectiveFrom {
				cur = r
			}
		}
		if cur.EffectiveFrom != "" && (best == 0 || cur.Price < best) {
			best = cur.Price
		}
	}
	return best
}

// indexInstrument replaces an instrument's search terms: an open or
// offline instrument is findable, others are not.
func (s *Store) indexInstrument(ctx context.Context, tx *sql.Tx, in instruments.Instrument) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM instrument_term WHERE instrument_id = $1`, in.ID); err != nil {
		return err
	}
	return s.insertTerms(ctx, tx, in)
}

// insertTerms writes the search terms of an instrument that has none.
func (s *Store) insertTerms(ctx context.Context, tx *sql.Tx, in instruments.Instrument) error {
	if err := searchChanged(ctx, tx, in.ID); err != nil {
		return err
	}
	if in.Status != instruments.Open && in.Status != instruments.Offline {
		return nil
	}
	terms, _ := instruments.Terms(in.IndexText())
	for i := 0; i < len(terms); i += 200 {
		chunk := terms[i:min(i+200, len(terms))]
		args := make([]any, 0, 2*len(chunk))
		for _, t := range chunk {
			args = append(args, t, in.ID)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO instrument_term (term, instrument_id) VALUES `+numbered(len(chunk), 2), args...); err != nil {
			return fmt.Errorf("sqlstore: instrument terms: %w", err)
		}
	}
	return nil
}

// numbered returns "($1, $2), ($3, $4)…" for rows of per parameters.
func numbered(rows, per int) string {
	var b strings.Builder
	n := 0
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range per {
			if j > 0 {
				b.WriteString(", ")
			}
			n++
			b.WriteString("$" + strconv.Itoa(n))
		}
		b.WriteByte(')')
	}
	return b.String()
}

const instrumentColumns = `i.id, i.unit_id, i.local_id, i.name, i.class_code, i.subclass, i.model, i.manufacturer, i.country, i.original_value,
	i.purchase_date, i.location, i.region_code, i.specs, i.capabilities, i.sample_req, i.contact, i.mode_self, i.mode_assisted, i.mode_sample,
	i.status, i.offline_until, i.retire_reason, i.enrolled_on, i.removed_on, i.rules, i.uses, i.rating_sum, i.rating_n`

type scanner interface{ Scan(...any) error }

func scanInstrument(r scanner, extra ...any) (instruments.Instrument, int, int64, int, error) {
	var in instruments.Instrument
	var value int64
	var ms, ma, mp int
	var rules string
	var uses, rsum, rn int64
	dst := append([]any{&in.ID, &in.UnitID, &in.LocalID, &in.Name, &in.ClassCode, &in.Subclass, &in.Model, &in.Manufacturer, &in.Country, &value,
		&in.PurchaseDate, &in.Location, &in.RegionCode, &in.Specs, &in.Capabilities, &in.SampleReq, &in.Contact, &ms, &ma, &mp,
		&in.Status, &in.OfflineUntil, &in.RetireReason, &in.EnrolledOn, &in.RemovedOn, &rules, &uses, &rsum, &rn}, extra...)
	if err := r.Scan(dst...); err != nil {
		return in, 0, 0, 0, err
	}
	in.OriginalValue = unit.Fen(value)
	for _, m := range []struct {
		on   int
		mode instruments.Mode
	}{{ms, instruments.SelfOperation}, {ma, instruments.Assisted}, {mp, instruments.SampleSending}} {
		if m.on != 0 {
			in.Modes = append(in.Modes, m.mode)
		}
	}
	if err := json.Unmarshal([]byte(rules), &in.Rules); err != nil {
		return in, 0, 0, 0, fmt.Errorf("sqlstore: instrument %d rules: %w", in.ID, err)
	}
	return in, int(uses), rsum, int(rn), nil
}

// InstrumentDetail reads an instrument with its unit, items, rates and
// managers.
func (s *Store) InstrumentDetail(ctx context.Context, id int64) (instruments.Detail, error) {
	if s.engine == Postgres {
		return s.instrumentDetailPG(ctx, id)
	}
	var d instruments.Detail
	in, uses, rsum, rn, err := scanInstrument(s.read.QueryRowContext(ctx, `SELECT `+instrumentColumns+`, u.name, u.unit_type, u.region_code
		FROM instrument i JOIN sharing_unit u ON u.id = i.unit_id WHERE i.id = $1`, id), &d.Unit.Name, &d.Unit.Type, &d.Unit.RegionCode)
	if errors.Is(err, sql.ErrNoRows) {
		return d, apperr.New(apperr.NotFound, "instruments.err.not_found")
	}
	if err != nil {
		return d, err
	}
	d.Instrument, d.Uses, d.RatingN = in, uses, rn
	d.Unit.ID = in.UnitID
	if rn > 0 {
		d.Rating = float64(rsum) / float64(rn)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT it.id, it.name, it.mode, it.charge_unit, r.category, r.effective_from, r.price
		FROM service_item it LEFT JOIN service_rate r ON r.item_id = it.id WHERE it.instrument_id = $1 ORDER BY it.id, r.category, r.effective_from`, id)
	if err != nil {
		return d, err
	}
	defer rows.Close()
	for rows.Next() {
		var it instruments.ServiceItem
		var cat, from sql.NullString
		var price sql.NullInt64
		if err := rows.Scan(&it.ID, &it.Name, &it.Mode, &it.Unit, &cat, &from, &price); err != nil {
			return d, err
		}
		if n := len(d.Items); n == 0 || d.Items[n-1].ID != it.ID {
			it.InstrumentID = id
			d.Items = append(d.Items, it)
		}
		if cat.Valid {
			last := &d.Items[len(d.Items)-1]
			last.Rates = append(last.Rates, instruments.Rate{Category: instruments.Category(cat.String), EffectiveFrom: from.String, Price: unit.Fen(price.Int64)})
		}
	}
	if err := rows.Err(); err != nil {
		return d, err
	}
	mrows, err := s.read.QueryContext(ctx, `SELECT user_id FROM instrument_manager WHERE instrument_id = $1 ORDER BY user_id`, id)
	if err != nil {
		return d, err
	}
	defer mrows.Close()
	for mrows.Next() {
		var u int64
		if err := mrows.Scan(&u); err != nil {
			return d, err
		}
		d.Managers = append(d.Managers, u)
	}
	return d, mrows.Err()
}

// UpdateInstrument changes an instrument's lifecycle fields and rules
// through fn in one transaction and re-indexes it.
func (s *Store) UpdateInstrument(ctx context.Context, id int64, fn func(instruments.Instrument) (instruments.Instrument, error)) (instruments.Instrument, error) {
	var out instruments.Instrument
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		in, _, _, _, err := scanInstrument(tx.QueryRowContext(ctx, `SELECT `+instrumentColumns+` FROM instrument i WHERE i.id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "instruments.err.not_found")
		}
		if err != nil {
			return err
		}
		if out, err = fn(in); err != nil {
			return err
		}
		rules, err := json.Marshal(out.Rules)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE instrument SET status = $2, offline_until = $3, retire_reason = $4, enrolled_on = $5, removed_on = $6, rules = $7 WHERE id = $1`,
			id, string(out.Status), out.OfflineUntil, out.RetireReason, out.EnrolledOn, out.RemovedOn, string(rules)); err != nil {
			return fmt.Errorf("sqlstore: update instrument: %w", err)
		}
		if err := logCatalogueChange(ctx, tx, id, s.unix()); err != nil {
			return err
		}
		return s.indexInstrument(ctx, tx, out)
	})
	return out, err
}

// InstrumentStatRecords reads every enrolled instrument for the
// statistics.
func (s *Store) InstrumentStatRecords(ctx context.Context) ([]instruments.StatRecord, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT i.unit_id, u.name, u.unit_type, i.class_code, i.original_value, i.enrolled_on, i.removed_on
		FROM instrument i JOIN sharing_unit u ON u.id = i.unit_id WHERE i.enrolled_on <> ''`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []instruments.StatRecord
	for rows.Next() {
		var r instruments.StatRecord
		var v int64
		if err := rows.Scan(&r.UnitID, &r.UnitName, &r.UnitType, &r.ClassCode, &v, &r.EnrolledOn, &r.RemovedOn); err != nil {
			return nil, err
		}
		r.Value = unit.Fen(v)
		out = append(out, r)
	}
	return out, rows.Err()
}

// searchInstrumentsSQL answers a catalogue search in SQL (the reference
// the in-memory index, instrument_search.go, is tested against): the
// instruments that are open or offline, hold every term of the text (an index lookup) and
// pass the facet filters, ranked by a name match, then use, then rating,
// with the facet counts of the matches.
func (s *Store) searchInstrumentsSQL(ctx context.Context, q instruments.SearchQuery) (instruments.SearchResult, error) {
	res := instruments.SearchResult{Facets: map[string][]instruments.Facet{}, Hits: []instruments.Hit{}}
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	terms, singles := instruments.Terms(q.Text)
	// Only findable instruments have terms (insertTerms), so a text
	// search needs no status condition; without it the planner drives
	// from the term matches instead of scanning every open instrument.
	var where []string
	if len(terms) == 0 {
		where = append(where, "i.status IN ('open', 'offline')")
	}
	// With terms the query starts from the instruments holding all of
	// them (an index range per term), joined to the catalogue by key: a
	// scan of the catalogue testing each row cost 15–45 ms at 10,000
	// instruments on SQLite.
	source := `instrument i`
	if len(terms) > 0 {
		ph := make([]string, len(terms))
		for k, t := range terms {
			ph[k] = arg(t)
		}
		source = `(SELECT instrument_id FROM instrument_term WHERE term IN (` + strings.Join(ph, ", ") + `) GROUP BY instrument_id HAVING COUNT(*) = ` + arg(len(terms)) + `) m
			JOIN instrument i ON i.id = m.instrument_id`
	}
	for _, c := range singles {
		p := arg("%" + c + "%")
		where = append(where, `(i.name LIKE `+p+` OR i.model LIKE `+p+` OR i.manufacturer LIKE `+p+` OR i.capabilities LIKE `+p+`)`)
	}
	where = append(where, facetFilters(q, "i.", arg)...)
	cond := ""
	if len(where) > 0 {
		cond = ` WHERE ` + strings.Join(where, " AND ")
	}
	from := ` FROM ` + source + cond
	// Count and facets in one pass over the matches' facet columns (an
	// index read), aggregated here: one query instead of six.
	rows, err := s.read.QueryContext(ctx, `SELECT i.class_code, i.region_code, i.unit_type, i.price_from, i.mode_self, i.mode_assisted, i.mode_sample`+from, args...)
	if err != nil {
		return res, fmt.Errorf("sqlstore: search: %w", err)
	}
	if err := countFacets(rows, &res); err != nil {
		return res, err
	}
	if res.Total == 0 {
		return res, nil
	}
	nameRank := ""
	if t := strings.TrimSpace(q.Text); t != "" {
		nameRank = "CASE WHEN i.name LIKE " + arg("%"+t+"%") + " THEN 0 ELSE 1 END, "
	}
	page := `SELECT ` + instrumentColumns + `, u.name, i.unit_type, i.price_from FROM ` + source + ` JOIN sharing_unit u ON u.id = i.unit_id` + cond +
		` ORDER BY ` + nameRank + `i.rank_score DESC, i.id LIMIT ` + arg(q.Limit) + ` OFFSET ` + arg(q.Offset)
	prows, err := s.read.QueryContext(ctx, page, args...)
	if err != nil {
		return res, fmt.Errorf("sqlstore: search: %w", err)
	}
	defer prows.Close()
	for prows.Next() {
		var h instruments.Hit
		var price int64
		var rsum int64
		h.Instrument, h.Uses, rsum, h.RatingN, err = scanInstrument(prows, &h.UnitName, &h.UnitType, &price)
		if err != nil {
			return res, err
		}
		h.PriceFrom = unit.Fen(price)
		if h.RatingN > 0 {
			h.RatingAvg = float64(rsum) / float64(h.RatingN)
		}
		res.Hits = append(res.Hits, h)
	}
	return res, prows.Err()
}

// bookTx runs fn in a write transaction for a booking. Unlike inTx it
// takes no platform-wide writer lock on PostgreSQL: fn locks the one
// instrument's row (SELECT … FOR UPDATE), so bookings of different
// instruments run in parallel and those of one instrument queue. SQLite's
// single writer connection serialises them anyway.
func (s *Store) bookTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	return bookTxOn(ctx, s.write, fn)
}

// bookTxOn is bookTx on the connections of db.
func bookTxOn(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", err)
	}
	return nil
}

// forUpdate is the row-lock suffix of the engine.
func (s *Store) forUpdate() string {
	if s.engine == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// liveStates are the order states that hold their slot.
const liveStates = `state NOT IN ('rejected', 'cancelled', 'voided')`

// PlaceOrder writes an order and its booking cells under the
// instrument's lock. The check sees the user's booked minutes of the
// slot's day; a cell already held is a Conflict, and the cells' primary
// key refuses it even if that check were wrong. On PostgreSQL concurrent
// bookings are written in batches, one transaction each
// (instrument_booking.go).
func (s *Store) PlaceOrder(ctx context.Context, p instruments.PlaceOrder) (instruments.Order, error) {
	if s.engine == Postgres {
		return s.placeOrderBatched(ctx, p)
	}
	return s.placeOrderOne(ctx, p)
}

// placeOrderOne writes one order in its own transaction.
func (s *Store) placeOrderOne(ctx context.Context, p instruments.PlaceOrder) (instruments.Order, error) {
	o := p.Order
	err := s.bookTx(ctx, func(tx *sql.Tx) error {
		var unitID int64
		err := tx.QueryRowContext(ctx, `SELECT unit_id FROM instrument WHERE id = $1`+s.forUpdate(), o.InstrumentID).Scan(&unitID)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "instruments.err.not_found")
		}
		if err != nil {
			return err
		}
		var cells []int64
		if o.Mode.Slotted() {
			d0, d1 := instruments.LocalDay(o.Start)
			// The user's booked minutes of the day and the slot's taken
			// cells in one round trip (speed: the instrument's lock is
			// held meanwhile).
			var mins, taken int
			if err := tx.QueryRowContext(ctx, `SELECT (SELECT COALESCE(SUM(booked_minutes), 0) FROM instrument_order WHERE instrument_id = $1 AND user_id = $2 AND start_at >= $3 AND start_at < $4 AND `+liveStates+`),
				(SELECT COUNT(*) FROM booking_cell WHERE instrument_id = $1 AND cell_start >= $5 AND cell_start < $6)`,
				o.InstrumentID, o.UserID, d0.Unix(), d1.Unix(), o.Start.Unix(), o.End.Unix()).Scan(&mins, &taken); err != nil {
				return err
			}
			if p.Check != nil {
				if err := p.Check(mins); err != nil {
					return err
				}
			}
			cells = instruments.Cells(o.Start, o.End)
			if taken > 0 {
				return apperr.New(apperr.Conflict, "instruments.err.slot_taken")
			}
		}
		var start, end int64
		if o.Mode.Slotted() {
			start, end = o.Start.Unix(), o.End.Unix()
		}
		if s.engine == Postgres {
			if err := s.placeOrderPG(ctx, tx, &o, unitID, start, end, len(cells)); err != nil {
				return err
			}
			return s.noteOrderEvent(ctx, tx, o, o.State, o.UserID)
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO instrument_order (instrument_id, unit_id, item_id, user_id, enterprise_id, category, mode, state, start_at, end_at,
			due_on, samples, charge_unit, unit_price, booked_minutes, actual_minutes, billable_minutes, amount, voucher_amount, note, created_at, terms)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0, 0, 0, 0, $16, $17, $18) RETURNING id`,
			o.InstrumentID, unitID, o.ItemID, o.UserID, o.EnterpriseID, string(o.Category), string(o.Mode), string(o.State), start, end,
			o.DueOn, o.Samples, string(o.ChargeUnit), int64(o.UnitPrice), o.BookedMinutes, o.Note, o.CreatedAt.Unix(), termsJSON(o.Terms)).Scan(&o.ID); err != nil {
			return fmt.Errorf("sqlstore: order: %w", err)
		}
		if len(cells) > 0 {
			args := make([]any, 0, 3*len(cells))
			for _, c := range cells {
				args = append(args, o.InstrumentID, c, o.ID)
			}
			r, err := tx.ExecContext(ctx, `INSERT INTO booking_cell (instrument_id, cell_start, order_id) VALUES `+numbered(len(cells), 3)+` ON CONFLICT DO NOTHING`, args...)
			if err != nil {
				return fmt.Errorf("sqlstore: booking cells: %w", err)
			}
			if n, err := r.RowsAffected(); err != nil || n != int64(len(cells)) {
				return apperr.New(apperr.Conflict, "instruments.err.slot_taken")
			}
		}
		if _, err = tx.ExecContext(ctx, `INSERT INTO order_event (order_id, from_state, to_state, actor_id, at) VALUES ($1, '', $2, $3, $4)`, o.ID, string(o.State), o.UserID, s.unix()); err != nil {
			return err
		}
		return s.noteOrderEvent(ctx, tx, o, o.State, o.UserID) // notifications in the event's transaction (notify.go)
	})
	return o, err
}

const orderColumns = `id, instrument_id, item_id, user_id, enterprise_id, category, mode, state, start_at, end_at, due_on, samples, charge_unit,
	unit_price, booked_minutes, actual_minutes, billable_minutes, amount, voucher_amount, note, created_at, terms, penalty, flag, flag_note, penalty_state`

func scanOrder(r scanner) (instruments.Order, error) {
	var o instruments.Order
	var start, end, created, price, amount, voucher, penalty int64
	var terms string
	err := r.Scan(&o.ID, &o.InstrumentID, &o.ItemID, &o.UserID, &o.EnterpriseID, &o.Category, &o.Mode, &o.State, &start, &end, &o.DueOn, &o.Samples,
		&o.ChargeUnit, &price, &o.BookedMinutes, &o.ActualMinutes, &o.BillableMinutes, &amount, &voucher, &o.Note, &created, &terms, &penalty, &o.Flag, &o.FlagNote, &o.FeeState)
	if errors.Is(err, sql.ErrNoRows) {
		return o, apperr.New(apperr.NotFound, "instruments.err.no_order")
	}
	if err == nil {
		err = json.Unmarshal([]byte(terms), &o.Terms)
	}
	o.Penalty = unit.Fen(penalty)
	if start != 0 {
		o.Start, o.End = time.Unix(start, 0).UTC(), time.Unix(end, 0).UTC()
	}
	o.CreatedAt = time.Unix(created, 0).UTC()
	o.UnitPrice, o.Amount, o.VoucherAmount = unit.Fen(price), unit.Fen(amount), unit.Fen(voucher)
	return o, err
}

// Order reads an order.
func (s *Store) Order(ctx context.Context, id int64) (instruments.Order, error) {
	return scanOrder(s.read.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM instrument_order WHERE id = $1`, id))
}

// Orders lists orders, newest first.
func (s *Store) Orders(ctx context.Context, f instruments.OrderFilter) ([]instruments.Order, error) {
	where, args := "1 = 1", []any{}
	if f.UserID != 0 {
		where, args = "user_id = $1", append(args, f.UserID)
	} else if f.InstrumentID != 0 {
		where, args = "instrument_id = $1", append(args, f.InstrumentID)
	} else if f.UnitID != 0 {
		where, args = "unit_id = $1", append(args, f.UnitID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+orderColumns+` FROM instrument_order WHERE `+where+` ORDER BY id DESC LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []instruments.Order{}
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// BookedSlots are the live slotted orders overlapping [from, to).
func (s *Store) BookedSlots(ctx context.Context, instrumentID int64, from, to time.Time) ([]instruments.Order, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+orderColumns+` FROM instrument_order WHERE instrument_id = $1 AND start_at > 0 AND start_at < $3 AND end_at > $2 AND `+liveStates+` ORDER BY start_at`,
		instrumentID, from.Unix(), to.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []instruments.Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// txLedger reads voucher balances inside a transaction; the first error
// is kept for the caller, since the LedgerView methods return none.
type txLedger struct {
	ctx context.Context
	tx  *sql.Tx
	err error
}

func (l *txLedger) sum(q string, args ...any) unit.Fen {
	var v int64
	if l.err != nil {
		return 0
	}
	l.err = l.tx.QueryRowContext(l.ctx, `SELECT COALESCE(SUM(amount), 0) FROM voucher_posting WHERE `+q, args...).Scan(&v)
	return unit.Fen(v)
}

func (l *txLedger) Balance(account string) unit.Fen { return l.sum(`account = $1`, account) }
func (l *txLedger) Allocated(enterpriseID int64, year int) unit.Fen {
	return l.sum(`account = $1 AND kind = 'allocate'`, instruments.FirmAccount(enterpriseID, year))
}
func (l *txLedger) Redeemed(account string, orderID int64) unit.Fen {
	return l.sum(`account = $1 AND order_id = $2`, account, orderID)
}
func (l *txLedger) RemoteBalance(account string, bookingID int64) unit.Fen {
	return l.sum(`account = $1 AND remote_booking = $2`, account, bookingID)
}

// post writes one balanced entry.
func (s *Store) post(ctx context.Context, tx *sql.Tx, ps []instruments.Posting) error {
	if len(ps) == 0 {
		return nil
	}
	var sum unit.Fen
	for _, p := range ps {
		sum += p.Amount
	}
	if sum != 0 {
		return fmt.Errorf("sqlstore: unbalanced voucher entry (%d)", sum)
	}
	var entry int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(entry_id), 0) + 1 FROM voucher_posting`).Scan(&entry); err != nil {
		return err
	}
	for _, p := range ps {
		if _, err := tx.ExecContext(ctx, `INSERT INTO voucher_posting (entry_id, account, amount, kind, order_id, remote_booking, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			entry, p.Account, int64(p.Amount), p.Kind, p.OrderID, p.Remote, s.unix()); err != nil {
			return fmt.Errorf("sqlstore: voucher posting: %w", err)
		}
	}
	return nil
}

// PostVoucher writes the entry fn plans from the ledger as it stands,
// under the writer lock, so two allocations cannot both spend the last of
// a budget.
func (s *Store) PostVoucher(ctx context.Context, fn func(l instruments.LedgerView) ([]instruments.Posting, error)) error {
	return s.opsTx(ctx, func(tx *sql.Tx) error {
		l := &txLedger{ctx: ctx, tx: tx}
		ps, err := fn(l)
		if l.err != nil {
			return l.err
		}
		if err != nil {
			return err
		}
		return s.post(ctx, tx, ps)
	})
}

// VoucherBalance is an account's balance.
func (s *Store) VoucherBalance(ctx context.Context, account string) (unit.Fen, error) {
	var v int64
	err := s.read.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount), 0) FROM voucher_posting WHERE account = $1`, account).Scan(&v)
	return unit.Fen(v), err
}

// TransitionOrder changes an order through fn in one transaction: the
// order row, its event, the voucher entry, the review and the freed cells
// are written together or not at all.
func (s *Store) TransitionOrder(ctx context.Context, id, actorID int64, fn func(o instruments.Order, l instruments.LedgerView) (instruments.Order, instruments.Effects, error)) (instruments.Order, error) {
	var out instruments.Order
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		o, err := scanOrder(tx.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM instrument_order WHERE id = $1`+s.forUpdate(), id))
		if err != nil {
			return err
		}
		l := &txLedger{ctx: ctx, tx: tx}
		n, eff, err := fn(o, l)
		if l.err != nil {
			return l.err
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE instrument_order SET state = $2, actual_minutes = $3, billable_minutes = $4, samples = $5, amount = $6, voucher_amount = $7, penalty = $8 WHERE id = $1`,
			id, string(n.State), n.ActualMinutes, n.BillableMinutes, n.Samples, int64(n.Amount), int64(n.VoucherAmount), int64(n.Penalty)); err != nil {
			return fmt.Errorf("sqlstore: order: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO order_event (order_id, from_state, to_state, actor_id, at) VALUES ($1, $2, $3, $4, $5)`,
			id, string(o.State), string(n.State), actorID, s.unix()); err != nil {
			return err
		}
		if err := s.noteOrderEvent(ctx, tx, n, n.State, actorID); err != nil {
			return err
		}
		if instruments.Releases(n.State) {
			if _, err := tx.ExecContext(ctx, `DELETE FROM booking_cell WHERE order_id = $1`, id); err != nil {
				return err
			}
		}
		if n.State == instruments.UsageConfirmed && o.State == instruments.Completed {
			if _, err := tx.ExecContext(ctx, `UPDATE instrument SET uses = uses + 1 WHERE id = $1`, o.InstrumentID); err != nil {
				return err
			}
			if err := rerank(ctx, tx, o.InstrumentID); err != nil {
				return err
			}
		}
		if err := s.post(ctx, tx, eff.Postings); err != nil {
			return err
		}
		if v := eff.Violation; v != nil {
			if _, err := tx.ExecContext(ctx, `INSERT INTO booking_violation (user_id, unit_id, order_id, kind, at)
				SELECT user_id, unit_id, id, $2, $3 FROM instrument_order WHERE id = $1`, id, v.Kind, v.At.Unix()); err != nil {
				return fmt.Errorf("sqlstore: violation: %w", err)
			}
		}
		if r := eff.Review; r != nil {
			tags, _ := json.Marshal(r.Tags)
			res, err := tx.ExecContext(ctx, `INSERT INTO instrument_review (order_id, instrument_id, user_id, stars, tags, comment, reply, hidden, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, '', 0, $7) ON CONFLICT (order_id) DO NOTHING`, r.OrderID, r.InstrumentID, r.UserID, r.Stars, string(tags), r.Comment, r.CreatedAt.Unix())
			if err != nil {
				return fmt.Errorf("sqlstore: review: %w", err)
			}
			if k, err := res.RowsAffected(); err != nil || k != 1 {
				return apperr.New(apperr.Conflict, "instruments.err.reviewed")
			}
			if _, err := tx.ExecContext(ctx, `UPDATE instrument SET rating_sum = rating_sum + $2, rating_n = rating_n + 1 WHERE id = $1`, r.InstrumentID, r.Stars); err != nil {
				return err
			}
			if err := rerank(ctx, tx, r.InstrumentID); err != nil {
				return err
			}
		}
		out = n
		return nil
	})
	return out, err
}

// rerank recomputes an instrument's rank_score from its uses and ratings.
func rerank(ctx context.Context, tx *sql.Tx, id int64) error {
	if err := searchChanged(ctx, tx, id); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE instrument SET rank_score = uses * 1000 + CASE WHEN rating_n > 0 THEN rating_sum * 100 / rating_n ELSE 0 END WHERE id = $1`, id)
	return err
}

const reviewColumns = `order_id, instrument_id, user_id, stars, tags, comment, created_at, reply, reply_by, reply_at, hidden, hidden_reason, moderated_by, moderated_at`

func scanReview(row interface{ Scan(...any) error }) (instruments.Review, error) {
	var r instruments.Review
	var tags string
	var at, replyAt, hidden, modAt int64
	if err := row.Scan(&r.OrderID, &r.InstrumentID, &r.UserID, &r.Stars, &tags, &r.Comment, &at, &r.Reply, &r.RepliedBy, &replyAt, &hidden, &r.HiddenReason, &r.ModeratedBy, &modAt); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return r, apperr.New(apperr.NotFound, "instruments.err.no_review")
		}
		return r, err
	}
	_ = json.Unmarshal([]byte(tags), &r.Tags)
	r.CreatedAt = time.Unix(at, 0).UTC()
	r.Hidden = hidden != 0
	r.RepliedAt, r.ModeratedAt = unixOrZero(replyAt), unixOrZero(modAt)
	return r, nil
}

// Reviews lists an instrument's reviews, newest first: the visible ones
// and the hidden ones the filter admits.
func (s *Store) Reviews(ctx context.Context, f instruments.ReviewFilter) ([]instruments.Review, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+reviewColumns+` FROM instrument_review
		WHERE instrument_id = $1 AND (hidden = 0 OR user_id = $2 OR $3 = 1) ORDER BY created_at DESC, order_id DESC LIMIT 50`, f.InstrumentID, f.ViewerID, boolInt(f.Hidden))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []instruments.Review
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Review reads one order's review.
func (s *Store) Review(ctx context.Context, orderID int64) (instruments.Review, error) {
	return scanReview(s.read.QueryRowContext(ctx, `SELECT `+reviewColumns+` FROM instrument_review WHERE order_id = $1`, orderID))
}

// UpdateReview changes a review through fn under its row lock; when its
// visibility changes, the instrument's rating counters and rank follow.
func (s *Store) UpdateReview(ctx context.Context, orderID int64, fn func(instruments.Review) (instruments.Review, error)) (instruments.Review, error) {
	var out instruments.Review
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		r, err := scanReview(tx.QueryRowContext(ctx, `SELECT `+reviewColumns+` FROM instrument_review WHERE order_id = $1`+s.forUpdate(), orderID))
		if err != nil {
			return err
		}
		n, err := fn(r)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE instrument_review SET reply = $2, reply_by = $3, reply_at = $4, hidden = $5, hidden_reason = $6, moderated_by = $7, moderated_at = $8 WHERE order_id = $1`,
			orderID, n.Reply, n.RepliedBy, unixOf(n.RepliedAt), boolInt(n.Hidden), n.HiddenReason, n.ModeratedBy, unixOf(n.ModeratedAt)); err != nil {
			return fmt.Errorf("sqlstore: review: %w", err)
		}
		// The author is told of a new or edited reply and of moderation,
		// in this transaction (notify.go).
		if n.Reply != r.Reply && n.Reply != "" {
			if err := s.noteReviewEvent(ctx, tx, n, notify.ReviewReplied, n.RepliedBy); err != nil {
				return err
			}
		}
		if n.Hidden != r.Hidden {
			event := notify.ReviewRestored
			if n.Hidden {
				event = notify.ReviewHidden
			}
			if err := s.noteReviewEvent(ctx, tx, n, event, n.ModeratedBy); err != nil {
				return err
			}
		}
		if n.Hidden != r.Hidden {
			sign := 1
			if n.Hidden {
				sign = -1
			}
			if _, err := tx.ExecContext(ctx, `UPDATE instrument SET rating_sum = rating_sum + $2, rating_n = rating_n + $3 WHERE id = $1`, r.InstrumentID, sign*r.Stars, sign); err != nil {
				return err
			}
			if err := rerank(ctx, tx, r.InstrumentID); err != nil {
				return err
			}
		}
		out = n
		return nil
	})
	return out, err
}

// PutCalendarFeed records a feed token.
func (s *Store) PutCalendarFeed(ctx context.Context, token string, userID, instrumentID int64) error {
	return s.opsTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO calendar_feed (token, user_id, instrument_id, created_at) VALUES ($1, $2, $3, $4)`, token, userID, instrumentID, s.unix())
		return err
	})
}

// CalendarFeed finds a feed by its token.
func (s *Store) CalendarFeed(ctx context.Context, token string) (int64, int64, error) {
	var u, i int64
	err := s.read.QueryRowContext(ctx, `SELECT user_id, instrument_id FROM calendar_feed WHERE token = $1`, token).Scan(&u, &i)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, apperr.New(apperr.NotFound, "instruments.err.no_feed")
	}
	return u, i, err
}

// The store implements the marketplace's Store.
var _ instruments.Store = (*Store)(nil)

// facetFilters are the SQL conditions of a search's facets (class,
// district, unit type, service mode, price band) over a table with the
// catalogue's facet columns: the instrument table and the federation's
// mirror. col prefixes each column (a table alias or "").
func facetFilters(q instruments.SearchQuery, col string, arg func(any) string) []string {
	var where []string
	if q.Class != "" {
		where = append(where, col+"class_code = "+arg(q.Class))
	}
	if q.Region != "" {
		where = append(where, col+"region_code = "+arg(q.Region))
	}
	if q.UnitType != "" {
		where = append(where, col+"unit_type = "+arg(string(q.UnitType)))
	}
	switch q.Mode {
	case instruments.SelfOperation:
		where = append(where, col+"mode_self = 1")
	case instruments.Assisted:
		where = append(where, col+"mode_assisted = 1")
	case instruments.SampleSending:
		where = append(where, col+"mode_sample = 1")
	}
	for _, b := range instruments.PriceBands {
		if b.Key == q.Band {
			where = append(where, col+"price_from > 0 AND "+col+"price_from >= "+arg(int64(b.From)))
			if b.To > 0 {
				where = append(where, col+"price_from < "+arg(int64(b.To)))
			}
		}
	}
	return where
}

// countFacets reads the matches' facet columns (class, region, unit
// type, price_from, the three mode flags), closes rows, and sets the
// result's total and its facets, largest first.
func countFacets(rows *sql.Rows, res *instruments.SearchResult) error {
	defer rows.Close()
	counts := map[string]map[string]int{"class": {}, "region": {}, "unit_type": {}, "band": {}, "mode": {}}
	for rows.Next() {
		var class, region, utype string
		var price int64
		var ms, ma, mp int
		if err := rows.Scan(&class, &region, &utype, &price, &ms, &ma, &mp); err != nil {
			return err
		}
		res.Total++
		counts["class"][class]++
		counts["region"][region]++
		counts["unit_type"][utype]++
		if price > 0 {
			counts["band"][instruments.BandOf(unit.Fen(price))]++
		}
		for _, m := range []struct {
			on   int
			mode instruments.Mode
		}{{ms, instruments.SelfOperation}, {ma, instruments.Assisted}, {mp, instruments.SampleSending}} {
			if m.on != 0 {
				counts["mode"][string(m.mode)]++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for name, m := range counts {
		for v, n := range m {
			if v != "" {
				res.Facets[name] = append(res.Facets[name], instruments.Facet{Value: v, N: n})
			}
		}
		fs := res.Facets[name]
		sort.Slice(fs, func(a, b int) bool { return fs[a].N > fs[b].N || fs[a].N == fs[b].N && fs[a].Value < fs[b].Value })
	}
	return nil
}
