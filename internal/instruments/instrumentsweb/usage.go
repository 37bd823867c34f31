package instrumentsweb

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"strconv"

	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/web"
)

// The service statistics and the open-sharing evaluation (考核): JSON,
// the statistics page's section with the district map, and the XLSX
// export, all computed by instruments.Service.Evaluations from the
// orders.

type (
	apiUsageFig struct {
		Key            string  `json:"key"`
		Label          string  `json:"label"`
		Instruments    int     `json:"instruments"`
		OpenToSociety  int     `json:"open_to_society"`
		Orders         int     `json:"orders"`
		EffectiveHours float64 `json:"effective_hours"`
		ExternalHours  float64 `json:"external_hours"`
		ShareRatePct   float64 `json:"share_rate_pct"`
		OpennessPct    float64 `json:"openness_pct"`
		UtilisationPct float64 `json:"utilisation_pct"`
		Clients        int     `json:"clients"`
		Ratings        int     `json:"ratings"`
		AverageRating  float64 `json:"average_rating"`
		IncomeFen      int64   `json:"income_fen"`
		VoucherFen     int64   `json:"voucher_fen"`
	}
	apiEvaluation struct {
		UnitKey  string  `json:"unit_key"`
		Unit     string  `json:"unit"`
		Score    float64 `json:"score"`
		Assessed float64 `json:"assessed"`
		Pct      float64 `json:"pct"`
		Grade    string  `json:"grade"`
		GradeKey string  `json:"grade_key"`
		Sharing  float64 `json:"sharing"`
		// The unit's own figures, so a ranked unit outside the listed
		// units still shows them.
		EffectiveHours float64 `json:"effective_hours"`
		ShareRatePct   float64 `json:"share_rate_pct"`
		Clients        int     `json:"clients"`
		// Indicators says which points were computed from records and
		// which entered from documents (evalscores.go).
		Indicators []apiIndicatorScore `json:"indicators"`
	}
	apiStateCount struct {
		State string `json:"state"`
		Label string `json:"label"`
		N     int    `json:"n"`
	}
	apiUsage struct {
		Year           int             `json:"year"`
		Version        string          `json:"version"`
		ReferenceHours float64         `json:"reference_hours"`
		Total          apiUsageFig     `json:"total"`
		ByUnit         []apiUsageFig   `json:"by_unit"`
		ByClass        []apiUsageFig   `json:"by_class"`
		ByDistrict     []apiUsageFig   `json:"by_district"`
		TopInstruments []apiUsageFig   `json:"top_instruments"`
		States         []apiStateCount `json:"states"`
		Evaluations    []apiEvaluation `json:"evaluations"`
	}
)

// APIUsage is the wire type the external tests decode into.
type APIUsage = apiUsage

// usageShown is how many units and evaluations the page and the JSON
// list; the export has them all.
const usageShown = 20

func round(v float64, d int) float64 {
	p := math.Pow(10, float64(d))
	return math.Round(v*p) / p
}

func (m *module) usageFig(f instruments.UsageFigures, label string, ref float64) apiUsageFig {
	return apiUsageFig{Key: f.Key, Label: label, Instruments: f.Instruments, OpenToSociety: f.OpenToSociety, Orders: f.Orders,
		EffectiveHours: round(f.EffectiveHours(), 1), ExternalHours: round(f.ExternalHours(), 1), ShareRatePct: round(f.ShareRate()*100, 2),
		OpennessPct: round(f.OpennessRate()*100, 2), UtilisationPct: round(f.Utilisation(ref)*100, 2), Clients: f.Clients, Ratings: f.Ratings,
		AverageRating: round(f.AverageRating(), 2), IncomeFen: int64(f.Income), VoucherFen: int64(f.VoucherPaid)}
}

func (m *module) districtName(lang, code string) string {
	if rg, ok := m.core.Regions().ByCode(code); ok {
		return web.RegionName(lang, rg)
	}
	return code
}

