package registryweb

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/registry"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/web"
)

// enterpriseFilter reads the list filters shared by the list and the
// exports: q, region, cluster, tier, size, above_scale, year, title.
func enterpriseFilter(q url.Values) (registry.Filter, error) {
	f := registry.Filter{
		Query:       strings.TrimSpace(q.Get("q")),
		RegionCode:  strings.TrimSpace(q.Get("region")),
		ClusterCode: strings.TrimSpace(q.Get("cluster")),
		Tier:        strings.TrimSpace(q.Get("tier")),
	}
	var err error
	if f.Year, err = web.IntParam(q, "year", 0, 2000, 2100); err != nil {
		return f, err
	}
	if f.AboveScale, err = web.BoolParam(q, "above_scale"); err != nil {
		return f, err
	}
	if v := strings.TrimSpace(q.Get("size")); v != "" {
		size := enterprise.Size(v)
		switch size {
		case enterprise.SizeLarge, enterprise.SizeMedium, enterprise.SizeSmall, enterprise.SizeMicro:
			f.Size = size
		default:
			return f, web.BadParam("size", "want large, medium, small or micro")
		}
	}
	if v := strings.TrimSpace(q.Get("title")); v != "" {
		if !enterprise.TitleKind(v).Valid() {
			return f, web.BadParam("title", "unknown title kind")
		}
		f.Title = enterprise.TitleKind(v)
	}
	if len([]rune(f.Query)) > 100 {
		return f, web.BadParam("q", "too long")
	}
	return f, nil
}

