package instrumentsweb

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
	"github.com/industrybrain/ibrain/internal/web"
)

// pageData is what static/instruments.js reads: its texts.
type pageData struct {
	Text map[string]string `json:"text"`
}

type facetView struct {
	Name    string
	Label   string
	Options []web.Option
}

type hitView struct {
	URL, Name, Model, Maker, Unit, Class, Region, Price, Rating string
	Home                                                        string // a federation peer's id for a mirrored instrument
	Uses                                                        int
	Offline                                                     bool
}

// searchPage is GET /instruments: the catalogue searched like a shop.
type searchPage struct {
	web.BasePage
	Q       string
	Total   int
	Facets  []facetView
	Hits    []hitView
	Prev    string
	Next    string
	Summary string
}

func yuan(lang string, f unit.Fen) string {
	return "¥" + web.FormatNumber(float64(f)/float64(unit.Yuan), 0)
}

func (m *module) searchPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !c.Can(permRead) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	lang := c.Lang
	t := func(k string, a ...any) string { return m.core.T(lang, k, a...) }
	res, err := m.search(r, c)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p := searchPage{Q: q.Get("q"), Total: res.Total}
	p.BasePage = m.core.Base(r, c, "instruments.title", "instruments")
	for _, name := range []string{"class", "region", "unit_type", "mode", "band"} {
		fv := facetView{Name: name, Label: t("instruments.facet." + name)}
		fv.Options = append(fv.Options, web.Option{Value: "", Label: t("instruments.facet.all")})
		for _, f := range res.Facets[name] {
			fv.Options = append(fv.Options, web.Option{Value: f.Value, Label: f.Label + " (" + strconv.Itoa(f.N) + ")", Selected: q.Get(name) == f.Value})
		}
		// A chosen value keeps its option even when the counts omit it.
		if v := q.Get(name); v != "" && len(res.Facets[name]) == 0 {
			fv.Options = append(fv.Options, web.Option{Value: v, Label: m.facetLabel(lang, name, v), Selected: true})
		}
		p.Facets = append(p.Facets, fv)
	}
	for _, h := range res.Hits {
		hv := hitView{URL: "/instruments/" + strconv.FormatInt(h.ID, 10), Name: h.Name, Model: h.Model, Maker: h.Manufacturer, Unit: h.Unit.Name,
			Class: h.Class, Region: m.facetLabel(lang, "region", h.Region), Uses: h.Uses, Offline: h.Status == string(instruments.Offline), Price: "–", Rating: "–"}
		if h.Home != "" { // mirrored from a federation peer: its page is the federation's
			hv.URL, hv.Home = "/federation/instruments/"+h.Home+"/"+strconv.FormatInt(h.ID, 10), h.Home
		}
		if h.PriceFromFen > 0 {
			hv.Price = t("instruments.price_from", yuan(lang, unit.Fen(h.PriceFromFen)))
		}
		if h.RatingN > 0 {
			hv.Rating = web.FormatNumber(h.Rating, 1) + " (" + strconv.Itoa(h.RatingN) + ")"
		}
		p.Hits = append(p.Hits, hv)
	}
	p.Summary = t("instruments.found", res.Total)
	limit, _ := web.IntParam(q, "limit", 20, 1, 100)
	offset, _ := web.IntParam(q, "offset", 0, 0, 1_000_000)
	page := func(off int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("offset", strconv.Itoa(off))
		return "/instruments?" + v.Encode()
	}
	if offset > 0 {
		p.Prev = page(max(0, offset-limit))
	}
	if offset+limit < res.Total {
		p.Next = page(offset + limit)
	}
	return m.core.Render(w, r, c, "instruments.html", p)
}

type rateView struct{ Category, Price string }

type itemView struct {
	ID          int64
	Name, Mode  string
	Unit        string
	Rates       []rateView
	Slotted     bool
	ChargeLabel string
}

type slotView struct{ Day, From, To string }

