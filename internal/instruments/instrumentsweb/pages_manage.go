package instrumentsweb

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/web"
)

// The management pages (issue 9): the hub listing the instruments a
// caller manages, qualifications, violations and their waivers, and the
// operator's entered evaluation scores. Every form posts back to its page
// and every rule is the service's, as on the API.

type manageLink struct {
	ID, Name, Local, Class, URL, RulesURL string
}

// managePage is GET /instruments/manage[?unit_id=].
type managePage struct {
	web.BasePage
	Operator  bool
	Units     []web.Option // the operator's choice
	UnitID    int64
	UnitRules string // the unit's defaults form, for its administrator and the operator
	Items     []manageLink
	Links     []web.Option
}

// staff reports whether the caller works on the marketplace's
// management pages: a unit's staff or the operator.
func staff(c web.Ctx) bool { return c.Can(permManage) || c.Can(permOperate) }

// manageNav is the menu entry the management pages mark: the
// operator's or the unit staff's.
func manageNav(c web.Ctx) string {
	if c.Can(permOperate) {
		return "instrument-platform"
	}
	return "instrument-manage"
}

// unitChoice reads ?unit_id= for the operator, who picks a unit; others
// get their own.
func unitChoice(r *http.Request, c web.Ctx) (int64, error) {
	if !c.Can(permOperate) {
		return 0, nil
	}
	return unitParam(r)
}

// unitOptions lists the units for the operator's choice.
func (m *module) unitOptions(r *http.Request, lang string, chosen int64) ([]web.Option, error) {
	us, err := m.svc.Units(r.Context())
	if err != nil {
		return nil, err
	}
	out := []web.Option{{Value: "", Label: m.core.T(lang, "instruments.manage.choose_unit")}}
	for _, u := range us {
		out = append(out, web.Option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name, Selected: u.ID == chosen})
	}
	return out, nil
}

func (m *module) managePage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !staff(c) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	lang := c.Lang
	t := func(k string, a ...any) string { return m.core.T(lang, k, a...) }
	chosen, err := unitChoice(r, c)
	if err != nil {
		return err
	}
	unitID, ds, err := m.svc.ManagedInstruments(r.Context(), actor(c), chosen)
	if err != nil {
		return err
	}
	p := managePage{Operator: c.Can(permOperate), UnitID: unitID}
	p.BasePage = m.core.Base(r, c, "instruments.manage.title", manageNav(c))
	if p.Operator {
		if p.Units, err = m.unitOptions(r, lang, unitID); err != nil {
			return err
		}
	}
	if unitID != 0 && (p.Operator || c.Can(permManageUnit)) {
		p.UnitRules = "/instruments/manage/units/" + strconv.FormatInt(unitID, 10) + "/rules"
	}
	for _, d := range ds {
		id := strconv.FormatInt(d.ID, 10)
		p.Items = append(p.Items, manageLink{ID: id, Name: d.Name, Local: d.LocalID, Class: className(lang, d.ClassCode), URL: "/instruments/" + id,
			RulesURL: "/instruments/manage/" + id + "/rules"})
	}
	q := ""
	if p.Operator && unitID != 0 {
		q = "?unit_id=" + strconv.FormatInt(unitID, 10)
	}
	p.Links = []web.Option{{Value: "/instruments/qualifications" + q, Label: t("instruments.qual.title")},
		{Value: "/instruments/violations", Label: t("instruments.viol.title")}}
	if p.Operator {
		p.Links = append(p.Links, web.Option{Value: "/instruments/evaluation-scores", Label: t("instruments.scores.title")})
	}
	return m.core.Render(w, r, c, "instrument_manage.html", p)
}

// Qualifications (issue 9 item 2).

type qualRow struct {
	ID                  int64
	UserID              int64
	Scope, ScopeValue   string // what it covers, and the grant form's value of it
	UnitID              int64
	Granted, Expires    string
	Idle                string // the idle-lapse rule and the last use
	LastValid           string
	State, StateKey     string
	Revoked             bool
	RenewDefault, Error string
}

