package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
)

// profileGenKey is the meta row holding the profile data generation.
const profileGenKey = "profile_generation"

// ProfileGeneration returns the data generation of what enterprise
// profiles are built from: the registry (names, regions, industries,
// yearly status), titles, December reports, profile facts and the
// industry map. Every store write that changes any of them increments it
// in its own transaction, so a result computed from those data and tagged
// with the generation read before computing is current exactly while the
// generation is unchanged, for every server sharing the database. 0 until
// the first such write.
func (s *Store) ProfileGeneration(ctx context.Context) (int64, error) {
	var v string
	err := s.read.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = $1`, profileGenKey).Scan(&v)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	g, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: meta %s = %q: %w", profileGenKey, v, err)
	}
	return g, nil
}

// bumpProfileGeneration increments the profile generation inside the
// writing transaction: readers see the new data and the new generation
// together. Write transactions are serialised (one SQLite writer, the
// PostgreSQL advisory lock), so increments never collide.
func bumpProfileGeneration(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ($1, '1')
		ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT)`, profileGenKey)
	if err != nil {
		return fmt.Errorf("sqlstore: profile generation: %w", err)
	}
	return nil
}
