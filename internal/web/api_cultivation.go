package web

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
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/tabular"
)

// maxProfileBody bounds a profile posted for evaluation; a real one is a
// few kB.
const maxProfileBody = 256 << 10

// cultivationRoutes are the tiered-cultivation module's routes: the rule
// sets, evaluation of a posted profile, an enterprise's eligibility, and
// the screening of every enterprise (funnel and ranked candidates).
func (s *Server) cultivationRoutes() []apiRoute {
	return []apiRoute{
		{"GET", "/api/v1/rulesets", signedIn, s.apiRuleSets},
		{"POST", "/api/v1/rulesets/{id}/evaluate", signedIn, s.apiEvaluateProfile},
		{"GET", "/api/v1/enterprises/{id}/eligibility", signedIn, s.withUser(s.apiEligibility)},
		// The screening covers many enterprises: not for enterprise users.
		{"GET", "/api/v1/cultivation/funnel", auth.Permission("cultivation.read"), s.withUser(s.apiFunnel)},
		{"GET", "/api/v1/cultivation/candidates", auth.Permission("cultivation.read"), s.withUser(s.apiCandidates)},
		{"GET", "/api/v1/cultivation/candidates.xlsx", auth.Permission("cultivation.read"), s.withUser(s.apiCandidatesXLSX)},
	}
}

// assessmentDate reads ?date=, or picks the platform default: today unless
// the prior year's December reports are not in yet (cultivation.DefaultAsOf).
func (s *Server) assessmentDate(ctx context.Context, q url.Values) (time.Time, error) {
	gen, err := s.store.ProfileGeneration(ctx)
	if err != nil {
		return time.Time{}, err
	}
	return s.assessmentDateAt(ctx, q, gen)
}

// assessmentDateAt is assessmentDate for a request that has read the
// profile generation: the latest complete year is remembered per
// generation.
func (s *Server) assessmentDateAt(ctx context.Context, q url.Values, gen int64) (time.Time, error) {
	if v := strings.TrimSpace(q.Get("date")); v != "" {
		d, err := rules.ParseDate(v)
		if err != nil || d.Year() < 2000 || d.Year() > 2100 {
			return time.Time{}, badParam("date", "want YYYY-MM-DD")
		}
		return d.Time(), nil
	}
	y, err := s.cult.latestCompleteYear(ctx, gen, s.store.LatestCompleteYear)
	if err != nil {
		return time.Time{}, err
	}
	return cultivation.DefaultAsOf(s.now(), y), nil
}

// profileQuery is the store query for profiles on asOf; clusters come from
// the prior year's industry map, or the latest year with status.
func (s *Server) profileQuery(ctx context.Context, asOf time.Time) (sqlstore.ProfileQuery, error) {
	from, to := cultivation.ProfileYears(asOf)
	q := sqlstore.ProfileQuery{FromYear: from, ToYear: to, ClusterYear: to}
	latest, err := s.store.LatestYear(ctx)
	if err != nil {
		return q, err
	}
	if latest != 0 && latest < to {
		q.ClusterYear = latest
	}
	return q, nil
}

// screen returns the screening of every enterprise in scope on asOf, as of
// profile generation gen or later: the city-wide screening (reused while
// the generation holds, see screenCache) narrowed to the scope. The result
// is shared and read-only.
func (s *Server) screen(ctx context.Context, sc auth.Scope, asOf time.Time, gen int64) (*cultivation.Screening, error) {
	city, err := s.cult.screening(ctx, gen, asOf, func(ctx context.Context, gen int64) (*cultivation.Screening, error) {
		if f := s.cult.opts.OnScreen; f != nil {
			f(asOf, gen)
		}
		return s.screenStore(ctx, auth.All(), asOf)
	})
	if err != nil {
		return nil, err
	}
	if sc.IsAll() {
		return city, nil
	}
	return city.Select(func(sub *cultivation.Subject) bool {
		switch {
		case sc.EnterpriseID != 0:
			return sub.ID == sc.EnterpriseID
		case sc.RegionCode != "":
			return sub.RegionCode == sc.RegionCode
		}
		return false
	}), nil
}

// screenStore judges every enterprise in scope on asOf from the store.
func (s *Server) screenStore(ctx context.Context, sc auth.Scope, asOf time.Time) (*cultivation.Screening, error) {
	q, err := s.profileQuery(ctx, asOf)
	if err != nil {
		return nil, err
	}
	raws, err := s.store.ProfileRaws(ctx, sc, q)
	if err != nil {
		return nil, err
	}
	sg, err := cultivation.Screen(s.rules, cultivation.Subjects(raws, asOf), asOf)
	if errors.Is(err, cultivation.ErrNoRuleSets) {
		return nil, apperr.Wrap(err, apperr.NotFound, rules.MsgRuleSetNotFound)
	}
	return sg, err
}

