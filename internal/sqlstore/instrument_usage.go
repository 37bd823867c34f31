package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The marketplace's service records in bulk (the demo's bookings, orders,
// reviews and voucher movements over past years) and the reads of the
// service statistics (instruments.UsageStore).

// OrderRecord is a finished or running order written as history: the
// order as it stands, the transitions that led there, its review and its
// voucher entries. The store assigns the id and fills it into the
// review and the postings.
type OrderRecord struct {
	Order        instruments.Order
	ClientUnitID int64
	Events       []OrderEvent
	Review       *instruments.Review
	Vouchers     [][]instruments.Posting // balanced entries of the order (redeem, refund)
	// Invoice, when set, is the invoice the order was billed on: the
	// records sharing one pointer share one invoice (HistoryInvoice).
	Invoice *HistoryInvoice
}

// HistoryInvoice is an invoice of imported history: issued (and paid when
// PaidAt is set) at the given times. Its unit, customer and totals come
// from its orders; it is numbered after the unit's invoices of its year.
type HistoryInvoice struct {
	Prefix   string // the instance's identifier prefix, for the number
	IssuedAt time.Time
	PaidAt   time.Time
	Note     string
}

// OrderEvent is one transition of an order's history.
type OrderEvent struct {
	From, To instruments.OrderState
	ActorID  int64
	At       time.Time
}

// VoucherEntry is a balanced ledger entry without an order (fund,
// allocate).
type VoucherEntry struct {
	At       time.Time
	Postings []instruments.Posting
}

// OrderImportOptions tune ImportOrderRecords.
type OrderImportOptions struct {
	// SkipIfOrders writes nothing when any order exists, so that loading
	// the same demo again changes nothing.
	SkipIfOrders bool
}

