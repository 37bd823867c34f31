package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
)

// The states of an enterprise request.
const (
	RequestPending   = "pending"
	RequestConfirmed = "confirmed"
	RequestRejected  = "rejected"
)

// EnterpriseRequest is a firm a district's enterprise import named that
// is not one of the district's firms: it waits for the city to confirm
// it (then it is written as requested) or refuse it with a reason.
type EnterpriseRequest struct {
	ID          int64
	Row         EnterpriseWithYear // as the file stated it
	RequestedBy int64
	RequestedAt time.Time
	State       string
	DecidedBy   int64
	DecidedAt   time.Time
	Reason      string
	// RegisteredIn is the district of an enterprise already registered
	// under the credit code: read for city scopes only, because it is
	// exactly what a district must not learn.
	RegisteredIn string
}

// DistrictImport is what ImportDistrictEnterprises did.
type DistrictImport struct {
	Written UpsertResult // the district's own firms
	Pending int          // rows sent to the city for confirmation
}

// ImportDistrictEnterprises writes an enterprise list of a district user
// (every row already in the district, as the file states it) in one
// transaction: rows whose credit code is one of the district's firms are
// written; every other row becomes (or refreshes) a pending request for
// the city, whether the code is unknown or registered in another
// district, and nothing of another district's firm is read into the
// answer or written. opts.DryRun counts without writing.
func (s *Store) ImportDistrictEnterprises(ctx context.Context, sc auth.Scope, by int64, rows []EnterpriseWithYear, opts ImportOptions) (DistrictImport, error) {
	var out DistrictImport
	if sc.IsAll() || sc.RegionCode == "" || sc.EnterpriseID != 0 {
		return out, apperr.New(apperr.Forbidden, "err.forbidden")
	}
	for _, r := range rows {
		if r.Enterprise.RegionCode != sc.RegionCode {
			return out, apperr.New(apperr.Forbidden, "err.forbidden")
		}
	}
	errDry := errors.New("dry run")
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		own := map[string]bool{}
		q, err := tx.QueryContext(ctx, `SELECT credit_code FROM enterprise WHERE region_code = $1`, sc.RegionCode)
		if err != nil {
			return err
		}
		for q.Next() {
			var code string
			if err := q.Scan(&code); err != nil {
				q.Close()
				return err
			}
			own[code] = true
		}
		q.Close()
		if err := q.Err(); err != nil {
			return err
		}
		var mine, others []EnterpriseWithYear
		for _, r := range rows {
			if own[r.Enterprise.CreditCode] {
				mine = append(mine, r)
			} else {
				others = append(others, r)
			}
		}
		out.Pending = len(others)
		if len(mine) > 0 {
			if out.Written, err = s.upsertEnterprisesTx(ctx, tx, mine); err != nil {
				return err
			}
		}
		now := s.now().UTC().Unix()
		for _, r := range others {
			payload, err := json.Marshal(r)
			if err != nil {
				return err
			}
			// One pending request per code and district: a second upload
			// refreshes it.
			res, err := tx.ExecContext(ctx, `UPDATE enterprise_request SET name = $1, payload = $2, requested_by = $3, requested_at = $4
				WHERE credit_code = $5 AND region_code = $6 AND state = $7`,
				r.Enterprise.Name, string(payload), by, now, r.Enterprise.CreditCode, r.Enterprise.RegionCode, RequestPending)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO enterprise_request (credit_code, region_code, name, payload, requested_by, requested_at, state)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.Enterprise.CreditCode, r.Enterprise.RegionCode, r.Enterprise.Name, string(payload), by, now, RequestPending); err != nil {
				return fmt.Errorf("sqlstore: enterprise request: %w", err)
			}
		}
		if opts.DryRun {
			return errDry
		}
		return nil
	})
	if errors.Is(err, errDry) {
		err = nil
	}
	return out, err
}

const requestColumns = `r.id, r.payload, r.requested_by, r.requested_at, r.state, r.decided_by, r.decided_at, r.reason`

func scanRequest(row rowScanner, extra ...any) (EnterpriseRequest, error) {
	var q EnterpriseRequest
	var payload string
	var at, decided int64
	if err := row.Scan(append([]any{&q.ID, &payload, &q.RequestedBy, &at, &q.State, &q.DecidedBy, &decided, &q.Reason}, extra...)...); err != nil {
		return q, err
	}
	if err := json.Unmarshal([]byte(payload), &q.Row); err != nil {
		return q, fmt.Errorf("sqlstore: enterprise request %d: %w", q.ID, err)
	}
	q.RequestedAt = time.Unix(at, 0).UTC()
	if decided > 0 {
		q.DecidedAt = time.Unix(decided, 0).UTC()
	}
	return q, nil
}

// EnterpriseRequests lists requests in sc, newest first: a city scope
// sees every district's with RegisteredIn, a district its own requests
// only and nothing about registrations elsewhere. state "" is any.
func (s *Store) EnterpriseRequests(ctx context.Context, sc auth.Scope, state string) ([]EnterpriseRequest, error) {
	var (
		query string
		args  []any
	)
	switch {
	case sc.IsAll():
		query = `SELECT ` + requestColumns + `, COALESCE(e.region_code, '') FROM enterprise_request r LEFT JOIN enterprise e ON e.credit_code = r.credit_code WHERE ($1 = '' OR r.state = $1)`
		args = []any{state}
	case sc.RegionCode != "" && sc.EnterpriseID == 0:
		query = `SELECT ` + requestColumns + ` FROM enterprise_request r WHERE ($1 = '' OR r.state = $1) AND r.region_code = $2`
		args = []any{state, sc.RegionCode}
	default:
		return nil, apperr.New(apperr.Forbidden, "err.forbidden")
	}
	rows, err := s.read.QueryContext(ctx, query+` ORDER BY r.requested_at DESC, r.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []EnterpriseRequest{}
	for rows.Next() {
		var (
			q   EnterpriseRequest
			reg string
		)
		if sc.IsAll() {
			q, err = scanRequest(rows, &reg)
			q.RegisteredIn = reg
		} else {
			q, err = scanRequest(rows)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// Decision is the city's answer to a request.
type Decision struct {
	Confirm bool   // write the firm as requested; false refuses it
	Reason  string // required to refuse
	By      int64
}

// DecideEnterpriseRequest confirms or refuses a pending request in one
// transaction; a confirmed firm is written as the district stated it
// (moving a firm registered elsewhere is the city's decision to make).
func (s *Store) DecideEnterpriseRequest(ctx context.Context, id int64, d Decision) (EnterpriseRequest, error) {
	var q EnterpriseRequest
	if !d.Confirm && d.Reason == "" {
		return q, apperr.New(apperr.Invalid, "import.err.reason_required")
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		q, err = scanRequest(tx.QueryRowContext(ctx, `SELECT `+requestColumns+` FROM enterprise_request r WHERE r.id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "err.not_found")
		}
		if err != nil {
			return err
		}
		if q.State != RequestPending {
			return apperr.New(apperr.Conflict, "import.err.request_decided", q.State)
		}
		q.State, q.DecidedBy, q.DecidedAt, q.Reason = RequestRejected, d.By, s.now().UTC().Truncate(time.Second), d.Reason
		if d.Confirm {
			q.State = RequestConfirmed
			if _, err := s.upsertEnterprisesTx(ctx, tx, []EnterpriseWithYear{q.Row}); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE enterprise_request SET state = $1, decided_by = $2, decided_at = $3, reason = $4 WHERE id = $5`,
			q.State, q.DecidedBy, q.DecidedAt.Unix(), q.Reason, id)
		return err
	})
	return q, err
}
