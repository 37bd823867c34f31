package digitalweb

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/digital"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/unit"
	"github.com/industrybrain/ibrain/internal/web"
)

// overviewPage is GET /digital: the figures by year, the task-table rows
// and the 2027 goals, the districts' ladder, the candidates close to their
// next rung and the latest projects. Enterprise users go to their own
// firm's page.
type overviewPage struct {
	web.BasePage
	City         bool
	Regions      []web.Option
	RegionLocked string
	Years        []web.Option
	Year         int
	KPIs         []kpi
	YearRows     []yearRow
	Targets      []targetRow
	Goals        []goalRow
	Districts    []districtRow
	Clusters     []clusterRow
	Candidates   []candidateRow
	Projects     []projectRow
	ProjectsURL  string
	Query        string
	KindOpts     []web.Option
	StageOpts    []web.Option
	CanApply     bool
	CanRecord    bool
	Scenarios    []web.Option
	Today        string
	Data         pageData
}

type kpi struct {
	ID, Label, Value, Note string
}

type yearRow struct {
	Year                                        int
	Intelligent, Digital, Green, Total, CumIntl int
	Accepted                                    int
	ActualYi, SubsidyWan                        string
	Workshops, Smart, Future, CumWorkshops      int
	CumSmart                                    int
}

type targetRow struct {
	Name, Target, Actual, Status, StatusTxt string
	Pct                                     int
}

type goalRow struct {
	Name, Period, Value, Actual, Source string
	Pct                                 int
}

type districtRow struct {
	Name, URL                                          string
	Approved, Accepted                                 int
	ActualYi                                           string
	Workshops, Smart, Excellent, Leading, Future, Sort int
}

type clusterRow struct {
	Name               string
	Approved, Accepted int
	ActualYi           string
}

type candidateRow struct {
	Name, URL, Region, Rung, Status, StatusCode, Detail string
}

type projectRow struct {
	Code, Name, URL, Firm, FirmURL, Kind, Stage, StageCode, Applied, Planned string
}

type pageData struct {
	Text      map[string]string `json:"text"`
	MapURL    string            `json:"mapUrl,omitempty"`
	Districts []mapDistrict     `json:"districts,omitempty"`
}

func (m *module) regionName(lang, code string) string {
	if rg, ok := m.core.Regions().ByCode(code); ok {
		return web.RegionName(lang, rg)
	}
	return code
}

func yi(f unit.Fen) string { return web.FormatNumber(f.Yi100m(), 2) }