type qualPage struct {
	web.BasePage
	Operator bool
	Units    []web.Option
	UnitID   int64
	Rows     []qualRow
	Scopes   []web.Option // the grant form's instruments and classes
	Done     string
	Error    string
	Form     url.Values // a refused grant's fields
	Today    string
}

// qualificationsPage is GET /instruments/qualifications.
func (m *module) qualificationsPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	return m.renderQualifications(w, r, c, http.StatusOK, "", 0, nil)
}

func (m *module) renderQualifications(w http.ResponseWriter, r *http.Request, c web.Ctx, status int, msg string, rowID int64, form url.Values) error {
	if !staff(c) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	lang := c.Lang
	t := func(k string, a ...any) string { return m.core.T(lang, k, a...) }
	chosen, err := unitChoice(r, c)
	if err != nil {
		return err
	}
	if chosen == 0 && form != nil {
		chosen, _ = strconv.ParseInt(form.Get("unit_id"), 10, 64)
	}
	unitID, ds, err := m.svc.ManagedInstruments(r.Context(), actor(c), chosen)
	if err != nil {
		return err
	}
	sts, err := m.svc.QualificationStatuses(r.Context(), actor(c))
	if err != nil {
		return err
	}
	p := qualPage{Operator: c.Can(permOperate), UnitID: unitID, Done: m.doneText(r, lang), Form: form,
		Today: time.Now().In(instruments.Zone).Format(time.DateOnly)}
	p.BasePage = m.core.Base(r, c, "instruments.qual.title", manageNav(c))
	if p.Operator {
		if p.Units, err = m.unitOptions(r, lang, unitID); err != nil {
			return err
		}
	}
	names := map[int64]string{}
	for _, d := range ds {
		names[d.ID] = d.Name
		v := "i:" + strconv.FormatInt(d.ID, 10)
		p.Scopes = append(p.Scopes, web.Option{Value: v, Label: d.Name + " (" + d.LocalID + ")", Selected: form.Get("scope") == v})
	}
	if unitID != 0 && (p.Operator || c.Can(permManageUnit)) {
		cs, err := instruments.Classes()
		if err != nil {
			return err
		}
		for _, cl := range cs {
			v := "c:" + cl.Code
			p.Scopes = append(p.Scopes, web.Option{Value: v, Label: t("instruments.qual.class_scope", web.PickLang(lang, cl.NameZH, cl.NameEN)), Selected: form.Get("scope") == v})
		}
	}
	for _, s := range sts {
		row := qualRow{ID: s.ID, UserID: s.UserID, UnitID: s.UnitID, Granted: s.GrantedOn, Expires: s.ExpiresOn, LastValid: s.LastValid, Revoked: s.Revoked}
		if s.InstrumentID != 0 {
			name, ok := names[s.InstrumentID]
			if !ok {
				if d, err := m.svc.Detail(r.Context(), s.InstrumentID); err == nil {
					name = d.Name
				}
				names[s.InstrumentID] = name
			}
			row.Scope, row.ScopeValue = name, "i:"+strconv.FormatInt(s.InstrumentID, 10)
		} else {
			row.Scope, row.ScopeValue = t("instruments.qual.class_scope", className(lang, s.ClassCode)), "c:"+s.ClassCode
		}
		if s.IdleDays > 0 {
			last := s.LastUse
			if last == "" {
				last = t("instruments.qual.never_used")
			}
			row.Idle = t("instruments.qual.idle", s.IdleDays, last)
		}
		switch {
		case s.Revoked:
			row.StateKey = "revoked"
		case s.Valid:
			row.StateKey = "valid"
		case s.GrantedOn > p.Today:
			row.StateKey = "pending"
		default:
			row.StateKey = "lapsed"
		}
		row.State = t("instruments.qual.state." + row.StateKey)
		exp, _ := time.ParseInLocation(time.DateOnly, max(s.LastValid, p.Today), instruments.Zone)
		row.RenewDefault = exp.AddDate(1, 0, 0).Format(time.DateOnly)
		if rowID == s.ID {
			row.Error = msg
		}
		p.Rows = append(p.Rows, row)
	}
	if rowID == 0 {
		p.Error = msg
	}
	return m.core.RenderStatus(w, r, c, status, "instrument_qualifications.html", p)
}

