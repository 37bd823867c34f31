package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/cluster"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/region"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/target"
)

// The cockpit (驾驶舱) is one page at four levels of the drill-down:
// the city (GET /), a district or zone (GET /districts/{code}), a cluster
// city-wide (GET /clusters/{cluster}) and a cluster within a district
// (GET /districts/{code}/clusters/{cluster}). KPI cards are rendered here
// from the statistics engine; the charts and the map fetch the same
// engine's figures from the JSON API (static/cockpit.js).

// cockpitPage is the data of pages/cockpit.html.
type cockpitPage struct {
	basePage
	Level       string // city | district | cluster | district_cluster
	Heading     string
	Sub         string
	RegionCode  string
	ClusterCode string
	Period      report.Period
	PeriodLabel string
	Years       []int
	Months      []monthOption
	NoData      bool
	KPIs        []kpiCard
	ShowMap     bool
	Zones       []regionLink // functional zones, listed beside the map
	Clusters    []sliceLink  // a district's clusters, server-rendered for the drill-down
	Top         []entLink    // the largest enterprises of a district's cluster
	TopTotal    int          // how many enterprises the filtered list has
	ListURL     string       // the enterprise list with this page's filters
	Data        cockpitData  // for cockpit.js
	MapPanel    *chartPanel  // the district map, on city-wide pages
	Panels      []chartPanel // the other chart panels, in order
	Related     []relLink    // a district's pages in the other modules
}

type monthOption struct {
	Month    int
	Label    string
	Selected bool
}

type regionLink struct {
	Code, Name, URL string
}

type sliceLink struct {
	Code, Name, Tier, URL string
	Output                string
	Share                 string
	Growth                string
	N                     int64
}

type entLink struct {
	Name, URL, Size, Revenue string
}

// chartPanel is one chart with its table and export.
type chartPanel struct {
	ID     string // element id; cockpit.js fills it by id
	Title  string
	Note   string
	Height string // "", "tall" or "short"
	Wide   bool
}

// cockpitData travels to cockpit.js as JSON.
type cockpitData struct {
	Lang     string                   `json:"lang"`
	Year     int                      `json:"year"`
	Month    int                      `json:"month"`
	Level    string                   `json:"level"`
	Region   string                   `json:"region,omitempty"`
	Cluster  string                   `json:"cluster,omitempty"`
	MapURL   string                   `json:"mapUrl,omitempty"`
	Regions  map[string]uiRegionJSON  `json:"regions"`
	Clusters map[string]uiClusterJSON `json:"clusters"`
	Tiers    map[string]string        `json:"tiers"`
	TierList []string                 `json:"tierOrder"` // colours follow this order
	Text     map[string]string        `json:"text"`
}

type uiRegionJSON struct {
	Name string `json:"name"`
	Zone bool   `json:"zone,omitempty"`
	URL  string `json:"url"`
}

type uiClusterJSON struct {
	Name string `json:"name"`
	Tier string `json:"tier"`
	URL  string `json:"url"`
}

// kpiCard is one indicator card.
type kpiCard struct {
	Code       string
	Name       string
	Unit       string
	Value      string
	Known      bool
	YoY        string
	YoYClass   string // up | down | ""
	Nominal    bool
	Mark       string // alert | excellent | ""
	Thresholds string // "预警 < 5 · 优秀 ≥ 10"
	Definition string
	Department string
	Progress   *progressView
}

type progressView struct {
	Status     string
	StatusText string
	Pct        int
	Target     string
	Actual     string
	Projection string
	Source     string
}

