package digitalweb

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/digital"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/unit"
	"github.com/industrybrain/ibrain/internal/web"
)

// The digital-transformation API. Every figure is computed by the digital
// service from the records in the user's scope; aggregates need
// digital.read, single firms and projects only a scope that holds them.

// --- wire types ---

type apiDigitalYear struct {
	Year          int            `json:"year"`
	Approved      map[string]int `json:"approved"`
	ApprovedTotal int            `json:"approved_total"`
	CumApproved   map[string]int `json:"cum_approved"`
	Accepted      int            `json:"accepted"`
	PlannedWan    float64        `json:"planned_wan"`
	ActualWan     float64        `json:"actual_wan"`
	SubsidyWan    float64        `json:"subsidy_wan"`
	Recognised    map[string]int `json:"recognised"`
	CumRecognised map[string]int `json:"cum_recognised"`
}

type apiDigitalGain struct {
	Indicator string  `json:"indicator"`
	N         int     `json:"n"`
	AvgPct    float64 `json:"avg_pct"`
}

type apiDigitalRegion struct {
	RegionCode string         `json:"region_code"`
	Approved   int            `json:"approved"`
	Accepted   int            `json:"accepted"`
	ActualWan  float64        `json:"actual_wan"`
	Held       map[string]int `json:"held"`
}

type apiDigitalCluster struct {
	ClusterCode string  `json:"cluster_code"`
	Approved    int     `json:"approved"`
	Accepted    int     `json:"accepted"`
	ActualWan   float64 `json:"actual_wan"`
}

type apiDigitalGoal struct {
	Code   string  `json:"code"`
	Value  int64   `json:"value"`
	From   string  `json:"from"`
	To     string  `json:"to"`
	Actual int64   `json:"actual"`
	Pct    float64 `json:"pct"`
	Source string  `json:"source"`
}

type apiDigitalTarget struct {
	Indicator string  `json:"indicator"`
	Year      int     `json:"year"`
	Target    float64 `json:"target"`
	Actual    int     `json:"actual"`
}

type apiDigitalSummary struct {
	From      int                 `json:"from"`
	To        int                 `json:"to"`
	Region    string              `json:"region,omitempty"`
	Years     []apiDigitalYear    `json:"years"`
	DemoGains []apiDigitalGain    `json:"demo_gains"`
	Regions   []apiDigitalRegion  `json:"regions"`
	Clusters  []apiDigitalCluster `json:"clusters"`
	Goals     []apiDigitalGoal    `json:"goals"`
	Targets   []apiDigitalTarget  `json:"targets"`
}

type apiDigitalMeasure struct {
	Indicator string   `json:"indicator"`
	Before    float64  `json:"before"`
	After     float64  `json:"after"`
	GainPct   *float64 `json:"gain_pct"`
}

type apiDigitalEvent struct {
	Seq       int     `json:"seq"`
	Stage     string  `json:"stage"`
	Date      string  `json:"date"`
	Level     string  `json:"level,omitempty"`
	AmountWan float64 `json:"amount_wan"`
	Note      string  `json:"note,omitempty"`
}

type apiDigitalProject struct {
	ID            int64               `json:"id"`
	Code          string              `json:"code"`
	EnterpriseID  int64               `json:"enterprise_id"`
	CreditCode    string              `json:"credit_code"`
	FirmName      string              `json:"firm_name"`
	RegionCode    string              `json:"region_code"`
	Name          string              `json:"name"`
	Kind          string              `json:"kind"`
	ClusterCode   string              `json:"cluster_code"`
	Scenarios     []string            `json:"scenarios"`
	PlannedWan    float64             `json:"planned_wan"`
	Demonstration bool                `json:"demonstration"`
	StartOn       string              `json:"start_on"`
	EndOn         string              `json:"end_on"`
	Stage         string              `json:"stage"`
	Level         string              `json:"level,omitempty"`
	AppliedOn     string              `json:"applied_on"`
	ApprovedOn    string              `json:"approved_on,omitempty"`
	AcceptedOn    string              `json:"accepted_on,omitempty"`
	InvestedWan   float64             `json:"invested_wan"`
	ActualWan     float64             `json:"actual_wan"`
	SubsidyWan    float64             `json:"subsidy_wan"`
	Measures      []apiDigitalMeasure `json:"measures"`
	Events        []apiDigitalEvent   `json:"events"`
	ReviewState   string              `json:"review_state"`
	ReviewReason  string              `json:"review_reason,omitempty"`
}

