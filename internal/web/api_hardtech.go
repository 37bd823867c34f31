package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/hardtech"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/unit"
)

// hardtechWriters may admit firms to the pool and remove them: the city
// administrator and district officers (for their own district, which the
// store enforces). Analysts read.
const hardtechWriters = auth.Permission("hardtech.admit")

// hardtechRoutes are the hard-tech assistance pool's routes.
func (s *Server) hardtechRoutes() []apiRoute {
	return []apiRoute{
		{"GET", "/api/v1/hardtech", auth.Permission("hardtech.read"), s.withUser(s.apiHardtech)},
		{"GET", "/api/v1/hardtech.xlsx", auth.Permission("hardtech.read"), s.withUser(s.apiHardtechXLSX)},
		{"POST", "/api/v1/hardtech/{year}/members", hardtechWriters, s.withUser(s.apiHardtechAdmit)},
		{"POST", "/api/v1/hardtech/{year}/members/{id}/remove", hardtechWriters, s.withUser(s.apiHardtechRemove)},
	}
}

// apiHardtechPool is one year's pool with its statistics.
type apiHardtechPool struct {
	Year         int                 `json:"year"`
	Years        []int               `json:"years"`
	Policy       string              `json:"policy"`
	MinFirms     int                 `json:"min_firms"`
	Multiple     float64             `json:"multiple"`
	HorizonYears int                 `json:"horizon_years"`
	RequiredCAGR float64             `json:"required_cagr_pct"`
	AsOfYear     int                 `json:"as_of_year"`
	Admitted     int                 `json:"admitted"`
	Active       int                 `json:"active"`
	MeetsMinimum bool                `json:"meets_minimum"`
	ByStatus     map[string]int      `json:"by_status"`
	Members      []apiHardtechMember `json:"members"`
}

// apiHardtechMember is one firm's membership and progress.
type apiHardtechMember struct {
	EnterpriseID  int64   `json:"enterprise_id"`
	CreditCode    string  `json:"credit_code"`
	Name          string  `json:"name"`
	Region        string  `json:"region"`
	Size          string  `json:"size"`
	BaseYear      int     `json:"base_year"`
	BaseWan       float64 `json:"base_revenue_wan"`
	BaseSource    string  `json:"base_source"`
	TargetYear    int     `json:"target_year"`
	TargetWan     float64 `json:"target_revenue_wan"`
	LatestYear    int     `json:"latest_year,omitempty"`
	LatestWan     float64 `json:"latest_revenue_wan,omitempty"`
	Multiple      float64 `json:"multiple,omitempty"`
	Required      float64 `json:"required_multiple,omitempty"`
	CAGR          float64 `json:"cagr_pct,omitempty"`
	Status        string  `json:"status"`
	AchievedIn    int     `json:"achieved_in,omitempty"`
	Reasons       string  `json:"reasons"`
	AdmittedOn    string  `json:"admitted_on"`
	RemovedOn     string  `json:"removed_on,omitempty"`
	RemovalReason string  `json:"removal_reason,omitempty"`
}

// hardtechFilter narrows the member list.
type hardtechFilter struct {
	Region string
	Status hardtech.Status
	Query  string
}

func (s *Server) apiHardtech(w http.ResponseWriter, r *http.Request, u auth.User) error {
	pool, err := s.hardtechPool(r.Context(), u.ScopeOf(), r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pool)
	return nil
}

