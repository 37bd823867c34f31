package instrumentsweb

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
	"github.com/industrybrain/ibrain/internal/web"
)

// Wire types.
type (
	apiRate struct {
		Category      string `json:"category"`
		EffectiveFrom string `json:"effective_from"`
		PriceFen      int64  `json:"price_fen"`
	}
	apiItem struct {
		ID         int64     `json:"id"`
		Name       string    `json:"name"`
		Mode       string    `json:"mode"`
		ChargeUnit string    `json:"charge_unit"`
		Rates      []apiRate `json:"rates"`
	}
	apiUnit struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
		Type string `json:"type"`
	}
	apiInstrument struct {
		Home             string             `json:"home,omitempty"`
		ID               int64              `json:"id"`
		GlobalID         string             `json:"global_id"`
		Name             string             `json:"name"`
		ClassCode        string             `json:"class_code"`
		Class            string             `json:"class"`
		Subclass         string             `json:"subclass"`
		Model            string             `json:"model"`
		Manufacturer     string             `json:"manufacturer"`
		Country          string             `json:"country"`
		OriginalValueFen int64              `json:"original_value_fen"`
		PurchaseDate     string             `json:"purchase_date"`
		Location         string             `json:"location"`
		Region           string             `json:"region"`
		Specs            string             `json:"specs"`
		Capabilities     string             `json:"capabilities"`
		SampleReq        string             `json:"sample_requirements"`
		Contact          string             `json:"contact"`
		Modes            []string           `json:"modes"`
		Status           string             `json:"status"`
		OfflineUntil     string             `json:"offline_until,omitempty"`
		RetireReason     string             `json:"retire_reason,omitempty"`
		EnrolledOn       string             `json:"enrolled_on"`
		RemovedOn        string             `json:"removed_on,omitempty"`
		Unit             apiUnit            `json:"unit"`
		PriceFromFen     int64              `json:"price_from_fen"`
		Uses             int                `json:"uses"`
		Rating           float64            `json:"rating"`
		RatingN          int                `json:"rating_n"`
		Items            []apiItem          `json:"items,omitempty"`
		Rules            *instruments.Rules `json:"rules,omitempty"`
	}
	apiFacet struct {
		Value string `json:"value"`
		Label string `json:"label"`
		N     int    `json:"n"`
	}
	apiSearch struct {
		Total  int                   `json:"total"`
		Hits   []apiInstrument       `json:"hits"`
		Facets map[string][]apiFacet `json:"facets"`
	}
	apiShare struct {
		Key      string  `json:"key"`
		Label    string  `json:"label"`
		New      int     `json:"new"`
		N        int     `json:"n"`
		SharePct float64 `json:"share_pct"`
	}
	apiFlow struct {
		Year     int `json:"year"`
		Enrolled int `json:"enrolled"`
		Removed  int `json:"removed"`
		Total    int `json:"total"`
	}
	apiStats struct {
		Year       int        `json:"year"`
		Enrolled   int        `json:"enrolled"`
		Removed    int        `json:"removed"`
		Total      int        `json:"total"`
		ValueFen   int64      `json:"value_fen"`
		ValueYi    float64    `json:"value_yi"`
		ByType     []apiShare `json:"by_type"`
		TopUnits   []apiShare `json:"top_units"`
		TopClasses []apiShare `json:"top_classes"`
		Flows      []apiFlow  `json:"flows"`
	}
	apiOrder struct {
		ID              int64  `json:"id"`
		InstrumentID    int64  `json:"instrument_id"`
		ItemID          int64  `json:"item_id"`
		State           string `json:"state"`
		Mode            string `json:"mode"`
		Category        string `json:"category"`
		Start           string `json:"start,omitempty"`
		End             string `json:"end,omitempty"`
		DueOn           string `json:"due_on,omitempty"`
		Samples         int    `json:"samples"`
		UnitPriceFen    int64  `json:"unit_price_fen"`
		ChargeUnit      string `json:"charge_unit"`
		BookedMinutes   int    `json:"booked_minutes"`
		ActualMinutes   int    `json:"actual_minutes"`
		BillableMinutes int    `json:"billable_minutes"`
		AmountFen       int64  `json:"amount_fen"`
		VoucherFen      int64  `json:"voucher_fen"`
		CreatedAt       string `json:"created_at"`
		PenaltyFen      int64  `json:"penalty_fen"`             // late-cancellation or no-show fee
		PenaltyState    string `json:"penalty_state,omitempty"` // the fee's billing: invoiced or paid
		Flag            string `json:"flag,omitempty"`          // maintenance or outage over the slot
		FlagNote        string `json:"flag_note,omitempty"`     // its note
	}
	apiOrders struct {
		Orders       []apiOrder       `json:"orders"`
		RemoteOrders []apiRemoteOrder `json:"remote_orders"` // the caller's bookings at federation peers
	}
	apiRemoteOrder struct {
		ID             int64  `json:"id"`
		Home           string `json:"home"`
		InstrumentID   int64  `json:"instrument_id"`
		InstrumentName string `json:"instrument_name"`
		Start          string `json:"start,omitempty"`
		End            string `json:"end,omitempty"`
		State          string `json:"state"`
		UnitPriceFen   int64  `json:"unit_price_fen"`
		AmountFen      int64  `json:"amount_fen"`
		UpdatedAt      string `json:"updated_at"`
		URL            string `json:"url"`
		VoucherFen     int64  `json:"voucher_fen"`             // reserved, then settled on the home's evidence
		VoucherState   string `json:"voucher_state,omitempty"` // requested, reserved, settled, released
		// Actions the customer may take, done at the home on their behalf.
		Actions []string `json:"actions"`
	}
	bookBody struct {
		ItemID  int64  `json:"item_id"`
		Start   string `json:"start,omitempty"`
		End     string `json:"end,omitempty"`
		Samples int    `json:"samples,omitempty"`
		Note    string `json:"note,omitempty"`
	}
	actionBody struct {
		Action          string `json:"action"`
		ActualMinutes   int    `json:"actual_minutes,omitempty"`
		BillableMinutes int    `json:"billable_minutes,omitempty"`
		Samples         int    `json:"samples,omitempty"`
	}
	reviewBody struct {
		Stars   int      `json:"stars"`
		Tags    []string `json:"tags,omitempty"`
		Comment string   `json:"comment,omitempty"`
	}
	lifecycleBody struct {
		Action string `json:"action"`
		Until  string `json:"until,omitempty"`
		Reason string `json:"reason,omitempty"`
	}
	voucherBody struct {
		Kind         string `json:"kind"`
		Year         int    `json:"year"`
		EnterpriseID int64  `json:"enterprise_id,omitempty"`
		AmountFen    int64  `json:"amount_fen"`
	}
	calendarBody struct {
		InstrumentID int64 `json:"instrument_id,omitempty"`
	}
	apiCalendar struct {
		Token string `json:"token"`
		URL   string `json:"url"`
	}
	createRate struct {
		Category      string `json:"category"`
		EffectiveFrom string `json:"effective_from"`
		PriceFen      int64  `json:"price_fen"`
	}
	createItem struct {
		Name       string       `json:"name"`
		Mode       string       `json:"mode"`
		ChargeUnit string       `json:"charge_unit"`
		Rates      []createRate `json:"rates"`
	}
	createBody struct {
		UnitID           int64        `json:"unit_id,omitempty"`
		LocalID          string       `json:"local_id"`
		Name             string       `json:"name"`
		ClassCode        string       `json:"class_code"`
		Subclass         string       `json:"subclass,omitempty"`
		Model            string       `json:"model,omitempty"`
		Manufacturer     string       `json:"manufacturer,omitempty"`
		Country          string       `json:"country,omitempty"`
		OriginalValueFen int64        `json:"original_value_fen"`
		PurchaseDate     string       `json:"purchase_date,omitempty"`
		Location         string       `json:"location,omitempty"`
		Region           string       `json:"region,omitempty"`
		Specs            string       `json:"specs,omitempty"`
		Capabilities     string       `json:"capabilities,omitempty"`
		SampleReq        string       `json:"sample_requirements,omitempty"`
		Contact          string       `json:"contact,omitempty"`
		Modes            []string     `json:"modes"`
		Items            []createItem `json:"items,omitempty"`
	}
)