// grantForm is POST /instruments/qualifications: a grant, or a renewal
// (a new grant of the same scope with a later expiry; row names the
// renewed one, for the error's place).
func (m *module) grantForm(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !staff(c) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(err, apperr.Invalid, "api.err.bad_form")
	}
	f := r.PostForm
	q := instruments.Qualification{ExpiresOn: strings.TrimSpace(f.Get("expires_on"))}
	q.UserID, _ = strconv.ParseInt(strings.TrimSpace(f.Get("user_id")), 10, 64)
	q.UnitID, _ = strconv.ParseInt(f.Get("unit_id"), 10, 64)
	scope := f.Get("scope")
	switch {
	case strings.HasPrefix(scope, "i:"):
		q.InstrumentID, _ = strconv.ParseInt(scope[2:], 10, 64)
	case strings.HasPrefix(scope, "c:"):
		q.ClassCode = scope[2:]
	}
	rowID, _ := strconv.ParseInt(f.Get("row"), 10, 64)
	back := "/instruments/qualifications"
	if c.Can(permOperate) && q.UnitID != 0 {
		back += "?unit_id=" + strconv.FormatInt(q.UnitID, 10) + "&"
	} else {
		back += "?"
	}
	var err error
	if q.InstrumentID == 0 && q.ClassCode == "" {
		err = apperr.New(apperr.Invalid, "instruments.err.qualification_scope")
	} else if _, err = m.svc.GrantQualification(r.Context(), actor(c), q); err == nil {
		done := "granted"
		if rowID != 0 {
			done = "saved"
		}
		http.Redirect(w, r, back+"done="+done, http.StatusSeeOther)
		return nil
	}
	msg, ok := m.errText(c.Lang, err)
	if !ok {
		return err
	}
	if rowID != 0 {
		f = nil
	}
	return m.renderQualifications(w, r, c, http.StatusUnprocessableEntity, msg, rowID, f)
}

// revokeForm is POST /instruments/qualifications/{id}/revoke.
func (m *module) revokeForm(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !staff(c) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	if _, err := m.svc.RevokeQualification(r.Context(), actor(c), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/instruments/qualifications?done=revoked", http.StatusSeeOther)
	return nil
}

// Violations and waivers (issue 9 item 3).

type violationRow struct {
	ID, UserID, OrderID int64
	Unit, Kind, At      string
	Waived              bool
	WaivedText          string
	CanWaive            bool
	Error, Reason       string
}

type violationSummary struct {
	UserID int64
	Unit   string
	Active int
}

type violationsPage struct {
	web.BasePage
	Rows    []violationRow
	Summary []violationSummary // active (unwaived) violations per user and unit
	Done    string
	CanAll  bool // the caller sees the unit's or every violation, not only their own
}

// violationsPage is GET /instruments/violations: the unit's (the
// operator: every) recorded no-shows, with the waiver form; anyone
// else's own.
func (m *module) violationsPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	return m.renderViolations(w, r, c, http.StatusOK, 0, "", "")
}

