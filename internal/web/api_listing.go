package web

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
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The listing pipeline (上市) API. Every figure is computed by
// internal/listing from the records in the user's scope; aggregates are
// for city roles and district officers, single firms for anyone whose
// scope holds them.

// listingWriters may record stage events: city roles anywhere, district
// officers in their district (the store enforces the scope).
const listingWriters = auth.Permission("listing.record")

func (s *Server) listingRoutes() []apiRoute {
	return []apiRoute{
		{"GET", "/api/v1/listing/summary", auth.Permission("listing.read"), s.withUser(s.apiListingSummary)},
		{"GET", "/api/v1/listing/years", auth.Permission("listing.read"), s.withUser(s.apiListingYears)},
		{"GET", "/api/v1/listing/firms", signedIn, s.withUser(s.apiListingFirms)},
		{"GET", "/api/v1/listing/firms.xlsx", signedIn, s.withUser(s.apiListingFirmsXLSX)},
		{"GET", "/api/v1/listing/firms/{id}", signedIn, s.withUser(s.apiListingFirm)},
		{"POST", "/api/v1/listing/firms/{id}/events", listingWriters, s.withUser(s.apiListingRecord)},
	}
}

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

func toAPIListingFirm(it sqlstore.ListingItem) apiListingFirm {
	st := it.State
	return apiListingFirm{EnterpriseID: it.EnterpriseID, CreditCode: it.CreditCode, Name: it.Name, RegionCode: it.RegionCode,
		Stage: string(st.Stage), Since: dateString(st.Since), AgreedOn: dateString(st.AgreedOn), Sponsor: st.Sponsor,
		Board: string(st.Board), Kind: string(st.Kind), ProceedsWan: st.Proceeds.Yuan10k(), Events: st.Events}
}

func toAPIListingHistory(f sqlstore.ListingFirm) apiListingHistory {
	out := apiListingHistory{EnterpriseID: f.EnterpriseID, CreditCode: f.CreditCode, Name: f.Name, RegionCode: f.RegionCode, Events: []apiListingEvent{}}
	if st, ok := f.Current(); ok {
		out.Stage = string(st.Stage)
	}
	for i, e := range f.Events {
		out.Events = append(out.Events, apiListingEvent{Seq: i + 1, Stage: string(e.Stage), Date: dateString(e.Date), AgreedOn: dateString(e.AgreedOn),
			Sponsor: e.Sponsor, Board: string(e.Board), Kind: string(e.Kind), ProceedsWan: e.Proceeds.Yuan10k(), Note: e.Note})
	}
	return out
}

// --- parameters ---

