package instrumentsweb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/imports"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/web"
)

// The marketplace's operations: bulk import and export of a unit's
// instruments, unit default rules and instrument rules, maintenance and
// outage windows, qualifications, and photos and documents.

// Wire types.
type (
	apiImportResult struct {
		Kind      string        `json:"kind"`
		UnitID    int64         `json:"unit_id"`
		Rows      int           `json:"rows"`
		Inserted  int           `json:"inserted"`
		Updated   int           `json:"updated"`
		Unchanged int           `json:"unchanged"`
		DryRun    bool          `json:"dry_run"`
		Warnings  []apiRowError `json:"warnings"`
	}
	apiRowError struct {
		Row     int    `json:"row"`
		Column  string `json:"column,omitempty"`
		Code    string `json:"code"`
		Message string `json:"message"`
		Value   string `json:"value,omitempty"`
	}
	apiImportRejected struct {
		Error    apiImportError `json:"error"`
		Warnings []apiRowError  `json:"warnings"`
	}
	apiImportError struct {
		Code    string        `json:"code"`
		Message string        `json:"message"`
		Rows    []apiRowError `json:"rows"`
	}
	windowBody struct {
		Kind  string `json:"kind,omitempty"`
		Start string `json:"start"`
		End   string `json:"end"`
		Note  string `json:"note,omitempty"`
	}
	apiWindowHits struct {
		Hits []apiOrder `json:"hits"`
	}
	qualificationBody struct {
		UserID       int64  `json:"user_id"`
		InstrumentID int64  `json:"instrument_id,omitempty"`
		UnitID       int64  `json:"unit_id,omitempty"`
		ClassCode    string `json:"class_code,omitempty"`
		ExpiresOn    string `json:"expires_on,omitempty"`
	}
	apiQualification struct {
		ID           int64  `json:"id"`
		UserID       int64  `json:"user_id"`
		UnitID       int64  `json:"unit_id"`
		InstrumentID int64  `json:"instrument_id"`
		ClassCode    string `json:"class_code,omitempty"`
		GrantedOn    string `json:"granted_on"`
		ExpiresOn    string `json:"expires_on"`
		GrantedBy    int64  `json:"granted_by"`
		Revoked      bool   `json:"revoked"`
		Valid        bool   `json:"valid"` // valid today
	}
	apiQualifications struct {
		Qualifications []apiQualification `json:"qualifications"`
	}
	apiFile struct {
		ID          int64  `json:"id"`
		Kind        string `json:"kind"`
		Name        string `json:"name"`
		ContentType string `json:"content_type"`
		Size        int64  `json:"size"`
		SHA256      string `json:"sha256"`
		URL         string `json:"url"`
		CreatedAt   string `json:"created_at"`
	}
	apiFiles struct {
		Files []apiFile `json:"files"`
	}
)

// importRejected is a refused instrument file, answered 422 with every
// row problem like the other imports.
type importRejected struct {
	m        *module
	errs     []apiRowError
	warnings []apiRowError
}

func (e *importRejected) Error() string {
	return fmt.Sprintf("instrument import rejected: %d errors", len(e.errs))
}

// Answer is the 422 answer; the rows were rendered in the request's
// language when the import was refused.
func (e *importRejected) Answer(lang string) (int, string, any) {
	msg := e.m.core.T(lang, "api.err.import_invalid", len(e.errs))
	return http.StatusUnprocessableEntity, msg, apiImportRejected{
		Error: apiImportError{Code: string(apperr.Invalid), Message: msg, Rows: e.errs}, Warnings: e.warnings}
}

// rowErrors renders import problems in lang.
func (m *module) rowErrors(lang string, res []imports.RowError) []apiRowError {
	out := make([]apiRowError, 0, len(res))
	for _, e := range res {
		out = append(out, apiRowError{Row: e.Line, Column: e.Column, Code: e.Key, Message: m.core.T(lang, e.Key, e.Args...), Value: e.Value})
	}
	return out
}

