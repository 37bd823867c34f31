package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/report"
)

// ReportStream is a report write whose rows arrive while the caller is
// still validating its file (issue 13 item 4): the rows are written on
// another goroutine as they come, in one transaction that commits on
// Commit and rolls back on Abort, so a file that turns out invalid at its
// last row writes nothing, as with ImportReports. On two cores the
// validation and the insert (SQLite) or the COPY (PostgreSQL) overlap. On
// PostgreSQL consecutive batches of new rows share one COPY (reportCopy),
// and each batch's checks read through the read pool while the server
// inserts the batches before it.
//
// Summaries are kept as ImportReports keeps them: by delta, with each
// batch's neighbouring rows read before the batch is written (rows an
// earlier batch of the same write stored are left out, so the delta sees
// the state before the write); a stream that grows past deltaMaxRows
// rebuilds its years instead. A stream that names a (firm, period) twice
// is refused, as ImportReports refuses such a write.
type ReportStream struct {
	rows   chan []report.Monthly
	decide chan bool // true: commit
	done   chan struct{}
	ended  bool
	res    UpsertResult
	err    error
}

var errStreamAborted = errors.New("sqlstore: report stream aborted")

// StreamReports starts a streamed report write. expected is the number of
// rows the caller expects to send, for opts.Progress. The caller must end
// the stream with Commit or Abort (from one goroutine; the stream holds
// the write transaction until then).
func (s *Store) StreamReports(ctx context.Context, expected int, opts WriteOptions) *ReportStream {
	rs := &ReportStream{rows: make(chan []report.Monthly, 4), decide: make(chan bool, 1), done: make(chan struct{})}
	go func() {
		defer close(rs.done)
		rs.err = s.inTx(ctx, func(tx *sql.Tx) error {
			w := s.newStreamWriter(tx, expected, opts)
			defer w.rows.close()
			defer w.endCopy(false)            // a write that fails fails its open COPY
			defer func() { w.ahead.wait() }() // set by the first batches
			var err error
			for batch := range rs.rows {
				if err == nil {
					err = w.write(ctx, batch)
				}
			}
			if err != nil {
				return err
			}
			if !<-rs.decide {
				return errStreamAborted
			}
			rs.res, err = w.finish(ctx)
			return err
		})
		if errors.Is(rs.err, errStreamAborted) {
			rs.err = nil
		}
		for range rs.rows { // a failed begin: let Send return until the end
		}
	}()
	return rs
}

// Send passes a batch of rows to the writer; it blocks while the writer
// is several batches behind. rows must not change afterwards.
func (rs *ReportStream) Send(rows []report.Monthly) {
	rs.rows <- rows
}

// Commit ends the stream and commits what was sent.
func (rs *ReportStream) Commit() (UpsertResult, error) {
	rs.end(true)
	return rs.res, rs.err
}

// Abort ends the stream and rolls back everything sent. After Commit or
// Abort it does nothing, so a caller may defer it.
func (rs *ReportStream) Abort() error {
	rs.end(false)
	return rs.err
}

func (rs *ReportStream) end(commit bool) {
	if rs.ended {
		return
	}
	rs.ended = true
	close(rs.rows)
	rs.decide <- commit
	<-rs.done
}

// streamWriter is a streamed write's state inside its transaction.
type streamWriter struct {
	s        *Store
	tx       *sql.Tx
	opts     WriteOptions
	expected int
	rows     *rowWriter
	all      []report.Monthly
	locked   map[report.Period]bool // periods already checked
	years    map[int]bool
	december bool
	// The delta: the rows stored around the written ones before the
	// write. written: the keys written so far (kept whether or not the
	// delta is, to refuse a repeated key).
	delta             bool
	old               map[unitKey]report.Values
	written           map[unitKey]struct{}
	existing, changed int
	// copy is the COPY into monthly_report held open across batches on
	// PostgreSQL (nil when none is).
	copy *reportCopy
	// stored: the periods holding rows, asked once per stream.
	stored *storedPeriods
	// ahead reads the summary cells of the written years while the
	// batches are written (PostgreSQL, a write of more than the store's
	// cellsAheadRows rows kept by delta); nil otherwise.
	ahead *cellsAhead
}

func (s *Store) newStreamWriter(tx *sql.Tx, expected int, opts WriteOptions) *streamWriter {
	// Room for the expected rows up front: the copy of every row (the
	// delta needs them together at the end) is not regrown batch by batch.
	return &streamWriter{s: s, tx: tx, opts: opts, expected: expected, rows: newRowWriter(s.engine),
		all: make([]report.Monthly, 0, max(expected, 0)), locked: map[report.Period]bool{}, years: map[int]bool{},
		delta: !opts.DeferSummaries, old: map[unitKey]report.Values{}, written: make(map[unitKey]struct{}, max(expected, 0)), stored: s.newStoredPeriods()}
}

