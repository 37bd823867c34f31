package cultivationweb

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/rules"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/web"
)

// maxProfileBody bounds a profile posted for evaluation; a real one is a
// few kB.
const maxProfileBody = 256 << 10

// dateParam reads ?date= (zero when absent).
func dateParam(q url.Values) (time.Time, error) {
	v := strings.TrimSpace(q.Get("date"))
	if v == "" {
		return time.Time{}, nil
	}
	d, err := rules.ParseDate(v)
	if err != nil || d.Year() < 2000 || d.Year() > 2100 {
		return time.Time{}, web.BadParam("date", "want YYYY-MM-DD")
	}
	return d.Time(), nil
}

// assessmentDate reads ?date=, or picks the platform default: today unless
// the prior year's December reports are not in yet (cultivation.DefaultAsOf).
func (m *module) assessmentDate(ctx context.Context, q url.Values) (time.Time, error) {
	d, err := dateParam(q)
	if err != nil {
		return d, err
	}
	return m.svc.AsOf(ctx, d)
}

// apiRuleSets lists the rule sets.
func (m *module) apiRuleSets(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	sets, err := m.svc.RuleSets()
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, apiRuleSetList{RuleSets: sets})
	return nil
}

// apiEvaluateProfile evaluates the profile in the body (the JSON of
// `ibrain evaluate --input`) with one rule set. Nothing is stored.
func (m *module) apiEvaluateProfile(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	rs, err := m.svc.RuleSet(r.PathValue("id"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	// A posted profile carries its own years: the date is today unless
	// asked for, not the platform's data-driven default.
	asOf := m.svc.Today()
	if strings.TrimSpace(q.Get("date")) != "" {
		if asOf, err = m.assessmentDate(r.Context(), q); err != nil {
			return err
		}
	}
	kind := rules.Kind(strings.TrimSpace(q.Get("kind")))
	switch kind {
	case "", rules.KindNew, rules.KindReview:
		if kind, err = cultivation.ProfileKind(rs, kind); err != nil {
			return web.BadParam("kind", "the rule set does not judge "+string(kind)+" applications")
		}
	default:
		return web.BadParam("kind", "want new or review")
	}
	body := http.MaxBytesReader(w, r.Body, maxProfileBody)
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(body); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apperr.New(apperr.TooLarge, msgProfileTooLarge, maxProfileBody>>10)
		}
		return apperr.Wrap(err, apperr.Invalid, msgBadProfile, err.Error())
	}
	if strings.TrimSpace(buf.String()) == "" {
		return apperr.New(apperr.Invalid, msgBadProfile, "empty body")
	}
	p, err := rules.DecodeProfile(&buf)
	if err != nil {
		return apperr.Wrap(err, apperr.Invalid, msgBadProfile, strings.TrimPrefix(err.Error(), "rules: profile: "))
	}
	res, err := cultivation.EvaluateProfile(rs, p, asOf, kind)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, res)
	return nil
}

// apiEligibility returns every tier's evaluation of one enterprise, with
// the reminders for the titles it holds. Outside the scope it is 404.
func (m *module) apiEligibility(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	asOf, err := m.assessmentDate(r.Context(), r.URL.Query())
	if err != nil {
		return err
	}
	el, _, err := m.svc.Eligibility(r.Context(), c.Scope(), id, asOf)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, cultivation.EligibilityJSON(&el, id))
	return nil
}

// screeningParams are the filters of the funnel and the candidate list.
type screeningParams struct {
	gen     int64 // profile generation read first: the data are at least this new
	asOf    time.Time
	filter  cultivation.Filter
	title   enterprise.TitleKind
	status  cultivation.CandidateStatus
	page    int
	perPage int
}

func (m *module) screeningParams(ctx context.Context, q url.Values, sc auth.Scope) (screeningParams, error) {
	var p screeningParams
	var err error
	if p.gen, err = m.svc.Generation(ctx); err != nil {
		return p, err
	}
	if p.asOf, err = dateParam(q); err != nil {
		return p, err
	}
	if p.asOf.IsZero() {
		if p.asOf, err = m.svc.DefaultDate(ctx, p.gen); err != nil {
			return p, err
		}
	}
	p.filter = cultivation.Filter{RegionCode: strings.TrimSpace(q.Get("region")), ClusterCode: strings.TrimSpace(q.Get("cluster"))}
	if err := cultivation.CheckRegion(sc, p.filter.RegionCode); err != nil {
		return p, err
	}
	p.title = enterprise.TitleSpecialized
	if v := strings.TrimSpace(q.Get("title")); v != "" {
		if _, ok := cultivation.TierOf(enterprise.TitleKind(v)); !ok {
			return p, web.BadParam("title", "want one of innovative_sme, specialized_sme, little_giant, single_champion, unicorn, potential_unicorn, gazelle")
		}
		p.title = enterprise.TitleKind(v)
	}
	p.status = cultivation.CandidatesAll
	if v := strings.TrimSpace(q.Get("status")); v != "" {
		p.status = cultivation.CandidateStatus(v)
		if !p.status.Valid() {
			return p, web.BadParam("status", "want qualifying, near or all")
		}
	}
	if p.page, err = web.IntParam(q, "page", 1, 1, 1_000_000); err != nil {
		return p, err
	}
	if p.perPage, err = web.IntParam(q, "per_page", web.DefaultPerPage, 1, web.MaxPerPage); err != nil {
		return p, err
	}
	return p, nil
}

