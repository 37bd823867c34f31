package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// The data generation (migration 0041): a counter that every committed
// write of the platform's data advances inside its own transaction, so
// an answer computed from the data and tagged with the generation read
// before computing is current exactly while the generation is unchanged —
// for every process sharing the database, since the counter lives in it.
// The web layer's answer cache (internal/web/anscache) keys on it.
//
// inTx advances it; refTx, for reference syncs that usually find nothing
// to change, only when they changed something. Writes of operational
// records no cached answer is computed from use opsTx and leave it alone,
// so that a stream of them does not empty the cache: sessions and
// accounts (an answer depends on the caller's role and scope, which the
// cache key holds, not on the account table), the audit trail, notifications, the instrument market
// (bookings, orders, invoices, the catalogue) and federation. Bookings
// (bookTx, the PostgreSQL booking batches) and the few statements outside
// a transaction (session rows, sign-in counters, federation nonces and
// holds, the demo's meta seed) write operational records too.

// dataArea is the data_generation row inTx advances.
const dataArea = "data"

// DataGeneration returns the current data generation: one keyed read of
// a one-row table, cheap enough for every request that looks up a cached
// answer.
func (s *Store) DataGeneration(ctx context.Context) (int64, error) {
	var g int64
	if err := s.read.QueryRowContext(ctx, `SELECT gen FROM data_generation WHERE area = $1`, dataArea).Scan(&g); err != nil {
		return 0, fmt.Errorf("sqlstore: data generation: %w", err)
	}
	return g, nil
}

// bumpDataGeneration advances the data generation inside tx. The new
// value is the larger of the old plus one and the clock in microseconds,
// so the counter also moves forward past a restored backup: a server
// that cached answers under a value the backup later reaches again would
// otherwise serve them. Write transactions are serialised (one SQLite
// writer, the PostgreSQL advisory lock), so increments never collide.
func (s *Store) bumpDataGeneration(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE data_generation SET gen = CASE WHEN gen + 1 > $1 THEN gen + 1 ELSE $1 END WHERE area = $2`,
		s.now().UnixMicro(), dataArea); err != nil {
		return fmt.Errorf("sqlstore: data generation: %w", err)
	}
	return nil
}