func (m *module) renderViolations(w http.ResponseWriter, r *http.Request, c web.Ctx, status int, rowID int64, msg, reason string) error {
	if !c.Can(permOrder) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	lang := c.Lang
	t := func(k string, a ...any) string { return m.core.T(lang, k, a...) }
	vs, err := m.svc.ViolationsOf(r.Context(), actor(c), 0)
	if err != nil && !apperr.Is(err, apperr.Forbidden) {
		return err
	}
	if err != nil { // a unit administrator without a unit: their own
		if vs, err = m.svc.ViolationsOf(r.Context(), instruments.Actor{UserID: c.User.ID}, 0); err != nil {
			return err
		}
	}
	p := violationsPage{Done: m.doneText(r, lang), CanAll: c.Can(permOperate) || c.Can(permManageUnit)}
	p.BasePage = m.core.Base(r, c, "instruments.viol.title", manageNav(c))
	units := map[int64]string{}
	if us, err := m.svc.Units(r.Context()); err == nil {
		for _, u := range us {
			units[u.ID] = u.Name
		}
	}
	canWaive := c.Can(permEnrol) && p.CanAll
	type key struct{ user, unit int64 }
	active := map[key]int{}
	var order []key
	for _, v := range vs {
		row := violationRow{ID: v.ID, UserID: v.UserID, OrderID: v.OrderID, Unit: units[v.UnitID], Kind: t("instruments.viol.kind." + v.Kind),
			At: v.At.In(instruments.Zone).Format("2006-01-02 15:04"), Waived: v.WaivedBy != 0}
		if row.Waived {
			row.WaivedText = t("instruments.viol.waived_text", v.WaivedAt.In(instruments.Zone).Format(time.DateOnly), v.WaivedBy, v.WaiveReason)
		} else {
			row.CanWaive = canWaive
			k := key{v.UserID, v.UnitID}
			if active[k] == 0 {
				order = append(order, k)
			}
			active[k]++
		}
		if v.ID == rowID {
			row.Error, row.Reason = msg, reason
		}
		p.Rows = append(p.Rows, row)
	}
	for _, k := range order {
		p.Summary = append(p.Summary, violationSummary{UserID: k.user, Unit: units[k.unit], Active: active[k]})
	}
	return m.core.RenderStatus(w, r, c, status, "instrument_violations.html", p)
}

// waiveForm is POST /instruments/violations/{id}/waive (field reason).
func (m *module) waiveForm(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !c.Can(permEnrol) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(err, apperr.Invalid, "api.err.bad_form")
	}
	reason := r.PostForm.Get("reason")
	_, err = m.svc.WaiveViolation(r.Context(), actor(c), id, reason)
	if err == nil {
		http.Redirect(w, r, "/instruments/violations?done=waived", http.StatusSeeOther)
		return nil
	}
	msg, ok := m.errText(c.Lang, err)
	if !ok {
		return err
	}
	return m.renderViolations(w, r, c, http.StatusUnprocessableEntity, id, msg, reason)
}

// Entered evaluation scores (issue 9 item 4).

type scoreCell struct {
	Indicator string
	Label     string
	Weight    string
	Source    string // computed, entered, or "" when not assessed
	Points    string
	Note      string
}

type scoreRow struct {
	UnitKey, Unit string
	Pct, Grade    string
	Cells         []scoreCell
}

// scoreEntry is an entered score as the page lists it.
type scoreEntry struct {
	Unit, Indicator, Points, Note, Evidence, EnteredAt string
}

type scoresPage struct {
	web.BasePage
	Year       int
	Years      []web.Option
	Units      []web.Option
	Indicators []web.Option // the document-judged ones, with their weight
	Headers    []string
	Rows       []scoreRow
	Entered    []scoreEntry
	Labels     map[string]string
	Done       string
	Error      string
	Form       url.Values
}

// scoresPage is GET /instruments/evaluation-scores?year=: each unit's
// indicators, computed or entered, and the operator's form to enter the
// document-judged ones.
func (m *module) scoresPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	return m.renderScores(w, r, c, http.StatusOK, "", nil)
}