// className is a class's name in the language.
func className(lang, code string) string {
	cs, err := instruments.Classes()
	if err != nil {
		return code
	}
	if c, ok := instruments.ClassByCode(cs, code); ok {
		return web.PickLang(lang, c.NameZH, c.NameEN)
	}
	return code
}

func (m *module) toAPI(lang string, in instruments.Instrument, u instruments.Unit, priceFrom unit.Fen, uses int, rating float64, ratingN int) apiInstrument {
	a := apiInstrument{ID: in.ID, GlobalID: instruments.GlobalID(m.svc.Prefix(), in.UnitID, in.LocalID), Name: in.Name, ClassCode: in.ClassCode,
		Class: className(lang, in.ClassCode), Subclass: in.Subclass, Model: in.Model, Manufacturer: in.Manufacturer, Country: in.Country,
		OriginalValueFen: int64(in.OriginalValue), PurchaseDate: in.PurchaseDate, Location: in.Location, Region: in.RegionCode, Specs: in.Specs,
		Capabilities: in.Capabilities, SampleReq: in.SampleReq, Contact: in.Contact, Modes: []string{}, Status: string(in.Status),
		OfflineUntil: in.OfflineUntil, RetireReason: in.RetireReason, EnrolledOn: in.EnrolledOn, RemovedOn: in.RemovedOn,
		Unit: apiUnit{ID: u.ID, Name: u.Name, Type: string(u.Type)}, PriceFromFen: int64(priceFrom), Uses: uses, Rating: math.Round(rating*100) / 100, RatingN: ratingN}
	for _, md := range in.Modes {
		a.Modes = append(a.Modes, string(md))
	}
	return a
}