// problems renders the rows the stored instruments refused in lang.
func (m *module) problems(lang string, ps []instruments.ImportProblem) []apiRowError {
	out := make([]apiRowError, 0, len(ps))
	for _, p := range ps {
		args := p.Args
		if p.Key == instruments.KeyImportNotValid && len(args) == 1 {
			if k, ok := args[0].(string); ok {
				args = []any{m.core.T(lang, k)}
			}
		}
		out = append(out, apiRowError{Row: p.Line, Column: p.Column, Code: p.Key, Message: m.core.T(lang, p.Key, args...), Value: p.Value})
	}
	return out
}

// readPart reads the multipart part named field into memory, at most
// limit bytes (a longer one is cut at limit+1, which the service refuses
// as too large), with the form's other small fields.
func readPart(w http.ResponseWriter, r *http.Request, field string, limit int64) (name string, data []byte, fields map[string]string, err error) {
	r.Body = http.MaxBytesReader(w, r.Body, limit+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, nil, apperr.Wrap(err, apperr.Invalid, "api.err.no_file")
	}
	fields = map[string]string{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return "", nil, fields, apperr.New(apperr.Invalid, "api.err.no_file")
		}
		if err != nil {
			return "", nil, nil, uploadErr(err, limit)
		}
		if part.FormName() != field {
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			fields[part.FormName()] = string(b)
			_ = part.Close()
			continue
		}
		data, err = io.ReadAll(io.LimitReader(part, limit+1))
		_ = part.Close()
		if err != nil {
			return "", nil, nil, uploadErr(err, limit)
		}
		return part.FileName(), data, fields, nil
	}
}

func uploadErr(err error, limit int64) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return apperr.Wrap(err, apperr.TooLarge, "api.err.file_too_large", limit>>20)
	}
	return apperr.Wrap(err, apperr.Invalid, "api.err.no_file")
}

// unitParam reads ?unit_id= (0 when absent).
func unitParam(r *http.Request) (int64, error) {
	v := r.URL.Query().Get("unit_id")
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, web.BadParam("unit_id", "not a unit id")
	}
	return id, nil
}

// apiImport is POST /api/v1/instrument-imports: a unit's instrument file
// (multipart field "file"), validated row by row and written whole or not
// at all; ?dry_run=1 validates against the stored instruments only.
func (m *module) apiImport(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	unitID, err := unitParam(r)
	if err != nil {
		return err
	}
	dry := r.URL.Query().Get("dry_run") == "1" || r.URL.Query().Get("dry_run") == "true"
	opts := imports.ReadOptions(imports.KindInstruments)
	r.Body = http.MaxBytesReader(w, r.Body, opts.MaxBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return apperr.Wrap(err, apperr.Invalid, "api.err.no_file")
	}
	var sheet *tabular.Sheet
	for sheet == nil {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return apperr.New(apperr.Invalid, "api.err.no_file")
		}
		if err != nil {
			return uploadErr(err, opts.MaxBytes)
		}
		if part.FormName() != "file" {
			_ = part.Close()
			continue
		}
		sheet, err = tabular.Read(part, part.FileName(), opts)
		_ = part.Close()
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return uploadErr(err, opts.MaxBytes)
			}
			if rep, ok := imports.FileProblem(err, opts); ok {
				return &importRejected{m: m, errs: m.rowErrors(c.Lang, rep.Errors), warnings: []apiRowError{}}
			}
			return apperr.Wrap(err, apperr.Invalid, "api.err.no_file")
		}
	}
	rows, rep := imports.InstrumentFile(sheet, m.core.Regions(), m.core.Today())
	warnings := m.rowErrors(c.Lang, rep.Warnings)
	if !rep.OK() {
		return &importRejected{m: m, errs: m.rowErrors(c.Lang, rep.Errors), warnings: warnings}
	}
	res, err := m.svc.ImportInstruments(r.Context(), actor(c), rows, instruments.ImportOptions{UnitID: unitID, DryRun: dry})
	var rej *instruments.ImportRejected
	if errors.As(err, &rej) {
		return &importRejected{m: m, errs: m.problems(c.Lang, rej.Problems), warnings: warnings}
	}
	if err != nil {
		return err
	}
	m.core.Log().InfoContext(r.Context(), "instrument import", "unit_id", res.UnitID, "rows", rep.Rows, "user_id", c.User.ID,
		"inserted", res.Inserted, "updated", res.Updated, "dry_run", dry)
	web.WriteJSON(w, http.StatusOK, apiImportResult{Kind: imports.KindInstruments, UnitID: res.UnitID, Rows: rep.Rows, Inserted: res.Inserted,
		Updated: res.Updated, Unchanged: res.Unchanged, DryRun: dry, Warnings: warnings})
	return nil
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// sendSheet sends a header and rows as XLSX or CSV.
func sendSheet(w http.ResponseWriter, format tabular.Format, name string, header []string, rows [][]string) error {
	var buf bytes.Buffer
	var err error
	ct := "text/csv; charset=utf-8"
	if format == tabular.FormatXLSX {
		ct = xlsxType
		err = tabular.WriteXLSXWith(&buf, imports.KindInstruments, header, rows, tabular.XLSXOptions{TextColumns: imports.InstrumentTextColumns()})
	} else {
		err = tabular.WriteCSV(&buf, header, rows)
	}
	if err != nil {
		return err
	}
	web.SendFile(w, ct, name+"."+string(format), &buf)
	return nil
}

