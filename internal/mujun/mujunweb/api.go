package mujunweb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/web"
)

// The 亩均论英雄 API: configurations (read by every signed-in user, written
// by the city administrator), runs, results by enterprise (scoped like the
// registry), by district and park and the class distribution (city roles
// and district officers, cut to the district), changes between runs, the
// 2027 district targets and an XLSX export.

// ---- wire types ----

// apiMujunConfigInfo describes a stored configuration version.
type apiMujunConfigInfo struct {
	ID             string    `json:"id"`
	Version        int       `json:"version"`
	Year           int       `json:"year"`
	EvaluatingUnit string    `json:"evaluating_unit"`
	EffectiveFrom  string    `json:"effective_from"`
	EffectiveTo    string    `json:"effective_to"`
	Builtin        bool      `json:"builtin"`
	CreatedAt      time.Time `json:"created_at"`
	CreatedBy      string    `json:"created_by"`
}

func toAPIMujunConfigInfo(c mujun.ConfigInfo) apiMujunConfigInfo {
	return apiMujunConfigInfo{ID: c.ID, Version: c.Version, Year: c.Year, EvaluatingUnit: c.EvaluatingUnit, EffectiveFrom: c.EffectiveFrom,
		EffectiveTo: c.EffectiveTo, Builtin: c.Builtin, CreatedAt: c.CreatedAt, CreatedBy: c.CreatedBy}
}

type apiMujunConfigList struct {
	Configs []apiMujunConfigInfo `json:"configs"`
}

type apiMujunConfigDoc struct {
	Info   apiMujunConfigInfo `json:"info"`
	Config mujun.Config       `json:"config"`
}

// apiMujunValid answers an upload with ?validate_only=true.
type apiMujunValid struct {
	Valid bool   `json:"valid"`
	ID    string `json:"id"`
}

// apiMujunRun describes a stored run.
type apiMujunRun struct {
	ID             int64                `json:"id"`
	ConfigID       string               `json:"config_id"`
	ConfigVersion  int                  `json:"config_version"`
	Year           int                  `json:"year"`
	EvaluatingUnit string               `json:"evaluating_unit"`
	PriorRunID     int64                `json:"prior_run_id"`
	Enterprises    int                  `json:"enterprises"`
	Skipped        int                  `json:"skipped"`
	Note           string               `json:"note"`
	CreatedAt      time.Time            `json:"created_at"`
	CreatedBy      string               `json:"created_by"`
	Assembled      mujun.AssembleCounts `json:"assembled"`
}

func toAPIMujunRun(r mujun.RunInfo) apiMujunRun {
	return apiMujunRun{ID: r.ID, ConfigID: r.ConfigID, ConfigVersion: r.ConfigVersion, Year: r.Year, EvaluatingUnit: r.EvaluatingUnit,
		PriorRunID: r.PriorRunID, Enterprises: r.Enterprises, Skipped: r.Skipped, Note: r.Note, CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy,
		Assembled: r.Counts}
}

type apiMujunRunList struct {
	Runs []apiMujunRun `json:"runs"`
}

type apiMujunRunRequest struct {
	Year          int    `json:"year"`
	ConfigID      string `json:"config_id"`
	ConfigVersion int    `json:"config_version"`
	PriorRunID    int64  `json:"prior_run_id"`
	NoPrior       bool   `json:"no_prior"`
	Note          string `json:"note"`
}

type apiMujunRunCreated struct {
	Run     apiMujunRun         `json:"run"`
	Groups  []mujun.GroupResult `json:"groups"`
	Classes []mujun.ClassCount  `json:"classes"`
}

type apiMujunIndicator struct {
	Code      mujun.IndicatorCode `json:"code"`
	Name      string              `json:"name"`
	Unit      string              `json:"unit"`
	Weight    float64             `json:"weight"`
	Value     *float64            `json:"value"` // null when missing
	Benchmark float64             `json:"benchmark"`
	Score     float64             `json:"score"`
	Filled    string              `json:"filled,omitempty"`
}

