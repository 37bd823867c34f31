package mujunweb

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/web"
)

// The 亩均论英雄 pages: the run overview (/mujun), changes between two runs,
// the 2027 district targets and one enterprise's results. They read the
// same service and helpers as the API, in the user's scope.

type mujunRunOption struct {
	ID       int64
	Label    string
	Selected bool
}

type mujunClassRow struct {
	Code, Name string
	Counts     []int // per group, then the total
	Policies   []string
}

type mujunAggRow struct {
	Rank     int
	Code     string
	Name     string
	URL      string
	Region   string
	Firms    int
	Mean     string
	AShare   string
	VAPerMu  string
	TaxPerMu string
	Classes  []int
}

type mujunEntRow struct {
	Rank      int
	URL       string
	Name      string
	Region    string
	Park      string
	Class     string
	ClassName string
	Score     string
	Scores    []string // per indicator of the group
	Exempt    bool
}

type mujunOverviewPage struct {
	web.BasePage
	NoRun      bool
	Run        mujun.RunInfo
	RunLabel   string
	Runs       []mujunRunOption
	DiffURL    string
	ExportURL  string
	ClassCodes []string
	GroupNames []string
	ClassRows  []mujunClassRow
	Benchmarks []mujunBenchmarkRow
	Rules      []mujunGroupRule
	Districts  []mujunAggRow
	Parks      []mujunAggRow
	MapPanel   web.ChartPanel
	ClassPanel web.ChartPanel
	// Enterprise ranking.
	Group      string
	Groups     []web.Option
	Regions    []web.Option
	Classes    []web.Option
	Class      string
	Indicators []string
	Ents       []mujunEntRow
	Total      int
	From, To   int
	Page       int
	Pages      int
	PrevURL    string
	NextURL    string
	Data       mujunPageData
}

// mujunPageData travels to mujun.js as JSON.
type mujunPageData struct {
	Text      map[string]string `json:"text"`
	MapURL    string            `json:"mapUrl,omitempty"`
	Districts []mujunMapJSON    `json:"districts"`
	Classes   []string          `json:"classes"`
	Groups    []mujunGroupJSON  `json:"groups"`
}

type mujunMapJSON struct {
	Code   string  `json:"code"`
	Name   string  `json:"name"`
	Mean   float64 `json:"mean"`
	AShare float64 `json:"a_share"`
	Firms  int     `json:"firms"`
	URL    string  `json:"url"` // the district's firms in the ranking below
}

type mujunGroupJSON struct {
	Name   string `json:"name"`
	Counts []int  `json:"counts"`
}

func (m *module) mujunRunLabel(lang string, r mujun.RunInfo) string {
	return m.core.T(lang, "mujun.run_label", r.ID, r.Year, m.configName(lang, r.ConfigID), r.ConfigVersion)
}

// mujunAPIRunLabel labels a run of the API's view of it (the diff page).
func (m *module) mujunAPIRunLabel(lang string, r apiMujunRun) string {
	return m.core.T(lang, "mujun.run_label", r.ID, r.Year, m.configName(lang, r.ConfigID), r.ConfigVersion)
}

// configName names a configuration for a page: ids of the shipped
// families (chongqing_2024, huangyan_2022) read as the family's name in
// the catalogue; an uploaded configuration keeps the id its author chose.
func (m *module) configName(lang, id string) string {
	family, _, ok := strings.Cut(id, "_")
	if !ok {
		return id
	}
	key := "mujun.config_family." + family
	if name := m.core.T(lang, key); name != key {
		return name
	}
	return id
}

