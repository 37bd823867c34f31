package tasksweb

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/tasks"
	"github.com/industrybrain/ibrain/internal/unit"
	"github.com/industrybrain/ibrain/internal/web"
)

// maxBody bounds a JSON or form body of the module's POST routes.
const maxBody = 1 << 20

// apiTables is GET /api/v1/tasks: every task table with how many rows
// still owe a value.
type apiTables struct {
	Tables []apiTableSummary `json:"tables"`
}

type apiTableSummary struct {
	Code       string `json:"code"`
	NameZh     string `json:"name_zh"`
	NameEn     string `json:"name_en"`
	Department string `json:"department"`
	Year       int    `json:"year"`
	Source     string `json:"source"`
	Rows       int    `json:"rows"`
	Owed       int    `json:"owed"`
}

// apiTable is one task table with every row judged.
type apiTable struct {
	Code       string       `json:"code"`
	NameZh     string       `json:"name_zh"`
	NameEn     string       `json:"name_en"`
	Department string       `json:"department"`
	Year       int          `json:"year"`
	Source     string       `json:"source"`
	Owed       int          `json:"owed"`
	AsOf       string       `json:"as_of"` // YYYY-MM the computed rows cover; "" without reports
	Rows       []apiTaskRow `json:"rows"`
}

// apiTaskRow is one row: the target, the actual when known, who owns the
// row and, without a value, who owes it.
type apiTaskRow struct {
	Indicator  string  `json:"indicator"`
	NameZh     string  `json:"name_zh"`
	NameEn     string  `json:"name_en"`
	UnitZh     string  `json:"unit_zh"`
	UnitEn     string  `json:"unit_en"`
	Comparator string  `json:"comparator"`
	Target     float64 `json:"target"`
	Known      bool    `json:"known"`
	Actual     float64 `json:"actual"` // 0 when not known
	Status     string  `json:"status"`
	Source     string  `json:"source"`     // manual, file, interface or computed
	Department string  `json:"department"` // the row's owner
	OwedBy     string  `json:"owed_by"`    // the department that owes the value; "" when there is one
	EntryState string  `json:"entry_state"`
}