// apiDigitalReview is a project application's review: its state, the
// reason of a return, what the caller may do now and the history.
type apiDigitalReview struct {
	State   string                  `json:"state"`
	Reason  string                  `json:"reason,omitempty"`
	Allowed []string                `json:"allowed"`
	Events  []apiDigitalReviewEvent `json:"events"`
}

type apiDigitalReviewEvent struct {
	Action  string `json:"action"`
	From    string `json:"from"`
	To      string `json:"to"`
	ActorID int64  `json:"actor_id"`
	At      string `json:"at"`
	Reason  string `json:"reason"`
}

type apiReviewInput struct {
	Action       string       `json:"action"`
	Reason       string       `json:"reason,omitempty"`
	Date         string       `json:"date,omitempty"`
	Name         *string      `json:"name,omitempty"`
	PlannedWan   *json.Number `json:"planned_wan,omitempty"`
	Scenarios    []string     `json:"scenarios,omitempty"`
	ExpectEvents *int         `json:"expect_events,omitempty"`
}

type apiDigitalProjectPage struct {
	Items   []apiDigitalProject `json:"items"`
	Total   int                 `json:"total"`
	Page    int                 `json:"page"`
	PerPage int                 `json:"per_page"`
}

type apiDigitalMaturity struct {
	Year      int      `json:"year"`
	CMMMLevel int      `json:"cmmm_level"`
	SMELevel  int      `json:"sme_level"`
	NCRatePct *float64 `json:"nc_rate_pct"`
	Cloud     bool     `json:"cloud"`
	Source    string   `json:"source"`
	Evidence  string   `json:"evidence"`
}

type apiDigitalRecognition struct {
	ID           int64  `json:"id"`
	EnterpriseID int64  `json:"enterprise_id"`
	Rung         string `json:"rung"`
	Name         string `json:"name"`
	RecognisedOn string `json:"recognised_on"`
	Batch        string `json:"batch,omitempty"`
	FutureType   string `json:"future_type,omitempty"`
	Note         string `json:"note,omitempty"`
}

type apiDigitalCondition struct {
	Metric        string `json:"metric"`
	Label         string `json:"label"`
	Min           int64  `json:"min"`
	Value         *int64 `json:"value"`
	Status        string `json:"status"`
	Explanation   string `json:"explanation"`
	ValueText     string `json:"value_text"`
	ThresholdText string `json:"threshold_text"`
	Note          string `json:"note,omitempty"`
}

type apiDigitalVerdict struct {
	Rung       string                `json:"rung"`
	RuleSet    string                `json:"rule_set"`
	Version    string                `json:"version"`
	Status     string                `json:"status"`
	Unmet      int                   `json:"unmet"`
	Conditions []apiDigitalCondition `json:"conditions"`
	Manual     []string              `json:"manual"`
	Questions  []string              `json:"questions"`
	WhatIf     []string              `json:"what_if"`
}

type apiDigitalFirm struct {
	EnterpriseID int64                   `json:"enterprise_id"`
	CreditCode   string                  `json:"credit_code"`
	Name         string                  `json:"name"`
	RegionCode   string                  `json:"region_code"`
	Date         string                  `json:"date"`
	Maturity     []apiDigitalMaturity    `json:"maturity"`
	Projects     []apiDigitalProject     `json:"projects"`
	Recognitions []apiDigitalRecognition `json:"recognitions"`
	Next         *apiDigitalVerdict      `json:"next"`
}

type apiDigitalCandidate struct {
	EnterpriseID int64             `json:"enterprise_id"`
	CreditCode   string            `json:"credit_code"`
	Name         string            `json:"name"`
	RegionCode   string            `json:"region_code"`
	Verdict      apiDigitalVerdict `json:"verdict"`
}

type apiDigitalCandidates struct {
	Date  string                `json:"date"`
	Items []apiDigitalCandidate `json:"items"`
}