// hardtechPool reads ?year= (the latest pool when absent), ?region=,
// ?status= and ?q= and judges every member as of the latest year with
// December reports.
func (s *Server) hardtechPool(ctx context.Context, sc auth.Scope, r *http.Request) (apiHardtechPool, error) {
	q := r.URL.Query()
	out := apiHardtechPool{Members: []apiHardtechMember{}, ByStatus: map[string]int{}}
	years, err := s.store.HardtechYears(ctx)
	if err != nil {
		return out, err
	}
	out.Years = years
	if out.Years == nil {
		out.Years = []int{}
	}
	def := 0
	if len(years) > 0 {
		def = years[len(years)-1]
	}
	year, err := intParam(q, "year", def, 2000, 2100)
	if err != nil {
		return out, err
	}
	f := hardtechFilter{Region: strings.TrimSpace(q.Get("region")), Status: hardtech.Status(strings.TrimSpace(q.Get("status"))), Query: strings.TrimSpace(q.Get("q"))}
	if f.Status != "" && !slices.Contains(hardtech.Statuses, f.Status) {
		return out, badParam("status", "unknown status")
	}
	if f.Region != "" && !sc.IsAll() && f.Region != sc.RegionCode {
		return out, apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	out.Year = year
	if year == 0 {
		return out, nil
	}
	policies, err := hardtech.Policies()
	if err != nil {
		return out, err
	}
	pol, err := hardtech.PolicyFor(policies, year)
	if err != nil {
		return out, err
	}
	out.Policy, out.MinFirms, out.Multiple, out.HorizonYears = pol.Version, pol.MinFirms, pol.Multiple(), pol.HorizonYears
	out.RequiredCAGR = round2(pol.RequiredCAGR() * 100)
	latest, err := s.store.LatestPeriod(ctx)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return out, err
	}
	// Full-year revenue needs December.
	out.AsOfYear = latest.Year
	if latest.Month < 12 {
		out.AsOfYear--
	}
	rows, err := s.store.HardtechMembers(ctx, sc, year, pol.HorizonYears)
	if err != nil {
		return out, err
	}
	var prs []hardtech.Progress
	for _, row := range rows {
		pr := hardtech.Evaluate(row.Member, pol, row.Revenue, out.AsOfYear)
		prs = append(prs, pr)
		if f.Region != "" && row.RegionCode != f.Region || f.Status != "" && pr.Status != f.Status ||
			f.Query != "" && !strings.Contains(row.Name, f.Query) && !strings.Contains(row.CreditCode, strings.ToUpper(f.Query)) {
			continue
		}
		out.Members = append(out.Members, toAPIHardtech(row, pr))
	}
	st := hardtech.Stats(year, pol, prs)
	out.Admitted, out.Active, out.MeetsMinimum = st.Admitted, st.Active, st.MeetsMinimum
	for k, v := range st.ByStatus {
		out.ByStatus[string(k)] = v
	}
	return out, nil
}

func toAPIHardtech(row sqlstore.HardtechRow, pr hardtech.Progress) apiHardtechMember {
	m := apiHardtechMember{EnterpriseID: row.EnterpriseID, CreditCode: row.CreditCode, Name: row.Name, Region: row.RegionCode, Size: string(row.Size),
		BaseYear: row.BaseYear, BaseWan: row.BaseRevenue.Yuan10k(), BaseSource: row.BaseSource, TargetYear: pr.TargetYear, TargetWan: pr.Target.Yuan10k(),
		Status: string(pr.Status), AchievedIn: pr.AchievedIn, Reasons: row.Reasons, AdmittedOn: formatDay(row.AdmittedOn),
		RemovedOn: formatDay(row.RemovedOn), RemovalReason: row.RemovalReason}
	if l := pr.Latest; l != nil {
		m.LatestYear, m.LatestWan = l.Year, l.Revenue.Yuan10k()
		m.Multiple, m.Required, m.CAGR = round4(l.Multiple), round4(l.Required), round2(l.CAGR*100)
	}
	return m
}

// hardtechAdmitBody is the admission request.
type hardtechAdmitBody struct {
	EnterpriseID int64  `json:"enterprise_id"`
	Reasons      string `json:"reasons"`
}

// hardtechRemoveBody is the removal request.
type hardtechRemoveBody struct {
	Reason string `json:"reason"`
}

// maxHardtechBody bounds a request body: an id and a reason.
const maxHardtechBody = 16 << 10

func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxHardtechBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return apperr.Wrap(err, apperr.Invalid, "api.err.bad_form")
	}
	return nil
}

func yearPathParam(r *http.Request) (int, error) {
	y, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || y < 2000 || y > 2100 {
		return 0, badParam("year", "not a year 2000–2100")
	}
	return y, nil
}