func (m *module) overviewPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if c.User.Role == auth.RoleEnterprise {
		http.Redirect(w, r, "/digital/firms/"+strconv.FormatInt(c.User.EnterpriseID, 10), http.StatusSeeOther)
		return nil
	}
	if !c.Can(permRead) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	lang := c.Lang
	t := func(key string, args ...any) string { return m.core.T(lang, key, args...) }
	q := r.URL.Query()
	sum, o, err := m.summary(r, c)
	if err != nil {
		return err
	}
	p := overviewPage{City: c.Scope().IsAll(), Year: sum.To, Query: q.Get("q"), Today: web.DateString(m.core.Today())}
	p.BasePage = m.core.Base(r, c, "digital.title", "digital")
	p.Scripts = []string{"app.js", "digital.js"}
	p.Data = pageData{Text: m.core.Prefixed(lang, "js.digital.")}
	p.CanApply, p.CanRecord = c.Can(permApply), c.Can(permRecord)
	if p.City {
		p.Regions = append(p.Regions, web.Option{Value: "", Label: t("digital.filter.city")})
		for _, rg := range m.core.Regions().Regions {
			p.Regions = append(p.Regions, web.Option{Value: rg.Code, Label: web.RegionName(lang, rg), Selected: rg.Code == sum.Region})
		}
	} else {
		p.RegionLocked = m.regionName(lang, c.Scope().RegionCode)
	}
	for y := m.core.Today().Year(); y >= 2018; y-- {
		p.Years = append(p.Years, web.Option{Value: strconv.Itoa(y), Label: strconv.Itoa(y), Selected: y == sum.To})
	}
	// Headline figures of the year chosen.
	if yf, ok := o.Stats.Year(sum.To); ok {
		p.KPIs = append(p.KPIs,
			kpi{ID: "kpi-intelligent", Label: t("digital.kpi.cum_intelligent", sum.To), Value: web.FormatNumber(float64(yf.CumApproved[digital.KindIntelligent]), 0)},
			kpi{ID: "kpi-smart", Label: t("digital.kpi.smart", sum.To), Value: strconv.Itoa(yf.Recognised[digital.RungSmart]),
				Note: t("digital.kpi.cum", yf.CumRecognised[digital.RungSmart])},
			kpi{ID: "kpi-workshops", Label: t("digital.kpi.workshops", sum.To), Value: strconv.Itoa(yf.Recognised[digital.RungWorkshop]),
				Note: t("digital.kpi.cum", yf.CumRecognised[digital.RungWorkshop])})
	}
	if g, ok := o.Stats.DemoGain(digital.IndProductivity); ok {
		p.KPIs = append(p.KPIs, kpi{ID: "kpi-gain", Label: t("digital.kpi.demo_gain"), Value: web.FormatNumber(g.AvgPct, 1) + "%", Note: t("digital.kpi.demo_n", g.N)})
	}
	for i := len(o.Stats.Years) - 1; i >= 0; i-- {
		y := o.Stats.Years[i]
		p.YearRows = append(p.YearRows, yearRow{Year: y.Year, Intelligent: y.Approved[digital.KindIntelligent], Digital: y.Approved[digital.KindDigital],
			Green: y.Approved[digital.KindGreen], Total: y.ApprovedAll, CumIntl: y.CumApproved[digital.KindIntelligent], Accepted: y.Accepted,
			ActualYi: yi(y.Actual), SubsidyWan: web.FormatNumber(y.Subsidy.Yuan10k(), 0), Workshops: y.Recognised[digital.RungWorkshop],
			Smart: y.Recognised[digital.RungSmart], Future: y.Recognised[digital.RungFuture], CumWorkshops: y.CumRecognised[digital.RungWorkshop],
			CumSmart: y.CumRecognised[digital.RungSmart]})
	}
	for _, tr := range o.Targets {
		row := targetRow{Name: t("digital.target." + tr.Indicator), Target: web.FormatNumber(tr.Target, 0), Actual: strconv.Itoa(tr.Actual), Status: "behind"}
		if tr.Target > 0 {
			row.Pct = min(100, int(float64(tr.Actual)/tr.Target*100+0.5))
		}
		if float64(tr.Actual) >= tr.Target {
			row.Status = "met"
		}
		row.StatusTxt = t("digital.target_status." + row.Status)
		p.Targets = append(p.Targets, row)
	}
	for _, g := range o.Goals {
		p.Goals = append(p.Goals, goalRow{Name: t("digital.goal." + g.Code), Period: g.From[:4] + "–" + g.To[:4], Value: web.FormatNumber(float64(g.Value), 0),
			Actual: web.FormatNumber(float64(g.Actual), 0), Pct: min(100, int(g.Pct+0.5)), Source: g.Source})
	}
	for _, rr := range o.Regions {
		p.Districts = append(p.Districts, districtRow{Name: m.regionName(lang, rr.RegionCode), URL: "/digital?region=" + rr.RegionCode + "&to=" + strconv.Itoa(sum.To),
			Approved: rr.Approved, Accepted: rr.Accepted, ActualYi: yi(rr.Actual), Workshops: rr.Held[digital.RungWorkshop], Smart: rr.Held[digital.RungSmart],
			Excellent: rr.Held[digital.RungExcellent], Leading: rr.Held[digital.RungLeading], Future: rr.Held[digital.RungFuture]})
	}
	if !p.City || sum.Region != "" {
		p.Districts = nil // one district: its figures are the table above
	} else {
		p.Scripts = []string{"echarts.min.js", "app.js", "digital.js", "digital_map.js"}
		p.Data.Text = m.core.Prefixed(lang, "js.")
		p.Data.MapURL, p.Data.Districts = mapURL, m.mapDistricts(lang, o.Regions, sum.To)
	}
	idx, _, err := m.core.ClusterIndex(r.Context(), min(sum.To, m.core.Today().Year()))
	if err != nil {
		return err
	}
	for _, cr := range o.Clusters {
		name := t("digital.cluster_none")
		if row, ok := idx[cr.ClusterCode]; ok && cr.ClusterCode != "" {
			name = web.ClusterName(lang, row)
		}
		p.Clusters = append(p.Clusters, clusterRow{Name: name, Approved: cr.Approved, Accepted: cr.Accepted, ActualYi: yi(cr.Actual)})
	}
	cands, refs, err := m.svc.Candidates(r.Context(), c.Scope(), sum.Region, digital.YearEnd(sum.To))
	if err != nil {
		return err
	}
	for i, cd := range cands {
		if i == 20 {
			break
		}
		ref := refs[cd.EnterpriseID]
		p.Candidates = append(p.Candidates, candidateRow{Name: ref.Name, URL: "/digital/firms/" + strconv.FormatInt(cd.EnterpriseID, 10),
			Region: m.regionName(lang, ref.RegionCode), Rung: t("digital.rung." + string(cd.Verdict.Rung)), StatusCode: string(cd.Verdict.Status),
			Status: t("digital.status." + string(cd.Verdict.Status)), Detail: m.verdictDetail(lang, cd.Verdict)})
	}
	pq, _, _, err := projectQuery(r)
	if err != nil {
		return err
	}
	if (pq.Kind != "" && !pq.Kind.Valid()) || (pq.Stage != "" && !pq.Stage.Valid()) {
		return web.BadParam("kind", "unknown kind or stage")
	}
	pq.RegionCode, pq.Limit, pq.Offset = sum.Region, 20, 0
	pg, err := m.svc.Projects(r.Context(), c.Scope(), pq)
	if err != nil {
		return err
	}
	for _, pr := range pg.Items {
		p.Projects = append(p.Projects, m.projectRow(lang, pr))
	}
	p.KindOpts = append(p.KindOpts, web.Option{Value: "", Label: t("digital.filter.all")})
	for _, k := range digital.Kinds {
		p.KindOpts = append(p.KindOpts, web.Option{Value: string(k), Label: t("digital.kind." + string(k)), Selected: string(k) == q.Get("kind")})
	}
	p.StageOpts = append(p.StageOpts, web.Option{Value: "", Label: t("digital.filter.all")})
	for _, s := range digital.AllStages {
		p.StageOpts = append(p.StageOpts, web.Option{Value: string(s), Label: t("digital.stage." + string(s)), Selected: string(s) == q.Get("stage")})
	}
	exp := url.Values{}
	for _, k := range []string{"region", "kind", "stage", "q"} {
		if v := q.Get(k); v != "" {
			exp.Set(k, v)
		}
	}
	p.ProjectsURL = "/api/v1/digital/projects?" + exp.Encode()
	if p.CanApply {
		ed := m.svc.Rules().EditionAt(m.core.Today())
		for _, l := range ed.Links {
			for _, s := range l.Scenarios {
				name := s.NameZh
				if lang == "en" {
					name = s.NameEn
				}
				p.Scenarios = append(p.Scenarios, web.Option{Value: s.Code, Label: s.Code + " " + name})
			}
		}
	}
	return m.core.Render(w, r, c, "digital.html", p)
}

