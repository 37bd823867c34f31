package federationweb

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/federation"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/web"
)

type (
	apiRecord struct {
		federation.Record
		Avail     *federation.Availability `json:"avail,omitempty"`
		UpdatedAt string                   `json:"updated_at"`
		AgeSec    int64                    `json:"age_seconds"`
	}
	apiBooking struct {
		ID             int64  `json:"id"`
		Home           string `json:"home"`
		HoldID         int64  `json:"hold_id"`
		RemoteOrder    int64  `json:"remote_order_id"`
		InstrumentID   int64  `json:"instrument_id"`
		InstrumentName string `json:"instrument_name"`
		Start          string `json:"start,omitempty"`
		End            string `json:"end,omitempty"`
		State          string `json:"state"`
		UnitPriceFen   int64  `json:"unit_price_fen"`
		AmountFen      int64  `json:"amount_fen"`
		ExpiresAt      string `json:"expires_at"`
		UpdatedAt      string `json:"updated_at"`
		VoucherState   string `json:"voucher_state,omitempty"`
		VoucherFen     int64  `json:"voucher_fen"`
		PenaltyFen     int64  `json:"penalty_fen"`
	}
	apiSettlement struct {
		apiBooking
		UserID          int64  `json:"user_id"`
		EnterpriseID    int64  `json:"enterprise_id"`
		ReservedFen     int64  `json:"reserved_fen"`
		SettledFen      int64  `json:"settled_fen"`
		EvidenceFen     *int64 `json:"evidence_amount_fen,omitempty"`
		BillableMinutes *int   `json:"evidence_billable_minutes,omitempty"`
		SettledAt       string `json:"settled_at,omitempty"`
	}
	apiBookRequest struct {
		Home           string `json:"home"`
		InstrumentID   int64  `json:"instrument_id"`
		ItemID         int64  `json:"item_id"`
		Start          string `json:"start"`
		End            string `json:"end"`
		Samples        int    `json:"samples"`
		Note           string `json:"note"`
		IdempotencyKey string `json:"idempotency_key"`
		Voucher        bool   `json:"voucher"`
	}
	apiPeer struct {
		ID          string  `json:"id"`
		URL         string  `json:"url"`
		FeedCursor  int64   `json:"feed_cursor"`
		OrderCursor int64   `json:"order_cursor"`
		LastAttempt string  `json:"last_attempt,omitempty"`
		LastOK      string  `json:"last_ok,omitempty"`
		LastError   string  `json:"last_error,omitempty"`
		LastCheck   string  `json:"last_check,omitempty"`
		Repairs     int64   `json:"repairs"`
		AgeSec      float64 `json:"age_seconds"` // since the last complete pull; -1 when never
	}
	apiExternal struct {
		Origin      string  `json:"origin"`
		Orders      int     `json:"orders"`
		BookedHours float64 `json:"booked_hours"`
		ActualHours float64 `json:"actual_hours"`
		AmountFen   int64   `json:"amount_fen"`
	}
	apiInstance struct {
		Instance    string        `json:"instance"`
		Own         bool          `json:"own"`
		Instruments int           `json:"instruments"`
		ValueFen    int64         `json:"value_fen"`
		ValueYi     float64       `json:"value_yi"`
		External    []apiExternal `json:"external_service"`
		AsOf        string        `json:"as_of"`
	}
	apiJoint struct {
		Instances   []apiInstance `json:"instances"`
		Instruments int           `json:"instruments"`
		ValueFen    int64         `json:"value_fen"`
		ValueYi     float64       `json:"value_yi"`
	}
)

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func toBooking(b federation.RemoteBooking) apiBooking {
	a := apiBooking{ID: b.ID, Home: b.Home, HoldID: b.HoldID, RemoteOrder: b.RemoteOrder, InstrumentID: b.InstrumentID, InstrumentName: b.InstrumentName,
		State: b.State, UnitPriceFen: b.UnitPrice, AmountFen: b.Amount, ExpiresAt: stamp(b.ExpiresAt), UpdatedAt: stamp(b.UpdatedAt),
		VoucherState: b.VoucherState, VoucherFen: b.VoucherShare(), PenaltyFen: b.Penalty}
	if !b.Start.IsZero() {
		a.Start, a.End = stamp(b.Start), stamp(b.End)
	}
	return a
}

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "instruments.err.not_found")
	}
	return id, nil
}

