package registryweb

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/web"
)

// enterpriseListPage is GET /enterprises: search, filters, a page of
// results and export links carrying the same filters.
type enterpriseListPage struct {
	web.BasePage
	Q            string
	Regions      []web.Option
	RegionLocked string // a district officer's own district, fixed
	Clusters     []web.OptionGroup
	Sizes        []web.Option
	AboveScale   []web.Option
	Titles       []web.Option
	Years        []web.Option
	Items        []enterpriseRow
	Total        int
	TotalCapped  bool // a search's count stopped: at least Total match
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
	NoStats               bool // no statistics row for the year
	Employees             string
	Revenue               string
	Titles                []string
	Contact               string // contact person and phone, masked without personal.read
}

func (m *module) enterpriseList(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	ctx, lang := r.Context(), c.Lang
	sc := c.Scope()
	if !sc.IsAll() && sc.RegionCode == "" {
		// An enterprise user has no list to browse: their own profile.
		http.Redirect(w, r, web.HomeURL(c.User), http.StatusSeeOther)
		return nil
	}
	q := r.URL.Query()
	f, err := enterpriseFilter(q)
	if err != nil {
		return err
	}
	pageNo, err := web.IntParam(q, "page", 1, 1, 1_000_000)
	if err != nil {
		return err
	}
	if sc.RegionCode != "" && f.RegionCode != "" && f.RegionCode != sc.RegionCode {
		// A district officer's filter never names another district.
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	f.Limit, f.Offset = web.UIPerPage, (pageNo-1)*web.UIPerPage
	res, err := m.svc.List(ctx, sc, f)
	if err != nil {
		return err
	}
	year := f.Year
	if year == 0 {
		if year, err = m.svc.LatestYear(ctx); err != nil {
			return err
		}
	}

	p := enterpriseListPage{Q: f.Query, Total: res.Total, TotalCapped: res.TotalCapped, Page: pageNo}
	p.BasePage = m.core.Base(r, c, "enterprises.title", "enterprises")
	p.Scripts = []string{"app.js"}
	p.Crumbs = []web.Crumb{{Label: m.core.T(lang, "scope.city"), URL: "/"}, {Label: p.Title}}
	if sc.RegionCode != "" {
		reg, _ := m.core.Regions().ByCode(sc.RegionCode)
		p.RegionLocked = web.RegionName(lang, reg)
		p.Crumbs = []web.Crumb{{Label: web.RegionName(lang, reg), URL: web.DistrictURL(reg.Code)}, {Label: p.Title}}
	}
	for _, rg := range m.core.Regions().Regions {
		p.Regions = append(p.Regions, web.Option{Value: rg.Code, Label: web.RegionName(lang, rg), Selected: rg.Code == f.RegionCode})
	}
	clusters, clusterList, err := m.svc.ClustersOfYear(ctx, max(year, 2000))
	if err != nil {
		return err
	}
	var groups []web.OptionGroup
	for _, cl := range clusterList {
		label := m.core.TierName(lang, cl.Tier)
		if len(groups) == 0 || groups[len(groups)-1].Label != label {
			groups = append(groups, web.OptionGroup{Label: label})
		}
		g := &groups[len(groups)-1]
		g.Options = append(g.Options, web.Option{Value: cl.Code, Label: web.PickLang(lang, cl.NameZh, cl.NameEn), Selected: cl.Code == f.ClusterCode})
	}
	p.Clusters = groups
	for _, s := range enterprise.Sizes {
		p.Sizes = append(p.Sizes, web.Option{Value: string(s), Label: m.core.T(lang, "size."+string(s)), Selected: s == f.Size})
	}
	p.AboveScale = []web.Option{
		{Value: "true", Label: m.core.T(lang, "enterprises.above_yes"), Selected: f.AboveScale != nil && *f.AboveScale},
		{Value: "false", Label: m.core.T(lang, "enterprises.above_no"), Selected: f.AboveScale != nil && !*f.AboveScale},
	}
	for _, k := range enterprise.TitleKinds {
		p.Titles = append(p.Titles, web.Option{Value: string(k), Label: m.core.T(lang, "title_kind."+string(k)), Selected: k == f.Title})
	}
	years, err := m.svc.ReportYears(ctx)
	if err != nil {
		return err
	}
	if year != 0 && !slices.Contains(years, year) {
		years = append(years, year)
		slices.Sort(years)
	}
	for i := len(years) - 1; i >= 0; i-- {
		p.Years = append(p.Years, web.Option{Value: strconv.Itoa(years[i]), Label: strconv.Itoa(years[i]), Selected: years[i] == year})
	}

	mk := auth.MaskerWith(c.Can)
	for _, it := range res.Items {
		row := enterpriseRow{URL: "/enterprises/" + strconv.FormatInt(it.ID, 10), Name: it.Name, CreditCode: it.CreditCode,
			Size: m.core.T(lang, "size."+string(it.Size)), AboveScale: it.AboveScale, Employees: web.FormatNumber(float64(it.Employees), 0),
			Revenue: web.FormatNumber(it.Revenue.Yuan10k(), 0), Contact: contactText(mk, it.Contact)}
		if it.Year == 0 { // found by a search, no statistics row for the year
			row.Size, row.Employees, row.Revenue, row.NoStats = "–", "–", "–", true
		}
		if reg, ok := m.core.Regions().ByCode(it.RegionCode); ok {
			row.Region = web.RegionName(lang, reg)
			if web.CanSeeRegion(c.User, reg.Code) {
				row.RegionURL = web.DistrictURL(reg.Code)
			}
		}
		if cl, ok := clusters[it.ClusterCode]; ok {
			row.Cluster = web.PickLang(lang, cl.NameZh, cl.NameEn)
		}
		for _, k := range it.TitleKinds {
			row.Titles = append(row.Titles, m.core.T(lang, "title_kind."+string(k)))
		}
		p.Items = append(p.Items, row)
	}
	p.Pages = max(1, (res.Total+web.UIPerPage-1)/web.UIPerPage)
	if res.Total > 0 {
		p.From, p.To = f.Offset+1, min(f.Offset+web.UIPerPage, res.Total)
	}
	pageURL := func(n int) string {
		v := web.CleanQuery(q)
		v.Set("page", strconv.Itoa(n))
		return "/enterprises?" + v.Encode()
	}
	if pageNo > 1 {
		p.PrevURL = pageURL(pageNo - 1)
	}
	if pageNo < p.Pages {
		p.NextURL = pageURL(pageNo + 1)
	}
	export := web.CleanQuery(q)
	export.Del("page")
	export.Set("lang", lang)
	p.ExportXLSX = "/api/v1/enterprises.xlsx?" + export.Encode()
	p.ExportCSV = "/api/v1/enterprises.csv?" + export.Encode()
	p.Filtered = f.Query != "" || f.RegionCode != "" || f.ClusterCode != "" || f.Size != "" || f.AboveScale != nil || f.Title != ""
	p.ResetURL = "/enterprises"
	return m.core.Render(w, r, c, "enterprises.html", p)
}

// enterpriseProfilePage is GET /enterprises/{id}.
type enterpriseProfilePage struct {
	web.BasePage
	ID           int64
	Name         string
	CreditCode   string
	Region       string
	RegionURL    string
	IndustryCode string
	Founded      string
	Land         string
	// Personal data, masked without personal.read.
	LegalRep, ContactName, ContactPhone string
	Years                               []profileYear
	Titles                              []profileTitle
	ReportYears                         []web.Option
	Fields                              []web.Option
	Year                                int
	Field                               report.FieldInfo
	FieldName                           string
	FieldUnit                           string
	Cumulative                          bool
	Rows                                []profileMonth
	Chart                               web.ChartPanel
	Data                                profileData
	ListURL                             string
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

func (m *module) enterpriseProfile(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	ctx, lang := r.Context(), c.Lang
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	sc := c.Scope()
	d, err := m.svc.Profile(ctx, sc, id)
	if err != nil {
		return err
	}
	mk := auth.MaskerWith(c.Can)
	p := enterpriseProfilePage{ID: d.ID, Name: d.Name, CreditCode: d.CreditCode, IndustryCode: d.IndustryCode,
		LegalRep: mk.Name(d.Contact.LegalRep), ContactName: mk.Name(d.Contact.Name), ContactPhone: mk.Phone(d.Contact.Phone)}
	p.BasePage = m.core.Base(r, c, "profile.title", "enterprises")
	p.Title = d.Name
	p.Module = "enterprises"
	p.Scripts = []string{"echarts.min.js", "app.js", "enterprise.js"}
	if !d.Founded.IsZero() {
		p.Founded = d.Founded.Format("2006-01-02")
	}
	if d.LandArea != 0 {
		p.Land = web.FormatNumber(d.LandArea.Mu(), 2)
	}
	reg, hasReg := m.core.Regions().ByCode(d.RegionCode)
	if hasReg {
		p.Region = web.RegionName(lang, reg)
		if web.CanSeeRegion(c.User, reg.Code) {
			p.RegionURL = web.DistrictURL(reg.Code)
		}
	}
	p.Crumbs = m.core.EntCrumbs(c, d.ID, d.Name, d.RegionCode, "")
	p.WithEntTabs(d.ID, "profile")
	for i := len(d.Years) - 1; i >= 0; i-- {
		y := d.Years[i]
		p.Years = append(p.Years, profileYear{Year: y.Year, AboveScale: y.AboveScale, Size: m.core.T(lang, "size."+string(y.Size)),
			Employees: web.FormatNumber(float64(y.Employees), 0), Revenue: web.FormatNumber(y.Revenue.Yuan10k(), 0)})
	}
	today := m.core.Today()
	for _, t := range d.Titles {
		pt := profileTitle{Kind: m.core.T(lang, "title_kind."+string(t.Kind)), Level: m.core.T(lang, "title_level."+string(t.Level)),
			Granted: t.GrantedOn.Format("2006-01-02"), Valid: t.ValidOn(today)}
		if !t.ValidUntil.IsZero() {
			pt.ValidUntil = t.ValidUntil.Format("2006-01-02")
		}
		p.Titles = append(p.Titles, pt)
	}

	// Reports: the chosen year and field, with the year before for the
	// comparison.
	latest, ok, err := m.svc.LatestPeriod(ctx)
	if err != nil {
		return err
	}
	years, err := m.svc.ReportYears(ctx)
	if err != nil {
		return err
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
		p.ReportYears = append(p.ReportYears, web.Option{Value: strconv.Itoa(years[i]), Label: strconv.Itoa(years[i]), Selected: years[i] == p.Year})
	}
	for _, fi := range report.Fields {
		p.Fields = append(p.Fields, web.Option{Value: fi.Code, Label: web.PickLang(lang, fi.NameZh, fi.NameEn), Selected: fi.Code == p.Field.Code})
	}
	p.FieldName = web.PickLang(lang, p.Field.NameZh, p.Field.NameEn)
	p.FieldUnit = web.PickLang(lang, p.Field.FileUnitZh, p.Field.FileUnitEn)
	p.Cumulative = p.Field.Kind == report.Cumulative
	if ok && p.Year != 0 {
		reps, err := m.svc.Reports(ctx, sc, id, p.Year-1, p.Year)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		p.Rows = profileMonths(lang, reps, p.Year, p.Field, func(pd report.Period) string {
			return m.core.T(lang, "profile.month_end", pd.Year, pd.Month)
		})
	}
	p.Chart = web.ChartPanel{ID: "ent-chart", Title: m.core.T(lang, "profile.chart_title", p.FieldName, p.Year), Note: m.core.T(lang, "profile.chart_note")}
	p.Data = profileData{ID: d.ID, Year: p.Year, Field: p.Field.Code, FieldName: p.FieldName, Unit: p.FieldUnit, Cum: p.Cumulative, Name: d.Name,
		Text: m.core.Prefixed(lang, "js.")}
	return m.core.Render(w, r, c, "enterprise.html", p)
}

// profileMonths lays out one field of one year month by month: the value as
// reported, the single-month value (derived as the difference of two
// year-to-date totals and marked so), and the same period a year earlier.
func profileMonths(lang string, reps []report.Monthly, year int, fi report.FieldInfo, monthEnd func(report.Period) string) []profileMonth {
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
		row := profileMonth{Label: m.Period.Label(lang != "en"), HasReported: true, Cum: web.FormatNumber(scale(m.Values[fi.Field]), digits)}
		if fi.Kind == report.Point {
			row.Label = monthEnd(m.Period) // the value at the month's end
		}
		if s, ok := singles[mo]; ok {
			row.Derived = s.Derived
			if s.Known {
				row.Single = web.FormatNumber(scale(s.Value), digits)
			} else {
				row.Single = "–"
			}
		}
		if pv, ok := prevBy[mo]; ok {
			row.PrevCum = web.FormatNumber(scale(pv), digits)
			if g, ok := yoyGrowth(m.Values[fi.Field], pv); ok {
				row.YoY = web.FormatSigned(g, 1) + "%"
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

// contactText is a list's contact cell: the person and the phone, each
// through the masker.
func contactText(mk auth.Masker, c enterprise.Contact) string {
	if c.Name == "" && c.Phone == "" {
		return ""
	}
	return strings.TrimSpace(mk.Name(c.Name) + " " + mk.Phone(c.Phone))
}