// eligibility evaluates one enterprise in scope on asOf.
func (s *Server) eligibility(ctx context.Context, sc auth.Scope, id int64, asOf time.Time) (cultivation.Eligibility, cultivation.Raw, error) {
	q, err := s.profileQuery(ctx, asOf)
	if err != nil {
		return cultivation.Eligibility{}, cultivation.Raw{}, err
	}
	raw, err := s.store.ProfileRaw(ctx, sc, id, q)
	if err != nil {
		return cultivation.Eligibility{}, raw, err
	}
	el, err := cultivation.Evaluate(s.rules, cultivation.BuildProfile(&raw, asOf), raw.Enterprise.Titles, asOf)
	return el, raw, err
}

// apiRuleSets lists the rule sets.
func (s *Server) apiRuleSets(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, apiRuleSetList{RuleSets: s.rules.List()})
}

// apiEvaluateProfile evaluates the profile in the body (the JSON of
// `ibrain evaluate --input`) with one rule set. Nothing is stored.
func (s *Server) apiEvaluateProfile(w http.ResponseWriter, r *http.Request) {
	rs, err := s.rules.Get(r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	// A posted profile carries its own years: the date is today unless
	// asked for, not the platform's data-driven default.
	asOf := rules.NewDate(s.now()).Time()
	if strings.TrimSpace(q.Get("date")) != "" {
		if asOf, err = s.assessmentDate(r.Context(), q); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	kind := rules.Kind(strings.TrimSpace(q.Get("kind")))
	switch kind {
	case "":
		kind = rules.KindNew
		if !rs.Supports(kind) {
			kind = rules.KindReview
		}
	case rules.KindNew, rules.KindReview:
		if !rs.Supports(kind) {
			s.writeError(w, r, badParam("kind", "the rule set does not judge "+string(kind)+" applications"))
			return
		}
	default:
		s.writeError(w, r, badParam("kind", "want new or review"))
		return
	}
	body := http.MaxBytesReader(w, r.Body, maxProfileBody)
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(body); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.writeError(w, r, apperr.New(apperr.TooLarge, msgProfileTooLarge, maxProfileBody>>10))
			return
		}
		s.writeError(w, r, apperr.Wrap(err, apperr.Invalid, msgBadProfile, err.Error()))
		return
	}
	if strings.TrimSpace(buf.String()) == "" {
		s.writeError(w, r, apperr.New(apperr.Invalid, msgBadProfile, "empty body"))
		return
	}
	p, err := rules.DecodeProfile(&buf)
	if err != nil {
		s.writeError(w, r, apperr.Wrap(err, apperr.Invalid, msgBadProfile, strings.TrimPrefix(err.Error(), "rules: profile: ")))
		return
	}
	res, err := rs.Evaluate(p, rules.Context{AssessmentDate: asOf, Kind: kind})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// apiEligibility returns every tier's evaluation of one enterprise, with
// the reminders for the titles it holds. Outside the scope it is 404.
func (s *Server) apiEligibility(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	asOf, err := s.assessmentDate(r.Context(), r.URL.Query())
	if err != nil {
		return err
	}
	el, _, err := s.eligibility(r.Context(), u.ScopeOf(), id, asOf)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cultivation.EligibilityJSON(&el, id))
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

func (s *Server) screeningParams(ctx context.Context, q url.Values, sc auth.Scope) (screeningParams, error) {
	var p screeningParams
	var err error
	if p.gen, err = s.store.ProfileGeneration(ctx); err != nil {
		return p, err
	}
	if p.asOf, err = s.assessmentDateAt(ctx, q, p.gen); err != nil {
		return p, err
	}
	sf, err := statsFilter(q, sc)
	if err != nil {
		return p, err
	}
	p.filter = cultivation.Filter{RegionCode: sf.Region, ClusterCode: sf.Cluster}
	p.title = enterprise.TitleSpecialized
	if v := strings.TrimSpace(q.Get("title")); v != "" {
		if _, ok := cultivation.TierOf(enterprise.TitleKind(v)); !ok {
			return p, badParam("title", "want one of innovative_sme, specialized_sme, little_giant, single_champion, unicorn, potential_unicorn, gazelle")
		}
		p.title = enterprise.TitleKind(v)
	}
	p.status = cultivation.CandidatesAll
	if v := strings.TrimSpace(q.Get("status")); v != "" {
		p.status = cultivation.CandidateStatus(v)
		if !p.status.Valid() {
			return p, badParam("status", "want qualifying, near or all")
		}
	}
	if p.page, err = intParam(q, "page", 1, 1, 1_000_000); err != nil {
		return p, err
	}
	if p.perPage, err = intParam(q, "per_page", defaultPerPage, 1, maxPerPage); err != nil {
		return p, err
	}
	return p, nil
}

// apiFunnel counts holders and qualifying non-holders per tier.
func (s *Server) apiFunnel(w http.ResponseWriter, r *http.Request, u auth.User) error {
	sc := u.ScopeOf()
	p, err := s.screeningParams(r.Context(), r.URL.Query(), sc)
	if err != nil {
		return err
	}
	sg, err := s.screen(r.Context(), sc, p.asOf, p.gen)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPIFunnel(sg, p.filter))
	return nil
}

