package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/industrybrain/ibrain/internal/stats"
)

// rollup is a summary table derived from agg_month with fewer dimensions.
type rollup struct {
	table string
	dims  []string // key columns besides year, month, section, sei, specialized
}

// rollups, smallest first; agg_month itself is the fallback with every
// dimension.
var rollups = []rollup{
	{"agg_city", nil},
	{"agg_region", []string{"region_code"}},
	{"agg_cluster", []string{"cluster_code", "tier"}},
}

// refreshRollups rebuilds one year of every rollup from agg_month, inside
// the transaction that rebuilt agg_month.
func refreshRollups(ctx context.Context, tx *sql.Tx, year int) error {
	sums := []string{"SUM(n)", "SUM(n_base)"}
	for _, c := range reportColumns {
		sums = append(sums, "SUM("+c+")")
	}
	for _, c := range reportColumns {
		sums = append(sums, "SUM(b_"+c+")")
	}
	for _, r := range rollups {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+r.table+` WHERE year = $1`, year); err != nil {
			return err
		}
		keys := strings.Join(append(append([]string{"year", "month"}, r.dims...), "section", "sei", "specialized"), ", ")
		q := `INSERT INTO ` + r.table + ` SELECT ` + keys + `, ` + strings.Join(sums, ", ") +
			` FROM agg_month WHERE year = $1 GROUP BY ` + keys
		if _, err := tx.ExecContext(ctx, q, year); err != nil {
			return err
		}
	}
	return nil
}

// tableFor picks the smallest summary table that has every column the
// query groups or filters by (the scope's region counts as a filter).
func tableFor(q stats.Query, regionScoped bool) string {
	needRegion := regionScoped || q.Filter.Region != ""
	needCluster := q.Filter.Cluster != "" || q.Filter.Tier != ""
	for _, d := range q.GroupBy {
		switch d {
		case stats.ByRegion:
			needRegion = true
		case stats.ByCluster, stats.ByTier:
			needCluster = true
		}
	}
	switch {
	case needRegion && needCluster:
		return "agg_month"
	case needRegion:
		return "agg_region"
	case needCluster:
		return "agg_cluster"
	}
	return "agg_city"
}
