package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/reporting"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Online reporting (internal/reporting): report_submission is the working
// copy and its review state; monthly_report stays the accepted data.
// Accepting writes through upsertReportsTx in the same transaction, so the
// summaries move by delta and every reader sees accepted data only.

// ReportingCurrent reads one submission's current state.
func (s *Store) ReportingCurrent(ctx context.Context, sc auth.Scope, k reporting.Key) (reporting.Current, error) {
	return loadCurrent(ctx, s.read, sc, k, newCurrentCache())
}

// ApplySubmissions implements reporting.Store.
func (s *Store) ApplySubmissions(ctx context.Context, sc auth.Scope, keys []reporting.Key, decide func([]reporting.Current) ([]reporting.Change, error)) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		locks := newCurrentCache()
		curs := make([]reporting.Current, len(keys))
		for i, k := range keys {
			c, err := loadCurrent(ctx, tx, sc, k, locks)
			if err != nil {
				return err
			}
			curs[i] = c
		}
		changes, err := decide(curs)
		if err != nil {
			return err
		}
		var accepted []report.Monthly
		for _, ch := range changes {
			if ch.Skip {
				continue
			}
			if err := upsertSubmissionTx(ctx, tx, ch.Submission); err != nil {
				return err
			}
			if err := appendReviewEventTx(ctx, tx, ch.Event); err != nil {
				return err
			}
			if ch.WriteAccepted {
				accepted = append(accepted, report.Monthly{EnterpriseID: ch.Submission.EnterpriseID, Period: ch.Submission.Period, Values: ch.Submission.Values})
			}
		}
		if len(accepted) > 0 {
			// The decision already judged the locks (a revision accepted by
			// a publisher writes a locked period on purpose).
			if _, err := s.upsertReportsTx(ctx, tx, accepted, WriteOptions{AcceptedRevision: true}); err != nil {
				return err
			}
		}
		return nil
	})
}

// currentCache holds what many keys of one batch share.
type currentCache struct {
	locks   map[report.Period]bool
	dirYear map[int]int
}

func newCurrentCache() *currentCache {
	return &currentCache{locks: map[report.Period]bool{}, dirYear: map[int]int{}}
}

// directoryYear is the latest year up to y with a 规上 directory (yearly
// records): y itself once that year's directory is loaded, the year
// before while it is not yet (a new year's first reports).
func directoryYear(ctx context.Context, q queryer, c *currentCache, y int) (int, error) {
	if d, ok := c.dirYear[y]; ok {
		return d, nil
	}
	var d sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT MAX(year) FROM enterprise_year WHERE year <= $1`, y).Scan(&d); err != nil {
		return 0, err
	}
	c.dirYear[y] = int(d.Int64)
	return c.dirYear[y], nil
}

// loadCurrent reads one key's state through q (the read pool or the write
// transaction).
func loadCurrent(ctx context.Context, q queryer, sc auth.Scope, k reporting.Key, cache *currentCache) (reporting.Current, error) {
	locks := cache.locks
	var c reporting.Current
	where, args := scopeClause(sc, "e", 2)
	err := q.QueryRowContext(ctx, `SELECT e.id, e.credit_code, e.name, e.region_code FROM enterprise e WHERE e.id = $1 AND `+where,
		append([]any{k.EnterpriseID}, args...)...).Scan(&c.Firm.ID, &c.Firm.CreditCode, &c.Firm.Name, &c.Firm.RegionCode)
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.New(apperr.NotFound, "err.enterprise_not_found")
	}
	if err != nil {
		return c, err
	}
	sub, ok, err := readSubmission(ctx, q, k)
	if err != nil {
		return c, err
	}
	c.Submission = sub
	if !ok {
		c.Submission = reporting.Submission{EnterpriseID: k.EnterpriseID, Period: k.Period, State: review.Missing}
	}
	if c.Accepted, err = acceptedValues(ctx, q, k.EnterpriseID, k.Period); err != nil {
		return c, err
	}
	if prev, ok := k.Period.Prev(); ok {
		if c.History.Prev, err = acceptedValues(ctx, q, k.EnterpriseID, prev); err != nil {
			return c, err
		}
	}
	if c.History.LastYear, err = acceptedValues(ctx, q, k.EnterpriseID, report.Period{Year: k.Period.Year - 1, Month: k.Period.Month}); err != nil {
		return c, err
	}
	var above int
	var size string
	dir, err := directoryYear(ctx, q, cache, k.Period.Year)
	if err != nil {
		return c, err
	}
	err = q.QueryRowContext(ctx, `SELECT above_scale, size FROM enterprise_year WHERE enterprise_id = $1 AND year = $2`, k.EnterpriseID, dir).Scan(&above, &size)
	switch {
	case err == nil:
		c.History.StatusKnown, c.History.AboveScale, c.History.Size = true, above == 1, enterprise.Size(size)
	case !errors.Is(err, sql.ErrNoRows):
		return c, err
	}
	locked, ok := locks[k.Period]
	if !ok {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM period_lock WHERE domain = $1 AND year = $2 AND month = $3`,
			string(review.MonthlyReport), k.Period.Year, k.Period.Month).Scan(&n); err != nil {
			return c, err
		}
		locked = n > 0
		locks[k.Period] = locked
	}
	c.Locked = locked
	return c, nil
}

