package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
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

// Bounds of the profile change log.
const (
	// changeLogMaxIDs is the most enterprises one write logs by id; a
	// larger write logs "every enterprise" (id 0): readers re-screen the
	// city anyway, and a bulk import does not write a row per firm twice.
	changeLogMaxIDs = 2000
	// changeLogKeep is how many generations the log covers; a reader
	// further behind re-screens everything.
	changeLogKeep = 1000
)

// bumpProfileGeneration increments the profile generation inside the
// writing transaction and logs the enterprises whose profile inputs
// changed (ids; nil = every enterprise): readers see the new data, the new
// generation and its change log together. Write transactions are
// serialised (one SQLite writer, the PostgreSQL advisory lock), so
// increments never collide.
func bumpProfileGeneration(ctx context.Context, tx *sql.Tx, ids []int64) error {
	var v string
	err := tx.QueryRowContext(ctx, `INSERT INTO meta (key, value) VALUES ($1, '1')
		ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT) RETURNING value`, profileGenKey).Scan(&v)
	if err != nil {
		return fmt.Errorf("sqlstore: profile generation: %w", err)
	}
	gen, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return fmt.Errorf("sqlstore: profile generation %q: %w", v, err)
	}
	if ids == nil || len(ids) > changeLogMaxIDs {
		ids = []int64{0}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		var q strings.Builder
		args := make([]any, 0, len(chunk)+1)
		args = append(args, gen)
		q.WriteString(`INSERT INTO profile_change (generation, enterprise_id) VALUES `)
		for i, id := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			args = append(args, id)
			fmt.Fprintf(&q, "($1, $%d)", len(args))
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("sqlstore: profile change log: %w", err)
		}
	}
	if gen%100 == 0 { // prune now and then, not on every write
		if _, err := tx.ExecContext(ctx, `DELETE FROM profile_change WHERE generation <= $1`, gen-changeLogKeep); err != nil {
			return fmt.Errorf("sqlstore: profile change log: %w", err)
		}
	}
	return nil
}

// ProfileChanges returns the enterprises whose profile inputs changed
// after generation from up to and including generation to; all is true
// when every enterprise may have changed (a catalogue change, a bulk write,
// or from older than the log covers).
func (s *Store) ProfileChanges(ctx context.Context, from, to int64) (ids []int64, all bool, err error) {
	if to <= from {
		return nil, false, nil
	}
	if to-from >= changeLogKeep-100 || from < 0 {
		return nil, true, nil
	}
	rows, err := s.read.QueryContext(ctx, `SELECT DISTINCT enterprise_id FROM profile_change WHERE generation > $1 AND generation <= $2 ORDER BY enterprise_id`, from, to)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, false, err
		}
		if id == 0 {
			return nil, true, nil
		}
		ids = append(ids, id)
	}
	return ids, false, rows.Err()
}