// home sends each role to its landing page: the city cockpit for city
// roles, the own district for district officers, the own profile for
// enterprise users.
func (u *ui) home(w http.ResponseWriter, r *http.Request, pc pageCtx) {
	if pc.user.Role == auth.RoleDistrict || pc.user.Role == auth.RoleEnterprise {
		target := homeURL(pc.user)
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	u.cockpit(w, r, pc, "", "")
}

func (u *ui) districtPage(w http.ResponseWriter, r *http.Request, pc pageCtx) {
	u.cockpit(w, r, pc, r.PathValue("code"), "")
}

func (u *ui) districtClusterPage(w http.ResponseWriter, r *http.Request, pc pageCtx) {
	u.cockpit(w, r, pc, r.PathValue("code"), r.PathValue("cluster"))
}

func (u *ui) clusterPage(w http.ResponseWriter, r *http.Request, pc pageCtx) {
	u.cockpit(w, r, pc, "", r.PathValue("cluster"))
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

// periodChoice resolves ?year=&month= against the latest reported period:
// no year means the latest period, a year without a month means its last
// reported month; a period after the latest is clamped to it.
func periodChoice(r *http.Request, latest report.Period) report.Period {
	p := latest
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 2000 && y <= latest.Year {
		p = report.Period{Year: y, Month: 12}
		if y == latest.Year {
			p.Month = latest.Month
		}
		if m, err := strconv.Atoi(r.URL.Query().Get("month")); err == nil && m >= 2 && m <= 12 {
			if y < latest.Year || m <= latest.Month {
				p.Month = m
			}
		}
	}
	return p
}

// latestPeriod returns the latest reported period; ok is false when there
// are no reports yet.
func (u *ui) latestPeriod(ctx context.Context) (report.Period, bool, error) {
	p, err := u.s.store.LatestPeriod(ctx)
	if apperr.Is(err, apperr.NotFound) {
		return report.Period{}, false, nil
	}
	return p, err == nil, err
}

func (u *ui) monthOptions(lang string, p, latest report.Period) []monthOption {
	last := 12
	if p.Year == latest.Year {
		last = latest.Month
	}
	var out []monthOption
	for m := 2; m <= last; m++ {
		out = append(out, monthOption{Month: m, Label: monthRangeLabel(lang, m), Selected: m == p.Month})
	}
	return out
}

// monthRangeLabel is the cumulative label of a month without the year:
// 1–N月, Jan–Mon.
func monthRangeLabel(lang string, m int) string {
	if lang == i18n.EN {
		return "Jan–" + time.Month(m).String()[:3]
	}
	return "1–" + strconv.Itoa(m) + "月"
}

func (u *ui) periodLabel(lang string, p report.Period) string {
	return p.Label(lang != i18n.EN)
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

// cockpit renders the cockpit for a region ("" = city) and a cluster
// ("" = all).
func (u *ui) cockpit(w http.ResponseWriter, r *http.Request, pc pageCtx, regionCode, clusterCode string) {
	ctx := r.Context()
	lang := pc.lang
	if pc.user.Role == auth.RoleEnterprise {
		u.renderError(w, r, http.StatusForbidden, "err.forbidden")
		return
	}
	var reg region.Region
	if regionCode != "" {
		var ok bool
		if reg, ok = u.s.regions.ByCode(regionCode); !ok {
			u.renderError(w, r, http.StatusNotFound, "err.region_not_found")
			return
		}
		if !canSeeRegion(pc.user, regionCode) {
			u.renderError(w, r, http.StatusForbidden, "err.forbidden")
			return
		}
	} else if pc.user.Role == auth.RoleDistrict {
		// District officers have no city-wide view; a city-level cluster
		// page becomes the same cluster in their district.
		target := districtURL(pc.user.RegionCode)
		if clusterCode != "" {
			target = clusterURL(pc.user.RegionCode, clusterCode)
		}
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}

	p := cockpitPage{RegionCode: regionCode, ClusterCode: clusterCode}
	p.basePage = u.base(r, pc, "cockpit.title", "cockpit")
	p.Module = "cockpit"
	latest, ok, err := u.latestPeriod(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	year := latest.Year
	if ok {
		p.Period = periodChoice(r, latest)
		year = p.Period.Year
	}
	clusters, clusterList, err := u.clusterIndex(ctx, max(year, 2000))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	var cl sqlstore.ClusterRow
	if clusterCode != "" {
		if cl, ok = clusters[clusterCode]; !ok {
			u.renderError(w, r, http.StatusNotFound, "err.cluster_not_found")
			return
		}
	}

	// Heading, breadcrumbs and level.
	city := u.t(lang, "scope.city")
	switch {
	case regionCode == "" && clusterCode == "":
		p.Level, p.Heading = "city", u.t(lang, "cockpit.city_heading")
		p.Crumbs = []crumb{{Label: city}}
	case clusterCode == "":
		p.Level, p.Heading = "district", regionName(lang, reg)
		if reg.IsZone() {
			p.Sub = u.t(lang, "cockpit.zone_note")
		}
		p.Related = u.districtLinks(lang, regionCode)
		p.Crumbs = []crumb{{Label: city, URL: "/"}, {Label: regionName(lang, reg)}}
	case regionCode == "":
		p.Level, p.Heading = "cluster", clusterName(lang, cl)
		p.Sub = u.tierName(lang, cl.Tier)
		p.Crumbs = []crumb{{Label: city, URL: "/"}, {Label: clusterName(lang, cl)}}
	default:
		p.Level, p.Heading = "district_cluster", regionName(lang, reg)+" · "+clusterName(lang, cl)
		p.Sub = u.tierName(lang, cl.Tier)
		p.Crumbs = []crumb{{Label: city, URL: "/"}, {Label: regionName(lang, reg), URL: districtURL(regionCode)}, {Label: clusterName(lang, cl)}}
	}
	if pc.user.Role == auth.RoleDistrict && len(p.Crumbs) > 1 {
		p.Crumbs = p.Crumbs[1:] // no city-wide page to go back to
	}
	p.Title = p.Heading
	q := url.Values{}
	if regionCode != "" {
		q.Set("region", regionCode)
	}
	if clusterCode != "" {
		q.Set("cluster", clusterCode)
	}
	p.ListURL = "/enterprises"
	if len(q) > 0 {
		p.ListURL += "?" + q.Encode()
	}

	p.Data = cockpitData{Lang: lang, Level: p.Level, Region: regionCode, Cluster: clusterCode,
		Regions: map[string]uiRegionJSON{}, Clusters: map[string]uiClusterJSON{}, Tiers: map[string]string{},
		Text: u.prefixed(lang, "js.")}
	for _, rg := range u.s.regions.Regions {
		p.Data.Regions[rg.Code] = uiRegionJSON{Name: regionName(lang, rg), Zone: rg.IsZone(), URL: clusterOrDistrictURL(rg.Code, clusterCode)}
	}
	for _, c := range clusterList {
		p.Data.Clusters[c.Code] = uiClusterJSON{Name: clusterName(lang, c), Tier: c.Tier, URL: clusterURL(regionCode, c.Code)}
		p.Data.Tiers[c.Tier] = u.tierName(lang, c.Tier)
	}
	for _, t := range cluster.Tiers {
		p.Data.TierList = append(p.Data.TierList, string(t))
	}
	p.ShowMap = regionCode == ""
	if p.ShowMap {
		p.Data.MapURL = "/static/map/chongqing.json"
		for _, rg := range u.s.regions.Regions {
			if rg.IsZone() {
				p.Zones = append(p.Zones, regionLink{Code: rg.Code, Name: regionName(lang, rg), URL: clusterOrDistrictURL(rg.Code, clusterCode)})
			}
		}
	}
	if p.ShowMap {
		p.MapPanel = &chartPanel{ID: "map", Title: u.t(lang, "chart.map"), Note: u.t(lang, "chart.map_note"), Height: "tall"}
	}
	p.Panels = u.cockpitPanels(lang, p.Level)
	p.Scripts = []string{"echarts.min.js", "app.js", "cockpit.js"}

	if !ok {
		p.NoData = true
		u.render(w, r, http.StatusOK, lang, "cockpit.html", p)
		return
	}
	p.Data.Year, p.Data.Month = p.Period.Year, p.Period.Month
	p.PeriodLabel = u.periodLabel(lang, p.Period)
	if p.Years, err = u.s.store.ReportYears(ctx); err != nil {
		u.fail(w, r, err)
		return
	}
	p.Months = u.monthOptions(lang, p.Period, latest)

	sc := pc.user.ScopeOf()
	f := stats.Filter{Region: regionCode, Cluster: clusterCode}
	figs, err := u.s.stats.KPIs(ctx, sc, p.Period, f)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	for _, fig := range figs {
		p.KPIs = append(p.KPIs, u.kpiCard(lang, fig))
	}

	switch p.Level {
	case "district":
		slices, err := u.s.stats.Breakdown(ctx, sc, p.Period, stats.ByCluster, f)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		for _, s := range slices {
			if s.Key.Cluster == "" {
				continue // firms outside the 33618 catalogue
			}
			c := clusters[s.Key.Cluster]
			name := clusterName(lang, c)
			if name == "" {
				name = s.Key.Cluster
			}
			p.Clusters = append(p.Clusters, sliceLink{Code: s.Key.Cluster, Name: name, Tier: u.tierName(lang, c.Tier),
				URL: clusterURL(regionCode, s.Key.Cluster), Output: formatNumber(s.Output, shownDigits(s.Output, 1)), Share: formatNumber(s.SharePct, 1),
				Growth: optSigned(s.VAGrowth), N: s.N})
		}
	case "district_cluster", "cluster":
		page, err := u.s.store.ListEnterprises(ctx, sc, sqlstore.EnterpriseFilter{RegionCode: regionCode, ClusterCode: clusterCode, Year: p.Period.Year, Limit: 10})
		if err != nil {
			u.fail(w, r, err)
			return
		}
		p.TopTotal = page.Total
		for _, it := range page.Items {
			p.Top = append(p.Top, entLink{Name: it.Name, URL: "/enterprises/" + strconv.FormatInt(it.ID, 10),
				Size: u.t(lang, "size."+string(it.Size)), Revenue: formatNumber(float64(it.Revenue)/1e6, 1)})
		}
	}
	u.render(w, r, http.StatusOK, lang, "cockpit.html", p)
}

// clusterOrDistrictURL is where a click on a region leads: its cockpit, or
// the same cluster within it on a cluster page.
func clusterOrDistrictURL(regionCode, cluster string) string {
	if cluster != "" {
		return clusterURL(regionCode, cluster)
	}
	return districtURL(regionCode)
}

// cockpitPanels lists the chart panels of a level.
func (u *ui) cockpitPanels(lang, level string) []chartPanel {
	t := func(k string) string { return u.t(lang, k) }
	ps := []chartPanel{
		{ID: "trend-output", Title: t("chart.trend_output"), Note: t("chart.trend_output_note")},
		{ID: "trend-va", Title: t("chart.trend_va"), Note: t("chart.trend_va_note")},
	}
	if level == "city" || level == "district" {
		ps = append(ps,
			chartPanel{ID: "by-tier", Title: t("chart.by_tier"), Note: t("chart.by_tier_note")},
			chartPanel{ID: "by-cluster", Title: t("chart.by_cluster"), Note: t("chart.by_cluster_note"), Height: "tall", Wide: true},
		)
	}
	return ps
}

// kpiCard turns an engine figure into a card.
func (u *ui) kpiCard(lang string, fig stats.Figure) kpiCard {
	ind := fig.Indicator
	c := kpiCard{Code: ind.Code, Name: pickLang(lang, ind.NameZh, ind.NameEn), Unit: pickLang(lang, ind.UnitZh, ind.UnitEn),
		Known: fig.Known, Nominal: fig.Nominal, Mark: string(fig.Mark), Department: ind.Department,
		Definition: pickLang(lang, ind.DefinitionZh, ind.DefinitionEn)}
	c.Value = "–"
	if fig.Known {
		c.Value = formatNumber(fig.Value, shownDigits(fig.Value, valueDigits(ind)))
	}
	if fig.YoYPct != nil && fig.Known {
		c.YoY = formatSigned(*fig.YoYPct, 1) + "%"
		switch {
		case *fig.YoYPct > 0.05:
			c.YoYClass = "up"
		case *fig.YoYPct < -0.05:
			c.YoYClass = "down"
		}
	}
	c.Thresholds = u.thresholdText(lang, ind)
	if pr := fig.Progress; pr != nil {
		c.Progress = u.progressView(lang, ind, *pr)
	}
	return c
}

// thresholdText describes an indicator's alert and excellence lines.
func (u *ui) thresholdText(lang string, ind indicator.Indicator) string {
	var parts []string
	better, worse := "≥", "<"
	if !ind.HigherIsBetter {
		better, worse = "≤", ">"
	}
	if ind.Alert != nil {
		parts = append(parts, u.t(lang, "kpi.alert_line", worse+" "+formatNumber(*ind.Alert, valueDigits(ind))))
	}
	if ind.Excellent != nil {
		parts = append(parts, u.t(lang, "kpi.excellent_line", better+" "+formatNumber(*ind.Excellent, valueDigits(ind))))
	}
	out := ""
	for i, s := range parts {
		if i > 0 {
			out += " · "
		}
		out += s
	}
	return out
}

// progressView describes target progress for a card or a task-table row.
func (u *ui) progressView(lang string, ind indicator.Indicator, pr target.Progress) *progressView {
	d := valueDigits(ind)
	unitText := pickLang(lang, ind.UnitZh, ind.UnitEn)
	v := &progressView{Status: string(pr.Status), StatusText: u.t(lang, "status."+string(pr.Status)),
		Target: comparatorSymbol(pr.Target.Comparator) + " " + formatNumber(pr.Target.Value, d) + " " + unitText, Source: pr.Target.Source}
	if pr.Known {
		v.Actual = formatNumber(pr.Actual, shownDigits(pr.Actual, d))
		v.Projection = formatNumber(pr.Projection, shownDigits(pr.Projection, d))
		v.Pct = progressPct(pr)
	}
	return v
}

func comparatorSymbol(c target.Comparator) string {
	switch c {
	case target.AtMost:
		return "≤"
	case target.About:
		return "≈"
	}
	return "≥"
}

// progressPct is how full a target's bar is, 0–100: the share of a level
// target reached so far, or how close a rate is to its line.
func progressPct(pr target.Progress) int {
	t, a := pr.Target.Value, pr.Actual
	var pct float64
	switch pr.Target.Comparator {
	case target.AtMost:
		switch {
		case a <= t:
			pct = 100
		case a > 0:
			pct = t / a * 100
		}
	case target.About:
		if math.Abs(a-t) <= target.Tolerance {
			pct = 100
		} else if t != 0 {
			pct = 100 - math.Abs(a-t)/math.Abs(t)*100
		}
	default:
		if pr.Ratio != 0 {
			pct = pr.Ratio * 100
		} else if t > 0 {
			pct = a / t * 100
		} else if a >= t {
			pct = 100
		}
	}
	return int(math.Round(math.Max(0, math.Min(100, pct))))
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

// shownDigits adds decimals to a small non-zero value so that a district's
// or a small cluster's 0.04 亿元 does not read as 0.0.
func shownDigits(v float64, digits int) int {
	a := math.Abs(v)
	switch {
	case digits == 0 || a == 0 || a >= 1:
		return digits
	case a >= 0.1:
		return max(digits, 2)
	}
	return max(digits, 3)
}

func pickLang(lang, zh, en string) string {
	if lang == i18n.EN && en != "" {
		return en
	}
	return zh
}

func optSigned(v *float64) string {
	if v == nil {
		return "–"
	}
	return formatSigned(*v, 1) + "%"
}
