package listingweb

import (
	"net/http"
	"strconv"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/listing"
	"github.com/industrybrain/ibrain/internal/unit"
	"github.com/industrybrain/ibrain/internal/web"
)

// listingPage is GET /listing: the pipeline at a date (counts by stage),
// the yearly listings with IPO proceeds and growth, and the firms at a
// stage (the tutoring list by default). City roles see the city (or one
// district), district officers their district; enterprise users go to
// their own record.
type listingPage struct {
	web.BasePage
	Date       string
	AsOf       string
	Regions    []web.Option
	City       bool
	Tutoring   int
	Listed     listing.ListedCount
	InPipeline int
	Year       int
	YearFig    *listingYearRow
	Stages     []listingStageRow
	Years      []listingYearRow
	StageOpts  []web.Option
	BoardOpts  []web.Option
	Query      string
	FirmsTitle string
	Firms      []listingFirmRow
	Total      int
	Page       int
	Pages      int
	PrevURL    string
	NextURL    string
	ExportURL  string
	Charts     []web.ChartPanel
	Data       listingData
}

type listingStageRow struct {
	Stage, Name string
	N           int
	URL         string
}

type listingYearRow struct {
	Year                                  int
	Through                               string // last day counted of a year still running
	NewTutoring, Listings, IPO, Reloc, Ot int
	DomesticIPO                           int
	Proceeds, YoY, YoYClass               string
	ListedEnd, TutoringEnd                int
}

type listingFirmRow struct {
	Name, URL, Region, Stage, StageCode, Since, AgreedOn, Sponsor, Board, Kind string
}

// listingData travels to listing.js for the charts.
type listingData struct {
	Stages []listingChartStage `json:"stages"`
	Years  []listingChartYear  `json:"years"`
	Text   map[string]string   `json:"text"`
}

type listingChartStage struct {
	Name string `json:"name"`
	N    int    `json:"n"`
}

type listingChartYear struct {
	Year     int      `json:"year"`
	IPO      int      `json:"ipo"`
	Reloc    int      `json:"relocation"`
	Other    int      `json:"other"`
	Proceeds float64  `json:"proceeds"`
	YoY      *float64 `json:"yoy"`
}

// listingYearsShown is how many years the yearly table covers.
const listingYearsShown = 6

