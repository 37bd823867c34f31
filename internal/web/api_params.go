package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
)

// Query parameter parsing. Every helper returns an Invalid error naming the
// parameter, so a client learns which one was wrong.

func badParam(name, reason string) error {
	return apperr.New(apperr.Invalid, "api.err.bad_param", name, reason)
}

func notFound() error { return apperr.New(apperr.NotFound, "api.err.not_found") }

// intParam parses an optional integer within [lo, hi]; def when absent.
func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, badParam(name, "not an integer")
	}
	if n < lo || n > hi {
		return 0, badParam(name, "out of range "+strconv.Itoa(lo)+"–"+strconv.Itoa(hi))
	}
	return n, nil
}

// boolParam parses an optional boolean (true/false/1/0); nil when absent.
func boolParam(q url.Values, name string) (*bool, error) {
	switch strings.ToLower(strings.TrimSpace(q.Get(name))) {
	case "":
		return nil, nil
	case "1", "true", "yes":
		return ptr(true), nil
	case "0", "false", "no":
		return ptr(false), nil
	}
	return nil, badParam(name, "want true or false")
}

// idParam reads the {id} path wildcard. A malformed id is reported as not
// found, like an id outside the user's scope.
func idParam(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "err.enterprise_not_found")
	}
	return id, nil
}

// currentUser returns the signed-in user; handlers behind requireUser
// always have one.
func currentUser(r *http.Request) (auth.User, error) {
	u, ok := UserFrom(r.Context())
	if !ok {
		return u, apperr.New(apperr.Unauthorized, "api.err.unauthenticated")
	}
	return u, nil
}
