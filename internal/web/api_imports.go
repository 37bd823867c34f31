package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/imports"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/tabular"
)

// Imports: a multipart upload (field "file") is read with tabular.Read,
// validated row by row by the importer, checked against the user's scope,
// and written in one transaction only if no row has an error. A rejected
// file answers 422 with every problem, so it can be fixed in one pass.

// importError is a rejected import.
type importError struct {
	Errors   []importer.RowError
	Warnings []importer.RowError
}

func (e *importError) Error() string { return fmt.Sprintf("import rejected: %d errors", len(e.Errors)) }

// writeImportError renders a rejected import in the request language.
func (s *Server) writeImportError(w http.ResponseWriter, r *http.Request, lang string, ie *importError) {
	writeJSON(w, http.StatusUnprocessableEntity, apiImportRejected{
		Error:    apiError{Code: string(apperr.Invalid), Message: s.message(lang, "api.err.import_invalid", len(ie.Errors)), Rows: s.rowErrors(lang, ie.Errors)},
		Warnings: s.rowErrors(lang, ie.Warnings),
	})
}

func (s *Server) rowErrors(lang string, res []importer.RowError) []apiRowError {
	out := make([]apiRowError, 0, len(res))
	for _, e := range res {
		out = append(out, apiRowError{Row: e.Line, Column: e.Column, Code: e.Key, Message: s.message(lang, e.Key, e.Args...), Value: e.Value})
	}
	return out
}

// readUpload streams the "file" part of a multipart body into tabular.Read
// without buffering the upload to disk first.
func (s *Server) readUpload(w http.ResponseWriter, r *http.Request) (*tabular.Sheet, error) {
	opts := tabular.DefaultOptions()
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
			return nil, uploadError(err, opts)
		}
		if part.FormName() != "file" {
			_ = part.Close()
			continue
		}
		sheet, err := tabular.Read(part, part.FileName(), opts)
		_ = part.Close()
		if err != nil {
			return nil, uploadError(err, opts)
		}
		return sheet, nil
	}
}

// uploadError classifies a failed read: an over-long body is 413, a file
// tabular cannot use is an import problem (422), the rest a bad request.
func uploadError(err error, opts tabular.Options) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return apperr.Wrap(err, apperr.TooLarge, "api.err.file_too_large", opts.MaxBytes>>20)
	}
	if re, ok := importer.FileError(err, opts); ok {
		return &importError{Errors: []importer.RowError{re}}
	}
	return apperr.Wrap(err, apperr.Invalid, "api.err.no_file")
}

// apiImportEnterprises imports an enterprise list. City roles may write any
// enterprise; a district officer only enterprises in their district, both
// as the file states them and as they are stored (so a firm cannot be
// moved in from another district). Enterprise users cannot import lists.
func (s *Server) apiImportEnterprises(w http.ResponseWriter, r *http.Request, u auth.User) error {
	if u.Role == auth.RoleEnterprise || !u.CanImport() {
		return apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	sheet, err := s.readUpload(w, r)
	if err != nil {
		return err
	}
	rows, rep := importer.Enterprises(sheet, importer.EnterpriseOptions{Regions: s.regions, ValidIndustry: s.validIndustry, Today: s.now()})
	if rep.OK() {
		if err := s.checkEnterpriseScope(r.Context(), Lang(r), u.ScopeOf(), rows, &rep); err != nil {
			return err
		}
	}
	if !rep.OK() {
		return &importError{Errors: rep.Errors, Warnings: rep.Warnings}
	}
	in := make([]sqlstore.EnterpriseWithYear, len(rows))
	for i, row := range rows {
		in[i] = sqlstore.EnterpriseWithYear{Enterprise: row.Enterprise, Year: row.Year}
	}
	res, err := s.store.UpsertEnterprises(r.Context(), in)
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "import", "kind", importer.KindEnterprises, "rows", rep.Rows, "user_id", u.ID, "inserted", res.Inserted, "updated", res.Updated)
	writeJSON(w, http.StatusOK, apiImportResult{Kind: importer.KindEnterprises, Rows: rep.Rows, Inserted: res.Inserted, Updated: res.Updated, Unchanged: res.Unchanged, Warnings: s.rowErrors(Lang(r), rep.Warnings)})
	return nil
}

// checkEnterpriseScope adds a row error for every row outside sc.
func (s *Server) checkEnterpriseScope(ctx context.Context, lang string, sc auth.Scope, rows []importer.EnterpriseRow, rep *importer.Report) error {
	if sc.IsAll() {
		return nil
	}
	ids, err := s.store.EnterpriseIDs(ctx)
	if err != nil {
		return err
	}
	regionCol := "区县"
	if lang == i18n.EN {
		regionCol = "region"
	}
	for _, row := range rows {
		e := row.Enterprise
		if sc.RegionCode == "" || e.RegionCode != sc.RegionCode {
			rep.Errors = append(rep.Errors, importer.RowError{Line: row.Line, Column: regionCol, Key: "api.err.import_scope", Value: e.RegionCode})
			continue
		}
		id, exists := ids[e.CreditCode]
		if !exists {
			continue
		}
		if _, err := s.store.Enterprise(ctx, sc, id); apperr.Is(err, apperr.NotFound) {
			rep.Errors = append(rep.Errors, importer.RowError{Line: row.Line, Key: "api.err.import_scope", Value: e.CreditCode})
		} else if err != nil {
			return err
		}
	}
	return nil
}