func (m *module) projectRow(lang string, pr digital.Project) projectRow {
	st := pr.Current()
	return projectRow{Code: pr.Code, Name: pr.Name, URL: "/digital/projects/" + strconv.FormatInt(pr.ID, 10), Firm: pr.FirmName,
		FirmURL: "/digital/firms/" + strconv.FormatInt(pr.EnterpriseID, 10), Kind: m.core.T(lang, "digital.kind."+string(pr.Kind)),
		Stage: m.core.T(lang, "digital.stage."+string(st.Stage)), StageCode: string(st.Stage), Applied: web.DateString(pr.AppliedOn()),
		Planned: web.FormatNumber(pr.Planned.Yuan10k(), 0)}
}

// verdictDetail is the rule engine's explanation of the criteria that keep
// a firm from its next rung (all of them when none fails), with the change
// that would meet each.
func (m *module) verdictDetail(lang string, v digital.Verdict) string {
	var parts []string
	for _, c := range v.Conditions {
		if c.Status != digital.Met || v.Unmet == 0 {
			parts = append(parts, c.Explain(lang))
		}
	}
	parts = append(parts, v.WhatIfText(lang)...)
	return strings.Join(parts, web.ListSep(lang))
}

func metricValue(metric string, v int64) string {
	if metric == "nc_rate_bp" {
		return web.FormatNumber(float64(v)/100, 1) + "%"
	}
	return strconv.FormatInt(v, 10)
}