func (m *module) renderScores(w http.ResponseWriter, r *http.Request, c web.Ctx, status int, msg string, form url.Values) error {
	if !c.Can(permOperate) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	lang := c.Lang
	t := func(k string, a ...any) string { return m.core.T(lang, k, a...) }
	year, err := web.IntParam(r.URL.Query(), "year", m.core.Today().Year()-1, 2000, 2100)
	if err != nil {
		return err
	}
	if form != nil {
		if y, err := strconv.Atoi(form.Get("year")); err == nil && y >= 2000 && y <= 2100 {
			year = y
		}
	}
	_, cfg, evs, err := m.svc.Evaluations(r.Context(), year)
	if err != nil {
		return err
	}
	ss, err := m.svc.EvalScores(r.Context(), year)
	if err != nil {
		return err
	}
	p := scoresPage{Year: year, Done: m.doneText(r, lang), Error: msg, Form: form, Labels: map[string]string{}}
	p.BasePage = m.core.Base(r, c, "instruments.scores.title", manageNav(c))
	for y := m.core.Today().Year(); y >= 2016; y-- {
		p.Years = append(p.Years, web.Option{Value: strconv.Itoa(y), Label: strconv.Itoa(y), Selected: y == year})
	}
	for _, in := range cfg.Indicators {
		label := t("instruments.indicator." + in.Key)
		p.Labels[in.Key] = label
		p.Headers = append(p.Headers, label+" ("+web.FormatNumber(in.Weight, 0)+")")
		if len(in.Parts) == 0 {
			p.Indicators = append(p.Indicators, web.Option{Value: in.Key, Label: label + " · " + t("instruments.scores.weight", web.FormatNumber(in.Weight, 0)),
				Selected: form.Get("indicator") == in.Key})
		}
	}
	us, err := m.svc.Units(r.Context())
	if err != nil {
		return err
	}
	unitNames := map[int64]string{}
	for _, u := range us {
		id := strconv.FormatInt(u.ID, 10)
		unitNames[u.ID] = u.Name
		p.Units = append(p.Units, web.Option{Value: id, Label: u.Name, Selected: form.Get("unit_id") == id})
	}
	for _, e := range evs {
		row := scoreRow{UnitKey: e.UnitKey, Unit: e.UnitName, Pct: web.FormatNumber(e.Pct, 2), Grade: t("instrumentstats.grade." + e.Grade)}
		for _, is := range e.Indicators {
			cell := scoreCell{Indicator: is.Key, Label: p.Labels[is.Key], Source: is.Source, Note: is.Note, Points: "–"}
			if is.Assessed {
				cell.Points = web.FormatNumber(is.Score, 2)
			}
			row.Cells = append(row.Cells, cell)
		}
		p.Rows = append(p.Rows, row)
	}
	for _, s := range ss {
		p.Entered = append(p.Entered, scoreEntry{Unit: unitNames[s.UnitID], Indicator: p.Labels[s.Indicator], Points: web.FormatNumber(s.Points, 2),
			Note: s.Note, Evidence: s.Evidence, EnteredAt: s.EnteredAt.In(instruments.Zone).Format("2006-01-02 15:04")})
	}
	return m.core.RenderStatus(w, r, c, status, "instrument_scores.html", p)
}

// scoreForm is POST /instruments/evaluation-scores.
func (m *module) scoreForm(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !c.Can(permOperate) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(err, apperr.Invalid, "api.err.bad_form")
	}
	f := r.PostForm
	sc := instruments.EvalScore{Indicator: f.Get("indicator"), Note: f.Get("note"), Evidence: f.Get("evidence")}
	sc.UnitID, _ = strconv.ParseInt(f.Get("unit_id"), 10, 64)
	sc.Year, _ = strconv.Atoi(f.Get("year"))
	var err error
	pts, perr := strconv.ParseFloat(strings.TrimSpace(f.Get("points")), 64)
	if perr != nil {
		err = apperr.New(apperr.Invalid, "instruments.err.eval_points_number")
	} else {
		sc.Points = pts
		if _, err = m.svc.PutEvalScore(r.Context(), actor(c), sc); err == nil {
			http.Redirect(w, r, "/instruments/evaluation-scores?year="+strconv.Itoa(sc.Year)+"&done=scored", http.StatusSeeOther)
			return nil
		}
	}
	msg, ok := m.errText(c.Lang, err)
	if !ok && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	if !ok {
		msg = m.core.T(c.Lang, "instruments.err.no_unit")
	}
	return m.renderScores(w, r, c, http.StatusUnprocessableEntity, msg, f)
}
