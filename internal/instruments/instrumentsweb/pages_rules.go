package instrumentsweb

import (
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/web"
)

// The booking rules forms (issue 9 item 1): an instrument's rules for its
// managers and its unit's administrator, a unit's defaults for its
// administrator, both for the operator. The forms post back to the page
// (no script needed); the service validates as it does for the API
// (instruments.Rules.Problems), and a refused field is shown beside
// itself. Cross-origin posts are refused by the core's protection.

// fieldView is one input of the rules form.
type fieldView struct {
	Name    string // the form field
	Rule    string // the rules' JSON field it sets, which problems name
	Label   string
	Hint    string
	Type    string // number, time, pct, checkbox, select
	Value   string
	Checked bool
	Options []web.Option
	Error   string
}

type fieldGroup struct {
	Title  string
	Fields []fieldView
}

// internalRow is an internal-first window of the form (the last row is
// blank, to add one).
type internalRow struct {
	Index    int
	Weekdays string // "1,2,3,4,5"
	From, To string // HH:MM
	Release  string
	Error    string
}

type windowRow struct {
	Index      int
	Kind, When string
	Note       string
	Past       bool
}

// rulesFormPage is the form of an instrument's rules or a unit's
// defaults.
type rulesFormPage struct {
	web.BasePage
	Heading   string
	Sub       string
	Back      string
	BackLabel string
	Action    string
	Groups    []fieldGroup
	Internal  []internalRow
	InternalN int
	// Instrument pages only: the maintenance and outage windows, removed
	// with the form, added with their own (which flags the bookings hit).
	Instrument   bool
	Windows      []windowRow
	WindowAction string
	Error        string
	Done         string
}

// ruleField describes a form field of a Rules value.
type ruleField struct {
	name, rule, typ, label, hint string
	get                          func(*instruments.Rules) *int
}

func ruleInts() [][]ruleField {
	f := func(name, typ, hint string, get func(*instruments.Rules) *int) ruleField {
		rule := name
		if typ == "pct" {
			rule = strings.TrimSuffix(name, "_pct") + "_permille"
		}
		return ruleField{name: name, rule: rule, typ: typ, label: "instruments.rules_form." + name, hint: hint, get: get}
	}
	return [][]ruleField{
		{ // qualification and approval (the approval select and the checkbox are added by hand)
			f("qualification_days", "number", "instruments.rules_form.hint.days", func(r *instruments.Rules) *int { return &r.QualificationDays }),
			f("qualification_idle_days", "number", "instruments.rules_form.hint.idle", func(r *instruments.Rules) *int { return &r.QualificationIdleDays }),
		},
		{ // slots
			f("lead_minutes", "number", "instruments.rules_form.hint.zero", func(r *instruments.Rules) *int { return &r.LeadMinutes }),
			f("horizon_days", "number", "instruments.rules_form.hint.zero", func(r *instruments.Rules) *int { return &r.HorizonDays }),
			f("min_block_minutes", "number", "instruments.rules_form.hint.zero", func(r *instruments.Rules) *int { return &r.MinBlockMinutes }),
			f("max_block_minutes", "number", "instruments.rules_form.hint.zero", func(r *instruments.Rules) *int { return &r.MaxBlockMinutes }),
			f("granularity_minutes", "number", "instruments.rules_form.hint.granularity", func(r *instruments.Rules) *int { return &r.GranularityMinutes }),
			f("daily_quota_minutes", "number", "instruments.rules_form.hint.zero", func(r *instruments.Rules) *int { return &r.DailyQuotaMinutes }),
			f("open_from_minute", "time", "", func(r *instruments.Rules) *int { return &r.OpenFromMinute }),
			f("open_to_minute", "time", "instruments.rules_form.hint.midnight", func(r *instruments.Rules) *int { return &r.OpenToMinute }),
			f("turnaround_days", "number", "", func(r *instruments.Rules) *int { return &r.TurnaroundDays }),
		},
		{ // cancellation, no-shows and violations
			f("cancel_free_hours", "number", "", func(r *instruments.Rules) *int { return &r.CancelFreeHours }),
			f("cancel_fee_pct", "pct", "", func(r *instruments.Rules) *int { return &r.CancelFeePermille }),
			f("no_show_grace_minutes", "number", "", func(r *instruments.Rules) *int { return &r.NoShowGraceMinutes }),
			f("no_show_fee_pct", "pct", "", func(r *instruments.Rules) *int { return &r.NoShowFeePermille }),
			f("max_violations", "number", "instruments.rules_form.hint.never", func(r *instruments.Rules) *int { return &r.MaxViolations }),
			f("violation_days", "number", "instruments.rules_form.hint.violation_days", func(r *instruments.Rules) *int { return &r.ViolationDays }),
		},
	}
}