// usage computes the figures of the ?year= (2025 when absent); all
// lists whole when full, else the first usageShown.
func (m *module) usage(r *http.Request, c web.Ctx, full bool) (apiUsage, error) {
	year, err := web.IntParam(r.URL.Query(), "year", 2025, 2000, 2100)
	if err != nil {
		return apiUsage{}, err
	}
	return m.usageOf(r, c, year, full)
}

func (m *module) usageOf(r *http.Request, c web.Ctx, year int, full bool) (apiUsage, error) {
	rep, cfg, evs, err := m.svc.Evaluations(r.Context(), year)
	if err != nil {
		return apiUsage{}, err
	}
	ref := rep.ReferenceHours
	out := apiUsage{Year: year, Version: cfg.Version, ReferenceHours: ref, Total: m.usageFig(rep.Total, m.core.T(c.Lang, "instrumentstats.total"), ref),
		ByUnit: []apiUsageFig{}, ByClass: []apiUsageFig{}, ByDistrict: []apiUsageFig{}, TopInstruments: []apiUsageFig{}, States: []apiStateCount{}, Evaluations: []apiEvaluation{}}
	limit := func(n int) int {
		if full {
			return n
		}
		return min(n, usageShown)
	}
	for _, f := range rep.ByUnit[:limit(len(rep.ByUnit))] {
		out.ByUnit = append(out.ByUnit, m.usageFig(f, f.Label, ref))
	}
	for _, f := range rep.ByClass {
		out.ByClass = append(out.ByClass, m.usageFig(f, className(c.Lang, f.Key), ref))
	}
	for _, f := range rep.ByDistrict {
		out.ByDistrict = append(out.ByDistrict, m.usageFig(f, m.districtName(c.Lang, f.Key), ref))
	}
	for _, f := range rep.TopInstruments {
		out.TopInstruments = append(out.TopInstruments, m.usageFig(f, f.Label, ref))
	}
	for _, s := range rep.States {
		out.States = append(out.States, apiStateCount{State: string(s.State), Label: m.core.T(c.Lang, "instruments.state."+string(s.State)), N: s.N})
	}
	for _, e := range evs[:limit(len(evs))] {
		out.Evaluations = append(out.Evaluations, apiEvaluation{UnitKey: e.UnitKey, Unit: e.UnitName, Score: round(e.Score, 2), Assessed: e.Assessed,
			Pct: round(e.Pct, 2), Grade: m.core.T(c.Lang, "instrumentstats.grade."+e.Grade), GradeKey: e.Grade, Sharing: round(e.Groups[instruments.SharingGroup], 2),
			EffectiveHours: round(e.Figures.EffectiveHours(), 1), ShareRatePct: round(e.Figures.ShareRate()*100, 2), Clients: e.Figures.Clients,
			Indicators: indicatorScores(e)})
	}
	return out, nil
}

// apiUsage is GET /api/v1/instruments/usage?year=.
func (m *module) apiUsage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	out, err := m.usage(r, c, false)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// usageDimensions are the exports' breakdowns.
var usageDimensions = []string{"unit", "class", "district", "instrument"}

