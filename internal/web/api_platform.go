package web

import (
	"context"
	_ "embed"
	"net/http"
	"time"
)

// healthz answers 200 when the database answers, 503 otherwise, for load
// balancers and process supervisors.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.WarnContext(r.Context(), "health check failed", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, apiHealth{Status: "unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, apiHealth{Status: "ok"})
}

//go:embed openapi.json
var openAPIDoc []byte

// openAPI serves the embedded OpenAPI 3.1 document.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(openAPIDoc)
}

// apiMe returns the signed-in account.
func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	u, err := currentUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAPIUser(u))
}
