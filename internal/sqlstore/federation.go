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
	"github.com/industrybrain/ibrain/internal/federation"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The federation's storage (federation.Store): the catalogue change log,
// the mirror of the peers' catalogues, holds placed by peers, the users'
// remote bookings and the peers' nonces.

// logCatalogueChange records in tx that an instrument changed; the
// instrument writes call it in their own transaction, so the feed never
// misses a committed change nor shows an uncommitted one.
func logCatalogueChange(ctx context.Context, tx *sql.Tx, id int64, at int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO catalogue_change (instrument_id, at) VALUES ($1, $2)`, id, at)
	return err
}

// inList returns "$n, $n+1, …" for the values, appended to args.
func fedInList(args []any, ids []int64) (string, []any) {
	ph := make([]string, len(ids))
	for i, id := range ids {
		args = append(args, id)
		ph[i] = "$" + strconv.Itoa(len(args))
	}
	return strings.Join(ph, ", "), args
}

// ChangedSince lists the instruments changed after seq, each at its last
// change, in change order.
func (s *Store) ChangedSince(ctx context.Context, seq int64, limit int) ([]federation.Changed, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT MAX(seq) AS last, instrument_id FROM catalogue_change WHERE seq > $1
		GROUP BY instrument_id ORDER BY last LIMIT $2`, seq, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []federation.Changed
	for rows.Next() {
		var c federation.Changed
		if err := rows.Scan(&c.Seq, &c.InstrumentID); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CatalogueDetails reads instruments with their units, items and rates
// in two queries, and their price facets.
func (s *Store) CatalogueDetails(ctx context.Context, ids []int64) (map[int64]instruments.Detail, map[int64]int64, error) {
	out, prices := map[int64]instruments.Detail{}, map[int64]int64{}
	if len(ids) == 0 {
		return out, prices, nil
	}
	in, args := fedInList(nil, ids)
	rows, err := s.read.QueryContext(ctx, `SELECT `+instrumentColumns+`, u.name, u.unit_type, u.region_code, i.price_from
		FROM instrument i JOIN sharing_unit u ON u.id = i.unit_id WHERE i.id IN (`+in+`)`, args...)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var d instruments.Detail
		var price int64
		in, _, _, _, err := scanInstrument(rows, &d.Unit.Name, &d.Unit.Type, &d.Unit.RegionCode, &price)
		if err != nil {
			rows.Close()
			return nil, nil, err
		}
		d.Instrument, d.Unit.ID = in, in.UnitID
		out[in.ID], prices[in.ID] = d, price
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	irows, err := s.read.QueryContext(ctx, `SELECT it.instrument_id, it.id, it.name, it.mode, it.charge_unit, r.category, r.effective_from, r.price
		FROM service_item it LEFT JOIN service_rate r ON r.item_id = it.id WHERE it.instrument_id IN (`+in+`) ORDER BY it.instrument_id, it.id, r.category, r.effective_from`, args...)
	if err != nil {
		return nil, nil, err
	}
	defer irows.Close()
	for irows.Next() {
		var iid int64
		var it instruments.ServiceItem
		var cat, from sql.NullString
		var price sql.NullInt64
		if err := irows.Scan(&iid, &it.ID, &it.Name, &it.Mode, &it.Unit, &cat, &from, &price); err != nil {
			return nil, nil, err
		}
		d := out[iid]
		if n := len(d.Items); n == 0 || d.Items[n-1].ID != it.ID {
			it.InstrumentID = iid
			d.Items = append(d.Items, it)
		}
		if cat.Valid {
			last := &d.Items[len(d.Items)-1]
			last.Rates = append(last.Rates, instruments.Rate{Category: instruments.Category(cat.String), EffectiveFrom: from.String, Price: unit.Fen(price.Int64)})
		}
		out[iid] = d
	}
	return out, prices, irows.Err()
}

// LiveInstrumentIDs lists the open and offline instruments.
func (s *Store) LiveInstrumentIDs(ctx context.Context) ([]int64, error) {
	return s.int64s(ctx, `SELECT id FROM instrument WHERE status IN ('open', 'offline') ORDER BY id`)
}

func (s *Store) int64s(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// BookedCells are the instruments' booked cells in [from, to).
func (s *Store) BookedCells(ctx context.Context, ids []int64, from, to time.Time) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := fedInList([]any{from.Unix(), to.Unix()}, ids)
	rows, err := s.read.QueryContext(ctx, `SELECT instrument_id, cell_start FROM booking_cell WHERE cell_start >= $1 AND cell_start < $2 AND instrument_id IN (`+in+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, c int64
		if err := rows.Scan(&id, &c); err != nil {
			return nil, err
		}
		out[id] = append(out[id], c)
	}
	return out, rows.Err()
}

func ensurePeer(ctx context.Context, tx *sql.Tx, peer string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO fed_peer_state (peer, feed_cursor, order_cursor, last_attempt, last_ok, last_error, last_check, repairs)
		VALUES ($1, 0, 0, 0, 0, '', 0, 0) ON CONFLICT (peer) DO NOTHING`, peer)
	return err
}

// ApplyMirror upserts the live records, deletes the tombstoned ones and
// moves the feed cursor, in one transaction: a failed page leaves the
// mirror and the cursor as they were.
func (s *Store) ApplyMirror(ctx context.Context, home string, rows []federation.MirrorRow, cursor int64, at time.Time) error {
	return s.opsTx(ctx, func(tx *sql.Tx) error {
		for _, r := range rows {
			rec := r.Record
			if rec.Deleted {
				if _, err := tx.ExecContext(ctx, `DELETE FROM fed_mirror WHERE home = $1 AND remote_id = $2`, home, rec.ID); err != nil {
					return err
				}
				continue
			}
			body, err := json.Marshal(rec)
			if err != nil {
				return err
			}
			avail, availAt := "", int64(0)
			if r.Avail != nil {
				b, _ := json.Marshal(r.Avail)
				avail, availAt = string(b), at.Unix()
			}
			has := func(m string) int {
				for _, x := range rec.Modes {
					if x == m {
						return 1
					}
				}
				return 0
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO fed_mirror (home, remote_id, global_id, name, unit_name, unit_type, class_code, region_code, status,
				original_value, price_from, mode_self, mode_assisted, mode_sample, enrolled_on, search_text, record, record_hash, avail, avail_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
				ON CONFLICT (home, remote_id) DO UPDATE SET global_id = excluded.global_id, name = excluded.name, unit_name = excluded.unit_name,
				unit_type = excluded.unit_type, class_code = excluded.class_code, region_code = excluded.region_code, status = excluded.status,
				original_value = excluded.original_value, price_from = excluded.price_from, mode_self = excluded.mode_self,
				mode_assisted = excluded.mode_assisted, mode_sample = excluded.mode_sample, enrolled_on = excluded.enrolled_on,
				search_text = excluded.search_text, record = excluded.record, record_hash = excluded.record_hash, avail = excluded.avail,
				avail_at = excluded.avail_at, updated_at = excluded.updated_at`,
				home, rec.ID, rec.GlobalID, rec.Name, rec.Unit, rec.UnitType, rec.ClassCode, rec.RegionCode, rec.Status,
				rec.OriginalValue, rec.PriceFrom, has("self"), has("assisted"), has("sample"), rec.EnrolledOn,
				strings.ToLower(rec.IndexText()), string(body), rec.Hash(), avail, availAt, at.Unix()); err != nil {
				return fmt.Errorf("sqlstore: mirror: %w", err)
			}
		}
		if err := ensurePeer(ctx, tx, home); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE fed_peer_state SET feed_cursor = $2 WHERE peer = $1`, home, cursor)
		return err
	})
}

// PruneMirror deletes home's mirror rows not in keep.
func (s *Store) PruneMirror(ctx context.Context, home string, keep []int64) (int, error) {
	have, err := s.int64s(ctx, `SELECT remote_id FROM fed_mirror WHERE home = $1`, home)
	if err != nil {
		return 0, err
	}
	k := map[int64]bool{}
	for _, id := range keep {
		k[id] = true
	}
	n := 0
	err = s.opsTx(ctx, func(tx *sql.Tx) error {
		for _, id := range have {
			if k[id] {
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM fed_mirror WHERE home = $1 AND remote_id = $2`, home, id); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// MirrorHashes are home's mirrored record hashes by id.
func (s *Store) MirrorHashes(ctx context.Context, home string) (map[int64]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT remote_id, record_hash FROM fed_mirror WHERE home = $1`, home)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var h string
		if err := rows.Scan(&id, &h); err != nil {
			return nil, err
		}
		out[id] = h
	}
	return out, rows.Err()
}

// MirrorRecord reads a mirrored record with its availability and when it
// was last updated.
func (s *Store) MirrorRecord(ctx context.Context, home string, id int64) (federation.Record, *federation.Availability, time.Time, error) {
	var rec federation.Record
	var body, avail string
	var at int64
	err := s.read.QueryRowContext(ctx, `SELECT record, avail, updated_at FROM fed_mirror WHERE home = $1 AND remote_id = $2`, home, id).Scan(&body, &avail, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return rec, nil, time.Time{}, apperr.New(apperr.NotFound, "instruments.err.not_found")
	}
	if err != nil {
		return rec, nil, time.Time{}, err
	}
	if err := json.Unmarshal([]byte(body), &rec); err != nil {
		return rec, nil, time.Time{}, err
	}
	var a *federation.Availability
	if avail != "" {
		a = &federation.Availability{}
		if err := json.Unmarshal([]byte(avail), a); err != nil {
			return rec, nil, time.Time{}, err
		}
	}
	return rec, a, time.Unix(at, 0), nil
}

// SearchMirror searches the mirrored catalogues with the local search's
// terms and facets; hits carry their home. The mirror is small beside a
// local catalogue (a peer's, at most tens of thousands of rows), so terms
// are matched by scanning its search text.
func (s *Store) SearchMirror(ctx context.Context, q instruments.SearchQuery) (instruments.SearchResult, error) {
	res := instruments.SearchResult{Facets: map[string][]instruments.Facet{}, Hits: []instruments.Hit{}}
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	terms, singles := instruments.Terms(q.Text)
	where := []string{"1 = 1"}
	for _, t := range append(terms, singles...) {
		where = append(where, "search_text LIKE "+arg("%"+t+"%"))
	}
	where = append(where, facetFilters(q, "", arg)...)
	cond := ` FROM fed_mirror WHERE ` + strings.Join(where, " AND ")
	rows, err := s.read.QueryContext(ctx, `SELECT class_code, region_code, unit_type, price_from, mode_self, mode_assisted, mode_sample`+cond, args...)
	if err != nil {
		return res, fmt.Errorf("sqlstore: mirror search: %w", err)
	}
	if err := countFacets(rows, &res); err != nil {
		return res, err
	}
	if res.Total == 0 || q.Limit <= 0 {
		return res, nil
	}
	nameRank := ""
	if t := strings.TrimSpace(q.Text); t != "" {
		nameRank = "CASE WHEN name LIKE " + arg("%"+t+"%") + " THEN 0 ELSE 1 END, "
	}
	prows, err := s.read.QueryContext(ctx, `SELECT home, record, price_from`+cond+` ORDER BY `+nameRank+`home, remote_id LIMIT `+arg(q.Limit)+` OFFSET `+arg(q.Offset), args...)
	if err != nil {
		return res, fmt.Errorf("sqlstore: mirror search: %w", err)
	}
	defer prows.Close()
	for prows.Next() {
		var home, body string
		var price int64
		if err := prows.Scan(&home, &body, &price); err != nil {
			return res, err
		}
		var r federation.Record
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			return res, err
		}
		h := instruments.Hit{Home: home, GlobalID: r.GlobalID, UnitName: r.Unit, UnitType: instruments.UnitType(r.UnitType), PriceFrom: unit.Fen(price)}
		h.Instrument = instruments.Instrument{ID: r.ID, Name: r.Name, ClassCode: r.ClassCode, Subclass: r.Subclass, Model: r.Model,
			Manufacturer: r.Manufacturer, Country: r.Country, OriginalValue: unit.Fen(r.OriginalValue), Location: r.Location, RegionCode: r.RegionCode,
			Capabilities: r.Capabilities, Status: instruments.Status(r.Status), OfflineUntil: r.OfflineUntil, EnrolledOn: r.EnrolledOn}
		for _, m := range r.Modes {
			h.Modes = append(h.Modes, instruments.Mode(m))
		}
		res.Hits = append(res.Hits, h)
	}
	return res, prows.Err()
}

// MirrorSums are the mirrored catalogues' counts and values by home.
func (s *Store) MirrorSums(ctx context.Context) ([]federation.MirrorSum, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT home, COUNT(*), COALESCE(SUM(original_value), 0), MIN(updated_at) FROM fed_mirror GROUP BY home ORDER BY home`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []federation.MirrorSum
	for rows.Next() {
		var m federation.MirrorSum
		var oldest int64
		if err := rows.Scan(&m.Home, &m.Count, &m.ValueFen, &oldest); err != nil {
			return nil, err
		}
		m.Oldest = time.Unix(oldest, 0)
		out = append(out, m)
	}
	return out, rows.Err()
}