// projectPage is GET /digital/projects/{id}.
type projectPage struct {
	web.BasePage
	ID                                                 int64
	Code, Name, Firm, FirmURL, Region, Kind, Cluster   string
	Stage, StageCode, Level, Planned, Invested, Actual string
	Subsidy, StartOn, EndOn                            string
	Demonstration                                      bool
	Scenarios                                          []string
	Measures                                           []measureRow
	Events                                             []eventRow
	N                                                  int
	CanRecord                                          bool
	StageOpts, LevelOpts                               []web.Option
	LevelHint                                          string
	Today                                              string
	Data                                               pageData
	Review                                             reviewView
}

// reviewView is the application's review on the project page: the state,
// the reason of a return, the history and the caller's actions.
type reviewView struct {
	State, StateCode, Reason, PlannedWan string
	History                              []reviewRow
	CanSubmit, CanReturn, CanAccept      bool
}

type reviewRow struct {
	At, Action, From, To, Reason string
}

type measureRow struct {
	Name, Before, After, Gain string
}

type eventRow struct {
	Seq                                   int
	Date, Stage, StageCode, Level, Amount string
	Note                                  string
}

func (m *module) projectPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	lang := c.Lang
	t := func(key string, args ...any) string { return m.core.T(lang, key, args...) }
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	pr, err := m.svc.Project(r.Context(), c.Scope(), id)
	if err != nil {
		return err
	}
	st := pr.Current()
	p := projectPage{ID: id, Code: pr.Code, Name: pr.Name, Firm: pr.FirmName, FirmURL: "/digital/firms/" + strconv.FormatInt(pr.EnterpriseID, 10),
		Region: m.regionName(lang, pr.RegionCode), Kind: t("digital.kind." + string(pr.Kind)), Cluster: pr.ClusterCode,
		Stage: t("digital.stage." + string(st.Stage)), StageCode: string(st.Stage), Planned: web.FormatNumber(pr.Planned.Yuan10k(), 2),
		Invested: web.FormatNumber(st.Invested.Yuan10k(), 2), Actual: web.FormatNumber(st.Actual.Yuan10k(), 2), Subsidy: web.FormatNumber(st.Subsidy.Yuan10k(), 2),
		StartOn: web.DateString(pr.StartOn), EndOn: web.DateString(pr.EndOn), Demonstration: pr.Demonstration, N: len(pr.Events),
		Today: web.DateString(m.core.Today())}
	if st.Level != "" {
		p.Level = t("digital.level." + string(st.Level))
	}
	if pr.ClusterCode != "" {
		idx, _, err := m.core.ClusterIndex(r.Context(), min(pr.AppliedOn().Year(), m.core.Today().Year()))
		if err != nil {
			return err
		}
		p.Cluster = t("digital.cluster_none")
		if row, ok := idx[pr.ClusterCode]; ok {
			p.Cluster = web.ClusterName(lang, row)
		}
	}
	rs := pr.ReviewState()
	p.Review = reviewView{State: t("review.state." + string(rs)), StateCode: string(rs), Reason: pr.ReviewReason,
		PlannedWan: unit.FormatScaled(int64(pr.Planned), int64(unit.Wan))}
	evs, err := m.svc.ReviewHistory(r.Context(), c.Scope(), id)
	if err != nil {
		return err
	}
	for _, e := range evs {
		p.Review.History = append(p.Review.History, reviewRow{At: e.At.UTC().Format("2006-01-02 15:04 UTC"), Action: t("review.action." + string(e.Action)),
			From: t("review.state." + string(e.From)), To: t("review.state." + string(e.To)), Reason: e.Reason})
	}
	caps, _ := reviewCaps(c)
	for _, a := range digital.ReviewActions(pr, caps) {
		switch a {
		case review.Submit:
			p.Review.CanSubmit = true
		case review.Return:
			p.Review.CanReturn = true
		case review.Accept:
			p.Review.CanAccept = true
		}
	}
	p.BasePage = m.core.Base(r, c, "digital.project_title", "digital")
	p.Title = pr.Name + " · " + p.Title
	p.Scripts = []string{"app.js", "digital.js"}
	p.Data = pageData{Text: m.core.Prefixed(lang, "js.digital.")}
	p.Crumbs = m.core.EntCrumbs(c, pr.EnterpriseID, pr.FirmName, pr.RegionCode, t("digital.project_title"))
	ed := m.svc.Rules().EditionAt(pr.AppliedOn())
	for _, code := range pr.Scenarios {
		s, _ := ed.Scenario(code)
		name := s.NameZh
		if lang == "en" {
			name = s.NameEn
		}
		p.Scenarios = append(p.Scenarios, code+" "+name)
	}
	for _, ms := range pr.Measures {
		row := measureRow{Name: t("digital.indicator." + string(ms.Indicator)), Before: unit.FormatScaled(ms.Before, 100), After: unit.FormatScaled(ms.After, 100), Gain: "–"}
		if g, ok := ms.GainPct(); ok {
			row.Gain = web.FormatSigned(g, 1) + "%"
		}
		p.Measures = append(p.Measures, row)
	}
	for i, e := range pr.Events {
		row := eventRow{Seq: i + 1, Date: web.DateString(e.Date), Stage: t("digital.stage." + string(e.Stage)), StageCode: string(e.Stage), Note: e.Note}
		if e.Level != "" {
			row.Level = t("digital.level." + string(e.Level))
		}
		if e.Amount != 0 {
			row.Amount = unit.FormatScaled(int64(e.Amount), int64(unit.Wan))
		}
		p.Events = append(p.Events, row)
	}
	p.CanRecord = c.Can(permRecord)
	if p.CanRecord {
		want := m.svc.Rules().LevelFor(pr.Planned, pr.AppliedOn())
		p.LevelHint = t("digital.level_hint", unit.FormatScaled(int64(m.svc.Rules().Threshold(pr.AppliedOn())), int64(unit.Wan)), t("digital.level."+string(want)))
		for _, s := range digital.AllStages {
			if s != digital.StageApplied {
				p.StageOpts = append(p.StageOpts, web.Option{Value: string(s), Label: t("digital.stage." + string(s))})
			}
		}
		p.LevelOpts = append(p.LevelOpts, web.Option{Value: "", Label: "–"})
		for _, l := range []digital.Level{digital.LevelDistrict, digital.LevelCity} {
			p.LevelOpts = append(p.LevelOpts, web.Option{Value: string(l), Label: t("digital.level." + string(l)), Selected: l == want})
		}
	}
	return m.core.Render(w, r, c, "digital_project.html", p)
}

