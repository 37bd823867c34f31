package sqlstore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/industrybrain/ibrain/internal/report"
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
	var n int64
	err := s.onTxConn(tx, func(c *pgx.Conn) error {
		var err error
		n, err = c.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlstore: copy into %s: %w", table, err)
	}
	return n, nil
}

// copyReportRows streams reports into table (monthly_report or its
// staging table, columns reportCopyCols) in PostgreSQL's binary COPY
// format, encoded as the connection reads it. The rows are fixed-width
// integers; pgx's CopyFrom would box each of a year's file's 924,000
// values in an interface and look up its encoder, a tenth of the import's
// time on the client and most of its allocations.
func (s *Store) copyReportRows(ctx context.Context, tx *sql.Tx, table string, reports []report.Monthly) (int64, error) {
	return s.copyReportsFrom(ctx, tx, table, &reportCopyReader{reports: reports})
}

func (s *Store) copyReportsFrom(ctx context.Context, tx *sql.Tx, table string, r *reportCopyReader) (int64, error) {
	var n int64
	err := s.onTxConn(tx, func(c *pgx.Conn) error {
		tag, err := c.PgConn().CopyFrom(ctx, r,
			`COPY `+table+` (`+strings.Join(reportCopyCols, ", ")+`) FROM STDIN (FORMAT binary)`)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlstore: copy into %s: %w", table, err)
	}
	return n, nil
}

// reportCopy is one COPY into monthly_report kept open across the batches
// of a streamed write (ReportStream), on the write transaction's
// connection: the server inserts one batch while the next is validated
// and checked, instead of one COPY statement per batch with the checks
// waiting between them. While it is open the transaction's connection is
// the COPY's: nothing else may run on tx until close.
type reportCopy struct {
	batches chan []report.Monthly
	abort   chan struct{}
	done    chan struct{} // closed when the COPY has ended
	sent    int64         // rows given to send
	rows    int64         // rows the server took
	err     error
	closed  bool
}

// errCopyAborted fails an open COPY whose write was abandoned.
var errCopyAborted = errors.New("sqlstore: report copy aborted")

func (s *Store) openReportCopy(ctx context.Context, tx *sql.Tx) *reportCopy {
	c := &reportCopy{batches: make(chan []report.Monthly, 4), abort: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		c.rows, c.err = s.copyReportsFrom(ctx, tx, "monthly_report", &reportCopyReader{src: c.batches, abort: c.abort, ctx: ctx})
	}()
	return c
}

// send adds a batch (which must not change afterwards) to the COPY; it
// fails when the COPY has already ended with an error.
func (c *reportCopy) send(batch []report.Monthly) error {
	select {
	case c.batches <- batch:
		c.sent += int64(len(batch))
		return nil
	case <-c.done:
		if c.err == nil {
			return errors.New("sqlstore: report copy ended early")
		}
		return c.err
	}
}

// close ends the COPY, completing it (complete) or failing it, and waits
// until the connection is free again. A completed COPY must have taken
// every row sent. A second close does nothing.
func (c *reportCopy) close(complete bool) error {
	if c.closed {
		return c.err
	}
	c.closed = true
	if complete {
		close(c.batches)
	} else {
		close(c.abort)
	}
	<-c.done
	if c.err == nil && complete && c.rows != c.sent {
		c.err = fmt.Errorf("sqlstore: report copy took %d rows of %d", c.rows, c.sent)
	}
	return c.err
}

// onTxConn runs fn with the pgx connection of PostgreSQL write
// transaction tx, which COPY needs (database/sql has no COPY).
func (s *Store) onTxConn(tx *sql.Tx, fn func(c *pgx.Conn) error) error {
	c, ok := s.txConns.Load(tx)
	if !ok {
		return errors.New("sqlstore: copy outside a write transaction")
	}
	return c.(*sql.Conn).Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("sqlstore: copy needs a pgx connection, have %T", dc)
		}
		return fn(pc.Conn())
	})
}

// reportCopyReader is reports in PostgreSQL's binary COPY format (the
// "Binary Format" section of the COPY reference): a signature, flags and
// header extension length, then per row the field count and each field as
// a length and its big-endian bytes, then -1. enterprise_id and the values
// are BIGINT, year and month INTEGER.
//
// The rows are reports, followed, when src is set, by the batches src
// delivers until it is closed (an open COPY, reportCopy); a closed abort
// or a done ctx fails the read, and with it the COPY.
type reportCopyReader struct {
	reports []report.Monthly
	next    int // the next row of reports to encode
	src     <-chan []report.Monthly
	abort   <-chan struct{}
	ctx     context.Context
	buf     []byte // encoded, reused
	pend    []byte // the part of buf not read yet
	started bool
	ended   bool
}

// pgCopySignature begins a binary COPY stream; the two zero words after
// it are the flags and the header extension's length.
const pgCopySignature = "PGCOPY\n\xff\r\n\x00"

func (r *reportCopyReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(r.pend) == 0 {
			if n > 0 && r.waits() {
				break // hand over what is encoded before waiting for more
			}
			ok, err := r.fill()
			if err != nil {
				return n, err
			}
			if !ok {
				break
			}
		}
		c := copy(p[n:], r.pend)
		r.pend = r.pend[c:]
		n += c
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// waits says whether the next fill would wait for a batch.
func (r *reportCopyReader) waits() bool {
	return !r.ended && r.src != nil && r.next == len(r.reports)
}

// fill encodes the next rows (about 32 kB) into buf, waiting for the next
// batch when it has encoded nothing yet; false when nothing is left.
func (r *reportCopyReader) fill() (bool, error) {
	if r.ended {
		return false, nil
	}
	b := r.buf[:0]
	if !r.started {
		r.started = true
		b = append(b, pgCopySignature...)
		b = binary.BigEndian.AppendUint32(b, 0)
		b = binary.BigEndian.AppendUint32(b, 0)
	}
	for len(b) < 32<<10 {
		if r.next == len(r.reports) {
			if r.src == nil {
				r.ended = true
				b = binary.BigEndian.AppendUint16(b, 0xFFFF) // the trailer: -1
				break
			}
			if len(b) > 0 {
				break
			}
			select {
			case batch, ok := <-r.src:
				if !ok {
					r.src = nil
				}
				r.reports, r.next = batch, 0
			case <-r.abort:
				return false, errCopyAborted
			case <-r.ctx.Done():
				return false, r.ctx.Err()
			}
			continue
		}
		m := &r.reports[r.next]
		r.next++
		b = binary.BigEndian.AppendUint16(b, uint16(3+report.NumFields))
		b = binary.BigEndian.AppendUint32(b, 8)
		b = binary.BigEndian.AppendUint64(b, uint64(m.EnterpriseID))
		b = binary.BigEndian.AppendUint32(b, 4)
		b = binary.BigEndian.AppendUint32(b, uint32(int32(m.Period.Year)))
		b = binary.BigEndian.AppendUint32(b, 4)
		b = binary.BigEndian.AppendUint32(b, uint32(int32(m.Period.Month)))
		for _, v := range m.Values {
			b = binary.BigEndian.AppendUint32(b, 8)
			b = binary.BigEndian.AppendUint64(b, uint64(v))
		}
	}
	r.buf, r.pend = b, b
	return true, nil
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
