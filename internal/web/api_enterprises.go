package web

import (
	"github.com/industrybrain/ibrain/internal/auth"
	"net/http"
	"net/url"
	"strings"

	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/sqlstore"
)

const (
	defaultPerPage = 50
	maxPerPage     = 500
)

// enterpriseFilter reads the list filters shared by the list and the
// exports: q, region, cluster, tier, size, above_scale, year, title.
func enterpriseFilter(q url.Values) (sqlstore.EnterpriseFilter, error) {
	f := sqlstore.EnterpriseFilter{
		Query:       strings.TrimSpace(q.Get("q")),
		RegionCode:  strings.TrimSpace(q.Get("region")),
		ClusterCode: strings.TrimSpace(q.Get("cluster")),
		Tier:        strings.TrimSpace(q.Get("tier")),
	}
	var err error
	if f.Year, err = intParam(q, "year", 0, 2000, 2100); err != nil {
		return f, err
	}
	if f.AboveScale, err = boolParam(q, "above_scale"); err != nil {
		return f, err
	}
	if v := strings.TrimSpace(q.Get("size")); v != "" {
		size := enterprise.Size(v)
		switch size {
		case enterprise.SizeLarge, enterprise.SizeMedium, enterprise.SizeSmall, enterprise.SizeMicro:
			f.Size = size
		default:
			return f, badParam("size", "want large, medium, small or micro")
		}
	}
	if v := strings.TrimSpace(q.Get("title")); v != "" {
		if !titleKindValid(v) {
			return f, badParam("title", "unknown title kind")
		}
		f.Title = enterprise.TitleKind(v)
	}
	if len([]rune(f.Query)) > 100 {
		return f, badParam("q", "too long")
	}
	return f, nil
}

// apiEnterprises lists enterprises in the user's scope, a page at a time.
func (s *Server) apiEnterprises(w http.ResponseWriter, r *http.Request, u auth.User) error {
	q := r.URL.Query()
	f, err := enterpriseFilter(q)
	if err != nil {
		return err
	}
	page, err := intParam(q, "page", 1, 1, 1_000_000)
	if err != nil {
		return err
	}
	perPage, err := intParam(q, "per_page", defaultPerPage, 1, maxPerPage)
	if err != nil {
		return err
	}
	f.Limit, f.Offset = perPage, (page-1)*perPage
	res, err := s.store.ListEnterprises(r.Context(), u.ScopeOf(), f)
	if err != nil {
		return err
	}
	out := apiEnterprisePage{Items: make([]apiEnterpriseItem, 0, len(res.Items)), Total: res.Total, Page: page, PerPage: perPage, Year: f.Year}
	for _, it := range res.Items {
		out.Items = append(out.Items, toAPIEnterpriseItem(it))
		out.Year = it.Year
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiEnterprise returns one enterprise's profile. Outside the user's scope
// it is 404, exactly like an id that does not exist.
func (s *Server) apiEnterprise(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	d, err := s.store.Enterprise(r.Context(), u.ScopeOf(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPIEnterprise(d))
	return nil
}

// maxReportYears bounds ?from=&to= so one request cannot ask for decades.
const maxReportYears = 10

// apiEnterpriseReports returns an enterprise's monthly reports for years
// from..to: cumulative values as reported and single-month values derived
// from them (report.SingleMonth), flagged as derived.
func (s *Server) apiEnterpriseReports(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	// Resolve the enterprise first: out of scope is 404, not an empty list
	// that would confirm the id exists.
	if _, err := s.store.Enterprise(r.Context(), u.ScopeOf(), id); err != nil {
		return err
	}
	q := r.URL.Query()
	to, err := intParam(q, "to", 0, 2000, 2100)
	if err != nil {
		return err
	}
	if to == 0 {
		to = s.now().Year()
		if p, err := s.store.LatestPeriod(r.Context()); err == nil {
			to = p.Year
		}
	}
	from, err := intParam(q, "from", to-1, 2000, 2100)
	if err != nil {
		return err
	}
	if from > to || to-from >= maxReportYears {
		return badParam("from", "want from ≤ to within 10 years")
	}
	reps, err := s.store.EnterpriseReports(r.Context(), u.ScopeOf(), id, from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, buildReportsJSON(id, from, to, reps))
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
					v.Value = ptr(scaled(sv.Value, f))
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
