package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/notify"
	"github.com/industrybrain/ibrain/internal/unit"
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

// Group commit of bookings on PostgreSQL. Every booking used to be its own
// transaction: about ten statements and one WAL flush each, with the
// instrument's row lock held across them, so 256 clients racing for 20
// instruments queued on the locks and the flushes (300–400 confirmed per
// second). Concurrent PlaceOrder calls now join a queue; a leader takes
// what is queued and writes it in one transaction with a fixed number of
// statements whatever the batch's size: lock the batch's instruments (in
// id order), read every item's day quota,
// taken cells and notification parties in one query, judge the items in
// Go (an item is also checked against the batch-mates judged before it),
// write the accepted orders with their cells and first events in one
// statement and their notifications with the outbox in another, commit.
// An item that fails its check is answered with its error and written
// nowhere, so it never fails its batch-mates. The cells' primary key stays
// the final guard: if it refuses a cell the checks passed (or any
// statement fails), the batch is rolled back and its items run one by one
// through placeOrderOne, each in its own transaction as before.

// bookBatchMax bounds one batch: the statements' arrays grow with it and
// a larger batch delays its first caller's answer.
const bookBatchMax = 128

// bookShards is how many batches run at once. An instrument's bookings
// always go to the same shard (its id modulo bookShards) and a shard has
// one leader at a time, so two batches never wait for each other's row
// locks, and the shards' commits share the WAL flushes.
const bookShards = 4

// bookQueue is the store's queue of bookings waiting for a batch.
type bookQueue struct {
	mu     sync.Mutex
	shards [bookShards]bookShard
	// batches and batched count the transactions written and the items
	// they answered, batchTime the time spent in them (the benchmark
	// reports the mean batch).
	batches, batched, batchTime atomic.Int64
}

type bookShard struct {
	pending []*bookItem
	leading bool
}

type bookItem struct {
	ctx  context.Context
	p    instruments.PlaceOrder
	o    instruments.Order
	err  error
	done chan struct{}
}

// placeOrderBatched queues p and waits for the batch that writes it.
func (s *Store) placeOrderBatched(ctx context.Context, p instruments.PlaceOrder) (instruments.Order, error) {
	it := &bookItem{ctx: ctx, p: p, o: p.Order, done: make(chan struct{})}
	q := &s.booking
	k := int(uint64(p.Order.InstrumentID) % bookShards)
	q.mu.Lock()
	sh := &q.shards[k]
	sh.pending = append(sh.pending, it)
	lead := !sh.leading
	sh.leading = true
	q.mu.Unlock()
	if lead {
		go s.leadBookings(k)
	}
	// The caller waits even when its context ends: the batch may already
	// have committed the order, and the answer must say so.
	<-it.done
	return it.o, it.err
}

// leadBookings writes shard k's batches until its queue is empty.
func (s *Store) leadBookings(k int) {
	q := &s.booking
	sh := &q.shards[k]
	for {
		q.mu.Lock()
		n := min(len(sh.pending), bookBatchMax)
		if n == 0 {
			sh.leading = false
			q.mu.Unlock()
			return
		}
		batch := slices.Clone(sh.pending[:n])
		sh.pending = append(sh.pending[:0], sh.pending[n:]...)
		q.mu.Unlock()
		s.runBookBatch(batch)
		for _, it := range batch {
			close(it.done)
		}
	}
}