// apiHardtechAdmit admits an enterprise to the {year} pool. A district
// officer can only admit firms of their district: any other firm is "not
// found", as everywhere else.
func (s *Server) apiHardtechAdmit(w http.ResponseWriter, r *http.Request, u auth.User) error {
	year, err := yearPathParam(r)
	if err != nil {
		return err
	}
	var body hardtechAdmitBody
	if err := decodeBody(w, r, &body); err != nil {
		return err
	}
	policies, err := hardtech.Policies()
	if err != nil {
		return err
	}
	pol, err := hardtech.PolicyFor(policies, year)
	if err != nil {
		return err
	}
	m, err := s.store.AdmitHardtech(r.Context(), u.ScopeOf(), hardtech.Admission{Year: year, EnterpriseID: body.EnterpriseID, Reasons: body.Reasons}, pol, u.ID)
	if err != nil {
		return err
	}
	s.log.Info("hardtech admit", "user", u.Username, "year", year, "enterprise", m.EnterpriseID)
	writeJSON(w, http.StatusCreated, apiHardtechMember{EnterpriseID: m.EnterpriseID, BaseYear: m.BaseYear, BaseWan: m.BaseRevenue.Yuan10k(),
		BaseSource: m.BaseSource, TargetYear: m.BaseYear + pol.HorizonYears, TargetWan: unit.Fen(int64(m.BaseRevenue) * pol.MultipleE2 / 100).Yuan10k(),
		Status: string(hardtech.StatusNoData), Reasons: m.Reasons, AdmittedOn: formatDay(m.AdmittedOn)})
	return nil
}

// apiHardtechRemove removes a member from the {year} pool with a reason.
func (s *Server) apiHardtechRemove(w http.ResponseWriter, r *http.Request, u auth.User) error {
	year, err := yearPathParam(r)
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	var body hardtechRemoveBody
	if err := decodeBody(w, r, &body); err != nil {
		return err
	}
	if err := s.store.RemoveHardtech(r.Context(), u.ScopeOf(), year, id, body.Reason, u.ID); err != nil {
		return err
	}
	s.log.Info("hardtech remove", "user", u.Username, "year", year, "enterprise", id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiHardtechXLSX exports the pool list with the list's filters.
func (s *Server) apiHardtechXLSX(w http.ResponseWriter, r *http.Request, u auth.User) error {
	pool, err := s.hardtechPool(r.Context(), u.ScopeOf(), r)
	if err != nil {
		return err
	}
	lang := Lang(r)
	col := func(k string) string { return s.message(lang, "hardtech.col."+k) }
	header := []string{col("credit_code"), col("name"), col("region"), col("size"), col("base_year"), col("base_wan"), col("base_source"),
		col("target_year"), col("target_wan"), col("latest_year"), col("latest_wan"), col("multiple"), col("cagr"), col("required_cagr"), col("status"), col("reasons"), col("admitted_on"), col("removal_reason")}
	var rows [][]string
	num := func(v float64, d int) string { return strconv.FormatFloat(v, 'f', d, 64) }
	for _, m := range pool.Members {
		reg := m.Region
		if rr, ok := s.regions.ByCode(m.Region); ok {
			reg = regionName(lang, rr)
		}
		latestYear, latestWan, mult, cagr := "", "", "", ""
		if m.LatestYear != 0 {
			latestYear, latestWan, mult, cagr = strconv.Itoa(m.LatestYear), num(m.LatestWan, 2), num(m.Multiple, 4), num(m.CAGR, 2)
		}
		rows = append(rows, []string{m.CreditCode, m.Name, reg, s.message(lang, "size."+m.Size), strconv.Itoa(m.BaseYear), num(m.BaseWan, 2),
			s.message(lang, "hardtech.base."+m.BaseSource), strconv.Itoa(m.TargetYear), num(m.TargetWan, 2), latestYear, latestWan, mult, cagr,
			num(pool.RequiredCAGR, 2), s.message(lang, "hardtech.status."+m.Status), m.Reasons, m.AdmittedOn, m.RemovalReason})
	}
	var buf bytes.Buffer
	if err := tabular.WriteXLSX(&buf, s.message(lang, "hardtech.sheet"), header, rows); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="hardtech-%d.xlsx"`, pool.Year))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// formatDay renders a date as YYYY-MM-DD, "" for the zero date.
func formatDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }
