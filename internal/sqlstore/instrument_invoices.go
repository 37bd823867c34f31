package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Invoices of instrument fees (instruments.InvoiceStore, migrations 0032
// and 0039: lines of cancellation and no-show fees).

// invoiceSelect reads invoices with their customer's and unit's names.
const invoiceSelect = `SELECT i.id, i.number, i.unit_id, i.year, i.seq, i.customer_id, i.enterprise_id, i.state, i.amount, i.voucher, i.due, i.penalty, i.note,
	i.issued_by, i.issued_at, i.paid_by, i.paid_at, i.voided_by, i.voided_at, i.void_reason, COALESCE(u.display_name, ''), su.name,
	(SELECT COUNT(*) FROM instrument_invoice_line l WHERE l.invoice_id = i.id)
	FROM instrument_invoice i JOIN sharing_unit su ON su.id = i.unit_id LEFT JOIN app_user u ON u.id = i.customer_id`

func scanInvoice(r scanner) (instruments.Invoice, error) {
	var v instruments.Invoice
	var amount, voucher, due, penalty, issued, paid, voided int64
	err := r.Scan(&v.ID, &v.Number, &v.UnitID, &v.Year, &v.Seq, &v.CustomerID, &v.EnterpriseID, &v.State, &amount, &voucher, &due, &penalty, &v.Note,
		&v.IssuedBy, &issued, &v.PaidBy, &paid, &v.VoidedBy, &voided, &v.VoidReason, &v.CustomerName, &v.UnitName, &v.Orders)
	if errors.Is(err, sql.ErrNoRows) {
		return v, apperr.New(apperr.NotFound, "instruments.err.no_invoice")
	}
	v.Amount, v.Voucher, v.Due, v.Penalty = unit.Fen(amount), unit.Fen(voucher), unit.Fen(due), unit.Fen(penalty)
	v.IssuedAt, v.PaidAt, v.VoidedAt = unixOrZero(issued), unixOrZero(paid), unixOrZero(voided)
	return v, err
}

// invoiceLines reads an invoice's lines with their orders' details, by
// order id.
func invoiceLines(ctx context.Context, q queryer, id int64) ([]instruments.InvoiceLine, error) {
	rows, err := q.QueryContext(ctx, `SELECT l.order_id, l.kind, o.instrument_id, o.item_id, o.mode, o.start_at, o.charge_unit, o.unit_price, o.billable_minutes, o.booked_minutes, o.samples,
		l.amount, l.voucher, l.due, n.name FROM instrument_invoice_line l JOIN instrument_order o ON o.id = l.order_id JOIN instrument n ON n.id = o.instrument_id WHERE l.invoice_id = $1 ORDER BY l.order_id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []instruments.InvoiceLine
	for rows.Next() {
		var l instruments.InvoiceLine
		var start, price, amount, voucher, due int64
		if err := rows.Scan(&l.OrderID, &l.Kind, &l.InstrumentID, &l.ItemID, &l.Mode, &start, &l.ChargeUnit, &price, &l.BillableMinutes, &l.BookedMinutes, &l.Samples, &amount, &voucher, &due, &l.InstrumentName); err != nil {
			return nil, err
		}
		if start != 0 {
			l.Start = unixOrZero(start)
		}
		l.UnitPrice, l.Amount, l.Voucher, l.Due = unit.Fen(price), unit.Fen(amount), unit.Fen(voucher), unit.Fen(due)
		out = append(out, l)
	}
	return out, rows.Err()
}

// lockOrders reads orders by id under their row locks, in id order (so
// two transactions lock them in the same order); a missing one is "not
// found".
func (s *Store) lockOrders(ctx context.Context, tx *sql.Tx, ids []int64) ([]instruments.Order, error) {
	args := make([]any, len(ids))
	marks := make([]string, len(ids))
	for i, id := range ids {
		args[i], marks[i] = id, "$"+strconv.Itoa(i+1)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+orderColumns+` FROM instrument_order WHERE id IN (`+strings.Join(marks, ", ")+`) ORDER BY id`+s.forUpdate(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []instruments.Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	distinct := map[int64]bool{}
	for _, id := range ids {
		distinct[id] = true
	}
	if len(out) != len(distinct) {
		return nil, apperr.New(apperr.NotFound, "instruments.err.no_order")
	}
	return out, nil
}

// moveOrder changes an order's state with its event and notifications;
// kind names an event that is not the plain state change ("" when it
// is), and is then the notifications' routing key.
func (s *Store) moveOrder(ctx context.Context, tx *sql.Tx, o instruments.Order, to instruments.OrderState, kind string, actorID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE instrument_order SET state = $2 WHERE id = $1`, o.ID, string(to)); err != nil {
		return fmt.Errorf("sqlstore: order: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO order_event (order_id, from_state, to_state, actor_id, at, kind) VALUES ($1, $2, $3, $4, $5, $6)`,
		o.ID, string(o.State), string(to), actorID, s.unix(), kind); err != nil {
		return err
	}
	key := to
	if kind != "" {
		key = instruments.OrderState(kind)
	}
	o.State = to
	return s.noteOrderEvent(ctx, tx, o, key, actorID)
}

// moveFee changes a cancelled or no-show order's fee state; its event
// keeps the order's state on both sides and is named by kind, the
// notifications' routing key.
func (s *Store) moveFee(ctx context.Context, tx *sql.Tx, o instruments.Order, to instruments.FeeState, kind string, actorID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE instrument_order SET penalty_state = $2 WHERE id = $1`, o.ID, string(to)); err != nil {
		return fmt.Errorf("sqlstore: order fee: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO order_event (order_id, from_state, to_state, actor_id, at, kind) VALUES ($1, $2, $3, $4, $5, $6)`,
		o.ID, string(o.State), string(o.State), actorID, s.unix(), kind); err != nil {
		return err
	}
	return s.noteOrderEvent(ctx, tx, o, instruments.OrderState(kind), actorID)
}

// IssueInvoice implements instruments.InvoiceStore. The writer lock and
// the orders' row locks serialise invoicing: a second invoice of an order
// finds it invoiced already, and the live lines' unique index refuses it
// even if that check were wrong.
func (s *Store) IssueInvoice(ctx context.Context, orderIDs []int64, actorID int64, plan func(os []instruments.Order) (instruments.Invoice, error)) (instruments.Invoice, error) {
	var out instruments.Invoice
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		os, err := s.lockOrders(ctx, tx, orderIDs)
		if err != nil {
			return err
		}
		inv, err := plan(os)
		if err != nil {
			return err
		}
		var seq int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM instrument_invoice WHERE unit_id = $1 AND year = $2`, inv.UnitID, inv.Year).Scan(&seq); err != nil {
			return err
		}
		inv = inv.Numbered(seq)
		if err := tx.QueryRowContext(ctx, `INSERT INTO instrument_invoice (number, unit_id, year, seq, customer_id, enterprise_id, state, amount, voucher, due, penalty, note, issued_by, issued_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
			inv.Number, inv.UnitID, inv.Year, inv.Seq, inv.CustomerID, inv.EnterpriseID, string(inv.State), int64(inv.Amount), int64(inv.Voucher), int64(inv.Due),
			int64(inv.Penalty), inv.Note, inv.IssuedBy, unixOf(inv.IssuedAt)).Scan(&inv.ID); err != nil {
			return fmt.Errorf("sqlstore: invoice: %w", err)
		}
		for _, l := range inv.Lines {
			r, err := tx.ExecContext(ctx, `INSERT INTO instrument_invoice_line (invoice_id, order_id, kind, amount, voucher, due, live) VALUES ($1, $2, $3, $4, $5, $6, 1)
				ON CONFLICT DO NOTHING`, inv.ID, l.OrderID, string(l.Kind), int64(l.Amount), int64(l.Voucher), int64(l.Due))
			if err != nil {
				return fmt.Errorf("sqlstore: invoice line: %w", err)
			}
			if n, err := r.RowsAffected(); err != nil || n != 1 {
				return apperr.New(apperr.Conflict, "instruments.err.invoice_twice", l.OrderID)
			}
		}
		for _, o := range os {
			var err error
			if o.HasFee() {
				err = s.moveFee(ctx, tx, o, instruments.FeeInvoiced, instruments.EventFeeInvoiced, actorID)
			} else {
				err = s.moveOrder(ctx, tx, o, instruments.Invoiced, "", actorID)
			}
			if err != nil {
				return err
			}
		}
		names, err := scanInvoice(tx.QueryRowContext(ctx, invoiceSelect+` WHERE i.id = $1`, inv.ID))
		if err != nil {
			return err
		}
		inv.CustomerName, inv.UnitName, inv.Orders = names.CustomerName, names.UnitName, names.Orders
		out = inv
		return nil
	})
	return out, err
}

