package cockpitweb

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/cluster"
	"github.com/industrybrain/ibrain/internal/cockpit"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/region"
	"github.com/industrybrain/ibrain/internal/registry"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/target"
	"github.com/industrybrain/ibrain/internal/web"
)

// The cockpit (驾驶舱) is one page at four levels of the drill-down:
// the city (GET /), a district or zone (GET /districts/{code}), a cluster
// city-wide (GET /clusters/{cluster}) and a cluster within a district
// (GET /districts/{code}/clusters/{cluster}). KPI cards are rendered here
// from the statistics engine; the charts and the map fetch the same
// engine's figures from the JSON API (static/cockpit.js).

// cockpitPage is the data of cockpit.html.
type cockpitPage struct {
	web.BasePage
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
	// PeriodNotice says the chosen period has no data; LatestURL is the
	// latest period with data.
	PeriodNotice string
	LatestURL    string
	KPIs         []kpiCard
	ShowMap      bool
	Zones        []regionLink     // functional zones, listed beside the map
	Clusters     []sliceLink      // a district's clusters, server-rendered for the drill-down
	Top          []entLink        // the largest enterprises of a district's cluster
	TopTotal     int              // how many above-scale enterprises of the year the filtered list has
	CountNote    string           // why that differs from the enterprise-count card
	ListURL      string           // the enterprise list with this page's filters
	Data         cockpitData      // for cockpit.js
	MapPanel     *web.ChartPanel  // the district map, on city-wide pages
	Panels       []web.ChartPanel // the other chart panels, in order
	Related      []web.RelLink    // a district's pages in the other modules
	Spans        *spanPanel       // time controls: two spans side by side (spans.go)
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
	Thresholds string // "预警 < 5 · 优秀 ≥ 10", when they judge this view
	SmallBase  bool   // growth on a small base a year earlier: read with care
	Definition string
	Department string
	Progress   *progressView
	// Source says where the value comes from and who owns it; Owed, set
	// instead for a task-table row without data, names the department
	// that owes it.
	Source string
	Owed   string
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

// forbidden is the error page of a page the user may not see.
func forbidden() error { return apperr.New(apperr.Forbidden, "err.forbidden") }

// home sends each role to its landing page: the city cockpit for city
// roles, the own district for district officers, the own profile for
// enterprise users.
func (m *module) home(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !c.Can(permScoreboard) { // not a city-wide role
		target := web.HomeURL(c.User)
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return nil
	}
	return m.cockpit(w, r, c, "", "")
}

func (m *module) districtPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	return m.cockpit(w, r, c, r.PathValue("code"), "")
}

func (m *module) districtClusterPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	return m.cockpit(w, r, c, r.PathValue("code"), r.PathValue("cluster"))
}

func (m *module) clusterPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	return m.cockpit(w, r, c, "", r.PathValue("cluster"))
}

// periodChoice resolves ?year=&month= against the latest reported period
// and the years with reports: no year means the latest period, a year
// without a month means its last reported month. A period after the
// latest, or in a year without reports, comes back as asked with
// noData set: the page keeps the picker on it and says there is no data,
// rather than silently showing another period.
func periodChoice(r *http.Request, latest report.Period, years []int) (p report.Period, noData bool) {
	p = latest
	y, err := strconv.Atoi(r.URL.Query().Get("year"))
	if err != nil || y < 2000 || y > 2100 {
		return p, false
	}
	p = report.Period{Year: y, Month: 12}
	if y == latest.Year {
		p.Month = latest.Month
	}
	if m, err := strconv.Atoi(r.URL.Query().Get("month")); err == nil && m >= 2 && m <= 12 {
		p.Month = m
	}
	return p, p.Key() > latest.Key() || !slices.Contains(years, y)
}

func (m *module) monthOptions(lang string, p, latest report.Period) []monthOption {
	last := 12
	if p.Year == latest.Year {
		last = max(latest.Month, p.Month) // a month asked for beyond the data stays chosen
	}
	var out []monthOption
	for mo := 2; mo <= last; mo++ {
		out = append(out, monthOption{Month: mo, Label: m.monthRangeLabel(lang, mo), Selected: mo == p.Month})
	}
	return out
}

