package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/report"
)

// option is one <option> of a filter.
type option struct {
	Value, Label string
	Selected     bool
}

// optionGroup is an <optgroup>.
type optionGroup struct {
	Label   string
	Options []option
}

// enterpriseListPage is GET /enterprises: search, filters, a page of
// results and export links carrying the same filters.
type enterpriseListPage struct {
	basePage
	Q            string
	Regions      []option
	RegionLocked string // a district officer's own district, fixed
	Clusters     []optionGroup
	Sizes        []option
	AboveScale   []option
	Titles       []option
	Years        []option
	Items        []enterpriseRow
	Total        int
	Page, Pages  int
	From, To     int
	PrevURL      string
	NextURL      string
	ExportXLSX   string
	ExportCSV    string
	Filtered     bool
	ResetURL     string
}

type enterpriseRow struct {
	URL, Name, CreditCode string
	Region, RegionURL     string
	Cluster               string
	Size                  string
	AboveScale            bool
	Employees             string
	Revenue               string
	Titles                []string
}

const uiPerPage = 50

func (u *ui) enterpriseList(w http.ResponseWriter, r *http.Request, pc pageCtx) {
	ctx, lang := r.Context(), pc.lang
	if pc.user.Role == auth.RoleEnterprise {
		http.Redirect(w, r, homeURL(pc.user), http.StatusSeeOther)
		return
	}
	q := r.URL.Query()
	f, err := enterpriseFilter(q)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	pageNo, err := intParam(q, "page", 1, 1, 1_000_000)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if pc.user.Role == auth.RoleDistrict {
		if f.RegionCode != "" && f.RegionCode != pc.user.RegionCode {
			u.renderError(w, r, http.StatusForbidden, "err.forbidden")
			return
		}
	}
	f.Limit, f.Offset = uiPerPage, (pageNo-1)*uiPerPage
	res, err := u.s.store.ListEnterprises(ctx, pc.user.ScopeOf(), f)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	year := f.Year
	if year == 0 {
		if year, err = u.s.store.LatestYear(ctx); err != nil {
			u.fail(w, r, err)
			return
		}
	}

	p := enterpriseListPage{Q: f.Query, Total: res.Total, Page: pageNo}
	p.basePage = u.base(r, pc, "enterprises.title", "enterprises")
	p.Scripts = []string{"app.js"}
	p.Crumbs = []crumb{{Label: u.t(lang, "scope.city"), URL: "/"}, {Label: p.Title}}
	if pc.user.Role == auth.RoleDistrict {
		reg, _ := u.s.regions.ByCode(pc.user.RegionCode)
		p.RegionLocked = regionName(lang, reg)
		p.Crumbs = []crumb{{Label: regionName(lang, reg), URL: districtURL(reg.Code)}, {Label: p.Title}}
	}
	for _, rg := range u.s.regions.Regions {
		p.Regions = append(p.Regions, option{Value: rg.Code, Label: regionName(lang, rg), Selected: rg.Code == f.RegionCode})
	}
	clusters, clusterList, err := u.clusterIndex(ctx, max(year, 2000))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	var groups []optionGroup
	for _, c := range clusterList {
		label := u.tierName(lang, c.Tier)
		if len(groups) == 0 || groups[len(groups)-1].Label != label {
			groups = append(groups, optionGroup{Label: label})
		}
		g := &groups[len(groups)-1]
		g.Options = append(g.Options, option{Value: c.Code, Label: clusterName(lang, c), Selected: c.Code == f.ClusterCode})
	}
	p.Clusters = groups
	for _, s := range enterprise.Sizes {
		p.Sizes = append(p.Sizes, option{Value: string(s), Label: u.t(lang, "size."+string(s)), Selected: s == f.Size})
	}
	p.AboveScale = []option{
		{Value: "true", Label: u.t(lang, "enterprises.above_yes"), Selected: f.AboveScale != nil && *f.AboveScale},
		{Value: "false", Label: u.t(lang, "enterprises.above_no"), Selected: f.AboveScale != nil && !*f.AboveScale},
	}
	for _, k := range enterprise.TitleKinds {
		p.Titles = append(p.Titles, option{Value: string(k), Label: u.t(lang, "title_kind."+string(k)), Selected: k == f.Title})
	}
	years, err := u.s.store.ReportYears(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if year != 0 && !slices.Contains(years, year) {
		years = append(years, year)
		slices.Sort(years)
	}
	for i := len(years) - 1; i >= 0; i-- {
		p.Years = append(p.Years, option{Value: strconv.Itoa(years[i]), Label: strconv.Itoa(years[i]), Selected: years[i] == year})
	}

	for _, it := range res.Items {
		row := enterpriseRow{URL: "/enterprises/" + strconv.FormatInt(it.ID, 10), Name: it.Name, CreditCode: it.CreditCode,
			Size: u.t(lang, "size."+string(it.Size)), AboveScale: it.AboveScale, Employees: formatNumber(float64(it.Employees), 0),
			Revenue: formatNumber(it.Revenue.Yuan10k(), 0)}
		if reg, ok := u.s.regions.ByCode(it.RegionCode); ok {
			row.Region = regionName(lang, reg)
			if canSeeRegion(pc.user, reg.Code) {
				row.RegionURL = districtURL(reg.Code)
			}
		}
		if c, ok := clusters[it.ClusterCode]; ok {
			row.Cluster = clusterName(lang, c)
		}
		for _, k := range it.TitleKinds {
			row.Titles = append(row.Titles, u.t(lang, "title_kind."+string(k)))
		}
		p.Items = append(p.Items, row)
	}
	p.Pages = max(1, (res.Total+uiPerPage-1)/uiPerPage)
	if res.Total > 0 {
		p.From, p.To = f.Offset+1, min(f.Offset+uiPerPage, res.Total)
	}
	pageURL := func(n int) string {
		v := cleanQuery(q)
		v.Set("page", strconv.Itoa(n))
		return "/enterprises?" + v.Encode()
	}
	if pageNo > 1 {
		p.PrevURL = pageURL(pageNo - 1)
	}
	if pageNo < p.Pages {
		p.NextURL = pageURL(pageNo + 1)
	}
	export := cleanQuery(q)
	export.Del("page")
	export.Set("lang", lang)
	p.ExportXLSX = "/api/v1/enterprises.xlsx?" + export.Encode()
	p.ExportCSV = "/api/v1/enterprises.csv?" + export.Encode()
	p.Filtered = f.Query != "" || f.RegionCode != "" || f.ClusterCode != "" || f.Size != "" || f.AboveScale != nil || f.Title != ""
	p.ResetURL = "/enterprises"
	u.render(w, r, http.StatusOK, lang, "enterprises.html", p)
}

// cleanQuery copies q without empty values and without lang, so page and
// export links stay short and the language follows the cookie.
func cleanQuery(q url.Values) url.Values {
	out := url.Values{}
	for k, vs := range q {
		if k == "lang" {
			continue
		}
		for _, v := range vs {
			if v != "" {
				out.Add(k, v)
			}
		}
	}
	return out
}

// enterpriseProfilePage is GET /enterprises/{id}.
type enterpriseProfilePage struct {
	basePage
	ID           int64
	Name         string
	CreditCode   string
	Region       string
	RegionURL    string
	IndustryCode string
	Founded      string
	Land         string
	Years        []profileYear
	Titles       []profileTitle
	ReportYears  []option
	Fields       []option
	Year         int
	Field        report.FieldInfo
	FieldName    string
	FieldUnit    string
	Cumulative   bool
	Rows         []profileMonth
	Chart        chartPanel
	Data         profileData
	ListURL      string
}

type profileYear struct {
	Year       int
	AboveScale bool
	Size       string
	Employees  string
	Revenue    string
}

type profileTitle struct {
	Kind, Level, Granted, ValidUntil string
	Valid                            bool
}

type profileMonth struct {
	Label       string
	Cum         string // as reported
	Single      string // single-month value, derived for cumulative fields after 1–2月
	Derived     bool
	PrevCum     string // the same period a year earlier
	YoY         string
	YoYClass    string
	HasReported bool
}

// profileData travels to enterprise.js.
type profileData struct {
	ID        int64             `json:"id"`
	Year      int               `json:"year"`
	Field     string            `json:"field"`
	FieldName string            `json:"fieldName"`
	Unit      string            `json:"unit"`
	Cum       bool              `json:"cumulative"`
	Name      string            `json:"name"`
	Text      map[string]string `json:"text"`
}

func (u *ui) enterpriseProfile(w http.ResponseWriter, r *http.Request, pc pageCtx) {
	ctx, lang := r.Context(), pc.lang
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		u.renderError(w, r, http.StatusNotFound, "err.enterprise_not_found")
		return
	}
	sc := pc.user.ScopeOf()
	d, err := u.s.store.Enterprise(ctx, sc, id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p := enterpriseProfilePage{ID: d.ID, Name: d.Name, CreditCode: d.CreditCode, IndustryCode: d.IndustryCode}
	p.basePage = u.base(r, pc, "profile.title", "enterprises")
	p.Title = d.Name
	p.Module = "enterprises"
	p.Scripts = []string{"echarts.min.js", "app.js", "enterprise.js"}
	if !d.Founded.IsZero() {
		p.Founded = d.Founded.Format("2006-01-02")
	}
	if d.LandArea != 0 {
		p.Land = formatNumber(d.LandArea.Mu(), 2)
	}
	reg, hasReg := u.s.regions.ByCode(d.RegionCode)
	if hasReg {
		p.Region = regionName(lang, reg)
		if canSeeRegion(pc.user, reg.Code) {
			p.RegionURL = districtURL(reg.Code)
		}
	}
	p.Crumbs = u.entCrumbs(lang, pc.user, d.ID, d.Name, d.RegionCode, "")
	p.withEntTabs(d.ID, "profile")
	for i := len(d.Years) - 1; i >= 0; i-- {
		y := d.Years[i]
		p.Years = append(p.Years, profileYear{Year: y.Year, AboveScale: y.AboveScale, Size: u.t(lang, "size."+string(y.Size)),
			Employees: formatNumber(float64(y.Employees), 0), Revenue: formatNumber(y.Revenue.Yuan10k(), 0)})
	}
	today := u.s.now()
	for _, t := range d.Titles {
		pt := profileTitle{Kind: u.t(lang, "title_kind."+string(t.Kind)), Level: u.t(lang, "title_level."+string(t.Level)),
			Granted: t.GrantedOn.Format("2006-01-02"), Valid: t.ValidOn(today)}
		if !t.ValidUntil.IsZero() {
			pt.ValidUntil = t.ValidUntil.Format("2006-01-02")
		}
		p.Titles = append(p.Titles, pt)
	}

	// Reports: the chosen year and field, with the year before for the
	// comparison.
	latest, ok, err := u.latestPeriod(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	years, err := u.s.store.ReportYears(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p.Year = latest.Year
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && slices.Contains(years, y) {
		p.Year = y
	}
	p.Field = report.Fields[report.Output]
	if code := r.URL.Query().Get("field"); code != "" {
		for _, fi := range report.Fields {
			if fi.Code == code {
				p.Field = fi
			}
		}
	}
	for i := len(years) - 1; i >= 0; i-- {
		p.ReportYears = append(p.ReportYears, option{Value: strconv.Itoa(years[i]), Label: strconv.Itoa(years[i]), Selected: years[i] == p.Year})
	}
	for _, fi := range report.Fields {
		p.Fields = append(p.Fields, option{Value: fi.Code, Label: pickLang(lang, fi.NameZh, fi.NameEn), Selected: fi.Code == p.Field.Code})
	}
	p.FieldName = pickLang(lang, p.Field.NameZh, p.Field.NameEn)
	p.FieldUnit = pickLang(lang, p.Field.FileUnitZh, p.Field.FileUnitEn)
	p.Cumulative = p.Field.Kind == report.Cumulative
	if ok && p.Year != 0 {
		reps, err := u.s.store.EnterpriseReports(ctx, sc, id, p.Year-1, p.Year)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			u.fail(w, r, err)
			return
		}
		p.Rows = profileMonths(lang, reps, p.Year, p.Field)
	}
	p.Chart = chartPanel{ID: "ent-chart", Title: u.t(lang, "profile.chart_title", p.FieldName, p.Year), Note: u.t(lang, "profile.chart_note")}
	p.Data = profileData{ID: d.ID, Year: p.Year, Field: p.Field.Code, FieldName: p.FieldName, Unit: p.FieldUnit, Cum: p.Cumulative, Name: d.Name,
		Text: u.prefixed(lang, "js.")}
	u.render(w, r, http.StatusOK, lang, "enterprise.html", p)
}

// profileMonths lays out one field of one year month by month: the value as
// reported, the single-month value (derived as the difference of two
// year-to-date totals and marked so), and the same period a year earlier.
func profileMonths(lang string, reps []report.Monthly, year int, fi report.FieldInfo) []profileMonth {
	var cur, prev []report.Monthly
	for _, m := range reps {
		switch m.Period.Year {
		case year:
			cur = append(cur, m)
		case year - 1:
			prev = append(prev, m)
		}
	}
	scale := func(v int64) float64 {
		if fi.FileScale <= 1 {
			return float64(v)
		}
		return float64(v) / float64(fi.FileScale)
	}
	digits := 0
	if fi.FileScale > 1 {
		digits = 1
	}
	prevBy := map[int]int64{}
	for _, m := range prev {
		prevBy[m.Period.Month] = m.Values[fi.Field]
	}
	singles := map[int]report.Single{}
	for _, s := range report.SingleMonth(cur, fi.Field) {
		singles[s.Period.Month] = s
	}
	var out []profileMonth
	for _, m := range cur {
		mo := m.Period.Month
		row := profileMonth{Label: m.Period.Label(lang != "en"), HasReported: true, Cum: formatNumber(scale(m.Values[fi.Field]), digits)}
		if fi.Kind == report.Point {
			row.Label = monthEndLabel(lang, m.Period)
		}
		if s, ok := singles[mo]; ok {
			row.Derived = s.Derived
			if s.Known {
				row.Single = formatNumber(scale(s.Value), digits)
			} else {
				row.Single = "–"
			}
		}
		if pv, ok := prevBy[mo]; ok {
			row.PrevCum = formatNumber(scale(pv), digits)
			if g, ok := yoyGrowth(m.Values[fi.Field], pv); ok {
				row.YoY = formatSigned(g, 1) + "%"
				switch {
				case g > 0.05:
					row.YoYClass = "up"
				case g < -0.05:
					row.YoYClass = "down"
				}
			}
		} else {
			row.PrevCum = "–"
		}
		out = append(out, row)
	}
	return out
}

func yoyGrowth(cur, base int64) (float64, bool) {
	if base <= 0 {
		return 0, false
	}
	return (float64(cur)/float64(base) - 1) * 100, true
}

func monthEndLabel(lang string, p report.Period) string {
	if lang == "en" {
		return p.String()
	}
	return strconv.Itoa(p.Year) + "年" + strconv.Itoa(p.Month) + "月末"
}
