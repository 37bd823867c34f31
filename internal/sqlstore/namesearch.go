package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
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
	for i := 0; i < len(q); i++ {
		c := q[i] | 0x20
		if c >= 'a' && c <= 'z' {
			return false
		}
	}
	return true
}

// writeNameGrams replaces the bigrams of one enterprise's name.
func writeNameGrams(ctx context.Context, tx *sql.Tx, id int64, name string, replace bool) error {
	if replace {
		if _, err := tx.ExecContext(ctx, `DELETE FROM enterprise_gram WHERE enterprise_id = $1`, id); err != nil {
			return fmt.Errorf("sqlstore: name index: %w", err)
		}
	}
	grams := nameGrams(name)
	if len(grams) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO enterprise_gram (gram, enterprise_id) VALUES `)
	args := make([]any, 0, len(grams)+1)
	args = append(args, id)
	for i, g := range grams {
		if i > 0 {
			b.WriteString(", ")
		}
		args = append(args, g)
		fmt.Fprintf(&b, "($%d, $1)", len(args))
	}
	if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("sqlstore: name index: %w", err)
	}
	return nil
}

// gramCondition is the SQL condition that e.id has every bigram of q,
// numbering its placeholders after the n arguments already bound.
func gramCondition(q string, n int) (string, []any) {
	grams := nameGrams(q)
	ph := make([]string, len(grams))
	args := make([]any, len(grams))
	for i, g := range grams {
		ph[i] = fmt.Sprintf("$%d", n+i+1)
		args[i] = g
	}
	return fmt.Sprintf("e.id IN (SELECT enterprise_id FROM enterprise_gram WHERE gram IN (%s) GROUP BY enterprise_id HAVING COUNT(*) = %d)",
		strings.Join(ph, ", "), len(grams)), args
}