// instrumentPage is GET /instruments/{id}: the catalogue entry, prices,
// rules, the booked slots of the next two weeks, reviews, and for those
// who may order a booking form (static/instruments.js posts it).
type instrumentPage struct {
	web.BasePage
	I        apiInstrument
	Value    string
	Modes    string
	Status   string
	Items    []itemView
	Rules    []web.Option
	Slots    []slotView
	Reviews  []reviewView
	CanOrder bool
	Tomorrow string
	Data     pageData
	opsView  // photos, documents, upload (pages_ops.go)
}

type reviewView struct {
	Stars   string
	Tags    string
	Comment string
	Day     string
	Reply   string // the owner's reply
	Hidden  string // why the operator hid it (the author and the operator see it)
	OrderID int64
	// The forms under it: the owner's reply until moderation, the
	// operator's hide or restore.
	CanReply    bool
	CanModerate bool
	IsHidden    bool
}

func (m *module) instrumentPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !c.Can(permRead) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	lang := c.Lang
	t := func(k string, a ...any) string { return m.core.T(lang, k, a...) }
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	d, err := m.svc.Detail(r.Context(), id)
	if err != nil {
		return err
	}
	p := instrumentPage{I: m.detailAPI(lang, d), CanOrder: c.Can(permOrder) && d.Status == instruments.Open}
	p.BasePage = m.core.Base(r, c, "instruments.title", "instruments")
	p.Title = d.Name
	p.Scripts = []string{"app.js", "instruments.js"}
	p.Data = pageData{Text: m.core.Prefixed(lang, "js.instruments.")}
	p.Value = t("instruments.wan", web.FormatNumber(d.OriginalValue.Yuan10k(), 1))
	p.Status = t("instruments.status." + string(d.Status))
	for i, md := range d.Modes {
		if i > 0 {
			p.Modes += " · "
		}
		p.Modes += t("instruments.mode." + string(md))
	}
	for _, it := range d.Items {
		iv := itemView{ID: it.ID, Name: it.Name, Mode: t("instruments.mode." + string(it.Mode)), Unit: t("instruments.unit." + string(it.Unit)), Slotted: it.Mode.Slotted()}
		for _, cat := range instruments.Categories {
			if price, err := it.PriceFor(cat, m.core.Today()); err == nil {
				iv.Rates = append(iv.Rates, rateView{Category: t("instruments.category." + string(cat)), Price: yuan(lang, price) + " / " + iv.Unit})
			}
		}
		iv.ChargeLabel = iv.Name + " · " + iv.Mode
		p.Items = append(p.Items, iv)
	}
	rl := d.Rules
	p.Rules = []web.Option{
		{Label: t("instruments.rule.approval"), Value: t("instruments.approval." + string(rl.Approval))},
		{Label: t("instruments.rule.lead"), Value: t("instruments.minutes", rl.LeadMinutes)},
		{Label: t("instruments.rule.horizon"), Value: t("instruments.days", rl.HorizonDays)},
		{Label: t("instruments.rule.block"), Value: t("instruments.block", rl.MinBlockMinutes, rl.MaxBlockMinutes, rl.GranularityMinutes)},
		{Label: t("instruments.rule.quota"), Value: t("instruments.minutes", rl.DailyQuotaMinutes)},
		{Label: t("instruments.rule.hours"), Value: hhmm(rl.OpenFromMinute) + "–" + hhmm(rl.OpenToMinute)},
		{Label: t("instruments.rule.turnaround"), Value: t("instruments.days", rl.TurnaroundDays)},
		{Label: t("instruments.rule.cancel"), Value: t("instruments.cancel_rule", rl.CancelFreeHours, float64(rl.CancelFeePermille)/10)},
	}
	if err := m.addOps(r, c, d, &p); err != nil {
		return err
	}
	now := time.Now()
	slots, err := m.svc.BookedSlots(r.Context(), id, now, now.AddDate(0, 0, 14))
	if err != nil {
		return err
	}
	for _, o := range slots {
		s, e := o.Start.In(instruments.Zone), o.End.In(instruments.Zone)
		p.Slots = append(p.Slots, slotView{Day: s.Format(time.DateOnly), From: s.Format("15:04"), To: e.Format("15:04")})
	}
	revs, err := m.svc.Reviews(r.Context(), actor(c), id)
	if err != nil {
		return err
	}
	for _, rv := range revs {
		v := reviewView{Stars: strconv.Itoa(rv.Stars) + "★", Comment: rv.Comment, Day: rv.CreatedAt.In(instruments.Zone).Format(time.DateOnly), Reply: rv.Reply,
			OrderID: rv.OrderID, CanReply: p.CanManage && rv.ModeratedBy == 0, CanModerate: c.Can(permOperate), IsHidden: rv.Hidden}
		if rv.Hidden {
			v.Hidden = t("instruments.review_hidden", rv.HiddenReason)
		}
		for i, tag := range rv.Tags {
			if i > 0 {
				v.Tags += " · "
			}
			v.Tags += t("instruments.tag." + tag)
		}
		p.Reviews = append(p.Reviews, v)
	}
	p.Tomorrow = now.In(instruments.Zone).AddDate(0, 0, 1).Format(time.DateOnly)
	return m.core.Render(w, r, c, "instrument.html", p)
}