// mujunOverview is GET /mujun[?run=ID]: the newest run by default.
func (m *module) mujunOverview(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	ctx, lang := r.Context(), c.Lang
	if !c.Can(permRead) { // an enterprise user: its own results
		http.Redirect(w, r, "/mujun/enterprises/"+strconv.FormatInt(c.User.EnterpriseID, 10), http.StatusSeeOther)
		return nil
	}
	sc := c.Scope()
	p := mujunOverviewPage{}
	p.BasePage = m.core.Base(r, c, "mujun.title", "mujun")
	p.Scripts = []string{"echarts.min.js", "app.js", "mujun.js"}
	runs, err := m.svc.Runs(ctx)
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		p.NoRun = true
		return m.core.Render(w, r, c, "mujun.html", p)
	}
	q := r.URL.Query()
	p.Run = runs[0]
	if v := q.Get("run"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		found := false
		for _, rr := range runs {
			if err == nil && rr.ID == id {
				p.Run, found = rr, true
			}
		}
		if !found {
			return apperr.New(apperr.NotFound, "err.mujun_run_not_found", v)
		}
	}
	for _, rr := range runs {
		p.Runs = append(p.Runs, mujunRunOption{ID: rr.ID, Label: m.mujunRunLabel(lang, rr), Selected: rr.ID == p.Run.ID})
	}
	// Changes: against the previous run of the same year, else the prior.
	for _, rr := range runs {
		if rr.Year == p.Run.Year && rr.ID < p.Run.ID {
			p.DiffURL = fmt.Sprintf("/mujun/runs/%d/diff/%d", rr.ID, p.Run.ID)
			break
		}
	}
	if p.DiffURL == "" && p.Run.PriorRunID != 0 {
		p.DiffURL = fmt.Sprintf("/mujun/runs/%d/diff/%d", p.Run.PriorRunID, p.Run.ID)
	}
	p.RunLabel = m.mujunRunLabel(lang, p.Run)
	parts := mujun.ClassParts
	parts.Parks = true
	res, _, err := m.svc.RunParts(ctx, sc, p.Run.ID, parts)
	if err != nil {
		return err
	}
	cfg := &res.Config
	parks, err := m.parkNames(ctx)
	if err != nil {
		return err
	}
	bs, err := m.svc.RunBenchmarks(ctx, p.Run.ID)
	if err != nil {
		return err
	}
	p.Benchmarks, p.Rules = m.mujunBenchmarkRows(lang, cfg, bs, ""), m.mujunGroupRules(lang, cfg, bs, "")

	// Class distribution (the API's view of it).
	cls := m.mujunClasses(lang, sc, &res, p.Run)
	for _, g := range cls.Groups {
		p.GroupNames = append(p.GroupNames, g.Name)
	}
	p.Data = mujunPageData{Text: m.core.Prefixed(lang, "js."), MapURL: "/static/map/chongqing.json", Districts: []mujunMapJSON{}}
	for ci, d := range cls.Defs {
		row := mujunClassRow{Code: d.Code, Name: d.Name, Policies: d.Policies}
		for _, g := range cls.Groups {
			row.Counts = append(row.Counts, g.Classes[ci].Count)
		}
		total := 0
		if ci < len(cls.Total) {
			total = cls.Total[ci].Count
		}
		row.Counts = append(row.Counts, total)
		p.ClassRows = append(p.ClassRows, row)
		p.ClassCodes = append(p.ClassCodes, d.Code)
		p.Data.Classes = append(p.Data.Classes, d.Code+" "+d.Name)
	}
	for gi, g := range cls.Groups {
		gj := mujunGroupJSON{Name: g.Name}
		for ci := range cls.Defs {
			gj.Counts = append(gj.Counts, cls.Groups[gi].Classes[ci].Count)
		}
		p.Data.Groups = append(p.Data.Groups, gj)
	}
	p.ClassPanel = web.ChartPanel{ID: "classes", Title: m.core.T(lang, "mujun.classes")}
	p.MapPanel = web.ChartPanel{ID: "mujun-map", Title: m.core.T(lang, "mujun.map"), Height: "tall"}

	aggRows := func(list []apiMujunAggregate, park bool) []mujunAggRow {
		var out []mujunAggRow
		for _, a := range list {
			row := mujunAggRow{Rank: a.RankByScore, Code: a.RegionCode, Name: a.Region, Region: a.Region, Firms: a.Firms,
				Mean: web.FormatNumber(a.MeanScore, 2), AShare: web.FormatNumber(a.ASharePct, 1), VAPerMu: web.FormatNumber(a.VAPerMu, 1), TaxPerMu: web.FormatNumber(a.TaxPerMu, 1)}
			if park {
				row.Code, row.Name = a.ParkCode, a.Park
			}
			for _, c := range a.Classes {
				row.Classes = append(row.Classes, c.Count)
			}
			q := url.Values{"run": {strconv.FormatInt(p.Run.ID, 10)}, "region": {a.RegionCode}}
			if park {
				q.Set("park", a.ParkCode)
			}
			row.URL = "/mujun?" + q.Encode() + "#ranking"
			out = append(out, row)
		}
		return out
	}
	dists := m.mujunAggregates(lang, cfg, res.Regions, nil)
	p.Districts = aggRows(dists, false)
	for i, a := range dists {
		p.Data.Districts = append(p.Data.Districts, mujunMapJSON{Code: a.RegionCode, Name: a.Region, Mean: a.MeanScore, AShare: a.ASharePct, Firms: a.Firms, URL: p.Districts[i].URL})
	}
	p.Parks = aggRows(m.mujunAggregates(lang, cfg, res.Parks, parks), true)

	// Enterprise ranking with the list's filters.
	f, page, err := mujunFilter(r, sc)
	if err != nil {
		return err
	}
	if f.Group == "" {
		f.Group = mujun.AboveScale
	}
	p.Group, p.Class, p.Page = string(f.Group), f.Class, page
	for _, g := range cfg.Groups {
		p.Groups = append(p.Groups, web.Option{Value: string(g.Group), Label: web.PickLang(lang, g.Name.Zh, g.Name.En), Selected: g.Group == f.Group})
		if g.Group == f.Group {
			for _, ic := range g.Indicators {
				d, _ := mujun.Definition(ic.Code)
				p.Indicators = append(p.Indicators, fmt.Sprintf("%s（%g）", web.PickLang(lang, d.Name.Zh, d.Name.En), ic.Weight))
			}
		}
	}
	p.Regions = []web.Option{{Value: "", Label: m.core.T(lang, "mujun.all_regions")}}
	for _, a := range dists {
		p.Regions = append(p.Regions, web.Option{Value: a.RegionCode, Label: a.Region, Selected: a.RegionCode == f.RegionCode})
	}
	p.Classes = []web.Option{{Value: "", Label: m.core.T(lang, "mujun.all_classes")}}
	for _, d := range cls.Defs {
		p.Classes = append(p.Classes, web.Option{Value: d.Code, Label: d.Code + " " + d.Name, Selected: d.Code == f.Class})
	}
	items, err := m.svc.Results(ctx, sc, p.Run.ID, f)
	if err != nil {
		return err
	}
	for _, it := range items.Items {
		e := it.EnterpriseResult
		row := mujunEntRow{Rank: e.Rank, URL: fmt.Sprintf("/mujun/enterprises/%d?run=%d", e.EnterpriseID, p.Run.ID), Name: it.Name,
			Region: m.regionLabel(lang, e.RegionCode), Park: parkLabel(lang, parks, e.ParkCode), Class: e.Class,
			ClassName: mujunClassName(lang, cfg, e.Class), Score: web.FormatNumber(e.Score, 2), Exempt: e.Exempt != ""}
		for _, ir := range e.Indicators {
			row.Scores = append(row.Scores, web.FormatNumber(ir.Score, 2))
		}
		p.Ents = append(p.Ents, row)
	}
	p.Total = items.Total
	p.Pages = max(1, (items.Total+f.Limit-1)/f.Limit)
	if items.Total > 0 {
		p.From, p.To = f.Offset+1, f.Offset+len(items.Items)
	}
	pageURL := func(n int) string {
		q := web.CleanQuery(r.URL.Query())
		q.Set("run", strconv.FormatInt(p.Run.ID, 10))
		q.Set("page", strconv.Itoa(n))
		return "/mujun?" + q.Encode() + "#ranking"
	}
	if page > 1 {
		p.PrevURL = pageURL(page - 1)
	}
	if page < p.Pages {
		p.NextURL = pageURL(page + 1)
	}
	xq := web.CleanQuery(r.URL.Query())
	xq.Del("page")
	xq.Del("run")
	xq.Del("per_page")
	p.ExportURL = fmt.Sprintf("/api/v1/mujun/runs/%d/enterprises.xlsx?%s", p.Run.ID, xq.Encode())
	return m.core.Render(w, r, c, "mujun.html", p)
}

