package listingweb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/listing"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/unit"
	"github.com/industrybrain/ibrain/internal/web"
)

// The listing pipeline (上市) API. Every figure is computed by the listing
// service from the records in the user's scope; aggregates are for those
// who hold listing.read, single firms for anyone whose scope holds them.

// --- wire types ---

type apiListedCount struct {
	Domestic int `json:"domestic"`
	Overseas int `json:"overseas"`
	Total    int `json:"total"`
}

type apiListingStageCount struct {
	Stage  string `json:"stage"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
	Count  int    `json:"count"`
}

type apiListingSummary struct {
	Date       string                 `json:"date"`
	Region     string                 `json:"region,omitempty"`
	Stages     []apiListingStageCount `json:"stages"`
	InPipeline int                    `json:"in_pipeline"`
	Listed     apiListedCount         `json:"listed"`
	Records    int                    `json:"records"`
}

type apiListingCount struct {
	Total       int `json:"total"`
	IPO         int `json:"ipo"`
	Relocation  int `json:"relocation"`
	Other       int `json:"other"`
	Domestic    int `json:"domestic"`
	Overseas    int `json:"overseas"`
	DomesticIPO int `json:"domestic_ipo"`
}

type apiListingYear struct {
	Year               int             `json:"year"`
	Entered            map[string]int  `json:"entered"`
	NewTutoring        int             `json:"new_tutoring_filings"`
	Listings           apiListingCount `json:"listings"`
	IPOProceedsYi      float64         `json:"ipo_proceeds_yi"`
	OverseasProceedsYi float64         `json:"overseas_proceeds_yi"`
	ProceedsGrowthPct  *float64        `json:"proceeds_growth_pct"`
	ListedAtEnd        apiListedCount  `json:"listed_at_end"`
	InTutoringAtEnd    int             `json:"in_tutoring_at_end"`
	Through            string          `json:"through,omitempty"` // last day counted of a year still running
}

type apiListingYears struct {
	From   int              `json:"from"`
	To     int              `json:"to"`
	Region string           `json:"region,omitempty"`
	Years  []apiListingYear `json:"years"`
}

type apiListingFirm struct {
	EnterpriseID int64   `json:"enterprise_id"`
	CreditCode   string  `json:"credit_code"`
	Name         string  `json:"name"`
	RegionCode   string  `json:"region_code"`
	Stage        string  `json:"stage"`
	Since        string  `json:"since"`
	AgreedOn     string  `json:"agreed_on,omitempty"`
	Sponsor      string  `json:"sponsor,omitempty"`
	Board        string  `json:"board,omitempty"`
	Kind         string  `json:"kind,omitempty"`
	ProceedsWan  float64 `json:"proceeds_wan"`
	Events       int     `json:"events"`
}

type apiListingPage struct {
	Date    string           `json:"date"`
	Items   []apiListingFirm `json:"items"`
	Total   int              `json:"total"`
	Page    int              `json:"page"`
	PerPage int              `json:"per_page"`
}

type apiListingEvent struct {
	Seq         int     `json:"seq"`
	Stage       string  `json:"stage"`
	Date        string  `json:"date"`
	AgreedOn    string  `json:"agreed_on,omitempty"`
	Sponsor     string  `json:"sponsor,omitempty"`
	Board       string  `json:"board,omitempty"`
	Kind        string  `json:"kind,omitempty"`
	ProceedsWan float64 `json:"proceeds_wan"`
	Note        string  `json:"note,omitempty"`
}

type apiListingHistory struct {
	EnterpriseID int64             `json:"enterprise_id"`
	CreditCode   string            `json:"credit_code"`
	Name         string            `json:"name"`
	RegionCode   string            `json:"region_code"`
	Stage        string            `json:"stage"`
	Events       []apiListingEvent `json:"events"`
}

// apiListingEventInput is the body of POST …/events. Proceeds are a
// decimal string or number in 万元, parsed exactly.
type apiListingEventInput struct {
	Stage        string      `json:"stage"`
	Date         string      `json:"date"`
	AgreedOn     string      `json:"agreed_on"`
	Sponsor      string      `json:"sponsor"`
	Board        string      `json:"board"`
	Kind         string      `json:"kind"`
	ProceedsWan  json.Number `json:"proceeds_wan"`
	Note         string      `json:"note"`
	ExpectEvents *int        `json:"expect_events"`
}

func toAPIListed(c listing.ListedCount) apiListedCount {
	return apiListedCount{Domestic: c.Domestic, Overseas: c.Overseas, Total: c.Total}
}

func toAPIListingFirm(it listing.Item) apiListingFirm {
	st := it.State
	return apiListingFirm{EnterpriseID: it.EnterpriseID, CreditCode: it.CreditCode, Name: it.Name, RegionCode: it.RegionCode,
		Stage: string(st.Stage), Since: web.DateString(st.Since), AgreedOn: web.DateString(st.AgreedOn), Sponsor: st.Sponsor,
		Board: string(st.Board), Kind: string(st.Kind), ProceedsWan: st.Proceeds.Yuan10k(), Events: st.Events}
}

func toAPIListingHistory(f listing.Firm) apiListingHistory {
	out := apiListingHistory{EnterpriseID: f.EnterpriseID, CreditCode: f.CreditCode, Name: f.Name, RegionCode: f.RegionCode, Events: []apiListingEvent{}}
	if st, ok := f.Current(); ok {
		out.Stage = string(st.Stage)
	}
	for i, e := range f.Events {
		out.Events = append(out.Events, apiListingEvent{Seq: i + 1, Stage: string(e.Stage), Date: web.DateString(e.Date), AgreedOn: web.DateString(e.AgreedOn),
			Sponsor: e.Sponsor, Board: string(e.Board), Kind: string(e.Kind), ProceedsWan: e.Proceeds.Yuan10k(), Note: e.Note})
	}
	return out
}

// --- parameters ---

// listingFilter reads the list filters: date, stage, region, board, q.
func (m *module) listingFilter(q url.Values, sc auth.Scope) (listing.Filter, error) {
	var f listing.Filter
	var err error
	if f.At, err = web.DateParam(q, "date", m.core.Today()); err != nil {
		return f, err
	}
	f.RegionCode = strings.TrimSpace(q.Get("region"))
	if err := listing.CheckRegion(sc, f.RegionCode); err != nil {
		return f, err
	}
	if v := strings.TrimSpace(q.Get("stage")); v != "" {
		if !listing.Stage(v).Valid() {
			return f, web.BadParam("stage", "unknown stage")
		}
		f.Stage = listing.Stage(v)
	}
	if v := strings.TrimSpace(q.Get("board")); v != "" {
		if !listing.Board(v).Valid() {
			return f, web.BadParam("board", "unknown board")
		}
		f.Board = listing.Board(v)
	}
	f.Query = strings.TrimSpace(q.Get("q"))
	if len([]rune(f.Query)) > 100 {
		return f, web.BadParam("q", "too long")
	}
	return f, nil
}

// --- handlers ---

// apiSummary is the pipeline at ?date= (today by default): how many firms
// stand at each stage, and the listed companies.
func (m *module) apiSummary(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	q := r.URL.Query()
	at, err := web.DateParam(q, "date", m.core.Today())
	if err != nil {
		return err
	}
	rep, err := m.svc.Report(r.Context(), c.Scope(), listing.Query{RegionCode: strings.TrimSpace(q.Get("region")), At: at})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, m.summaryJSON(rep))
	return nil
}

func (m *module) summaryJSON(rep listing.Report) apiListingSummary {
	c := rep.Counts
	out := apiListingSummary{Date: web.DateString(rep.At), Region: rep.Region, InPipeline: c.InPipeline, Listed: toAPIListed(c.Listed), Records: c.Records}
	for _, st := range listing.AllStages {
		out.Stages = append(out.Stages, apiListingStageCount{Stage: string(st), NameZh: m.core.T(i18n.ZH, "listing.stage."+string(st)),
			NameEn: m.core.T(i18n.EN, "listing.stage."+string(st)), Count: c.ByStage[st]})
	}
	return out
}

// maxListingYears bounds ?from=&to=.
const maxListingYears = 30

// apiYears returns each year's transitions, listings by kind and board,
// domestic IPO proceeds with growth, and the year-end stock.
func (m *module) apiYears(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	q := r.URL.Query()
	to, err := web.IntParam(q, "to", m.core.Today().Year(), 1990, 2100)
	if err != nil {
		return err
	}
	from, err := web.IntParam(q, "from", to-4, 1990, 2100)
	if err != nil {
		return err
	}
	if from > to || to-from >= maxListingYears {
		return web.BadParam("from", "want from ≤ to within 30 years")
	}
	// A year still running is counted up to today and compared with the
	// same part of the year before.
	at := listing.YearEnd(to)
	if today := m.core.Today(); today.Year() == to && today.Before(at) {
		at = today
	}
	rep, err := m.svc.Report(r.Context(), c.Scope(), listing.Query{RegionCode: strings.TrimSpace(q.Get("region")), At: at, From: from, To: to})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, yearsJSON(rep, from, to))
	return nil
}

func yearsJSON(rep listing.Report, from, to int) apiListingYears {
	out := apiListingYears{From: from, To: to, Region: rep.Region, Years: []apiListingYear{}}
	for _, y := range rep.Years {
		ay := apiListingYear{Year: y.Year, Entered: map[string]int{}, NewTutoring: y.Entered[listing.StageTutoring],
			Listings:      apiListingCount(y.Listings),
			IPOProceedsYi: y.IPOProceeds.Yi100m(), OverseasProceedsYi: y.OverseasProceeds.Yi100m(),
			ListedAtEnd: toAPIListed(y.ListedAtEnd), InTutoringAtEnd: y.InTutoringAtEnd, Through: web.DateString(y.Through)}
		for st, n := range y.Entered {
			ay.Entered[string(st)] = n
		}
		if y.GrowthKnown {
			ay.ProceedsGrowthPct = web.Ptr(y.ProceedsGrowthPct)
		}
		out.Years = append(out.Years, ay)
	}
	return out
}

// apiFirms lists the firms in scope by their state at ?date=.
func (m *module) apiFirms(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	q := r.URL.Query()
	f, err := m.listingFilter(q, c.Scope())
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
	res, err := m.svc.Firms(r.Context(), c.Scope(), f)
	if err != nil {
		return err
	}
	out := apiListingPage{Date: web.DateString(f.At), Items: make([]apiListingFirm, 0, len(res.Items)), Total: res.Total, Page: page, PerPage: perPage}
	for _, it := range res.Items {
		out.Items = append(out.Items, toAPIListingFirm(it))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiFirm is one firm's history; outside the scope it is 404.
func (m *module) apiFirm(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	f, err := m.svc.Firm(r.Context(), c.Scope(), id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toAPIListingHistory(f))
	return nil
}

// maxListingBody bounds the JSON body of a stage event.
const maxListingBody = 16 << 10

// apiRecord records the next stage event of a firm: validated against its
// history and written in one transaction (201 with the new history). With
// expect_events the write is refused (409) when the record changed since
// the client read it.
func (m *module) apiRecord(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	ev, opts, err := decodeListingEvent(http.MaxBytesReader(w, r.Body, maxListingBody))
	if err != nil {
		return err
	}
	opts.By = c.User.Username
	f, err := m.svc.RecordEvent(r.Context(), c.Scope(), id, ev, opts)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, toAPIListingHistory(f))
	return nil
}

// decodeListingEvent reads and shape-checks the body; the history rules
// are the domain's.
func decodeListingEvent(body io.Reader) (listing.Event, listing.AppendOptions, error) {
	var in apiListingEventInput
	opts := listing.AppendOptions{ExpectEvents: -1}
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return listing.Event{}, opts, apperr.New(apperr.TooLarge, "api.err.bad_param", "body", "too large")
		}
		return listing.Event{}, opts, web.BadParam("body", "not a JSON event: "+err.Error())
	}
	ev := listing.Event{Stage: listing.Stage(strings.TrimSpace(in.Stage)), Sponsor: strings.TrimSpace(in.Sponsor),
		Board: listing.Board(strings.TrimSpace(in.Board)), Kind: listing.Kind(strings.TrimSpace(in.Kind)), Note: strings.TrimSpace(in.Note)}
	var err error
	if ev.Date, err = parseBodyDate("date", in.Date, true); err != nil {
		return ev, opts, err
	}
	if ev.AgreedOn, err = parseBodyDate("agreed_on", in.AgreedOn, false); err != nil {
		return ev, opts, err
	}
	if p := strings.TrimSpace(in.ProceedsWan.String()); p != "" {
		v, err := unit.ParseScaled(p, int64(unit.Wan))
		if err != nil {
			return ev, opts, web.BadParam("proceeds_wan", "want a plain decimal of ¥10k units with at most 6 decimals")
		}
		ev.Proceeds = unit.Fen(v)
	}
	if in.ExpectEvents != nil {
		if *in.ExpectEvents < 0 {
			return ev, opts, web.BadParam("expect_events", "must not be negative")
		}
		opts.ExpectEvents = *in.ExpectEvents
	}
	return ev, opts, nil
}

// parseBodyDate reads a body date; required dates may not be empty.
func parseBodyDate(name, v string, required bool) (time.Time, error) {
	if strings.TrimSpace(v) == "" && required {
		return time.Time{}, web.BadParam(name, "required, YYYY-MM-DD")
	}
	return web.DateParam(url.Values{name: {v}}, name, time.Time{})
}

// apiFirmsXLSX exports the list with the same filters, all pages.
func (m *module) apiFirmsXLSX(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	f, err := m.listingFilter(r.URL.Query(), c.Scope())
	if err != nil {
		return err
	}
	f.Limit = web.MaxExportRows
	res, err := m.svc.Firms(r.Context(), c.Scope(), f)
	if err != nil {
		return err
	}
	header, rows := m.listingTable(c.Lang, res.Items)
	var buf bytes.Buffer
	if err := tabular.WriteXLSX(&buf, m.core.T(c.Lang, "listing.export.sheet"), header, rows); err != nil {
		return err
	}
	name := fmt.Sprintf("listing-%s.xlsx", web.DateString(f.At))
	if f.Stage != "" {
		name = fmt.Sprintf("listing-%s-%s.xlsx", f.Stage, web.DateString(f.At))
	}
	web.SendFile(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name, &buf)
	return nil
}

// listingTable renders list items as export rows with headers in lang;
// stage, board and kind in words, proceeds in 万元.
func (m *module) listingTable(lang string, items []listing.Item) ([]string, [][]string) {
	keys := []string{"credit_code", "name", "region", "stage", "since", "agreed_on", "sponsor", "board", "kind", "proceeds_wan"}
	header := make([]string, len(keys))
	for i, k := range keys {
		header[i] = m.core.T(lang, "listing.col."+k)
	}
	word := func(prefix, v string) string {
		if v == "" {
			return ""
		}
		return m.core.T(lang, prefix+v)
	}
	rows := make([][]string, 0, len(items))
	for _, it := range items {
		regionName := it.RegionCode
		if rg, ok := m.core.Regions().ByCode(it.RegionCode); ok {
			regionName = web.PickLang(lang, rg.NameZh, rg.NameEn)
		}
		st := it.State
		proceeds := ""
		if st.Proceeds != 0 {
			proceeds = unit.FormatScaled(int64(st.Proceeds), int64(unit.Wan))
		}
		rows = append(rows, []string{it.CreditCode, it.Name, regionName, word("listing.stage.", string(st.Stage)), web.DateString(st.Since),
			web.DateString(st.AgreedOn), st.Sponsor, word("listing.board.", string(st.Board)), word("listing.kind.", string(st.Kind)), proceeds})
	}
	return header, rows
}

// stageWord is a stage in lang, for pages.
func (m *module) stageWord(lang string, st listing.Stage) string {
	return m.core.T(lang, "listing.stage."+string(st))
}