func (m *module) detailAPI(lang string, d instruments.Detail) apiInstrument {
	var from unit.Fen
	a := m.toAPI(lang, d.Instrument, d.Unit, from, d.Uses, d.Rating, d.RatingN)
	a.Items = []apiItem{}
	for _, it := range d.Items {
		ai := apiItem{ID: it.ID, Name: it.Name, Mode: string(it.Mode), ChargeUnit: string(it.Unit), Rates: []apiRate{}}
		for _, r := range it.Rates {
			ai.Rates = append(ai.Rates, apiRate{Category: string(r.Category), EffectiveFrom: r.EffectiveFrom, PriceFen: int64(r.Price)})
			if r.Category == instruments.EnterpriseUser && it.Unit == instruments.PerHour && (from == 0 || r.Price < from) {
				from = r.Price
			}
		}
		a.Items = append(a.Items, ai)
	}
	a.PriceFromFen = int64(from)
	rules := d.Rules
	a.Rules = &rules
	return a
}

// searchQuery reads ?q=, ?class=, ?region=, ?unit_type=, ?mode=, ?band=,
// ?limit= and ?offset=.
func searchQuery(r *http.Request) (instruments.SearchQuery, error) {
	q := r.URL.Query()
	limit, err := web.IntParam(q, "limit", 20, 1, 100)
	if err != nil {
		return instruments.SearchQuery{}, err
	}
	offset, err := web.IntParam(q, "offset", 0, 0, 1_000_000)
	if err != nil {
		return instruments.SearchQuery{}, err
	}
	return instruments.SearchQuery{Text: strings.TrimSpace(q.Get("q")), Class: q.Get("class"), Region: q.Get("region"),
		UnitType: instruments.UnitType(q.Get("unit_type")), Mode: instruments.Mode(q.Get("mode")), Band: q.Get("band"), Limit: limit, Offset: offset}, nil
}

