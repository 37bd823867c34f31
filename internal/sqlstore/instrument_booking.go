package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
)

// placeOrderPG writes an order (with its frozen terms), its booking cells and its first event in
// one statement on PostgreSQL: three round trips fewer while the
// instrument's row lock is held, which is what bounds bookings of one
// instrument per second. The cells are the 15-minute starts in
// [start, end), as instruments.Cells makes them; one already held is
// skipped by ON CONFLICT and found missing in the count, and the booking
// is refused (the transaction is rolled back by the caller).
func (s *Store) placeOrderPG(ctx context.Context, tx *sql.Tx, o *instruments.Order, unitID, start, end int64, cells int) error {
	var inserted int
	err := tx.QueryRowContext(ctx, `WITH o AS (
			INSERT INTO instrument_order (instrument_id, unit_id, item_id, user_id, enterprise_id, category, mode, state, start_at, end_at,
			due_on, samples, charge_unit, unit_price, booked_minutes, actual_minutes, billable_minutes, amount, voucher_amount, note, created_at, terms)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0, 0, 0, 0, $16, $17, $21) RETURNING id),
		c AS (
			INSERT INTO booking_cell (instrument_id, cell_start, order_id)
			SELECT $1, g, o.id FROM o, generate_series($9::bigint, $10::bigint - 1, $18::bigint) g WHERE $19::int > 0
			ON CONFLICT DO NOTHING RETURNING 1),
		e AS (
			INSERT INTO order_event (order_id, from_state, to_state, actor_id, at) SELECT o.id, '', $8, $4, $20 FROM o)
		SELECT o.id, (SELECT COUNT(*) FROM c) FROM o`,
		o.InstrumentID, unitID, o.ItemID, o.UserID, o.EnterpriseID, string(o.Category), string(o.Mode), string(o.State), start, end,
		o.DueOn, o.Samples, string(o.ChargeUnit), int64(o.UnitPrice), o.BookedMinutes, o.Note, o.CreatedAt.Unix(),
		int64(instruments.CellMinutes*60), cells, s.unix(), termsJSON(o.Terms)).Scan(&o.ID, &inserted)
	if err != nil {
		return fmt.Errorf("sqlstore: order: %w", err)
	}
	if inserted != cells {
		return apperr.New(apperr.Conflict, "instruments.err.slot_taken")
	}
	return nil
}