// apiImportTemplate is GET /api/v1/instrument-imports/template.{xlsx,csv}.
func (m *module) apiImportTemplate(format tabular.Format) web.Handler {
	return func(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
		header, example := imports.InstrumentTemplate(c.Lang)
		return sendSheet(w, format, "ibrain-instruments-template", header, example)
	}
}

// apiExport is GET /api/v1/instrument-imports/export.{xlsx,csv}: the
// unit's instruments in the import's layout, which imports back
// unchanged.
func (m *module) apiExport(format tabular.Format) web.Handler {
	return func(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
		unitID, err := unitParam(r)
		if err != nil {
			return err
		}
		ds, day, err := m.svc.UnitInstruments(r.Context(), actor(c), unitID)
		if err != nil {
			return err
		}
		header, rows := imports.InstrumentExport(c.Lang, ds, day)
		return sendSheet(w, format, "ibrain-instruments-"+day, header, rows)
	}
}

// apiUnitRules is GET /api/v1/instrument-units/{id}/rules: the defaults a
// unit's new instruments take.
func (m *module) apiUnitRules(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	rules, err := m.svc.UnitRules(r.Context(), id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, rules)
	return nil
}

// apiPutUnitRules is PUT /api/v1/instrument-units/{id}/rules.
func (m *module) apiPutUnitRules(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	var rules instruments.Rules
	if err := decodeBody(w, r, &rules); err != nil {
		return err
	}
	if err := m.svc.PutUnitRules(r.Context(), actor(c), id, rules); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, rules)
	return nil
}

// apiPutRules is PUT /api/v1/instruments/{id}/rules: an instrument's
// booking rules (its managers).
func (m *module) apiPutRules(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	var rules instruments.Rules
	if err := decodeBody(w, r, &rules); err != nil {
		return err
	}
	if _, err := m.svc.SetRules(r.Context(), actor(c), id, rules); err != nil {
		return err
	}
	return m.writeDetail(w, r, c, id, http.StatusOK)
}

// apiAddWindow is POST /api/v1/instruments/{id}/windows: a maintenance or
// outage window; the answer lists the bookings it hit.
func (m *module) apiAddWindow(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	var b windowBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	win := instruments.Window{Kind: b.Kind, Note: b.Note}
	if win.Start, err = time.Parse(time.RFC3339, b.Start); err != nil {
		return web.BadParam("start", "not an RFC 3339 time")
	}
	if win.End, err = time.Parse(time.RFC3339, b.End); err != nil {
		return web.BadParam("end", "not an RFC 3339 time")
	}
	hits, err := m.svc.AddWindow(r.Context(), actor(c), id, win)
	if err != nil {
		return err
	}
	out := apiWindowHits{Hits: []apiOrder{}}
	for _, o := range hits {
		out.Hits = append(out.Hits, toAPIOrder(o))
	}
	web.WriteJSON(w, http.StatusCreated, out)
	return nil
}

