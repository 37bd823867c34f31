package federationweb

import (
	"crypto/rand"
	"errors"
	"net/http"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/web"
)

// federationPage is GET /federation: the joint platform's figures, the
// peers' state and the user's bookings of peers' instruments, each shown
// to those who may see it.
type federationPage struct {
	web.BasePage
	Enabled  bool
	Instance string
	Joint    *apiJoint
	Peers    []apiPeer
	Bookings []apiBooking
	ShowBook bool
	// Settlements: this instance's firms' vouchers applied at peers'
	// instruments, for the bureau that issued them.
	Settlements []settlementView
}

// settlementView is a row of the bureau's settlements, in yuan.
type settlementView struct {
	apiSettlement
	Evidence, Reserved, Settled string
}

func yuanText(fen int64) string { return "¥" + web.FormatNumber(float64(fen)/100, 2) }

func (m *module) page(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !c.Can(permRead) && !c.Can(permOperate) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	p := federationPage{Enabled: m.svc.Enabled()}
	p.BasePage = m.core.Base(r, c, "federation.title", "federation")
	if p.Enabled {
		p.Instance = m.svc.Config().Instance
		if c.Can(permStats) {
			j, err := m.joint(r)
			if err != nil {
				return err
			}
			p.Joint = &j
		}
		if c.Can(permOperate) {
			ps, err := m.peers(r)
			if err != nil {
				return err
			}
			p.Peers = ps
			bs, err := m.svc.Settlements(r.Context())
			if err != nil {
				return err
			}
			for _, b := range bs {
				v := settlementView{apiSettlement: toSettlement(b), Reserved: yuanText(b.VoucherReserved), Settled: yuanText(b.VoucherSettled)}
				if v.EvidenceFen != nil {
					v.Evidence = yuanText(*v.EvidenceFen)
				}
				p.Settlements = append(p.Settlements, v)
			}
		}
		if c.Can(permOrder) {
			p.ShowBook = true
			bs, err := m.svc.MyBookings(r.Context(), c.User)
			if err != nil {
				return err
			}
			for _, b := range bs {
				p.Bookings = append(p.Bookings, toBooking(b))
			}
		}
	}
	return m.core.Render(w, r, c, "federation.html", p)
}

// instrumentView is GET /federation/instruments/{home}/{id}: a peer's
// instrument as mirrored here, with the mirror's age.
type instrumentView struct {
	web.BasePage
	R       apiRecord
	Age     string
	Value   string
	Avail   []availDay
	Partner []itemPrice
	Book    *bookForm // the booking form, for a user who may order
	Error   string    // a failed booking's message (the form's redirect)
}

// bookForm is the booking form of a mirrored instrument's slot items; Key
// is the idempotency key of this rendering, so a resubmitted form returns
// the same booking.
type bookForm struct {
	Items []itemPrice
	Key   string
	Start string // a default: tomorrow 09:00 at the home
	// Voucher offers the user's firm's voucher (enterprise users).
	Voucher bool
	// Free are the home's free one-hour starts (its answer to a signed
	// query); when the home does not answer, FreeErr says so and the form
	// takes any start, which the home checks.
	Free    []web.Option
	FreeErr string
}

type availDay struct {
	Day  string
	Free int
}

type itemPrice struct {
	Name, Mode, Unit, Price string
	ID                      int64
}

func (m *module) instrumentPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !c.Can(permRead) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rec, av, at, err := m.svc.MirrorInstrument(r.Context(), r.PathValue("home"), id)
	if err != nil {
		return err
	}
	p := instrumentView{R: apiRecord{Record: rec, Avail: av, UpdatedAt: stamp(at)}}
	p.BasePage = m.core.Base(r, c, "federation.instrument", "federation")
	p.Age = m.core.T(c.Lang, "federation.age", web.FormatNumber(time.Since(at).Minutes(), 0))
	p.Value = "¥" + web.FormatNumber(float64(rec.OriginalValue)/100, 0)
	if av != nil {
		d0, _ := time.Parse(time.DateOnly, av.From)
		for i, h := range av.FreeHours {
			p.Avail = append(p.Avail, availDay{Day: d0.AddDate(0, 0, i).Format("01-02"), Free: h})
		}
	}
	for _, it := range rec.Items {
		ip := itemPrice{Name: it.Name, Mode: it.Mode, Unit: it.Unit, Price: "–", ID: it.ID}
		best := ""
		for _, rt := range it.Rates {
			if rt.Category == "partner" && rt.EffectiveFrom >= best {
				best, ip.Price = rt.EffectiveFrom, "¥"+web.FormatNumber(float64(rt.PriceFen)/100, 0)
			}
		}
		p.Partner = append(p.Partner, ip)
		if it.Mode != string(instruments.SampleSending) && p.Book == nil && c.Can(permOrder) {
			p.Book = &bookForm{Key: "form-" + rand.Text(), Start: time.Now().In(instruments.Zone).AddDate(0, 0, 1).Format("2006-01-02") + "T09:00",
				Voucher: c.User.EnterpriseID != 0}
		}
		if it.Mode != string(instruments.SampleSending) && p.Book != nil {
			p.Book.Items = append(p.Book.Items, ip)
		}
	}
	if p.Book != nil {
		f, err := m.svc.RemoteFree(r.Context(), rec.Home, rec.ID)
		var ae *apperr.Error
		switch {
		case errors.As(err, &ae):
			p.Book.FreeErr = m.core.T(c.Lang, ae.Key, ae.Args...)
		case err != nil:
			return err
		}
		for _, st := range f.Starts {
			at := time.Unix(st, 0).In(instruments.Zone)
			p.Book.Free = append(p.Book.Free, web.Option{Value: at.Format("2006-01-02T15:04"), Label: at.Format("01-02 15:04")})
		}
	}
	p.Error = r.URL.Query().Get("error")
	return m.core.Render(w, r, c, "federation_instrument.html", p)
}