// ChangeInvoice implements instruments.InvoiceStore: the invoice and its
// orders under their locks; a void takes the lines off the live index so
// the orders may be billed again.
func (s *Store) ChangeInvoice(ctx context.Context, id, actorID int64, fn func(inv instruments.Invoice, os []instruments.Order) (instruments.Invoice, error)) (instruments.Invoice, error) {
	var out instruments.Invoice
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		var locked int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM instrument_invoice WHERE id = $1`+s.forUpdate(), id).Scan(&locked)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "instruments.err.no_invoice")
		}
		if err != nil {
			return err
		}
		inv, err := scanInvoice(tx.QueryRowContext(ctx, invoiceSelect+` WHERE i.id = $1`, id))
		if err != nil {
			return err
		}
		if inv.Lines, err = invoiceLines(ctx, tx, id); err != nil {
			return err
		}
		ids := make([]int64, len(inv.Lines))
		for i, l := range inv.Lines {
			ids[i] = l.OrderID
		}
		os, err := s.lockOrders(ctx, tx, ids)
		if err != nil {
			return err
		}
		n, err := fn(inv, os)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE instrument_invoice SET state = $2, paid_by = $3, paid_at = $4, voided_by = $5, voided_at = $6, void_reason = $7 WHERE id = $1`,
			id, string(n.State), n.PaidBy, unixOf(n.PaidAt), n.VoidedBy, unixOf(n.VoidedAt), n.VoidReason); err != nil {
			return fmt.Errorf("sqlstore: invoice: %w", err)
		}
		if n.State == instruments.InvoiceVoided {
			if _, err := tx.ExecContext(ctx, `UPDATE instrument_invoice_line SET live = 0 WHERE invoice_id = $1`, id); err != nil {
				return err
			}
		}
		for _, o := range os {
			if fee, ok := instruments.NextFeeState(n.State, o); ok {
				kind := instruments.EventFeePaid
				if n.State == instruments.InvoiceVoided {
					kind = instruments.EventInvoiceVoided
				}
				if err := s.moveFee(ctx, tx, o, fee, kind, actorID); err != nil {
					return err
				}
				continue
			}
			to, ok := instruments.NextOrderState(n.State, o)
			if !ok {
				continue
			}
			kind := ""
			if n.State == instruments.InvoiceVoided {
				kind = instruments.EventInvoiceVoided
			}
			if err := s.moveOrder(ctx, tx, o, to, kind, actorID); err != nil {
				return err
			}
		}
		out = n
		return nil
	})
	return out, err
}