func fedTime(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(v, 0)
}

// PeerState reads a peer's state (zero when it was never pulled).
func (s *Store) PeerState(ctx context.Context, peer string) (federation.PeerState, error) {
	st := federation.PeerState{Peer: peer}
	var attempt, ok, check int64
	err := s.read.QueryRowContext(ctx, `SELECT feed_cursor, order_cursor, last_attempt, last_ok, last_error, last_check, repairs FROM fed_peer_state WHERE peer = $1`, peer).
		Scan(&st.FeedCursor, &st.OrderCursor, &attempt, &ok, &st.LastError, &check, &st.Repairs)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	st.LastAttempt, st.LastOK, st.LastCheck = fedTime(attempt), fedTime(ok), fedTime(check)
	return st, err
}

// SavePeerState writes a peer's state.
func (s *Store) SavePeerState(ctx context.Context, st federation.PeerState) error {
	u := func(t time.Time) int64 {
		if t.IsZero() {
			return 0
		}
		return t.Unix()
	}
	return s.opsTx(ctx, func(tx *sql.Tx) error {
		if err := ensurePeer(ctx, tx, st.Peer); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE fed_peer_state SET feed_cursor = $2, order_cursor = $3, last_attempt = $4, last_ok = $5, last_error = $6,
			last_check = $7, repairs = $8 WHERE peer = $1`, st.Peer, st.FeedCursor, st.OrderCursor, u(st.LastAttempt), u(st.LastOK), st.LastError, u(st.LastCheck), st.Repairs)
		return err
	})
}

// UseNonce records a nonce; a second use within its life is a Conflict.
func (s *Store) UseNonce(ctx context.Context, peer, nonce string, expires, now time.Time) error {
	if _, err := s.write.ExecContext(ctx, `DELETE FROM fed_nonce WHERE expires_at < $1`, now.Unix()); err != nil {
		return err
	}
	res, err := s.write.ExecContext(ctx, `INSERT INTO fed_nonce (peer, nonce, expires_at) VALUES ($1, $2, $3) ON CONFLICT (peer, nonce) DO NOTHING`, peer, nonce, expires.Unix())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.Conflict, "federation.err.replay")
	}
	return nil
}

const holdColumns = `id, origin, idem_key, order_id, user_id, state, expires_at, created_at`

func scanHold(r scanner) (federation.Hold, error) {
	var h federation.Hold
	var exp, created int64
	err := r.Scan(&h.ID, &h.Origin, &h.Key, &h.OrderID, &h.UserID, &h.State, &exp, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return h, apperr.New(apperr.NotFound, "federation.err.no_hold")
	}
	h.ExpiresAt, h.CreatedAt = time.Unix(exp, 0), time.Unix(created, 0)
	return h, err
}

// ClaimHold inserts a claim for (origin, key), or returns the hold
// holding it; the unique key decides a race between two retries.
func (s *Store) ClaimHold(ctx context.Context, h federation.Hold) (federation.Hold, bool, error) {
	err := s.write.QueryRowContext(ctx, `INSERT INTO fed_hold (origin, idem_key, order_id, user_id, state, expires_at, created_at) VALUES ($1, $2, 0, 0, $3, $4, $5)
		ON CONFLICT (origin, idem_key) DO NOTHING RETURNING id`, h.Origin, h.Key, h.State, h.ExpiresAt.Unix(), h.CreatedAt.Unix()).Scan(&h.ID)
	if err == nil {
		return h, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return h, false, err
	}
	got, err := scanHold(s.read.QueryRowContext(ctx, `SELECT `+holdColumns+` FROM fed_hold WHERE origin = $1 AND idem_key = $2`, h.Origin, h.Key))
	return got, false, err
}

func (s *Store) affected(ctx context.Context, q string, args ...any) (bool, error) {
	res, err := s.write.ExecContext(ctx, q, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RetakeHold gives a stale claim to a new attempt.
func (s *Store) RetakeHold(ctx context.Context, id int64, staleBefore, now time.Time) (bool, error) {
	return s.affected(ctx, `UPDATE fed_hold SET created_at = $3 WHERE id = $1 AND order_id = 0 AND created_at < $2`, id, staleBefore.Unix(), now.Unix())
}

// FinishHold records the order a claim booked.
func (s *Store) FinishHold(ctx context.Context, id, orderID, userID int64) error {
	_, err := s.write.ExecContext(ctx, `UPDATE fed_hold SET order_id = $2, user_id = $3 WHERE id = $1`, id, orderID, userID)
	return err
}

// DropHold deletes a claim whose booking failed.
func (s *Store) DropHold(ctx context.Context, id int64) error {
	_, err := s.write.ExecContext(ctx, `DELETE FROM fed_hold WHERE id = $1 AND order_id = 0`, id)
	return err
}

// HoldByID reads a hold.
func (s *Store) HoldByID(ctx context.Context, id int64) (federation.Hold, error) {
	return scanHold(s.read.QueryRowContext(ctx, `SELECT `+holdColumns+` FROM fed_hold WHERE id = $1`, id))
}

// HoldByOrder reads the hold that booked an order.
func (s *Store) HoldByOrder(ctx context.Context, orderID int64) (federation.Hold, error) {
	return scanHold(s.read.QueryRowContext(ctx, `SELECT `+holdColumns+` FROM fed_hold WHERE order_id = $1`, orderID))
}

// SetHoldState moves a hold between states.
func (s *Store) SetHoldState(ctx context.Context, id int64, from, to string) (bool, error) {
	return s.affected(ctx, `UPDATE fed_hold SET state = $3 WHERE id = $1 AND state = $2`, id, from, to)
}

// ExpiredHolds are the booked holds past their time, unconfirmed.
func (s *Store) ExpiredHolds(ctx context.Context, now time.Time) ([]federation.Hold, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+holdColumns+` FROM fed_hold WHERE state = 'held' AND order_id <> 0 AND expires_at <= $1 ORDER BY id`, now.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []federation.Hold
	for rows.Next() {
		h, err := scanHold(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// OrderEventsFor are the order events of origin's holds after since,
// each with the order's current state and amount.
func (s *Store) OrderEventsFor(ctx context.Context, origin string, since int64, limit int) ([]federation.OrderEvent, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT e.id, h.id, h.order_id, h.state, o.state, o.amount, o.penalty, h.idem_key
		FROM order_event e JOIN fed_hold h ON h.order_id = e.order_id JOIN instrument_order o ON o.id = e.order_id
		WHERE h.origin = $1 AND e.id > $2 ORDER BY e.id LIMIT $3`, origin, since, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []federation.OrderEvent{}
	for rows.Next() {
		var e federation.OrderEvent
		if err := rows.Scan(&e.Seq, &e.HoldID, &e.OrderID, &e.HoldState, &e.State, &e.AmountFen, &e.PenaltyFen, &e.Key); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ExternalService sums the live orders peers placed in [from, to) by
// origin: the home's service to partner-region users.
func (s *Store) ExternalService(ctx context.Context, from, to time.Time) ([]federation.ExternalService, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT h.origin, COUNT(*), COALESCE(SUM(o.booked_minutes), 0), COALESCE(SUM(o.actual_minutes), 0), COALESCE(SUM(o.amount), 0)
		FROM fed_hold h JOIN instrument_order o ON o.id = h.order_id
		WHERE o.state NOT IN ('rejected', 'cancelled', 'voided') AND o.created_at >= $1 AND o.created_at < $2 GROUP BY h.origin ORDER BY h.origin`, from.Unix(), to.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []federation.ExternalService
	for rows.Next() {
		var e federation.ExternalService
		if err := rows.Scan(&e.Origin, &e.Orders, &e.BookedMinutes, &e.ActualMinutes, &e.AmountFen); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

const bookingColumns = `id, user_id, home, idem_key, hold_id, remote_order, instrument_id, instrument_name, start_at, end_at, state, unit_price, amount, expires_at, created_at, updated_at,
	enterprise_id, voucher_state, voucher_reserved, voucher_settled, evidence, evidence_sig, settled_at, penalty`

func scanBooking(r scanner) (federation.RemoteBooking, error) {
	var b federation.RemoteBooking
	var start, end, exp, created, updated, settled int64
	err := r.Scan(&b.ID, &b.UserID, &b.Home, &b.Key, &b.HoldID, &b.RemoteOrder, &b.InstrumentID, &b.InstrumentName, &start, &end, &b.State,
		&b.UnitPrice, &b.Amount, &exp, &created, &updated, &b.EnterpriseID, &b.VoucherState, &b.VoucherReserved, &b.VoucherSettled, &b.Evidence, &b.EvidenceSig, &settled, &b.Penalty)
	if errors.Is(err, sql.ErrNoRows) {
		return b, apperr.New(apperr.NotFound, "federation.err.no_booking")
	}
	if start != 0 {
		b.Start, b.End = time.Unix(start, 0).UTC(), time.Unix(end, 0).UTC()
	}
	b.ExpiresAt, b.CreatedAt, b.UpdatedAt = time.Unix(exp, 0), time.Unix(created, 0), time.Unix(updated, 0)
	if settled != 0 {
		b.SettledAt = time.Unix(settled, 0)
	}
	return b, err
}

// PutRemoteBooking inserts or updates a booking by (home, key).
func (s *Store) PutRemoteBooking(ctx context.Context, b federation.RemoteBooking) (federation.RemoteBooking, error) {
	var start, end int64
	if !b.Start.IsZero() {
		start, end = b.Start.Unix(), b.End.Unix()
	}
	// The voucher's firm and state are the first attempt's: a retry
	// does not change them, and only SettleVoucher moves them on.
	return scanBooking(s.write.QueryRowContext(ctx, `INSERT INTO fed_booking (user_id, home, idem_key, hold_id, remote_order, instrument_id, instrument_name,
		start_at, end_at, state, unit_price, amount, expires_at, created_at, updated_at, enterprise_id, voucher_state, penalty)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
		ON CONFLICT (home, idem_key) DO UPDATE SET hold_id = excluded.hold_id, remote_order = excluded.remote_order, state = excluded.state,
		amount = excluded.amount, expires_at = excluded.expires_at, updated_at = excluded.updated_at, penalty = excluded.penalty
		RETURNING `+bookingColumns, b.UserID, b.Home, b.Key, b.HoldID, b.RemoteOrder, b.InstrumentID, b.InstrumentName, start, end, b.State,
		b.UnitPrice, b.Amount, b.ExpiresAt.Unix(), b.CreatedAt.Unix(), b.UpdatedAt.Unix(), b.EnterpriseID, b.VoucherState, b.Penalty))
}

// SettleVoucher changes a booking's voucher through fn in one
// transaction with the ledger (under the writer lock, like PostVoucher),
// so a reservation or settlement is written with its postings or not at
// all.
func (s *Store) SettleVoucher(ctx context.Context, id int64, fn func(b federation.RemoteBooking, l instruments.LedgerView) (federation.RemoteBooking, []instruments.Posting, error)) (federation.RemoteBooking, error) {
	var out federation.RemoteBooking
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		b, err := scanBooking(tx.QueryRowContext(ctx, `SELECT `+bookingColumns+` FROM fed_booking WHERE id = $1`+s.forUpdate(), id))
		if err != nil {
			return err
		}
		l := &txLedger{ctx: ctx, tx: tx}
		n, ps, err := fn(b, l)
		if l.err != nil {
			return l.err
		}
		if err != nil {
			return err
		}
		if err := s.post(ctx, tx, ps); err != nil {
			return err
		}
		var settled int64
		if !n.SettledAt.IsZero() {
			settled = n.SettledAt.Unix()
		}
		if _, err := tx.ExecContext(ctx, `UPDATE fed_booking SET voucher_state = $2, voucher_reserved = $3, voucher_settled = $4, settled_at = $5 WHERE id = $1`,
			id, n.VoucherState, n.VoucherReserved, n.VoucherSettled, settled); err != nil {
			return err
		}
		out = n
		return nil
	})
	return out, err
}

// VoucherBookings lists bookings with a voucher: home's still reserved,
// or (home empty) all, newest first.
func (s *Store) VoucherBookings(ctx context.Context, home string) ([]federation.RemoteBooking, error) {
	q, args := `SELECT `+bookingColumns+` FROM fed_booking WHERE voucher_state <> '' ORDER BY id DESC LIMIT 500`, []any{}
	if home != "" {
		q, args = `SELECT `+bookingColumns+` FROM fed_booking WHERE voucher_state = 'reserved' AND home = $1 ORDER BY id`, []any{home}
	}
	return s.bookings(ctx, q, args...)
}

// RemoteBookings lists a user's bookings, newest first.
func (s *Store) RemoteBookings(ctx context.Context, userID int64) ([]federation.RemoteBooking, error) {
	return s.bookings(ctx, `SELECT `+bookingColumns+` FROM fed_booking WHERE user_id = $1 ORDER BY id DESC LIMIT 200`, userID)
}

func (s *Store) bookings(ctx context.Context, q string, args ...any) ([]federation.RemoteBooking, error) {
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []federation.RemoteBooking{}
	for rows.Next() {
		b, err := scanBooking(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// RemoteBooking reads a booking.
func (s *Store) RemoteBooking(ctx context.Context, id int64) (federation.RemoteBooking, error) {
	return scanBooking(s.read.QueryRowContext(ctx, `SELECT `+bookingColumns+` FROM fed_booking WHERE id = $1`, id))
}

// ApplyOrderEvents brings the bookings the events name to the home's
// state and moves the order cursor, in one transaction.
func (s *Store) ApplyOrderEvents(ctx context.Context, home string, evs []federation.OrderEvent, cursor int64, at time.Time) error {
	sort.Slice(evs, func(a, b int) bool { return evs[a].Seq < evs[b].Seq })
	return s.opsTx(ctx, func(tx *sql.Tx) error {
		for _, e := range evs {
			state := e.State
			switch e.HoldState {
			case federation.Held:
				state = federation.Held
			case federation.Expired:
				state = federation.Expired
			}
			if _, err := tx.ExecContext(ctx, `UPDATE fed_booking SET state = $3, amount = $4, updated_at = $5, penalty = $6 WHERE home = $1 AND idem_key = $2`,
				home, e.Key, state, e.AmountFen, at.Unix(), e.PenaltyFen); err != nil {
				return err
			}
			// The first evidence of the confirmed usage is kept: it is
			// what the voucher settles on (the caller verified it).
			if e.Evidence != "" {
				if _, err := tx.ExecContext(ctx, `UPDATE fed_booking SET evidence = $4, evidence_sig = $5 WHERE home = $1 AND idem_key = $2 AND hold_id = $3 AND evidence = ''`,
					home, e.Key, e.HoldID, e.Evidence, e.EvidenceSig); err != nil {
					return err
				}
			}
		}
		if err := ensurePeer(ctx, tx, home); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE fed_peer_state SET order_cursor = $2 WHERE peer = $1`, home, cursor)
		return err
	})
}

// UserIdentity is the first provider identity linked to an account.
func (s *Store) UserIdentity(ctx context.Context, userID int64) (string, string, error) {
	var iss, sub string
	err := s.read.QueryRowContext(ctx, `SELECT issuer, subject FROM account_identity WHERE user_id = $1 ORDER BY created_at, issuer LIMIT 1`, userID).Scan(&iss, &sub)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", apperr.New(apperr.NotFound, "federation.err.no_identity")
	}
	return iss, sub, err
}