// pipelinePage is GET /listing.
func (m *module) pipelinePage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	ctx, lang, usr := r.Context(), c.Lang, c.User
	if usr.Role == auth.RoleEnterprise {
		// An enterprise user's pipeline is its own record.
		http.Redirect(w, r, "/listing/firms/"+strconv.FormatInt(usr.EnterpriseID, 10), http.StatusSeeOther)
		return nil
	}
	q := r.URL.Query()
	sc := c.Scope()
	f, err := m.listingFilter(q, sc)
	if err != nil {
		return err
	}
	if !q.Has("stage") {
		f.Stage = listing.StageTutoring
	}
	// Without ?date= the page shows the pipeline as of its latest recorded
	// event when that is before today.
	rep, err := m.svc.Report(ctx, sc, listing.Query{RegionCode: f.RegionCode, At: f.At, AtLatest: !q.Has("date"), LastYears: listingYearsShown})
	if err != nil {
		return err
	}
	f.At = rep.At
	last := f.At.Year()
	t := func(key string, args ...any) string { return m.core.T(lang, key, args...) }
	p := listingPage{City: sc.IsAll(), Query: f.Query, Date: web.DateString(f.At)}
	p.BasePage = m.core.Base(r, c, "listing.title", "listing")
	p.Scripts = []string{"echarts.min.js", "app.js", "listing.js"}
	p.AsOf = t("listing.as_of", p.Date)
	p.Charts = []web.ChartPanel{
		{ID: "listing-stages", Title: t("listing.stages_title"), Note: t("listing.stages_note")},
		{ID: "listing-years", Title: t("js.listing.years_title"), Note: t("listing.years_note")},
	}
	if p.City {
		p.Regions = append(p.Regions, web.Option{Value: "", Label: t("listing.region_all"), Selected: f.RegionCode == ""})
		for _, rg := range m.core.Regions().Regions {
			p.Regions = append(p.Regions, web.Option{Value: rg.Code, Label: web.RegionName(lang, rg), Selected: rg.Code == f.RegionCode})
		}
	}

	// Counts by stage at the date.
	cnt := rep.Counts
	p.Tutoring, p.Listed, p.InPipeline = cnt.ByStage[listing.StageTutoring], cnt.Listed, cnt.InPipeline
	p.Data.Text = m.core.Prefixed(lang, "js.")
	stageURL := func(st listing.Stage) string {
		v := web.CleanQuery(q)
		v.Set("stage", string(st))
		v.Del("page")
		return "/listing?" + v.Encode() + "#firms"
	}
	for _, st := range listing.AllStages {
		name := m.stageWord(lang, st)
		p.Stages = append(p.Stages, listingStageRow{Stage: string(st), Name: name, N: cnt.ByStage[st], URL: stageURL(st)})
		p.Data.Stages = append(p.Data.Stages, listingChartStage{Name: name, N: cnt.ByStage[st]})
	}

	// Yearly figures up to the date's year; the headline year is the last
	// complete one.
	p.Year = last - 1
	if f.At.Equal(listing.YearEnd(last)) {
		p.Year = last
	}
	for _, y := range rep.Years {
		row := listingYearRow{Year: y.Year, NewTutoring: y.Entered[listing.StageTutoring], Listings: y.Listings.Total, IPO: y.Listings.IPO,
			Reloc: y.Listings.Relocation, Ot: y.Listings.Other, DomesticIPO: y.Listings.DomesticIPO,
			Proceeds: web.FormatNumber(y.IPOProceeds.Yi100m(), 2), YoY: "–", ListedEnd: y.ListedAtEnd.Total, TutoringEnd: y.InTutoringAtEnd,
			Through: web.DateString(y.Through)}
		cy := listingChartYear{Year: y.Year, IPO: y.Listings.IPO, Reloc: y.Listings.Relocation, Other: y.Listings.Other, Proceeds: y.IPOProceeds.Yi100m()}
		if y.GrowthKnown {
			row.YoY = web.FormatSigned(y.ProceedsGrowthPct, 1) + "%"
			row.YoYClass = "up"
			if y.ProceedsGrowthPct < 0 {
				row.YoYClass = "down"
			}
			cy.YoY = web.Ptr(y.ProceedsGrowthPct)
		}
		p.Years = append(p.Years, row)
		p.Data.Years = append(p.Data.Years, cy)
		if y.Year == p.Year {
			yr := row
			p.YearFig = &yr
		}
	}

	// The firm list.
	for _, st := range append([]listing.Stage{""}, listing.AllStages...) {
		label := t("listing.filter.any")
		if st != "" {
			label = m.stageWord(lang, st)
		}
		p.StageOpts = append(p.StageOpts, web.Option{Value: string(st), Label: label, Selected: st == f.Stage})
	}
	p.BoardOpts = append(p.BoardOpts, web.Option{Value: "", Label: t("listing.filter.any"), Selected: f.Board == ""})
	for _, b := range listing.Boards {
		p.BoardOpts = append(p.BoardOpts, web.Option{Value: string(b), Label: t("listing.board." + string(b)), Selected: b == f.Board})
	}
	p.FirmsTitle = t("listing.firms_title")
	if f.Stage != "" {
		p.FirmsTitle += " · " + m.stageWord(lang, f.Stage)
	}
	if p.Page, err = web.IntParam(q, "page", 1, 1, 1_000_000); err != nil {
		return err
	}
	f.Limit, f.Offset = web.UIPerPage, (p.Page-1)*web.UIPerPage
	res, err := m.svc.Firms(ctx, sc, f)
	if err != nil {
		return err
	}
	p.Total = res.Total
	for _, it := range res.Items {
		p.Firms = append(p.Firms, m.firmRow(lang, it))
	}
	p.Pages = max(1, (res.Total+web.UIPerPage-1)/web.UIPerPage)
	pageURL := func(n int) string {
		v := web.CleanQuery(q)
		v.Set("stage", string(f.Stage))
		v.Set("page", strconv.Itoa(n))
		return "/listing?" + v.Encode() + "#firms"
	}
	if p.Page > 1 {
		p.PrevURL = pageURL(p.Page - 1)
	}
	if p.Page < p.Pages {
		p.NextURL = pageURL(p.Page + 1)
	}
	export := web.CleanQuery(q)
	export.Del("page")
	export.Set("stage", string(f.Stage))
	export.Set("date", p.Date)
	export.Set("lang", lang)
	p.ExportURL = "/api/v1/listing/firms.xlsx?" + export.Encode()
	return m.core.Render(w, r, c, "listing.html", p)
}

func (m *module) firmRow(lang string, it listing.Item) listingFirmRow {
	st := it.State
	row := listingFirmRow{Name: it.Name, URL: "/listing/firms/" + strconv.FormatInt(it.EnterpriseID, 10), Region: it.RegionCode,
		Stage: m.stageWord(lang, st.Stage), StageCode: string(st.Stage), Since: web.DateString(st.Since), AgreedOn: web.DateString(st.AgreedOn), Sponsor: st.Sponsor}
	if rg, ok := m.core.Regions().ByCode(it.RegionCode); ok {
		row.Region = web.RegionName(lang, rg)
	}
	if st.Board != "" {
		row.Board = m.core.T(lang, "listing.board."+string(st.Board))
	}
	if st.Kind != "" {
		row.Kind = m.core.T(lang, "listing.kind."+string(st.Kind))
	}
	return row
}