// dateParam parses an optional ISO date; def when absent.
func dateParam(q url.Values, name string, def time.Time) (time.Time, error) {
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

// today is the server's date, as a UTC day.
func (s *Server) today() time.Time {
	n := s.now()
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// listingRegion reads ?region= and refuses a region outside the scope, so
// a district officer's filter can never name another district.
func listingRegion(q url.Values, sc auth.Scope) (string, error) {
	region := strings.TrimSpace(q.Get("region"))
	if region != "" && !sc.IsAll() && region != sc.RegionCode {
		return "", apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	return region, nil
}

// listingFilter reads the list filters: date, stage, region, board, q.
func (s *Server) listingFilter(q url.Values, sc auth.Scope) (sqlstore.ListingFilter, error) {
	var f sqlstore.ListingFilter
	var err error
	if f.At, err = dateParam(q, "date", s.today()); err != nil {
		return f, err
	}
	if f.RegionCode, err = listingRegion(q, sc); err != nil {
		return f, err
	}
	if v := strings.TrimSpace(q.Get("stage")); v != "" {
		if !listing.Stage(v).Valid() {
			return f, badParam("stage", "unknown stage")
		}
		f.Stage = listing.Stage(v)
	}
	if v := strings.TrimSpace(q.Get("board")); v != "" {
		if !listing.Board(v).Valid() {
			return f, badParam("board", "unknown board")
		}
		f.Board = listing.Board(v)
	}
	f.Query = strings.TrimSpace(q.Get("q"))
	if len([]rune(f.Query)) > 100 {
		return f, badParam("q", "too long")
	}
	return f, nil
}

// listingRecords reads the records in the user's scope for statistics.
func (s *Server) listingRecords(r *http.Request, u auth.User, region string) ([]listing.Record, error) {
	firms, err := s.store.ListingRecords(r.Context(), u.ScopeOf(), sqlstore.ListingRecordFilter{RegionCode: region})
	if err != nil {
		return nil, err
	}
	return sqlstore.Records(firms), nil
}

// --- handlers ---

// apiListingSummary is the pipeline at ?date= (today by default): how many
// firms stand at each stage, and the listed companies.
func (s *Server) apiListingSummary(w http.ResponseWriter, r *http.Request, u auth.User) error {
	q := r.URL.Query()
	at, err := dateParam(q, "date", s.today())
	if err != nil {
		return err
	}
	region, err := listingRegion(q, u.ScopeOf())
	if err != nil {
		return err
	}
	recs, err := s.listingRecords(r, u, region)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.listingSummary(recs, at, region))
	return nil
}

func (s *Server) listingSummary(recs []listing.Record, at time.Time, region string) apiListingSummary {
	c := listing.CountsAt(recs, at)
	out := apiListingSummary{Date: dateString(at), Region: region, InPipeline: c.InPipeline, Listed: toAPIListed(c.Listed), Records: c.Records}
	for _, st := range listing.AllStages {
		out.Stages = append(out.Stages, apiListingStageCount{Stage: string(st), NameZh: s.message(i18n.ZH, "listing.stage."+string(st)),
			NameEn: s.message(i18n.EN, "listing.stage."+string(st)), Count: c.ByStage[st]})
	}
	return out
}

// maxListingYears bounds ?from=&to=.
const maxListingYears = 30

// apiListingYears returns each year's transitions, listings by kind and
// board, domestic IPO proceeds with growth, and the year-end stock.
func (s *Server) apiListingYears(w http.ResponseWriter, r *http.Request, u auth.User) error {
	q := r.URL.Query()
	to, err := intParam(q, "to", s.today().Year(), 1990, 2100)
	if err != nil {
		return err
	}
	from, err := intParam(q, "from", to-4, 1990, 2100)
	if err != nil {
		return err
	}
	if from > to || to-from >= maxListingYears {
		return badParam("from", "want from ≤ to within 30 years")
	}
	region, err := listingRegion(q, u.ScopeOf())
	if err != nil {
		return err
	}
	recs, err := s.listingRecords(r, u, region)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listingYearsJSON(recs, from, to, region))
	return nil
}

func listingYearsJSON(recs []listing.Record, from, to int, region string) apiListingYears {
	out := apiListingYears{From: from, To: to, Region: region, Years: []apiListingYear{}}
	for _, y := range listing.Yearly(recs, from, to) {
		ay := apiListingYear{Year: y.Year, Entered: map[string]int{}, NewTutoring: y.Entered[listing.StageTutoring],
			Listings:      apiListingCount(y.Listings),
			IPOProceedsYi: y.IPOProceeds.Yi100m(), OverseasProceedsYi: y.OverseasProceeds.Yi100m(),
			ListedAtEnd: toAPIListed(y.ListedAtEnd), InTutoringAtEnd: y.InTutoringAtEnd}
		for st, n := range y.Entered {
			ay.Entered[string(st)] = n
		}
		if y.GrowthKnown {
			ay.ProceedsGrowthPct = ptr(y.ProceedsGrowthPct)
		}
		out.Years = append(out.Years, ay)
	}
	return out
}

// apiListingFirms lists the firms in scope by their state at ?date=.
func (s *Server) apiListingFirms(w http.ResponseWriter, r *http.Request, u auth.User) error {
	q := r.URL.Query()
	f, err := s.listingFilter(q, u.ScopeOf())
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
	res, err := s.store.ListListingFirms(r.Context(), u.ScopeOf(), f)
	if err != nil {
		return err
	}
	out := apiListingPage{Date: dateString(f.At), Items: make([]apiListingFirm, 0, len(res.Items)), Total: res.Total, Page: page, PerPage: perPage}
	for _, it := range res.Items {
		out.Items = append(out.Items, toAPIListingFirm(it))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiListingFirm is one firm's history; outside the scope it is 404.
func (s *Server) apiListingFirm(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	f, err := s.store.ListingRecord(r.Context(), u.ScopeOf(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPIListingHistory(f))
	return nil
}

// maxListingBody bounds the JSON body of a stage event.
const maxListingBody = 16 << 10

// apiListingRecord records the next stage event of a firm: validated
// against its history and written in one transaction (201 with the new
// history). With expect_events the write is refused (409) when the record
// changed since the client read it.
func (s *Server) apiListingRecord(w http.ResponseWriter, r *http.Request, u auth.User) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	ev, opts, err := decodeListingEvent(http.MaxBytesReader(w, r.Body, maxListingBody))
	if err != nil {
		return err
	}
	opts.By = u.Username
	f, err := s.store.AppendListingEvent(r.Context(), u.ScopeOf(), id, ev, opts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toAPIListingHistory(f))
	return nil
}

// decodeListingEvent reads and shape-checks the body; the history rules
// are the domain's.
func decodeListingEvent(body io.Reader) (listing.Event, sqlstore.AppendOptions, error) {
	var in apiListingEventInput
	opts := sqlstore.AppendOptions{ExpectEvents: -1}
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return listing.Event{}, opts, apperr.New(apperr.TooLarge, "api.err.bad_param", "body", "too large")
		}
		return listing.Event{}, opts, badParam("body", "not a JSON event: "+err.Error())
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
			return ev, opts, badParam("proceeds_wan", "want a plain decimal in 万元 with at most 6 decimals")
		}
		ev.Proceeds = unit.Fen(v)
	}
	if in.ExpectEvents != nil {
		if *in.ExpectEvents < 0 {
			return ev, opts, badParam("expect_events", "must not be negative")
		}
		opts.ExpectEvents = *in.ExpectEvents
	}
	return ev, opts, nil
}