// apiEnterprises lists enterprises in the user's scope, a page at a time.
func (m *module) apiEnterprises(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	q := r.URL.Query()
	f, err := enterpriseFilter(q)
	if err != nil {
		return err
	}
	page, err := web.IntParam(q, "page", 1, 1, 1_000_000)
	if err != nil {
		return err
	}
	perPage, err := web.IntParam(q, "per_page", web.DefaultPerPage, 1, web.MaxPerPage)
	if err != nil {
		return err
	}
	f.Limit, f.Offset = perPage, (page-1)*perPage
	res, err := m.svc.List(r.Context(), c.Scope(), f)
	if err != nil {
		return err
	}
	out := apiEnterprisePage{Items: make([]apiEnterpriseItem, 0, len(res.Items)), Total: res.Total, TotalCapped: res.TotalCapped, Page: page, PerPage: perPage, Year: f.Year}
	mk := auth.MaskerWith(c.Can)
	for _, it := range res.Items {
		out.Items = append(out.Items, toAPIEnterpriseItem(it, mk))
		out.Year = it.Year
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiEnterprise returns one enterprise's profile. Outside the user's scope
// it is 404, exactly like an id that does not exist.
func (m *module) apiEnterprise(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	d, err := m.svc.Profile(r.Context(), c.Scope(), id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toAPIEnterprise(d, auth.MaskerWith(c.Can)))
	return nil
}

// maxReportYears bounds ?from=&to= so one request cannot ask for decades.
const maxReportYears = 10

// apiEnterpriseReports returns an enterprise's monthly reports for years
// from..to: cumulative values as reported and single-month values derived
// from them (report.SingleMonth), flagged as derived.
func (m *module) apiEnterpriseReports(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	// Resolve the enterprise first: out of scope is 404, not an empty list
	// that would confirm the id exists (and before the parameters, as the
	// answer always was).
	if _, err := m.svc.Profile(r.Context(), c.Scope(), id); err != nil {
		return err
	}
	q := r.URL.Query()
	to, err := web.IntParam(q, "to", 0, 2000, 2100)
	if err != nil {
		return err
	}
	if to == 0 {
		to = m.core.Today().Year()
		if p, ok, err := m.svc.LatestPeriod(r.Context()); err == nil && ok {
			to = p.Year
		}
	}
	from, err := web.IntParam(q, "from", to-1, 2000, 2100)
	if err != nil {
		return err
	}
	if from > to || to-from >= maxReportYears {
		return web.BadParam("from", "want from ≤ to within 10 years")
	}
	reps, err := m.svc.Reports(r.Context(), c.Scope(), id, from, to)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, buildReportsJSON(id, from, to, reps))
	return nil
}

// buildReportsJSON lays reports out by period, values in the units of the
// import files (万元, 吨标准煤, persons).
func buildReportsJSON(id int64, from, to int, reps []report.Monthly) apiReports {
	out := apiReports{EnterpriseID: id, From: from, To: to, Months: []apiReportMonth{}}
	for _, f := range report.Fields {
		out.Fields = append(out.Fields, apiField{Code: f.Code, NameZh: f.NameZh, NameEn: f.NameEn, Unit: f.FileUnitZh, Cumulative: f.Kind == report.Cumulative})
	}
	byYear := map[int][]report.Monthly{}
	for _, m := range reps {
		byYear[m.Period.Year] = append(byYear[m.Period.Year], m)
	}
	// single[period key][field] from SingleMonth, per year.
	single := map[int]map[string]apiSingleValue{}
	for _, ms := range byYear {
		for _, f := range report.Fields {
			for _, sv := range report.SingleMonth(ms, f.Field) {
				k := sv.Period.Key()
				if single[k] == nil {
					single[k] = map[string]apiSingleValue{}
				}
				v := apiSingleValue{Derived: sv.Derived}
				if sv.Known {
					v.Value = web.Ptr(scaled(sv.Value, f))
				}
				single[k][f.Code] = v
			}
		}
	}
	for _, m := range reps { // already oldest first
		rm := apiReportMonth{Period: m.Period.String(), Reported: map[string]float64{}, Single: single[m.Period.Key()]}
		for _, f := range report.Fields {
			rm.Reported[f.Code] = scaled(m.Values[f.Field], f)
		}
		out.Months = append(out.Months, rm)
	}
	return out
}

// scaled converts a stored value to the field's file unit.
func scaled(v int64, f report.FieldInfo) float64 {
	if f.FileScale <= 1 {
		return float64(v)
	}
	return float64(v) / float64(f.FileScale)
}

func (m *module) apiEnterprisesXLSX(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	return m.exportEnterprises(w, r, c, tabular.FormatXLSX)
}

func (m *module) apiEnterprisesCSV(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	return m.exportEnterprises(w, r, c, tabular.FormatCSV)
}

// exportEnterprises writes the enterprise list with the list's filters,
// all pages, within the user's scope (the store applies it to every page).
// The file is built in memory before the first byte is sent, so a failure
// halfway is a clean error rather than a truncated download.
func (m *module) exportEnterprises(w http.ResponseWriter, r *http.Request, c web.Ctx, format tabular.Format) error {
	f, err := enterpriseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	items, year, err := m.svc.Export(r.Context(), c.Scope(), f, web.MaxExportRows)
	if err != nil {
		return err
	}
	clusters, _, err := m.svc.ClustersOfYear(r.Context(), max(year, 2000))
	if err != nil {
		return err
	}
	header, rows := m.enterpriseTable(c.Lang, items, clusters, auth.MaskerWith(c.Can))
	var buf bytes.Buffer
	name := fmt.Sprintf("enterprises-%d.%s", year, format)
	ct := "text/csv; charset=utf-8"
	if format == tabular.FormatXLSX {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		err = tabular.WriteXLSX(&buf, m.core.T(c.Lang, "api.export.sheet"), header, rows)
	} else {
		err = tabular.WriteCSV(&buf, header, rows)
	}
	if err != nil {
		return err
	}
	web.SendFile(w, ct, name, &buf)
	return nil
}

// enterpriseTable renders items as export rows with headers in lang.
// Numbers are written plainly (no thousands separators) so spreadsheets
// read them as numbers; codes a reader cannot read (true, large, L1-nev,
// leading) are written as their names in lang, beside the code where the
// code itself is wanted (region, cluster).
func (m *module) enterpriseTable(lang string, items []registry.Item, clusters map[string]registry.Cluster, mk auth.Masker) ([]string, [][]string) {
	keys := []string{"credit_code", "name", "region_code", "region", "industry_code", "founded", "land_mu", "year", "above_scale", "size", "employees", "revenue_wan", "cluster_code", "cluster", "tier", "titles",
		"legal_rep", "contact_name", "contact_phone"}
	header := make([]string, len(keys))
	for i, k := range keys {
		header[i] = m.core.T(lang, "api.export.col."+k)
	}
	rows := make([][]string, 0, len(items))
	for _, it := range items {
		regionName := it.RegionCode
		if rg, ok := m.core.Regions().ByCode(it.RegionCode); ok {
			regionName = rg.NameZh
			if lang == i18n.EN {
				regionName = rg.NameEn
			}
		}
		titles := make([]string, len(it.TitleKinds))
		for i, k := range it.TitleKinds {
			titles[i] = m.core.T(lang, "title_kind."+string(k))
		}
		above := m.core.T(lang, "enterprises.above_no")
		if it.AboveScale {
			above = m.core.T(lang, "enterprises.above_yes")
		}
		size, clusterName, tier := "", "", ""
		if it.Size != "" {
			size = m.core.T(lang, "size."+string(it.Size))
		}
		if cl, ok := clusters[it.ClusterCode]; ok {
			clusterName = web.ClusterName(lang, cl)
		}
		if it.Tier != "" {
			tier = m.core.TierName(lang, it.Tier)
		}
		rows = append(rows, []string{
			it.CreditCode, it.Name, it.RegionCode, regionName, it.IndustryCode, web.DateString(it.Founded),
			strconv.FormatFloat(it.LandArea.Mu(), 'f', -1, 64), strconv.Itoa(it.Year), above,
			size, strconv.Itoa(it.Employees), strconv.FormatFloat(it.Revenue.Yuan10k(), 'f', -1, 64),
			it.ClusterCode, clusterName, tier, strings.Join(titles, "；"),
			mk.Name(it.Contact.LegalRep), mk.Name(it.Contact.Name), mk.Phone(it.Contact.Phone),
		})
	}
	return header, rows
}