type apiDigitalScenario struct {
	Code   string `json:"code"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
	Conf   string `json:"conf"`
}

type apiDigitalLink struct {
	Code      string               `json:"code"`
	NameZh    string               `json:"name_zh"`
	NameEn    string               `json:"name_en"`
	Scenarios []apiDigitalScenario `json:"scenarios"`
}

type apiDigitalScenarios struct {
	Version string           `json:"version"`
	Source  string           `json:"source"`
	Links   []apiDigitalLink `json:"links"`
}

type apiDigitalImportResult struct {
	Rows      int `json:"rows"`
	Inserted  int `json:"inserted"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// --- request bodies ---

type apiMeasureInput struct {
	Indicator string      `json:"indicator"`
	Before    json.Number `json:"before"`
	After     json.Number `json:"after"`
}

type apiApplyInput struct {
	EnterpriseID  int64             `json:"enterprise_id"`
	Code          string            `json:"code"`
	Name          string            `json:"name"`
	Kind          string            `json:"kind"`
	ClusterCode   string            `json:"cluster_code"`
	Scenarios     []string          `json:"scenarios"`
	PlannedWan    json.Number       `json:"planned_wan"`
	Demonstration bool              `json:"demonstration"`
	StartOn       string            `json:"start_on"`
	EndOn         string            `json:"end_on"`
	AppliedOn     string            `json:"applied_on"`
	Measures      []apiMeasureInput `json:"measures"`
}

type apiEventInput struct {
	Stage        string      `json:"stage"`
	Date         string      `json:"date"`
	Level        string      `json:"level"`
	AmountWan    json.Number `json:"amount_wan"`
	Note         string      `json:"note"`
	ExpectEvents *int        `json:"expect_events"`
}

type apiMaturityInput struct {
	Year      int         `json:"year"`
	CMMMLevel int         `json:"cmmm_level"`
	SMELevel  int         `json:"sme_level"`
	NCRatePct json.Number `json:"nc_rate_pct"`
	Cloud     bool        `json:"cloud"`
	Source    string      `json:"source"`
	Evidence  string      `json:"evidence"`
}

type apiRecogniseInput struct {
	Rung         string `json:"rung"`
	Name         string `json:"name"`
	RecognisedOn string `json:"recognised_on"`
	Batch        string `json:"batch"`
	FutureType   string `json:"future_type"`
	Note         string `json:"note"`
}

const maxBody = 64 << 10

// --- conversions ---

func wan(f unit.Fen) float64 { return f.Yuan10k() }

func kindMap(m map[digital.Kind]int) map[string]int {
	out := map[string]int{}
	for _, k := range digital.Kinds {
		out[string(k)] = m[k]
	}
	return out
}

func rungMap(m map[digital.Rung]int) map[string]int {
	out := map[string]int{}
	for _, r := range digital.Rungs {
		out[string(r)] = m[r]
	}
	return out
}

func toAPIProject(p digital.Project) apiDigitalProject {
	st := p.Current()
	out := apiDigitalProject{ID: p.ID, Code: p.Code, EnterpriseID: p.EnterpriseID, CreditCode: p.CreditCode, FirmName: p.FirmName, RegionCode: p.RegionCode,
		Name: p.Name, Kind: string(p.Kind), ClusterCode: p.ClusterCode, Scenarios: append([]string{}, p.Scenarios...), PlannedWan: wan(p.Planned),
		Demonstration: p.Demonstration, StartOn: web.DateString(p.StartOn), EndOn: web.DateString(p.EndOn), Stage: string(st.Stage), Level: string(st.Level),
		AppliedOn: web.DateString(st.AppliedOn), InvestedWan: wan(st.Invested), ActualWan: wan(st.Actual), SubsidyWan: wan(st.Subsidy),
		Measures: []apiDigitalMeasure{}, Events: []apiDigitalEvent{}, ReviewState: string(p.ReviewState()), ReviewReason: p.ReviewReason}
	if !st.ApprovedOn.IsZero() {
		out.ApprovedOn = web.DateString(st.ApprovedOn)
	}
	if !st.AcceptedOn.IsZero() {
		out.AcceptedOn = web.DateString(st.AcceptedOn)
	}
	for _, m := range p.Measures {
		am := apiDigitalMeasure{Indicator: string(m.Indicator), Before: float64(m.Before) / 100, After: float64(m.After) / 100}
		if g, ok := m.GainPct(); ok {
			g = roundTo(g, 2)
			am.GainPct = &g
		}
		out.Measures = append(out.Measures, am)
	}
	for i, e := range p.Events {
		out.Events = append(out.Events, apiDigitalEvent{Seq: i + 1, Stage: string(e.Stage), Date: web.DateString(e.Date), Level: string(e.Level), AmountWan: wan(e.Amount), Note: e.Note})
	}
	return out
}

func roundTo(v float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	if v < 0 {
		return -float64(int64(-v*p+0.5)) / p
	}
	return float64(int64(v*p+0.5)) / p
}

// toAPIVerdict renders the rule engine's verdict in lang: each criterion
// with its explanation, the reviewer's questions and the what-if changes.
func toAPIVerdict(lang string, v digital.Verdict) apiDigitalVerdict {
	out := apiDigitalVerdict{Rung: string(v.Rung), RuleSet: v.RuleSet, Version: v.Version, Status: string(v.Status), Unmet: v.Unmet,
		Conditions: []apiDigitalCondition{}, Manual: append([]string{}, v.Manual...), Questions: []string{}, WhatIf: v.WhatIfText(lang)}
	for _, c := range v.Conditions {
		out.Conditions = append(out.Conditions, apiDigitalCondition{Metric: c.Metric, Label: c.Label(lang), Min: c.Min, Value: c.Value,
			Status: string(c.Status), Explanation: c.Explain(lang), ValueText: c.ValueText(lang), ThresholdText: c.ThresholdText(lang), Note: c.Note})
	}
	for _, q := range v.Questions {
		out.Questions = append(out.Questions, q.Question.Lang(lang))
	}
	return out
}

func toAPIMaturity(m digital.Maturity) apiDigitalMaturity {
	out := apiDigitalMaturity{Year: m.Year, CMMMLevel: m.CMMM, SMELevel: m.SMELevel, Cloud: m.Cloud, Source: string(m.Source), Evidence: m.Evidence}
	if m.NCRate != nil {
		v := float64(*m.NCRate) / 100
		out.NCRatePct = &v
	}
	return out
}

func toAPIRecognition(r digital.Recognition) apiDigitalRecognition {
	return apiDigitalRecognition{ID: r.ID, EnterpriseID: r.EnterpriseID, Rung: string(r.Rung), Name: r.Name, RecognisedOn: web.DateString(r.RecognisedOn),
		Batch: r.Batch, FutureType: string(r.FutureType), Note: r.Note}
}

// yearsParam reads ?from= and ?to=. Without to, the service takes the
// latest year with a record up to last year (returned negated); without
// from, six years before to.
func (m *module) yearsParam(r *http.Request) (int, int, error) {
	q := r.URL.Query()
	last := m.core.Today().Year() - 1
	to, err := web.IntParam(q, "to", -last, 2000, 2100)
	if err != nil {
		return 0, 0, err
	}
	def := to - 6
	if to < 0 {
		def = 0
	}
	from, err := web.IntParam(q, "from", def, 2000, 2100)
	if err != nil {
		return 0, 0, err
	}
	if to > 0 && (from > to || to-from > 30) {
		return 0, 0, web.BadParam("from", "from must be at most to, and the span at most 30 years")
	}
	return from, to, nil
}

// --- handlers ---

func (m *module) summary(r *http.Request, c web.Ctx) (apiDigitalSummary, digital.Overview, error) {
	from, to, err := m.yearsParam(r)
	if err != nil {
		return apiDigitalSummary{}, digital.Overview{}, err
	}
	region := strings.TrimSpace(r.URL.Query().Get("region"))
	o, err := m.svc.Overview(r.Context(), c.Scope(), region, from, to)
	if err != nil {
		return apiDigitalSummary{}, o, err
	}
	out := apiDigitalSummary{From: o.From, To: o.To, Region: region, Years: []apiDigitalYear{}, DemoGains: []apiDigitalGain{},
		Regions: []apiDigitalRegion{}, Clusters: []apiDigitalCluster{}, Goals: []apiDigitalGoal{}, Targets: []apiDigitalTarget{}}
	for _, y := range o.Stats.Years {
		out.Years = append(out.Years, apiDigitalYear{Year: y.Year, Approved: kindMap(y.Approved), ApprovedTotal: y.ApprovedAll, CumApproved: kindMap(y.CumApproved),
			Accepted: y.Accepted, PlannedWan: wan(y.Planned), ActualWan: wan(y.Actual), SubsidyWan: wan(y.Subsidy),
			Recognised: rungMap(y.Recognised), CumRecognised: rungMap(y.CumRecognised)})
	}
	for _, g := range o.Stats.DemoGains {
		out.DemoGains = append(out.DemoGains, apiDigitalGain{Indicator: string(g.Indicator), N: g.N, AvgPct: roundTo(g.AvgPct, 2)})
	}
	for _, rr := range o.Regions {
		out.Regions = append(out.Regions, apiDigitalRegion{RegionCode: rr.RegionCode, Approved: rr.Approved, Accepted: rr.Accepted, ActualWan: wan(rr.Actual), Held: rungMap(rr.Held)})
	}
	for _, cr := range o.Clusters {
		out.Clusters = append(out.Clusters, apiDigitalCluster{ClusterCode: cr.ClusterCode, Approved: cr.Approved, Accepted: cr.Accepted, ActualWan: wan(cr.Actual)})
	}
	for _, g := range o.Goals {
		out.Goals = append(out.Goals, apiDigitalGoal{Code: g.Code, Value: g.Value, From: g.From, To: g.To, Actual: g.Actual, Pct: roundTo(g.Pct, 2), Source: g.Source})
	}
	for _, t := range o.Targets {
		out.Targets = append(out.Targets, apiDigitalTarget{Indicator: t.Indicator, Year: t.Year, Target: t.Target, Actual: t.Actual})
	}
	return out, o, nil
}

func (m *module) apiSummary(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	out, _, err := m.summary(r, c)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (m *module) dateParam(r *http.Request) (time.Time, error) {
	return web.DateParam(r.URL.Query(), "date", m.core.Today())
}

func (m *module) apiCandidates(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	at, err := m.dateParam(r)
	if err != nil {
		return err
	}
	cands, refs, err := m.svc.Candidates(r.Context(), c.Scope(), strings.TrimSpace(r.URL.Query().Get("region")), at)
	if err != nil {
		return err
	}
	out := apiDigitalCandidates{Date: web.DateString(at), Items: []apiDigitalCandidate{}}
	for _, cd := range cands {
		ref := refs[cd.EnterpriseID]
		out.Items = append(out.Items, apiDigitalCandidate{EnterpriseID: cd.EnterpriseID, CreditCode: ref.CreditCode, Name: ref.Name, RegionCode: ref.RegionCode, Verdict: toAPIVerdict(c.Lang, cd.Verdict)})
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (m *module) apiScenarios(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	at, err := m.dateParam(r)
	if err != nil {
		return err
	}
	ed := m.svc.Rules().EditionAt(at)
	out := apiDigitalScenarios{Version: ed.Version, Source: ed.Source, Links: []apiDigitalLink{}}
	for _, l := range ed.Links {
		al := apiDigitalLink{Code: l.Code, NameZh: l.NameZh, NameEn: l.NameEn, Scenarios: []apiDigitalScenario{}}
		for _, s := range l.Scenarios {
			al.Scenarios = append(al.Scenarios, apiDigitalScenario(s))
		}
		out.Links = append(out.Links, al)
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func projectQuery(r *http.Request) (digital.ProjectQuery, int, int, error) {
	q := r.URL.Query()
	page, err := web.IntParam(q, "page", 1, 1, 1_000_000)
	if err != nil {
		return digital.ProjectQuery{}, 0, 0, err
	}
	per, err := web.IntParam(q, "per_page", 50, 1, 500)
	if err != nil {
		return digital.ProjectQuery{}, 0, 0, err
	}
	year, err := web.IntParam(q, "year", 0, 0, 2100)
	if err != nil {
		return digital.ProjectQuery{}, 0, 0, err
	}
	pq := digital.ProjectQuery{RegionCode: strings.TrimSpace(q.Get("region")), Kind: digital.Kind(q.Get("kind")), Stage: digital.Stage(q.Get("stage")),
		Year: year, Query: q.Get("q"), Limit: per, Offset: (page - 1) * per}
	return pq, page, per, nil
}

func (m *module) apiProjects(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	pq, page, per, err := projectQuery(r)
	if err != nil {
		return err
	}
	pg, err := m.svc.Projects(r.Context(), c.Scope(), pq)
	if err != nil {
		return err
	}
	out := apiDigitalProjectPage{Items: []apiDigitalProject{}, Total: pg.Total, Page: page, PerPage: per}
	for _, p := range pg.Items {
		out.Items = append(out.Items, toAPIProject(p))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func parseDay(field, s string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return d, web.BadParam(field, "a date YYYY-MM-DD is required")
	}
	return d, nil
}

func parseWan(field string, n json.Number, required bool) (unit.Fen, error) {
	if n == "" {
		if required {
			return 0, web.BadParam(field, "an amount in ¥10k is required")
		}
		return 0, nil
	}
	v, err := unit.ParseScaled(n.String(), int64(unit.Wan))
	if err != nil {
		return 0, web.BadParam(field, "an exact amount in ¥10k (at most 6 decimals) is required")
	}
	return unit.Fen(v), nil
}

func (m *module) apiApply(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	var in apiApplyInput
	if err := web.DecodeJSON(w, r, &in, maxBody); err != nil {
		return err
	}
	if c.User.Role == auth.RoleEnterprise && in.EnterpriseID == 0 {
		in.EnterpriseID = c.User.EnterpriseID
	}
	planned, err := parseWan("planned_wan", in.PlannedWan, true)
	if err != nil {
		return err
	}
	p := digital.Project{EnterpriseID: in.EnterpriseID, Code: strings.TrimSpace(in.Code), Name: strings.TrimSpace(in.Name), Kind: digital.Kind(in.Kind),
		ClusterCode: strings.TrimSpace(in.ClusterCode), Scenarios: in.Scenarios, Planned: planned, Demonstration: in.Demonstration}
	if p.StartOn, err = parseDay("start_on", in.StartOn); err != nil {
		return err
	}
	if p.EndOn, err = parseDay("end_on", in.EndOn); err != nil {
		return err
	}
	applied, err := parseDay("applied_on", in.AppliedOn)
	if err != nil {
		return err
	}
	for _, mi := range in.Measures {
		b, err1 := unit.ParseScaled(mi.Before.String(), 100)
		a, err2 := unit.ParseScaled(mi.After.String(), 100)
		if err := errors.Join(err1, err2); err != nil {
			return web.BadParam("measures", "before and after are exact decimals (at most 2 places)")
		}
		p.Measures = append(p.Measures, digital.Measure{Indicator: digital.Indicator(mi.Indicator), Before: b, After: a})
	}
	out, err := m.svc.Apply(r.Context(), c.Scope(), p, applied, c.User.Username, c.User.ID)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, toAPIProject(out))
	return nil
}

func (m *module) apiProject(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	p, err := m.svc.Project(r.Context(), c.Scope(), id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toAPIProject(p))
	return nil
}

func (m *module) apiEvent(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	var in apiEventInput
	if err := web.DecodeJSON(w, r, &in, maxBody); err != nil {
		return err
	}
	d, err := parseDay("date", in.Date)
	if err != nil {
		return err
	}
	amount, err := parseWan("amount_wan", in.AmountWan, false)
	if err != nil {
		return err
	}
	expect := -1
	if in.ExpectEvents != nil {
		expect = *in.ExpectEvents
	}
	p, err := m.svc.RecordEvent(r.Context(), c.Scope(), id, digital.Event{Stage: digital.Stage(in.Stage), Date: d, Level: digital.Level(in.Level),
		Amount: amount, Note: strings.TrimSpace(in.Note)}, expect, c.User.Username)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, toAPIProject(p))
	return nil
}

// reviewCaps are the caller's capabilities on a project in scope: filing
// applications is filling (a firm for itself, officials on its behalf),
// recording stages is reviewing; a city-scope user may approve city-level
// projects.
func reviewCaps(c web.Ctx) (review.Capability, bool) {
	var caps review.Capability
	if c.Can(permApply) {
		caps |= review.Fill
	}
	if c.Can(permRecord) {
		caps |= review.Review
	}
	return caps, c.Scope().IsAll()
}

func (m *module) reviewOf(r *http.Request, c web.Ctx, p digital.Project) (apiDigitalReview, error) {
	evs, err := m.svc.ReviewHistory(r.Context(), c.Scope(), p.ID)
	if err != nil {
		return apiDigitalReview{}, err
	}
	caps, _ := reviewCaps(c)
	out := apiDigitalReview{State: string(p.ReviewState()), Reason: p.ReviewReason, Allowed: []string{}, Events: []apiDigitalReviewEvent{}}
	for _, a := range digital.ReviewActions(p, caps) {
		out.Allowed = append(out.Allowed, string(a))
	}
	for _, e := range evs {
		out.Events = append(out.Events, apiDigitalReviewEvent{Action: string(e.Action), From: string(e.From), To: string(e.To), ActorID: e.ActorID,
			At: e.At.UTC().Format(time.RFC3339), Reason: e.Reason})
	}
	return out, nil
}

func (m *module) apiReview(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	p, err := m.svc.Project(r.Context(), c.Scope(), id)
	if err != nil {
		return err
	}
	out, err := m.reviewOf(r, c, p)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (m *module) apiReviewStep(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	var in apiReviewInput
	if err := web.DecodeJSON(w, r, &in, maxBody); err != nil {
		return err
	}
	caps, city := reviewCaps(c)
	step := digital.ReviewStep{Action: review.Action(in.Action), Reason: strings.TrimSpace(in.Reason), Caps: caps, City: city, Date: m.core.Today()}
	if in.Date != "" {
		if step.Date, err = parseDay("date", in.Date); err != nil {
			return err
		}
	}
	if in.Name != nil || in.PlannedWan != nil || in.Scenarios != nil {
		corr := &digital.Correction{Scenarios: in.Scenarios}
		if in.Name != nil {
			n := strings.TrimSpace(*in.Name)
			corr.Name = &n
		}
		if in.PlannedWan != nil {
			v, err := parseWan("planned_wan", *in.PlannedWan, true)
			if err != nil {
				return err
			}
			corr.Planned = &v
		}
		step.Correction = corr
	}
	expect := -1
	if in.ExpectEvents != nil {
		expect = *in.ExpectEvents
	}
	p, err := m.svc.Review(r.Context(), c.Scope(), id, step, expect, c.User.Username, c.User.ID)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toAPIProject(p))
	return nil
}

func (m *module) firm(r *http.Request, c web.Ctx) (apiDigitalFirm, digital.FirmPage, error) {
	id, err := web.IDParam(r)
	if err != nil {
		return apiDigitalFirm{}, digital.FirmPage{}, err
	}
	at, err := m.dateParam(r)
	if err != nil {
		return apiDigitalFirm{}, digital.FirmPage{}, err
	}
	fp, err := m.svc.Firm(r.Context(), c.Scope(), id, at)
	if err != nil {
		return apiDigitalFirm{}, fp, err
	}
	out := apiDigitalFirm{EnterpriseID: fp.Firm.ID, CreditCode: fp.Firm.CreditCode, Name: fp.Firm.Name, RegionCode: fp.Firm.RegionCode, Date: web.DateString(at),
		Maturity: []apiDigitalMaturity{}, Projects: []apiDigitalProject{}, Recognitions: []apiDigitalRecognition{}}
	for _, mt := range fp.Maturity {
		out.Maturity = append(out.Maturity, toAPIMaturity(mt))
	}
	for _, p := range fp.Projects {
		out.Projects = append(out.Projects, toAPIProject(p))
	}
	for _, rc := range fp.Recognitions {
		out.Recognitions = append(out.Recognitions, toAPIRecognition(rc))
	}
	if fp.Next != nil {
		v := toAPIVerdict(c.Lang, *fp.Next)
		out.Next = &v
	}
	return out, fp, nil
}

func (m *module) apiFirm(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	out, _, err := m.firm(r, c)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (m *module) apiMaturity(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	var in apiMaturityInput
	if err := web.DecodeJSON(w, r, &in, maxBody); err != nil {
		return err
	}
	mt := digital.Maturity{EnterpriseID: id, Year: in.Year, CMMM: in.CMMMLevel, SMELevel: in.SMELevel, Cloud: in.Cloud,
		Source: digital.Source(in.Source), Evidence: strings.TrimSpace(in.Evidence)}
	if in.NCRatePct != "" {
		v, err := unit.ParseScaled(in.NCRatePct.String(), 100)
		if err != nil {
			return web.BadParam("nc_rate_pct", "a percentage with at most 2 decimals is required")
		}
		mt.NCRate = &v
	}
	if err := m.svc.SaveMaturity(r.Context(), c.Scope(), mt, c.User.Username); err != nil {
		return err
	}
	out, _, err := m.firm(r, c)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (m *module) apiRecognise(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	var in apiRecogniseInput
	if err := web.DecodeJSON(w, r, &in, maxBody); err != nil {
		return err
	}
	d, err := parseDay("recognised_on", in.RecognisedOn)
	if err != nil {
		return err
	}
	rc, err := m.svc.Recognise(r.Context(), c.Scope(), digital.Recognition{EnterpriseID: id, Rung: digital.Rung(in.Rung), Name: strings.TrimSpace(in.Name),
		RecognisedOn: d, Batch: strings.TrimSpace(in.Batch), FutureType: digital.FutureType(in.FutureType), Note: strings.TrimSpace(in.Note)}, c.User.Username)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, toAPIRecognition(rc))
	return nil
}

// importOptions bound a project upload: a few thousand rows a year.
var importOptions = tabular.Options{MaxBytes: 10 << 20, MaxRows: 50_000, Sheets: digital.ImportSheets()}

// apiImport reads a multipart upload (field "file", XLSX or CSV), checks
// every row and writes all of them or none.
func (m *module) apiImport(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	r.Body = http.MaxBytesReader(w, r.Body, importOptions.MaxBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return apperr.Wrap(err, apperr.Invalid, "api.err.no_file")
	}
	var sheet *tabular.Sheet
	for sheet == nil {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return apperr.New(apperr.Invalid, "api.err.no_file")
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return apperr.Wrap(err, apperr.TooLarge, "api.err.file_too_large", importOptions.MaxBytes>>20)
		}
		if err != nil {
			return apperr.Wrap(err, apperr.Invalid, "api.err.no_file")
		}
		if part.FormName() != "file" {
			_ = part.Close()
			continue
		}
		sheet, err = tabular.Read(part, part.FileName(), importOptions)
		_ = part.Close()
		if err != nil {
			if errors.As(err, &tooBig) {
				return apperr.Wrap(err, apperr.TooLarge, "api.err.file_too_large", importOptions.MaxBytes>>20)
			}
			return &web.Rejected{Err: apperr.New(apperr.Invalid, "err.digital.import.failed"), Message: m.core.T(c.Lang, "err.digital.import.unreadable"),
				Problems: []web.Problem{{Path: "file", Code: "unreadable", Message: err.Error()}}}
		}
	}
	rows := make([]digital.ImportRow, 0, len(sheet.Rows))
	for _, row := range sheet.Rows {
		rows = append(rows, digital.ImportRow{Line: row.Line, Cells: row.Cells})
	}
	si, err := m.svc.ImportSheet(r.Context(), c.Scope(), sheet.Header, rows, digital.ImportSheetOptions{By: c.User.Username})
	if err != nil {
		return err
	}
	if rowErrs := si.Problems; len(rowErrs) > 0 {
		rej := &web.Rejected{Err: apperr.New(apperr.Invalid, "err.digital.import.failed"), Message: m.core.T(c.Lang, "err.digital.import.rejected", len(rowErrs))}
		for _, e := range rowErrs {
			msg := e.Err.Error()
			var ae *apperr.Error
			if errors.As(e.Err, &ae) {
				msg = m.core.T(c.Lang, ae.Key, ae.Args...)
			}
			rej.Problems = append(rej.Problems, web.Problem{Path: "row " + strconv.Itoa(e.Line) + colSuffix(e.Column), Code: "invalid", Message: msg})
		}
		return rej
	}
	web.WriteJSON(w, http.StatusOK, apiDigitalImportResult{Rows: si.Rows, Inserted: si.Result.Inserted, Updated: si.Result.Updated, Unchanged: si.Result.Unchanged})
	return nil
}

func colSuffix(col string) string {
	if col == "" {
		return ""
	}
	return " / " + col
}
