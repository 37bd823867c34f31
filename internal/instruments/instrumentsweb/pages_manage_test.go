package instrumentsweb_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// rulesForm is the rules form as a browser posts it for rl.
func rulesForm(rl instruments.Rules) url.Values {
	hm := func(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }
	v := url.Values{
		"approval": {string(rl.Approval)}, "qualification_days": {strconv.Itoa(rl.QualificationDays)},
		"qualification_idle_days": {strconv.Itoa(rl.QualificationIdleDays)}, "lead_minutes": {strconv.Itoa(rl.LeadMinutes)},
		"horizon_days": {strconv.Itoa(rl.HorizonDays)}, "min_block_minutes": {strconv.Itoa(rl.MinBlockMinutes)},
		"max_block_minutes": {strconv.Itoa(rl.MaxBlockMinutes)}, "granularity_minutes": {strconv.Itoa(rl.GranularityMinutes)},
		"daily_quota_minutes": {strconv.Itoa(rl.DailyQuotaMinutes)}, "open_from_minute": {hm(rl.OpenFromMinute)}, "open_to_minute": {hm(rl.OpenToMinute)},
		"turnaround_days": {strconv.Itoa(rl.TurnaroundDays)}, "cancel_free_hours": {strconv.Itoa(rl.CancelFreeHours)},
		"cancel_fee_pct": {strconv.FormatFloat(float64(rl.CancelFeePermille)/10, 'f', -1, 64)}, "no_show_grace_minutes": {strconv.Itoa(rl.NoShowGraceMinutes)},
		"no_show_fee_pct": {strconv.FormatFloat(float64(rl.NoShowFeePermille)/10, 'f', -1, 64)}, "max_violations": {strconv.Itoa(rl.MaxViolations)},
		"violation_days": {strconv.Itoa(rl.ViolationDays)}, "if_n": {"0"},
	}
	if rl.QualificationRequired {
		v.Set("qualification_required", "1")
	}
	return v
}

const formType = "application/x-www-form-urlencoded"