// screen reads the parameters and the screening they ask for.
func (m *module) screen(r *http.Request, c web.Ctx) (screeningParams, *cultivation.Screening, error) {
	sc := c.Scope()
	p, err := m.screeningParams(r.Context(), r.URL.Query(), sc)
	if err != nil {
		return p, nil, err
	}
	sg, err := m.svc.Screen(r.Context(), sc, p.asOf, p.gen)
	return p, sg, err
}

// apiFunnel counts holders and qualifying non-holders per tier.
func (m *module) apiFunnel(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	p, sg, err := m.screen(r, c)
	if err != nil {
		return err
	}
	if sg.Generation < p.gen {
		// The previous screening, served while the city is screened
		// anew: later requests must see the new one when it is ready.
		web.KeepUncached(r)
	}
	web.WriteJSON(w, http.StatusOK, toAPIFunnel(sg, p.filter))
	return nil
}

func toAPIFunnel(sg *cultivation.Screening, f cultivation.Filter) apiFunnel {
	out := apiFunnel{AssessmentDate: sg.AsOf.Format(time.DateOnly), Region: f.RegionCode, Cluster: f.ClusterCode, Steps: []apiFunnelStep{},
		DataAsOf: sg.ReadAt.UTC().Format(time.RFC3339)}
	for i, st := range sg.Funnel(f) {
		step := apiFunnelStep{Title: st.Tier.Title, Rung: st.Tier.Rung, Step: st}
		if rs := sg.RuleSets[i]; rs != nil {
			step.RuleSetID, step.NameZh, step.NameEn = rs.ID, rs.Title.ZH, rs.Title.EN
		}
		out.Steps = append(out.Steps, step)
	}
	return out
}

