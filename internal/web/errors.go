package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/i18n"
)

// codeRateLimited is the web layer's own code for throttled sign-ins; the
// domain never produces it.
const codeRateLimited apperr.Code = "rate_limited"

// statusOf maps an error code to an HTTP status. This is the only place
// that does.
func statusOf(code apperr.Code) int {
	switch code {
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case codeRateLimited:
		return http.StatusTooManyRequests
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// apiError is the body of every API error:
// {"error":{"code":"not_found","message":"…"}}.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// An Answerer is an error with an answer of its own, richer than a code
// and a message: a rejected import lists every row problem. writeError,
// still the one error writer, asks it for the status, the message (shown
// on the error page) and the JSON body, all in the request language.
type Answerer interface {
	error
	Answer(lang string) (status int, message string, body any)
}

type apiErrorEnvelope struct {
	Error apiError `json:"error"`
}

// writeError answers a request that failed. Application errors keep their
// code and user-facing message; anything else is logged with its cause and
// shown as a generic 500, so internals never reach the client. API paths
// get JSON, pages get the UI's error page.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	lang := Lang(r)
	var an Answerer
	if errors.As(err, &an) {
		status, msg, body := an.Answer(lang)
		if wantsJSON(r) {
			writeJSON(w, status, body)
		} else {
			s.renderError(w, r, status, msg)
		}
		return
	}
	var rj *Rejected
	if errors.As(err, &rj) && wantsJSON(r) {
		code := apperr.CodeOf(err)
		writeJSON(w, statusOf(code), RejectedAnswer{Error: RejectedBody{Code: string(code), Message: rj.Message, Problems: rj.Problems}})
		return
	}
	code := apperr.CodeOf(err)
	status := statusOf(code)
	key, args := "api.err.internal", []any(nil)
	var ae *apperr.Error
	if status != http.StatusInternalServerError && errors.As(err, &ae) {
		key, args = ae.Key, ae.Args
	}
	if status == http.StatusInternalServerError {
		code = apperr.Internal
		if errors.Is(err, context.Canceled) {
			// The client went away; nobody reads the answer and nothing is
			// broken.
			s.log.DebugContext(r.Context(), "request cancelled", "method", r.Method, "path", r.URL.Path)
		} else {
			s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		}
	}
	msg := s.message(lang, key, args...)
	if wantsJSON(r) {
		writeJSON(w, status, apiErrorEnvelope{Error: apiError{Code: string(code), Message: msg}})
		return
	}
	s.renderError(w, r, status, msg)
}

// renderError shows the error page.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.renderErrorPage(w, r, status, msg)
}

// message renders a message key in lang. The UI's catalogue wins; the web
// layer's own keys (api.*) fall back to their texts, so API errors read
// well even when the catalogue lacks them; an unknown key shows as itself.
func (s *Server) message(lang, key string, args ...any) string {
	if s.catalog != nil && s.catalog.Has(key) {
		return s.catalog.T(lang, key, args...)
	}
	if texts, ok := webMessages[key]; ok {
		text := texts[0]
		if lang == i18n.EN {
			text = texts[1]
		}
		if len(args) > 0 {
			return fmt.Sprintf(text, args...)
		}
		return text
	}
	if s.catalog != nil {
		return s.catalog.T(lang, key, args...)
	}
	return key
}

// Messages returns the web layer's message keys as {zh-CN, en}, for
// i18n.Load, so the catalogue's parity checks cover them too. The texts live
// in the catalogue, internal/i18n/web.{zh-CN,en}.json.
func Messages() map[string][2]string { return maps.Clone(webMessages) }

// webMessages are the texts of the keys the web layer itself produces.
// Read-only.
var webMessages = i18n.Pairs("web")

// writeJSON writes v as JSON with status. API answers carry scoped data,
// so no shared cache may keep them.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// StatusOf is the HTTP status of an error, for a module that writes an
// answer the core cannot (a federation answer it must sign).
func StatusOf(err error) int { return statusOf(apperr.CodeOf(err)) }