func hhmm(min int) string {
	if min == 0 {
		min = 24 * 60
	}
	return strconv.Itoa(min/60) + ":" + strconv.Itoa(min%60/10) + strconv.Itoa(min%10)
}

// statsPage is GET /instruments/stats: the platform's figures of a year.
type statsPage struct {
	web.BasePage
	S     apiStats
	Years []web.Option
	Value string
	KPIs  []web.Option
	Usage *usageView // service statistics and evaluation (usage.go)
	Data  usageData
	// CanScore: the operator, who enters the document-judged scores.
	CanScore bool
}

func (m *module) statsPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !c.Can(permStats) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	lang := c.Lang
	t := func(k string, a ...any) string { return m.core.T(lang, k, a...) }
	s, err := m.stats(r, c)
	if err != nil {
		return err
	}
	p := statsPage{S: s, CanScore: c.Can(permOperate)}
	p.BasePage = m.core.Base(r, c, "instruments.stats.title", "instrument-stats")
	for y := m.core.Today().Year(); y >= 2016; y-- {
		p.Years = append(p.Years, web.Option{Value: strconv.Itoa(y), Label: strconv.Itoa(y), Selected: y == s.Year})
	}
	p.KPIs = []web.Option{
		{Label: t("instruments.stats.enrolled", s.Year), Value: web.FormatNumber(float64(s.Enrolled), 0)},
		{Label: t("instruments.stats.removed", s.Year), Value: web.FormatNumber(float64(s.Removed), 0)},
		{Label: t("instruments.stats.total"), Value: web.FormatNumber(float64(s.Total), 0)},
		{Label: t("instruments.stats.value"), Value: t("instruments.yi", web.FormatNumber(s.ValueYi, 2))},
	}
	if p.Usage, p.Data, err = m.addUsage(r, c, s.Year); err != nil {
		return err
	}
	p.Scripts = []string{"echarts.min.js", "app.js", "instrumentstats.js"}
	return m.core.Render(w, r, c, "instrument_stats.html", p)
}

type orderView struct {
	apiOrder
	Instrument string
	URL        string
	StateLabel string
	When       string
	Amount     string
	Voucher    string
	Actions    []web.Option
	CanRate    bool
	CanInvoice bool   // a usage-confirmed order, or an unbilled fee, the caller's unit may bill
	Penalty    string // a late-cancellation or no-show fee (pages_ops.go)
	FlagLabel  string // the kind of window over the slot
}

// ordersPage is GET /instruments/orders: the caller's orders (a manager:
// the unit's) with the actions their state allows; the server decides
// whether the caller may take them.
type ordersPage struct {
	web.BasePage
	Orders []orderView
	Remote []remoteOrderView // the caller's bookings at federation peers
	Data   pageData
	// CanInvoice: the caller is a unit's staff; some orders may be billed.
	CanInvoice bool
	// RemoteError is a refused action on a remote order (the federation
	// API's form redirect carries the home's message).
	RemoteError string
}