type apiMujunPolicy struct {
	Kind      mujun.PolicyKind `json:"kind"`
	Text      string           `json:"text"`
	RateFen   int64            `json:"rate_fen,omitempty"`
	ReliefPct float64          `json:"relief_pct,omitempty"`
	AmountFen *int64           `json:"amount_fen,omitempty"`
}

type apiMujunResult struct {
	EnterpriseID     int64               `json:"enterprise_id"`
	Name             string              `json:"name"`
	CreditCode       string              `json:"credit_code"`
	RegionCode       string              `json:"region_code"`
	Region           string              `json:"region"`
	ParkCode         string              `json:"park_code"`
	Park             string              `json:"park"`
	Group            mujun.Group         `json:"group"`
	Exempt           string              `json:"exempt,omitempty"`
	Score            float64             `json:"score"`
	Deducted         float64             `json:"deducted"`
	Rank             int                 `json:"rank"`
	RegionRank       int                 `json:"region_rank"`
	Class            string              `json:"class"`
	ClassName        string              `json:"class_name"`
	ClassBy          mujun.ClassSource   `json:"class_by"`
	ConsecutiveYears int                 `json:"consecutive_years"`
	Vetoes           []string            `json:"vetoes"`
	Indicators       []apiMujunIndicator `json:"indicators"`
	Policies         []apiMujunPolicy    `json:"policies"`
}

type apiMujunResultPage struct {
	Run     apiMujunRun      `json:"run"`
	Total   int              `json:"total"`
	Page    int              `json:"page"`
	PerPage int              `json:"per_page"`
	Items   []apiMujunResult `json:"items"`
}

type apiMujunAggregate struct {
	RegionCode     string             `json:"region_code"`
	Region         string             `json:"region"`
	ParkCode       string             `json:"park_code,omitempty"`
	Park           string             `json:"park,omitempty"`
	Firms          int                `json:"firms"`
	Rated          int                `json:"rated"`
	MeanScore      float64            `json:"mean_score"`
	ASharePct      float64            `json:"a_share_pct"` // share of the best class among firms in scope
	TaxPerMu       float64            `json:"tax_per_mu"`
	VAPerMu        float64            `json:"va_per_mu"`
	Classes        []mujun.ClassCount `json:"classes"`
	RankByScore    int                `json:"rank_by_score"`
	RankByVAPerMu  int                `json:"rank_by_va_per_mu"`
	RankByTaxPerMu int                `json:"rank_by_tax_per_mu"`
}

type apiMujunAggregates struct {
	Run   apiMujunRun         `json:"run"`
	Items []apiMujunAggregate `json:"items"`
}

type apiMujunClassDef struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Policies []string `json:"policies"`
}

type apiMujunGroupClasses struct {
	Group   mujun.Group        `json:"group"`
	Name    string             `json:"name"`
	Firms   int                `json:"firms"`
	Classes []mujun.ClassCount `json:"classes"`
}

type apiMujunClasses struct {
	Run    apiMujunRun            `json:"run"`
	Scope  string                 `json:"scope"` // "city" or the district code
	Defs   []apiMujunClassDef     `json:"defs"`
	Groups []apiMujunGroupClasses `json:"groups"`
	Total  []mujun.ClassCount     `json:"total"`
}

type apiMujunChange struct {
	EnterpriseID int64            `json:"enterprise_id"`
	Name         string           `json:"name"`
	RegionCode   string           `json:"region_code"`
	Group        mujun.Group      `json:"group"`
	Kind         mujun.ChangeKind `json:"kind"`
	OldClass     string           `json:"old_class"`
	NewClass     string           `json:"new_class"`
	Direction    string           `json:"direction"`
	OldScore     float64          `json:"old_score"`
	NewScore     float64          `json:"new_score"`
	Reasons      []mujun.Reason   `json:"reasons"`
	Explanation  string           `json:"explanation"`
	Drivers      json.RawMessage  `json:"drivers"`        // []mujun.Driver, as stored
	Config       json.RawMessage  `json:"config_changes"` // []mujun.ConfigChange, as stored
}

