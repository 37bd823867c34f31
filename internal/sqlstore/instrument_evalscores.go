package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/industrybrain/ibrain/internal/instruments"
)

// Entered scores of the evaluation's document-judged indicators
// (instruments.EvalScoreStore, migration 0032).

// PutEvalScore writes a score, replacing the earlier one.
func (s *Store) PutEvalScore(ctx context.Context, sc instruments.EvalScore) error {
	return s.opsTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO instrument_eval_score (unit_id, year, indicator, points, note, evidence, entered_by, entered_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (unit_id, year, indicator) DO UPDATE SET points = excluded.points, note = excluded.note, evidence = excluded.evidence,
			entered_by = excluded.entered_by, entered_at = excluded.entered_at`,
			sc.UnitID, sc.Year, sc.Indicator, sc.Points, sc.Note, sc.Evidence, sc.EnteredBy, unixOf(sc.EnteredAt))
		if err != nil {
			return fmt.Errorf("sqlstore: evaluation score: %w", err)
		}
		return nil
	})
}

// EvalScores lists a year's entered scores by unit and indicator.
func (s *Store) EvalScores(ctx context.Context, year int) ([]instruments.EvalScore, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT unit_id, year, indicator, points, note, evidence, entered_by, entered_at FROM instrument_eval_score
		WHERE year = $1 ORDER BY unit_id, indicator`, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []instruments.EvalScore{}
	for rows.Next() {
		var sc instruments.EvalScore
		var at int64
		if err := rows.Scan(&sc.UnitID, &sc.Year, &sc.Indicator, &sc.Points, &sc.Note, &sc.Evidence, &sc.EnteredBy, &at); err != nil {
			return nil, err
		}
		sc.EnteredAt = unixOrZero(at)
		out = append(out, sc)
	}
	return out, rows.Err()
}