func acceptedValues(ctx context.Context, q queryer, id int64, p report.Period) (*report.Values, error) {
	var v report.Values
	dest := make([]any, len(v))
	for i := range v {
		dest[i] = &v[i]
	}
	err := q.QueryRowContext(ctx, `SELECT `+strings.Join(reportColumns, ", ")+` FROM monthly_report WHERE enterprise_id = $1 AND year = $2 AND month = $3`,
		id, p.Year, p.Month).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

const submissionColumns = `state, revision, source, warnings, rules_version, note, return_reason, updated_by, updated_at, submitted_by, submitted_at, reviewed_by, reviewed_at`

func readSubmission(ctx context.Context, q queryer, k reporting.Key) (reporting.Submission, bool, error) {
	sub := reporting.Submission{EnterpriseID: k.EnterpriseID, Period: k.Period}
	var rev int
	var warnings string
	var upd, subm, rvw int64
	dest := []any{&sub.State, &rev, &sub.Source, &warnings, &sub.RulesVersion, &sub.Note, &sub.ReturnReason, &sub.UpdatedBy, &upd, &sub.SubmittedBy, &subm, &sub.ReviewedBy, &rvw}
	for i := range sub.Values {
		dest = append(dest, &sub.Values[i])
	}
	err := q.QueryRowContext(ctx, `SELECT `+submissionColumns+`, `+strings.Join(reportColumns, ", ")+` FROM report_submission WHERE enterprise_id = $1 AND year = $2 AND month = $3`,
		k.EnterpriseID, k.Period.Year, k.Period.Month).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return sub, false, nil
	}
	if err != nil {
		return sub, false, err
	}
	sub.Revision = rev == 1
	sub.UpdatedAt, sub.SubmittedAt, sub.ReviewedAt = unixOrZero(upd), unixOrZero(subm), unixOrZero(rvw)
	if err := json.Unmarshal([]byte(warnings), &sub.Findings); err != nil {
		return sub, false, fmt.Errorf("sqlstore: submission %d %s warnings: %w", k.EnterpriseID, k.Period, err)
	}
	return sub, true, nil
}

// unixOrZero maps the columns' 0 ("never") to the zero time.
func unixOrZero(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(v, 0).UTC()
}