// The rules form: managers edit an instrument's rules and the booking
// limit follows; a refused field is shown beside itself and nothing is
// stored; strangers are refused; the unit's defaults are the
// administrator's and the operator's.
func TestRulesFormPages(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		ctx := context.Background()
		id, item := marketFixture(t, env)
		d, err := env.Store.InstrumentDetail(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/instruments/manage/%d/rules", id)
		short := d.Rules
		short.MaxBlockMinutes = 60
		badOrder := d.Rules
		badOrder.MinBlockMinutes, badOrder.MaxBlockMinutes = 120, 60
		notNumber := rulesForm(d.Rules)
		notNumber.Set("granularity_minutes", "abc")
		badWindow := rulesForm(d.Rules)
		badWindow.Set("if_days_0", "1,9")
		badWindow.Set("if_from_0", "08:00")
		badWindow.Set("if_to_0", "12:00")
		s1, e1 := slot(10, 2)
		env.Run(t, []webtest.Scenario{
			{Name: "Page", URL: page, User: "semlab", WantStatus: http.StatusOK, WantContains: []string{`id="rules-form"`, `name="max_block_minutes" value="480"`, "最长预约（分钟）"}},
			{Name: "PageEnglish", URL: page + "?lang=en", User: "swuadmin", WantStatus: http.StatusOK, WantContains: []string{"Longest booking (minutes)"}},
			{Name: "PageOperator", URL: page, User: "bureau", WantStatus: http.StatusOK},
			{Name: "PageScholar", URL: page, User: "scholar", WantStatus: http.StatusForbidden},
			{Name: "PageFirm", URL: page, User: "firm", WantStatus: http.StatusForbidden},
			{Name: "InstrumentLink", URL: fmt.Sprintf("/instruments/%d", id), User: "semlab", WantStatus: http.StatusOK, WantContains: []string{`href="` + page + `"`}},
			{Name: "NoLinkForCustomer", URL: fmt.Sprintf("/instruments/%d", id), User: "firm", WantStatus: http.StatusOK, WantNotContains: []string{`href="` + page + `"`}},
			{Name: "MinOverMax", Method: "POST", URL: page, User: "semlab", ContentType: formType, Body: rulesForm(badOrder).Encode(),
				WantStatus: http.StatusUnprocessableEntity, WantContains: []string{`data-field-error="max_block_minutes"`, "最长预约时长不能短于最短预约时长", `name="min_block_minutes" value="120"`}},
			{Name: "NotNumber", Method: "POST", URL: page + "?lang=en", User: "semlab", ContentType: formType, Body: notNumber.Encode(),
				WantStatus: http.StatusUnprocessableEntity, WantContains: []string{`data-field-error="granularity_minutes"`, "Enter a number."}},
			{Name: "BadInternalWindow", Method: "POST", URL: page, User: "semlab", ContentType: formType, Body: badWindow.Encode(),
				WantStatus: http.StatusUnprocessableEntity, WantContains: []string{`data-field-error="internal_first.0"`}},
			{Name: "ScholarCannotSave", Method: "POST", URL: page, User: "scholar", ContentType: formType, Body: rulesForm(short).Encode(), WantStatus: http.StatusForbidden},
			{Name: "Save", Method: "POST", URL: page, User: "semlab", ContentType: formType, Body: rulesForm(short).Encode(),
				WantStatus: http.StatusSeeOther, WantHeader: map[string]string{"Location": page + "?done=saved"}},
			{Name: "Saved", URL: page + "?done=saved", User: "semlab", WantStatus: http.StatusOK, WantContains: []string{`id="rules-done"`, `name="max_block_minutes" value="60"`}},
			// The limit applies to bookings at once.
			{Name: "LongBookingRefused", Method: "POST", URL: fmt.Sprintf("/api/v1/instruments/%d/orders", id), User: "firm", ContentType: "application/json",
				Body: fmt.Sprintf(`{"item_id":%d,"start":%q,"end":%q}`, item, s1, e1), WantStatus: http.StatusBadRequest, WantContains: []string{"60"}},
		})
		after, err := env.Store.InstrumentDetail(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if after.Rules.MaxBlockMinutes != 60 || after.Rules.MinBlockMinutes != d.Rules.MinBlockMinutes || after.Rules.OpenToMinute != d.Rules.OpenToMinute {
			t.Fatalf("stored rules %+v", after.Rules)
		}

		// An internal-first window added through the form's blank row.
		withWindow := rulesForm(after.Rules)
		withWindow.Set("if_days_0", "1,2,3,4,5")
		withWindow.Set("if_from_0", "08:00")
		withWindow.Set("if_to_0", "12:00")
		withWindow.Set("if_release_0", "48")
		env.Run(t, []webtest.Scenario{{Name: "InternalWindow", Method: "POST", URL: page, User: "swuadmin", ContentType: formType, Body: withWindow.Encode(), WantStatus: http.StatusSeeOther}})
		if after, err = env.Store.InstrumentDetail(ctx, id); err != nil {
			t.Fatal(err)
		}
		if w := after.Rules.InternalFirst; len(w) != 1 || w[0].FromMinute != 480 || w[0].ToMinute != 720 || w[0].ReleaseHours != 48 || len(w[0].Weekdays) != 5 {
			t.Fatalf("internal-first %+v", w)
		}

		// A second instrument of the unit that semlab does not manage: the
		// hub lists it for the administrator, not for the manager.
		other := instruments.Instrument{UnitID: d.UnitID, LocalID: "NMR-01", Name: "核磁共振波谱仪", ClassCode: "01", Subclass: "电子光学仪器", Model: "AVANCE NEO 600",
			Manufacturer: "布鲁克", Country: "德国", OriginalValue: 5_000_000 * unit.Yuan, RegionCode: "500109", Status: instruments.Open, EnrolledOn: "2023-05-01",
			Modes: []instruments.Mode{instruments.SelfOperation}, Rules: instruments.DefaultRules()}
		if _, err := env.Store.CreateInstrument(ctx, other, nil, nil); err != nil {
			t.Fatal(err)
		}
		// Unit defaults: the administrator and the operator.
		unitPage := fmt.Sprintf("/instruments/manage/units/%d/rules", d.UnitID)
		auto := instruments.DefaultRules()
		auto.Approval = instruments.ApproveAuto
		env.Run(t, []webtest.Scenario{
			{Name: "UnitPage", URL: unitPage, User: "swuadmin", WantStatus: http.StatusOK, WantContains: []string{`id="rules-form"`}, WantNotContains: []string{`id="rules-window-form"`}},
			{Name: "UnitPageManager", URL: unitPage, User: "semlab", WantStatus: http.StatusForbidden},
			{Name: "UnitPageOtherUnit", URL: fmt.Sprintf("/instruments/manage/units/%d/rules", d.UnitID+1), User: "swuadmin", WantStatus: http.StatusForbidden},
			{Name: "UnitSave", Method: "POST", URL: unitPage, User: "swuadmin", ContentType: formType, Body: rulesForm(auto).Encode(), WantStatus: http.StatusSeeOther},
			{Name: "ManageAdmin", URL: "/instruments/manage", User: "swuadmin", WantStatus: http.StatusOK, WantContains: []string{"场发射扫描电镜", "核磁共振波谱仪", `href="` + unitPage + `"`}},
			{Name: "ManageManager", URL: "/instruments/manage", User: "semlab", WantStatus: http.StatusOK, WantContains: []string{"场发射扫描电镜"}, WantNotContains: []string{unitPage, "核磁共振波谱仪"}},
			{Name: "ManageOperatorPicks", URL: "/instruments/manage", User: "bureau", WantStatus: http.StatusOK, WantContains: []string{"请先选择单位"}},
			{Name: "ManageOperatorUnit", URL: fmt.Sprintf("/instruments/manage?unit_id=%d", d.UnitID), User: "bureau", WantStatus: http.StatusOK, WantContains: []string{"场发射扫描电镜", unitPage}},
			{Name: "ManageScholar", URL: "/instruments/manage", User: "scholar", WantStatus: http.StatusForbidden},
		})
		ur, ok, err := env.Store.UnitRules(ctx, d.UnitID)
		if err != nil || !ok || ur.Approval != instruments.ApproveAuto {
			t.Fatalf("unit rules %+v %v %v", ur, ok, err)
		}
	})
}

