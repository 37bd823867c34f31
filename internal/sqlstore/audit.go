package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/audit"
)

// The audit trail (internal/audit): appends are sealed under the writer
// lock of inTx, so the sequence stays gap-free and every record links to
// the one written before it, on both engines.

const auditColumns = `seq, at_ms, actor_id, actor, action, target, outcome, ip, detail, prev_hash, hash`

func scanAudit(row rowScanner) (audit.Event, error) {
	var e audit.Event
	var at int64
	var action string
	err := row.Scan(&e.Seq, &at, &e.ActorID, &e.Actor, &action, &e.Target, &e.Outcome, &e.IP, &e.Detail, &e.PrevHash, &e.Hash)
	e.At, e.Action = time.UnixMilli(at), audit.Action(action)
	return e, err
}

// AppendAudit seals e after the head and stores it with the new head.
func (s *Store) AppendAudit(ctx context.Context, e audit.Event) (audit.Event, error) {
	// PostgreSQL rejects NUL in text; a username tried at sign-in can
	// hold one, and the record must still be written.
	clean := func(v string) string { return strings.ReplaceAll(v, "\x00", `\x00`) }
	e.Actor, e.Target, e.Detail, e.IP = clean(e.Actor), clean(e.Target), clean(e.Detail), clean(e.IP)
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		var lastSeq int64
		var lastHash string
		if err := tx.QueryRowContext(ctx, `SELECT last_seq, last_hash FROM audit_head WHERE id = 1`).Scan(&lastSeq, &lastHash); err != nil {
			return err
		}
		e = audit.Seal(e, lastSeq, lastHash)
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_event (`+auditColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			e.Seq, e.At.UnixMilli(), e.ActorID, e.Actor, string(e.Action), e.Target, e.Outcome, e.IP, e.Detail, e.PrevHash, e.Hash); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE audit_head SET last_seq = $1, last_hash = $2 WHERE id = 1`, e.Seq, e.Hash)
		return err
	})
	if err != nil {
		return audit.Event{}, fmt.Errorf("sqlstore: append audit: %w", err)
	}
	return e, nil
}

// AuditHead returns the chain's head.
func (s *Store) AuditHead(ctx context.Context) (audit.Head, error) {
	var h audit.Head
	err := s.read.QueryRowContext(ctx, `SELECT last_seq, last_hash, archived_seq, archived_hash FROM audit_head WHERE id = 1`).
		Scan(&h.LastSeq, &h.LastHash, &h.ArchivedSeq, &h.ArchivedHash)
	return h, err
}

// AuditEvents returns the events matching q, in sequence order.
func (s *Store) AuditEvents(ctx context.Context, q audit.Query) ([]audit.Event, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	add("seq > $%d", q.AfterSeq)
	if !q.From.IsZero() {
		add("at_ms >= $%d", q.From.UnixMilli())
	}
	if !q.To.IsZero() {
		add("at_ms < $%d", q.To.UnixMilli())
	}
	if q.Actor != "" {
		add("actor = $%d", q.Actor)
	}
	if q.Action != "" {
		add("action = $%d", string(q.Action))
	}
	if q.Outcome != "" {
		add("outcome = $%d", q.Outcome)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = audit.MaxLimit
	}
	args = append(args, limit)
	rows, err := s.read.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_event WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(` ORDER BY seq LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: audit events: %w", err)
	}
	defer rows.Close()
	var out []audit.Event
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ScanAudit streams the stored events in sequence order.
func (s *Store) ScanAudit(ctx context.Context, through int64, fn func(audit.Event) error) error {
	q := `SELECT ` + auditColumns + ` FROM audit_event ORDER BY seq`
	var args []any
	if through > 0 {
		q = `SELECT ` + auditColumns + ` FROM audit_event WHERE seq <= $1 ORDER BY seq`
		args = append(args, through)
	}
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("sqlstore: scan audit: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ArchiveAudit deletes the archived events and moves the archive mark.
func (s *Store) ArchiveAudit(ctx context.Context, seq int64, hash string, a audit.Archive) error {
	return s.opsTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM audit_event WHERE seq <= $1`, seq); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET archived_seq = $1, archived_hash = $2 WHERE id = 1`, seq, hash); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_archive (from_seq, to_seq, file, sha256, created_at) VALUES ($1, $2, $3, $4, $5)`,
			a.FromSeq, a.ToSeq, a.File, a.SHA256, a.At.Unix())
		return err
	})
}