// firmPage is GET /digital/firms/{id}: the firm's maturity by year, its
// recognitions, the ladder's verdict on its next rung and its projects.
type firmPage struct {
	web.BasePage
	ID                       int64
	Name, CreditCode, Region string
	ProfileURL               string
	Maturity                 []maturityRow
	Recognitions             []recognitionRow
	Projects                 []projectRow
	Next                     *nextView
	CanRecord                bool
	RungOpts, SourceOpts     []web.Option
	FutureOpts               []web.Option
	Year                     int
	Today                    string
	Data                     pageData
	// Rung applications: the firm's, and the form to file one.
	RungApps     []rungAppRow
	CanApplyRung bool
	ApplyYear    int
	ApplyRungs   []web.Option
}

type maturityRow struct {
	Year                                   int
	CMMM, SME, NCRate, Cloud, Source, Evid string
}

type recognitionRow struct {
	Date, Rung, RungCode, Name, Batch, Future string
}

type nextView struct {
	Rung, Status, StatusCode, Version string
	Conditions                        []condRow
	Manual                            []string
	WhatIf                            []string
}

type condRow struct {
	Metric, Min, Value, Status, StatusCode, Note string
}

func (m *module) firmPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	lang := c.Lang
	t := func(key string, args ...any) string { return m.core.T(lang, key, args...) }
	_, fp, err := m.firm(r, c)
	if err != nil {
		return err
	}
	id := fp.Firm.ID
	p := firmPage{ID: id, Name: fp.Firm.Name, CreditCode: fp.Firm.CreditCode, Region: m.regionName(lang, fp.Firm.RegionCode),
		ProfileURL: "/enterprises/" + strconv.FormatInt(id, 10), Year: m.core.Today().Year() - 1, Today: web.DateString(m.core.Today())}
	p.BasePage = m.core.Base(r, c, "digital.firm_title", "digital")
	p.Title = fp.Firm.Name + " · " + p.Title
	p.Scripts = []string{"app.js", "digital.js"}
	p.Data = pageData{Text: m.core.Prefixed(lang, "js.digital.")}
	p.Crumbs = m.core.EntCrumbs(c, id, fp.Firm.Name, fp.Firm.RegionCode, t("digital.firm_title"))
	p.WithEntTabs(id, "digital")
	level := func(v int) string {
		if v == 0 {
			return "–"
		}
		return strconv.Itoa(v)
	}
	for _, mt := range fp.Maturity {
		row := maturityRow{Year: mt.Year, CMMM: level(mt.CMMM), SME: level(mt.SMELevel), NCRate: "–", Cloud: t("digital.no"),
			Source: t("digital.source." + string(mt.Source)), Evid: mt.Evidence}
		if mt.NCRate != nil {
			row.NCRate = metricValue("nc_rate_bp", *mt.NCRate)
		}
		if mt.Cloud {
			row.Cloud = t("digital.yes")
		}
		p.Maturity = append(p.Maturity, row)
	}
	for _, rc := range fp.Recognitions {
		row := recognitionRow{Date: web.DateString(rc.RecognisedOn), Rung: t("digital.rung." + string(rc.Rung)), RungCode: string(rc.Rung), Name: rc.Name, Batch: rc.Batch}
		if rc.FutureType != "" {
			row.Future = t("digital.future." + string(rc.FutureType))
		}
		p.Recognitions = append(p.Recognitions, row)
	}
	for _, pr := range fp.Projects {
		p.Projects = append(p.Projects, m.projectRow(lang, pr))
	}
	if v := fp.Next; v != nil {
		p.Next = m.verdictView(lang, *v)
	}
	if err := m.firmRungApps(r, c, &p); err != nil {
		return err
	}
	p.CanRecord = c.Can(permRecord)
	if p.CanRecord {
		for _, rg := range digital.Rungs {
			p.RungOpts = append(p.RungOpts, web.Option{Value: string(rg), Label: t("digital.rung." + string(rg))})
		}
		for _, s := range digital.Sources {
			if s != digital.SourceDemo && s != digital.SourceImport {
				p.SourceOpts = append(p.SourceOpts, web.Option{Value: string(s), Label: t("digital.source." + string(s))})
			}
		}
		p.FutureOpts = append(p.FutureOpts, web.Option{Value: "", Label: "–"})
		for _, ft := range digital.FutureTypes {
			p.FutureOpts = append(p.FutureOpts, web.Option{Value: string(ft), Label: t("digital.future." + string(ft))})
		}
	}
	return m.core.Render(w, r, c, "digital_firm.html", p)
}
