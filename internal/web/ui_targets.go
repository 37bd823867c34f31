package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/target"
)

// targetsPage is GET /targets: the year's task table (任务表) with the
// progress of each target as of the latest reported month.
type targetsPage struct {
	basePage
	Year   int
	AsOf   string
	Years  []option
	Rows   []targetRow
	Counts []statusCount
	NoData bool
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
}

type statusCount struct {
	Status, Label string
	N             int
}

func (u *ui) targetsPage(w http.ResponseWriter, r *http.Request, pc pageCtx) {
	ctx, lang := r.Context(), pc.lang
	if pc.user.Role == auth.RoleEnterprise {
		u.renderError(w, r, http.StatusForbidden, "err.forbidden")
		return
	}
	p := targetsPage{}
	p.basePage = u.base(r, pc, "targets.title", "targets")
	p.Scripts = []string{"app.js"}
	latest, ok, err := u.latestPeriod(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if !ok {
		p.NoData = true
		u.render(w, r, http.StatusOK, lang, "targets.html", p)
		return
	}
	period := periodChoice(r, latest)
	p.Year, p.AsOf = period.Year, u.periodLabel(lang, period)
	years, err := u.s.store.ReportYears(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	for i := len(years) - 1; i >= 0; i-- {
		p.Years = append(p.Years, option{Value: strconv.Itoa(years[i]), Label: strconv.Itoa(years[i]), Selected: years[i] == p.Year})
	}
	ts, err := u.s.store.Targets(ctx, p.Year)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	clusters, _, err := u.clusterIndex(ctx, p.Year)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	sc := pc.user.ScopeOf()
	figs, err := u.s.targetFigureSet(ctx, sc, period, ts)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	counts := map[target.Status]int{}
	for _, t := range ts {
		if !targetVisible(sc, t) {
			continue
		}
		row, st, err := u.targetRow(r, pc, figs, t, period, clusters)
		if apperr.Is(err, apperr.NotFound) {
			continue // a target for an indicator the catalogue no longer has
		}
		if err != nil {
			u.fail(w, r, err)
			return
		}
		counts[st]++
		p.Rows = append(p.Rows, row)
	}
	for _, st := range []target.Status{target.StatusMet, target.StatusOnTrack, target.StatusBehind, target.StatusMissed, target.StatusNoData} {
		if counts[st] > 0 {
			p.Counts = append(p.Counts, statusCount{Status: string(st), Label: u.t(lang, "status."+string(st)), N: counts[st]})
		}
	}
	u.render(w, r, http.StatusOK, lang, "targets.html", p)
}

// targetRow judges one target with the same engine figure as the cockpit.
func (u *ui) targetRow(r *http.Request, pc pageCtx, figs *stats.FigureSet, t target.Target, period report.Period, clusters map[string]sqlstore.ClusterRow) (targetRow, target.Status, error) {
	lang := pc.lang
	f := stats.Filter{}
	row := targetRow{Scope: u.t(lang, "scope.city")}
	switch t.ScopeKind {
	case target.ScopeRegion:
		f.Region = t.ScopeCode
		if reg, ok := u.s.regions.ByCode(t.ScopeCode); ok {
			row.Scope = regionName(lang, reg)
		} else {
			row.Scope = t.ScopeCode
		}
		if canSeeRegion(pc.user, t.ScopeCode) {
			row.ScopeURL = districtURL(t.ScopeCode)
		}
	case target.ScopeCluster:
		f.Cluster = t.ScopeCode
		row.Scope = t.ScopeCode
		if c, ok := clusters[t.ScopeCode]; ok {
			row.Scope = clusterName(lang, c)
		}
		row.ScopeURL = clusterURL("", t.ScopeCode)
	default:
		if pc.user.Role == auth.RoleCityAdmin || pc.user.Role == auth.RoleCityAnalyst {
			row.ScopeURL = "/"
		}
	}
	fig, err := figs.Figure(r.Context(), t.IndicatorCode, f)
	if err != nil {
		return row, "", err
	}
	month := period.Month
	if fig.Indicator.Measure == "" && fig.Known {
		month = 12 // manually entered values are annual
	}
	pr := target.Evaluate(t, targetKind(fig.Indicator), fig.Value, fig.Known, month)
	pv := u.progressView(lang, fig.Indicator, pr)
	row.Indicator = pickLang(lang, fig.Indicator.NameZh, fig.Indicator.NameEn)
	row.Unit = pickLang(lang, fig.Indicator.UnitZh, fig.Indicator.UnitEn)
	row.Target, row.Status, row.StatusTxt, row.Pct, row.Source = pv.Target, pv.Status, pv.StatusText, pv.Pct, pv.Source
	row.Actual, row.Project = "–", "–"
	if pr.Known {
		row.Actual, row.Project = pv.Actual, pv.Projection
	}
	row.Mark = string(fig.Mark)
	return row, pr.Status, nil
}

// scoreboardPage is GET /scoreboard: the "数读" panel, a year's results
// (成绩单) and the next year's task table with its progress. City-wide by
// definition, so city roles only.
type scoreboardPage struct {
	basePage
	Year       int
	Period     string
	Results    []kpiCard
	TargetYear int
	TargetAsOf string
	Targets    []kpiCard
	Years      []option
	NoData     bool
}

func (u *ui) scoreboardPage(w http.ResponseWriter, r *http.Request, pc pageCtx) {
	ctx, lang := r.Context(), pc.lang
	if pc.user.Role != auth.RoleCityAdmin && pc.user.Role != auth.RoleCityAnalyst {
		u.renderError(w, r, http.StatusForbidden, "err.forbidden")
		return
	}
	p := scoreboardPage{}
	p.basePage = u.base(r, pc, "scoreboard.title", "scoreboard")
	p.Module = "targets"
	p.Scripts = []string{"app.js"}
	latest, ok, err := u.latestPeriod(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if !ok {
		p.NoData = true
		u.render(w, r, http.StatusOK, lang, "scoreboard.html", p)
		return
	}
	// The latest complete year is the one with a December.
	year := latest.Year
	if latest.Month < 12 {
		year--
	}
	years, err := u.s.store.ReportYears(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y <= latest.Year && y >= 2000 {
		year = y
	} else if y, err := u.s.stats.DefaultScoreboardYear(ctx); err == nil && slices.Contains(years, y) {
		year = y
	}
	for i := len(years) - 1; i >= 0; i-- {
		p.Years = append(p.Years, option{Value: strconv.Itoa(years[i]), Label: strconv.Itoa(years[i]), Selected: years[i] == year})
	}
	sb, err := u.s.stats.Scoreboard(ctx, year)
	if apperr.Is(err, apperr.NotFound) {
		p.NoData = true
		u.render(w, r, http.StatusOK, lang, "scoreboard.html", p)
		return
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p.Year, p.TargetYear = sb.Year, sb.TargetYear
	p.Period = u.periodLabel(lang, sb.Period)
	if sb.TargetAsOf.Year != 0 {
		p.TargetAsOf = u.periodLabel(lang, sb.TargetAsOf)
	}
	for _, f := range sb.Results {
		p.Results = append(p.Results, u.kpiCard(lang, f))
	}
	for _, f := range sb.TargetTable {
		p.Targets = append(p.Targets, u.kpiCard(lang, f))
	}
	u.render(w, r, http.StatusOK, lang, "scoreboard.html", p)
}