// listingFirmPage is GET /listing/firms/{id}: one firm's timeline and,
// for those who may, the form that records its next stage.
type listingFirmPage struct {
	web.BasePage
	ID         int64
	Name       string
	CreditCode string
	Region     string
	ProfileURL string
	Current    string
	StageCode  string
	Events     []listingEventRow
	N          int
	CanRecord  bool
	StageOpts  []web.Option
	BoardOpts  []web.Option
	KindOpts   []web.Option
	Today      string
	Data       listingFirmData
}

type listingEventRow struct {
	Seq                                                    int
	Date, Stage, StageCode, AgreedOn, Sponsor, Board, Kind string
	Proceeds, Note                                         string
}

type listingFirmData struct {
	ID     int64             `json:"id"`
	Events int               `json:"events"`
	Text   map[string]string `json:"text"`
}

// firmPage is GET /listing/firms/{id}.
func (m *module) firmPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	lang := c.Lang
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	f, err := m.svc.Firm(r.Context(), c.Scope(), id)
	if err != nil {
		return err
	}
	t := func(key string) string { return m.core.T(lang, key) }
	p := listingFirmPage{ID: id, Name: f.Name, CreditCode: f.CreditCode, Region: f.RegionCode, N: len(f.Events),
		ProfileURL: "/enterprises/" + strconv.FormatInt(id, 10), Today: web.DateString(m.core.Today())}
	p.BasePage = m.core.Base(r, c, "listing.timeline_title", "listing")
	p.Title = f.Name + " · " + p.Title
	p.Scripts = []string{"app.js", "listing.js"}
	if rg, ok := m.core.Regions().ByCode(f.RegionCode); ok {
		p.Region = web.RegionName(lang, rg)
	}
	p.Crumbs = m.core.EntCrumbs(c, id, f.Name, f.RegionCode, t("listing.timeline_title"))
	p.WithEntTabs(id, "listing")
	if st, ok := f.Current(); ok {
		p.Current, p.StageCode = m.stageWord(lang, st.Stage), string(st.Stage)
	}
	for i, e := range f.Events {
		row := listingEventRow{Seq: i + 1, Date: web.DateString(e.Date), Stage: m.stageWord(lang, e.Stage), StageCode: string(e.Stage),
			AgreedOn: web.DateString(e.AgreedOn), Sponsor: e.Sponsor, Note: e.Note}
		if e.Board != "" {
			row.Board = t("listing.board." + string(e.Board))
		}
		if e.Kind != "" {
			row.Kind = t("listing.kind." + string(e.Kind))
		}
		if e.Proceeds != 0 {
			row.Proceeds = unit.FormatScaled(int64(e.Proceeds), int64(unit.Wan))
		}
		p.Events = append(p.Events, row)
	}
	p.CanRecord = c.Can(permRecord)
	if p.CanRecord {
		next := nextStage(f.Record)
		for _, st := range listing.AllStages {
			p.StageOpts = append(p.StageOpts, web.Option{Value: string(st), Label: m.stageWord(lang, st), Selected: st == next})
		}
		p.BoardOpts = append(p.BoardOpts, web.Option{Value: "", Label: "–"})
		for _, b := range listing.Boards {
			p.BoardOpts = append(p.BoardOpts, web.Option{Value: string(b), Label: t("listing.board." + string(b))})
		}
		p.KindOpts = append(p.KindOpts, web.Option{Value: "", Label: "–"})
		for _, k := range listing.Kinds {
			p.KindOpts = append(p.KindOpts, web.Option{Value: string(k), Label: t("listing.kind." + string(k))})
		}
	}
	p.Data = listingFirmData{ID: id, Events: len(f.Events), Text: m.core.Prefixed(lang, "js.")}
	return m.core.Render(w, r, c, "listing_firm.html", p)
}

// nextStage is the stage the form offers first: the one after the firm's
// current stage (reserve for a firm without a record, exit for a listed
// company), none after a withdrawal, where several restarts are allowed.
func nextStage(r listing.Record) listing.Stage {
	st, ok := r.Current()
	switch {
	case !ok:
		return listing.StageReserve
	case st.Stage == listing.StageListed:
		return listing.StageExited
	}
	if o := st.Stage.Order(); o >= 0 && o+1 < len(listing.Stages) {
		return listing.Stages[o+1]
	}
	return ""
}