// Invoice reads an invoice with its lines.
func (s *Store) Invoice(ctx context.Context, id int64) (instruments.Invoice, error) {
	inv, err := scanInvoice(s.read.QueryRowContext(ctx, invoiceSelect+` WHERE i.id = $1`, id))
	if err != nil {
		return inv, err
	}
	inv.Lines, err = invoiceLines(ctx, s.read, id)
	return inv, err
}

// InvoiceOfOrder reads the live invoice holding an order.
func (s *Store) InvoiceOfOrder(ctx context.Context, orderID int64) (instruments.Invoice, error) {
	var id int64
	err := s.read.QueryRowContext(ctx, `SELECT invoice_id FROM instrument_invoice_line WHERE order_id = $1 AND live = 1`, orderID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return instruments.Invoice{}, apperr.New(apperr.NotFound, "instruments.err.no_invoice")
	}
	if err != nil {
		return instruments.Invoice{}, err
	}
	return s.Invoice(ctx, id)
}

// Invoices lists invoices, newest first, without their lines.
func (s *Store) Invoices(ctx context.Context, f instruments.InvoiceFilter) ([]instruments.Invoice, error) {
	where, args := []string{"1 = 1"}, []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, cond+" = $"+strconv.Itoa(len(args)))
	}
	if f.CustomerID != 0 {
		add("i.customer_id", f.CustomerID)
	}
	if f.UnitID != 0 {
		add("i.unit_id", f.UnitID)
	}
	if f.State != "" {
		add("i.state", string(f.State))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.read.QueryContext(ctx, invoiceSelect+` WHERE `+strings.Join(where, " AND ")+` ORDER BY i.id DESC LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []instruments.Invoice{}
	for rows.Next() {
		v, err := scanInvoice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
