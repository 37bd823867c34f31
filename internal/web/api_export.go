package web

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/tabular"
)

const (
	// exportPage is how many rows one store query fetches; the store caps
	// a page at 5000.
	exportPage = 5000
	// maxExportRows bounds one export. The registry holds about 15k firms,
	// so this only stops a runaway, not a real use.
	maxExportRows = 200_000
)

func (s *Server) apiEnterprisesXLSX(w http.ResponseWriter, r *http.Request) {
	s.exportEnterprises(w, r, tabular.FormatXLSX)
}

func (s *Server) apiEnterprisesCSV(w http.ResponseWriter, r *http.Request) {
	s.exportEnterprises(w, r, tabular.FormatCSV)
}

// exportEnterprises writes the enterprise list with the list's filters,
// all pages, within the user's scope (the store applies it to every page).
// The file is built in memory before the first byte is sent, so a failure
// halfway is a clean error rather than a truncated download.
func (s *Server) exportEnterprises(w http.ResponseWriter, r *http.Request, format tabular.Format) {
	u, err := currentUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := enterpriseFilter(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var items []sqlstore.EnterpriseItem
	f.Limit = exportPage
	for {
		page, err := s.store.ListEnterprises(r.Context(), u.ScopeOf(), f)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if page.Total > maxExportRows {
			s.writeError(w, r, apperr.New(apperr.TooLarge, "api.err.export_too_large", maxExportRows))
			return
		}
		items = append(items, page.Items...)
		if len(page.Items) < exportPage || len(items) >= page.Total {
			break
		}
		f.Offset += exportPage
	}
	lang := Lang(r)
	header, rows := s.enterpriseTable(lang, items)
	var buf bytes.Buffer
	year := f.Year
	if year == 0 && len(items) > 0 {
		year = items[0].Year
	}
	name := fmt.Sprintf("enterprises-%d.%s", year, format)
	ct := "text/csv; charset=utf-8"
	if format == tabular.FormatXLSX {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		err = tabular.WriteXLSX(&buf, s.message(lang, "api.export.sheet"), header, rows)
	} else {
		err = tabular.WriteCSV(&buf, header, rows)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sendFile(w, ct, name, &buf)
}

// enterpriseTable renders items as export rows with headers in lang.
// Numbers are written plainly (no thousands separators) so spreadsheets
// read them as numbers.
func (s *Server) enterpriseTable(lang string, items []sqlstore.EnterpriseItem) ([]string, [][]string) {
	keys := []string{"credit_code", "name", "region_code", "region", "industry_code", "founded", "land_mu", "year", "above_scale", "size", "employees", "revenue_wan", "cluster", "tier", "titles"}
	header := make([]string, len(keys))
	for i, k := range keys {
		header[i] = s.message(lang, "api.export.col."+k)
	}
	rows := make([][]string, 0, len(items))
	for _, it := range items {
		regionName := it.RegionCode
		if rg, ok := s.regions.ByCode(it.RegionCode); ok {
			regionName = rg.NameZh
			if lang == i18n.EN {
				regionName = rg.NameEn
			}
		}
		titles := make([]string, len(it.TitleKinds))
		for i, k := range it.TitleKinds {
			titles[i] = string(k)
		}
		rows = append(rows, []string{
			it.CreditCode, it.Name, it.RegionCode, regionName, it.IndustryCode, dateString(it.Founded),
			strconv.FormatFloat(it.LandArea.Mu(), 'f', -1, 64), strconv.Itoa(it.Year), strconv.FormatBool(it.AboveScale),
			string(it.Size), strconv.Itoa(it.Employees), strconv.FormatFloat(it.Revenue.Yuan10k(), 'f', -1, 64),
			it.ClusterCode, it.Tier, strings.Join(titles, ";"),
		})
	}
	return header, rows
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