var ruleGroupTitles = []string{"instruments.rules_form.group.access", "instruments.rules_form.group.slots", "instruments.rules_form.group.fees"}

// minutesText renders minutes after midnight as HH:MM ("" for 0 of a
// closing time, which means midnight).
func minutesText(v int, closing bool) string {
	if closing && (v == 0 || v == 24*60) {
		return ""
	}
	return strconv.Itoa(v/60/10) + strconv.Itoa(v/60%10) + ":" + strconv.Itoa(v%60/10) + strconv.Itoa(v%10)
}

// parseMinutes reads HH:MM as minutes after midnight ("" is 0).
func parseMinutes(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// formErrors are a form's refused fields by form field name.
type formErrors map[string]string

// rulesView fills the form from rules, with the refused fields' messages.
func (m *module) rulesView(lang string, rl instruments.Rules, errs formErrors, posted url.Values) ([]fieldGroup, []internalRow) {
	t := func(k string, a ...any) string { return m.core.T(lang, k, a...) }
	value := func(name, v string) string {
		if posted != nil {
			return posted.Get(name)
		}
		return v
	}
	var groups []fieldGroup
	for gi, fs := range ruleInts() {
		g := fieldGroup{Title: t(ruleGroupTitles[gi])}
		if gi == 0 {
			approval := fieldView{Name: "approval", Rule: "approval", Label: t("instruments.rule.approval"), Type: "select", Error: errs["approval"]}
			cur := value("approval", string(rl.Approval))
			for _, a := range []instruments.Approval{instruments.ApproveManual, instruments.ApproveQualified, instruments.ApproveAuto} {
				approval.Options = append(approval.Options, web.Option{Value: string(a), Label: t("instruments.approval." + string(a)), Selected: cur == string(a)})
			}
			req := fieldView{Name: "qualification_required", Rule: "qualification_required", Label: t("instruments.rules_form.qualification_required"), Type: "checkbox",
				Checked: rl.QualificationRequired}
			if posted != nil {
				req.Checked = posted.Get("qualification_required") != ""
			}
			g.Fields = append(g.Fields, approval, req)
		}
		for _, f := range fs {
			v := *f.get(&rl)
			fv := fieldView{Name: f.name, Rule: f.rule, Label: t(f.label), Type: f.typ, Error: errs[f.name]}
			if f.hint != "" {
				fv.Hint = t(f.hint)
			}
			switch f.typ {
			case "time":
				fv.Value = value(f.name, minutesText(v, f.name == "open_to_minute"))
			case "pct":
				fv.Value = value(f.name, strconv.FormatFloat(float64(v)/10, 'f', -1, 64))
			default:
				fv.Value = value(f.name, strconv.Itoa(v))
			}
			g.Fields = append(g.Fields, fv)
		}
		groups = append(groups, g)
	}
	var rows []internalRow
	if posted != nil {
		n, _ := strconv.Atoi(posted.Get("if_n"))
		for i := 0; i <= n && i < 50; i++ {
			k := strconv.Itoa(i)
			if posted.Get("if_remove_"+k) != "" {
				continue
			}
			rows = append(rows, internalRow{Index: len(rows), Weekdays: posted.Get("if_days_" + k), From: posted.Get("if_from_" + k), To: posted.Get("if_to_" + k),
				Release: posted.Get("if_release_" + k), Error: errs["if_"+k]})
		}
		// Posted rows are renumbered, so keep the last one blank for a new window.
		if len(rows) == 0 || rows[len(rows)-1].From != "" || rows[len(rows)-1].To != "" {
			rows = append(rows, internalRow{Index: len(rows)})
		}
		return groups, rows
	}
	for i, w := range rl.InternalFirst {
		days := make([]string, len(w.Weekdays))
		for j, d := range w.Weekdays {
			days[j] = strconv.Itoa(d)
		}
		rows = append(rows, internalRow{Index: i, Weekdays: strings.Join(days, ","), From: minutesText(w.FromMinute, false),
			To: minutesText(w.ToMinute, true), Release: strconv.Itoa(w.ReleaseHours)})
	}
	rows = append(rows, internalRow{Index: len(rows)})
	return groups, rows
}

// readRules overwrites base with the posted form: every field of the
// form; the windows removed. Fields that are not numbers are refused
// here (the form's own problem); the rules' limits are the service's.
func (m *module) readRules(lang string, base instruments.Rules, form url.Values) (instruments.Rules, formErrors, map[string]string) {
	t := func(k string, a ...any) string { return m.core.T(lang, k, a...) }
	rl := base
	errs := formErrors{}
	byRule := map[string]string{} // rules field → form field, to place the service's problems
	rl.Approval = instruments.Approval(form.Get("approval"))
	rl.QualificationRequired = form.Get("qualification_required") != ""
	byRule["approval"] = "approval"
	for _, fs := range ruleInts() {
		for _, f := range fs {
			byRule[f.rule] = f.name
			raw := strings.TrimSpace(form.Get(f.name))
			var v int
			ok := true
			switch f.typ {
			case "time":
				v, ok = parseMinutes(raw)
			case "pct":
				if raw != "" {
					p, err := strconv.ParseFloat(raw, 64)
					ok = err == nil && !math.IsNaN(p) && !math.IsInf(p, 0) && math.Abs(p) < 1e6
					v = int(math.Round(p * 10))
				}
			default:
				if raw != "" {
					n, err := strconv.Atoi(raw)
					ok, v = err == nil, n
				}
			}
			if !ok {
				errs[f.name] = t("instruments.err.rule.number")
				continue
			}
			*f.get(&rl) = v
		}
	}
	rl.InternalFirst = nil
	n, _ := strconv.Atoi(form.Get("if_n"))
	for i := 0; i <= n && i < 50; i++ {
		k := strconv.Itoa(i)
		from, to := strings.TrimSpace(form.Get("if_from_"+k)), strings.TrimSpace(form.Get("if_to_"+k))
		if form.Get("if_remove_"+k) != "" || from == "" && to == "" {
			continue
		}
		w := instruments.InternalWindow{}
		fm, ok1 := parseMinutes(from)
		tm, ok2 := parseMinutes(to)
		rel, err := strconv.Atoi(strings.TrimSpace(form.Get("if_release_" + k)))
		if strings.TrimSpace(form.Get("if_release_"+k)) == "" {
			rel, err = 0, nil
		}
		ok := ok1 && ok2 && err == nil
		for _, d := range strings.FieldsFunc(form.Get("if_days_"+k), func(r rune) bool { return r == ',' || r == ' ' || r == '，' }) {
			v, err := strconv.Atoi(d)
			ok = ok && err == nil
			w.Weekdays = append(w.Weekdays, v)
		}
		if !ok {
			errs["if_"+k] = t("instruments.err.rule.internal_first")
			continue
		}
		w.FromMinute, w.ToMinute, w.ReleaseHours = fm, tm, rel
		byRule["internal_first."+strconv.Itoa(len(rl.InternalFirst))] = "if_" + k
		rl.InternalFirst = append(rl.InternalFirst, w)
	}
	if removed := form["remove_window"]; len(removed) > 0 {
		drop := map[int]bool{}
		for _, v := range removed {
			if i, err := strconv.Atoi(v); err == nil {
				drop[i] = true
			}
		}
		var keep []instruments.Window
		for i, w := range rl.Maintenance {
			if !drop[i] {
				keep = append(keep, w)
			}
		}
		rl.Maintenance = keep
	}
	return rl, errs, byRule
}

// problemErrors places the service's refusal of the rules beside the
// fields it names; ok false when err is no such refusal.
func (m *module) problemErrors(lang string, err error, byRule map[string]string, errs formErrors) bool {
	var ri *instruments.RulesInvalid
	if !errors.As(err, &ri) {
		return false
	}
	for _, p := range ri.Problems {
		name := byRule[p.Field]
		if name == "" {
			name = "_form"
		}
		if errs[name] == "" {
			errs[name] = m.core.T(lang, p.Key, p.Args...)
		}
	}
	return true
}

// doneText is the flash message of a ?done= a form's redirect carries;
// only known keys are shown.
func (m *module) doneText(r *http.Request, lang string) string {
	q := r.URL.Query()
	switch d := q.Get("done"); d {
	case "saved", "granted", "revoked", "waived", "scored":
		return m.core.T(lang, "instruments.manage.done."+d)
	case "window":
		hits, _ := strconv.Atoi(q.Get("hits"))
		return m.core.T(lang, "instruments.manage.done.window", hits)
	}
	return ""
}

// errText is a typed error's message in lang, ok false for an error the
// form cannot show (an internal one, or a refusal of the page itself).
func (m *module) errText(lang string, err error) (string, bool) {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return "", false
	}
	switch ae.Code {
	case apperr.Invalid, apperr.Conflict:
		return m.core.T(lang, ae.Key, ae.Args...), true
	}
	return "", false
}

