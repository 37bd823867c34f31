package web

import (
	"context"
	"fmt"
	"net/url"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/cluster"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/region"
	"github.com/industrybrain/ibrain/internal/sqlstore"
)

// Districts, clusters and their addresses, which the core's pages and the
// feature modules share (web.DistrictURL, web.ClusterName … in kit.go).
// The cockpit pages themselves are internal/cockpit/cockpitweb.

// chartPanel is one chart with its table and export.
type chartPanel struct {
	ID     string // element id; cockpit.js fills it by id
	Title  string
	Note   string
	Height string // "", "tall" or "short"
	Wide   bool
}

// canSeeRegion reports whether the user may open a region's pages: city
// roles any, district officers their own, enterprise users none.
func canSeeRegion(usr auth.User, code string) bool {
	switch usr.Role {
	case auth.RoleCityAdmin, auth.RoleCityAnalyst:
		return true
	case auth.RoleDistrict:
		return code != "" && code == usr.RegionCode
	}
	return false
}

// clusterIndex returns the cluster catalogue in force at the end of year,
// by code.
func (u *ui) clusterIndex(ctx context.Context, year int) (map[string]sqlstore.ClusterRow, []sqlstore.ClusterRow, error) {
	cat, err := u.s.store.ClustersAt(ctx, fmt.Sprintf("%04d-12-31", year))
	if err != nil {
		return nil, nil, err
	}
	m := make(map[string]sqlstore.ClusterRow, len(cat.Clusters))
	for _, c := range cat.Clusters {
		m[c.Code] = c
	}
	return m, cat.Clusters, nil
}

// tierName names a cluster tier in lang, from the cluster package; an
// empty tier is the part of industry outside the 33618 catalogue.
func (u *ui) tierName(lang, tier string) string {
	t := cluster.Tier(tier)
	if tier == "" {
		return u.t(lang, "js.outside_catalogue")
	}
	if !t.Valid() {
		return tier
	}
	return pickLang(lang, t.NameZh(), t.NameEn())
}

func regionName(lang string, r region.Region) string {
	if lang == i18n.EN {
		return r.NameEn
	}
	return r.NameZh
}

func clusterName(lang string, c sqlstore.ClusterRow) string {
	if lang == i18n.EN && c.NameEn != "" {
		return c.NameEn
	}
	return c.NameZh
}

func districtURL(code string) string { return "/districts/" + url.PathEscape(code) }

func clusterURL(regionCode, cluster string) string {
	if regionCode == "" {
		return "/clusters/" + url.PathEscape(cluster)
	}
	return districtURL(regionCode) + "/clusters/" + url.PathEscape(cluster)
}

// valueDigits is how many decimals an indicator shows.
func valueDigits(ind indicator.Indicator) int {
	switch ind.Aggregation {
	case "count":
		return 0
	}
	if ind.Unit == "count" || ind.Unit == "enterprises" || ind.Unit == "persons" || ind.Unit == "items" {
		return 0
	}
	return 1
}

func pickLang(lang, zh, en string) string {
	if lang == i18n.EN && en != "" {
		return en
	}
	return zh
}

// statusCount is a status with its label and count, for a page's pills.
type statusCount struct {
	Status, Label string
	N             int
}
