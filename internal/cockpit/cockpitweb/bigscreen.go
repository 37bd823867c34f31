package cockpitweb

import (
	"bytes"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/industrybrain/ibrain/internal/cluster"
	"github.com/industrybrain/ibrain/internal/pdfprint"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/scoreboard"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/web"
)

// What FineBI/DataV users expect (issue 12): the big screen (大屏) for a
// wall display, the comparison of several districts, and the scoreboard
// printed as a PDF for a briefing.

// bigscreenPage is GET /bigscreen: one dark full-screen layout for a
// 1920×1080 display. Everything on it is fetched by bigscreen.js from the
// statistics API, and fetched again every Refresh seconds.
type bigscreenPage struct {
	web.BasePage
	NoData bool
	Data   bigscreenData
}

type bigscreenData struct {
	Lang    string                  `json:"lang"`
	Refresh int                     `json:"refresh"` // seconds
	MapURL  string                  `json:"mapUrl"`
	Regions map[string]uiRegionJSON `json:"regions"`
	Text    map[string]string       `json:"text"`
	Months  []string                `json:"months"` // month abbreviations for English labels
	Tiers   map[string]string       `json:"tiers"`  // 33618 tier names, for the city's drill-down
}

// Refresh bounds: a wall display polls every five minutes by default; a
// test may ask for a few seconds.
const (
	refreshDefault = 300
	refreshMin     = 2
	refreshMax     = 3600
)

func (m *module) bigscreenPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !c.Can(permScoreboard) {
		return forbidden()
	}
	lang := c.Lang
	refresh, err := web.IntParam(r.URL.Query(), "refresh", refreshDefault, refreshMin, refreshMax)
	if err != nil {
		return err
	}
	p := bigscreenPage{}
	p.BasePage = m.core.Base(r, c, "bigscreen.title", "bigscreen")
	p.Module = "cockpit"
	p.Scripts = []string{"echarts.min.js", "app.js", "cockpit-kit.js", "bigscreen.js"}
	_, ok, err := m.svc.Latest(r.Context())
	if err != nil {
		return err
	}
	p.NoData = !ok
	p.Data = bigscreenData{Lang: lang, Refresh: refresh, MapURL: "/static/map/chongqing.json", Regions: map[string]uiRegionJSON{},
		Text: m.core.Prefixed(lang, "js.")}
	for mo := 1; mo <= 12; mo++ {
		p.Data.Months = append(p.Data.Months, monthAbbr(mo))
	}
	for _, rg := range m.core.Regions().Regions {
		p.Data.Regions[rg.Code] = uiRegionJSON{Name: web.RegionName(lang, rg), Zone: rg.IsZone(), URL: web.DistrictURL(rg.Code)}
	}
	p.Data.Tiers = map[string]string{}
	for _, tr := range cluster.Tiers {
		p.Data.Tiers[string(tr)] = m.core.TierName(lang, string(tr))
	}
	return m.core.Render(w, r, c, "bigscreen.html", p)
}

func monthAbbr(mo int) string {
	return [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}[mo-1]
}

// comparePage is GET /compare?regions=…: the headline figures of several
// districts side by side, for one period.
type comparePage struct {
	web.BasePage
	NoData      bool
	Period      report.Period
	PeriodLabel string
	Years       []int
	Months      []monthOption
	Choices     []compareChoice
	Columns     []compareColumn
	Rows        []compareRow
	Max         int
	TooMany     bool
	Data        compareData
	Panels      []web.ChartPanel
}

type compareChoice struct {
	Code, Name string
	Checked    bool
}

type compareColumn struct {
	Code, Name, URL string
}

type compareRow struct {
	Name, Unit string
	Cells      []compareCell
}

type compareCell struct {
	Value, YoY, YoYClass string
}

// compareData is what compare.js charts.
type compareData struct {
	Names    []string          `json:"names"`
	Output   []*float64        `json:"output"`
	VAGrowth []*float64        `json:"vaGrowth"`
	Text     map[string]string `json:"text"`
}

// compareMax keeps the table readable and the page's cost bounded.
const compareMax = 6