type apiMujunDiff struct {
	From    apiMujunRun      `json:"from"`
	To      apiMujunRun      `json:"to"`
	Total   int              `json:"total"`
	Moves   map[string]int   `json:"moves"` // "A→B" → firms
	Changes []apiMujunChange `json:"changes"`
	// Listed is how many changes the filters select (move as well as
	// region): what the pages divide.
	Listed  int `json:"listed"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
}

type apiMujunTargets struct {
	Set       mujun.TargetSet          `json:"set"`
	AsOf      int                      `json:"as_of"`
	Runs      map[string]int64         `json:"runs"` // year → run used
	Districts []mujun.DistrictProgress `json:"districts"`
}

// ---- configurations ----

func (m *module) apiMujunConfigs(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	list, err := m.svc.Configs(r.Context())
	if err != nil {
		return err
	}
	out := apiMujunConfigList{Configs: make([]apiMujunConfigInfo, 0, len(list))}
	for _, c := range list {
		out.Configs = append(out.Configs, toAPIMujunConfigInfo(c))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (m *module) apiMujunConfig(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	v, err := web.IntParam(r.URL.Query(), "version", 0, 1, 1<<30)
	if err != nil {
		return err
	}
	cfg, info, err := m.svc.Config(r.Context(), r.PathValue("id"), v)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, apiMujunConfigDoc{Info: toAPIMujunConfigInfo(info), Config: cfg})
	return nil
}

// exportPage is how many results one read of the export fetches (the
// store's largest page).
const exportPage = 5000

// maxConfigBytes bounds an uploaded configuration.
const maxConfigBytes = 1 << 20

// apiMujunPutConfig validates an uploaded configuration and, unless
// ?validate_only=true, stores it as the next version of its id. An invalid
// configuration is a 400 listing every problem in the user's language.
func (m *module) apiMujunPutConfig(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	only, err := web.BoolParam(r.URL.Query(), "validate_only")
	if err != nil {
		return err
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxConfigBytes))
	if err != nil {
		return apperr.New(apperr.TooLarge, "api.err.file_too_large", 1)
	}
	// The stored version is assigned by the server; a missing version in
	// the upload is not a problem.
	var probe struct {
		Version *int `json:"version"`
	}
	if json.Unmarshal(data, &probe) == nil && probe.Version == nil {
		data = withVersion(data)
	}
	cfg, err := mujun.Parse(data)
	if err != nil {
		return m.rejection(c, err)
	}
	if only != nil && *only {
		web.WriteJSON(w, http.StatusOK, apiMujunValid{Valid: true, ID: cfg.ID})
		return nil
	}
	saved, err := m.svc.PutConfig(r.Context(), cfg, mujun.ConfigOptions{By: c.User.Username})
	if err != nil {
		return m.rejection(c, err)
	}
	_, info, err := m.svc.Config(r.Context(), saved.ID, saved.Version)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, apiMujunConfigDoc{Info: toAPIMujunConfigInfo(info), Config: saved})
	return nil
}

// withVersion adds "version": 1 to a JSON object that lacks one.
func withVersion(data []byte) []byte {
	t := bytes.TrimSpace(data)
	if len(t) < 2 || t[0] != '{' {
		return data
	}
	rest := bytes.TrimSpace(t[1:])
	sep := ","
	if len(rest) > 0 && rest[0] == '}' {
		sep = ""
	}
	return append([]byte(`{"version":1`+sep), t[1:]...)
}

// rejection turns a rejected configuration or run into a web.Rejected
// listing every problem in the request's language (a 400); other errors
// pass unchanged.
func (m *module) rejection(c web.Ctx, err error) error {
	lang := c.Lang
	var ve *mujun.ValidationError
	var re *mujun.RunError
	var be *mujun.BenchmarkError
	switch {
	case errors.As(err, &be):
		msg := be.Message(lang, m.core.T, m.mujunUnitName(lang, be.Unit))
		return &web.Rejected{Err: err, Message: msg,
			Problems: []web.Problem{{Path: fmt.Sprintf("groups[%s].indicators[%s].benchmark", be.Group, be.Indicator), Code: "benchmark_" + string(be.Gap), Message: msg}}}
	case errors.As(err, &ve):
		rj := &web.Rejected{Err: err, Message: m.core.T(lang, mujun.KeyConfigInvalid, len(ve.Problems))}
		for _, p := range ve.Problems {
			rj.Problems = append(rj.Problems, web.Problem{Path: p.Path, Code: p.Code, Message: web.PickLang(lang, p.Zh, p.En)})
		}
		return rj
	case errors.As(err, &re):
		return &web.Rejected{Err: err, Message: m.core.T(lang, mujun.KeyRunInvalid) + " " + web.PickLang(lang, re.Zh, re.En),
			Problems: []web.Problem{{Code: "run", Message: web.PickLang(lang, re.Zh, re.En)}}}
	}
	return err
}

// mujunUnitName names an evaluating unit in lang: "" for the city (the
// catalogue's word is used), else the region's name.
func (m *module) mujunUnitName(lang, unit string) string {
	if unit == "city" {
		return ""
	}
	return m.regionLabel(lang, unit)
}

// ---- runs ----

func (m *module) apiMujunRuns(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	runs, err := m.svc.Runs(r.Context())
	if err != nil {
		return err
	}
	out := apiMujunRunList{Runs: make([]apiMujunRun, 0, len(runs))}
	for _, run := range runs {
		out.Runs = append(out.Runs, toAPIMujunRun(run))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (m *module) apiMujunStartRun(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	var req apiMujunRunRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return web.BadParam("body", err.Error())
	}
	if req.Year < 2000 || req.Year > 2100 {
		return web.BadParam("year", "out of range 2000–2100")
	}
	if req.ConfigID == "" {
		return web.BadParam("config_id", "required")
	}
	cfg, _, err := m.svc.Config(r.Context(), req.ConfigID, req.ConfigVersion)
	if err != nil {
		return err
	}
	ev, err := m.svc.Evaluate(r.Context(), cfg, req.Year, mujun.EvaluateOptions{PriorRunID: req.PriorRunID, NoPrior: req.NoPrior, By: c.User.Username, Note: req.Note})
	if err != nil {
		return m.rejection(c, err)
	}
	run, err := m.svc.Run(r.Context(), ev.RunID)
	if err != nil {
		return err
	}
	run.Counts = ev.Counts
	web.WriteJSON(w, http.StatusCreated, apiMujunRunCreated{Run: toAPIMujunRun(run), Groups: ev.Result.Groups, Classes: ev.Result.Total.Classes})
	return nil
}

// mujunRunID reads {id} (or another wildcard) as a run id; a malformed id
// is not found.
func mujunRunID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "err.mujun_run_not_found", r.PathValue(name))
	}
	return id, nil
}

// mujunFilter reads the result filters; a district outside the user's
// scope is refused, as in statsFilter.
func mujunFilter(r *http.Request, sc auth.Scope) (mujun.ResultFilter, int, error) {
	q := r.URL.Query()
	f := mujun.ResultFilter{RegionCode: strings.TrimSpace(q.Get("region")), ParkCode: strings.TrimSpace(q.Get("park")),
		Class: strings.TrimSpace(q.Get("class")), Group: mujun.Group(strings.TrimSpace(q.Get("group")))}
	if f.RegionCode != "" && !sc.IsAll() && f.RegionCode != sc.RegionCode {
		return f, 0, apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	if f.Group != "" && f.Group != mujun.AboveScale && f.Group != mujun.BelowScale {
		return f, 0, web.BadParam("group", "want above_scale or below_scale")
	}
	page, err := web.IntParam(q, "page", 1, 1, 1<<20)
	if err != nil {
		return f, 0, err
	}
	per, err := web.IntParam(q, "per_page", 50, 1, 500)
	if err != nil {
		return f, 0, err
	}
	f.Limit, f.Offset = per, (page-1)*per
	return f, page, nil
}

func (m *module) apiMujunResults(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := mujunRunID(r, "id")
	if err != nil {
		return err
	}
	sc := c.Scope()
	f, page, err := mujunFilter(r, sc)
	if err != nil {
		return err
	}
	cfg, run, err := m.svc.RunConfig(r.Context(), id)
	if err != nil {
		return err
	}
	items, err := m.svc.Results(r.Context(), sc, id, f)
	if err != nil {
		return err
	}
	parks, err := m.parkNames(r.Context())
	if err != nil {
		return err
	}
	lang := c.Lang
	out := apiMujunResultPage{Run: toAPIMujunRun(run), Total: items.Total, Page: page, PerPage: f.Limit, Items: []apiMujunResult{}}
	for _, it := range items.Items {
		out.Items = append(out.Items, m.toAPIMujunResult(lang, &cfg, it, parks))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (m *module) parkNames(ctx context.Context) (map[string]mujun.Park, error) {
	return m.svc.Parks(ctx)
}

func (m *module) regionLabel(lang, code string) string {
	if rg, ok := m.core.Regions().ByCode(code); ok {
		return web.RegionName(lang, rg)
	}
	return code
}

func parkLabel(lang string, parks map[string]mujun.Park, code string) string {
	if p, ok := parks[code]; ok {
		return web.PickLang(lang, p.NameZh, p.NameEn)
	}
	return code
}

func mujunClassName(lang string, cfg *mujun.Config, code string) string {
	for _, d := range cfg.Classes.Defs {
		if d.Code == code {
			return web.PickLang(lang, d.Name.Zh, d.Name.En)
		}
	}
	return code
}

func (m *module) toAPIMujunResult(lang string, cfg *mujun.Config, it mujun.ResultItem, parks map[string]mujun.Park) apiMujunResult {
	e := it.EnterpriseResult
	out := apiMujunResult{EnterpriseID: e.EnterpriseID, Name: it.Name, CreditCode: it.CreditCode, RegionCode: e.RegionCode, Region: m.regionLabel(lang, e.RegionCode),
		ParkCode: e.ParkCode, Park: parkLabel(lang, parks, e.ParkCode), Group: e.Group, Exempt: string(e.Exempt), Score: e.Score, Deducted: e.Deducted,
		Rank: e.Rank, RegionRank: e.RegionRank, Class: e.Class, ClassName: mujunClassName(lang, cfg, e.Class), ClassBy: e.ClassBy,
		ConsecutiveYears: e.ConsecutiveYears, Vetoes: e.Vetoes, Indicators: []apiMujunIndicator{}, Policies: []apiMujunPolicy{}}
	if out.Vetoes == nil {
		out.Vetoes = []string{}
	}
	for _, ir := range e.Indicators {
		d, _ := mujun.Definition(ir.Code)
		ai := apiMujunIndicator{Code: ir.Code, Name: web.PickLang(lang, d.Name.Zh, d.Name.En), Unit: web.PickLang(lang, d.Unit.Zh, d.Unit.En),
			Weight: ir.Weight, Benchmark: ir.Benchmark, Score: ir.Score, Filled: string(ir.Filled)}
		if !ir.Missing {
			v := ir.Value
			ai.Value = &v
		}
		out.Indicators = append(out.Indicators, ai)
	}
	for _, p := range e.Policies {
		ap := apiMujunPolicy{Kind: p.Kind, Text: web.PickLang(lang, p.Text.Zh, p.Text.En), RateFen: p.RateFen, ReliefPct: p.ReliefPct}
		if p.AmountFen.Known {
			v := int64(p.AmountFen.Value)
			ap.AmountFen = &v
		}
		out.Policies = append(out.Policies, ap)
	}
	return out
}

// mujunAggregates renders district or park aggregates.
func (m *module) mujunAggregates(lang string, cfg *mujun.Config, list []mujun.Aggregate, parks map[string]mujun.Park) []apiMujunAggregate {
	out := []apiMujunAggregate{}
	best := ""
	if len(cfg.Classes.Defs) > 0 {
		best = cfg.Classes.Defs[0].Code
	}
	for _, a := range list {
		x := apiMujunAggregate{RegionCode: a.RegionCode, Region: m.regionLabel(lang, a.RegionCode), ParkCode: a.ParkCode, Firms: a.Firms, Rated: a.Rated,
			MeanScore: a.MeanScore, TaxPerMu: a.TaxPerMu, VAPerMu: a.VAPerMu, Classes: a.Classes,
			RankByScore: a.RankByScore, RankByVAPerMu: a.RankByVAPerMu, RankByTaxPerMu: a.RankByTaxPerMu}
		if a.ParkCode != "" {
			x.Park = parkLabel(lang, parks, a.ParkCode)
		}
		for _, c := range a.Classes {
			if c.Class == best && a.Firms > 0 {
				x.ASharePct = 100 * float64(c.Count) / float64(a.Firms)
			}
		}
		out = append(out, x)
	}
	slices.SortStableFunc(out, func(a, b apiMujunAggregate) int { return a.RankByScore - b.RankByScore })
	return out
}

// mujunSummaryFor reads the parts of the run {id} a handler shows, in the
// user's scope.
func (m *module) mujunSummaryFor(r *http.Request, c web.Ctx, parts mujun.SummaryParts) (mujun.RunResult, mujun.RunInfo, error) {
	id, err := mujunRunID(r, "id")
	if err != nil {
		return mujun.RunResult{}, mujun.RunInfo{}, err
	}
	return m.svc.RunParts(r.Context(), c.Scope(), id, parts)
}

func (m *module) apiMujunDistricts(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	res, run, err := m.mujunSummaryFor(r, c, mujun.SummaryParts{Regions: true})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, apiMujunAggregates{Run: toAPIMujunRun(run), Items: m.mujunAggregates(c.Lang, &res.Config, res.Regions, nil)})
	return nil
}

func (m *module) apiMujunParks(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	res, run, err := m.mujunSummaryFor(r, c, mujun.SummaryParts{Parks: true})
	if err != nil {
		return err
	}
	parks, err := m.parkNames(r.Context())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, apiMujunAggregates{Run: toAPIMujunRun(run), Items: m.mujunAggregates(c.Lang, &res.Config, res.Parks, parks)})
	return nil
}

// mujunClasses is the class distribution in scope with its definitions
// and names in lang.
func (m *module) mujunClasses(lang string, sc auth.Scope, res *mujun.RunResult, run mujun.RunInfo) apiMujunClasses {
	cfg := &res.Config
	d := mujun.ClassesIn(sc, res)
	out := apiMujunClasses{Run: toAPIMujunRun(run), Scope: d.Scope, Groups: []apiMujunGroupClasses{}, Total: d.Total}
	for _, cd := range cfg.Classes.Defs {
		def := apiMujunClassDef{Code: cd.Code, Name: web.PickLang(lang, cd.Name.Zh, cd.Name.En), Policies: []string{}}
		for _, p := range cfg.Policies {
			if p.Class == cd.Code {
				def.Policies = append(def.Policies, web.PickLang(lang, p.Text.Zh, p.Text.En))
			}
		}
		out.Defs = append(out.Defs, def)
	}
	for _, g := range d.Groups {
		out.Groups = append(out.Groups, apiMujunGroupClasses{Group: g.Group, Name: mujunGroupName(lang, cfg, g.Group), Firms: g.Firms, Classes: g.Classes})
	}
	return out
}

func (m *module) apiMujunClasses(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	res, run, err := m.mujunSummaryFor(r, c, mujun.ClassPartsIn(c.Scope()))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, m.mujunClasses(c.Lang, c.Scope(), &res, run))
	return nil
}

// mujunDiff reads the changes between two runs within sc, with names: the
// counts cover every change, the rows the requested page (all when
// q.Limit is 0).
func (m *module) mujunDiff(ctx context.Context, lang string, sc auth.Scope, from, to int64, q mujun.DiffQuery) (apiMujunDiff, error) {
	var out apiMujunDiff
	d, err := m.svc.Diff(ctx, sc, from, to, q)
	if err != nil {
		return out, err
	}
	out.From, out.To = toAPIMujunRun(d.From), toAPIMujunRun(d.To)
	out.Total, out.Moves, out.Changes = d.Total, map[string]int{}, make([]apiMujunChange, 0, len(d.Rows))
	for _, m := range d.Moves {
		out.Moves[orDashClass(m.OldClass)+"→"+orDashClass(m.NewClass)] += m.Firms
	}
	out.Listed = d.Total
	if q.Move != nil {
		out.Listed = 0
		for _, m := range d.Moves {
			if m.OldClass == q.Move.OldClass && m.NewClass == q.Move.NewClass {
				out.Listed = m.Firms
			}
		}
	}
	for _, c := range d.Rows {
		out.Changes = append(out.Changes, apiMujunChange{EnterpriseID: c.EnterpriseID, Name: c.Name, RegionCode: c.RegionCode, Group: c.Group,
			Kind: c.Kind, OldClass: c.OldClass, NewClass: c.NewClass, Direction: c.Direction, OldScore: c.OldScore, NewScore: c.NewScore,
			Reasons: c.Reasons, Explanation: web.PickLang(lang, c.Explanation.Zh, c.Explanation.En), Drivers: jsonArray(c.Drivers), Config: jsonArray(c.ConfigChanges)})
	}
	return out, nil
}

// jsonArray is raw stored JSON of a list, [] when nothing was stored.
func jsonArray(raw json.RawMessage) json.RawMessage {
	if t := bytes.TrimSpace(raw); len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return json.RawMessage("[]")
	}
	return raw
}

// diffMoveParam reads a class move "A→B" ("–" for no class); nil when
// empty.
func diffMoveParam(move string) (*mujun.DiffMove, error) {
	if move == "" {
		return nil, nil
	}
	oldC, newC, ok := strings.Cut(move, "→")
	if !ok {
		return nil, web.BadParam("move", "want old→new class")
	}
	undash := func(s string) string {
		if s == "–" {
			return ""
		}
		return s
	}
	return &mujun.DiffMove{OldClass: undash(oldC), NewClass: undash(newC)}, nil
}

func orDashClass(c string) string {
	if c == "" {
		return "–"
	}
	return c
}

func (m *module) apiMujunDiff(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	from, err := mujunRunID(r, "id")
	if err != nil {
		return err
	}
	to, err := mujunRunID(r, "other")
	if err != nil {
		return err
	}
	// A page at a time (8.8 MB for every change at ten times the demo),
	// filtered by move and district here rather than in the client.
	v := r.URL.Query()
	page, err := web.IntParam(v, "page", 1, 1, 1<<20)
	if err != nil {
		return err
	}
	per, err := web.IntParam(v, "per_page", 100, 1, 1000)
	if err != nil {
		return err
	}
	q := mujun.DiffQuery{Limit: per, Offset: (page - 1) * per}
	if q.Move, err = diffMoveParam(v.Get("move")); err != nil {
		return err
	}
	if rc := strings.TrimSpace(v.Get("region")); rc != "" {
		if _, ok := m.core.Regions().ByCode(rc); !ok {
			return web.BadParam("region", "unknown district code")
		}
		q.RegionCode = rc
	}
	out, err := m.mujunDiff(r.Context(), c.Lang, c.Scope(), from, to, q)
	if err != nil {
		return err
	}
	out.Page, out.PerPage = page, per
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// mujunTargets tracks the districts in scope against Chongqing's 2027
// targets, from the newest city run of each year (above-scale group, where
// R&D and labour productivity are known). A district officer gets their
// own district only, without the city row.
func (m *module) mujunTargets(ctx context.Context, sc auth.Scope) (apiMujunTargets, error) {
	tr, err := m.svc.Targets(ctx, sc)
	if err != nil {
		return apiMujunTargets{}, err
	}
	out := apiMujunTargets{Set: tr.Set, AsOf: tr.AsOf, Runs: map[string]int64{}, Districts: tr.Districts}
	for y, id := range tr.Runs {
		out.Runs[strconv.Itoa(y)] = id
	}
	return out, nil
}

func (m *module) apiMujunTargets(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	out, err := m.mujunTargets(r.Context(), c.Scope())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiMujunResultsXLSX exports a run's results in scope with the list's
// filters: one row per enterprise, each indicator's value and score.
func (m *module) apiMujunResultsXLSX(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := mujunRunID(r, "id")
	if err != nil {
		return err
	}
	sc := c.Scope()
	f, _, err := mujunFilter(r, sc)
	if err != nil {
		return err
	}
	cfg, run, err := m.svc.RunConfig(r.Context(), id)
	if err != nil {
		return err
	}
	parks, err := m.parkNames(r.Context())
	if err != nil {
		return err
	}
	var items []mujun.ResultItem
	f.Limit, f.Offset = exportPage, 0
	for {
		page, err := m.svc.Results(r.Context(), sc, id, f)
		if err != nil {
			return err
		}
		if page.Total > web.MaxExportRows {
			return apperr.New(apperr.TooLarge, "api.err.export_too_large", web.MaxExportRows)
		}
		items = append(items, page.Items...)
		if len(page.Items) < exportPage || len(items) >= page.Total {
			break
		}
		f.Offset += exportPage
	}
	lang := c.Lang
	t := func(k string) string { return m.core.T(lang, "mujun.col."+k) }
	header := []string{t("rank"), t("credit_code"), t("name"), t("region"), t("park"), t("group"), t("score"), t("class"), t("class_name"), t("region_rank"), t("deducted"), t("vetoes")}
	codes := mujun.IndicatorCodes()
	for _, c := range codes {
		d, _ := mujun.Definition(c)
		name := web.PickLang(lang, d.Name.Zh, d.Name.En)
		header = append(header, name+"（"+web.PickLang(lang, d.Unit.Zh, d.Unit.En)+"）", name+" "+t("points"))
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	rows := make([][]string, 0, len(items))
	for _, it := range items {
		e := it.EnterpriseResult
		row := []string{strconv.Itoa(e.Rank), it.CreditCode, it.Name, m.regionLabel(lang, e.RegionCode), parkLabel(lang, parks, e.ParkCode), string(e.Group),
			num(e.Score), e.Class, mujunClassName(lang, &cfg, e.Class), strconv.Itoa(e.RegionRank), num(e.Deducted), strings.Join(e.Vetoes, ";")}
		for _, c := range codes {
			val, pts := "", ""
			for _, ir := range e.Indicators {
				if ir.Code == c {
					pts = num(ir.Score)
					if !ir.Missing {
						val = num(ir.Value)
					}
				}
			}
			row = append(row, val, pts)
		}
		rows = append(rows, row)
	}
	var buf bytes.Buffer
	if err := tabular.WriteXLSX(&buf, m.core.T(lang, "mujun.export.sheet"), header, rows); err != nil {
		return err
	}
	web.SendFile(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", fmt.Sprintf("mujun-run%d-%d.xlsx", run.ID, run.Year), &buf)
	return nil
}

// pickLangText picks a Text in lang.
func pickLangText(lang string, t mujun.Text) string {
	if lang == i18n.EN && t.En != "" {
		return t.En
	}
	return t.Zh
}