// ImportOrderRecords writes order histories and voucher entries in one
// transaction: the orders with their booking cells (for live slotted
// orders), events, reviews and postings; then the instruments' use and
// rating counters and rank. Every entry must balance and no two live
// slots of an instrument may overlap (the cells' key refuses it): on any
// error nothing is written. It returns the orders written.
func (s *Store) ImportOrderRecords(ctx context.Context, recs []OrderRecord, entries []VoucherEntry, opts OrderImportOptions) (int, error) {
	for _, e := range entries {
		if err := balanced(e.Postings); err != nil {
			return 0, err
		}
	}
	for _, r := range recs {
		for _, e := range r.Vouchers {
			if err := balanced(e); err != nil {
				return 0, err
			}
		}
		if r.Review != nil && (r.Review.Stars < 1 || r.Review.Stars > 5) {
			return 0, apperr.New(apperr.Invalid, "instruments.err.stars")
		}
	}
	written := 0
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		var maxID, maxEntry int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM instrument_order`).Scan(&maxID); err != nil {
			return err
		}
		if maxID > 0 && opts.SkipIfOrders {
			return nil
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(entry_id), 0) FROM voucher_posting`).Scan(&maxEntry); err != nil {
			return err
		}
		unitOf := map[int64]int64{}
		rows, err := tx.QueryContext(ctx, `SELECT id, unit_id FROM instrument`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, u int64
			if err := rows.Scan(&id, &u); err != nil {
				rows.Close()
				return err
			}
			unitOf[id] = u
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var orders, cells, events, reviews, postings, invoices, lines [][]any
		// History invoices, numbered in the order first met, after the
		// invoices already stored.
		var maxInvoice int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM instrument_invoice`).Scan(&maxInvoice); err != nil {
			return err
		}
		type billed struct {
			id  int64
			inv instruments.Invoice
		}
		invoiceOf := map[*HistoryInvoice]*billed{}
		var invoiceOrder []*HistoryInvoice
		post := func(ps []instruments.Posting, orderID int64, at time.Time) {
			maxEntry++
			for _, p := range ps {
				postings = append(postings, []any{maxEntry, p.Account, int64(p.Amount), p.Kind, orderID, at.Unix()})
			}
		}
		for _, e := range entries {
			post(e.Postings, 0, e.At)
		}
		for _, r := range recs {
			o := r.Order
			u, ok := unitOf[o.InstrumentID]
			if !ok {
				return apperr.New(apperr.NotFound, "instruments.err.not_found")
			}
			maxID++
			id := maxID
			var start, end int64
			if o.Mode.Slotted() {
				start, end = o.Start.Unix(), o.End.Unix()
				if !instruments.Releases(o.State) {
					for _, c := range instruments.Cells(o.Start, o.End) {
						cells = append(cells, []any{o.InstrumentID, c, id})
					}
				}
			}
			orders = append(orders, []any{id, o.InstrumentID, u, o.ItemID, o.UserID, o.EnterpriseID, string(o.Category), string(o.Mode), string(o.State),
				start, end, o.DueOn, int64(o.Samples), string(o.ChargeUnit), int64(o.UnitPrice), int64(o.BookedMinutes), int64(o.ActualMinutes),
				int64(o.BillableMinutes), int64(o.Amount), int64(o.VoucherAmount), o.Note, o.CreatedAt.Unix(), r.ClientUnitID})
			for _, e := range r.Events {
				events = append(events, []any{id, string(e.From), string(e.To), e.ActorID, e.At.Unix()})
			}
			if h := r.Invoice; h != nil {
				b := invoiceOf[h]
				if b == nil {
					maxInvoice++
					b = &billed{id: maxInvoice, inv: instruments.Invoice{UnitID: u, CustomerID: o.UserID, EnterpriseID: o.EnterpriseID, Prefix: h.Prefix,
						IssuedAt: h.IssuedAt, PaidAt: h.PaidAt, Note: h.Note, Year: h.IssuedAt.In(instruments.Zone).Year(), State: instruments.InvoiceIssued}}
					if !h.PaidAt.IsZero() {
						b.inv.State = instruments.InvoicePaid
					}
					invoiceOf[h] = b
					invoiceOrder = append(invoiceOrder, h)
				}
				if b.inv.UnitID != u || b.inv.CustomerID != o.UserID {
					return apperr.New(apperr.Invalid, "instruments.err.invoice_customer")
				}
				o.ID = id
				l := instruments.LineOf(o)
				b.inv.Amount += l.Amount
				b.inv.Voucher += l.Voucher
				b.inv.Due += l.Due
				lines = append(lines, []any{b.id, id, string(l.Kind), int64(l.Amount), int64(l.Voucher), int64(l.Due), int64(1)})
			}
			if rv := r.Review; rv != nil {
				tags, _ := json.Marshal(rv.Tags)
				reviews = append(reviews, []any{id, o.InstrumentID, o.UserID, int64(rv.Stars), string(tags), rv.Comment, "", int64(0), rv.CreatedAt.Unix()})
			}
			for _, e := range r.Vouchers {
				at := o.CreatedAt
				if len(r.Events) > 0 {
					at = r.Events[len(r.Events)-1].At
				}
				post(e, id, at)
			}
		}
		seqs := map[[2]int64]int{}
		for _, h := range invoiceOrder {
			b := invoiceOf[h]
			key := [2]int64{b.inv.UnitID, int64(b.inv.Year)}
			if _, ok := seqs[key]; !ok {
				var seq int
				if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM instrument_invoice WHERE unit_id = $1 AND year = $2`, b.inv.UnitID, b.inv.Year).Scan(&seq); err != nil {
					return err
				}
				seqs[key] = seq
			}
			seqs[key]++
			v := b.inv.Numbered(seqs[key])
			invoices = append(invoices, []any{b.id, v.Number, v.UnitID, int64(v.Year), int64(v.Seq), v.CustomerID, v.EnterpriseID, string(v.State),
				int64(v.Amount), int64(v.Voucher), int64(v.Due), v.Note, int64(0), v.IssuedAt.Unix(), int64(0), unixOf(v.PaidAt)})
		}
		for _, t := range []struct {
			table string
			cols  []string
			rows  [][]any
		}{
			{"instrument_order", []string{"id", "instrument_id", "unit_id", "item_id", "user_id", "enterprise_id", "category", "mode", "state", "start_at", "end_at",
				"due_on", "samples", "charge_unit", "unit_price", "booked_minutes", "actual_minutes", "billable_minutes", "amount", "voucher_amount", "note",
				"created_at", "client_unit_id"}, orders},
			{"booking_cell", []string{"instrument_id", "cell_start", "order_id"}, cells},
			{"order_event", []string{"order_id", "from_state", "to_state", "actor_id", "at"}, events},
			{"instrument_review", []string{"order_id", "instrument_id", "user_id", "stars", "tags", "comment", "reply", "hidden", "created_at"}, reviews},
			{"voucher_posting", []string{"entry_id", "account", "amount", "kind", "order_id", "at"}, postings},
			{"instrument_invoice", []string{"id", "number", "unit_id", "year", "seq", "customer_id", "enterprise_id", "state", "amount", "voucher", "due", "note",
				"issued_by", "issued_at", "paid_by", "paid_at"}, invoices},
			{"instrument_invoice_line", []string{"invoice_id", "order_id", "kind", "amount", "voucher", "due", "live"}, lines},
		} {
			if err := s.insertRows(ctx, tx, t.table, t.cols, t.rows); err != nil {
				return err
			}
		}
		if s.engine == Postgres && len(orders) > 0 {
			// Explicit ids do not move the identity sequence.
			if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('instrument_order', 'id'), (SELECT MAX(id) FROM instrument_order))`); err != nil {
				return err
			}
		}
		if s.engine == Postgres && len(invoices) > 0 {
			if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('instrument_invoice', 'id'), (SELECT MAX(id) FROM instrument_invoice))`); err != nil {
				return err
			}
		}
		// The counters the live path keeps current, recomputed for the
		// instruments that have orders.
		if _, err := tx.ExecContext(ctx, `UPDATE instrument SET
			uses = (SELECT COUNT(*) FROM instrument_order o WHERE o.instrument_id = instrument.id AND o.state IN (`+recordedStates()+`)),
			rating_sum = (SELECT COALESCE(SUM(r.stars), 0) FROM instrument_review r WHERE r.instrument_id = instrument.id AND r.hidden = 0),
			rating_n = (SELECT COUNT(*) FROM instrument_review r WHERE r.instrument_id = instrument.id AND r.hidden = 0)
			WHERE id IN (SELECT DISTINCT instrument_id FROM instrument_order)`); err != nil {
			return fmt.Errorf("sqlstore: instrument counters: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE instrument SET rank_score = uses * 1000 + CASE WHEN rating_n > 0 THEN rating_sum * 100 / rating_n ELSE 0 END
			WHERE id IN (SELECT DISTINCT instrument_id FROM instrument_order)`); err != nil {
			return err
		}
		// Ranks changed: the search index re-reads these instruments.
		if _, err := tx.ExecContext(ctx, `INSERT INTO instrument_search_change (instrument_id) SELECT DISTINCT instrument_id FROM instrument_order`); err != nil {
			return err
		}
		written = len(orders)
		return s.analyze(ctx, tx, "instrument_order", "booking_cell", "order_event", "instrument_review", "voucher_posting")
	})
	if err != nil {
		return 0, err
	}
	return written, nil
}

func balanced(ps []instruments.Posting) error {
	var sum unit.Fen
	for _, p := range ps {
		sum += p.Amount
	}
	if sum != 0 || len(ps) == 0 {
		return apperr.New(apperr.Invalid, "instruments.err.voucher_unbalanced")
	}
	return nil
}

// recordedStates lists instruments.UsageRecorded's states for SQL.
func recordedStates() string {
	var out []string
	for _, st := range instruments.OrderStates {
		if instruments.UsageRecorded(st) {
			out = append(out, "'"+string(st)+"'")
		}
	}
	return strings.Join(out, ", ")
}

// insertRows writes rows into table: COPY on PostgreSQL for a bulk,
// multi-row INSERTs otherwise.
func (s *Store) insertRows(ctx context.Context, tx *sql.Tx, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if s.engine == Postgres && len(rows) >= bulkMinRows {
		_, err := s.copyFrom(ctx, tx, table, cols, rows)
		return err
	}
	per := len(cols)
	chunk := max(1, 4000/per)
	for i := 0; i < len(rows); i += chunk {
		part := rows[i:min(i+chunk, len(rows))]
		args := make([]any, 0, len(part)*per)
		for _, r := range part {
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (`+strings.Join(cols, ", ")+`) VALUES `+numbered(len(part), per), args...); err != nil {
			return fmt.Errorf("sqlstore: %s: %w", table, err)
		}
	}
	return nil
}