func (m *module) comparePage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !c.Can(permScoreboard) {
		return forbidden()
	}
	ctx, lang := r.Context(), c.Lang
	p := comparePage{Max: compareMax}
	p.BasePage = m.core.Base(r, c, "compare.title", "compare")
	p.Module = "cockpit"
	p.Scripts = []string{"echarts.min.js", "app.js", "cockpit-kit.js", "compare.js"}
	latest, ok, err := m.svc.Latest(ctx)
	if err != nil {
		return err
	}
	if !ok {
		p.NoData = true
		return m.core.Render(w, r, c, "compare.html", p)
	}
	years, err := m.svc.ReportYears(ctx)
	if err != nil {
		return err
	}
	var noData bool
	p.Period, noData = periodChoice(r, latest, years)
	if noData {
		p.Period = latest
	}
	p.PeriodLabel = periodLabel(lang, p.Period)
	p.Years = years
	p.Months = m.monthOptions(lang, p.Period, latest)

	// The chosen districts, in catalogue order; without a choice the three
	// largest by output.
	var chosen []string
	for _, v := range r.URL.Query()["regions"] {
		for _, code := range strings.Split(v, ",") {
			code = strings.TrimSpace(code)
			if _, ok := m.core.Regions().ByCode(code); !ok {
				if code != "" {
					return web.BadParam("regions", "unknown region code "+code)
				}
				continue
			}
			if !slices.Contains(chosen, code) {
				chosen = append(chosen, code)
			}
		}
	}
	sc := c.Scope()
	if len(chosen) == 0 {
		sl, err := m.svc.Stats().Breakdown(ctx, sc, p.Period, stats.ByRegion, stats.Filter{})
		if err != nil {
			return err
		}
		for _, s := range sl {
			if len(chosen) < 3 {
				chosen = append(chosen, s.Key.Region)
			}
		}
	}
	if len(chosen) > compareMax {
		chosen, p.TooMany = chosen[:compareMax], true
	}
	for _, rg := range m.core.Regions().Regions {
		p.Choices = append(p.Choices, compareChoice{Code: rg.Code, Name: web.RegionName(lang, rg), Checked: slices.Contains(chosen, rg.Code)})
	}
	p.Data.Text = m.core.Prefixed(lang, "js.")
	p.Panels = []web.ChartPanel{
		{ID: "compare-output", Title: m.core.T(lang, "compare.chart_output")},
		{ID: "compare-va", Title: m.core.T(lang, "compare.chart_va")},
	}
	byRow := map[string]*compareRow{}
	var order []string
	for _, code := range chosen {
		rg, _ := m.core.Regions().ByCode(code)
		name := web.RegionName(lang, rg)
		p.Columns = append(p.Columns, compareColumn{Code: code, Name: name, URL: web.DistrictURL(code) + "?year=" + strconv.Itoa(p.Period.Year) + "&month=" + strconv.Itoa(p.Period.Month)})
		figs, err := m.svc.Stats().KPIs(ctx, sc, p.Period, stats.Filter{Region: code})
		if err != nil {
			return err
		}
		p.Data.Names = append(p.Data.Names, name)
		var out, va *float64
		for _, fig := range figs {
			card := m.kpiCard(lang, fig)
			row := byRow[card.Code]
			if row == nil {
				row = &compareRow{Name: card.Name, Unit: card.Unit}
				byRow[card.Code] = row
				order = append(order, card.Code)
			}
			cell := compareCell{Value: card.Value, YoY: card.YoY, YoYClass: card.YoYClass}
			row.Cells = append(row.Cells, cell)
			if fig.Known {
				switch fig.Indicator.Code {
				case "IND_OUTPUT":
					out = web.Ptr(fig.Value)
				case "IND_VA_GROWTH":
					va = web.Ptr(fig.Value)
				}
			}
		}
		p.Data.Output = append(p.Data.Output, out)
		p.Data.VAGrowth = append(p.Data.VAGrowth, va)
	}
	for _, code := range order {
		p.Rows = append(p.Rows, *byRow[code])
	}
	return m.core.Render(w, r, c, "compare.html", p)
}

// printUnavailable answers a PDF request when the server has no browser
// to print with: 503, and a message that says what to do instead.
type printUnavailable struct {
	m     *module
	cause error
}

func (e printUnavailable) Error() string { return e.cause.Error() }

func (e printUnavailable) Answer(lang string) (int, string, any) {
	msg := e.m.core.T(lang, "briefing.unavailable")
	return http.StatusServiceUnavailable, msg, map[string]any{"error": map[string]string{"code": "unavailable", "message": msg}}
}

// apiScoreboardPDF is GET /api/v1/scoreboard.pdf?year=: the scoreboard's
// standalone HTML report ('ibrain report scoreboard --format html')
// printed by headless chromium, for a briefing.
func (m *module) apiScoreboardPDF(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	year, err := web.IntParam(r.URL.Query(), "year", 0, 2000, 2100)
	if err != nil {
		return err
	}
	if err := m.printer.Available(); err != nil {
		return printUnavailable{m: m, cause: err}
	}
	sb, err := m.svc.Scoreboard(r.Context(), year)
	if err != nil {
		return err
	}
	var html bytes.Buffer
	if err := scoreboard.FromStats(sb).WriteHTML(&html); err != nil {
		return err
	}
	pdf, err := m.printer.Print(r.Context(), html.Bytes())
	if errors.Is(err, pdfprint.ErrUnavailable) {
		return printUnavailable{m: m, cause: err}
	}
	if err != nil {
		return err
	}
	web.SendFile(w, "application/pdf", "scoreboard_"+strconv.Itoa(sb.Year)+".pdf", bytes.NewReader(pdf))
	return nil
}
