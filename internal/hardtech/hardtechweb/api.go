package hardtechweb

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/industrybrain/ibrain/internal/hardtech"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/web"
)

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

// poolQuery reads ?year= (the latest pool when absent), ?region=,
// ?status= and ?q=.
func poolQuery(r *http.Request) (hardtech.PoolQuery, error) {
	q := r.URL.Query()
	year, err := web.IntParam(q, "year", 0, 2000, 2100)
	if err != nil {
		return hardtech.PoolQuery{}, err
	}
	pq := hardtech.PoolQuery{Year: year, Region: strings.TrimSpace(q.Get("region")), Status: hardtech.Status(strings.TrimSpace(q.Get("status"))), Query: strings.TrimSpace(q.Get("q"))}
	if pq.Status != "" && !slices.Contains(hardtech.Statuses, pq.Status) {
		return pq, web.BadParam("status", "unknown status")
	}
	return pq, nil
}

// pool reads the pool the request asks for, in its wire form (the page,
// the list and the export show the same figures).
func (m *module) pool(r *http.Request, c web.Ctx) (apiHardtechPool, error) {
	pq, err := poolQuery(r)
	if err != nil {
		return apiHardtechPool{}, err
	}
	pool, err := m.svc.Pool(r.Context(), c.Scope(), pq)
	if err != nil {
		return apiHardtechPool{}, err
	}
	return toAPIPool(pool), nil
}

func toAPIPool(p hardtech.Pool) apiHardtechPool {
	out := apiHardtechPool{Year: p.Year, Years: p.Years, Members: []apiHardtechMember{}, ByStatus: map[string]int{}}
	if p.Year == 0 {
		return out
	}
	pol := p.Policy
	out.Policy, out.MinFirms, out.Multiple, out.HorizonYears = pol.Version, pol.MinFirms, pol.Multiple(), pol.HorizonYears
	out.RequiredCAGR = round2(pol.RequiredCAGR() * 100)
	out.AsOfYear = p.AsOfYear
	for _, pm := range p.Members {
		out.Members = append(out.Members, toAPIMember(pm.Row, pm.Progress))
	}
	out.Admitted, out.Active, out.MeetsMinimum = p.Stats.Admitted, p.Stats.Active, p.Stats.MeetsMinimum
	for k, v := range p.Stats.ByStatus {
		out.ByStatus[string(k)] = v
	}
	return out
}

func toAPIMember(row hardtech.Row, pr hardtech.Progress) apiHardtechMember {
	m := apiHardtechMember{EnterpriseID: row.EnterpriseID, CreditCode: row.CreditCode, Name: row.Name, Region: row.RegionCode, Size: string(row.Size),
		BaseYear: row.BaseYear, BaseWan: row.BaseRevenue.Yuan10k(), BaseSource: row.BaseSource, TargetYear: pr.TargetYear, TargetWan: pr.Target.Yuan10k(),
		Status: string(pr.Status), AchievedIn: pr.AchievedIn, Reasons: row.Reasons, AdmittedOn: web.DateString(row.AdmittedOn),
		RemovedOn: web.DateString(row.RemovedOn), RemovalReason: row.RemovalReason}
	if l := pr.Latest; l != nil {
		m.LatestYear, m.LatestWan = l.Year, l.Revenue.Yuan10k()
		m.Multiple, m.Required, m.CAGR = round4(l.Multiple), round4(l.Required), round2(l.CAGR*100)
	}
	return m
}

// apiPool is GET /api/v1/hardtech.
func (m *module) apiPool(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	pool, err := m.pool(r, c)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, pool)
	return nil
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
	return web.DecodeJSON(w, r, v, maxHardtechBody)
}

func yearPathParam(r *http.Request) (int, error) {
	y, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || y < 2000 || y > 2100 {
		return 0, web.BadParam("year", "not a year 2000–2100")
	}
	return y, nil
}

// apiAdmit admits an enterprise to the {year} pool. A district officer
// can only admit firms of their district: any other firm is "not found",
// as everywhere else.
func (m *module) apiAdmit(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	year, err := yearPathParam(r)
	if err != nil {
		return err
	}
	var body hardtechAdmitBody
	if err := decodeBody(w, r, &body); err != nil {
		return err
	}
	a, err := m.svc.Admit(r.Context(), c.Scope(), hardtech.Admission{Year: year, EnterpriseID: body.EnterpriseID, Reasons: body.Reasons}, c.User.ID)
	if err != nil {
		return err
	}
	m.core.Log().Info("hardtech admit", "user", c.User.Username, "year", year, "enterprise", a.EnterpriseID)
	web.WriteJSON(w, http.StatusCreated, apiHardtechMember{EnterpriseID: a.EnterpriseID, BaseYear: a.BaseYear, BaseWan: a.BaseRevenue.Yuan10k(),
		BaseSource: a.BaseSource, TargetYear: a.TargetYear, TargetWan: a.Target.Yuan10k(),
		Status: string(hardtech.StatusNoData), Reasons: a.Reasons, AdmittedOn: web.DateString(a.AdmittedOn)})
	return nil
}

// apiRemove removes a member from the {year} pool with a reason.
func (m *module) apiRemove(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	year, err := yearPathParam(r)
	if err != nil {
		return err
	}
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	var body hardtechRemoveBody
	if err := decodeBody(w, r, &body); err != nil {
		return err
	}
	if err := m.svc.Remove(r.Context(), c.Scope(), year, id, body.Reason, c.User.ID); err != nil {
		return err
	}
	m.core.Log().Info("hardtech remove", "user", c.User.Username, "year", year, "enterprise", id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiPoolXLSX exports the pool list with the list's filters.
func (m *module) apiPoolXLSX(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	pool, err := m.pool(r, c)
	if err != nil {
		return err
	}
	lang := c.Lang
	col := func(k string) string { return m.core.T(lang, "hardtech.col."+k) }
	header := []string{col("credit_code"), col("name"), col("region"), col("size"), col("base_year"), col("base_wan"), col("base_source"),
		col("target_year"), col("target_wan"), col("latest_year"), col("latest_wan"), col("multiple"), col("cagr"), col("required_cagr"), col("status"), col("reasons"), col("admitted_on"), col("removal_reason")}
	var rows [][]string
	num := func(v float64, d int) string { return strconv.FormatFloat(v, 'f', d, 64) }
	for _, mb := range pool.Members {
		reg := mb.Region
		if rr, ok := m.core.Regions().ByCode(mb.Region); ok {
			reg = web.RegionName(lang, rr)
		}
		latestYear, latestWan, mult, cagr := "", "", "", ""
		if mb.LatestYear != 0 {
			latestYear, latestWan, mult, cagr = strconv.Itoa(mb.LatestYear), num(mb.LatestWan, 2), num(mb.Multiple, 4), num(mb.CAGR, 2)
		}
		rows = append(rows, []string{mb.CreditCode, mb.Name, reg, m.core.T(lang, "size."+mb.Size), strconv.Itoa(mb.BaseYear), num(mb.BaseWan, 2),
			m.core.T(lang, "hardtech.base."+mb.BaseSource), strconv.Itoa(mb.TargetYear), num(mb.TargetWan, 2), latestYear, latestWan, mult, cagr,
			num(pool.RequiredCAGR, 2), m.core.T(lang, "hardtech.status."+mb.Status), mb.Reasons, mb.AdmittedOn, mb.RemovalReason})
	}
	var buf bytes.Buffer
	if err := tabular.WriteXLSX(&buf, m.core.T(lang, "hardtech.sheet"), header, rows); err != nil {
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

func round2(v float64) float64 { return math.Round(v*100) / 100 }
func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }
