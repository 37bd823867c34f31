// Package federationweb is the federation's HTTP side: the peer protocol
// under /api/v1/fed (signed requests, signed answers), the users' API under
// /api/v1/federation, the federation page and a mirrored instrument's
// page, and the HTTP transport the service calls peers with.
package federationweb

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"strconv"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/federation"
	"github.com/industrybrain/ibrain/internal/web"
)

// The permissions of the users' routes (the marketplace's, in roles.json);
// the peer routes are public and authenticated by signature.
const (
	permRead    = auth.Permission("instruments.read")
	permOrder   = auth.Permission("instruments.order")
	permStats   = auth.Permission("instruments.stats")
	permOperate = auth.Permission("instruments.operate")
)

var (
	//go:embed templates/*.html
	templates embed.FS
	//go:embed openapi.json
	openAPI []byte
	//go:embed help.md
	help []byte
	// Messages is the module's message catalogue.
	//
	//go:embed i18n/*.json
	Messages embed.FS
)

type module struct {
	core *web.Server
	svc  *federation.Service
}

// Module returns the federation module over svc.
func Module(svc *federation.Service) web.ModuleFunc {
	return func(core *web.Server) (web.Module, error) {
		m := &module{core: core, svc: svc}
		m.metrics()
		tpl, err := fs.Sub(templates, "templates")
		if err != nil {
			return web.Module{}, err
		}
		return web.Module{
			Name: "federation",
			Routes: []web.Route{
				// Peers: every request is signed by a configured peer
				// (federation.CheckRequest) and every answer is signed.
				{Method: "GET", Path: "/api/v1/fed/changes", Perm: auth.Public, Handler: m.peerChanges},
				{Method: "GET", Path: "/api/v1/fed/checksum", Perm: auth.Public, Handler: m.peerChecksum},
				{Method: "POST", Path: "/api/v1/fed/holds", Perm: auth.Public, Handler: m.peerHold},
				{Method: "POST", Path: "/api/v1/fed/holds/{id}/confirm", Perm: auth.Public, Handler: m.peerConfirm},
				{Method: "POST", Path: "/api/v1/fed/holds/{id}/actions", Perm: auth.Public, Handler: m.peerAction},
				{Method: "GET", Path: "/api/v1/fed/orders", Perm: auth.Public, Handler: m.peerOrders},
				{Method: "GET", Path: "/api/v1/fed/instruments/{id}/free", Perm: auth.Public, Handler: m.peerFree},
				// Users.
				{Method: "GET", Path: "/api/v1/federation/instruments/{home}/{id}", Perm: permRead, Handler: m.apiInstrument},
				{Method: "POST", Path: "/api/v1/federation/bookings", Perm: permOrder, Handler: m.apiBook},
				{Method: "GET", Path: "/api/v1/federation/bookings", Perm: permOrder, Handler: m.apiBookings},
				{Method: "POST", Path: "/api/v1/federation/bookings/{id}/confirm", Perm: permOrder, Handler: m.apiConfirm},
				{Method: "POST", Path: "/api/v1/federation/bookings/{id}/actions", Perm: permOrder, Handler: m.apiAction},
				{Method: "GET", Path: "/api/v1/federation/stats", Perm: permStats, Handler: m.apiStats},
				{Method: "GET", Path: "/api/v1/federation/vouchers", Perm: permOperate, Handler: m.apiSettlements},
				{Method: "GET", Path: "/api/v1/federation/peers", Perm: permOperate, Handler: m.apiPeers},
				{Method: "POST", Path: "/api/v1/federation/peers/{peer}/pull", Perm: permOperate, Handler: m.apiPull},
			},
			Pages: []web.Route{
				{Method: "GET", Path: "/federation", Perm: auth.SignedIn, Handler: m.page},
				{Method: "GET", Path: "/federation/instruments/{home}/{id}", Perm: auth.SignedIn, Handler: m.instrumentPage},
			},
			Nav: []web.NavItem{
				{Group: web.GroupData, ID: "federation", Label: "nav.federation", Path: "/federation", Perm: permRead, Order: 303, Audience: web.Everyone},
			},
			OpenAPI:   openAPI,
			Templates: tpl,
			Help:      help,
		}, nil
	}
}

// ---- the peer protocol ----

// maxPeerBody caps a peer request's body.
const maxPeerBody = 64 << 10

// signed reads and verifies a peer's signed request.
func (m *module) signed(r *http.Request) (federation.Peer, []byte, string, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPeerBody+1))
	if err != nil || len(body) > maxPeerBody {
		return federation.Peer{}, nil, "", apperr.New(apperr.TooLarge, "federation.err.signature")
	}
	nonce := r.Header.Get(federation.HeaderNonce)
	p, err := m.svc.CheckPeerRequest(r.Context(), r.Method, r.URL.RequestURI(), r.Header.Get(federation.HeaderPeer),
		r.Header.Get(federation.HeaderDate), nonce, r.Header.Get(federation.HeaderSignature), body)
	return p, body, nonce, err
}

// answer writes a signed JSON answer: v, or err as the core's error shape
// with its status, so the peer can verify a refusal too.
func (m *module) answer(w http.ResponseWriter, nonce string, status int, v any, err error) error {
	if err != nil {
		var ae *apperr.Error
		if !errors.As(err, &ae) || apperr.CodeOf(err) == apperr.Internal {
			return err // the core logs it and answers 500, unsigned: the peer retries later
		}
		status = web.StatusOf(err)
		v = map[string]any{"error": map[string]string{"code": string(ae.Code), "message": m.core.T("en", ae.Key, ae.Args...)}}
	}
	b, merr := json.Marshal(v)
	if merr != nil {
		return merr
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(federation.HeaderSignature, m.svc.SignResponse(nonce, status, b))
	w.WriteHeader(status)
	_, werr := w.Write(b)
	return werr
}

func (m *module) peerChanges(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	_, _, nonce, err := m.signed(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	since, err := strconv.ParseInt(q.Get("since"), 10, 64)
	if err != nil && q.Get("since") != "" {
		return m.answer(w, nonce, 0, nil, apperr.New(apperr.Invalid, "federation.err.cursor"))
	}
	limit, _ := web.IntParam(q, "limit", federation.MaxPage, 1, federation.MaxPage)
	p, err := m.svc.Changes(r.Context(), since, limit)
	return m.answer(w, nonce, http.StatusOK, p, err)
}

func (m *module) peerChecksum(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	_, _, nonce, err := m.signed(r)
	if err != nil {
		return err
	}
	sum, err := m.svc.Checksum(r.Context())
	return m.answer(w, nonce, http.StatusOK, sum, err)
}

func (m *module) peerHold(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	p, body, nonce, err := m.signed(r)
	if err != nil {
		return err
	}
	var req federation.HoldRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return m.answer(w, nonce, 0, nil, apperr.Wrap(err, apperr.Invalid, "api.err.bad_form"))
	}
	a, err := m.svc.PlaceHold(r.Context(), p, req)
	status := http.StatusOK
	if a.Created {
		status = http.StatusCreated
	}
	return m.answer(w, nonce, status, a, err)
}

func (m *module) peerConfirm(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	p, _, nonce, err := m.signed(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return m.answer(w, nonce, 0, nil, apperr.New(apperr.NotFound, "federation.err.no_hold"))
	}
	a, err := m.svc.ConfirmHold(r.Context(), p, id)
	return m.answer(w, nonce, http.StatusOK, a, err)
}

func (m *module) peerAction(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	p, body, nonce, err := m.signed(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return m.answer(w, nonce, 0, nil, apperr.New(apperr.NotFound, "federation.err.no_hold"))
	}
	var req federation.ActionRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return m.answer(w, nonce, 0, nil, apperr.Wrap(err, apperr.Invalid, "api.err.bad_form"))
	}
	a, err := m.svc.ActOnHold(r.Context(), p, id, req)
	return m.answer(w, nonce, http.StatusOK, a, err)
}

func (m *module) peerFree(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	_, _, nonce, err := m.signed(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return m.answer(w, nonce, 0, nil, apperr.New(apperr.NotFound, "instruments.err.not_found"))
	}
	f, err := m.svc.Free(r.Context(), id)
	return m.answer(w, nonce, http.StatusOK, f, err)
}

func (m *module) peerOrders(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	p, _, nonce, err := m.signed(r)
	if err != nil {
		return err
	}
	since, _ := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
	evs, err := m.svc.OrderEvents(r.Context(), p, max(since, 0), federation.MaxPage)
	return m.answer(w, nonce, http.StatusOK, map[string]any{"events": evs}, err)
}

// ---- the transport ----

// Transport calls peers over HTTP.
type Transport struct {
	Client *http.Client
}

// NewTransport returns a transport with timeouts fit for peer calls.
func NewTransport() *Transport {
	return &Transport{Client: &http.Client{Timeout: 30 * time.Second}}
}

// Do implements federation.Transport.
func (t *Transport) Do(ctx context.Context, method, url string, header map[string]string, body []byte) (int, []byte, string, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, "", err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := t.Client.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return 0, nil, "", err
	}
	return res.StatusCode, b, res.Header.Get(federation.HeaderSignature), nil
}

// metrics exports each peer's pull state on /metrics: the feed's lag is
// time() minus the last complete pull.
func (m *module) metrics() {
	if !m.svc.Enabled() {
		return
	}
	r := m.core.Metrics()
	lastOK := r.Gauge("ibrain_federation_last_pull_ok_timestamp_seconds", "Unix time of the last complete pull of a peer's feed (mirror age = time() - this)", "peer")
	cursor := r.Gauge("ibrain_federation_feed_cursor", "The last change read from a peer's catalogue feed", "peer")
	failing := r.Gauge("ibrain_federation_pull_failing", "1 while the last pull of a peer failed (its last error is on /federation)", "peer")
	repairs := r.Gauge("ibrain_federation_repairs", "Drift repairs of a peer's mirror since the mirror began", "peer")
	attempt := r.Gauge("ibrain_federation_last_pull_attempt_timestamp_seconds", "Unix time of the last pull of a peer, complete or failed (failing since = this while pull_failing is 1)", "peer")
	m.svc.Observe(func(p federation.PeerStatus) {
		attempt.With(p.Peer.ID).Set(float64(p.State.LastAttempt.Unix()))
		if !p.State.LastOK.IsZero() {
			lastOK.With(p.Peer.ID).Set(float64(p.State.LastOK.Unix()))
		}
		cursor.With(p.Peer.ID).Set(float64(p.State.FeedCursor))
		repairs.With(p.Peer.ID).Set(float64(p.State.Repairs))
		bad := 0.0
		if p.State.LastError != "" {
			bad = 1
		}
		failing.With(p.Peer.ID).Set(bad)
	})
}
