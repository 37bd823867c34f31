package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Bulk writes on PostgreSQL. A row-at-a-time INSERT … ON CONFLICT costs a
// round trip and a plan per row; COPY streams rows in PostgreSQL's binary
// format at the engine's own load speed. Upserts therefore COPY into a
// temporary staging table and merge from it with one INSERT … SELECT …
// ON CONFLICT, all inside the caller's transaction, so the all-or-nothing
// promise is unchanged. Tables that grew by a bulk write are analysed in
// the same transaction: the planner otherwise keeps the estimates of an
// empty table and picks nested loops over sequential scans (the 10× demo's
// summary rebuild ran for 12+ minutes that way; analysed, it takes
// seconds).

// bulkMinRows is the smallest write that goes through COPY: below it the
// staging table costs more than the rows.
const bulkMinRows = 2000

// copyFrom streams rows into table (columns cols) on tx's connection.
func (s *Store) copyFrom(ctx context.Context, tx *sql.Tx, table string, cols []string, rows [][]any) (int64, error) {
	c, ok := s.txConns.Load(tx)
	if !ok {
		return 0, errors.New("sqlstore: copy outside a write transaction")
	}
	var n int64
	err := c.(*sql.Conn).Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("sqlstore: copy needs a pgx connection, have %T", dc)
		}
		var err error
		n, err = pc.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlstore: copy into %s: %w", table, err)
	}
	return n, nil
}

// stageTable creates (or empties) a temporary table with the given column
// definitions, dropped at the end of the transaction.
func stageTable(ctx context.Context, tx *sql.Tx, name, columns string) error {
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS `+name+` (`+columns+`) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("sqlstore: staging table %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, `TRUNCATE `+name); err != nil {
		return fmt.Errorf("sqlstore: staging table %s: %w", name, err)
	}
	return nil
}

// analyze refreshes the planner statistics of tables after a bulk write,
// on PostgreSQL (autovacuum would come later, and not inside the
// transaction that goes on to read them). SQLite's planner is served by
// its indexes here and its ANALYZE reads whole tables.
func (s *Store) analyze(ctx context.Context, tx *sql.Tx, tables ...string) error {
	if s.engine != Postgres {
		return nil
	}
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, `ANALYZE `+t+analyzeColumns[t]); err != nil {
			return fmt.Errorf("sqlstore: analyze %s: %w", t, err)
		}
	}
	return nil
}

// analyzeColumns narrows ANALYZE to the columns queries filter and join
// on, where a table's other columns are only read: monthly_report's nine
// value columns took most of the time of analysing it after a bulk import.
// The row count and page estimates, which mislead after a load, are
// refreshed either way.
var analyzeColumns = map[string]string{
	"monthly_report": " (enterprise_id, year, month)",
	"mujun_result":   " (run_id, enterprise_id, region_code, park_code, grp, class, ord)",
}

// Vacuum readies a freshly bulk-loaded PostgreSQL database to serve:
// VACUUM (ANALYZE) of every table. It sets the visibility map, without
// which PostgreSQL has no index-only scan (a count of the name index's
// entries for a common word visited 664 table pages instead of 23), and
// gives the planner statistics of the tables no bulk write analysed.
// autovacuum would do the same later; some servers run without it. It
// takes about 6 s at ten times the demo. On SQLite it does nothing.
func (s *Store) Vacuum(ctx context.Context) error {
	if s.engine != Postgres {
		return nil
	}
	if _, err := s.write.ExecContext(ctx, `VACUUM (ANALYZE)`); err != nil {
		return fmt.Errorf("sqlstore: vacuum: %w", err)
	}
	return nil
}

// analyzeGrown analyses the tables a bulk write added written rows to,
// when that is a fifth or more of what the planner last counted: the
// estimates of a table that grew that much mislead, while re-analysing a
// large table for each small batch (the demo writes 4,000 firms at a
// time) costs more than it brings.
func (s *Store) analyzeGrown(ctx context.Context, tx *sql.Tx, written int, tables ...string) error {
	if s.engine != Postgres {
		return nil
	}
	for _, t := range tables {
		var est float64
		if err := tx.QueryRowContext(ctx, `SELECT reltuples FROM pg_class WHERE oid = CAST($1 AS regclass)`, t).Scan(&est); err != nil {
			return fmt.Errorf("sqlstore: analyze %s: %w", t, err)
		}
		if est < 0 || float64(written) >= est/5 {
			if err := s.analyze(ctx, tx, t); err != nil {
				return err
			}
		}
	}
	return nil
}
