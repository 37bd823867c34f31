package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"sort"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/region"
	"github.com/industrybrain/ibrain/internal/registry"
)

// SyncRegions upserts the statistical units, keeping catalogue order.
func (s *Store) SyncRegions(ctx context.Context, regions []region.Region) error {
	return s.refTx(ctx, tablesChangedBy(ctx, []string{"region"}, func(tx *sql.Tx) error {
		for i, r := range regions {
			if _, err := tx.ExecContext(ctx, `INSERT INTO region (code, name_zh, name_en, kind, area, position) VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, kind = excluded.kind, area = excluded.area, position = excluded.position`,
				r.Code, r.NameZh, r.NameEn, string(r.Kind), string(r.Area), i); err != nil {
				return fmt.Errorf("sqlstore: region %s: %w", r.Code, err)
			}
		}
		return nil
	}))
}

// tablesChangedBy wraps a reference sync that rewrites tables whether or
// not their content changes (small catalogues, replaced wholesale) for
// refTx: it reports a change when the tables' rows differ after fn from
// before it.
func tablesChangedBy(ctx context.Context, tables []string, fn func(tx *sql.Tx) error) func(tx *sql.Tx) (bool, error) {
	return func(tx *sql.Tx) (bool, error) {
		read := func() ([]map[string]int, error) {
			out := make([]map[string]int, len(tables))
			for i, t := range tables {
				rows, err := rowSet(ctx, tx, `SELECT * FROM `+t)
				if err != nil {
					return nil, err
				}
				out[i] = rows
			}
			return out, nil
		}
		before, err := read()
		if err != nil {
			return false, err
		}
		if err := fn(tx); err != nil {
			return false, err
		}
		after, err := read()
		if err != nil {
			return false, err
		}
		for i := range tables {
			if !maps.Equal(before[i], after[i]) {
				return true, nil
			}
		}
		return false, nil
	}
}

// The cluster catalogue as stored is package registry's; these names
// remain for the callers that still spell them the store's way.
type (
	ClusterCatalogueRow = registry.ClusterCatalogue
	ClusterRow          = registry.Cluster
)

// SyncClusters replaces the stored cluster catalogues.
func (s *Store) SyncClusters(ctx context.Context, cats []registry.ClusterCatalogue) error {
	return s.refTx(ctx, tablesChangedBy(ctx, []string{"cluster_catalogue", "cluster"}, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM cluster`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cluster_catalogue`); err != nil {
			return err
		}
		for _, c := range cats {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cluster_catalogue (id, version, effective_from, effective_to, source) VALUES ($1, $2, $3, $4, $5)`,
				c.ID, c.Version, c.EffectiveFrom, c.EffectiveTo, c.Source); err != nil {
				return err
			}
			for i, k := range c.Clusters {
				if _, err := tx.ExecContext(ctx, `INSERT INTO cluster (catalogue_id, code, tier, grp, name_zh, name_en, position) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
					c.ID, k.Code, k.Tier, k.Group, k.NameZh, k.NameEn, i); err != nil {
					return fmt.Errorf("sqlstore: cluster %s/%s: %w", c.ID, k.Code, err)
				}
			}
		}
		return nil
	}))
}

// IndicatorRow is an indicator catalogue entry as stored.
type IndicatorRow struct {
	Code, NameZh, NameEn, Unit, Frequency, Kind, Aggregation, Measure, Department, Source string
	Alert, Excellent                                                                      *float64
	HigherIsBetter                                                                        bool
}

// SyncIndicators upserts the indicator catalogue. Indicators are never
// deleted: targets and values refer to them.
func (s *Store) SyncIndicators(ctx context.Context, inds []IndicatorRow) error {
	return s.refTx(ctx, tablesChangedBy(ctx, []string{"indicator"}, func(tx *sql.Tx) error {
		for i, d := range inds {
			if _, err := tx.ExecContext(ctx, `INSERT INTO indicator (code, name_zh, name_en, unit, frequency, kind, aggregation, measure, department, source, alert_e4, excellent_e4, higher_better, position)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
				ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, unit = excluded.unit, frequency = excluded.frequency,
				kind = excluded.kind, aggregation = excluded.aggregation, measure = excluded.measure, department = excluded.department, source = excluded.source,
				alert_e4 = excluded.alert_e4, excellent_e4 = excluded.excellent_e4, higher_better = excluded.higher_better, position = excluded.position`,
				d.Code, d.NameZh, d.NameEn, d.Unit, d.Frequency, d.Kind, d.Aggregation, d.Measure, d.Department, d.Source, optE4(d.Alert), optE4(d.Excellent), boolInt(d.HigherIsBetter), i); err != nil {
				return fmt.Errorf("sqlstore: indicator %s: %w", d.Code, err)
			}
		}
		return nil
	}))
}