// runBookBatch answers every item of batch: in one transaction, or one
// by one when the batch could not be written whole.
func (s *Store) runBookBatch(batch []*bookItem) {
	live := batch[:0:0]
	for _, it := range batch {
		if err := it.ctx.Err(); err != nil {
			it.err = err // gone before its batch began: nothing written
			continue
		}
		live = append(live, it)
	}
	if len(live) == 0 {
		return
	}
	if len(live) > 1 {
		t0 := time.Now()
		defer func() { s.booking.batchTime.Add(int64(time.Since(t0))) }()
		s.booking.batches.Add(1)
		s.booking.batched.Add(int64(len(live)))
		ctx := context.WithoutCancel(live[0].ctx)
		if err := unpanicked(func() error {
			return bookTxOn(ctx, s.book, func(tx *sql.Tx) error { return s.placeBatchPG(ctx, tx, live) })
		}); err == nil {
			return
		}
		// Rolled back: nothing of the batch is stored; judge each alone.
	}
	for _, it := range live {
		it.err = unpanicked(func() (err error) {
			it.o, err = s.placeOrderOne(it.ctx, it.p)
			return err
		})
	}
}

// unpanicked runs fn and turns a panic (a rule check's, say) into an
// error: batches run in a leader goroutine, where a panic would end the
// process instead of failing one request (bookTxOn has rolled back).
func unpanicked(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("sqlstore: booking: panic: %v", p)
		}
	}()
	return fn()
}

// errBatchGuard rolls a batch back when the cells' key refused what the
// checks under the locks let through.
var errBatchGuard = errors.New("sqlstore: booking batch refused by the cells' key")

// placeBatchPG writes the batch's acceptable items in tx and sets every
// item's order or error; an error return means tx must be rolled back
// and the items' answers are void.
func (s *Store) placeBatchPG(ctx context.Context, tx *sql.Tx, batch []*bookItem) error {
	for _, it := range batch {
		it.o, it.err = it.p.Order, nil
	}
	ids := make([]int64, 0, len(batch))
	for _, it := range batch {
		ids = append(ids, it.o.InstrumentID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	// The row locks, in id order (LockRows sits above the sort).
	rows, err := tx.QueryContext(ctx, `SELECT id, unit_id FROM instrument WHERE id = ANY($1) ORDER BY id FOR UPDATE`, ids)
	if err != nil {
		return err
	}
	units := make(map[int64]int64, len(ids))
	for rows.Next() {
		var id, u int64
		if err := rows.Scan(&id, &u); err != nil {
			rows.Close()
			return err
		}
		units[id] = u
	}
	if err := rows.Close(); err != nil {
		return err
	}
	// Under the locks: each item's booked minutes of its day, its slot's
	// taken cells, and the instrument's name and managers for the
	// notifications, in one statement.
	n := len(batch)
	inst, user, d0, d1, st, en := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	for i, it := range batch {
		inst[i], user[i] = it.o.InstrumentID, it.o.UserID
		if it.o.Mode.Slotted() {
			a, b := instruments.LocalDay(it.o.Start)
			d0[i], d1[i], st[i], en[i] = a.Unix(), b.Unix(), it.o.Start.Unix(), it.o.End.Unix()
		}
	}
	type info struct {
		mins, taken int
		name        string
		managers    []int64
	}
	infos := make([]info, n)
	rows, err = tx.QueryContext(ctx, `SELECT r.k,
			(SELECT COALESCE(SUM(booked_minutes), 0) FROM instrument_order WHERE instrument_id = r.inst AND user_id = r.uid AND start_at >= r.d0 AND start_at < r.d1 AND `+liveStates+`),
			(SELECT COUNT(*) FROM booking_cell WHERE instrument_id = r.inst AND cell_start >= r.s AND cell_start < r.e),
			i.name, i.model, array_to_string(ARRAY(SELECT user_id FROM instrument_manager m WHERE m.instrument_id = r.inst ORDER BY user_id), ',')
		FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[]) WITH ORDINALITY AS r(inst, uid, d0, d1, s, e, k)
		JOIN instrument i ON i.id = r.inst`, inst, user, d0, d1, st, en)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k int
		var name, model, managers string
		var in info
		if err := rows.Scan(&k, &in.mins, &in.taken, &name, &model, &managers); err != nil {
			rows.Close()
			return err
		}
		for _, f := range strings.Split(managers, ",") {
			if f == "" {
				continue
			}
			id, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				rows.Close()
				return err
			}
			in.managers = append(in.managers, id)
		}
		in.name = strings.TrimSpace(name + " " + model)
		infos[k-1] = in
	}
	if err := rows.Close(); err != nil {
		return err
	}
	// Judge in arrival order; an accepted item's minutes and cells count
	// against the items after it.
	type dayKey struct{ inst, user, day int64 }
	dayMins := map[dayKey]int{}
	held := map[[2]int64]bool{}
	var ok []int
	for i, it := range batch {
		o := it.o
		if _, found := units[o.InstrumentID]; !found {
			it.err = apperr.New(apperr.NotFound, "instruments.err.not_found")
			continue
		}
		if !o.Mode.Slotted() {
			ok = append(ok, i)
			continue
		}
		key := dayKey{o.InstrumentID, o.UserID, d0[i]}
		if it.p.Check != nil {
			if err := it.p.Check(infos[i].mins + dayMins[key]); err != nil {
				it.err = err
				continue
			}
		}
		cells := instruments.Cells(o.Start, o.End)
		taken := infos[i].taken > 0
		for _, c := range cells {
			taken = taken || held[[2]int64{o.InstrumentID, c}]
		}
		if taken {
			it.err = apperr.New(apperr.Conflict, "instruments.err.slot_taken")
			continue
		}
		for _, c := range cells {
			held[[2]int64{o.InstrumentID, c}] = true
		}
		dayMins[key] += o.BookedMinutes
		ok = append(ok, i)
	}
	if len(ok) == 0 {
		return nil
	}
	if err := s.insertOrdersPG(ctx, tx, batch, ok, units); err != nil {
		return err
	}
	return s.noteNewOrdersPG(ctx, tx, batch, ok, func(i int) (string, []int64) { return infos[i].name, infos[i].managers })
}

