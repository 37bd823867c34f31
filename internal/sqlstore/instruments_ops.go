package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The marketplace's booking-rule data, bulk import and files
// (instruments.OpsStore).

func termsJSON(t instruments.OrderTerms) string {
	b, _ := json.Marshal(t)
	return string(b)
}

// UnitRules reads a unit's own default rules.
func (s *Store) UnitRules(ctx context.Context, unitID int64) (instruments.Rules, bool, error) {
	var raw string
	err := s.read.QueryRowContext(ctx, `SELECT rules FROM sharing_unit_rules WHERE unit_id = $1`, unitID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return instruments.Rules{}, false, nil
	}
	if err != nil {
		return instruments.Rules{}, false, err
	}
	var r instruments.Rules
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return r, false, fmt.Errorf("sqlstore: unit %d rules: %w", unitID, err)
	}
	return r, true, nil
}

// PutUnitRules sets a unit's default rules.
func (s *Store) PutUnitRules(ctx context.Context, unitID int64, r instruments.Rules) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.opsTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sharing_unit WHERE id = $1`, unitID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.NotFound, "instruments.err.unit")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sharing_unit_rules (unit_id, rules, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (unit_id) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at`, unitID, string(raw), s.unix())
		return err
	})
}

const qualificationColumns = `id, user_id, unit_id, instrument_id, class_code, granted_on, expires_on, granted_by, revoked`

func scanQualification(r scanner) (instruments.Qualification, error) {
	var q instruments.Qualification
	var revoked int
	err := r.Scan(&q.ID, &q.UserID, &q.UnitID, &q.InstrumentID, &q.ClassCode, &q.GrantedOn, &q.ExpiresOn, &q.GrantedBy, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return q, apperr.New(apperr.NotFound, "instruments.err.no_qualification")
	}
	q.Revoked = revoked != 0
	return q, err
}

// PutQualification records a qualification.
func (s *Store) PutQualification(ctx context.Context, q instruments.Qualification) (instruments.Qualification, error) {
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM app_user WHERE id = $1`, q.UserID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.Invalid, "instruments.err.qualification_user")
		}
		return tx.QueryRowContext(ctx, `INSERT INTO instrument_qualification (user_id, unit_id, instrument_id, class_code, granted_on, expires_on, granted_by, revoked)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 0) RETURNING id`, q.UserID, q.UnitID, q.InstrumentID, q.ClassCode, q.GrantedOn, q.ExpiresOn, q.GrantedBy).Scan(&q.ID)
	})
	return q, err
}

// Qualification reads one qualification.
func (s *Store) Qualification(ctx context.Context, id int64) (instruments.Qualification, error) {
	return scanQualification(s.read.QueryRowContext(ctx, `SELECT `+qualificationColumns+` FROM instrument_qualification WHERE id = $1`, id))
}

// RevokeQualification marks a qualification revoked.
func (s *Store) RevokeQualification(ctx context.Context, id int64) (instruments.Qualification, error) {
	var q instruments.Qualification
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE instrument_qualification SET revoked = 1 WHERE id = $1`, id); err != nil {
			return err
		}
		var err error
		q, err = scanQualification(tx.QueryRowContext(ctx, `SELECT `+qualificationColumns+` FROM instrument_qualification WHERE id = $1`, id))
		return err
	})
	return q, err
}