// monthRangeLabel is the cumulative label of a month without the year:
// 1–N月, Jan–Mon.
func (m *module) monthRangeLabel(lang string, mo int) string {
	if lang == i18n.EN {
		return m.core.T(lang, "cockpit.month_range", time.Month(mo).String()[:3])
	}
	return m.core.T(lang, "cockpit.month_range", strconv.Itoa(mo))
}

func periodLabel(lang string, p report.Period) string { return p.Label(lang != i18n.EN) }

// clusterOrDistrictURL is where a click on a region leads: its cockpit, or
// the same cluster within it on a cluster page.
func clusterOrDistrictURL(regionCode, cluster string) string {
	if cluster != "" {
		return web.ClusterURL(regionCode, cluster)
	}
	return web.DistrictURL(regionCode)
}

// cockpit renders the cockpit for a region ("" = city) and a cluster
// ("" = all).
func (m *module) cockpit(w http.ResponseWriter, r *http.Request, c web.Ctx, regionCode, clusterCode string) error {
	ctx := r.Context()
	lang := c.Lang
	t := func(key string, args ...any) string { return m.core.T(lang, key, args...) }
	if !c.Can(permStats) {
		return forbidden()
	}
	var reg region.Region
	if regionCode != "" {
		var ok bool
		if reg, ok = m.core.Regions().ByCode(regionCode); !ok {
			return apperr.New(apperr.NotFound, "err.region_not_found")
		}
		if !web.CanSeeRegion(c.User, regionCode) {
			return forbidden()
		}
	} else if !c.Can(permScoreboard) {
		// District officers have no city-wide view; a city-level cluster
		// page becomes the same cluster in their district.
		target := web.DistrictURL(c.User.RegionCode)
		if clusterCode != "" {
			target = web.ClusterURL(c.User.RegionCode, clusterCode)
		}
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return nil
	}

	p := cockpitPage{RegionCode: regionCode, ClusterCode: clusterCode}
	p.BasePage = m.core.Base(r, c, "cockpit.title", "cockpit")
	p.Module = "cockpit"
	latest, ok, err := m.svc.Latest(ctx)
	if err != nil {
		return err
	}
	year := latest.Year
	var years []int
	var noPeriodData bool
	if ok {
		if years, err = m.svc.ReportYears(ctx); err != nil {
			return err
		}
		p.Period, noPeriodData = periodChoice(r, latest, years)
		year = p.Period.Year
	}
	clusters, clusterList, err := m.core.ClusterIndex(ctx, max(year, 2000))
	if err != nil {
		return err
	}
	var cl registry.Cluster
	if clusterCode != "" {
		if cl, ok = clusters[clusterCode]; !ok {
			return apperr.New(apperr.NotFound, "err.cluster_not_found")
		}
	}

	// Heading, breadcrumbs and level.
	city := t("scope.city")
	switch {
	case regionCode == "" && clusterCode == "":
		p.Level, p.Heading = "city", t("cockpit.city_heading")
		p.Crumbs = []web.Crumb{{Label: city}}
	case clusterCode == "":
		p.Level, p.Heading = "district", web.RegionName(lang, reg)
		if reg.IsZone() {
			p.Sub = t("cockpit.zone_note")
		}
		p.Related = m.core.DistrictLinks(lang, regionCode)
		p.Crumbs = []web.Crumb{{Label: city, URL: "/"}, {Label: web.RegionName(lang, reg)}}
	case regionCode == "":
		p.Level, p.Heading = "cluster", web.ClusterName(lang, cl)
		p.Sub = m.core.TierName(lang, cl.Tier)
		p.Crumbs = []web.Crumb{{Label: city, URL: "/"}, {Label: web.ClusterName(lang, cl)}}
	default:
		p.Level, p.Heading = "district_cluster", web.RegionName(lang, reg)+" · "+web.ClusterName(lang, cl)
		p.Sub = m.core.TierName(lang, cl.Tier)
		p.Crumbs = []web.Crumb{{Label: city, URL: "/"}, {Label: web.RegionName(lang, reg), URL: web.DistrictURL(regionCode)}, {Label: web.ClusterName(lang, cl)}}
	}
	if !c.Can(permScoreboard) && len(p.Crumbs) > 1 {
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
		Text: m.core.Prefixed(lang, "js.")}
	for _, rg := range m.core.Regions().Regions {
		p.Data.Regions[rg.Code] = uiRegionJSON{Name: web.RegionName(lang, rg), Zone: rg.IsZone(), URL: clusterOrDistrictURL(rg.Code, clusterCode)}
	}
	for _, cr := range clusterList {
		p.Data.Clusters[cr.Code] = uiClusterJSON{Name: web.ClusterName(lang, cr), Tier: cr.Tier, URL: web.ClusterURL(regionCode, cr.Code)}
		p.Data.Tiers[cr.Tier] = m.core.TierName(lang, cr.Tier)
	}
	for _, tr := range cluster.Tiers {
		p.Data.TierList = append(p.Data.TierList, string(tr))
	}
	p.ShowMap = regionCode == ""
	if p.ShowMap {
		p.Data.MapURL = "/static/map/chongqing.json"
		for _, rg := range m.core.Regions().Regions {
			if rg.IsZone() {
				p.Zones = append(p.Zones, regionLink{Code: rg.Code, Name: web.RegionName(lang, rg), URL: clusterOrDistrictURL(rg.Code, clusterCode)})
			}
		}
	}
	if p.ShowMap {
		p.MapPanel = &web.ChartPanel{ID: "map", Title: t("chart.map"), Note: t("chart.map_note"), Height: "tall"}
	}
	p.Panels = m.cockpitPanels(lang, p.Level)
	p.Scripts = []string{"echarts.min.js", "app.js", "cockpit-kit.js", "cockpit.js"}

	if !ok {
		p.NoData = true
		return m.core.Render(w, r, c, "cockpit.html", p)
	}
	p.PeriodLabel = periodLabel(lang, p.Period)
	p.Years = years
	if !slices.Contains(p.Years, p.Period.Year) {
		p.Years = append(slices.Clone(p.Years), p.Period.Year)
		slices.Sort(p.Years)
	}
	p.Months = m.monthOptions(lang, p.Period, latest)
	if noPeriodData {
		// The period asked for has no data: say so, keep the picker on it
		// and point to the latest period, instead of showing that one.
		p.PeriodNotice = t("cockpit.no_period_data", p.PeriodLabel, periodLabel(lang, latest))
		v := url.Values{"year": {strconv.Itoa(latest.Year)}, "month": {strconv.Itoa(latest.Month)}}
		p.LatestURL = r.URL.Path + "?" + v.Encode()
		return m.core.Render(w, r, c, "cockpit.html", p)
	}
	p.Data.Year, p.Data.Month = p.Period.Year, p.Period.Month

	sc := c.Scope()
	f := stats.Filter{Region: regionCode, Cluster: clusterCode}
	figs, err := m.svc.Stats().KPIs(ctx, sc, p.Period, f)
	if err != nil {
		return err
	}
	for _, fig := range figs {
		p.KPIs = append(p.KPIs, m.kpiCard(lang, fig))
	}
	if p.Spans, err = m.spanPanel(r, c, p.Period, latest, years, f); err != nil {
		return err
	}

	switch p.Level {
	case "district":
		slices, err := m.svc.Stats().Breakdown(ctx, sc, p.Period, stats.ByCluster, f)
		if err != nil {
			return err
		}
		for _, s := range slices {
			if s.Key.Cluster == "" {
				continue // firms outside the 33618 catalogue
			}
			cr := clusters[s.Key.Cluster]
			name := web.ClusterName(lang, cr)
			if name == "" {
				name = s.Key.Cluster
			}
			p.Clusters = append(p.Clusters, sliceLink{Code: s.Key.Cluster, Name: name, Tier: m.core.TierName(lang, cr.Tier),
				URL: web.ClusterURL(regionCode, s.Key.Cluster), Output: web.FormatNumber(s.Output, shownDigits(s.Output, 1)), Share: web.FormatNumber(s.SharePct, 1),
				Growth: optSigned(s.VAGrowth), N: s.N})
		}
	case "district_cluster", "cluster":
		// The list behind the button holds the year's above-scale firms, the
		// set the enterprise count is taken from; the count also needs a
		// report for the period, so the two may still differ, and the
		// button says which set it lists.
		above := true
		page, err := m.firms.ListEnterprises(ctx, sc, registry.Filter{RegionCode: regionCode, ClusterCode: clusterCode, Year: p.Period.Year, AboveScale: &above, Limit: 10})
		if err != nil {
			return err
		}
		p.TopTotal = page.Total
		lq := url.Values{"above_scale": {"true"}, "year": {strconv.Itoa(p.Period.Year)}}
		if regionCode != "" {
			lq.Set("region", regionCode)
		}
		lq.Set("cluster", clusterCode)
		p.ListURL = "/enterprises?" + lq.Encode()
		for _, k := range p.KPIs {
			if k.Code == "ABOVE_SCALE_COUNT" && k.Value != web.FormatNumber(float64(page.Total), 0) {
				p.CountNote = t("cockpit.count_note", k.Value, page.Total)
			}
		}
		for _, it := range page.Items {
			p.Top = append(p.Top, entLink{Name: it.Name, URL: "/enterprises/" + strconv.FormatInt(it.ID, 10),
				Size: t("size." + string(it.Size)), Revenue: web.FormatNumber(float64(it.Revenue)/1e6, 1)})
		}
	}
	return m.core.Render(w, r, c, "cockpit.html", p)
}