// remoteOrderView is a row of the bookings at federation peers: read
// only here, as the home instance is the order's only writer.
type remoteOrderView struct {
	apiRemoteOrder
	When       string
	StateLabel string
	Amount     string
	Voucher    string
	Pulled     string
	Acts       []web.Option // the customer's actions, posted to the federation's API
}

func (m *module) ordersPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !c.Can(permOrder) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	lang := c.Lang
	t := func(k string, a ...any) string { return m.core.T(lang, k, a...) }
	os, err := m.svc.Orders(r.Context(), actor(c))
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	p := ordersPage{Data: pageData{Text: m.core.Prefixed(lang, "js.instruments.")}, RemoteError: r.URL.Query().Get("error")}
	p.BasePage = m.core.Base(r, c, "instruments.orders.title", "instrument-orders")
	p.Scripts = []string{"app.js", "instruments.js"}
	names := map[int64]string{}
	// Unit staff bill their unit's usage-confirmed orders (invoices.go);
	// the service refuses an order they do not manage.
	staff := c.Can(permManage) || c.Can(permManageUnit)
	for _, o := range os {
		ov := orderView{apiOrder: toAPIOrder(o), URL: "/instruments/" + strconv.FormatInt(o.InstrumentID, 10), StateLabel: t("instruments.state." + string(o.State)),
			Amount: yuan(lang, o.Amount), Voucher: yuan(lang, o.VoucherAmount)}
		if _, ok := names[o.InstrumentID]; !ok {
			if d, err := m.svc.Detail(r.Context(), o.InstrumentID); err == nil {
				names[o.InstrumentID] = d.Name
			}
		}
		ov.Instrument = names[o.InstrumentID]
		ov.Penalty, ov.FlagLabel = m.orderOps(lang, o)
		if !o.Start.IsZero() {
			s, e := o.Start.In(instruments.Zone), o.End.In(instruments.Zone)
			ov.When = s.Format("2006-01-02 15:04") + "–" + e.Format("15:04")
		} else {
			ov.When = t("instruments.due", o.DueOn)
		}
		seen := map[string]bool{}
		for _, tr := range instruments.Transitions {
			if tr.From == o.State && !seen[tr.Action] && tr.Action != instruments.OrderRate {
				seen[tr.Action] = true
				ov.Actions = append(ov.Actions, web.Option{Value: tr.Action, Label: t("instruments.action." + tr.Action)})
			}
		}
		// A cancelled or no-show order's fee is invoiced and paid on
		// its own machine (order.go).
		for _, tr := range instruments.FeeTransitions {
			if o.HasFee() && tr.From == o.FeeState && !seen[tr.Action] {
				seen[tr.Action] = true
				ov.Actions = append(ov.Actions, web.Option{Value: tr.Action, Label: t("instruments.action." + tr.Action)})
			}
		}
		ov.CanRate = o.State == instruments.Paid && o.UserID == c.User.ID
		billable := o.State == instruments.UsageConfirmed || o.HasFee() && o.FeeState == instruments.FeeUnbilled
		ov.CanInvoice = staff && billable && o.UserID != c.User.ID
		p.CanInvoice = p.CanInvoice || ov.CanInvoice
		p.Orders = append(p.Orders, ov)
	}
	rs, err := m.svc.RemoteOrders(r.Context(), actor(c))
	if err != nil {
		return err
	}
	for _, o := range rs {
		rv := remoteOrderView{apiRemoteOrder: toAPIRemoteOrder(o), StateLabel: t("instruments.state." + o.State),
			Amount: yuan(lang, o.Amount), Voucher: yuan(lang, o.Voucher), Pulled: o.UpdatedAt.In(instruments.Zone).Format("2006-01-02 15:04")}
		for _, a := range rv.Actions {
			rv.Acts = append(rv.Acts, web.Option{Value: a, Label: t("instruments.action." + a)})
		}
		if !o.Start.IsZero() {
			s, e := o.Start.In(instruments.Zone), o.End.In(instruments.Zone)
			rv.When = s.Format("2006-01-02 15:04") + "–" + e.Format("15:04")
		}
		p.Remote = append(p.Remote, rv)
	}
	return m.core.Render(w, r, c, "instrument_orders.html", p)
}
