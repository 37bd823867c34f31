package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/industrybrain/ibrain/internal/audit"
	"github.com/industrybrain/ibrain/internal/metrics"
)

// The web core's hooks into the audit trail: sign-in and sign-out (in
// session.go), refusals (requirePermission), and every route the rules
// below classify, recorded by serve once the handler has answered.

// auditRule classifies a route for the trail: the first rule whose method
// matches and whose text occurs in the route pattern gives the action.
type auditRule struct {
	Method, Contains string
	Action           audit.Action
}

// auditRules is the classification, most specific first. Every POST is
// recorded (the last rule); of the reads only the file exports are.
var auditRules = []auditRule{
	// Sign-in and sign-out record themselves, with the username tried.
	{"POST", "/login", ""},
	{"POST", "/logout", ""},
	// The password change records itself as an account change.
	{"POST", "/account/password", ""},
	// Account administration records itself, with the account and role.
	{"POST", "/api/v1/admin/users", ""},
	{"POST", "/imports/", audit.Import},
	{"POST", "/evaluate", audit.EvaluationRun},
	{"POST", "/mujun/runs", audit.EvaluationRun},
	{"POST", "/configs", audit.ConfigChange},
	{"POST", "/users", audit.AccountChange},
	{"GET", ".xlsx", audit.Export},
	{"GET", ".csv", audit.Export},
	{"GET", "/audit/events.jsonl", audit.Export},
	{"POST", "", audit.DataChange},
	{"PUT", "", audit.DataChange},
	{"PATCH", "", audit.DataChange},
	{"DELETE", "", audit.DataChange},
}

// auditAction returns the action a request's route is recorded as, or "".
func auditAction(method, pattern string) audit.Action {
	_, path, _ := strings.Cut(pattern, " ")
	for _, r := range auditRules {
		if r.Method == method && strings.Contains(path, r.Contains) {
			return r.Action
		}
	}
	return ""
}

// ClientIP configures where the client address comes from. Without a
// header the peer address is used. With one, its value is used only when
// the peer is one of TrustedProxies (all peers when the list is empty,
// for a server that listens only behind its proxy); any client can send
// the header, so trusting it from anywhere would let a client choose the
// address its failures and audit records are filed under.
type ClientIP struct {
	Header         string // e.g. "X-Real-IP" or "X-Forwarded-For" (the last entry is used)
	TrustedProxies []netip.Prefix
}

// clientIP returns the request's client address under the configuration.
func (s *Server) clientIP(r *http.Request) string {
	peer, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		peer = r.RemoteAddr
	}
	if s.ipConf.Header == "" {
		return peer
	}
	if len(s.ipConf.TrustedProxies) > 0 {
		addr, err := netip.ParseAddr(peer)
		trusted := false
		for _, p := range s.ipConf.TrustedProxies {
			if err == nil && p.Contains(addr.Unmap()) {
				trusted = true
				break
			}
		}
		if !trusted {
			return peer
		}
	}
	v := r.Header.Get(s.ipConf.Header)
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		// The proxy appends the address it saw; earlier entries are the
		// client's own claims.
		v = v[i+1:]
	}
	if addr, err := netip.ParseAddr(strings.TrimSpace(v)); err == nil {
		return addr.String()
	}
	return peer
}

// record writes an event, filling in the signed-in user and the client
// address. A failure to write is logged at error level and does not fail
// the request: the action it records has already happened.
func (s *Server) record(r *http.Request, e audit.Event) {
	if e.Actor == "" && e.ActorID == 0 {
		if u, ok := UserFrom(r.Context()); ok {
			e.ActorID, e.Actor = u.ID, u.Username
		}
	}
	if e.IP == "" {
		e.IP = s.clientIP(r)
	}
	// The request may be cancelled by the client the moment it has its
	// answer; the record must be written regardless.
	if err := s.audit.Record(context.WithoutCancel(r.Context()), e); err != nil {
		s.log.ErrorContext(r.Context(), "audit record", "action", e.Action, "err", err)
	}
}

// auditRoute records a classified route once it has answered.
func (s *Server) auditRoute(r *http.Request, sw *metrics.StatusWriter) {
	action := auditAction(r.Method, r.Pattern)
	if action == "" {
		return
	}
	status := sw.Status()
	outcome := audit.OK
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return // recorded as a refusal by requirePermission, or not signed in
	case status >= 400:
		outcome = audit.Failed
	}
	if action == audit.Export && outcome != audit.OK {
		return // nothing left the server
	}
	target := r.URL.Path
	if q := r.URL.RawQuery; q != "" {
		target += "?" + q
	}
	s.record(r, audit.Event{Action: action, Target: target, Outcome: outcome, Detail: "status " + strconv.Itoa(status)})
}
