package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/hardtech"
	"github.com/industrybrain/ibrain/internal/unit"
)

// AdmitHardtech admits an enterprise to a year's hard-tech pool, in one
// transaction: the enterprise must exist inside sc (a district officer
// admits firms of their district), must not be an active member of that
// year's pool, and must have a base revenue: the December year-to-date
// revenue of its monthly report for the year before, or failing that the
// prior-year revenue on its yearly statistical record. A member removed
// earlier is admitted again in place. Two concurrent admissions of the
// same firm cannot both succeed: writes are serialised and (year,
// enterprise) is the table's primary key.
func (s *Store) AdmitHardtech(ctx context.Context, sc auth.Scope, a hardtech.Admission, policy hardtech.Policy, userID int64) (hardtech.Member, error) {
	var m hardtech.Member
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		where, args := scopeClause(sc, "e", 2)
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM enterprise e WHERE e.id = $1 AND `+where, append([]any{a.EnterpriseID}, args...)...).Scan(&n); err != nil {
			return err
		}
		var removed int
		err := tx.QueryRowContext(ctx, `SELECT removed FROM hardtech_member WHERE year = $1 AND enterprise_id = $2`, a.Year, a.EnterpriseID).Scan(&removed)
		present := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		base, source, baseOK, err := baseRevenue(ctx, tx, a.EnterpriseID, a.Year)
		if err != nil {
			return err
		}
		if m, err = hardtech.CheckAdmission(policy, a, n > 0, present && removed == 0, base, source, baseOK); err != nil {
			return err
		}
		m.AdmittedOn, m.AdmittedBy = s.now().UTC(), userID
		if present {
			_, err = tx.ExecContext(ctx, `UPDATE hardtech_member SET base_year = $3, base_revenue = $4, base_source = $5, reasons = $6, policy_version = $7, admitted_on = $8, admitted_by = $9,
				removed = 0, removed_on = '', removed_by = 0, removal_reason = '' WHERE year = $1 AND enterprise_id = $2`,
				m.Year, m.EnterpriseID, m.BaseYear, int64(m.BaseRevenue), m.BaseSource, m.Reasons, m.PolicyVersion, formatDate(m.AdmittedOn), m.AdmittedBy)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO hardtech_member (year, enterprise_id, base_year, base_revenue, base_source, reasons, policy_version, admitted_on, admitted_by, removed, removed_on, removed_by, removal_reason)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, '', 0, '')`,
				m.Year, m.EnterpriseID, m.BaseYear, int64(m.BaseRevenue), m.BaseSource, m.Reasons, m.PolicyVersion, formatDate(m.AdmittedOn), m.AdmittedBy)
		}
		if err != nil {
			return fmt.Errorf("sqlstore: admit %d to the %d pool: %w", a.EnterpriseID, a.Year, err)
		}
		return nil
	})
	return m, err
}

// baseRevenue finds the revenue of the year before admission.
func baseRevenue(ctx context.Context, tx *sql.Tx, id int64, year int) (unit.Fen, string, bool, error) {
	var v int64
	err := tx.QueryRowContext(ctx, `SELECT revenue FROM monthly_report WHERE enterprise_id = $1 AND year = $2 AND month = 12`, id, year-1).Scan(&v)
	if err == nil && v > 0 {
		return unit.Fen(v), hardtech.BaseReport, true, nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, "", false, err
	}
	// enterprise_year.revenue of the admission year is the prior year's
	// operating revenue (the size-class basis).
	err = tx.QueryRowContext(ctx, `SELECT revenue FROM enterprise_year WHERE enterprise_id = $1 AND year = $2`, id, year).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", false, nil
	}
	if err != nil {
		return 0, "", false, err
	}
	return unit.Fen(v), hardtech.BaseRegistry, v > 0, nil
}