func (m *module) search(r *http.Request, c web.Ctx) (apiSearch, error) {
	sq, err := searchQuery(r)
	if err != nil {
		return apiSearch{}, err
	}
	res, err := m.svc.Search(r.Context(), sq)
	if err != nil {
		return apiSearch{}, err
	}
	out := apiSearch{Total: res.Total, Hits: []apiInstrument{}, Facets: map[string][]apiFacet{}}
	for _, h := range res.Hits {
		a := m.toAPI(c.Lang, h.Instrument, instruments.Unit{ID: h.UnitID, Name: h.UnitName, Type: h.UnitType}, h.PriceFrom, h.Uses, h.RatingAvg, h.RatingN)
		if h.Home != "" { // a federation peer's, from its mirrored catalogue
			a.Home, a.GlobalID = h.Home, h.GlobalID
		}
		out.Hits = append(out.Hits, a)
	}
	for _, name := range []string{"class", "region", "unit_type", "mode", "band"} {
		fs := []apiFacet{}
		for _, f := range res.Facets[name] {
			fs = append(fs, apiFacet{Value: f.Value, Label: m.facetLabel(c.Lang, name, f.Value), N: f.N})
		}
		out.Facets[name] = fs
	}
	return out, nil
}

func (m *module) facetLabel(lang, facet, value string) string {
	switch facet {
	case "class":
		return className(lang, value)
	case "region":
		if reg, ok := m.core.Regions().ByCode(value); ok {
			return web.RegionName(lang, reg)
		}
		return value
	}
	return m.core.T(lang, "instruments."+facet+"."+value)
}