// ---- changes between two runs ----

type mujunDiffPage struct {
	web.BasePage
	From, To string
	Total    int
	Moves    []moveCount
	AllURL   string // the list without a move filter
	AllOn    bool
	Rows     []mujunDiffRow
	// Paging through every change (or every change of the chosen move).
	Page, Pages    int
	RowFrom, RowTo int
	Listed         int // rows under the current filter
	PrevURL        string
	NextURL        string
}

// moveCount is one "old→new" class move and its firms; URL lists them.
type moveCount struct {
	Label string
	N     int
	URL   string
	On    bool
}

type mujunDiffRow struct {
	URL         string
	Name        string
	Region      string
	Old, New    string
	Direction   string
	OldScore    string
	NewScore    string
	Reasons     []string
	Explanation string
}

// mujunDiffPage lists every class change between two runs, a page at a
// time, optionally one class move (?move=A→B) at a time; the counts cover
// every change.
func (m *module) mujunDiffPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	ctx, lang := r.Context(), c.Lang
	from, err := mujunRunID(r, "id")
	if err != nil {
		return err
	}
	to, err := mujunRunID(r, "other")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	pageNo, err := web.IntParam(q, "page", 1, 1, 1<<20)
	if err != nil {
		return err
	}
	dq := mujun.DiffQuery{Limit: web.UIPerPage, Offset: (pageNo - 1) * web.UIPerPage}
	move := q.Get("move")
	if dq.Move, err = diffMoveParam(move); err != nil {
		return err
	}
	d, err := m.mujunDiff(ctx, lang, c.Scope(), from, to, dq)
	if err != nil {
		return err
	}
	p := mujunDiffPage{From: m.mujunAPIRunLabel(lang, d.From), To: m.mujunAPIRunLabel(lang, d.To), Total: d.Total, Page: pageNo}
	p.BasePage = m.core.Base(r, c, "mujun.diff_title", "mujun")
	p.Scripts = []string{"app.js"}
	p.Crumbs = []web.Crumb{{Label: m.core.T(lang, "mujun.title"), URL: fmt.Sprintf("/mujun?run=%d", to)}, {Label: m.core.T(lang, "mujun.diff_title")}}
	pageURL := func(mv string, n int) string {
		v := url.Values{}
		if mv != "" {
			v.Set("move", mv)
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if lq := q.Get("lang"); lq != "" {
			v.Set("lang", lq)
		}
		if len(v) == 0 {
			return r.URL.Path
		}
		return r.URL.Path + "?" + v.Encode()
	}
	p.AllURL, p.AllOn = pageURL("", 1), move == ""
	p.Listed = d.Listed
	for _, k := range sortedKeysOf(d.Moves) {
		p.Moves = append(p.Moves, moveCount{Label: k, N: d.Moves[k], URL: pageURL(k, 1), On: k == move})
	}
	p.Pages = max(1, (p.Listed+web.UIPerPage-1)/web.UIPerPage)
	if pageNo > 1 {
		p.PrevURL = pageURL(move, pageNo-1)
	}
	if pageNo < p.Pages {
		p.NextURL = pageURL(move, pageNo+1)
	}
	for _, c := range d.Changes {
		row := mujunDiffRow{URL: fmt.Sprintf("/mujun/enterprises/%d?run=%d", c.EnterpriseID, to), Name: c.Name, Region: m.regionLabel(lang, c.RegionCode),
			Old: orDashClass(c.OldClass), New: orDashClass(c.NewClass), Direction: c.Direction,
			OldScore: web.FormatNumber(c.OldScore, 2), NewScore: web.FormatNumber(c.NewScore, 2), Explanation: c.Explanation}
		for _, rs := range c.Reasons {
			row.Reasons = append(row.Reasons, m.core.T(lang, "mujun.reason."+string(rs)))
		}
		p.Rows = append(p.Rows, row)
	}
	if len(p.Rows) > 0 {
		p.RowFrom = dq.Offset + 1
		p.RowTo = dq.Offset + len(p.Rows)
	}
	return m.core.Render(w, r, c, "mujun_diff.html", p)
}

