package hardtechweb

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/hardtech"
	"github.com/industrybrain/ibrain/internal/web"
)

// hardtechPage is GET /hardtech: one year's pool with each firm's
// progress towards doubling its revenue, filters, the XLSX export, and for
// those who may change the pool an admission form and removal buttons
// (static/hardtech.js posts them to the API).
type hardtechPage struct {
	web.BasePage
	Year         int
	Years        []web.Option
	Regions      []web.Option
	RegionLocked string
	Statuses     []web.Option
	Q            string
	Policy       string
	Summary      string
	BelowMin     bool
	AsOf         string
	Counts       []web.StatusCount
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

// poolPage is GET /hardtech.
func (m *module) poolPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	lang := c.Lang
	if !c.Can(permRead) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	t := func(key string, args ...any) string { return m.core.T(lang, key, args...) }
	p := hardtechPage{}
	p.BasePage = m.core.Base(r, c, "hardtech.title", "hardtech")
	p.Scripts = []string{"app.js", "hardtech.js"}
	p.Data = hardtechData{Text: m.core.Prefixed(lang, "js.hardtech.")}
	p.CanEdit = c.Can(permAdmit)
	pool, err := m.pool(r, c)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p.Year, p.Q = pool.Year, q.Get("q")
	for i := len(pool.Years) - 1; i >= 0; i-- {
		y := pool.Years[i]
		p.Years = append(p.Years, web.Option{Value: strconv.Itoa(y), Label: strconv.Itoa(y), Selected: y == pool.Year})
	}
	if !c.Scope().IsAll() {
		if reg, ok := m.core.Regions().ByCode(c.Scope().RegionCode); ok {
			p.RegionLocked = web.RegionName(lang, reg)
		}
	} else {
		p.Regions = append(p.Regions, web.Option{Value: "", Label: t("hardtech.filter.all")})
		for _, reg := range m.core.Regions().Regions {
			p.Regions = append(p.Regions, web.Option{Value: reg.Code, Label: web.RegionName(lang, reg), Selected: reg.Code == q.Get("region")})
		}
	}
	p.Statuses = append(p.Statuses, web.Option{Value: "", Label: t("hardtech.filter.all")})
	for _, s := range hardtech.Statuses {
		p.Statuses = append(p.Statuses, web.Option{Value: string(s), Label: t("hardtech.status." + string(s)), Selected: string(s) == q.Get("status")})
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
		return m.core.Render(w, r, c, "hardtech.html", p)
	}
	p.Policy = t("hardtech.policy", pool.Policy, pool.MinFirms, pool.HorizonYears, web.FormatNumber(pool.Multiple, 1), web.FormatNumber(pool.RequiredCAGR, 1))
	p.Summary = t("hardtech.summary", pool.Year, pool.Admitted, pool.Active, pool.MinFirms)
	p.BelowMin = !pool.MeetsMinimum
	if pool.AsOfYear > 0 {
		p.AsOf = t("hardtech.as_of", pool.AsOfYear)
	}
	for _, s := range hardtech.Statuses {
		if n := pool.ByStatus[string(s)]; n > 0 {
			p.Counts = append(p.Counts, web.StatusCount{Status: string(s), Label: t("hardtech.status." + string(s)), N: n})
		}
	}
	for _, mb := range pool.Members {
		rv := hardtechRowView{ID: mb.EnterpriseID, URL: "/enterprises/" + strconv.FormatInt(mb.EnterpriseID, 10), Name: mb.Name, CreditCode: mb.CreditCode,
			Region: mb.Region, Size: t("size." + mb.Size), BaseYear: mb.BaseYear, Base: web.FormatNumber(mb.BaseWan, 0),
			BaseSource: t("hardtech.base." + mb.BaseSource), Target: web.FormatNumber(mb.TargetWan, 0) + " (" + strconv.Itoa(mb.TargetYear) + ")",
			Latest: "–", Multiple: "–", Required: "–", CAGR: "–", Status: mb.Status, StatusTxt: t("hardtech.status." + mb.Status),
			Reasons: mb.Reasons, Removed: mb.RemovedOn != ""}
		if mb.RemovalReason != "" {
			rv.Reasons += " / " + mb.RemovalReason
		}
		if reg, ok := m.core.Regions().ByCode(mb.Region); ok {
			rv.Region = web.RegionName(lang, reg)
		}
		if mb.LatestYear != 0 {
			rv.Latest = web.FormatNumber(mb.LatestWan, 0) + " (" + strconv.Itoa(mb.LatestYear) + ")"
			rv.Multiple, rv.Required, rv.CAGR = web.FormatNumber(mb.Multiple, 2)+"×", web.FormatNumber(mb.Required, 2)+"×", web.FormatSigned(mb.CAGR, 1)+"%"
			// The bar shows the way from the base (1×) to the multiple.
			rv.Pct = max(0, min(100, int((mb.Multiple-1)/(pool.Multiple-1)*100+0.5)))
		}
		p.Rows = append(p.Rows, rv)
	}
	return m.core.Render(w, r, c, "hardtech.html", p)
}
