package importsweb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/imports"
	"github.com/industrybrain/ibrain/internal/reporting"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/web"
)

// Imports: a multipart upload (field "file") is read with tabular.Read and
// handed to the imports service, which validates every row, checks the
// user's scope and writes in one transaction only if no row has an error.
// A rejected file answers 422 with every problem, so it can be fixed in
// one pass.

// apiImportResult counts what an accepted import changed.
type apiImportResult struct {
	Kind      string `json:"kind"`
	Rows      int    `json:"rows"`
	Inserted  int    `json:"inserted"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	ForReview int    `json:"for_review"`
	// PendingConfirmation counts a district's rows naming firms that are
	// not the district's, sent to the city for confirmation.
	PendingConfirmation int           `json:"pending_confirmation"`
	Warnings            []apiRowError `json:"warnings"`
}

// apiImportRejected is the 422 answer: the error with every row problem,
// and the warnings that would not have blocked the import.
type apiImportRejected struct {
	Error    apiImportError `json:"error"`
	Warnings []apiRowError  `json:"warnings"`
}

// apiImportError is the error of a rejected import: the core's error body
// with the rows.
type apiImportError struct {
	Code    string        `json:"code"`
	Message string        `json:"message"`
	Rows    []apiRowError `json:"rows"`
}

// apiRowError is one problem of a rejected import file.
type apiRowError struct {
	Row     int    `json:"row"` // 1-based line in the file; 0 for the whole file
	Column  string `json:"column,omitempty"`
	Code    string `json:"code"` // message key
	Message string `json:"message"`
	Value   string `json:"value,omitempty"` // the offending cell
}

// rejected is a rejected import. It is a web.Answerer: the core's error
// writer asks it for its answer in the request language.
type rejected struct {
	m   *module
	rep imports.Report
}

func (e *rejected) Error() string {
	return fmt.Sprintf("import rejected: %d errors", len(e.rep.Errors))
}

// Answer is the 422 answer listing every row error and warning.
func (e *rejected) Answer(lang string) (int, string, any) {
	msg := e.m.core.T(lang, "api.err.import_invalid", len(e.rep.Errors))
	return http.StatusUnprocessableEntity, msg, apiImportRejected{
		Error:    apiImportError{Code: string(apperr.Invalid), Message: msg, Rows: e.m.rowErrors(lang, e.rep.Errors)},
		Warnings: e.m.rowErrors(lang, e.rep.Warnings),
	}
}

// busy is an import refused because the server runs as many as it may;
// the handler has set Retry-After.
type busy struct {
	m         *module
	max, secs int
}

func (e *busy) Error() string { return fmt.Sprintf("imports busy: %d running", e.max) }

// apiBusy is the 429 answer, the core's error body.
type apiBusy struct {
	Error apiBusyError `json:"error"`
}

type apiBusyError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Answer is 429 with a message saying how long to wait.
func (e *busy) Answer(lang string) (int, string, any) {
	msg := e.m.core.T(lang, "api.err.imports_busy", e.max, e.secs)
	return http.StatusTooManyRequests, msg, apiBusy{Error: apiBusyError{Code: "rate_limited", Message: msg}}
}

func (m *module) rowErrors(lang string, res []imports.RowError) []apiRowError {
	out := make([]apiRowError, 0, len(res))
	for _, e := range res {
		out = append(out, apiRowError{Row: e.Line, Column: e.Column, Code: e.Key, Message: m.core.T(lang, e.Key, e.Args...), Value: e.Value})
	}
	return out
}

// apiImport is POST /api/v1/imports/{kind}: the route's permission says
// who may import kind; the service limits the rows to the user's scope.
// An enterprise account linked to no firm imports nothing.
func (m *module) apiImport(kind string) web.Handler {
	return func(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
		if !c.User.CanImport() {
			return apperr.New(apperr.Forbidden, "api.err.forbidden")
		}
		// Take a slot before reading the upload, so a refused request
		// costs neither the parse nor the memory of its file.
		done, ok := m.svc.TryStart()
		if !ok {
			l := m.svc.Limits()
			secs := int(math.Ceil(l.RetryAfter.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			return &busy{m: m, max: l.MaxConcurrent, secs: secs}
		}
		defer done()
		sheet, err := m.readUpload(w, r, kind)
		if err != nil {
			return err
		}
		actor := reporting.ActorFor(c.User, c.Can)
		rep, res, err := m.svc.Run(r.Context(), sheet, imports.Options{Kind: kind, Scope: c.Scope(), Today: m.core.Today(), By: c.User.Username, UserID: c.User.ID,
			RegionColumn: m.core.T(c.Lang, "import.region_column"), Actor: &actor})
		if err != nil {
			return err
		}
		if !rep.OK() {
			return &rejected{m: m, rep: rep}
		}
		m.core.Log().InfoContext(r.Context(), "import", "kind", kind, "rows", rep.Rows, "user_id", c.User.ID, "inserted", res.Inserted, "updated", res.Updated)
		web.WriteJSON(w, http.StatusOK, apiImportResult{Kind: kind, Rows: rep.Rows, Inserted: res.Inserted, Updated: res.Updated, Unchanged: res.Unchanged, ForReview: res.ForReview,
			PendingConfirmation: res.Pending, Warnings: m.rowErrors(c.Lang, rep.Warnings)})
		return nil
	}
}

// readUpload streams the "file" part of a multipart body into tabular.Read
// without buffering the upload to disk first.
func (m *module) readUpload(w http.ResponseWriter, r *http.Request, kind string) (*tabular.Sheet, error) {
	opts := imports.ReadOptions(kind)
	// The multipart envelope adds a little to the file itself.
	r.Body = http.MaxBytesReader(w, r.Body, opts.MaxBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "api.err.no_file")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, apperr.New(apperr.Invalid, "api.err.no_file")
		}
		if err != nil {
			return nil, m.uploadError(err, opts)
		}
		if part.FormName() != "file" {
			_ = part.Close()
			continue
		}
		sheet, err := tabular.Read(part, part.FileName(), opts)
		_ = part.Close()
		if err != nil {
			return nil, m.uploadError(err, opts)
		}
		return sheet, nil
	}
}

// uploadError classifies a failed read: an over-long body is 413, a file
// tabular cannot use is an import problem (422), the rest a bad request.
func (m *module) uploadError(err error, opts tabular.Options) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return apperr.Wrap(err, apperr.TooLarge, "api.err.file_too_large", opts.MaxBytes>>20)
	}
	if re, ok := imports.FileProblem(err, opts); ok {
		return &rejected{m: m, rep: re}
	}
	return apperr.Wrap(err, apperr.Invalid, "api.err.no_file")
}

func (m *module) apiTemplateXLSX(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	return m.importTemplate(w, r, c, tabular.FormatXLSX)
}

func (m *module) apiTemplateCSV(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	return m.importTemplate(w, r, c, tabular.FormatCSV)
}

// importTemplate sends an empty import file with headers in the request
// language and example rows.
func (m *module) importTemplate(w http.ResponseWriter, r *http.Request, c web.Ctx, format tabular.Format) error {
	kind := r.PathValue("kind")
	header, example, ok := imports.Template(kind, c.Lang)
	if !ok {
		return apperr.New(apperr.NotFound, "api.err.bad_kind", kind)
	}
	var buf bytes.Buffer
	var err error
	ct := "text/csv; charset=utf-8"
	if format == tabular.FormatXLSX {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		err = tabular.WriteXLSXWith(&buf, kind, header, example, tabular.XLSXOptions{TextColumns: imports.TemplateTextColumns(kind)})
	} else {
		err = tabular.WriteCSV(&buf, header, example)
	}
	if err != nil {
		return err
	}
	web.SendFile(w, ct, fmt.Sprintf("ibrain-%s-template.%s", kind, format), &buf)
	return nil
}