func sortedKeysOf(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// ---- 2027 targets ----

type mujunTargetsPage struct {
	web.BasePage
	AsOf   int
	Base   int
	Target int
	Note   string
	Source string
	Heads  []string
	Rows   []mujunTargetRow
	NoData bool
}

type mujunTargetRow struct {
	Name  string
	Cells []mujunTargetCell
}

type mujunTargetCell struct {
	Status, StatusText string
	Actual, Expected   string
}

func (m *module) mujunTargetsPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	ctx, lang := r.Context(), c.Lang
	t, err := m.mujunTargets(ctx, c.Scope())
	if err != nil {
		return err
	}
	p := mujunTargetsPage{AsOf: t.AsOf, Base: t.Set.BaseYear, Target: t.Set.TargetYear, Note: pickLangText(lang, t.Set.Note), Source: t.Set.Source}
	p.BasePage = m.core.Base(r, c, "mujun.targets_title", "mujun")
	p.Nav = "mujun_targets" // its own menu item; help stays the module's
	p.Scripts = []string{"app.js"}
	p.Crumbs = []web.Crumb{{Label: m.core.T(lang, "mujun.title"), URL: "/mujun"}, {Label: m.core.T(lang, "mujun.targets_title")}}
	for _, tg := range t.Set.Targets {
		p.Heads = append(p.Heads, pickLangText(lang, tg.Name))
	}
	p.NoData = len(t.Districts) == 0
	// R&D intensity is printed in percent, as the target is worded.
	shown := func(c mujun.IndicatorCode, v float64) string {
		if c == mujun.RDIntensity {
			return web.FormatNumber(v*100, 2) + "%"
		}
		return web.FormatNumber(v, 2)
	}
	for _, d := range t.Districts {
		row := mujunTargetRow{Name: m.regionLabel(lang, d.RegionCode)}
		if d.RegionCode == "city" {
			row.Name = m.core.T(lang, "scope.city")
		}
		for _, it := range d.Targets {
			c := mujunTargetCell{Status: string(it.Status), StatusText: m.core.T(lang, "mujun.target_status."+string(it.Status)), Actual: "–", Expected: "–"}
			if it.Actual.Known {
				c.Actual = shown(it.Indicator, it.Actual.Value)
			}
			if it.Status != mujun.TargetNoData {
				c.Expected = shown(it.Indicator, it.Expected)
			}
			row.Cells = append(row.Cells, c)
		}
		p.Rows = append(p.Rows, row)
	}
	return m.core.Render(w, r, c, "mujun_targets.html", p)
}