// apiUsageXLSX is GET /api/v1/instruments/usage.xlsx?year=&by=: one row
// per unit (with its evaluation), class, district or used instrument,
// names not codes.
func (m *module) apiUsageXLSX(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	by := r.URL.Query().Get("by")
	if by == "" {
		by = "unit"
	}
	known := false
	for _, d := range usageDimensions {
		known = known || d == by
	}
	if !known {
		return web.BadParam("by", "unit, class, district or instrument")
	}
	u, err := m.usage(r, c, true)
	if err != nil {
		return err
	}
	t := func(k string, a ...any) string { return m.core.T(c.Lang, k, a...) }
	header := []string{t("instrumentstats.col." + by)}
	for _, k := range []string{"instruments", "open", "orders", "effective_hours", "external_hours", "share_rate", "openness", "utilisation", "clients", "ratings", "rating", "income", "voucher"} {
		header = append(header, t("instrumentstats.col."+k))
	}
	evalOf := map[string]apiEvaluation{}
	if by == "unit" {
		header = append(header, t("instrumentstats.col.score"), t("instrumentstats.col.grade"))
		for _, e := range u.Evaluations {
			evalOf[e.UnitKey] = e
		}
	}
	rows := map[string][]apiUsageFig{"unit": u.ByUnit, "class": u.ByClass, "district": u.ByDistrict, "instrument": u.TopInstruments}[by]
	num := func(v float64, d int) string { return strconv.FormatFloat(v, 'f', d, 64) }
	yuan := func(f int64) string { return strconv.FormatFloat(float64(f)/100, 'f', 2, 64) }
	var out [][]string
	for _, f := range rows {
		row := []string{f.Label, strconv.Itoa(f.Instruments), strconv.Itoa(f.OpenToSociety), strconv.Itoa(f.Orders), num(f.EffectiveHours, 1), num(f.ExternalHours, 1),
			num(f.ShareRatePct, 2), num(f.OpennessPct, 2), num(f.UtilisationPct, 2), strconv.Itoa(f.Clients), strconv.Itoa(f.Ratings), num(f.AverageRating, 2),
			yuan(f.IncomeFen), yuan(f.VoucherFen)}
		if by == "unit" {
			e := evalOf[f.Key]
			row = append(row, num(e.Pct, 2), e.Grade)
		}
		out = append(out, row)
	}
	var buf bytes.Buffer
	if err := tabular.WriteXLSX(&buf, t("instrumentstats.sheet", u.Year), header, out); err != nil {
		return err
	}
	web.SendFile(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", fmt.Sprintf("instrument-usage-%d-%s.xlsx", u.Year, by), &buf)
	return nil
}

// usageView is the statistics page's service section.
type usageView struct {
	U       apiUsage
	KPIs    []web.Option
	Exports []web.Option
	Charts  []web.ChartPanel
}

// usageData is the page's JSON for the map script.
type usageData struct {
	Year     int               `json:"year"`
	MapURL   string            `json:"mapUrl"`
	District []apiUsageFig     `json:"districts"`
	Text     map[string]string `json:"text"`
}

// addUsage fills the statistics page's service section for year.
func (m *module) addUsage(r *http.Request, c web.Ctx, year int) (*usageView, usageData, error) {
	u, err := m.usageOf(r, c, year, false)
	if err != nil {
		return nil, usageData{}, err
	}
	t := func(k string, a ...any) string { return m.core.T(c.Lang, k, a...) }
	tot := u.Total
	v := &usageView{U: u}
	v.KPIs = []web.Option{
		{Label: t("instrumentstats.col.effective_hours"), Value: web.FormatNumber(tot.EffectiveHours, 0)},
		{Label: t("instrumentstats.col.external_hours"), Value: web.FormatNumber(tot.ExternalHours, 0)},
		{Label: t("instrumentstats.col.share_rate"), Value: web.FormatNumber(tot.ShareRatePct, 1) + "%"},
		{Label: t("instrumentstats.col.openness"), Value: web.FormatNumber(tot.OpennessPct, 1) + "%"},
		{Label: t("instrumentstats.col.utilisation_ref", web.FormatNumber(u.ReferenceHours, 0)), Value: web.FormatNumber(tot.UtilisationPct, 2) + "%"},
		{Label: t("instrumentstats.col.clients"), Value: web.FormatNumber(float64(tot.Clients), 0)},
		{Label: t("instrumentstats.col.rating"), Value: web.FormatNumber(tot.AverageRating, 2)},
	}
	for _, d := range usageDimensions {
		v.Exports = append(v.Exports, web.Option{Value: fmt.Sprintf("/api/v1/instruments/usage.xlsx?year=%d&by=%s&lang=%s", year, d, c.Lang), Label: t("instrumentstats.export." + d)})
	}
	v.Charts = []web.ChartPanel{{ID: "instrument-map", Title: t("instrumentstats.map_title", year), Note: t("instrumentstats.map_note")}}
	data := usageData{Year: year, MapURL: "/static/map/chongqing.json", District: u.ByDistrict, Text: m.core.Prefixed(c.Lang, "js.")}
	return v, data, nil
}
