package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/listing"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/unit"
)

// listingPage is GET /listing: the pipeline at a date (counts by stage),
// the yearly listings with IPO proceeds and growth, and the firms at a
// stage (the tutoring list by default). City roles see the city (or one
// district), district officers their district; enterprise users go to
// their own record.
type listingPage struct {
	basePage
	Date       string
	AsOf       string
	Regions    []option
	City       bool
	Tutoring   int
	Listed     listing.ListedCount
	InPipeline int
	Year       int
	YearFig    *listingYearRow
	Stages     []listingStageRow
	Years      []listingYearRow
	StageOpts  []option
	BoardOpts  []option
	Query      string
	FirmsTitle string
	Firms      []listingFirmRow
	Total      int
	Page       int
	Pages      int
	PrevURL    string
	NextURL    string
	ExportURL  string
	Charts     []chartPanel
	Data       listingData
}

type listingStageRow struct {
	Stage, Name string
	N           int
	URL         string
}

type listingYearRow struct {
	Year                                  int
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

func (u *ui) listingPage(w http.ResponseWriter, r *http.Request, pc pageCtx) {
	ctx, lang, usr := r.Context(), pc.lang, pc.user
	if usr.Role == auth.RoleEnterprise {
		http.Redirect(w, r, "/listing/firms/"+strconv.FormatInt(usr.EnterpriseID, 10), http.StatusSeeOther)
		return
	}
	q := r.URL.Query()
	sc := usr.ScopeOf()
	f, err := u.s.listingFilter(q, sc)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if !q.Has("stage") {
		f.Stage = listing.StageTutoring
	}
	p := listingPage{City: sc.IsAll(), Query: f.Query, Date: dateString(f.At)}
	p.basePage = u.base(r, pc, "listing.title", "listing")
	p.Scripts = []string{"echarts.min.js", "app.js", "listing.js"}
	p.AsOf = u.t(lang, "listing.as_of", p.Date)
	p.Charts = []chartPanel{
		{ID: "listing-stages", Title: u.t(lang, "listing.stages_title"), Note: u.t(lang, "listing.stages_note")},
		{ID: "listing-years", Title: u.t(lang, "js.listing.years_title"), Note: u.t(lang, "listing.years_note")},
	}
	if p.City {
		p.Regions = append(p.Regions, option{Value: "", Label: u.t(lang, "listing.region_all"), Selected: f.RegionCode == ""})
		for _, rg := range u.s.regions.Regions {
			p.Regions = append(p.Regions, option{Value: rg.Code, Label: regionName(lang, rg), Selected: rg.Code == f.RegionCode})
		}
	}
	firms, err := u.s.store.ListingRecords(ctx, sc, sqlstore.ListingRecordFilter{RegionCode: f.RegionCode})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	recs := sqlstore.Records(firms)
	// Without ?date= the page shows the pipeline as of its latest recorded
	// event when that is before today: a pipeline whose records stop early
	// is shown as it last stood (and says so) rather than as an empty
	// current year.
	if !q.Has("date") {
		if last := latestListingEvent(recs); !last.IsZero() && last.Before(f.At) {
			f.At = last
			p.Date = dateString(f.At)
			p.AsOf = u.t(lang, "listing.as_of", p.Date)
		}
	}

	// Counts by stage at the date.
	c := listing.CountsAt(recs, f.At)
	p.Tutoring, p.Listed, p.InPipeline = c.ByStage[listing.StageTutoring], c.Listed, c.InPipeline
	p.Data.Text = u.prefixed(lang, "js.")
	stageURL := func(st listing.Stage) string {
		v := cleanQuery(q)
		v.Set("stage", string(st))
		v.Del("page")
		return "/listing?" + v.Encode() + "#firms"
	}
	for _, st := range listing.AllStages {
		name := u.s.listingStageWord(lang, st)
		p.Stages = append(p.Stages, listingStageRow{Stage: string(st), Name: name, N: c.ByStage[st], URL: stageURL(st)})
		p.Data.Stages = append(p.Data.Stages, listingChartStage{Name: name, N: c.ByStage[st]})
	}

	// Yearly figures up to the date's year; the headline year is the last
	// complete one.
	last := f.At.Year()
	p.Year = last - 1
	if f.At.Equal(listing.YearEnd(last)) {
		p.Year = last
	}
	for _, y := range listing.Yearly(recs, last-listingYearsShown+1, last) {
		row := listingYearRow{Year: y.Year, NewTutoring: y.Entered[listing.StageTutoring], Listings: y.Listings.Total, IPO: y.Listings.IPO,
			Reloc: y.Listings.Relocation, Ot: y.Listings.Other, DomesticIPO: y.Listings.DomesticIPO,
			Proceeds: formatNumber(y.IPOProceeds.Yi100m(), 2), YoY: "–", ListedEnd: y.ListedAtEnd.Total, TutoringEnd: y.InTutoringAtEnd}
		cy := listingChartYear{Year: y.Year, IPO: y.Listings.IPO, Reloc: y.Listings.Relocation, Other: y.Listings.Other, Proceeds: y.IPOProceeds.Yi100m()}
		if y.GrowthKnown {
			row.YoY = formatSigned(y.ProceedsGrowthPct, 1) + "%"
			row.YoYClass = "up"
			if y.ProceedsGrowthPct < 0 {
				row.YoYClass = "down"
			}
			cy.YoY = ptr(y.ProceedsGrowthPct)
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
		label := u.t(lang, "listing.filter.any")
		if st != "" {
			label = u.s.listingStageWord(lang, st)
		}
		p.StageOpts = append(p.StageOpts, option{Value: string(st), Label: label, Selected: st == f.Stage})
	}
	p.BoardOpts = append(p.BoardOpts, option{Value: "", Label: u.t(lang, "listing.filter.any"), Selected: f.Board == ""})
	for _, b := range listing.Boards {
		p.BoardOpts = append(p.BoardOpts, option{Value: string(b), Label: u.t(lang, "listing.board."+string(b)), Selected: b == f.Board})
	}
	p.FirmsTitle = u.t(lang, "listing.firms_title")
	if f.Stage != "" {
		p.FirmsTitle += " · " + u.s.listingStageWord(lang, f.Stage)
	}
	p.Page, err = intParam(q, "page", 1, 1, 1_000_000)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	f.Limit, f.Offset = uiPerPage, (p.Page-1)*uiPerPage
	res, err := u.s.store.ListListingFirms(ctx, sc, f)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p.Total = res.Total
	for _, it := range res.Items {
		p.Firms = append(p.Firms, u.listingFirmRow(lang, it))
	}
	p.Pages = max(1, (res.Total+uiPerPage-1)/uiPerPage)
	pageURL := func(n int) string {
		v := cleanQuery(q)
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
	export := cleanQuery(q)
	export.Del("page")
	export.Set("stage", string(f.Stage))
	export.Set("date", p.Date)
	export.Set("lang", lang)
	p.ExportURL = "/api/v1/listing/firms.xlsx?" + export.Encode()
	u.render(w, r, http.StatusOK, lang, "listing.html", p)
}

func (u *ui) listingFirmRow(lang string, it sqlstore.ListingItem) listingFirmRow {
	st := it.State
	row := listingFirmRow{Name: it.Name, URL: "/listing/firms/" + strconv.FormatInt(it.EnterpriseID, 10), Region: it.RegionCode,
		Stage: u.s.listingStageWord(lang, st.Stage), StageCode: string(st.Stage), Since: dateString(st.Since), AgreedOn: dateString(st.AgreedOn), Sponsor: st.Sponsor}
	if rg, ok := u.s.regions.ByCode(it.RegionCode); ok {
		row.Region = regionName(lang, rg)
	}
	if st.Board != "" {
		row.Board = u.t(lang, "listing.board."+string(st.Board))
	}
	if st.Kind != "" {
		row.Kind = u.t(lang, "listing.kind."+string(st.Kind))
	}
	return row
}

// listingFirmPage is GET /listing/firms/{id}: one firm's timeline and,
// for those who may, the form that records its next stage.
type listingFirmPage struct {
	basePage
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
	StageOpts  []option
	BoardOpts  []option
	KindOpts   []option
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

func (u *ui) listingFirmPage(w http.ResponseWriter, r *http.Request, pc pageCtx) {
	lang, usr := pc.lang, pc.user
	id, err := idParam(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	f, err := u.s.store.ListingRecord(r.Context(), usr.ScopeOf(), id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p := listingFirmPage{ID: id, Name: f.Name, CreditCode: f.CreditCode, Region: f.RegionCode, N: len(f.Events),
		ProfileURL: "/enterprises/" + strconv.FormatInt(id, 10), Today: dateString(u.s.today())}
	p.basePage = u.base(r, pc, "listing.timeline_title", "listing")
	p.Title = f.Name + " · " + p.Title
	p.Scripts = []string{"app.js", "listing.js"}
	if rg, ok := u.s.regions.ByCode(f.RegionCode); ok {
		p.Region = regionName(lang, rg)
	}
	p.Crumbs = u.entCrumbs(lang, usr, id, f.Name, f.RegionCode, u.t(lang, "listing.timeline_title"))
	p.withEntTabs(id, "listing")
	if st, ok := f.Current(); ok {
		p.Current, p.StageCode = u.s.listingStageWord(lang, st.Stage), string(st.Stage)
	}
	for i, e := range f.Events {
		row := listingEventRow{Seq: i + 1, Date: dateString(e.Date), Stage: u.s.listingStageWord(lang, e.Stage), StageCode: string(e.Stage),
			AgreedOn: dateString(e.AgreedOn), Sponsor: e.Sponsor, Note: e.Note}
		if e.Board != "" {
			row.Board = u.t(lang, "listing.board."+string(e.Board))
		}
		if e.Kind != "" {
			row.Kind = u.t(lang, "listing.kind."+string(e.Kind))
		}
		if e.Proceeds != 0 {
			row.Proceeds = unit.FormatScaled(int64(e.Proceeds), int64(unit.Wan))
		}
		p.Events = append(p.Events, row)
	}
	p.CanRecord = u.s.policy.Allows(usr, listingWriters)
	if p.CanRecord {
		for _, st := range listing.AllStages {
			p.StageOpts = append(p.StageOpts, option{Value: string(st), Label: u.s.listingStageWord(lang, st)})
		}
		p.BoardOpts = append(p.BoardOpts, option{Value: "", Label: "–"})
		for _, b := range listing.Boards {
			p.BoardOpts = append(p.BoardOpts, option{Value: string(b), Label: u.t(lang, "listing.board."+string(b))})
		}
		p.KindOpts = append(p.KindOpts, option{Value: "", Label: "–"})
		for _, k := range listing.Kinds {
			p.KindOpts = append(p.KindOpts, option{Value: string(k), Label: u.t(lang, "listing.kind."+string(k))})
		}
	}
	p.Data = listingFirmData{ID: id, Events: len(f.Events), Text: u.prefixed(lang, "js.")}
	u.render(w, r, http.StatusOK, lang, "listing_firm.html", p)
}

// latestListingEvent is the date of the latest event in recs, or zero.
func latestListingEvent(recs []listing.Record) time.Time {
	var last time.Time
	for _, r := range recs {
		for _, e := range r.Events {
			if e.Date.After(last) {
				last = e.Date
			}
		}
	}
	return last
}
