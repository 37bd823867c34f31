// Package ssoweb is single sign-on's HTTP side: the OpenID Connect
// relying party. GET /sso/{provider} starts the authorization-code flow
// with PKCE (S256), state and nonce; GET /sso/{provider}/callback checks
// the state, exchanges the code with the PKCE verifier, verifies the ID
// token (signature by the provider's published keys, issuer, audience,
// expiry) and its nonce, reads the userinfo claims, and signs the linked
// (or newly created) account in through the web core. Sign-out ends the
// provider's session too where it publishes an end_session_endpoint.
//
// Dependencies: github.com/coreos/go-oidc/v3 (discovery, JWKS, ID-token
// verification) and golang.org/x/oauth2 (the code exchange and PKCE);
// hand-written JOSE verification would be the riskier choice.
package ssoweb

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/audit"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/sso"
	"github.com/industrybrain/ibrain/internal/web"
)

// flowCookie carries one sign-in's state, nonce and PKCE verifier from
// the start to the callback. It lives in the browser, so any server
// instance can finish the flow, and only under /sso/ for ten minutes.
const flowCookie = "ibrain_sso"

type flow struct {
	Provider string `json:"p"`
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"x"`
}

type module struct {
	core *web.Server
	svc  *sso.Service

	mu        sync.Mutex
	providers map[string]*oidc.Provider // discovered, by provider id
}

// Module returns the single sign-on module; with no providers configured
// it serves nothing.
func Module(svc *sso.Service) web.ModuleFunc {
	return func(core *web.Server) (web.Module, error) {
		m := &module{core: core, svc: svc, providers: map[string]*oidc.Provider{}}
		mod := web.Module{Name: "sso", Help: help}
		if len(svc.Config().Providers) == 0 {
			return mod, nil
		}
		mod.Pages = []web.Route{
			{Method: "GET", Path: "/sso/{provider}", Perm: auth.Public, Handler: m.start},
			{Method: "GET", Path: "/sso/{provider}/callback", Perm: auth.Public, Handler: m.callback},
		}
		for _, p := range svc.Config().Providers {
			mod.SignInLinks = append(mod.SignInLinks, web.SignInLink{LabelZH: p.LabelZH, LabelEN: p.LabelEN, Path: "/sso/" + p.ID})
		}
		return mod, nil
	}
}

// oidcProvider discovers a provider once (its metadata and keys; go-oidc
// refetches keys when they rotate). A failed discovery is not cached.
func (m *module) oidcProvider(ctx context.Context, p sso.Provider) (*oidc.Provider, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if op, ok := m.providers[p.ID]; ok {
		return op, nil
	}
	// The discovery outlives this request: the provider is cached.
	op, err := oidc.NewProvider(context.WithoutCancel(ctx), p.Issuer)
	if err != nil {
		return nil, err
	}
	m.providers[p.ID] = op
	return op, nil
}

func (m *module) oauth(p sso.Provider, op *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID: p.ClientID, ClientSecret: p.ClientSecret, Endpoint: op.Endpoint(),
		RedirectURL: m.svc.Config().RedirectURL(p.ID), Scopes: append([]string{oidc.ScopeOpenID}, p.Scopes...),
	}
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (m *module) provider(r *http.Request) (sso.Provider, error) {
	p, ok := m.svc.Config().Provider(r.PathValue("provider"))
	if !ok {
		return p, web.NotFound()
	}
	return p, nil
}

// start is GET /sso/{provider}: redirect to the provider's authorization
// endpoint.
func (m *module) start(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	p, err := m.provider(r)
	if err != nil {
		return err
	}
	op, err := m.oidcProvider(r.Context(), p)
	if err != nil {
		m.core.Log().WarnContext(r.Context(), "oidc discovery", "provider", p.ID, "err", err)
		return apperr.Wrap(err, apperr.Internal, "sso.err.flow", "discovery")
	}
	f := flow{Provider: p.ID, State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier(), Next: safeNext(r.URL.Query().Get("next"))}
	val, _ := json.Marshal(f)
	http.SetCookie(w, &http.Cookie{Name: flowCookie, Value: base64.RawURLEncoding.EncodeToString(val), Path: "/sso/",
		MaxAge: 600, HttpOnly: true, Secure: strings.HasPrefix(m.svc.Config().BaseURL, "https:"), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, m.oauth(p, op).AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)), http.StatusSeeOther)
	return nil
}

// refuse records a failed single sign-on and answers 401 with why.
func (m *module) refuse(r *http.Request, p sso.Provider, actor, reason string, cause error) error {
	detail := "sso:" + p.ID + ": " + reason
	if cause != nil {
		m.core.Log().WarnContext(r.Context(), "single sign-on refused", "provider", p.ID, "reason", reason, "err", cause)
	}
	m.core.Record(r, audit.Event{Action: audit.SignInFailed, Actor: actor, Outcome: audit.Failed, Detail: detail})
	if errors.Is(cause, sso.ErrRefused) {
		return apperr.New(apperr.Unauthorized, "sso.err.refused")
	}
	return apperr.New(apperr.Unauthorized, "sso.err.flow", reason)
}

// callback is GET /sso/{provider}/callback.
func (m *module) callback(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	p, err := m.provider(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var f flow
	ck, err := r.Cookie(flowCookie)
	if err == nil {
		raw, derr := base64.RawURLEncoding.DecodeString(ck.Value)
		err = errors.Join(derr, json.Unmarshal(raw, &f))
	}
	// The flow is used once, whatever happens next.
	http.SetCookie(w, &http.Cookie{Name: flowCookie, Value: "", Path: "/sso/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	switch {
	case err != nil || f.Provider != p.ID:
		return m.refuse(r, p, "", "no sign-in in progress", err)
	case q.Get("state") == "" || q.Get("state") != f.State:
		// A callback this browser did not start: login CSRF.
		return m.refuse(r, p, "", "state mismatch", nil)
	case q.Get("error") != "":
		return m.refuse(r, p, "", "provider error "+q.Get("error"), nil)
	}
	op, err := m.oidcProvider(r.Context(), p)
	if err != nil {
		return m.refuse(r, p, "", "discovery", err)
	}
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	tok, err := m.oauth(p, op).Exchange(ctx, q.Get("code"), oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return m.refuse(r, p, "", "code exchange", err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		return m.refuse(r, p, "", "no id_token", nil)
	}
	// Verify checks the signature against the provider's keys, the
	// issuer (it must be the configured one), the audience and expiry.
	idt, err := op.Verifier(&oidc.Config{ClientID: p.ClientID}).Verify(ctx, rawID)
	if err != nil {
		return m.refuse(r, p, "", "id_token invalid", err)
	}
	if idt.Nonce == "" || idt.Nonce != f.Nonce {
		return m.refuse(r, p, idt.Subject, "nonce mismatch", nil)
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return m.refuse(r, p, idt.Subject, "claims", err)
	}
	if op.UserInfoEndpoint() != "" {
		ui, err := op.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return m.refuse(r, p, idt.Subject, "userinfo", err)
		}
		if ui.Subject != idt.Subject {
			return m.refuse(r, p, idt.Subject, "userinfo subject differs", nil)
		}
		extra := map[string]any{}
		if err := ui.Claims(&extra); err == nil {
			for k, v := range extra {
				if _, ok := claims[k]; !ok {
					claims[k] = v
				}
			}
		}
	}
	pr := p.Map(idt.Issuer, idt.Subject, claims)
	u, created, err := m.svc.Resolve(r.Context(), p, pr)
	if err != nil {
		return m.refuse(r, p, idt.Subject, "no account", err)
	}
	if created {
		m.core.Record(r, audit.Event{Action: audit.AccountChange, ActorID: u.ID, Actor: u.Username, Target: u.Username,
			Detail: fmt.Sprintf("created at first sign-in through %s as %s (issuer %s, subject %s)", p.ID, u.Role, pr.Issuer, pr.Subject)})
	}
	if err := m.core.SignIn(w, r, u, web.SignInOptions{Via: "sso:" + p.ID, LogoutURL: m.logoutURL(op, p, rawID)}); err != nil {
		return err
	}
	http.Redirect(w, r, f.Next, http.StatusSeeOther)
	return nil
}

// logoutURL is the provider's RP-initiated logout for this sign-in, or ""
// when it publishes no end_session_endpoint.
func (m *module) logoutURL(op *oidc.Provider, p sso.Provider, idToken string) string {
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := op.Claims(&meta); err != nil || meta.EndSession == "" {
		return ""
	}
	v := url.Values{"id_token_hint": {idToken}, "client_id": {p.ClientID}, "post_logout_redirect_uri": {m.svc.Config().BaseURL + "/login"}}
	return meta.EndSession + "?" + v.Encode()
}

// safeNext keeps a return path on this site.
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}