func parseBodyDate(name, v string, required bool) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			return time.Time{}, badParam(name, "required, YYYY-MM-DD")
		}
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil || t.Year() < 1980 || t.Year() > 2100 {
		return time.Time{}, badParam(name, "want YYYY-MM-DD")
	}
	return t, nil
}

// apiListingFirmsXLSX exports the list with the same filters, all pages.
func (s *Server) apiListingFirmsXLSX(w http.ResponseWriter, r *http.Request, u auth.User) error {
	f, err := s.listingFilter(r.URL.Query(), u.ScopeOf())
	if err != nil {
		return err
	}
	f.Limit = maxExportRows
	res, err := s.store.ListListingFirms(r.Context(), u.ScopeOf(), f)
	if err != nil {
		return err
	}
	lang := Lang(r)
	header, rows := s.listingTable(lang, res.Items)
	var buf bytes.Buffer
	if err := tabular.WriteXLSX(&buf, s.message(lang, "listing.export.sheet"), header, rows); err != nil {
		return err
	}
	name := fmt.Sprintf("listing-%s.xlsx", dateString(f.At))
	if f.Stage != "" {
		name = fmt.Sprintf("listing-%s-%s.xlsx", f.Stage, dateString(f.At))
	}
	sendFile(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name, &buf)
	return nil
}

// listingTable renders list items as export rows with headers in lang;
// stage, board and kind in words, proceeds in 万元.
func (s *Server) listingTable(lang string, items []sqlstore.ListingItem) ([]string, [][]string) {
	keys := []string{"credit_code", "name", "region", "stage", "since", "agreed_on", "sponsor", "board", "kind", "proceeds_wan"}
	header := make([]string, len(keys))
	for i, k := range keys {
		header[i] = s.message(lang, "listing.col."+k)
	}
	word := func(prefix, v string) string {
		if v == "" {
			return ""
		}
		return s.message(lang, prefix+v)
	}
	rows := make([][]string, 0, len(items))
	for _, it := range items {
		regionName := it.RegionCode
		if rg, ok := s.regions.ByCode(it.RegionCode); ok {
			regionName = pickLang(lang, rg.NameZh, rg.NameEn)
		}
		st := it.State
		proceeds := ""
		if st.Proceeds != 0 {
			proceeds = unit.FormatScaled(int64(st.Proceeds), int64(unit.Wan))
		}
		rows = append(rows, []string{it.CreditCode, it.Name, regionName, word("listing.stage.", string(st.Stage)), dateString(st.Since),
			dateString(st.AgreedOn), st.Sponsor, word("listing.board.", string(st.Board)), word("listing.kind.", string(st.Kind)), proceeds})
	}
	return header, rows
}

// listingStageWord is a stage in lang, for pages.
func (s *Server) listingStageWord(lang string, st listing.Stage) string {
	return s.message(lang, "listing.stage."+string(st))
}