func (m *module) apiInstrument(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rec, av, at, err := m.svc.MirrorInstrument(r.Context(), r.PathValue("home"), id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, apiRecord{Record: rec, Avail: av, UpdatedAt: stamp(at), AgeSec: int64(time.Since(at) / time.Second)})
	return nil
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, apperr.New(apperr.Invalid, "federation.err.time", s)
	}
	return t, nil
}

func (m *module) apiBook(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if r.URL.Query().Get("form") == "1" {
		return m.formBook(w, r, c)
	}
	var req apiBookRequest
	if err := web.DecodeJSON(w, r, &req, 16<<10); err != nil {
		return err
	}
	if k := r.Header.Get("Idempotency-Key"); k != "" && req.IdempotencyKey == "" {
		req.IdempotencyKey = k
	}
	start, err := parseTime(req.Start)
	if err != nil {
		return err
	}
	end, err := parseTime(req.End)
	if err != nil {
		return err
	}
	b, err := m.svc.Book(r.Context(), c.User, federation.BookRequest{Home: req.Home, InstrumentID: req.InstrumentID, ItemID: req.ItemID,
		Start: start, End: end, Samples: req.Samples, Note: req.Note, Key: req.IdempotencyKey, Voucher: req.Voucher})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toBooking(b))
	return nil
}

func (m *module) apiBookings(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	bs, err := m.svc.MyBookings(r.Context(), c.User)
	if err != nil {
		return err
	}
	out := []apiBooking{}
	for _, b := range bs {
		out = append(out, toBooking(b))
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"bookings": out})
	return nil
}

func (m *module) apiConfirm(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	b, err := m.svc.Confirm(r.Context(), c.User, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toBooking(b))
	return nil
}

// apiAction is POST /api/v1/federation/bookings/{id}/actions: the user's
// cancel, pay or rate, taken at the home on their behalf; with ?form=1
// (the "my orders" page's forms) answered by a redirect back there.
func (m *module) apiAction(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	form := r.URL.Query().Get("form") == "1"
	var req federation.ActionRequest
	if form {
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		if err := r.ParseForm(); err != nil {
			return apperr.Wrap(err, apperr.Invalid, "api.err.bad_form")
		}
		req.Action, req.Comment = r.PostForm.Get("action"), r.PostForm.Get("comment")
		req.Stars, _ = strconv.Atoi(r.PostForm.Get("stars"))
		req.Tags = r.PostForm["tags"]
	} else if err := web.DecodeJSON(w, r, &req, 16<<10); err != nil {
		return err
	}
	b, err := m.svc.Act(r.Context(), c.User, id, req)
	if form {
		q := url.Values{"remote": {strconv.FormatInt(id, 10)}}
		var ae *apperr.Error
		if errors.As(err, &ae) {
			q.Set("error", m.core.T(c.Lang, ae.Key, ae.Args...))
		} else if err != nil {
			return err
		}
		http.Redirect(w, r, "/instruments/orders?"+q.Encode(), http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toBooking(b))
	return nil
}

func (m *module) joint(r *http.Request) (apiJoint, error) {
	js, err := m.svc.Joint(r.Context())
	if err != nil {
		return apiJoint{}, err
	}
	out := apiJoint{Instruments: js.Instruments, ValueFen: js.ValueFen, ValueYi: yuanYi(js.ValueFen), Instances: []apiInstance{}}
	for _, f := range js.Instances {
		a := apiInstance{Instance: f.Instance, Own: f.Own, Instruments: f.Instruments, ValueFen: f.ValueFen, ValueYi: yuanYi(f.ValueFen),
			External: []apiExternal{}, AsOf: stamp(f.AsOf)}
		for _, e := range f.External {
			a.External = append(a.External, apiExternal{Origin: e.Origin, Orders: e.Orders, BookedHours: float64(e.BookedMinutes) / 60,
				ActualHours: float64(e.ActualMinutes) / 60, AmountFen: e.AmountFen})
		}
		out.Instances = append(out.Instances, a)
	}
	return out, nil
}

// yuanYi is fen in 亿元 (10^8 yuan = 10^10 fen), to two decimals.
func yuanYi(fen int64) float64 { return math.Round(float64(fen)/1e8) / 100 }

func (m *module) apiStats(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	out, err := m.joint(r)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (m *module) peers(r *http.Request) ([]apiPeer, error) {
	st, err := m.svc.Status(r.Context())
	if err != nil {
		return nil, err
	}
	out := []apiPeer{}
	for _, p := range st {
		a := apiPeer{ID: p.Peer.ID, URL: p.Peer.URL, FeedCursor: p.State.FeedCursor, OrderCursor: p.State.OrderCursor,
			LastAttempt: stamp(p.State.LastAttempt), LastOK: stamp(p.State.LastOK), LastError: p.State.LastError,
			LastCheck: stamp(p.State.LastCheck), Repairs: p.State.Repairs, AgeSec: -1}
		if p.Age >= 0 {
			a.AgeSec = math.Round(p.Age.Seconds())
		}
		out = append(out, a)
	}
	return out, nil
}

func (m *module) apiPeers(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	out, err := m.peers(r)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"instance": m.svc.Config().Instance, "peers": out})
	return nil
}