func unixOf(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func upsertSubmissionTx(ctx context.Context, tx *sql.Tx, sub reporting.Submission) error {
	findings := sub.Findings
	if findings == nil {
		findings = []reporting.Finding{}
	}
	w, err := json.Marshal(findings)
	if err != nil {
		return err
	}
	rev := 0
	if sub.Revision {
		rev = 1
	}
	cols := `enterprise_id, year, month, ` + submissionColumns + `, ` + strings.Join(reportColumns, ", ")
	n := 3 + 13 + len(reportColumns)
	ph := make([]string, n)
	for i := range ph {
		ph[i] = "$" + strconv.Itoa(i+1)
	}
	sets := []string{}
	for _, c := range strings.Split(submissionColumns+", "+strings.Join(reportColumns, ", "), ", ") {
		sets = append(sets, c+" = excluded."+c)
	}
	args := []any{sub.EnterpriseID, sub.Period.Year, sub.Period.Month, string(sub.State), rev, sub.Source, string(w), sub.RulesVersion, sub.Note, sub.ReturnReason,
		sub.UpdatedBy, unixOf(sub.UpdatedAt), sub.SubmittedBy, unixOf(sub.SubmittedAt), sub.ReviewedBy, unixOf(sub.ReviewedAt)}
	for _, v := range sub.Values {
		args = append(args, v)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO report_submission (`+cols+`) VALUES (`+strings.Join(ph, ", ")+`)
		ON CONFLICT (enterprise_id, year, month) DO UPDATE SET `+strings.Join(sets, ", "), args...)
	if err != nil {
		return fmt.Errorf("sqlstore: submission %d %s: %w", sub.EnterpriseID, sub.Period, err)
	}
	return nil
}

// ReportingStatus implements reporting.Store: the firms expected for a
// period in sc are the above-scale firms of the year's directory (the
// latest one while the year's is not loaded) and every firm with a
// submission or an accepted report of the period. A firm without a
// submission whose report is stored counts as accepted (data loaded
// before online reporting, or by the system).
func (s *Store) ReportingStatus(ctx context.Context, sc auth.Scope, p report.Period) ([]reporting.FirmStatus, error) {
	dir, err := directoryYear(ctx, s.read, newCurrentCache(), p.Year)
	if err != nil {
		return nil, err
	}
	where, args := scopeClause(sc, "e", 4)
	rows, err := s.read.QueryContext(ctx, `SELECT e.id, e.credit_code, e.name, e.region_code,
			COALESCE(rs.state, ''), COALESCE(rs.revision, 0), COALESCE(rs.warnings, '[]'), COALESCE(rs.submitted_at, 0),
			CASE WHEN mr.enterprise_id IS NULL THEN 0 ELSE 1 END,
			COALESCE(rr.n, 0)
		FROM enterprise e
		LEFT JOIN report_submission rs ON rs.enterprise_id = e.id AND rs.year = $1 AND rs.month = $2
		LEFT JOIN monthly_report mr ON mr.enterprise_id = e.id AND mr.year = $1 AND mr.month = $2
		LEFT JOIN enterprise_year ey ON ey.enterprise_id = e.id AND ey.year = $3
		LEFT JOIN (SELECT enterprise_id, COUNT(*) AS n FROM report_reminder WHERE year = $1 AND month = $2 GROUP BY enterprise_id) rr ON rr.enterprise_id = e.id
		WHERE (ey.above_scale = 1 OR rs.enterprise_id IS NOT NULL OR mr.enterprise_id IS NOT NULL) AND `+where+`
		ORDER BY e.region_code, e.credit_code`, append([]any{p.Year, p.Month, dir}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []reporting.FirmStatus{}
	for rows.Next() {
		var f reporting.FirmStatus
		var state, warnings string
		var rev, stored int
		var at int64
		if err := rows.Scan(&f.Firm.ID, &f.Firm.CreditCode, &f.Firm.Name, &f.Firm.RegionCode, &state, &rev, &warnings, &at, &stored, &f.Reminders); err != nil {
			return nil, err
		}
		f.State = review.State(state)
		switch {
		case state == "" && stored == 1:
			f.State = review.Accepted
		case state == "":
			f.State = review.Missing
		}
		f.Revision, f.SubmittedAt = rev == 1, unixOrZero(at)
		var fs []reporting.Finding
		if err := json.Unmarshal([]byte(warnings), &fs); err == nil {
			for _, x := range fs {
				if x.Severity == reporting.Warning {
					f.Warnings++
				}
			}
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// AddReminders implements reporting.Store; firms outside sc are skipped.
func (s *Store) AddReminders(ctx context.Context, sc auth.Scope, p report.Period, ids []int64, by int64, at time.Time) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		where, args := scopeClause(sc, "e", 2)
		for _, id := range ids {
			var c int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM enterprise e WHERE e.id = $1 AND `+where, append([]any{id}, args...)...).Scan(&c); err != nil {
				return err
			}
			if c == 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO report_reminder (enterprise_id, year, month, sent_by, sent_at) VALUES ($1, $2, $3, $4, $5)`,
				id, p.Year, p.Month, by, at.Unix()); err != nil {
				return err
			}
			if err := s.noteReportingReminder(ctx, tx, id, p.Year, p.Month); err != nil { // the firm's accounts (notify.go)
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// PeriodRevisions implements reporting.Store: every firm in sc whose
// accepted data of the period was changed by an accepted revision, with
// its values as published (before the first accepted revision), as they
// stand now, and whether it is in the period's above-scale set.
func (s *Store) PeriodRevisions(ctx context.Context, sc auth.Scope, p report.Period) ([]reporting.FirmRevision, error) {
	dir, err := directoryYear(ctx, s.read, newCurrentCache(), p.Year)
	if err != nil {
		return nil, err
	}
	where, args := scopeClause(sc, "e", 5)
	rows, err := s.read.QueryContext(ctx, `SELECT e.id, e.credit_code, e.name, e.region_code, COALESCE(ey.above_scale, 0), ev.old_values, ev.actor_id, ev.at, ev.reason
		FROM review_event ev
		JOIN enterprise e ON CAST(e.id AS TEXT) = ev.subject
		LEFT JOIN enterprise_year ey ON ey.enterprise_id = e.id AND ey.year = $4
		WHERE ev.domain = $1 AND ev.year = $2 AND ev.month = $3 AND ev.revision = 1 AND ev.to_state = 'accepted' AND `+where+`
		ORDER BY ev.id`, append([]any{string(review.MonthlyReport), p.Year, p.Month, dir}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []reporting.FirmRevision
	seen := map[int64]int{}
	for rows.Next() {
		var f reporting.FirmRevision
		var above int
		var old string
		var at int64
		if err := rows.Scan(&f.Firm.ID, &f.Firm.CreditCode, &f.Firm.Name, &f.Firm.RegionCode, &above, &old, &f.LastBy, &at, &f.LastReason); err != nil {
			return nil, err
		}
		f.AboveScale, f.LastAt = above == 1, time.Unix(at, 0).UTC()
		if i, ok := seen[f.Firm.ID]; ok { // a later revision: keep the first published values
			out[i].Revisions++
			out[i].LastBy, out[i].LastAt, out[i].LastReason = f.LastBy, f.LastAt, f.LastReason
			continue
		}
		if err := parseValuesJSON(old, &f.Published); err != nil {
			return nil, err
		}
		f.Revisions = 1
		seen[f.Firm.ID] = len(out)
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		cur, err := acceptedValues(ctx, s.read, out[i].Firm.ID, p)
		if err != nil {
			return nil, err
		}
		if cur != nil {
			out[i].Revised = *cur
		}
	}
	return out, nil
}

// parseValuesJSON reads the {code: file-unit decimal} form of the history.
func parseValuesJSON(s string, v *report.Values) error {
	if s == "" {
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return err
	}
	for _, f := range report.Fields {
		x, err := unit.ParseScaled(m[f.Code], f.FileScale)
		if err != nil {
			return fmt.Errorf("sqlstore: history value %s %q: %w", f.Code, m[f.Code], err)
		}
		v[f.Field] = x
	}
	return nil
}