// apiCandidates lists the ranked non-holders of one title, a page at a time.
func (m *module) apiCandidates(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	p, sg, err := m.screen(r, c)
	if err != nil {
		return err
	}
	cs, total := sg.CandidatesPage(p.title, p.filter, p.status, (p.page-1)*p.perPage, p.perPage)
	out := apiCandidatePage{AssessmentDate: p.asOf.Format(time.DateOnly), Title: p.title, Status: string(p.status),
		Total: total, Page: p.page, PerPage: p.perPage, Items: []apiCandidate{}, DataAsOf: sg.ReadAt.UTC().Format(time.RFC3339)}
	if rs := ruleSetOf(sg, p.title); rs != nil {
		out.RuleSetID = rs.ID
	}
	for _, c := range cs {
		out.Items = append(out.Items, toAPICandidate(c))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func ruleSetOf(sg *cultivation.Screening, title enterprise.TitleKind) *rules.RuleSetInfo {
	for i, t := range sg.Tiers {
		if t.Title == title {
			return sg.RuleSets[i]
		}
	}
	return nil
}

func toAPICandidate(c cultivation.Candidate) apiCandidate {
	v := c.Verdict
	return apiCandidate{Rank: c.Rank, EnterpriseID: c.Subject.ID, Name: c.Subject.Name, CreditCode: c.Subject.CreditCode,
		RegionCode: c.Subject.RegionCode, ClusterCode: c.Subject.ClusterCode, RuleSetID: v.RuleSetID, Outcome: v.Outcome,
		NearMiss: v.NearMiss(), Met: v.Met, NotMet: v.NotMet, Unknown: v.Unknown, Manual: v.Manual, RevenueFen: int64(c.Revenue)}
}

// apiCandidatesXLSX exports every candidate of the list (all pages). Cells
// go through tabular, which neutralises formula triggers.
func (m *module) apiCandidatesXLSX(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	p, sg, err := m.screen(r, c)
	if err != nil {
		return err
	}
	lang := c.Lang
	cs := sg.Candidates(p.title, p.filter, p.status)
	if len(cs) > web.MaxExportRows {
		return apperr.New(apperr.TooLarge, "api.err.export_too_large", web.MaxExportRows)
	}
	t := func(key string) string { return m.core.T(lang, key) }
	header := []string{t("cultivation.col.rank"), t("api.export.col.credit_code"), t("api.export.col.name"), t("api.export.col.region"),
		t("api.export.col.cluster"), t("cultivation.col.outcome"), t("cultivation.col.met"), t("cultivation.col.not_met"),
		t("cultivation.col.unknown"), t("cultivation.col.manual"), t("cultivation.col.revenue_wan"), t("cultivation.col.rule_set")}
	// Names, not codes: the cluster's name in the catalogue of the
	// assessment year, the rule set's policy and version.
	clusters, _, err := m.core.ClusterIndex(r.Context(), p.asOf.Year())
	if err != nil {
		return err
	}
	ruleSet := ""
	if rs := ruleSetOf(sg, p.title); rs != nil {
		ruleSet = m.ruleSetLabel(lang, rs)
	}
	rows := make([][]string, 0, len(cs))
	for _, c := range cs {
		region := c.Subject.RegionCode
		if reg, ok := m.core.Regions().ByCode(region); ok {
			region = web.PickLang(lang, reg.NameZh, reg.NameEn)
		}
		outcome := c.Verdict.Outcome.Text().Lang(lang)
		if c.Verdict.NearMiss() {
			outcome = t("cultivation.near_miss")
		}
		cluster := ""
		if cl, ok := clusters[c.Subject.ClusterCode]; ok {
			cluster = web.ClusterName(lang, cl)
		}
		rows = append(rows, []string{strconv.Itoa(c.Rank), c.Subject.CreditCode, c.Subject.Name, region, cluster, outcome,
			strconv.Itoa(c.Verdict.Met), strconv.Itoa(c.Verdict.NotMet), strconv.Itoa(c.Verdict.Unknown), strconv.Itoa(c.Verdict.Manual),
			strconv.FormatFloat(c.Revenue.Yuan10k(), 'f', 2, 64), ruleSet})
	}
	var buf bytes.Buffer
	if err := tabular.WriteXLSX(&buf, t("cultivation.sheet"), header, rows); err != nil {
		return err
	}
	name := "candidates_" + string(p.title) + "_" + p.asOf.Format("20060102") + ".xlsx"
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
	return nil
}

// Message keys of this module's API errors (texts in the cultivation
// catalogue).
const (
	msgBadProfile      = "cultivation.err.bad_profile"
	msgProfileTooLarge = "cultivation.err.profile_too_large"
)

// Wire types.

type apiRuleSetList struct {
	RuleSets []rules.RuleSetInfo `json:"rule_sets"`
}

type apiFunnel struct {
	AssessmentDate string          `json:"assessment_date"`
	Region         string          `json:"region"`
	Cluster        string          `json:"cluster"`
	Steps          []apiFunnelStep `json:"steps"`
	DataAsOf       string          `json:"data_as_of"` // when the screened data were read
}

type apiFunnelStep struct {
	Title     enterprise.TitleKind `json:"title"`
	Rung      int                  `json:"rung"`
	RuleSetID string               `json:"rule_set_id"`
	NameZh    string               `json:"name_zh"`
	NameEn    string               `json:"name_en"`
	cultivation.Step
}

type apiCandidatePage struct {
	AssessmentDate string               `json:"assessment_date"`
	Title          enterprise.TitleKind `json:"title"`
	RuleSetID      string               `json:"rule_set_id"`
	Status         string               `json:"status"`
	Total          int                  `json:"total"`
	Page           int                  `json:"page"`
	PerPage        int                  `json:"per_page"`
	Items          []apiCandidate       `json:"items"`
	DataAsOf       string               `json:"data_as_of"` // when the screened data were read
}

type apiCandidate struct {
	Rank         int          `json:"rank"`
	EnterpriseID int64        `json:"enterprise_id"`
	Name         string       `json:"name"`
	CreditCode   string       `json:"credit_code"`
	RegionCode   string       `json:"region_code"`
	ClusterCode  string       `json:"cluster_code"`
	RuleSetID    string       `json:"rule_set_id"`
	Outcome      rules.Status `json:"outcome"`
	NearMiss     bool         `json:"near_miss"`
	Met          int          `json:"met"`
	NotMet       int          `json:"not_met"`
	Unknown      int          `json:"unknown"`
	Manual       int          `json:"manual"`
	RevenueFen   int64        `json:"revenue_fen"`
}

// ruleSetLabel names a rule set for a reader: its title and version
// (专精特新中小企业（2022版）), never its id.
func (m *module) ruleSetLabel(lang string, rs *rules.RuleSetInfo) string {
	if rs.Version == "" {
		return rs.Title.Lang(lang)
	}
	return m.core.T(lang, "cultivation.rule_set_version", rs.Title.Lang(lang), rs.Version)
}
