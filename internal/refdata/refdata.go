// Package refdata loads the compiled-in reference catalogues (regions,
// cluster catalogues, the industry classification and SEI mapping, the
// indicator catalogue) into the store, and derives the per-year
// industry_map the summaries join on. It runs at every start; it is
// idempotent and only rebuilds summaries when a mapping actually changed.
package refdata

import (
	"context"
	"fmt"

	"github.com/industrybrain/ibrain/internal/cluster"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/industry"
	"github.com/industrybrain/ibrain/internal/region"
	"github.com/industrybrain/ibrain/internal/registry"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/tasks"
)

// Catalogues is the set of reference catalogues the platform runs on.
type Catalogues struct {
	Regions    *region.Catalogue
	Clusters   *cluster.Set
	Industries *industry.Classification
	SEI        *industry.SEICatalogue
	Indicators *indicator.Catalogue
	TaskTables *tasks.Tables // every bureau's task table, checked against Indicators
}

// Builtin loads the compiled-in catalogues.
func Builtin() (*Catalogues, error) {
	var c Catalogues
	var err error
	if c.Regions, err = region.Builtin(); err != nil {
		return nil, err
	}
	if c.Clusters, err = cluster.Builtin(); err != nil {
		return nil, err
	}
	if c.Industries, err = industry.Builtin(); err != nil {
		return nil, err
	}
	if c.SEI, err = industry.BuiltinSEI(); err != nil {
		return nil, err
	}
	if c.Indicators, err = indicator.Builtin(); err != nil {
		return nil, err
	}
	if c.TaskTables, err = tasks.BuiltinTables(); err != nil {
		return nil, err
	}
	return &c, nil
}

// FirstYear and LastYear bound the statistical years the industry map
// covers; a year outside is mapped on demand by Sync's caller.
const (
	FirstYear = 2015
	LastYear  = 2035
)

// MapRows derives the industry map: for each year and industry class, the
// section, the cluster of the catalogue in force at that year's end, and
// the SEI domain.
func (c *Catalogues) MapRows() []sqlstore.IndustryMapRow {
	classes := c.Industries.Classes()
	var rows []sqlstore.IndustryMapRow
	for y := FirstYear; y <= LastYear; y++ {
		cat := c.Clusters.At(fmt.Sprintf("%d-12-31", y))
		for _, cl := range classes {
			sec, _ := industry.Section(cl.Code)
			r := sqlstore.IndustryMapRow{Year: y, IndustryCode: cl.Code, Section: string(sec)}
			if k, ok := cat.Classify(cl.Code); ok {
				r.ClusterCode, r.Tier = k.Code, string(k.Tier)
			}
			r.SEIDomain, _ = c.SEI.Domain(cl.Code)
			rows = append(rows, r)
		}
	}
	return rows
}

// Sync writes the catalogues to the store.
func Sync(ctx context.Context, st *sqlstore.Store, c *Catalogues) error {
	if err := st.SyncRegions(ctx, c.Regions.Regions); err != nil {
		return err
	}
	var cats []registry.ClusterCatalogue
	for _, k := range c.Clusters.Catalogues {
		row := registry.ClusterCatalogue{ID: k.ID, Version: k.Version, EffectiveFrom: k.EffectiveFrom, EffectiveTo: k.EffectiveTo, Source: k.Source}
		for _, cl := range k.Clusters {
			row.Clusters = append(row.Clusters, registry.Cluster{Code: cl.Code, Tier: string(cl.Tier), Group: cl.Group, NameZh: cl.NameZh, NameEn: cl.NameEn})
		}
		cats = append(cats, row)
	}
	if err := st.SyncClusters(ctx, cats); err != nil {
		return err
	}
	var inds []sqlstore.IndicatorRow
	for _, i := range c.Indicators.Indicators {
		inds = append(inds, sqlstore.IndicatorRow{Code: i.Code, NameZh: i.NameZh, NameEn: i.NameEn, Unit: i.Unit, Frequency: i.Frequency, Kind: i.Kind,
			Aggregation: i.Aggregation, Measure: i.Measure, Department: i.Department, Source: i.Source, Alert: i.Alert, Excellent: i.Excellent, HigherIsBetter: i.HigherIsBetter})
	}
	if err := st.SyncIndicators(ctx, inds); err != nil {
		return err
	}
	return st.SyncIndustryMap(ctx, c.MapRows())
}