// cockpitPanels lists the chart panels of a level.
func (m *module) cockpitPanels(lang, level string) []web.ChartPanel {
	t := func(k string) string { return m.core.T(lang, k) }
	ps := []web.ChartPanel{
		{ID: "trend-output", Title: t("chart.trend_output"), Note: t("chart.trend_output_note")},
		{ID: "trend-va", Title: t("chart.trend_va"), Note: t("chart.trend_va_note")},
	}
	if level == "city" || level == "district" {
		ps = append(ps,
			web.ChartPanel{ID: "by-tier", Title: t("chart.by_tier"), Note: t("chart.by_tier_note")},
			web.ChartPanel{ID: "by-cluster", Title: t("chart.by_cluster"), Note: t("chart.by_cluster_note"), Height: "tall", Wide: true},
		)
	}
	return ps
}

// kpiCard turns an engine figure into a card.
func (m *module) kpiCard(lang string, fig stats.Figure) kpiCard {
	ind := fig.Indicator
	c := kpiCard{Code: ind.Code, Name: web.PickLang(lang, ind.NameZh, ind.NameEn), Unit: web.PickLang(lang, ind.UnitZh, ind.UnitEn),
		Known: fig.Known, Nominal: fig.Nominal, Mark: string(fig.Mark), Department: ind.Department,
		Definition: web.PickLang(lang, ind.DefinitionZh, ind.DefinitionEn)}
	c.Value = "–"
	if fig.Known {
		c.Value = web.FormatNumber(fig.Value, shownDigits(fig.Value, web.ValueDigits(ind)))
	}
	if fig.YoYPct != nil && fig.Known {
		c.YoY = web.FormatSigned(*fig.YoYPct, 1) + "%"
		switch {
		case *fig.YoYPct > 0.05:
			c.YoYClass = "up"
		case *fig.YoYPct < -0.05:
			c.YoYClass = "down"
		}
	}
	if fig.Judged {
		// Only thresholds that judge this view are printed beside it.
		c.Thresholds = m.thresholdText(lang, ind)
	}
	c.SmallBase = fig.SmallBase
	if pr := fig.Progress; pr != nil {
		c.Progress = m.progressView(lang, ind, *pr)
		c.Source, c.Owed = m.ownerText(lang, ind, fig.Known)
	}
	return c
}

// ownerText is a task-table row's source and owner ("部门填报 · 市统计局"),
// or without data the department that owes it.
func (m *module) ownerText(lang string, ind indicator.Indicator, known bool) (source, owed string) {
	if !known {
		return "", m.core.T(lang, "targets.owed_by", ind.Department)
	}
	return m.core.T(lang, "targets.source."+ind.Source) + " · " + ind.Department, ""
}

// thresholdText describes an indicator's alert and excellence lines.
func (m *module) thresholdText(lang string, ind indicator.Indicator) string {
	var parts []string
	better, worse := "≥", "<"
	if !ind.HigherIsBetter {
		better, worse = "≤", ">"
	}
	if ind.Alert != nil {
		parts = append(parts, m.core.T(lang, "kpi.alert_line", worse+" "+web.FormatNumber(*ind.Alert, web.ValueDigits(ind))))
	}
	if ind.Excellent != nil {
		parts = append(parts, m.core.T(lang, "kpi.excellent_line", better+" "+web.FormatNumber(*ind.Excellent, web.ValueDigits(ind))))
	}
	return strings.Join(parts, " · ")
}

// progressView describes target progress for a card or a task-table row.
func (m *module) progressView(lang string, ind indicator.Indicator, pr target.Progress) *progressView {
	d := web.ValueDigits(ind)
	unitText := web.PickLang(lang, ind.UnitZh, ind.UnitEn)
	v := &progressView{Status: string(pr.Status), StatusText: m.core.T(lang, "status."+string(pr.Status)),
		Target: comparatorSymbol(pr.Target.Comparator) + " " + web.FormatNumber(pr.Target.Value, d) + " " + unitText, Source: pr.Target.Source}
	if pr.Known {
		v.Actual = web.FormatNumber(pr.Actual, shownDigits(pr.Actual, d))
		v.Projection = web.FormatNumber(pr.Projection, shownDigits(pr.Projection, d))
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

func optSigned(v *float64) string {
	if v == nil {
		return "–"
	}
	return web.FormatSigned(*v, 1) + "%"
}

// targetsPage is GET /targets: the year's task table (任务表) with the
// progress of each target as of the latest reported month.
type targetsPage struct {
	web.BasePage
	Year   int
	AsOf   string
	Years  []web.Option
	Rows   []targetRow
	Counts []web.StatusCount
	NoData bool
	// PeriodNotice says the chosen year has no reports yet.
	PeriodNotice string
	// Data carries the table helper's texts to cockpit-kit.js.
	Data struct {
		Text map[string]string `json:"text"`
	}
}

type targetRow struct {
	Indicator string
	Scope     string
	ScopeURL  string
	Unit      string
	Target    string
	Actual    string
	Project   string
	Status    string
	StatusTxt string
	Pct       int
	Source    string
	Mark      string
	Origin    string // where the value comes from and who owns it
	Owed      string // without data: the department that owes it
}

func yearOptions(years []int, selected int) []web.Option {
	var out []web.Option
	for i := len(years) - 1; i >= 0; i-- {
		out = append(out, web.Option{Value: strconv.Itoa(years[i]), Label: strconv.Itoa(years[i]), Selected: years[i] == selected})
	}
	return out
}

func (m *module) targetsPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	ctx, lang := r.Context(), c.Lang
	if !c.Can(permStats) {
		return forbidden()
	}
	p := targetsPage{}
	p.BasePage = m.core.Base(r, c, "targets.title", "targets")
	p.Scripts = []string{"app.js", "cockpit-kit.js"}
	p.Data.Text = m.core.Prefixed(lang, "js.grid_")
	latest, ok, err := m.svc.Latest(ctx)
	if err != nil {
		return err
	}
	if !ok {
		p.NoData = true
		return m.core.Render(w, r, c, "targets.html", p)
	}
	years, err := m.svc.ReportYears(ctx)
	if err != nil {
		return err
	}
	period, noPeriodData := periodChoice(r, latest, years)
	p.Year, p.AsOf = period.Year, periodLabel(lang, period)
	if noPeriodData {
		// Targets of a year without reports are listed, judged as no data,
		// under a notice; the picker stays on the year.
		p.PeriodNotice = m.core.T(lang, "cockpit.no_period_data", p.AsOf, periodLabel(lang, latest))
		if !slices.Contains(years, p.Year) {
			years = append(slices.Clone(years), p.Year)
			slices.Sort(years)
		}
	}
	p.Years = yearOptions(years, p.Year)
	clusters, _, err := m.core.ClusterIndex(ctx, p.Year)
	if err != nil {
		return err
	}
	judged, err := m.svc.Targets(ctx, c.Scope(), period)
	if err != nil {
		return err
	}
	counts := map[target.Status]int{}
	for _, j := range judged {
		row := m.targetRow(c, j, clusters)
		counts[j.Figure.Progress.Status]++
		p.Rows = append(p.Rows, row)
	}
	for _, st := range []target.Status{target.StatusMet, target.StatusOnTrack, target.StatusBehind, target.StatusMissed, target.StatusNoData} {
		if counts[st] > 0 {
			p.Counts = append(p.Counts, web.StatusCount{Status: string(st), Label: m.core.T(lang, "status."+string(st)), N: counts[st]})
		}
	}
	return m.core.Render(w, r, c, "targets.html", p)
}

// targetRow shows one judged target with the same engine figure as the
// cockpit.
func (m *module) targetRow(c web.Ctx, j cockpit.Judged, clusters map[string]registry.Cluster) targetRow {
	lang, t, fig := c.Lang, j.Target, j.Figure
	row := targetRow{Scope: m.core.T(lang, "scope.city")}
	switch t.ScopeKind {
	case target.ScopeRegion:
		if reg, ok := m.core.Regions().ByCode(t.ScopeCode); ok {
			row.Scope = web.RegionName(lang, reg)
		} else {
			row.Scope = t.ScopeCode
		}
		if web.CanSeeRegion(c.User, t.ScopeCode) {
			row.ScopeURL = web.DistrictURL(t.ScopeCode)
		}
	case target.ScopeCluster:
		row.Scope = t.ScopeCode
		if cr, ok := clusters[t.ScopeCode]; ok {
			row.Scope = web.ClusterName(lang, cr)
		}
		row.ScopeURL = web.ClusterURL("", t.ScopeCode)
	default:
		if c.Can(permScoreboard) { // the city-wide cockpit
			row.ScopeURL = "/"
		}
	}
	pr := *fig.Progress
	pv := m.progressView(lang, fig.Indicator, pr)
	row.Indicator = web.PickLang(lang, fig.Indicator.NameZh, fig.Indicator.NameEn)
	row.Unit = web.PickLang(lang, fig.Indicator.UnitZh, fig.Indicator.UnitEn)
	row.Target, row.Status, row.StatusTxt, row.Pct, row.Source = pv.Target, pv.Status, pv.StatusText, pv.Pct, pv.Source
	row.Actual, row.Project = "–", "–"
	if pr.Known {
		row.Actual, row.Project = pv.Actual, pv.Projection
	}
	row.Mark = string(fig.Mark)
	row.Origin, row.Owed = m.ownerText(lang, fig.Indicator, pr.Known)
	return row
}

// scoreboardPage is GET /scoreboard: the "数读" panel, a year's results
// (成绩单) and the next year's task table with its progress. City-wide by
// definition, so city roles only.
type scoreboardPage struct {
	web.BasePage
	Year       int
	Period     string
	Results    []kpiCard
	TargetYear int
	TargetAsOf string
	Targets    []kpiCard
	Years      []web.Option
	NoData     bool
	// PDFReady says the server can print the briefing PDF (chromium).
	PDFReady bool
}

func (m *module) scoreboardPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	ctx, lang := r.Context(), c.Lang
	if !c.Can(permScoreboard) {
		return forbidden()
	}
	p := scoreboardPage{}
	p.BasePage = m.core.Base(r, c, "scoreboard.title", "scoreboard")
	p.Module = "targets"
	p.Scripts = []string{"app.js"}
	latest, ok, err := m.svc.Latest(ctx)
	if err != nil {
		return err
	}
	if !ok {
		p.NoData = true
		return m.core.Render(w, r, c, "scoreboard.html", p)
	}
	// The latest complete year is the one with a December.
	year := latest.Year
	if latest.Month < 12 {
		year--
	}
	years, err := m.svc.ReportYears(ctx)
	if err != nil {
		return err
	}
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y <= latest.Year && y >= 2000 {
		year = y
	} else if y, err := m.svc.DefaultScoreboardYear(ctx); err == nil && slices.Contains(years, y) {
		year = y
	}
	p.Years = yearOptions(years, year)
	p.PDFReady = m.printer.Available() == nil
	sb, err := m.svc.Scoreboard(ctx, year)
	if apperr.Is(err, apperr.NotFound) {
		p.NoData = true
		return m.core.Render(w, r, c, "scoreboard.html", p)
	}
	if err != nil {
		return err
	}
	p.Year, p.TargetYear = sb.Year, sb.TargetYear
	p.Period = periodLabel(lang, sb.Period)
	if sb.TargetAsOf.Year != 0 {
		p.TargetAsOf = periodLabel(lang, sb.TargetAsOf)
	}
	for _, f := range sb.Results {
		p.Results = append(p.Results, m.kpiCard(lang, f))
	}
	for _, f := range sb.TargetTable {
		p.Targets = append(p.Targets, m.kpiCard(lang, f))
	}
	return m.core.Render(w, r, c, "scoreboard.html", p)
}
