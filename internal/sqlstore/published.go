package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/stats"
)

// aggColumns are agg_month's (and agg_published's) columns.
var aggColumns = func() []string {
	out := []string{"year", "month", "region_code", "cluster_code", "tier", "section", "sei", "specialized", "n", "n_base"}
	out = append(out, reportColumns...)
	for _, c := range reportColumns {
		out = append(out, "b_"+c)
	}
	return out
}()

// publishedFrom is the summary "as published": the snapshot of every
// published month, agg_month for the months not published. The year is
// the query's $1, which every aggregate query binds first.
var publishedFrom = func() string {
	cols := strings.Join(aggColumns, ", ")
	return `(SELECT ` + cols + ` FROM agg_published WHERE year = $1
	UNION ALL
	SELECT ` + cols + ` FROM agg_month m WHERE m.year = $1 AND NOT EXISTS
		(SELECT 1 FROM agg_published_period p WHERE p.year = m.year AND p.month = m.month)) AS published`
}()

// snapshotPublished copies the summaries of a month being published into
// agg_published, inside the transaction that locks it.
func snapshotPublished(ctx context.Context, tx *sql.Tx, p review.Period, at int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM agg_published WHERE year = $1 AND month = $2`, p.Year, p.Month); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM agg_published_period WHERE year = $1 AND month = $2`, p.Year, p.Month); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO agg_published_period (year, month, taken_at) VALUES ($1, $2, $3)`, p.Year, p.Month, at); err != nil {
		return err
	}
	cols := strings.Join(aggColumns, ", ")
	_, err := tx.ExecContext(ctx, `INSERT INTO agg_published (`+cols+`) SELECT `+cols+` FROM agg_month WHERE year = $1 AND month = $2`, p.Year, p.Month)
	return err
}

// Published is the store read "as published": Aggregate answers from the
// snapshots taken when months were published (and from the current
// summaries for months not published); every other read is the store's.
// The cockpit's "as published" basis is a statistics engine over it.
type Published struct{ *Store }

// AsPublished returns the store's "as published" view.
func (s *Store) AsPublished() Published { return Published{s} }

// Aggregate implements stats.Source on the published basis. A single
// month reads either its snapshot or, when it is not published, the
// current summaries with their rollups; a whole year (the trend) reads
// both through publishedFrom.
func (p Published) Aggregate(ctx context.Context, sc auth.Scope, q stats.Query) ([]stats.Row, error) {
	if q.Month == 0 {
		return p.Store.aggregate(ctx, sc, q, publishedFrom)
	}
	var n int
	if err := p.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM agg_published_period WHERE year = $1 AND month = $2`, q.Year, q.Month).Scan(&n); err != nil {
		return nil, err
	}
	if n == 0 {
		return p.Store.aggregate(ctx, sc, q, "")
	}
	return p.Store.aggregate(ctx, sc, q, "agg_published")
}