// apiSearch is GET /api/v1/instruments.
func (m *module) apiSearch(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	out, err := m.search(r, c)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiInstrument is GET /api/v1/instruments/{id}.
func (m *module) apiInstrument(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	return m.writeDetail(w, r, c, id, http.StatusOK)
}

func (m *module) stats(r *http.Request, c web.Ctx) (apiStats, error) {
	year, err := web.IntParam(r.URL.Query(), "year", 2023, 2000, 2100)
	if err != nil {
		return apiStats{}, err
	}
	s, err := m.svc.Stats(r.Context(), year, 5)
	if err != nil {
		return apiStats{}, err
	}
	out := apiStats{Year: s.Year, Enrolled: s.Enrolled, Removed: s.Removed, Total: s.Total, ValueFen: int64(s.Value),
		ValueYi: math.Round(s.Value.Yi100m()*100) / 100, ByType: []apiShare{}, TopUnits: []apiShare{}, TopClasses: []apiShare{}, Flows: []apiFlow{}}
	share := func(sh instruments.Share, label string) apiShare {
		return apiShare{Key: sh.Key, Label: label, New: sh.New, N: sh.N, SharePct: math.Round(sh.SharePct*100) / 100}
	}
	for _, sh := range s.ByType {
		out.ByType = append(out.ByType, share(sh, m.core.T(c.Lang, "instruments.unit_type."+sh.Key)))
	}
	for _, sh := range s.TopUnits {
		out.TopUnits = append(out.TopUnits, share(sh, sh.Label))
	}
	for _, sh := range s.TopClasses {
		out.TopClasses = append(out.TopClasses, share(sh, className(c.Lang, sh.Key)))
	}
	for _, f := range s.Flows {
		out.Flows = append(out.Flows, apiFlow{Year: f.Year, Enrolled: f.Enrolled, Removed: f.Removed, Total: f.Total})
	}
	return out, nil
}

// apiStats is GET /api/v1/instruments/stats?year=.
func (m *module) apiStats(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	out, err := m.stats(r, c)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// maxBody bounds a request body.
const maxBody = 64 << 10

func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	return web.DecodeJSON(w, r, v, maxBody)
}

// apiCreate is POST /api/v1/instruments: a draft of the caller's unit
// (the operator names the unit).
func (m *module) apiCreate(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	var b createBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	in := instruments.Instrument{UnitID: b.UnitID, LocalID: strings.TrimSpace(b.LocalID), Name: strings.TrimSpace(b.Name), ClassCode: b.ClassCode,
		Subclass: b.Subclass, Model: b.Model, Manufacturer: b.Manufacturer, Country: b.Country, OriginalValue: unit.Fen(b.OriginalValueFen),
		PurchaseDate: b.PurchaseDate, Location: b.Location, RegionCode: b.Region, Specs: b.Specs, Capabilities: b.Capabilities,
		SampleReq: b.SampleReq, Contact: b.Contact}
	for _, md := range b.Modes {
		in.Modes = append(in.Modes, instruments.Mode(md))
	}
	var items []instruments.ServiceItem
	for _, it := range b.Items {
		si := instruments.ServiceItem{Name: it.Name, Mode: instruments.Mode(it.Mode), Unit: instruments.ChargeUnit(it.ChargeUnit)}
		for _, rt := range it.Rates {
			si.Rates = append(si.Rates, instruments.Rate{Category: instruments.Category(rt.Category), EffectiveFrom: rt.EffectiveFrom, Price: unit.Fen(rt.PriceFen)})
		}
		items = append(items, si)
	}
	created, err := m.svc.CreateInstrument(r.Context(), actor(c), in, items)
	if err != nil {
		return err
	}
	return m.writeDetail(w, r, c, created.ID, http.StatusCreated)
}

// apiLifecycle is POST /api/v1/instruments/{id}/lifecycle.
func (m *module) apiLifecycle(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	var b lifecycleBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	if _, err := m.svc.Lifecycle(r.Context(), actor(c), id, instruments.LifecycleChange{Action: b.Action, Until: b.Until, Reason: b.Reason}); err != nil {
		return err
	}
	return m.writeDetail(w, r, c, id, http.StatusOK)
}

func toAPIOrder(o instruments.Order) apiOrder {
	a := apiOrder{ID: o.ID, InstrumentID: o.InstrumentID, ItemID: o.ItemID, State: string(o.State), Mode: string(o.Mode), Category: string(o.Category),
		DueOn: o.DueOn, Samples: o.Samples, UnitPriceFen: int64(o.UnitPrice), ChargeUnit: string(o.ChargeUnit), BookedMinutes: o.BookedMinutes,
		ActualMinutes: o.ActualMinutes, BillableMinutes: o.BillableMinutes, AmountFen: int64(o.Amount), VoucherFen: int64(o.VoucherAmount),
		CreatedAt: o.CreatedAt.UTC().Format(time.RFC3339), PenaltyFen: int64(o.Penalty), PenaltyState: string(o.FeeState), Flag: o.Flag, FlagNote: o.FlagNote}
	if !o.Start.IsZero() {
		a.Start, a.End = o.Start.In(instruments.Zone).Format(time.RFC3339), o.End.In(instruments.Zone).Format(time.RFC3339)
	}
	return a
}

// remoteActions are the customer's steps from a remote order's state
// that the home takes on the user's behalf: cancelling (the home's fees
// apply), paying and rating.
func remoteActions(state string) []string {
	out := []string{}
	for _, tr := range instruments.Transitions {
		if string(tr.From) != state || !slices.Contains(tr.By, instruments.Customer) || slices.Contains(out, tr.Action) {
			continue
		}
		if tr.Action == instruments.OrderCancel || tr.Action == instruments.OrderRate {
			out = append(out, tr.Action)
		}
	}
	return out
}

// toAPIRemoteOrder is a booking at a federation peer with the link to
// the mirrored instrument's page.
func toAPIRemoteOrder(o instruments.RemoteOrder) apiRemoteOrder {
	a := apiRemoteOrder{ID: o.ID, Home: o.Home, InstrumentID: o.InstrumentID, InstrumentName: o.InstrumentName, State: o.State,
		UnitPriceFen: int64(o.UnitPrice), AmountFen: int64(o.Amount), UpdatedAt: o.UpdatedAt.UTC().Format(time.RFC3339),
		URL:        "/federation/instruments/" + url.PathEscape(o.Home) + "/" + strconv.FormatInt(o.InstrumentID, 10),
		VoucherFen: int64(o.Voucher), VoucherState: o.VoucherState, Actions: remoteActions(o.State)}
	if !o.Start.IsZero() {
		a.Start, a.End = o.Start.In(instruments.Zone).Format(time.RFC3339), o.End.In(instruments.Zone).Format(time.RFC3339)
	}
	return a
}

// apiBook is POST /api/v1/instruments/{id}/orders: a slot or a sample
// order.
func (m *module) apiBook(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	var b bookBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	req := instruments.BookRequest{InstrumentID: id, ItemID: b.ItemID, Samples: b.Samples, Note: b.Note}
	if b.Start != "" || b.End != "" {
		if req.Start, err = time.Parse(time.RFC3339, b.Start); err != nil {
			return web.BadParam("start", "not an RFC 3339 time")
		}
		if req.End, err = time.Parse(time.RFC3339, b.End); err != nil {
			return web.BadParam("end", "not an RFC 3339 time")
		}
	}
	o, err := m.svc.Book(r.Context(), actor(c), req)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, toAPIOrder(o))
	return nil
}

