package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/digital"
	"github.com/industrybrain/ibrain/internal/review"
)

// Applications for rungs of the recognition ladder (migration 0035): the
// application row holds its review state; every step is a review_event
// (domain digital_rung); an approval writes the recognition in the same
// transaction.

// isUniqueViolation reports whether err is a unique-key violation on
// either engine (SQLite's message, PostgreSQL's SQLSTATE 23505).
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	m := err.Error()
	return strings.Contains(m, "UNIQUE constraint failed") || strings.Contains(m, "23505") || strings.Contains(m, "duplicate key")
}

const rungAppCols = `a.id, a.enterprise_id, a.rung, a.year, a.name, a.future_type, a.evidence, a.answers, a.applied_on, a.state, a.reason,
	a.recommended_on, a.decided_on, COALESCE(a.recognition_id, 0), e.credit_code, e.name, e.region_code`

func scanRungApp(rows interface{ Scan(...any) error }) (digital.RungApplication, error) {
	var a digital.RungApplication
	var rung, ft, answers, applied, state, rec, dec string
	if err := rows.Scan(&a.ID, &a.EnterpriseID, &rung, &a.Year, &a.Name, &ft, &a.Evidence, &answers, &applied, &state, &a.Reason,
		&rec, &dec, &a.RecognitionID, &a.CreditCode, &a.FirmName, &a.RegionCode); err != nil {
		return a, err
	}
	a.Rung, a.FutureType, a.State = digital.Rung(rung), digital.FutureType(ft), review.State(state)
	a.AppliedOn, a.RecommendedOn, a.DecidedOn = parseDate(applied), parseDate(rec), parseDate(dec)
	if answers != "" {
		if err := json.Unmarshal([]byte(answers), &a.Answers); err != nil {
			return a, fmt.Errorf("sqlstore: rung application %d answers: %w", a.ID, err)
		}
	}
	return a, nil
}

func encodeAnswers(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m) // a map of strings always encodes
	return string(b)
}

// DigitalRungApplications lists the applications of the firms in scope,
// newest first, narrowed by q.
func (s *Store) DigitalRungApplications(ctx context.Context, sc auth.Scope, q digital.RungAppQuery) ([]digital.RungApplication, error) {
	cond, args := digitalCond(sc, digital.RecordFilter{RegionCode: q.RegionCode, EnterpriseID: q.EnterpriseID}, 1)
	if q.State != "" {
		args = append(args, string(q.State))
		cond += fmt.Sprintf(" AND a.state = $%d", len(args))
	}
	if q.Year != 0 {
		args = append(args, q.Year)
		cond += fmt.Sprintf(" AND a.year = $%d", len(args))
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+rungAppCols+` FROM digital_rung_application a JOIN enterprise e ON e.id = a.enterprise_id
		WHERE `+cond+` ORDER BY a.applied_on DESC, a.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: rung applications: %w", err)
	}
	defer rows.Close()
	var out []digital.RungApplication
	for rows.Next() {
		a, err := scanRungApp(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// DigitalRungApplication returns one application in scope.
func (s *Store) DigitalRungApplication(ctx context.Context, sc auth.Scope, id int64) (digital.RungApplication, error) {
	return s.digitalRungApp(ctx, s.read, sc, id)
}

func (s *Store) digitalRungApp(ctx context.Context, q queryer, sc auth.Scope, id int64) (digital.RungApplication, error) {
	where, args := scopeClause(sc, "e", 2)
	a, err := scanRungApp(q.QueryRowContext(ctx, `SELECT `+rungAppCols+` FROM digital_rung_application a JOIN enterprise e ON e.id = a.enterprise_id
		WHERE a.id = $1 AND `+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.New(apperr.NotFound, "err.digital.rungapp_not_found")
	}
	return a, err
}

func rungReviewEvent(a digital.RungApplication, act review.Action, from, to review.State, reason string, opts digital.WriteOptions, s *Store) review.Event {
	return review.Event{Domain: digital.RungReviewDomain, Subject: strconv.FormatInt(a.ID, 10), Period: review.Period{Year: a.Year},
		Action: act, From: from, To: to, ActorID: opts.ActorID, At: s.now(), Reason: reason}
}

// CreateDigitalRungApplication stores a submitted application of a firm in
// scope. A second open application of the firm for the rung and year is a
// conflict (the partial unique index decides a race).
func (s *Store) CreateDigitalRungApplication(ctx context.Context, sc auth.Scope, a digital.RungApplication, opts digital.WriteOptions) (digital.RungApplication, error) {
	var out digital.RungApplication
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.digitalFirm(ctx, tx, sc, a.EnterpriseID); err != nil {
			return err
		}
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO digital_rung_application (enterprise_id, rung, year, name, future_type, evidence, answers, applied_on,
			state, reason, recommended_on, decided_on, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '', '', '', $10, $11) RETURNING id`,
			a.EnterpriseID, string(a.Rung), a.Year, a.Name, string(a.FutureType), a.Evidence, encodeAnswers(a.Answers), formatDate(a.AppliedOn),
			string(review.Submitted), s.unix(), opts.By).Scan(&id)
		if isUniqueViolation(err) {
			return apperr.New(apperr.Conflict, "err.digital.rungapp_open", string(a.Rung), a.Year)
		}
		if err != nil {
			return fmt.Errorf("sqlstore: rung application: %w", err)
		}
		a.ID = id
		if err := appendReviewEventTx(ctx, tx, rungReviewEvent(a, review.Submit, review.Missing, review.Submitted, "", opts, s)); err != nil {
			return err
		}
		out, err = s.digitalRungApp(ctx, tx, auth.All(), id)
		return err
	})
	return out, err
}