// ---- one enterprise ----

type mujunEnterprisePage struct {
	web.BasePage
	Name       string
	ProfileURL string
	Results    []mujunEnterpriseRun
}

type mujunEnterpriseRun struct {
	Label      string
	Year       int
	Class      string
	ClassName  string
	Score      string
	Rank       int
	RegionRank int
	Group      string
	Exempt     string
	Deducted   string
	Vetoes     []string
	Indicators []mujunIndicatorRow
	Rules      []mujunGroupRule
	Policies   []string
	Years      int
}

type mujunIndicatorRow struct {
	Name, Unit, Weight, Value, Benchmark, Score, Filled string
	Cap, Source, SourceURL                              string
}

// mujunEnterprise is GET /mujun/enterprises/{id}: the firm's result in
// every run, newest first; out of scope is not found.
func (m *module) mujunEnterprise(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	ctx, lang := r.Context(), c.Lang
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	sc := c.Scope()
	ent, err := m.svc.Firm(ctx, sc, id)
	if err != nil {
		return err
	}
	runs, err := m.svc.EnterpriseResults(ctx, sc, id)
	if err != nil {
		return err
	}
	p := mujunEnterprisePage{Name: ent.Name, ProfileURL: fmt.Sprintf("/enterprises/%d", id)}
	p.BasePage = m.core.Base(r, c, "mujun.enterprise_title", "mujun")
	p.Title = ent.Name + " · " + p.Title
	p.Scripts = []string{"app.js"}
	p.Crumbs = m.core.EntCrumbs(c, id, ent.Name, ent.RegionCode, m.core.T(lang, "mujun.enterprise_title"))
	p.WithEntTabs(id, "mujun")
	cfgs := map[string]mujun.Config{}
	for _, er := range runs {
		key := er.Run.ConfigID + "@" + strconv.Itoa(er.Run.ConfigVersion)
		cfg, ok := cfgs[key]
		if !ok {
			c, _, err := m.svc.RunConfig(ctx, er.Run.ID)
			if err != nil {
				return err
			}
			cfg = c
			cfgs[key] = cfg
		}
		e := er.Result
		v := mujunEnterpriseRun{Label: m.mujunRunLabel(lang, er.Run), Year: er.Run.Year, Class: e.Class, ClassName: mujunClassName(lang, &cfg, e.Class),
			Score: web.FormatNumber(e.Score, 2), Rank: e.Rank, RegionRank: e.RegionRank, Deducted: web.FormatNumber(e.Deducted, 2), Vetoes: e.Vetoes, Years: e.ConsecutiveYears}
		for _, g := range cfg.Groups {
			if g.Group == e.Group {
				v.Group = web.PickLang(lang, g.Name.Zh, g.Name.En)
			}
		}
		if e.Exempt != "" {
			v.Exempt = m.core.T(lang, "mujun.exempt."+string(e.Exempt))
		}
		bs, err := m.svc.RunBenchmarks(ctx, er.Run.ID)
		if err != nil {
			return err
		}
		brows := map[mujun.IndicatorCode]mujunBenchmarkRow{}
		for _, b := range m.mujunBenchmarkRows(lang, &cfg, bs, e.Group) {
			brows[b.Code] = b
		}
		if len(e.Indicators) > 0 {
			v.Rules = m.mujunGroupRules(lang, &cfg, bs, e.Group)
		}
		for _, ir := range e.Indicators {
			d, _ := mujun.Definition(ir.Code)
			b := brows[ir.Code]
			row := mujunIndicatorRow{Name: web.PickLang(lang, d.Name.Zh, d.Name.En), Unit: m.shownUnit(lang, ir.Code, d),
				Weight: web.FormatNumber(ir.Weight, 0), Value: "–", Benchmark: shownValue(ir.Code, ir.Benchmark), Score: web.FormatNumber(ir.Score, 2),
				Cap: b.Cap, Source: b.Source, SourceURL: b.SourceURL}
			if !ir.Missing {
				row.Value = shownValue(ir.Code, ir.Value)
			}
			if ir.Filled != "" {
				row.Filled = m.core.T(lang, "mujun.missing."+string(ir.Filled))
			}
			v.Indicators = append(v.Indicators, row)
		}
		for _, pol := range e.Policies {
			v.Policies = append(v.Policies, pickLangText(lang, pol.Text))
		}
		p.Results = append(p.Results, v)
	}
	return m.core.Render(w, r, c, "mujun_enterprise.html", p)
}