// Qualifications: the unit's administrator grants, renews and revokes;
// the list says when each lapses under the idle rule.
func TestQualificationPages(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		id, _ := marketFixture(t, env)
		scholar := env.Users["scholar"]
		grant := url.Values{"user_id": {strconv.FormatInt(scholar, 10)}, "scope": {fmt.Sprintf("i:%d", id)}}
		past := url.Values{"user_id": {strconv.FormatInt(scholar, 10)}, "scope": {fmt.Sprintf("i:%d", id)}, "expires_on": {"2020-01-01"}}
		noScope := url.Values{"user_id": {strconv.FormatInt(scholar, 10)}}
		env.Run(t, []webtest.Scenario{
			{Name: "Page", URL: "/instruments/qualifications", User: "swuadmin", WantStatus: http.StatusOK, WantContains: []string{`id="qual-grant"`, "场发射扫描电镜", "本单位全部"}},
			{Name: "ManagerNoClass", URL: "/instruments/qualifications", User: "semlab", WantStatus: http.StatusOK, WantContains: []string{`id="qual-grant"`}, WantNotContains: []string{"本单位全部"}},
			{Name: "Scholar", URL: "/instruments/qualifications", User: "scholar", WantStatus: http.StatusForbidden},
			{Name: "NoScope", Method: "POST", URL: "/instruments/qualifications", User: "swuadmin", ContentType: formType, Body: noScope.Encode(),
				WantStatus: http.StatusUnprocessableEntity, WantContains: []string{`id="qual-error"`, "请选择授权的仪器或类别"}},
			{Name: "PastExpiry", Method: "POST", URL: "/instruments/qualifications", User: "swuadmin", ContentType: formType, Body: past.Encode(),
				WantStatus: http.StatusUnprocessableEntity, WantContains: []string{"有效期须为今天或以后的日期"}},
			{Name: "Grant", Method: "POST", URL: "/instruments/qualifications", User: "semlab", ContentType: formType, Body: grant.Encode(),
				WantStatus: http.StatusSeeOther, WantHeader: map[string]string{"Location": "done=granted"}},
			{Name: "Listed", URL: "/instruments/qualifications", User: "swuadmin", WantStatus: http.StatusOK,
				WantContains: []string{fmt.Sprintf("#%d", scholar), `data-state="valid"`, "闲置 365 天失效，最后使用：未使用"}},
		})
		qs, err := env.Store.Qualifications(context.Background(), scholar, 0)
		if err != nil || len(qs) != 1 {
			t.Fatalf("%v %v", qs, err)
		}
		renew := url.Values{"row": {strconv.FormatInt(qs[0].ID, 10)}, "user_id": {strconv.FormatInt(scholar, 10)}, "scope": {fmt.Sprintf("i:%d", id)},
			"expires_on": {time.Now().In(instruments.Zone).AddDate(2, 0, 0).Format(time.DateOnly)}}
		env.Run(t, []webtest.Scenario{
			{Name: "Renew", Method: "POST", URL: "/instruments/qualifications", User: "swuadmin", ContentType: formType, Body: renew.Encode(), WantStatus: http.StatusSeeOther},
			{Name: "RevokeByScholar", Method: "POST", URL: fmt.Sprintf("/instruments/qualifications/%d/revoke", qs[0].ID), User: "scholar", ContentType: formType, WantStatus: http.StatusForbidden},
			{Name: "Revoke", Method: "POST", URL: fmt.Sprintf("/instruments/qualifications/%d/revoke", qs[0].ID), User: "swuadmin", ContentType: formType,
				WantStatus: http.StatusSeeOther, WantHeader: map[string]string{"Location": "done=revoked"}},
			{Name: "AfterRevoke", URL: "/instruments/qualifications", User: "swuadmin", WantStatus: http.StatusOK,
				WantContains: []string{`data-state="revoked"`, `data-state="valid"`, renew.Get("expires_on")}},
		})
	})
}

