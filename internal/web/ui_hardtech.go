package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/hardtech"
)

// hardtechPage is GET /hardtech: one year's pool with each firm's
// progress towards doubling its revenue, filters, the XLSX export, and for
// those who may change the pool an admission form and removal buttons
// (static/hardtech.js posts them to the API).
type hardtechPage struct {
	basePage
	Year         int
	Years        []option
	Regions      []option
	RegionLocked string
	Statuses     []option
	Q            string
	Policy       string
	Summary      string
	BelowMin     bool
	AsOf         string
	Counts       []statusCount
	Rows         []hardtechRowView
	ExportURL    string
	CanEdit      bool
	NoPool       bool
	Data         hardtechData
}

// hardtechData is what static/hardtech.js reads: its texts.
type hardtechData struct {
	Text map[string]string `json:"text"`
}

type hardtechRowView struct {
	ID         int64
	URL        string
	Name       string
	CreditCode string
	Region     string
	Size       string
	BaseYear   int
	Base       string
	BaseSource string
	Target     string
	Latest     string
	Multiple   string
	Required   string
	CAGR       string
	Pct        int
	Status     string
	StatusTxt  string
	Reasons    string
	Removed    bool
}

func (u *ui) hardtechPage(w http.ResponseWriter, r *http.Request, pc pageCtx) {
	lang := pc.lang
	if pc.user.Role == auth.RoleEnterprise {
		u.renderError(w, r, http.StatusForbidden, "err.forbidden")
		return
	}
	p := hardtechPage{}
	p.basePage = u.base(r, pc, "hardtech.title", "hardtech")
	p.Scripts = []string{"app.js", "hardtech.js"}
	p.Data = hardtechData{Text: u.prefixed(lang, "js.hardtech.")}
	p.CanEdit = pc.user.Role == auth.RoleCityAdmin || pc.user.Role == auth.RoleDistrict
	pool, err := u.s.hardtechPool(r.Context(), pc.user.ScopeOf(), r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	p.Year, p.Q = pool.Year, q.Get("q")
	for i := len(pool.Years) - 1; i >= 0; i-- {
		y := pool.Years[i]
		p.Years = append(p.Years, option{Value: strconv.Itoa(y), Label: strconv.Itoa(y), Selected: y == pool.Year})
	}
	if pc.user.Role == auth.RoleDistrict {
		if reg, ok := u.s.regions.ByCode(pc.user.RegionCode); ok {
			p.RegionLocked = regionName(lang, reg)
		}
	} else {
		p.Regions = append(p.Regions, option{Value: "", Label: u.t(lang, "hardtech.filter.all")})
		for _, reg := range u.s.regions.Regions {
			p.Regions = append(p.Regions, option{Value: reg.Code, Label: regionName(lang, reg), Selected: reg.Code == q.Get("region")})
		}
	}
	p.Statuses = append(p.Statuses, option{Value: "", Label: u.t(lang, "hardtech.filter.all")})
	for _, s := range hardtech.Statuses {
		p.Statuses = append(p.Statuses, option{Value: string(s), Label: u.t(lang, "hardtech.status."+string(s)), Selected: string(s) == q.Get("status")})
	}
	exp := url.Values{}
	for _, k := range []string{"region", "status", "q"} {
		if v := q.Get(k); v != "" {
			exp.Set(k, v)
		}
	}
	exp.Set("year", strconv.Itoa(pool.Year))
	exp.Set("lang", lang)
	p.ExportURL = "/api/v1/hardtech.xlsx?" + exp.Encode()
	if pool.Year == 0 || pool.Admitted == 0 {
		p.NoPool = true
		u.render(w, r, http.StatusOK, lang, "hardtech.html", p)
		return
	}
	p.Policy = u.t(lang, "hardtech.policy", pool.Policy, pool.MinFirms, pool.HorizonYears, formatNumber(pool.Multiple, 1), formatNumber(pool.RequiredCAGR, 1))
	p.Summary = u.t(lang, "hardtech.summary", pool.Year, pool.Admitted, pool.Active, pool.MinFirms)
	p.BelowMin = !pool.MeetsMinimum
	if pool.AsOfYear > 0 {
		p.AsOf = u.t(lang, "hardtech.as_of", pool.AsOfYear)
	}
	for _, s := range hardtech.Statuses {
		if n := pool.ByStatus[string(s)]; n > 0 {
			p.Counts = append(p.Counts, statusCount{Status: string(s), Label: u.t(lang, "hardtech.status."+string(s)), N: n})
		}
	}
	for _, m := range pool.Members {
		rv := hardtechRowView{ID: m.EnterpriseID, URL: "/enterprises/" + strconv.FormatInt(m.EnterpriseID, 10), Name: m.Name, CreditCode: m.CreditCode,
			Region: m.Region, Size: u.t(lang, "size."+m.Size), BaseYear: m.BaseYear, Base: formatNumber(m.BaseWan, 0),
			BaseSource: u.t(lang, "hardtech.base."+m.BaseSource), Target: formatNumber(m.TargetWan, 0) + " (" + strconv.Itoa(m.TargetYear) + ")",
			Latest: "–", Multiple: "–", Required: "–", CAGR: "–", Status: m.Status, StatusTxt: u.t(lang, "hardtech.status."+m.Status),
			Reasons: m.Reasons, Removed: m.RemovedOn != ""}
		if m.RemovalReason != "" {
			rv.Reasons += " / " + m.RemovalReason
		}
		if reg, ok := u.s.regions.ByCode(m.Region); ok {
			rv.Region = regionName(lang, reg)
		}
		if m.LatestYear != 0 {
			rv.Latest = formatNumber(m.LatestWan, 0) + " (" + strconv.Itoa(m.LatestYear) + ")"
			rv.Multiple, rv.Required, rv.CAGR = formatNumber(m.Multiple, 2)+"×", formatNumber(m.Required, 2)+"×", formatSigned(m.CAGR, 1)+"%"
			// The bar shows the way from the base (1×) to the multiple.
			rv.Pct = max(0, min(100, int((m.Multiple-1)/(pool.Multiple-1)*100+0.5)))
		}
		p.Rows = append(p.Rows, rv)
	}
	u.render(w, r, http.StatusOK, lang, "hardtech.html", p)
}
