package cockpitweb

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/scoreboard"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/web"
)

// The API's wire types of the cockpit. apiFigure and apiProgress are the
// platform's one wire form of a figure, shared with 'ibrain report' so the
// API and the CLI print the same numbers the same way.
type (
	apiFigure     = scoreboard.Figure
	apiProgress   = scoreboard.Progress
	apiScoreboard = scoreboard.Doc
)

type apiFigures struct {
	Period  string      `json:"period"`
	Figures []apiFigure `json:"figures"`
}

type apiTrend struct {
	Indicator string      `json:"indicator"`
	Year      int         `json:"year"`
	Points    []apiFigure `json:"points"`
	// Target is the year's target for the filtered scope, drawn as a line
	// on the chart; absent without one.
	Target *apiTrendTarget `json:"target,omitempty"`
}

// apiTrendTarget is a trend's target: a level's year-end value (the chart
// draws its pro-rata path, target × month / 12) or a rate's line.
type apiTrendTarget struct {
	Comparator string  `json:"comparator"`
	Value      float64 `json:"value"`
	Kind       string  `json:"kind"` // level | rate
	Source     string  `json:"source"`
}

// apiSlice is one part of a breakdown; key is the region code, cluster
// code or tier.
type apiSlice struct {
	Key            string   `json:"key"`
	NameZh         string   `json:"name_zh,omitempty"`
	NameEn         string   `json:"name_en,omitempty"`
	Enterprises    int64    `json:"enterprises"`
	OutputYi       float64  `json:"output_yi"`
	OutputYoYPct   *float64 `json:"output_yoy_pct"`
	ValueAddedYi   float64  `json:"value_added_yi"`
	VAGrowthPct    *float64 `json:"va_growth_pct"`
	SharePct       float64  `json:"share_pct"`
	RDIntensityPct *float64 `json:"rd_intensity_pct"`
}

type apiBreakdown struct {
	By     string     `json:"by"`
	Period string     `json:"period"`
	Slices []apiSlice `json:"slices"`
}

type apiTargets struct {
	Year    int         `json:"year"`
	AsOf    string      `json:"as_of,omitempty"`
	Targets []apiFigure `json:"targets"`
}

// period resolves ?year=&month= to a reporting period (cockpit.Service.Period).
func (m *module) period(r *http.Request, q url.Values) (report.Period, error) {
	year, err := web.IntParam(q, "year", 0, 2000, 2100)
	if err != nil {
		return report.Period{}, err
	}
	month, err := web.IntParam(q, "month", 0, 2, 12)
	if err != nil {
		return report.Period{}, err
	}
	return m.svc.Period(r.Context(), year, month)
}

// apiKPIs returns the cockpit's headline figures for ?year=&month= and the
// region/cluster filters, within the user's scope.
func (m *module) apiKPIs(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	q := r.URL.Query()
	p, err := m.period(r, q)
	if err != nil {
		return err
	}
	f, err := statsFilter(q, c.Scope())
	if err != nil {
		return err
	}
	figs, err := m.svc.Stats().KPIs(r.Context(), c.Scope(), p, f)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, apiFigures{Period: p.String(), Figures: scoreboard.FromFigures(figs)})
	return nil
}