func (m *module) windowRows(lang string, rl instruments.Rules) []windowRow {
	var out []windowRow
	now := time.Now()
	for i, w := range rl.Maintenance {
		kind := w.Kind
		if kind == "" {
			kind = instruments.WindowMaintenance
		}
		out = append(out, windowRow{Index: i, Kind: m.core.T(lang, "instruments.window."+kind), Note: w.Note, Past: w.End.Before(now),
			When: w.Start.In(instruments.Zone).Format("2006-01-02 15:04") + "–" + w.End.In(instruments.Zone).Format("2006-01-02 15:04")})
	}
	return out
}

// instrumentRules is GET and POST /instruments/manage/{id}/rules: the
// page, and the form posting back to it.
func (m *module) instrumentRules(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !c.Can(permManage) && !c.Can(permOperate) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	d, err := m.svc.ManagedInstrument(r.Context(), actor(c), id)
	if err != nil {
		return err
	}
	lang := c.Lang
	path := "/instruments/manage/" + strconv.FormatInt(id, 10)
	p := rulesFormPage{Heading: m.core.T(lang, "instruments.rules_form.title", d.Name), Sub: d.Unit.Name, Back: "/instruments/" + strconv.FormatInt(id, 10), BackLabel: d.Name,
		Action: path + "/rules", Instrument: true, WindowAction: path + "/windows", Done: m.doneText(r, lang)}
	p.BasePage = m.core.Base(r, c, "instruments.rules_form.heading", manageNav(c))
	p.Title = p.Heading
	p.Windows = m.windowRows(lang, d.Rules)
	return m.serveRulesForm(w, r, c, &p, d.Rules, path+"/rules?done=saved", func(rl instruments.Rules) error {
		_, err := m.svc.SetRules(r.Context(), actor(c), id, rl)
		return err
	})
}