func (m *module) toAPIQualification(q instruments.Qualification) apiQualification {
	// The day in the marketplace's zone, as the service grants and checks
	// qualifications: the server's UTC date differs from 16:00 to 24:00.
	today := m.core.Now().In(instruments.Zone).Format(time.DateOnly)
	return apiQualification{ID: q.ID, UserID: q.UserID, UnitID: q.UnitID, InstrumentID: q.InstrumentID, ClassCode: q.ClassCode,
		GrantedOn: q.GrantedOn, ExpiresOn: q.ExpiresOn, GrantedBy: q.GrantedBy, Revoked: q.Revoked,
		Valid: q.ValidOn(today)}
}

// apiGrant is POST /api/v1/instrument-qualifications.
func (m *module) apiGrant(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	var b qualificationBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	q, err := m.svc.GrantQualification(r.Context(), actor(c), instruments.Qualification{UserID: b.UserID, InstrumentID: b.InstrumentID,
		UnitID: b.UnitID, ClassCode: b.ClassCode, ExpiresOn: b.ExpiresOn})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, m.toAPIQualification(q))
	return nil
}

// apiRevoke is POST /api/v1/instrument-qualifications/{id}/revoke.
func (m *module) apiRevoke(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	q, err := m.svc.RevokeQualification(r.Context(), actor(c), id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, m.toAPIQualification(q))
	return nil
}

// apiQualifications is GET /api/v1/instrument-qualifications: the
// caller's own, or with ?scope=unit those granted at their unit.
func (m *module) apiQualifications(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	qs, err := m.svc.Qualifications(r.Context(), actor(c), r.URL.Query().Get("scope") == "unit")
	if err != nil {
		return err
	}
	out := apiQualifications{Qualifications: []apiQualification{}}
	for _, q := range qs {
		out.Qualifications = append(out.Qualifications, m.toAPIQualification(q))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func toAPIFile(f instruments.File) apiFile {
	return apiFile{ID: f.ID, Kind: f.Kind, Name: f.Name, ContentType: f.ContentType, Size: f.Size, SHA256: f.SHA256,
		URL: "/api/v1/instrument-files/" + strconv.FormatInt(f.ID, 10), CreatedAt: f.CreatedAt.UTC().Format(time.RFC3339)}
}

// apiUpload is POST /api/v1/instruments/{id}/files: a photo or document
// (multipart fields "kind" and "file").
func (m *module) apiUpload(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	name, data, fields, err := readPart(w, r, "file", instruments.MaxDocumentBytes)
	if err != nil {
		return err
	}
	kind := fields["kind"]
	if kind == "" {
		kind = instruments.FilePhoto
	}
	f, err := m.svc.UploadFile(r.Context(), actor(c), id, kind, name, data)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, toAPIFile(f))
	return nil
}

// apiFiles is GET /api/v1/instruments/{id}/files.
func (m *module) apiFiles(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	if _, err := m.svc.Detail(r.Context(), id); err != nil {
		return err
	}
	fs, err := m.svc.Files(r.Context(), id)
	if err != nil {
		return err
	}
	out := apiFiles{Files: []apiFile{}}
	for _, f := range fs {
		out.Files = append(out.Files, toAPIFile(f))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiFile is GET /api/v1/instrument-files/{id}: the bytes with the type
// sniffed at upload, never re-sniffed by the browser.
func (m *module) apiFile(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	f, data, err := m.svc.File(r.Context(), id)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("ETag", `"`+f.SHA256+`"`)
	h.Set("Content-Disposition", fmt.Sprintf("inline; filename*=UTF-8''%s", urlPathEscape(f.Name)))
	if r.Header.Get("If-None-Match") == `"`+f.SHA256+`"` {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(data)
	return err
}

// apiDeleteFile is DELETE /api/v1/instrument-files/{id}.
func (m *module) apiDeleteFile(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	if err := m.svc.DeleteFile(r.Context(), actor(c), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// urlPathEscape percent-encodes a file name for RFC 5987.
func urlPathEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '-' || ch == '_' {
			b = append(b, ch)
			continue
		}
		b = append(b, '%', hex[ch>>4], hex[ch&15])
	}
	return string(b)
}