// apiOrders is GET /api/v1/instrument-orders: the orders the caller may
// see.
func (m *module) apiOrders(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	os, err := m.svc.Orders(r.Context(), actor(c))
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	out := apiOrders{Orders: []apiOrder{}, RemoteOrders: []apiRemoteOrder{}}
	for _, o := range os {
		out.Orders = append(out.Orders, toAPIOrder(o))
	}
	rs, err := m.svc.RemoteOrders(r.Context(), actor(c))
	if err != nil {
		return err
	}
	for _, o := range rs {
		out.RemoteOrders = append(out.RemoteOrders, toAPIRemoteOrder(o))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiAct is POST /api/v1/instrument-orders/{id}/actions.
func (m *module) apiAct(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	var b actionBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	o, err := m.svc.Act(r.Context(), actor(c), id, instruments.ActRequest{Action: b.Action,
		Usage: instruments.Usage{ActualMinutes: b.ActualMinutes, BillableMinutes: b.BillableMinutes, Samples: b.Samples}})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toAPIOrder(o))
	return nil
}

// apiReview is POST /api/v1/instrument-orders/{id}/review: the one
// rating of a paid order.
func (m *module) apiReview(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	var b reviewBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	o, err := m.svc.Rate(r.Context(), actor(c), id, b.Stars, b.Tags, b.Comment)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toAPIOrder(o))
	return nil
}

// apiVoucher is POST /api/v1/instrument-vouchers: fund a year's budget
// or allocate part of it to a firm.
func (m *module) apiVoucher(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	var b voucherBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	if b.Year < 2000 || b.Year > 2100 {
		return web.BadParam("year", "not a year 2000–2100")
	}
	var err error
	switch b.Kind {
	case "fund":
		err = m.svc.FundVouchers(r.Context(), actor(c), b.Year, unit.Fen(b.AmountFen))
	case "allocate":
		err = m.svc.AllocateVoucher(r.Context(), actor(c), b.EnterpriseID, b.Year, unit.Fen(b.AmountFen))
	default:
		return web.BadParam("kind", "fund or allocate")
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiNewCalendar is POST /api/v1/instrument-calendars: a feed of the
// caller's bookings, or of an instrument they manage.
func (m *module) apiNewCalendar(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	var b calendarBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	token, err := m.svc.NewCalendarFeed(r.Context(), actor(c), b.InstrumentID)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, apiCalendar{Token: token, URL: "/api/v1/instrument-calendars/" + token})
	return nil
}

// apiCalendar is GET /api/v1/instrument-calendars/{token}: the feed as
// text/calendar.
func (m *module) apiCalendar(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	token := r.PathValue("token")
	if len(token) != 64 {
		return apperr.New(apperr.NotFound, "instruments.err.no_feed")
	}
	body, err := m.svc.CalendarFeed(r.Context(), token)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	_, err = w.Write([]byte(body))
	return err
}

// writeDetail answers with an instrument's detail as it is stored now
// (after a write, so the answer shows what the write made of it).
func (m *module) writeDetail(w http.ResponseWriter, r *http.Request, c web.Ctx, id int64, status int) error {
	d, err := m.svc.Detail(r.Context(), id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, status, m.detailAPI(c.Lang, d))
	return nil
}