// UsageInstruments lists every instrument ever enrolled with its unit and
// the number of optional catalogue fields filled.
func (s *Store) UsageInstruments(ctx context.Context) ([]instruments.UsageInstrument, error) {
	filled := func(cols ...string) string {
		parts := make([]string, len(cols))
		for i, c := range cols {
			parts[i] = `CASE WHEN i.` + c + ` <> '' THEN 1 ELSE 0 END`
		}
		return strings.Join(parts, " + ")
	}
	rows, err := s.read.QueryContext(ctx, `SELECT i.id, i.name, i.unit_id, u.name, u.unit_type, i.class_code, i.region_code, i.original_value, i.status,
		i.enrolled_on, i.removed_on, `+filled("model", "manufacturer", "country", "purchase_date", "location", "specs", "capabilities", "sample_req", "contact")+`
		FROM instrument i JOIN sharing_unit u ON u.id = i.unit_id WHERE i.enrolled_on <> ''`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []instruments.UsageInstrument
	for rows.Next() {
		var r instruments.UsageInstrument
		var v int64
		if err := rows.Scan(&r.ID, &r.Name, &r.UnitID, &r.UnitName, &r.UnitType, &r.ClassCode, &r.RegionCode, &v, &r.Status, &r.EnrolledOn, &r.RemovedOn, &r.Filled); err != nil {
			return nil, err
		}
		r.Value = unit.Fen(v)
		out = append(out, r)
	}
	return out, rows.Err()
}

// UsageOrders lists the orders whose service day is in [from, to): slots
// by their start (in the platform's zone), sample sending by the promised
// day; with the customer's unit (recorded on the order, else their
// membership) and the stars of the visible review.
func (s *Store) UsageOrders(ctx context.Context, from, to string) ([]instruments.UsageOrder, error) {
	f, err := time.ParseInLocation("2006-01-02", from, instruments.Zone)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "instruments.err.date")
	}
	t, err := time.ParseInLocation("2006-01-02", to, instruments.Zone)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "instruments.err.date")
	}
	rows, err := s.read.QueryContext(ctx, `SELECT o.id, o.instrument_id, o.user_id, o.enterprise_id, CASE WHEN o.client_unit_id > 0 THEN o.client_unit_id ELSE COALESCE(m.unit_id, 0) END,
		o.category, o.mode, o.state, o.start_at, o.due_on, o.booked_minutes, o.actual_minutes, o.billable_minutes, o.amount, o.voucher_amount,
		COALESCE(CASE WHEN r.hidden = 0 THEN r.stars END, 0)
		FROM instrument_order o LEFT JOIN sharing_member m ON m.user_id = o.user_id LEFT JOIN instrument_review r ON r.order_id = o.id
		WHERE (o.start_at >= $1 AND o.start_at < $2) OR (o.start_at = 0 AND o.due_on >= $3 AND o.due_on < $4)`, f.Unix(), t.Unix(), from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []instruments.UsageOrder
	for rows.Next() {
		var o instruments.UsageOrder
		var start, amount, voucher int64
		if err := rows.Scan(&o.ID, &o.InstrumentID, &o.UserID, &o.EnterpriseID, &o.ClientUnitID, &o.Category, &o.Mode, &o.State, &start, &o.Day,
			&o.Booked, &o.Actual, &o.Billable, &amount, &voucher, &o.Stars); err != nil {
			return nil, err
		}
		if start != 0 {
			o.Day = time.Unix(start, 0).In(instruments.Zone).Format("2006-01-02")
		}
		o.Amount, o.Voucher = unit.Fen(amount), unit.Fen(voucher)
		out = append(out, o)
	}
	return out, rows.Err()
}
