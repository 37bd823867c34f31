package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/metrics"
	"github.com/industrybrain/ibrain/internal/region"
	"github.com/industrybrain/ibrain/internal/sqlstore"
)

// The kit a feature module builds its handlers and pages with: what the
// core's own pages use, exported once here so that a module never copies
// it.

// Page building blocks. A module's page struct embeds BasePage.
type (
	BasePage   = basePage
	Option     = option
	ChartPanel = chartPanel
	Crumb      = crumb
)

// Paging and export bounds shared by every list.
const (
	DefaultPerPage = defaultPerPage // API page size
	MaxPerPage     = maxPerPage
	UIPerPage      = uiPerPage // rows of a page's table
	MaxExportRows  = maxExportRows
)

// WriteJSON writes v as an uncacheable JSON answer.
func WriteJSON(w http.ResponseWriter, status int, v any) { writeJSON(w, status, v) }

// SendFile sends a generated download.
func SendFile(w http.ResponseWriter, contentType, filename string, body io.Reader) {
	sendFile(w, contentType, filename, body)
}

// BadParam is the error of an invalid query or body parameter.
func BadParam(name, reason string) error { return badParam(name, reason) }

// NotFound is the error of a missing resource.
func NotFound() error { return notFound() }

// IntParam reads an optional integer parameter within [lo, hi].
func IntParam(q url.Values, name string, def, lo, hi int) (int, error) {
	return intParam(q, name, def, lo, hi)
}

// IDParam reads the {id} path parameter (an enterprise id).
func IDParam(r *http.Request) (int64, error) { return idParam(r) }

// DateParam reads an optional ISO date parameter; def when absent.
func DateParam(q url.Values, name string, def time.Time) (time.Time, error) {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return def, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil || t.Year() < 1980 || t.Year() > 2100 {
		return time.Time{}, badParam(name, "want YYYY-MM-DD")
	}
	return t, nil
}

// DateString renders a day as YYYY-MM-DD, or "" for the zero time.
func DateString(t time.Time) string { return dateString(t) }

// CleanQuery copies q without empty values and without lang.
func CleanQuery(q url.Values) url.Values { return cleanQuery(q) }

// FormatNumber renders v with digits decimals and thousands separators.
func FormatNumber(v float64, digits int) string { return formatNumber(v, digits) }

// FormatSigned renders a change with an explicit sign.
func FormatSigned(v float64, digits int) string { return formatSigned(v, digits) }

// RegionName is a district's name in lang.
func RegionName(lang string, r region.Region) string { return regionName(lang, r) }

// PickLang chooses the English text in English when there is one.
func PickLang(lang, zh, en string) string { return pickLang(lang, zh, en) }

// Ptr returns a pointer to v, for optional JSON fields.
func Ptr[T any](v T) *T { return &v }

// T renders a catalogue message in lang.
func (s *Server) T(lang, key string, args ...any) string { return s.message(lang, key, args...) }

// Prefixed returns the catalogue texts under prefix in lang, for scripts.
func (s *Server) Prefixed(lang, prefix string) map[string]string {
	if s.catalog == nil {
		return map[string]string{}
	}
	return s.catalog.Prefixed(lang, prefix)
}

// Regions is the district catalogue.
func (s *Server) Regions() *region.Catalogue { return s.regions }

// Now is the server's clock (the tests' fixed one, or the wall clock), for
// modules that take a day in their own time zone.
func (s *Server) Now() time.Time { return s.now() }

// Today is the server's date as a UTC day.
func (s *Server) Today() time.Time {
	n := s.now()
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// Allows reports whether u holds perm under the server's policy.
func (s *Server) Allows(u auth.User, perm auth.Permission) bool { return s.policy.Allows(u, perm) }

// AccountPolicies are the account controls the server enforces (the
// security administrator's policy page shows them).
func (s *Server) AccountPolicies() auth.AccountPolicies { return s.accountPolicies }

// Base fills the common part of a page: title, active navigation item,
// the user box and the language switch.
func (s *Server) Base(r *http.Request, c Ctx, titleKey, nav string) BasePage {
	return s.ui.base(r, pageCtx{lang: c.Lang, user: c.User}, titleKey, nav)
}

// Render executes a page template (a module's or the core's) into the
// layout and writes it; a template error becomes the error page.
func (s *Server) Render(w http.ResponseWriter, r *http.Request, c Ctx, page string, data any) error {
	s.ui.render(w, r, http.StatusOK, c.Lang, page, data)
	return nil
}

// RenderStatus is Render with another status: a form page shown again
// with its refused fields answers 422.
func (s *Server) RenderStatus(w http.ResponseWriter, r *http.Request, c Ctx, status int, page string, data any) error {
	s.ui.render(w, r, status, c.Lang, page, data)
	return nil
}

// EntCrumbs is the breadcrumb trail of a page about one enterprise.
func (s *Server) EntCrumbs(c Ctx, id int64, name, regionCode, section string) []Crumb {
	return s.ui.entCrumbs(c.Lang, c.User, id, name, regionCode, section)
}

// WithEntTabs sets the enterprise tab row on a page's base.
func (b *basePage) WithEntTabs(id int64, active string) { b.withEntTabs(id, active) }

// RouteInfo describes one machine route of the server.
type RouteInfo struct {
	Method, Path string
	Perm         auth.Permission
	Module       string // "" for the core's own routes
}

// RouteTable lists the machine routes (the JSON API, health, metrics,
// sign-in), each with its permission and the module that contributed it.
func (s *Server) RouteTable() []RouteInfo {
	out := make([]RouteInfo, len(s.api))
	for i, rt := range s.api {
		out[i] = RouteInfo{Method: rt.Method, Path: rt.Path, Perm: rt.Access, Module: s.moduleOf(rt.Pattern())}
	}
	return out
}

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

// OptionGroup is an <optgroup> of a filter.
type OptionGroup = optionGroup

const (
	defaultPerPage = 50
	maxPerPage     = 500
	uiPerPage      = 50
	// exportPage is how many rows one store query of an export fetches;
	// the store caps a page at 5000.
	exportPage = 5000
	// maxExportRows bounds one export. The registry holds about 15k firms,
	// so this only stops a runaway, not a real use.
	maxExportRows = 200_000
)

// ExportPage is how many rows one query of an export reads.
const ExportPage = exportPage

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

// sendFile sends a generated download.
func sendFile(w http.ResponseWriter, contentType, filename string, body io.Reader) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, filename))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w, body)
}

