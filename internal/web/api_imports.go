package web

import (
	"net/http"

	"github.com/industrybrain/ibrain/internal/apperr"
)

// importError is a rejected import: every row problem, reported together
// with status 422 so the user can fix the file in one pass.
type importError struct {
	Rows []importRowError
}

func (e *importError) Error() string { return "import rejected" }

// importRowError is one problem at a row and column, as a message key.
type importRowError struct {
	Row    int
	Column string
	Key    string
	Args   []any
}

// writeImportError renders a rejected import in the request language.
func (s *Server) writeImportError(w http.ResponseWriter, r *http.Request, lang string, ie *importError) {
	out := apiErrorEnvelope{Error: apiError{Code: string(apperr.Invalid), Message: s.message(lang, "api.err.import_invalid", len(ie.Rows)), Rows: make([]apiRowError, 0, len(ie.Rows))}}
	for _, re := range ie.Rows {
		out.Error.Rows = append(out.Error.Rows, apiRowError{Row: re.Row, Column: re.Column, Code: re.Key, Message: s.message(lang, re.Key, re.Args...)})
	}
	writeJSON(w, http.StatusUnprocessableEntity, out)
}

func (s *Server) apiImportEnterprises(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, apperr.New(apperr.Internal, "api.err.not_ready"))
}

func (s *Server) apiImportReports(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, apperr.New(apperr.Internal, "api.err.not_ready"))
}

func (s *Server) apiImportTemplateXLSX(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, apperr.New(apperr.Internal, "api.err.not_ready"))
}

func (s *Server) apiImportTemplateCSV(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, apperr.New(apperr.Internal, "api.err.not_ready"))
}