// ReviewDigitalRungApplication decides a step (digital.DecideRung) on the
// stored application with the firm's records and writes it in one
// transaction: the application's state, the recognition an approval
// writes (a name already recognised for the rung refuses the whole step)
// and the review event.
func (s *Store) ReviewDigitalRungApplication(ctx context.Context, sc auth.Scope, id int64, step digital.RungStep, opts digital.WriteOptions) (digital.RungApplication, error) {
	var out digital.RungApplication
	if opts.Rules == nil {
		return out, errors.New("sqlstore: rung review without rules")
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		a, err := s.digitalRungApp(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		f := digital.Firm{EnterpriseID: a.EnterpriseID}
		rf := digital.RecordFilter{EnterpriseID: a.EnterpriseID}
		if f.Maturity, err = s.digitalMaturity(ctx, tx, auth.All(), rf); err != nil {
			return err
		}
		if f.Recognitions, err = s.digitalRecognitions(ctx, tx, auth.All(), rf); err != nil {
			return err
		}
		o, err := digital.DecideRung(a, f, step, opts.Rules)
		if err != nil {
			return err
		}
		na := o.App
		// The application first, the recognition after: a recognition the
		// database refuses rolls the step back whole.
		if _, err := tx.ExecContext(ctx, `UPDATE digital_rung_application SET state = $2, reason = $3, recommended_on = $4, decided_on = $5,
			evidence = $6, answers = $7, recorded_at = $8, recorded_by = $9 WHERE id = $1`, id, string(na.State), na.Reason,
			formatDate(na.RecommendedOn), formatDate(na.DecidedOn), na.Evidence, encodeAnswers(na.Answers), s.unix(), opts.By); err != nil {
			if isUniqueViolation(err) {
				return apperr.New(apperr.Conflict, "err.digital.rungapp_open", string(a.Rung), a.Year)
			}
			return fmt.Errorf("sqlstore: rung application: %w", err)
		}
		if rc := o.Recognition; rc != nil {
			var rid int64
			err := tx.QueryRowContext(ctx, `INSERT INTO digital_recognition (enterprise_id, rung, name, recognised_on, batch, future_type, note, recorded_at, recorded_by)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, rc.EnterpriseID, string(rc.Rung), rc.Name, formatDate(rc.RecognisedOn),
				rc.Batch, string(rc.FutureType), rc.Note, s.unix(), opts.By).Scan(&rid)
			if isUniqueViolation(err) {
				return apperr.New(apperr.Conflict, "err.digital.recognition_exists", rc.Name)
			}
			if err != nil {
				return fmt.Errorf("sqlstore: recognition: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE digital_rung_application SET recognition_id = $2 WHERE id = $1`, id, rid); err != nil {
				return err
			}
		}
		if err := appendReviewEventTx(ctx, tx, rungReviewEvent(na, step.Action, o.From, o.To, step.Reason, opts, s)); err != nil {
			return err
		}
		out, err = s.digitalRungApp(ctx, tx, sc, id)
		return err
	})
	return out, err
}