func (m *module) apiTables(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	out := apiTables{Tables: []apiTableSummary{}}
	for _, t := range m.svc.Tables().Tables {
		rep, err := m.svc.Report(r.Context(), t.Code)
		if err != nil {
			return err
		}
		out.Tables = append(out.Tables, summary(rep))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func summary(rep tasks.TableReport) apiTableSummary {
	t := rep.Table
	return apiTableSummary{Code: t.Code, NameZh: t.NameZh, NameEn: t.NameEn, Department: t.Department, Year: t.Year, Source: t.Source,
		Rows: len(rep.Rows), Owed: rep.Owed}
}

func (m *module) apiTable(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	rep, err := m.svc.Report(r.Context(), r.PathValue("table"))
	if err != nil {
		return err
	}
	t := rep.Table
	out := apiTable{Code: t.Code, NameZh: t.NameZh, NameEn: t.NameEn, Department: t.Department, Year: t.Year, Source: t.Source, Owed: rep.Owed, Rows: []apiTaskRow{}}
	if rep.AsOf.Year != 0 {
		out.AsOf = rep.AsOf.String()
	}
	for _, row := range rep.Rows {
		f, pr := row.Figure, row.Figure.Progress
		ar := apiTaskRow{Indicator: f.Indicator.Code, NameZh: f.Indicator.NameZh, NameEn: f.Indicator.NameEn, UnitZh: f.Indicator.UnitZh,
			UnitEn: f.Indicator.UnitEn, Comparator: string(pr.Target.Comparator), Target: pr.Target.Value, Known: f.Known,
			Status: string(pr.Status), Source: row.Source, Department: row.Department}
		if f.Known {
			ar.Actual = f.Value
		} else {
			ar.OwedBy = row.Department
		}
		if row.Entry != nil {
			ar.EntryState = string(row.Entry.State)
		}
		out.Rows = append(out.Rows, ar)
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiEntries is GET /api/v1/tasks/entries: a year's departmental values
// the user works on, with where each stands.
type apiEntries struct {
	Year    int        `json:"year"`
	Locked  bool       `json:"locked"`
	Entries []apiEntry `json:"entries"`
}

type apiEntry struct {
	Indicator  string `json:"indicator"`
	NameZh     string `json:"name_zh"`
	NameEn     string `json:"name_en"`
	Department string `json:"department"`
	Unit       string `json:"unit"`
	State      string `json:"state"`    // review state; "missing" when never entered
	Value      string `json:"value"`    // the working copy, exact; "" when missing
	Accepted   string `json:"accepted"` // the value that counts; "" when none
	Note       string `json:"note"`
	Reason     string `json:"reason"`
	Revision   bool   `json:"revision"`
	UpdatedAt  string `json:"updated_at"` // RFC 3339; "" when missing
}

// defaultYear is the latest year of a task table.
func (m *module) defaultYear() int {
	y := 0
	for _, t := range m.svc.Tables().Tables {
		y = max(y, t.Year)
	}
	if y == 0 {
		y = time.Now().Year() - 1
	}
	return y
}

func (m *module) apiEntries(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	year, err := web.IntParam(r.URL.Query(), "year", m.defaultYear(), 2000, 2100)
	if err != nil {
		return err
	}
	rows, locked, err := m.svc.Entries(r.Context(), actor(c), year)
	if err != nil {
		return err
	}
	out := apiEntries{Year: year, Locked: locked, Entries: []apiEntry{}}
	for _, row := range rows {
		out.Entries = append(out.Entries, toAPIEntry(row))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func toAPIEntry(row tasks.EntryRow) apiEntry {
	ind := row.Indicator
	e := apiEntry{Indicator: ind.Code, NameZh: ind.NameZh, NameEn: ind.NameEn, Department: ind.Department, Unit: ind.Unit, State: string(review.Missing)}
	if x := row.Entry; x != nil {
		e.State, e.Value, e.Note, e.Reason, e.Revision = string(x.State), tasks.FormatValue(x.Value), x.Note, x.Reason, x.Revision
		e.UpdatedAt = x.UpdatedAt.UTC().Format(time.RFC3339)
		if x.Accepted != nil {
			e.Accepted = tasks.FormatValue(*x.Accepted)
		}
	}
	return e
}

// apiChanges is the body of POST /api/v1/tasks/entries and
// /api/v1/tasks/reviews.
type apiChanges struct {
	Year    int         `json:"year"`
	Changes []apiChange `json:"changes"`
}

// apiChange is one change: value (a plain decimal, as text so that it is
// exact) for save and submit; reason to return and on a published year.
type apiChange struct {
	Indicator string `json:"indicator"`
	Action    string `json:"action"`
	Value     string `json:"value,omitempty"`
	Note      string `json:"note,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// apiApplied is the answer of a successful change.
type apiApplied struct {
	Year    int `json:"year"`
	Applied int `json:"applied"`
}

// isForm reports whether a POST came from the entry page's HTML forms,
// which are answered by a redirect back to the page.
func isForm(r *http.Request) bool { return r.URL.Query().Get("form") == "1" }

// readChanges reads a JSON body, or a page form of one change.
func readChanges(w http.ResponseWriter, r *http.Request) (apiChanges, error) {
	var body apiChanges
	if isForm(r) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		if err := r.ParseForm(); err != nil {
			return body, apperr.Wrap(err, apperr.Invalid, "api.err.bad_form")
		}
		y, err := strconv.Atoi(r.PostForm.Get("year"))
		if err != nil {
			return body, web.BadParam("year", "not a year 2000–2100")
		}
		body.Year = y
		body.Changes = []apiChange{{Indicator: r.PostForm.Get("indicator"), Action: r.PostForm.Get("action"), Value: r.PostForm.Get("value"),
			Note: r.PostForm.Get("note"), Reason: r.PostForm.Get("reason")}}
		return body, nil
	}
	return body, web.DecodeJSON(w, r, &body, maxBody)
}

// toChanges turns the wire changes into the service's, every problem at
// once; allowed are the actions of the route.
func (m *module) toChanges(lang string, body apiChanges, allowed ...review.Action) ([]tasks.Change, []web.Problem) {
	var out []tasks.Change
	var probs []web.Problem
	for i, ch := range body.Changes {
		path := "changes[" + strconv.Itoa(i) + "]"
		tc := tasks.Change{Indicator: strings.TrimSpace(ch.Indicator), Year: body.Year, Action: review.Action(ch.Action),
			Note: strings.TrimSpace(ch.Note), Reason: strings.TrimSpace(ch.Reason)}
		ok := false
		for _, a := range allowed {
			ok = ok || a == tc.Action
		}
		if !ok {
			probs = append(probs, web.Problem{Path: path + ".action", Code: string(apperr.Invalid), Message: m.core.T(lang, "review.err.action", ch.Action)})
			continue
		}
		if strings.TrimSpace(ch.Value) != "" {
			v, err := unit.ParseScaled(ch.Value, tasks.Scale)
			if err != nil {
				probs = append(probs, web.Problem{Path: path + ".value", Code: string(apperr.Invalid), Message: m.core.T(lang, "tasks.err.value", ch.Value)})
				continue
			}
			tc.Value = &v
		}
		out = append(out, tc)
	}
	return out, probs
}

// apply runs changes through the service and answers: JSON, or for a
// page form a redirect back to the entry page.
func (m *module) apply(w http.ResponseWriter, r *http.Request, c web.Ctx, year int, changes []tasks.Change, probs []web.Problem, pathOf func(i int) string) error {
	err := m.rejection(c.Lang, probs)
	if err == nil {
		err = m.svc.Apply(r.Context(), actor(c), changes)
		var be *tasks.BatchError
		if errors.As(err, &be) {
			for _, re := range be.Rows {
				probs = append(probs, web.Problem{Path: pathOf(re.Index), Code: string(apperr.CodeOf(re.Err)), Message: m.message(c.Lang, re.Err)})
			}
			err = &web.Rejected{Err: be.Rows[0].Err, Message: m.core.T(c.Lang, "tasks.err.rejected", len(be.Rows)), Problems: probs}
		}
	}
	return m.answer(w, r, c, year, err, apiApplied{Year: year, Applied: len(changes)}, http.StatusOK)
}

// answer writes a successful result, or for page forms redirects with the
// outcome (a failure's message is shown on the page).
func (m *module) answer(w http.ResponseWriter, r *http.Request, c web.Ctx, year int, err error, ok any, status int) error {
	if !isForm(r) {
		if err != nil {
			return err
		}
		web.WriteJSON(w, status, ok)
		return nil
	}
	q := url.Values{"year": {strconv.Itoa(year)}}
	if err != nil {
		if apperr.CodeOf(err) == apperr.Internal {
			var rj *web.Rejected
			if !errors.As(err, &rj) {
				return err
			}
		}
		q.Set("error", m.message(c.Lang, err))
	} else {
		q.Set("done", "1")
	}
	http.Redirect(w, r, "/tasks/entry?"+q.Encode(), http.StatusSeeOther)
	return nil
}

// rejection is the error of a request with problems, nil without.
func (m *module) rejection(lang string, probs []web.Problem) error {
	if len(probs) == 0 {
		return nil
	}
	return &web.Rejected{Err: apperr.New(apperr.Invalid, "tasks.err.rejected", len(probs)), Message: m.core.T(lang, "tasks.err.rejected", len(probs)), Problems: probs}
}

// message renders an error in the request's language.
func (m *module) message(lang string, err error) string {
	var rj *web.Rejected
	if errors.As(err, &rj) {
		parts := []string{rj.Message}
		for _, p := range rj.Problems {
			parts = append(parts, p.Path+": "+p.Message)
		}
		return strings.Join(parts, " ")
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return m.core.T(lang, ae.Key, ae.Args...)
	}
	return m.core.T(lang, "err.internal")
}

// apiEnter is POST /api/v1/tasks/entries: a department saves or submits
// values of its indicators, all or nothing.
func (m *module) apiEnter(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	body, err := readChanges(w, r)
	if err != nil {
		return m.answer(w, r, c, body.Year, err, nil, 0)
	}
	changes, probs := m.toChanges(c.Lang, body, review.Save, review.Submit)
	return m.apply(w, r, c, body.Year, changes, probs, changePath)
}

// apiReview is POST /api/v1/tasks/reviews: the city returns (with a
// reason) or accepts submitted values.
func (m *module) apiReview(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	body, err := readChanges(w, r)
	if err != nil {
		return m.answer(w, r, c, body.Year, err, nil, 0)
	}
	changes, probs := m.toChanges(c.Lang, body, review.Return, review.Accept)
	return m.apply(w, r, c, body.Year, changes, probs, changePath)
}

// changePath names the i-th change of a body; the service sees the body's
// changes only when none was refused before, so its indexes are the body's.
func changePath(i int) string { return "changes[" + strconv.Itoa(i) + "]" }

// importColumns are the columns of a departmental upload; a header is
// recognised in either language of the catalogue (tasks.file.<column>).
var importColumns = []string{"indicator", "value", "note", "reason"}

// columnOf names the column a header is, "" for none.
func (m *module) columnOf(header string) string {
	h := strings.ToLower(strings.TrimSpace(header))
	for _, c := range importColumns {
		for _, lang := range []string{"zh-CN", "en"} {
			if h == strings.ToLower(m.core.T(lang, "tasks.file."+c)) {
				return c
			}
		}
	}
	return ""
}

// apiImport is POST /api/v1/tasks/entries/import?year=&action=: a
// department's values from a CSV or XLSX file (columns 指标代码/indicator,
// 数值/value, optional 说明/note and 原因/reason), validated row by row and
// written all or nothing.
func (m *module) apiImport(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	q := r.URL.Query()
	year, err := web.IntParam(q, "year", m.defaultYear(), 2000, 2100)
	if err != nil {
		return m.answer(w, r, c, year, err, nil, 0)
	}
	action := review.Action(q.Get("action"))
	if action == "" {
		action = review.Submit
	}
	if action != review.Save && action != review.Submit {
		return m.answer(w, r, c, year, web.BadParam("action", "save or submit"), nil, 0)
	}
	sheet, err := m.readUpload(w, r)
	if err != nil {
		return m.answer(w, r, c, year, err, nil, 0)
	}
	col := map[string]int{}
	for i, h := range sheet.Header {
		if name := m.columnOf(h); name != "" {
			col[name] = i
		}
	}
	var probs []web.Problem
	for _, need := range []string{"indicator", "value"} {
		if _, ok := col[need]; !ok {
			probs = append(probs, web.Problem{Path: "line " + strconv.Itoa(sheet.HeaderLine), Code: string(apperr.Invalid), Message: m.core.T(c.Lang, "tasks.err.column", m.core.T(c.Lang, "tasks.file."+need))})
		}
	}
	if err := m.rejection(c.Lang, probs); err != nil {
		return m.answer(w, r, c, year, err, nil, 0)
	}
	cell := func(row tabular.Row, name string) string {
		if i, ok := col[name]; ok && i < len(row.Cells) {
			return row.Cells[i]
		}
		return ""
	}
	body := apiChanges{Year: year}
	lines := []int{}
	for _, row := range sheet.Rows {
		body.Changes = append(body.Changes, apiChange{Indicator: cell(row, "indicator"), Action: string(action), Value: cell(row, "value"),
			Note: cell(row, "note"), Reason: cell(row, "reason")})
		lines = append(lines, row.Line)
	}
	changes, probs := m.toChanges(c.Lang, body, action)
	for i := range probs {
		// changes[i].value → line N
		if n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(strings.SplitN(probs[i].Path, ".", 2)[0], "changes["), "]")); err == nil && n < len(lines) {
			probs[i].Path = "line " + strconv.Itoa(lines[n])
		}
	}
	if len(body.Changes) == 0 {
		probs = append(probs, web.Problem{Path: "file", Code: string(apperr.Invalid), Message: m.core.T(c.Lang, "tasks.err.no_rows")})
	}
	// Every row reached the service when there were no problems, so the
	// service's indexes are the file's rows.
	return m.apply(w, r, c, year, changes, probs, func(i int) string { return "line " + strconv.Itoa(lines[i]) })
}

// readUpload reads the "file" part of a multipart body with tabular.Read.
func (m *module) readUpload(w http.ResponseWriter, r *http.Request) (*tabular.Sheet, error) {
	opts := tabular.DefaultOptions()
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
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, apperr.Wrap(err, apperr.TooLarge, "api.err.file_too_large", opts.MaxBytes>>20)
		}
		if err != nil {
			return nil, apperr.Wrap(err, apperr.Invalid, "api.err.no_file")
		}
		if part.FormName() != "file" {
			_ = part.Close()
			continue
		}
		sheet, err := tabular.Read(part, part.FileName(), opts)
		_ = part.Close()
		if errors.As(err, &tooBig) {
			return nil, apperr.Wrap(err, apperr.TooLarge, "api.err.file_too_large", opts.MaxBytes>>20)
		}
		if err != nil {
			return nil, apperr.Wrap(err, apperr.Invalid, "tasks.err.file", err.Error())
		}
		return sheet, nil
	}
}

// apiHistory is one indicator's review history of a year.
type apiHistory struct {
	Indicator string     `json:"indicator"`
	Year      int        `json:"year"`
	Events    []apiEvent `json:"events"`
}

type apiEvent struct {
	Action    string `json:"action"`
	From      string `json:"from"`
	To        string `json:"to"`
	Revision  bool   `json:"revision"`
	ActorID   int64  `json:"actor_id"`
	At        string `json:"at"`
	Reason    string `json:"reason"`
	OldValues string `json:"old_values"`
	NewValues string `json:"new_values"`
}

func (m *module) apiHistory(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	year, err := web.IntParam(r.URL.Query(), "year", m.defaultYear(), 2000, 2100)
	if err != nil {
		return err
	}
	code := r.PathValue("indicator")
	evs, err := m.svc.History(r.Context(), actor(c), year, code)
	if err != nil {
		return err
	}
	out := apiHistory{Indicator: code, Year: year, Events: []apiEvent{}}
	for _, e := range evs {
		out.Events = append(out.Events, apiEvent{Action: string(e.Action), From: string(e.From), To: string(e.To), Revision: e.Revision,
			ActorID: e.ActorID, At: e.At.UTC().Format(time.RFC3339), Reason: e.Reason, OldValues: e.OldValues, NewValues: e.NewValues})
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiLockBody is the body of POST /api/v1/tasks/locks.
type apiLockBody struct {
	Year int    `json:"year"`
	Note string `json:"note,omitempty"`
}

// apiLock is a published year.
type apiLock struct {
	Year     int    `json:"year"`
	LockedAt string `json:"locked_at"`
	LockedBy int64  `json:"locked_by"`
	Note     string `json:"note"`
}

// apiPublish is POST /api/v1/tasks/locks: the city publishes (locks) a
// year of departmental values.
func (m *module) apiPublish(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	var body apiLockBody
	if isForm(r) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		if err := r.ParseForm(); err != nil {
			return m.answer(w, r, c, 0, apperr.Wrap(err, apperr.Invalid, "api.err.bad_form"), nil, 0)
		}
		body.Year, _ = strconv.Atoi(r.PostForm.Get("year"))
		body.Note = r.PostForm.Get("note")
	} else {
		if err := web.DecodeJSON(w, r, &body, maxBody); err != nil {
			return err
		}
	}
	if body.Year < 2000 || body.Year > 2100 {
		return m.answer(w, r, c, body.Year, web.BadParam("year", "not a year 2000–2100"), nil, 0)
	}
	l, err := m.svc.Publish(r.Context(), actor(c), body.Year, strings.TrimSpace(body.Note))
	return m.answer(w, r, c, body.Year, err, apiLock{Year: body.Year, LockedAt: l.LockedAt.UTC().Format(time.RFC3339), LockedBy: l.LockedBy, Note: l.Note}, http.StatusCreated)
}