// RemoveHardtech removes an active member from a year's pool, keeping the
// row with who removed it, when and why; the firm shows as exited.
func (s *Store) RemoveHardtech(ctx context.Context, sc auth.Scope, year int, enterpriseID int64, reason string, userID int64) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return apperr.New(apperr.Invalid, "hardtech.err.no_reason")
	}
	if len([]rune(reason)) > hardtech.MaxReasonLen {
		return apperr.New(apperr.Invalid, "hardtech.err.reason_long", hardtech.MaxReasonLen)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		where, args := scopeClause(sc, "e", 6)
		res, err := tx.ExecContext(ctx, `UPDATE hardtech_member SET removed = 1, removed_on = $3, removed_by = $4, removal_reason = $5
			WHERE year = $1 AND enterprise_id = $2 AND removed = 0 AND enterprise_id IN (SELECT e.id FROM enterprise e WHERE `+where+`)`,
			append([]any{year, enterpriseID, formatDate(s.now().UTC()), userID, reason}, args...)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "hardtech.err.not_member", year)
		}
		return nil
	})
}

// HardtechMembers returns the members of a year's pool inside sc (every
// year when year is 0), by region then name, each with the December
// year-to-date revenues of the years from its base year to the end of the
// horizon.
func (s *Store) HardtechMembers(ctx context.Context, sc auth.Scope, year, horizon int) ([]hardtech.Row, error) {
	where, args := scopeClause(sc, "e", 2)
	rows, err := s.read.QueryContext(ctx, `SELECT h.year, h.enterprise_id, h.base_year, h.base_revenue, h.base_source, h.reasons, h.policy_version, h.admitted_on, h.admitted_by,
			h.removed, h.removed_on, h.removed_by, h.removal_reason, e.credit_code, e.name, e.region_code, e.industry_code, COALESCE(ey.size, '')
		FROM hardtech_member h JOIN enterprise e ON e.id = h.enterprise_id
		LEFT JOIN enterprise_year ey ON ey.enterprise_id = h.enterprise_id AND ey.year = h.year
		WHERE ($1 = 0 OR h.year = $1) AND `+where+` ORDER BY h.year, e.region_code, e.name`, append([]any{year}, args...)...)
	if err != nil {
		return nil, err
	}
	var out []hardtech.Row
	for rows.Next() {
		var r hardtech.Row
		var base int64
		var removed int
		var admitted, removedOn, size string
		if err := rows.Scan(&r.Year, &r.EnterpriseID, &r.BaseYear, &base, &r.BaseSource, &r.Reasons, &r.PolicyVersion, &admitted, &r.AdmittedBy,
			&removed, &removedOn, &r.RemovedBy, &r.RemovalReason, &r.CreditCode, &r.Name, &r.RegionCode, &r.IndustryCode, &size); err != nil {
			rows.Close()
			return nil, err
		}
		r.BaseRevenue, r.Removed, r.AdmittedOn, r.RemovedOn, r.Size = unit.Fen(base), removed == 1, parseDate(admitted), parseDate(removedOn), enterprise.Size(size)
		r.Revenue = map[int]unit.Fen{}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	// One query for every member's December revenues.
	rev, err := s.read.QueryContext(ctx, `SELECT r.enterprise_id, r.year, r.revenue FROM monthly_report r
		WHERE r.month = 12 AND r.enterprise_id IN (SELECT h.enterprise_id FROM hardtech_member h WHERE $1 = 0 OR h.year = $1)`, year)
	if err != nil {
		return nil, err
	}
	defer rev.Close()
	byID := map[int64][]int{}
	for i, r := range out {
		byID[r.EnterpriseID] = append(byID[r.EnterpriseID], i)
	}
	for rev.Next() {
		var id int64
		var y int
		var v int64
		if err := rev.Scan(&id, &y, &v); err != nil {
			return nil, err
		}
		for _, i := range byID[id] {
			if y > out[i].BaseYear && y <= out[i].BaseYear+horizon {
				out[i].Revenue[y] = unit.Fen(v)
			}
		}
	}
	return out, rev.Err()
}

// HardtechYears lists the years that have a pool.
func (s *Store) HardtechYears(ctx context.Context) ([]int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT DISTINCT year FROM hardtech_member ORDER BY year`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			return nil, err
		}
		out = append(out, y)
	}
	return out, rows.Err()
}