func (m *module) apiPull(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	res, err := m.svc.Pull(r.Context(), r.PathValue("peer"), federation.PullOptions{Check: r.URL.Query().Get("check") == "1"})
	if err != nil && res.Peer == "" {
		return err
	}
	// A failed pull is an answer, not an error of this request: the
	// mirror stays as it was and the result says why.
	web.WriteJSON(w, http.StatusOK, res)
	return nil
}

// formBook is the mirrored instrument page's booking form (POST
// /api/v1/federation/bookings?form=1): the hold and its confirmation at
// the home, through the same service calls as the API, answered by a
// redirect to "my orders" or back to the page with the failure. The key
// the page rendered makes a resubmitted form return the same booking.
func (m *module) formBook(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(err, apperr.Invalid, "api.err.bad_form")
	}
	f := r.PostForm
	home := f.Get("home")
	id, _ := strconv.ParseInt(f.Get("instrument_id"), 10, 64)
	back := "/federation/instruments/" + url.PathEscape(home) + "/" + strconv.FormatInt(id, 10)
	fail := func(err error) error {
		var ae *apperr.Error
		if !errors.As(err, &ae) {
			return err
		}
		http.Redirect(w, r, back+"?"+url.Values{"error": {m.core.T(c.Lang, ae.Key, ae.Args...)}}.Encode(), http.StatusSeeOther)
		return nil
	}
	item, err := strconv.ParseInt(f.Get("item_id"), 10, 64)
	if err != nil || item <= 0 {
		return fail(apperr.New(apperr.Invalid, "federation.err.form_item"))
	}
	start, err := time.ParseInLocation("2006-01-02T15:04", f.Get("start"), instruments.Zone)
	if err != nil {
		return fail(apperr.New(apperr.Invalid, "federation.err.form_start"))
	}
	hours, err := strconv.Atoi(f.Get("hours"))
	if err != nil || hours < 1 || hours > 12 {
		return fail(apperr.New(apperr.Invalid, "federation.err.form_hours"))
	}
	b, err := m.svc.Book(r.Context(), c.User, federation.BookRequest{Home: home, InstrumentID: id, ItemID: item,
		Start: start, End: start.Add(time.Duration(hours) * time.Hour), Note: f.Get("note"), Key: f.Get("idempotency_key"), Voucher: f.Get("voucher") == "1"})
	if err != nil {
		return fail(err)
	}
	if b.State == federation.Held {
		if b, err = m.svc.Confirm(r.Context(), c.User, b.ID); err != nil {
			return fail(err)
		}
	}
	http.Redirect(w, r, "/instruments/orders?booked="+strconv.FormatInt(b.ID, 10), http.StatusSeeOther)
	return nil
}

func toSettlement(b federation.RemoteBooking) apiSettlement {
	a := apiSettlement{apiBooking: toBooking(b), UserID: b.UserID, EnterpriseID: b.EnterpriseID, ReservedFen: b.VoucherReserved,
		SettledFen: b.VoucherSettled, SettledAt: stamp(b.SettledAt)}
	var ev federation.Evidence
	if b.Evidence != "" && json.Unmarshal([]byte(b.Evidence), &ev) == nil {
		a.EvidenceFen, a.BillableMinutes = &ev.AmountFen, &ev.BillableMinutes
	}
	return a
}

// apiSettlements is the bureau's list of its firms' vouchers applied at
// peers' instruments: reserved, settled on the homes' evidence, released.
func (m *module) apiSettlements(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	bs, err := m.svc.Settlements(r.Context())
	if err != nil {
		return err
	}
	out := []apiSettlement{}
	for _, b := range bs {
		out = append(out, toSettlement(b))
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"settlements": out})
	return nil
}