// Violations: the administrator waives a no-show once with a reason; the
// customer sees their own without the form.
func TestViolationPages(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		ctx := context.Background()
		insID, item := marketFixture(t, env)
		scholar := instruments.Actor{UserID: env.Users["scholar"], Booker: true}
		manager := instruments.Actor{UserID: env.Users["semlab"], Manager: true, Booker: true}
		from, to := slot(10, 1)
		start, _ := time.Parse(time.RFC3339, from)
		end, _ := time.Parse(time.RFC3339, to)
		o, err := instruments.NewService(env.Store, instruments.Options{}).Book(ctx, scholar, instruments.BookRequest{InstrumentID: insID, ItemID: item, Start: start, End: end})
		if err != nil {
			t.Fatal(err)
		}
		later := instruments.NewService(env.Store, instruments.Options{Now: func() time.Time { return start.Add(time.Hour) }})
		for _, a := range []string{instruments.OrderApprove, instruments.OrderSchedule, instruments.OrderNoShow} {
			if _, err := later.Act(ctx, manager, o.ID, instruments.ActRequest{Action: a}); err != nil {
				t.Fatalf("%s: %v", a, err)
			}
		}
		vs, err := env.Store.ViolationList(ctx, 0, 0)
		if err != nil || len(vs) != 1 {
			t.Fatalf("%v %v", vs, err)
		}
		waive := fmt.Sprintf("/instruments/violations/%d/waive", vs[0].ID)
		env.Run(t, []webtest.Scenario{
			{Name: "Admin", URL: "/instruments/violations", User: "swuadmin", WantStatus: http.StatusOK,
				WantContains: []string{`action="` + waive + `"`, fmt.Sprintf("#%d", o.ID), "爽约", `id="viol-summary"`}},
			{Name: "Own", URL: "/instruments/violations", User: "scholar", WantStatus: http.StatusOK, WantContains: []string{"爽约", "未免除"}, WantNotContains: []string{waive}},
			{Name: "ManagerCannot", Method: "POST", URL: waive, User: "semlab", ContentType: formType, Body: "reason=x", WantStatus: http.StatusForbidden},
			{Name: "NoReason", Method: "POST", URL: waive, User: "swuadmin", ContentType: formType, Body: "reason=+", WantStatus: http.StatusUnprocessableEntity,
				WantContains: []string{`data-field-error="reason"`, "请填写 1–500 字的免除原因"}},
			{Name: "Waive", Method: "POST", URL: waive, User: "swuadmin", ContentType: formType, Body: url.Values{"reason": {"仪器故障导致"}}.Encode(),
				WantStatus: http.StatusSeeOther, WantHeader: map[string]string{"Location": "done=waived"}},
			{Name: "Waived", URL: "/instruments/violations?done=waived", User: "swuadmin", WantStatus: http.StatusOK,
				WantContains: []string{"仪器故障导致", `data-waived="true"`, `id="viol-done"`}, WantNotContains: []string{`action="` + waive + `"`, `id="viol-summary"`}},
			{Name: "Once", Method: "POST", URL: waive, User: "bureau", ContentType: formType, Body: "reason=again", WantStatus: http.StatusUnprocessableEntity},
		})
	})
}