// apiImportReports imports monthly reports. Credit codes outside the
// user's scope resolve as unknown, so their rows are rejected with the
// importer's "unknown enterprise" error, which also does not tell a
// district officer whether another district's firm is registered.
func (s *Server) apiImportReports(w http.ResponseWriter, r *http.Request, u auth.User) error {
	if !u.CanImport() {
		return apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	sheet, err := s.readUpload(w, r)
	if err != nil {
		return err
	}
	ids, err := s.store.EnterpriseIDs(r.Context())
	if err != nil {
		return err
	}
	inScope := s.scopeChecker(r.Context(), u.ScopeOf())
	var lookupErr error
	reps, rep := importer.Reports(sheet, importer.ReportOptions{
		Today: s.now(),
		EnterpriseID: func(code string) (int64, bool) {
			id, ok := ids[code]
			if !ok || lookupErr != nil {
				return 0, false
			}
			in, err := inScope(id)
			if err != nil {
				lookupErr = err
				return 0, false
			}
			return id, in
		},
	})
	if lookupErr != nil {
		return lookupErr
	}
	if !rep.OK() {
		return &importError{Errors: rep.Errors, Warnings: rep.Warnings}
	}
	res, err := s.store.UpsertReports(r.Context(), reps)
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "import", "kind", importer.KindReports, "rows", rep.Rows, "user_id", u.ID, "inserted", res.Inserted, "updated", res.Updated)
	writeJSON(w, http.StatusOK, apiImportResult{Kind: importer.KindReports, Rows: rep.Rows, Inserted: res.Inserted, Updated: res.Updated, Unchanged: res.Unchanged, Warnings: s.rowErrors(Lang(r), rep.Warnings)})
	return nil
}

// importKindForbidden reports whether u may not import kind at all.
// Enterprise users report their own figures (reports, profile facts) but
// not what departments supply about them (亩均 facts with their veto
// items) nor listing events, which the listing office records.
func importKindForbidden(u auth.User, kind string) bool {
	if !u.CanImport() {
		return true
	}
	if u.Role == auth.RoleEnterprise {
		return kind != importer.KindReports && kind != importer.KindProfiles
	}
	return false
}

// apiImportMerging imports a file that is merged into stored data: yearly
// profile facts, 亩均 facts or listing events. Credit codes outside the
// user's scope resolve as unknown, as for reports; the store checks the
// scope again in SQL.
func (s *Server) apiImportMerging(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := currentUser(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if importKindForbidden(u, kind) {
			s.writeError(w, r, apperr.New(apperr.Forbidden, "api.err.forbidden"))
			return
		}
		sheet, err := s.readUpload(w, r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		rep, res, err := imports.Run(r.Context(), s.store, sheet, imports.Options{Kind: kind, Scope: u.ScopeOf(), Today: s.now(), By: u.Username})
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !rep.OK() {
			s.writeError(w, r, &importError{Errors: rep.Errors, Warnings: rep.Warnings})
			return
		}
		s.log.InfoContext(r.Context(), "import", "kind", kind, "rows", rep.Rows, "user_id", u.ID, "inserted", res.Inserted, "updated", res.Updated)
		writeJSON(w, http.StatusOK, apiImportResult{Kind: kind, Rows: rep.Rows, Inserted: res.Inserted, Updated: res.Updated, Unchanged: res.Unchanged, Warnings: s.rowErrors(Lang(r), rep.Warnings)})
	}
}

// scopeChecker returns a memoised "is enterprise id inside sc" test that
// asks the store, so the scope rule stays the store's.
func (s *Server) scopeChecker(ctx context.Context, sc auth.Scope) func(id int64) (bool, error) {
	seen := map[int64]bool{}
	return func(id int64) (bool, error) {
		if sc.IsAll() {
			return true, nil
		}
		if v, ok := seen[id]; ok {
			return v, nil
		}
		_, err := s.store.Enterprise(ctx, sc, id)
		switch {
		case err == nil:
			seen[id] = true
		case apperr.Is(err, apperr.NotFound):
			seen[id] = false
		default:
			return false, err
		}
		return seen[id], nil
	}
}

// validIndustry accepts the 4-digit industrial classes of GB/T 4754-2017.
func (s *Server) validIndustry(code string) bool {
	c, ok := s.industries.Lookup(code)
	return ok && len(c.Code) == 4
}

func (s *Server) apiImportTemplateXLSX(w http.ResponseWriter, r *http.Request) {
	s.importTemplate(w, r, tabular.FormatXLSX)
}

func (s *Server) apiImportTemplateCSV(w http.ResponseWriter, r *http.Request) {
	s.importTemplate(w, r, tabular.FormatCSV)
}

// importTemplate sends an empty import file with headers in the request
// language and example rows.
func (s *Server) importTemplate(w http.ResponseWriter, r *http.Request, format tabular.Format) {
	lang := Lang(r)
	kind := r.PathValue("kind")
	header, example, ok := importer.Template(kind, lang)
	if !ok {
		s.writeError(w, r, apperr.New(apperr.NotFound, "api.err.bad_kind", kind))
		return
	}
	var buf bytes.Buffer
	var err error
	ct := "text/csv; charset=utf-8"
	if format == tabular.FormatXLSX {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		err = tabular.WriteXLSX(&buf, kind, header, example)
	} else {
		err = tabular.WriteCSV(&buf, header, example)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sendFile(w, ct, fmt.Sprintf("ibrain-%s-template.%s", kind, format), &buf)
}
