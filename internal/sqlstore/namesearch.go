package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"unicode/utf8"
)

// nameGrams returns the distinct character bigrams of s in order of first
// appearance: the keys of enterprise_gram. It must agree with the backfill
// in migration 0007 (substr(name, i, 2) for i < length(name)).
func nameGrams(s string) []string {
	rs := []rune(s)
	var out []string
	seen := map[string]bool{}
	for i := 0; i+1 < len(rs); i++ {
		g := string(rs[i : i+2])
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}

// gramSearchable reports whether a query can be answered from the bigram
// index: at least two characters and no ASCII letter (names are indexed as
// stored, while the search ignores ASCII case; credit codes are not
// indexed and hold only ASCII).
func gramSearchable(q string) bool {
	if utf8.RuneCountInString(q) < 2 {
		return false
	}
	digits := true
	for i := 0; i < len(q); i++ {
		c := q[i] | 0x20
		if c >= 'a' && c <= 'z' {
			return false
		}
		digits = digits && q[i] >= '0' && q[i] <= '9'
	}
	// A run of digits is most often the start of a credit code
	// ("915001154…"), which only the credit-code LIKE finds.
	return !digits
}

// nameIndexer collects the bigrams of the names an upsert writes and
// inserts them in multi-row statements: one statement per firm cost
// 200 µs a firm (a fresh statement to prepare each time), a third of an
// enterprise import.
type nameIndexer struct {
	engine Engine
	stmts  map[int]*sql.Stmt
	rows   []any // gram, enterprise_id pairs not yet written
}

// gramChunk is how many rows one INSERT carries.
const gramChunk = 400

func newNameIndexer(engine Engine) *nameIndexer {
	return &nameIndexer{engine: engine, stmts: map[int]*sql.Stmt{}}
}

// add queues the bigrams of a new enterprise's name.
func (x *nameIndexer) add(ctx context.Context, tx *sql.Tx, id int64, name string) error {
	for _, g := range nameGrams(name) {
		x.rows = append(x.rows, g, id)
	}
	for len(x.rows) >= 2*gramChunk {
		if err := x.write(ctx, tx, gramChunk); err != nil {
			return err
		}
	}
	return nil
}

// replace deletes an enterprise's bigrams and queues those of its new name.
func (x *nameIndexer) replace(ctx context.Context, tx *sql.Tx, id int64, name string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM enterprise_gram WHERE enterprise_id = $1`, id); err != nil {
		return fmt.Errorf("sqlstore: name index: %w", err)
	}
	return x.add(ctx, tx, id, name)
}

// flush writes what is queued and closes the statements.
func (x *nameIndexer) flush(ctx context.Context, tx *sql.Tx) error {
	defer func() {
		for _, st := range x.stmts {
			st.Close()
		}
	}()
	if n := len(x.rows) / 2; n > 0 {
		return x.write(ctx, tx, n)
	}
	return nil
}

func (x *nameIndexer) write(ctx context.Context, tx *sql.Tx, n int) error {
	st, ok := x.stmts[n]
	if !ok {
		q := `INSERT INTO enterprise_gram (gram, enterprise_id) VALUES ` + placeholders(x.engine, n, 2)
		var err error
		if st, err = tx.PrepareContext(ctx, q); err != nil {
			return fmt.Errorf("sqlstore: name index: %w", err)
		}
		x.stmts[n] = st
	}
	if _, err := st.ExecContext(ctx, x.rows[:2*n]...); err != nil {
		return fmt.Errorf("sqlstore: name index: %w", err)
	}
	x.rows = append(x.rows[:0], x.rows[2*n:]...)
	return nil
}