// BoolParam reads an optional boolean parameter; nil when absent.
func BoolParam(q url.Values, name string) (*bool, error) { return boolParam(q, name) }

// CanSeeRegion reports whether u may open a region's pages.
func CanSeeRegion(u auth.User, code string) bool { return canSeeRegion(u, code) }

// DistrictURL is a district's page.
func DistrictURL(code string) string { return districtURL(code) }

// ClusterURL is a cluster's page in a district ("" for the city).
func ClusterURL(regionCode, cluster string) string { return clusterURL(regionCode, cluster) }

// HomeURL is where a user lands.
func HomeURL(u auth.User) string { return homeURL(u) }

// TierName names a cluster tier in lang ("" is outside the catalogue).
func (s *Server) TierName(lang, tier string) string { return s.ui.tierName(lang, tier) }

// ValueDigits is how many decimals an indicator's values show.
func ValueDigits(ind indicator.Indicator) int { return valueDigits(ind) }

// ListSep separates the items of an inline list in lang.
func ListSep(lang string) string { return lang2sep(lang) }

// ClusterURL is a cluster's cockpit, city-wide (regionCode "") or within
// ClusterName is a cluster's name in lang.
func ClusterName(lang string, c sqlstore.ClusterRow) string { return clusterName(lang, c) }

// ClusterIndex is the cluster catalogue at the end of year, by code and in
// catalogue order.
func (s *Server) ClusterIndex(ctx context.Context, year int) (map[string]sqlstore.ClusterRow, []sqlstore.ClusterRow, error) {
	return s.ui.clusterIndex(ctx, year)
}

// StatusCount is a status with its label and count, for a page's pills.
type StatusCount = statusCount

// RelLink is a link to a district's page in another module.
type RelLink = relLink

// DistrictLinks are a district's pages in the other modules.
func (s *Server) DistrictLinks(lang, code string) []RelLink { return s.ui.districtLinks(lang, code) }

// Log is the server's logger, for a module's audit lines.
func (s *Server) Log() *slog.Logger { return s.log }

// Problem is one item of a rejected request's problem list.
type Problem struct {
	Path    string `json:"path"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Rejected is an error the core answers with a list of problems, each in
// the request's language: {"error":{"code","message","problems"}} with the
// status of Err's code. A module returns it for a rejected upload whose
// every problem the user should see at once.
type Rejected struct {
	Err      error // the cause, for its code
	Message  string
	Problems []Problem
}

func (e *Rejected) Error() string { return e.Err.Error() }
func (e *Rejected) Unwrap() error { return e.Err }

// RejectedAnswer is the body of a Rejected error.
type RejectedAnswer struct {
	Error RejectedBody `json:"error"`
}

// RejectedBody is RejectedAnswer's error object.
type RejectedBody struct {
	Code     string    `json:"code"`
	Message  string    `json:"message"`
	Problems []Problem `json:"problems"`
}

// DecodeJSON reads a JSON request body of at most maxBytes into v,
// refusing unknown fields; any failure is an Invalid error (400) with the
// catalogue's "bad form" message.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any, maxBytes int64) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return apperr.Wrap(err, apperr.Invalid, "api.err.bad_form")
	}
	return nil
}

// Hasher is the server's password hasher, for a module that sets
// passwords (account administration) the way sign-in checks them.
func (s *Server) Hasher() *auth.Hasher { return s.hasher }

// Metrics is the server's metrics registry, for a module's own series.
func (s *Server) Metrics() *metrics.Registry { return s.metrics }