// Qualifications lists a user's qualifications, a unit's, or all (both
// 0), newest first.
func (s *Store) Qualifications(ctx context.Context, userID, unitID int64) ([]instruments.Qualification, error) {
	where, args := "1 = 1", []any{}
	if userID != 0 {
		where, args = "user_id = $1", append(args, userID)
	} else if unitID != 0 {
		where, args = "unit_id = $1", append(args, unitID)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+qualificationColumns+` FROM instrument_qualification WHERE `+where+` ORDER BY id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []instruments.Qualification{}
	for rows.Next() {
		q, err := scanQualification(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// AddWindow adds a window to an instrument's rules, flags the live
// slotted orders it overlaps and writes a window_hit event for each, in
// one transaction under the instrument's row lock (a booking of the
// instrument waits, then sees the window).
func (s *Store) AddWindow(ctx context.Context, instrumentID, actorID int64, w instruments.Window) ([]instruments.Order, error) {
	var hits []instruments.Order
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		var raw string
		err := tx.QueryRowContext(ctx, `SELECT rules FROM instrument WHERE id = $1`+s.forUpdate(), instrumentID).Scan(&raw)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "instruments.err.not_found")
		}
		if err != nil {
			return err
		}
		var r instruments.Rules
		if err := json.Unmarshal([]byte(raw), &r); err != nil {
			return err
		}
		r.Maintenance = append(r.Maintenance, w)
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE instrument SET rules = $2 WHERE id = $1`, instrumentID, string(b)); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+orderColumns+` FROM instrument_order WHERE instrument_id = $1 AND start_at > 0 AND start_at < $3 AND end_at > $2
			AND state IN ('submitted', 'approved', 'scheduled') ORDER BY start_at`, instrumentID, w.Start.Unix(), w.End.Unix())
		if err != nil {
			return err
		}
		for rows.Next() {
			o, err := scanOrder(rows)
			if err != nil {
				rows.Close()
				return err
			}
			hits = append(hits, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range hits {
			hits[i].Flag, hits[i].FlagNote = w.Kind, w.Note
			if _, err := tx.ExecContext(ctx, `UPDATE instrument_order SET flag = $2, flag_note = $3 WHERE id = $1`, hits[i].ID, w.Kind, w.Note); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO order_event (order_id, from_state, to_state, actor_id, at, kind) VALUES ($1, $2, $2, $3, $4, $5)`,
				hits[i].ID, string(hits[i].State), actorID, s.unix(), instruments.EventWindowHit); err != nil {
				return err
			}
			// The customer is told in the same transaction (notify.go).
			if err := s.noteOrderEvent(ctx, tx, hits[i], instruments.OrderState(instruments.EventWindowHit), actorID); err != nil {
				return err
			}
		}
		return nil
	})
	return hits, err
}

// Violations counts a user's violations at a unit since a time
// (inclusive); waived ones do not count.
func (s *Store) Violations(ctx context.Context, userID, unitID int64, since time.Time) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM booking_violation WHERE user_id = $1 AND unit_id = $2 AND at >= $3 AND waived_by = 0`,
		userID, unitID, since.Unix()).Scan(&n)
	return n, err
}

// unitDetails reads a unit's instruments with their items, rates and
// managers, through q (the transaction or the read pool).
func (s *Store) unitDetails(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, unitID int64) ([]instruments.Detail, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+instrumentColumns+` FROM instrument i WHERE i.unit_id = $1 ORDER BY i.local_id`, unitID)
	if err != nil {
		return nil, err
	}
	var out []instruments.Detail
	byID := map[int64]int{}
	for rows.Next() {
		in, uses, _, rn, err := scanInstrument(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		byID[in.ID] = len(out)
		out = append(out, instruments.Detail{Instrument: in, Uses: uses, RatingN: rn})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	irows, err := q.QueryContext(ctx, `SELECT it.instrument_id, it.id, it.name, it.mode, it.charge_unit, r.category, r.effective_from, r.price
		FROM service_item it JOIN instrument i ON i.id = it.instrument_id LEFT JOIN service_rate r ON r.item_id = it.id
		WHERE i.unit_id = $1 ORDER BY it.instrument_id, it.id, r.category, r.effective_from`, unitID)
	if err != nil {
		return nil, err
	}
	defer irows.Close()
	for irows.Next() {
		var it instruments.ServiceItem
		var cat, from sql.NullString
		var price sql.NullInt64
		if err := irows.Scan(&it.InstrumentID, &it.ID, &it.Name, &it.Mode, &it.Unit, &cat, &from, &price); err != nil {
			return nil, err
		}
		d := &out[byID[it.InstrumentID]]
		if n := len(d.Items); n == 0 || d.Items[n-1].ID != it.ID {
			d.Items = append(d.Items, it)
		}
		if cat.Valid {
			last := &d.Items[len(d.Items)-1]
			last.Rates = append(last.Rates, instruments.Rate{Category: instruments.Category(cat.String), EffectiveFrom: from.String, Price: unit.Fen(price.Int64)})
		}
	}
	return out, irows.Err()
}

// UnitInstruments lists a unit's instruments with their items.
func (s *Store) UnitInstruments(ctx context.Context, unitID int64) ([]instruments.Detail, error) {
	return s.unitDetails(ctx, s.read, unitID)
}

// ManagedInstrumentIDs lists the instruments userID is an assigned manager
// of.
func (s *Store) ManagedInstrumentIDs(ctx context.Context, userID int64) ([]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT instrument_id FROM instrument_manager WHERE user_id = $1 ORDER BY instrument_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: managed instruments: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// ImportInstruments runs fn over the unit's stored instruments and writes
// its plan in the same transaction (the writer lock keeps a parallel
// import of the unit from slipping between the read and the write). A
// dry run rolls back.
func (s *Store) ImportInstruments(ctx context.Context, opts instruments.ImportOptions,
	fn func(u instruments.Unit, stored map[string]instruments.Detail) (instruments.ImportPlan, error)) (instruments.ImportResult, error) {
	unitID := opts.UnitID
	var res instruments.ImportResult
	errDry := errors.New("dry run")
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		u := instruments.Unit{ID: unitID}
		err := tx.QueryRowContext(ctx, `SELECT name, unit_type, region_code FROM sharing_unit WHERE id = $1`, unitID).Scan(&u.Name, &u.Type, &u.RegionCode)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "instruments.err.unit")
		}
		if err != nil {
			return err
		}
		ds, err := s.unitDetails(ctx, tx, unitID)
		if err != nil {
			return err
		}
		stored := make(map[string]instruments.Detail, len(ds))
		for _, d := range ds {
			stored[d.LocalID] = d
		}
		plan, err := fn(u, stored)
		if err != nil {
			return err
		}
		res = plan.Result
		if opts.DryRun {
			return errDry
		}
		news := make([]NewInstrument, len(plan.Create))
		for i, n := range plan.Create {
			news[i] = NewInstrument{Instrument: n.Instrument, Items: n.Items}
		}
		if err := s.createInstrumentsTx(ctx, tx, news, CreateOptions{}, make([]int64, len(news))); err != nil {
			return err
		}
		for _, ch := range plan.Update {
			if err := s.applyChange(ctx, tx, stored[ch.Instrument.LocalID], ch); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errDry) {
		err = nil
	}
	return res, err
}

// applyChange writes an imported change of a stored instrument: its
// catalogue fields, new items and rates, the price facet and the search
// terms.
func (s *Store) applyChange(ctx context.Context, tx *sql.Tx, old instruments.Detail, ch instruments.InstrumentChange) error {
	in := ch.Instrument
	items := old.Items
	for i := range items {
		items[i].Rates = append(items[i].Rates, ch.NewRates[items[i].ID]...)
		for _, r := range ch.NewRates[items[i].ID] {
			if _, err := tx.ExecContext(ctx, `INSERT INTO service_rate (item_id, category, effective_from, price) VALUES ($1, $2, $3, $4)`,
				items[i].ID, string(r.Category), r.EffectiveFrom, int64(r.Price)); err != nil {
				return fmt.Errorf("sqlstore: rate: %w", err)
			}
		}
	}
	for _, it := range ch.NewItems {
		var itemID int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO service_item (instrument_id, name, mode, charge_unit) VALUES ($1, $2, $3, $4) RETURNING id`,
			in.ID, it.Name, string(it.Mode), string(it.Unit)).Scan(&itemID); err != nil {
			return fmt.Errorf("sqlstore: service item: %w", err)
		}
		for _, r := range it.Rates {
			if _, err := tx.ExecContext(ctx, `INSERT INTO service_rate (item_id, category, effective_from, price) VALUES ($1, $2, $3, $4)`,
				itemID, string(r.Category), r.EffectiveFrom, int64(r.Price)); err != nil {
				return fmt.Errorf("sqlstore: rate: %w", err)
			}
		}
		items = append(items, it)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE instrument SET name = $2, class_code = $3, subclass = $4, model = $5, manufacturer = $6, country = $7,
		original_value = $8, purchase_date = $9, location = $10, region_code = $11, specs = $12, capabilities = $13, sample_req = $14, contact = $15,
		mode_self = $16, mode_assisted = $17, mode_sample = $18, price_from = $19 WHERE id = $1`,
		in.ID, in.Name, in.ClassCode, in.Subclass, in.Model, in.Manufacturer, in.Country, int64(in.OriginalValue), in.PurchaseDate, in.Location,
		in.RegionCode, in.Specs, in.Capabilities, in.SampleReq, in.Contact, boolInt(in.HasMode(instruments.SelfOperation)),
		boolInt(in.HasMode(instruments.Assisted)), boolInt(in.HasMode(instruments.SampleSending)), int64(priceFrom(items))); err != nil {
		return fmt.Errorf("sqlstore: import instrument: %w", err)
	}
	return s.indexInstrument(ctx, tx, in)
}

const fileColumns = `id, instrument_id, kind, name, content_type, size, sha256, path, uploaded_by, created_at`

func scanFile(r scanner, extra ...any) (instruments.File, error) {
	var f instruments.File
	var at int64
	err := r.Scan(append([]any{&f.ID, &f.InstrumentID, &f.Kind, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.Path, &f.UploadedBy, &at}, extra...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return f, apperr.New(apperr.NotFound, "instruments.err.no_file")
	}
	f.CreatedAt = time.Unix(at, 0).UTC()
	return f, err
}

// PutFile records a file with its bytes (nil: kept in the directory).
func (s *Store) PutFile(ctx context.Context, f instruments.File, data []byte) (instruments.File, error) {
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO instrument_file (instrument_id, kind, name, content_type, size, sha256, path, data, uploaded_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, f.InstrumentID, f.Kind, f.Name, f.ContentType, f.Size, f.SHA256, f.Path,
			data, f.UploadedBy, f.CreatedAt.Unix()).Scan(&f.ID)
	})
	return f, err
}

// Files lists an instrument's files, photos first, oldest first.
func (s *Store) Files(ctx context.Context, instrumentID int64) ([]instruments.File, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+fileColumns+` FROM instrument_file WHERE instrument_id = $1 ORDER BY kind DESC, id`, instrumentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []instruments.File{}
	for rows.Next() {
		f, err := scanFile(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// FileData reads a file with its stored bytes.
func (s *Store) FileData(ctx context.Context, id int64) (instruments.File, []byte, error) {
	var data []byte
	f, err := scanFile(s.read.QueryRowContext(ctx, `SELECT `+fileColumns+`, data FROM instrument_file WHERE id = $1`, id), &data)
	return f, data, err
}

// DeleteFile removes a file's record.
func (s *Store) DeleteFile(ctx context.Context, id int64) (instruments.File, error) {
	var f instruments.File
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		var err error
		if f, err = scanFile(tx.QueryRowContext(ctx, `SELECT `+fileColumns+` FROM instrument_file WHERE id = $1`, id)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM instrument_file WHERE id = $1`, id)
		return err
	})
	return f, err
}