func optE4(v *float64) any {
	if v == nil {
		return nil
	}
	return toE4(*v)
}

// IndustryMapRow resolves one industry class for one year.
type IndustryMapRow struct {
	Year         int
	IndustryCode string
	Section      string
	ClusterCode  string
	Tier         string
	SEIDomain    int
}

// SyncIndustryMap makes industry_map equal to rows, and rebuilds the
// summaries of the years whose mapping changed (a new cluster catalogue
// version moves firms between clusters), all in one transaction.
func (s *Store) SyncIndustryMap(ctx context.Context, rows []IndustryMapRow) error {
	return s.refTx(ctx, func(tx *sql.Tx) (bool, error) {
		have := map[[2]any]IndustryMapRow{}
		q, err := tx.QueryContext(ctx, `SELECT year, industry_code, section, cluster_code, tier, sei_domain FROM industry_map`)
		if err != nil {
			return false, err
		}
		for q.Next() {
			var r IndustryMapRow
			if err := q.Scan(&r.Year, &r.IndustryCode, &r.Section, &r.ClusterCode, &r.Tier, &r.SEIDomain); err != nil {
				q.Close()
				return false, err
			}
			have[[2]any{r.Year, r.IndustryCode}] = r
		}
		q.Close()
		if err := q.Err(); err != nil {
			return false, err
		}
		changed := map[int]bool{}
		up, err := tx.PrepareContext(ctx, `INSERT INTO industry_map (year, industry_code, section, cluster_code, tier, sei_domain) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (year, industry_code) DO UPDATE SET section = excluded.section, cluster_code = excluded.cluster_code, tier = excluded.tier, sei_domain = excluded.sei_domain`)
		if err != nil {
			return false, err
		}
		defer up.Close()
		for _, r := range rows {
			k := [2]any{r.Year, r.IndustryCode}
			old, ok := have[k]
			delete(have, k)
			if ok && old == r {
				continue
			}
			if _, err := up.ExecContext(ctx, r.Year, r.IndustryCode, r.Section, r.ClusterCode, r.Tier, r.SEIDomain); err != nil {
				return false, err
			}
			changed[r.Year] = true
		}
		for k := range have {
			if _, err := tx.ExecContext(ctx, `DELETE FROM industry_map WHERE year = $1 AND industry_code = $2`, k[0], k[1]); err != nil {
				return false, err
			}
			changed[k[0].(int)] = true
		}
		if len(changed) > 0 { // clusters of every enterprise
			if err := bumpProfileGeneration(ctx, tx, nil); err != nil {
				return false, err
			}
		}
		// Only years with reports have summaries to rebuild.
		var years []int
		for y := range changed {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM enterprise_year WHERE year = $1`, y).Scan(&n); err != nil {
				return false, err
			}
			if n > 0 {
				years = append(years, y)
			}
		}
		sort.Ints(years)
		m := map[int]bool{}
		for _, y := range years {
			m[y] = true
		}
		return len(changed) > 0, s.refreshYears(ctx, tx, m)
	})
}

// RegionRow is a stored statistical unit.
type RegionRow struct {
	Code, NameZh, NameEn, Kind, Area string
}

// ClustersAt returns the clusters of the catalogue in force on day
// (YYYY-MM-DD), falling back to the earliest catalogue for earlier days;
// with no catalogue stored at all it is an apperr.NotFound.
func (s *Store) ClustersAt(ctx context.Context, day string) (registry.ClusterCatalogue, error) {
	var c registry.ClusterCatalogue
	err := s.read.QueryRowContext(ctx, `SELECT id, version, effective_from, effective_to, source FROM cluster_catalogue
		WHERE effective_from <= $1 ORDER BY effective_from DESC LIMIT 1`, day).Scan(&c.ID, &c.Version, &c.EffectiveFrom, &c.EffectiveTo, &c.Source)
	if err == sql.ErrNoRows {
		err = s.read.QueryRowContext(ctx, `SELECT id, version, effective_from, effective_to, source FROM cluster_catalogue ORDER BY effective_from LIMIT 1`).
			Scan(&c.ID, &c.Version, &c.EffectiveFrom, &c.EffectiveTo, &c.Source)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.New(apperr.NotFound, "api.err.not_found")
	}
	if err != nil {
		return c, err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT code, tier, grp, name_zh, name_en FROM cluster WHERE catalogue_id = $1 ORDER BY position`, c.ID)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var k registry.Cluster
		if err := rows.Scan(&k.Code, &k.Tier, &k.Group, &k.NameZh, &k.NameEn); err != nil {
			return c, err
		}
		c.Clusters = append(c.Clusters, k)
	}
	return c, rows.Err()
}