// apiTrend returns one indicator month by month through ?year= up to
// ?month= (the year's last reported month when absent).
func (m *module) apiTrend(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	q := r.URL.Query()
	code := strings.TrimSpace(q.Get("indicator"))
	if code == "" {
		return web.BadParam("indicator", "required")
	}
	p, err := m.period(r, q)
	if err != nil {
		return err
	}
	f, err := statsFilter(q, c.Scope())
	if err != nil {
		return err
	}
	figs, err := m.svc.Stats().Trend(r.Context(), c.Scope(), code, p.Year, f)
	if err != nil {
		return err
	}
	// The trend runs to the chosen month: a cockpit showing 1–6月 must
	// not chart July to December.
	figs = slices.DeleteFunc(figs, func(fig stats.Figure) bool { return fig.Period.Month > p.Month })
	out := apiTrend{Indicator: code, Year: p.Year, Points: scoreboard.FromFigures(figs)}
	if out.Target, err = m.trendTarget(r, code, p.Year, f); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiBreakdown splits a period's totals by ?by=region|cluster|tier.
func (m *module) apiBreakdown(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	q := r.URL.Query()
	by := stats.Dim(strings.TrimSpace(q.Get("by")))
	switch by {
	case stats.ByRegion, stats.ByCluster, stats.ByTier:
	default:
		return web.BadParam("by", "want region, cluster or tier")
	}
	p, err := m.period(r, q)
	if err != nil {
		return err
	}
	f, err := statsFilter(q, c.Scope())
	if err != nil {
		return err
	}
	slices, err := m.svc.Stats().Breakdown(r.Context(), c.Scope(), p, by, f)
	if err != nil {
		return err
	}
	names := m.sliceNames(r, by, p.Year)
	out := apiBreakdown{By: string(by), Period: p.String(), Slices: make([]apiSlice, 0, len(slices))}
	for _, sl := range slices {
		key := sl.Key.Region
		switch by {
		case stats.ByCluster:
			key = sl.Key.Cluster
		case stats.ByTier:
			key = sl.Key.Tier
		}
		js := apiSlice{Key: key, Enterprises: sl.N, OutputYi: sl.Output, OutputYoYPct: sl.OutputYoY,
			ValueAddedYi: sl.ValueAdded, VAGrowthPct: sl.VAGrowth, SharePct: sl.SharePct, RDIntensityPct: sl.RDIntensity}
		if n, ok := names[key]; ok {
			js.NameZh, js.NameEn = n[0], n[1]
		}
		out.Slices = append(out.Slices, js)
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// sliceNames returns display names for breakdown keys: regions from the
// region catalogue, clusters from the catalogue in force at the year's
// end. Tiers are codes the UI translates.
func (m *module) sliceNames(r *http.Request, by stats.Dim, year int) map[string][2]string {
	out := map[string][2]string{}
	switch by {
	case stats.ByRegion:
		for _, rg := range m.core.Regions().Regions {
			out[rg.Code] = [2]string{rg.NameZh, rg.NameEn}
		}
	case stats.ByCluster:
		_, clusters, err := m.core.ClusterIndex(r.Context(), year)
		if err != nil {
			// Names are decoration; the figures stand without them.
			m.core.Log().WarnContext(r.Context(), "cluster names", "err", err)
			return out
		}
		for _, c := range clusters {
			out[c.Code] = [2]string{c.NameZh, c.NameEn}
		}
	}
	return out
}

// apiTargets returns the task table of ?year= with progress as of the
// latest reported month (or ?month=). City roles see every target; a
// district officer sees the targets set for their district, because the
// others are judged on figures outside their scope.
func (m *module) apiTargets(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	p, err := m.period(r, r.URL.Query())
	if err != nil {
		return err
	}
	judged, err := m.svc.Targets(r.Context(), c.Scope(), p)
	if err != nil {
		return err
	}
	out := apiTargets{Year: p.Year, AsOf: p.String(), Targets: []apiFigure{}}
	for _, j := range judged {
		out.Targets = append(out.Targets, scoreboard.FromFigure(j.Figure))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiScoreboard returns the "数读" panel for ?year=: that year's results
// (成绩单) and the next year's task table with progress (任务表). It is
// city-wide by definition; the route admits city roles only.
func (m *module) apiScoreboard(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	year, err := web.IntParam(r.URL.Query(), "year", 0, 2000, 2100)
	if err != nil {
		return err
	}
	sb, err := m.svc.Scoreboard(r.Context(), year)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, scoreboard.FromStats(sb))
	return nil
}

// statsFilter reads the region and cluster filters. The store would AND a
// district officer's region filter with their scope and find nothing, but
// the engine also picks the filtered region's targets, which are not the
// officer's to see; so a region outside the scope is refused outright.
func statsFilter(q url.Values, sc auth.Scope) (stats.Filter, error) {
	f := stats.Filter{Region: strings.TrimSpace(q.Get("region")), Cluster: strings.TrimSpace(q.Get("cluster"))}
	if f.Region != "" && !sc.IsAll() && f.Region != sc.RegionCode {
		return f, apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	return f, nil
}