// reads is where a batch's checks read (the period locks, the firms, the
// rows around it, the summary cells). On PostgreSQL that is the read
// pool: the transaction's connection may be busy with the open COPY, and
// the writer lock, which every write of these tables holds (writeTx),
// keeps their committed state the state before this write, which is what
// the checks must see (the rows this write stored are not in it; the
// delta leaves them out anyway).
func (w *streamWriter) reads() queryer {
	if w.s.engine == Postgres {
		return w.s.read
	}
	return w.tx
}

// endCopy ends the open COPY, if any: completed (complete) or failed.
func (w *streamWriter) endCopy(complete bool) error {
	if w.copy == nil {
		return nil
	}
	c := w.copy
	w.copy = nil
	return c.close(complete)
}

// write checks and writes one batch, as upsertReportsTx does a whole write.
func (w *streamWriter) write(ctx context.Context, batch []report.Monthly) error {
	var fresh []report.Monthly // one row of each period not checked yet
	for _, r := range batch {
		if err := r.Period.Validate(); err != nil {
			return apperr.Wrap(err, apperr.Invalid, "err.period", r.Period.String())
		}
		if !w.locked[r.Period] {
			w.locked[r.Period] = true
			fresh = append(fresh, r)
		}
		w.years[r.Period.Year] = true
		w.december = w.december || r.Period.Month == 12
	}
	if !w.opts.AcceptedRevision && len(fresh) > 0 {
		if err := refuseLocked(ctx, w.reads(), fresh); err != nil {
			return err
		}
	}
	if err := checkReportFirms(ctx, w.reads(), w.s.engine, batch); err != nil {
		return err
	}
	if w.delta && (len(w.all)+len(batch) > w.s.deltaMax || !packable(batch)) {
		w.delta, w.old = false, nil // rebuild the years at the end
	}
	if w.delta {
		old, err := neighbourRows(ctx, w.reads(), w.s.engine, batch, w.stored)
		if err != nil {
			return err
		}
		for k, v := range old {
			if _, ok := w.written[k]; !ok { // not this write's own row
				w.old[k] = v
			}
		}
	}
	if w.delta && w.s.engine == Postgres && w.expected > w.s.cellsAheadRows {
		if w.ahead == nil {
			w.ahead = &cellsAhead{ctx: ctx, q: w.s.read, years: map[int]*yearCells{}}
		}
		for y := range w.years {
			w.ahead.start(y)
			w.ahead.start(y + 1) // the year after: the written rows are its basis
		}
	}
	// The batch's keys join the written ones (after the neighbour read,
	// whose rows of this batch's keys are as they were before the write).
	if r, again := repeatedKey(batch, w.written); again {
		return errRepeatedReport(r)
	}
	existing := 0
	if w.delta {
		for _, r := range batch {
			if _, ok := w.old[mkUnit(r.EnterpriseID, r.Period.Year, r.Period.Month)]; ok {
				existing++
			}
		}
	}
	var changed int
	var err error
	switch {
	case w.s.engine == Postgres && w.delta && existing == 0 && (w.copy != nil || len(batch) >= w.s.bulkMin):
		// New rows only: into the open COPY.
		if w.copy == nil {
			w.copy = w.s.openReportCopy(ctx, w.tx)
		}
		if err := w.copy.send(batch); err != nil {
			return err
		}
		changed = len(batch)
	case w.s.engine == Postgres && len(batch) >= w.s.bulkMin:
		if err := w.endCopy(true); err != nil {
			return err
		}
		var existingCopy int
		existingCopy, changed, err = w.s.copyReports(ctx, w.tx, batch, knownKeys(w.delta, existing, len(batch)))
		if !w.delta {
			existing = existingCopy
		}
	default:
		if err := w.endCopy(true); err != nil {
			return err
		}
		if !w.delta {
			if existing, err = w.s.existingReportKeys(ctx, w.tx, batch); err != nil {
				return err
			}
		}
		changed, err = w.rows.write(ctx, w.tx, batch, w.delta && existing == 0, nil, 0, 0)
	}
	if err != nil {
		return err
	}
	w.existing += existing
	w.changed += changed
	w.all = append(w.all, batch...)
	if w.opts.Progress != nil {
		w.opts.Progress(len(w.all), max(w.expected, len(w.all)))
	}
	return nil
}

// finish brings the summaries up to date and counts the write.
func (w *streamWriter) finish(ctx context.Context) (UpsertResult, error) {
	// The deltas' cells are read and summed while the server takes the
	// rest of an open COPY.
	var pend *pendingDeltas
	if w.delta && len(w.all) > 0 {
		var err error
		if pend, err = startReportDeltas(ctx, w.reads(), w.all, w.old, w.ahead); err != nil {
			return UpsertResult{}, err
		}
	}
	if err := w.endCopy(true); err != nil {
		return UpsertResult{}, err
	}
	years := w.years
	if w.opts.DeferSummaries {
		years = nil
	}
	return w.s.finishReports(ctx, w.tx, w.all, years, w.december, pend, w.existing, w.changed)
}