// Entered scores: the operator enters a document-judged indicator, which
// the unit's evaluation then shows as entered beside the computed ones.
func TestScorePages(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		insID, _ := marketFixture(t, env)
		d, err := env.Store.InstrumentDetail(context.Background(), insID)
		if err != nil {
			t.Fatal(err)
		}
		year := strconv.Itoa(time.Now().Year())
		form := url.Values{"unit_id": {strconv.FormatInt(d.UnitID, 10)}, "year": {year}, "indicator": {"technical_team"}, "points": {"4.5"},
			"note": {"实验队伍稳定"}, "evidence": {"人事处名单"}}
		tooMany := url.Values{"unit_id": {strconv.FormatInt(d.UnitID, 10)}, "year": {year}, "indicator": {"technical_team"}, "points": {"60"}, "note": {"x"}}
		page := "/instruments/evaluation-scores?year=" + year
		env.Run(t, []webtest.Scenario{
			{Name: "Page", URL: page, User: "bureau", WantStatus: http.StatusOK, WantContains: []string{`id="scores-form"`, `value="technical_team"`}, WantNotContains: []string{`value="shared_hours"`}},
			{Name: "UnitAdmin", URL: page, User: "swuadmin", WantStatus: http.StatusForbidden},
			{Name: "Analyst", URL: page, User: "analyst", WantStatus: http.StatusForbidden},
			{Name: "TooMany", Method: "POST", URL: "/instruments/evaluation-scores", User: "bureau", ContentType: formType, Body: tooMany.Encode(),
				WantStatus: http.StatusUnprocessableEntity, WantContains: []string{`id="scores-error"`, "分值须在 0 与该指标权重（6）之间"}},
			{Name: "UnitAdminCannot", Method: "POST", URL: "/instruments/evaluation-scores", User: "swuadmin", ContentType: formType, Body: form.Encode(), WantStatus: http.StatusForbidden},
			{Name: "Enter", Method: "POST", URL: "/instruments/evaluation-scores", User: "bureau", ContentType: formType, Body: form.Encode(),
				WantStatus: http.StatusSeeOther, WantHeader: map[string]string{"Location": page + "&done=scored"}},
			{Name: "Shown", URL: page, User: "bureau", WantStatus: http.StatusOK,
				WantContains: []string{`data-indicator="technical_team" data-source="entered"`, `data-indicator="shared_hours" data-source="computed"`, "人事处名单"}},
			{Name: "Stats", URL: "/instruments/stats?year=" + year, User: "bureau", WantStatus: http.StatusOK,
				WantContains: []string{`data-source="entered"`, "技术队伍 4.5/6", `id="instrument-scores-link"`}},
		})
	})
}