// addWindowForm is POST /instruments/{id}/windows: a maintenance or
// outage window from the rules page (local times), which flags the
// bookings it hits as the API does.
func (m *module) addWindowForm(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !c.Can(permManage) && !c.Can(permOperate) {
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
	path := "/instruments/manage/" + strconv.FormatInt(id, 10) + "/rules"
	win := instruments.Window{Kind: r.PostForm.Get("kind"), Note: r.PostForm.Get("note")}
	start, err1 := time.ParseInLocation("2006-01-02T15:04", r.PostForm.Get("start"), instruments.Zone)
	end, err2 := time.ParseInLocation("2006-01-02T15:04", r.PostForm.Get("end"), instruments.Zone)
	if err1 != nil || err2 != nil {
		err = apperr.New(apperr.Invalid, "instruments.err.window")
	} else {
		win.Start, win.End = start, end
		var hits []instruments.Order
		hits, err = m.svc.AddWindow(r.Context(), actor(c), id, win)
		if err == nil {
			http.Redirect(w, r, path+"?done=window&hits="+strconv.Itoa(len(hits)), http.StatusSeeOther)
			return nil
		}
	}
	msg, ok := m.errText(c.Lang, err)
	if !ok {
		return err
	}
	d, err := m.svc.ManagedInstrument(r.Context(), actor(c), id)
	if err != nil {
		return err
	}
	p := rulesFormPage{Heading: m.core.T(c.Lang, "instruments.rules_form.title", d.Name), Sub: d.Unit.Name, Back: "/instruments/" + strconv.FormatInt(id, 10),
		BackLabel: d.Name, Action: path, Instrument: true, WindowAction: "/instruments/manage/" + strconv.FormatInt(id, 10) + "/windows", Error: msg}
	p.BasePage = m.core.Base(r, c, "instruments.rules_form.heading", manageNav(c))
	p.Title = p.Heading
	p.Groups, p.Internal = m.rulesView(c.Lang, d.Rules, nil, nil)
	p.InternalN = len(p.Internal) - 1
	p.Windows = m.windowRows(c.Lang, d.Rules)
	return m.core.RenderStatus(w, r, c, http.StatusUnprocessableEntity, "instrument_rules.html", p)
}

// unitRules is GET and POST /instruments/manage/units/{id}/rules: the
// defaults a unit's new instruments take (its administrator, the
// operator), and the form posting back to it.
func (m *module) unitRules(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !c.Can(permManageUnit) && !c.Can(permOperate) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	// The unit's own instruments' list checks the caller may administer
	// it, before its defaults are shown.
	unitID, _, err := m.svc.ManagedInstruments(r.Context(), actor(c), id)
	if err != nil {
		return err
	}
	if unitID != id {
		return apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	rl, err := m.svc.UnitRules(r.Context(), id)
	if err != nil {
		return err
	}
	lang := c.Lang
	name := m.unitName(r, id)
	path := "/instruments/manage/units/" + strconv.FormatInt(id, 10) + "/rules"
	p := rulesFormPage{Heading: m.core.T(lang, "instruments.rules_form.unit_title", name), Sub: m.core.T(lang, "instruments.rules_form.unit_sub"),
		Back: "/instruments/manage?unit_id=" + strconv.FormatInt(id, 10), BackLabel: m.core.T(lang, "instruments.manage.title"), Action: path, Done: m.doneText(r, lang)}
	p.BasePage = m.core.Base(r, c, "instruments.rules_form.heading", manageNav(c))
	p.Title = p.Heading
	return m.serveRulesForm(w, r, c, &p, rl, path+"?done=saved", func(nr instruments.Rules) error {
		return m.svc.PutUnitRules(r.Context(), actor(c), id, nr)
	})
}

// serveRulesForm renders the rules form p for the rules cur. A POST reads
// the form over cur and saves it through save, then redirects to
// savedURL; refused, the form comes back (422) with each field's error.
func (m *module) serveRulesForm(w http.ResponseWriter, r *http.Request, c web.Ctx, p *rulesFormPage, cur instruments.Rules, savedURL string, save func(instruments.Rules) error) error {
	lang := c.Lang
	status := http.StatusOK
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			return apperr.Wrap(err, apperr.Invalid, "api.err.bad_form")
		}
		rl, errs, byRule := m.readRules(lang, cur, r.PostForm)
		if len(errs) == 0 {
			err := save(rl)
			if err == nil {
				http.Redirect(w, r, savedURL, http.StatusSeeOther)
				return nil
			}
			if !m.problemErrors(lang, err, byRule, errs) {
				msg, ok := m.errText(lang, err)
				if !ok {
					return err
				}
				p.Error = msg
			}
		}
		if p.Error == "" {
			p.Error = m.core.T(lang, "instruments.rules_form.fix")
			if e := errs["_form"]; e != "" {
				p.Error = e
			}
		}
		p.Groups, p.Internal = m.rulesView(lang, cur, errs, r.PostForm)
		status, p.Done = http.StatusUnprocessableEntity, ""
	} else {
		p.Groups, p.Internal = m.rulesView(lang, cur, nil, nil)
	}
	p.InternalN = len(p.Internal) - 1
	return m.core.RenderStatus(w, r, c, status, "instrument_rules.html", *p)
}

// unitName is a unit's name ("#id" when it cannot be read).
func (m *module) unitName(r *http.Request, id int64) string {
	us, err := m.svc.Units(r.Context())
	if err == nil {
		for _, u := range us {
			if u.ID == id {
				return u.Name
			}
		}
	}
	return "#" + strconv.FormatInt(id, 10)
}