// insertOrdersPG writes the orders batch[ok] with their cells and first
// events in one statement and sets their ids; errBatchGuard when the
// cells' key refused one.
func (s *Store) insertOrdersPG(ctx context.Context, tx *sql.Tx, batch []*bookItem, ok []int, units map[int64]int64) error {
	m := len(ok)
	var (
		k, inst, unitID, item, user, ent, dueOn, samples, price, mins, created, start, end, cells = make([]int64, m), make([]int64, m), make([]int64, m), make([]int64, m),
			make([]int64, m), make([]int64, m), make([]string, m), make([]int64, m), make([]int64, m), make([]int64, m), make([]int64, m), make([]int64, m), make([]int64, m), make([]int64, m)
		cat, mode, state, chargeUnit, note, terms = make([]string, m), make([]string, m), make([]string, m), make([]string, m), make([]string, m), make([]string, m)
	)
	for j, i := range ok {
		o := batch[i].o
		k[j], inst[j], unitID[j], item[j], user[j], ent[j] = int64(j), o.InstrumentID, units[o.InstrumentID], o.ItemID, o.UserID, o.EnterpriseID
		cat[j], mode[j], state[j], chargeUnit[j], note[j], terms[j] = string(o.Category), string(o.Mode), string(o.State), string(o.ChargeUnit), o.Note, termsJSON(o.Terms)
		dueOn[j], samples[j], price[j], mins[j], created[j] = o.DueOn, int64(o.Samples), int64(o.UnitPrice), int64(o.BookedMinutes), o.CreatedAt.Unix()
		if o.Mode.Slotted() {
			start[j], end[j] = o.Start.Unix(), o.End.Unix()
			cells[j] = int64(len(instruments.Cells(o.Start, o.End)))
		}
	}
	// The ids are drawn in the CTE (volatile, so evaluated once per row)
	// to tie each inserted order to its item without relying on the order
	// of RETURNING.
	rows, err := tx.QueryContext(ctx, `WITH r AS (
			SELECT nextval(pg_get_serial_sequence('instrument_order', 'id')) AS id, r.*
			FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::bigint[],
				$12::text[], $13::bigint[], $14::text[], $15::bigint[], $16::bigint[], $17::text[], $18::bigint[], $19::text[], $20::bigint[])
				AS r(k, instrument_id, unit_id, item_id, user_id, enterprise_id, category, mode, state, start_at, end_at, due_on, samples, charge_unit, unit_price,
				booked_minutes, note, created_at, terms, cells)),
		o AS (
			INSERT INTO instrument_order (id, instrument_id, unit_id, item_id, user_id, enterprise_id, category, mode, state, start_at, end_at,
			due_on, samples, charge_unit, unit_price, booked_minutes, actual_minutes, billable_minutes, amount, voucher_amount, note, created_at, terms)
			SELECT id, instrument_id, unit_id, item_id, user_id, enterprise_id, category, mode, state, start_at, end_at,
			due_on, samples, charge_unit, unit_price, booked_minutes, 0, 0, 0, 0, note, created_at, terms FROM r RETURNING id),
		c AS (
			INSERT INTO booking_cell (instrument_id, cell_start, order_id)
			SELECT r.instrument_id, g, o.id FROM o JOIN r ON r.id = o.id, generate_series(r.start_at, r.end_at - 1, $21::bigint) g WHERE r.cells > 0
			ON CONFLICT DO NOTHING RETURNING order_id),
		e AS (
			INSERT INTO order_event (order_id, from_state, to_state, actor_id, at) SELECT o.id, '', r.state, r.user_id, $22 FROM o JOIN r ON r.id = o.id)
		SELECT r.k, r.id, r.cells, (SELECT COUNT(*) FROM c WHERE c.order_id = r.id) FROM r`,
		k, inst, unitID, item, user, ent, cat, mode, state, start, end, dueOn, samples, chargeUnit, price, mins, note, created, terms, cells,
		int64(instruments.CellMinutes*60), s.unix())
	if err != nil {
		return fmt.Errorf("sqlstore: orders: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var j int
		var id, want, got int64
		if err := rows.Scan(&j, &id, &want, &got); err != nil {
			return err
		}
		if want != got {
			return errBatchGuard
		}
		batch[ok[j]].o.ID = id
	}
	return rows.Err()
}

// noteNewOrdersPG writes the notifications of the new orders batch[ok]
// (and their e-mails to the outbox) in one statement, as noteOrderEvent
// plans them one order at a time.
func (s *Store) noteNewOrdersPG(ctx context.Context, tx *sql.Tx, batch []*bookItem, ok []int, info func(i int) (string, []int64)) error {
	rs, err := notify.Routings()
	if err != nil {
		return err
	}
	r, err := notify.RoutingOn(rs, s.now())
	if err != nil {
		return err
	}
	var operators []int64
	operatorsRead := false
	var user []int64
	var kind, args, link, dedup []string
	for _, i := range ok {
		o := batch[i].o
		parties := r.OrderEvents[string(o.State)]
		if len(parties) == 0 {
			continue
		}
		if !operatorsRead && slices.Contains(parties, notify.Operator) {
			if operators, err = ids(ctx, tx, `SELECT id FROM app_user WHERE role = $1 AND disabled = 0 ORDER BY id`, string(auth.RoleSharingOperator)); err != nil {
				return err
			}
			operatorsRead = true
		}
		ev := notify.OrderEvent{OrderID: o.ID, To: string(o.State), ActorID: o.UserID, CustomerID: o.UserID}
		ev.InstrumentName, ev.ManagerIDs = info(i)
		if slices.Contains(parties, notify.Operator) {
			ev.OperatorIDs = operators
		}
		for _, nt := range notify.PlanOrderEvent(r, ev) {
			a, err := json.Marshal(nt.Args)
			if err != nil {
				return err
			}
			user, kind, args, link, dedup = append(user, nt.UserID), append(kind, nt.Kind), append(args, string(a)), append(link, nt.Link), append(dedup, nt.Dedup)
		}
	}
	if len(user) == 0 {
		return nil
	}
	_, err = tx.ExecContext(ctx, `WITH n AS (
			INSERT INTO notification (user_id, kind, args, link, dedup, created_at, read_at)
			SELECT u, k, a, l, NULLIF(d, ''), $6, 0 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(u, k, a, l, d)
			ON CONFLICT (dedup) DO NOTHING RETURNING id, user_id)
		INSERT INTO notify_outbox (notification_id, state, attempts, next_at, sent_at, last_error, created_at)
		SELECT n.id, 'pending', 0, $6, 0, '', $6 FROM n JOIN notify_pref p ON p.user_id = n.user_id AND p.email_on = 1 AND p.email <> ''`,
		user, kind, args, link, dedup, s.now().Unix())
	if err != nil {
		return fmt.Errorf("sqlstore: notifications: %w", err)
	}
	return nil
}

// instrumentDetailPG reads an instrument's detail in one round trip on
// PostgreSQL (the items with their rates as JSON, the managers as a
// list): every booking reads it before it queues, so its three queries
// were three of the five round trips a booking cost before its batch.
func (s *Store) instrumentDetailPG(ctx context.Context, id int64) (instruments.Detail, error) {
	var d instruments.Detail
	var items, managers string
	in, uses, rsum, rn, err := scanInstrument(s.read.QueryRowContext(ctx, `SELECT `+instrumentColumns+`, u.name, u.unit_type, u.region_code,
			(SELECT COALESCE(json_agg(json_build_object('id', it.id, 'name', it.name, 'mode', it.mode, 'unit', it.charge_unit,
				'category', r.category, 'from', r.effective_from, 'price', r.price) ORDER BY it.id, r.category, r.effective_from), '[]')
			 FROM service_item it LEFT JOIN service_rate r ON r.item_id = it.id WHERE it.instrument_id = i.id),
			(SELECT COALESCE(string_agg(user_id::text, ',' ORDER BY user_id), '') FROM instrument_manager WHERE instrument_id = i.id)
		FROM instrument i JOIN sharing_unit u ON u.id = i.unit_id WHERE i.id = $1`, id), &d.Unit.Name, &d.Unit.Type, &d.Unit.RegionCode, &items, &managers)
	if errors.Is(err, sql.ErrNoRows) {
		return d, apperr.New(apperr.NotFound, "instruments.err.not_found")
	}
	if err != nil {
		return d, err
	}
	d.Instrument, d.Uses, d.RatingN = in, uses, rn
	d.Unit.ID = in.UnitID
	if rn > 0 {
		d.Rating = float64(rsum) / float64(rn)
	}
	var rows []struct {
		ID       int64                  `json:"id"`
		Name     string                 `json:"name"`
		Mode     instruments.Mode       `json:"mode"`
		Unit     instruments.ChargeUnit `json:"unit"`
		Category *string                `json:"category"`
		From     string                 `json:"from"`
		Price    int64                  `json:"price"`
	}
	if err := json.Unmarshal([]byte(items), &rows); err != nil {
		return d, fmt.Errorf("sqlstore: instrument %d items: %w", id, err)
	}
	for _, r := range rows {
		if n := len(d.Items); n == 0 || d.Items[n-1].ID != r.ID {
			d.Items = append(d.Items, instruments.ServiceItem{ID: r.ID, InstrumentID: id, Name: r.Name, Mode: r.Mode, Unit: r.Unit})
		}
		if r.Category != nil {
			last := &d.Items[len(d.Items)-1]
			last.Rates = append(last.Rates, instruments.Rate{Category: instruments.Category(*r.Category), EffectiveFrom: r.From, Price: unit.Fen(r.Price)})
		}
	}
	for _, f := range strings.Split(managers, ",") {
		if f == "" {
			continue
		}
		m, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return d, err
		}
		d.Managers = append(d.Managers, m)
	}
	return d, nil
}