func toAPIFunnel(sg *cultivation.Screening, f cultivation.Filter) apiFunnel {
	out := apiFunnel{AssessmentDate: sg.AsOf.Format(time.DateOnly), Region: f.RegionCode, Cluster: f.ClusterCode, Steps: []apiFunnelStep{}}
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
func (s *Server) apiCandidates(w http.ResponseWriter, r *http.Request, u auth.User) error {
	sc := u.ScopeOf()
	p, err := s.screeningParams(r.Context(), r.URL.Query(), sc)
	if err != nil {
		return err
	}
	sg, err := s.screen(r.Context(), sc, p.asOf, p.gen)
	if err != nil {
		return err
	}
	cs := sg.Candidates(p.title, p.filter, p.status)
	out := apiCandidatePage{AssessmentDate: p.asOf.Format(time.DateOnly), Title: p.title, Status: string(p.status),
		Total: len(cs), Page: p.page, PerPage: p.perPage, Items: []apiCandidate{}}
	if rs := ruleSetOf(sg, p.title); rs != nil {
		out.RuleSetID = rs.ID
	}
	start := min((p.page-1)*p.perPage, len(cs))
	for _, c := range cs[start:min(start+p.perPage, len(cs))] {
		out.Items = append(out.Items, toAPICandidate(c))
	}
	writeJSON(w, http.StatusOK, out)
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
func (s *Server) apiCandidatesXLSX(w http.ResponseWriter, r *http.Request, u auth.User) error {
	sc := u.ScopeOf()
	p, err := s.screeningParams(r.Context(), r.URL.Query(), sc)
	if err != nil {
		return err
	}
	sg, err := s.screen(r.Context(), sc, p.asOf, p.gen)
	if err != nil {
		return err
	}
	lang := Lang(r)
	cs := sg.Candidates(p.title, p.filter, p.status)
	if len(cs) > maxExportRows {
		return apperr.New(apperr.TooLarge, "api.err.export_too_large", maxExportRows)
	}
	t := func(key string) string { return s.message(lang, key) }
	header := []string{t("cultivation.col.rank"), t("api.export.col.credit_code"), t("api.export.col.name"), t("api.export.col.region"),
		t("api.export.col.cluster"), t("cultivation.col.outcome"), t("cultivation.col.met"), t("cultivation.col.not_met"),
		t("cultivation.col.unknown"), t("cultivation.col.manual"), t("cultivation.col.revenue_wan"), t("cultivation.col.rule_set")}
	rows := make([][]string, 0, len(cs))
	for _, c := range cs {
		region := c.Subject.RegionCode
		if reg, ok := s.regions.ByCode(region); ok {
			region = pickLang(lang, reg.NameZh, reg.NameEn)
		}
		outcome := c.Verdict.Outcome.Text().Lang(lang)
		if c.Verdict.NearMiss() {
			outcome = t("cultivation.near_miss")
		}
		rows = append(rows, []string{strconv.Itoa(c.Rank), c.Subject.CreditCode, c.Subject.Name, region, c.Subject.ClusterCode, outcome,
			strconv.Itoa(c.Verdict.Met), strconv.Itoa(c.Verdict.NotMet), strconv.Itoa(c.Verdict.Unknown), strconv.Itoa(c.Verdict.Manual),
			strconv.FormatFloat(c.Revenue.Yuan10k(), 'f', 2, 64), c.Verdict.RuleSetID})
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
