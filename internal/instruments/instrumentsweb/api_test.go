package instrumentsweb_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/instruments/instrumentsweb"
	"github.com/industrybrain/ibrain/internal/unit"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// marketFixture adds a university with an administrator and a manager,
// an operator and an academic user of an institute to env, and one open
// scanning electron microscope managed by the manager. It returns the
// instrument's id and its hourly item's id.
func marketFixture(t *testing.T, env *webtest.Env) (int64, int64) {
	t.Helper()
	ctx := context.Background()
	us, err := env.Store.PutUnits(ctx, []instruments.Unit{{Name: "西南大学", Type: instruments.University, RegionCode: "500109"}, {Name: "重庆某材料研究所", Type: instruments.Institute, RegionCode: "500103"}})
	if err != nil {
		t.Fatal(err)
	}
	hash, err := auth.NewHasher(auth.TestParams, 1).Hash(ctx, webtest.FixturePassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		name string
		role auth.Role
		unit int64
		cat  instruments.Category
	}{
		{"bureau", auth.RoleSharingOperator, 0, ""},
		{"swuadmin", auth.RoleUnitAdmin, us[0].ID, instruments.Internal},
		{"semlab", auth.RoleInstrumentManager, us[0].ID, instruments.Internal},
		{"scholar", auth.RoleAcademic, us[1].ID, instruments.ExternalAcademic},
	} {
		id, err := env.Store.CreateUser(ctx, auth.User{Username: u.name, DisplayName: u.name, PasswordHash: hash, Role: u.role})
		if err != nil {
			t.Fatal(err)
		}
		env.Users[u.name] = id
		if u.unit != 0 {
			if err := env.Store.PutSharingMember(ctx, instruments.Member{UserID: id, UnitID: u.unit, Category: u.cat}); err != nil {
				t.Fatal(err)
			}
		}
	}
	rules := instruments.DefaultRules()
	in := instruments.Instrument{UnitID: us[0].ID, LocalID: "SEM-01", Name: "场发射扫描电镜", ClassCode: "01", Subclass: "电子光学仪器", Model: "SU8010",
		Manufacturer: "日立", Country: "日本", OriginalValue: 3_200_000 * unit.Yuan, RegionCode: "500109", Capabilities: "表面形貌 能谱分析",
		Status: instruments.Open, EnrolledOn: "2023-05-01", Modes: []instruments.Mode{instruments.SelfOperation, instruments.SampleSending}, Rules: rules}
	items := []instruments.ServiceItem{{Name: "机时", Mode: instruments.SelfOperation, Unit: instruments.PerHour, Rates: []instruments.Rate{
		{Category: instruments.Internal, EffectiveFrom: "2024-01-01", Price: 150 * unit.Yuan},
		{Category: instruments.ExternalAcademic, EffectiveFrom: "2024-01-01", Price: 300 * unit.Yuan},
		{Category: instruments.EnterpriseUser, EffectiveFrom: "2024-01-01", Price: 400 * unit.Yuan}}}}
	created, err := env.Store.CreateInstrument(ctx, in, items, []int64{env.Users["semlab"]})
	if err != nil {
		t.Fatal(err)
	}
	d, err := env.Store.InstrumentDetail(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	return created.ID, d.Items[0].ID
}

// slot is tomorrow h:00–h+n:00 in Chongqing time, inside the default
// rules' lead time, horizon and opening hours whenever the test runs.
func slot(h, n int) (string, string) {
	d := time.Now().In(instruments.Zone).AddDate(0, 0, 1)
	s := time.Date(d.Year(), d.Month(), d.Day(), h, 0, 0, 0, instruments.Zone)
	return s.Format(time.RFC3339), s.Add(time.Duration(n) * time.Hour).Format(time.RFC3339)
}

func TestInstrumentsAPI(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		id, item := marketFixture(t, env)
		js := "application/json"
		u := func(f string, a ...any) string { return fmt.Sprintf(f, a...) }
		s1, e1 := slot(10, 2)
		env.Run(t, []webtest.Scenario{
			{Name: "SearchTwoChars", URL: "/api/v1/instruments?q=" + "电镜", User: "firm", WantStatus: http.StatusOK, WantContains: []string{"场发射扫描电镜", `"total":1`, `"price_from_fen":40000`}},
			{Name: "SearchModel", URL: "/api/v1/instruments?q=su8010&class=01&unit_type=university&mode=self&band=200_500", User: "scholar", WantStatus: http.StatusOK, WantContains: []string{"SU8010", `"label":"分析仪器`}},
			{Name: "SearchMiss", URL: "/api/v1/instruments?q=" + "质谱", User: "analyst", WantStatus: http.StatusOK, WantContains: []string{`"total":0`}},
			{Name: "SearchBadBand", URL: "/api/v1/instruments?band=cheap", User: "firm", WantStatus: http.StatusBadRequest},
			{Name: "SearchPage", URL: "/instruments?q=" + "电镜", User: "firm", WantStatus: http.StatusOK, WantContains: []string{"大型科研仪器开放共享", "场发射扫描电镜", "共 1 台仪器"}},
			{Name: "SearchPageEnglish", URL: "/instruments?lang=en", User: "analyst", WantStatus: http.StatusOK, WantContains: []string{"1 instruments", "Analytical instruments"}},
			{Name: "Detail", URL: u("/api/v1/instruments/%d", id), User: "firm", WantStatus: http.StatusOK, WantContains: []string{`"global_id":"cq.`, "/SEM-01", `"rules":{`}},
			{Name: "DetailMissing", URL: "/api/v1/instruments/999999", User: "firm", WantStatus: http.StatusNotFound},
			{Name: "DetailPage", URL: u("/instruments/%d", id), User: "firm", WantStatus: http.StatusOK, WantContains: []string{"instrument-book", "¥400 / 小时", "SU8010"}},
			{Name: "DetailPageAnalystNoBooking", URL: u("/instruments/%d", id), User: "analyst", WantStatus: http.StatusOK, WantNotContains: []string{"instrument-book"}},
			{Name: "Stats", URL: "/api/v1/instruments/stats?year=2023", User: "bureau", WantStatus: http.StatusOK, WantContains: []string{`"enrolled":1`, `"total":1`, `"label":"西南大学"`}},
			{Name: "StatsPage", URL: "/instruments/stats?year=2023", User: "admin", WantStatus: http.StatusOK, WantContains: []string{"科技资源共享统计", "西南大学", "100.00%"}},
			{Name: "StatsFirmForbidden", URL: "/api/v1/instruments/stats", User: "firm", WantStatus: http.StatusForbidden},
			{Name: "StatsPageFirmForbidden", URL: "/instruments/stats", User: "firm", WantStatus: http.StatusForbidden},
			{Name: "Create", Method: "POST", URL: "/api/v1/instruments", User: "swuadmin", ContentType: js,
				Body: `{"local_id":"NMR-01","name":"核磁共振波谱仪","class_code":"01","subclass":"波谱仪器","model":"AVANCE III 600","original_value_fen":450000000,"modes":["assisted","sample"],
				"items":[{"name":"氢谱","mode":"sample","charge_unit":"sample","rates":[{"category":"enterprise","effective_from":"2024-01-01","price_fen":30000}]}]}`,
				WantStatus: http.StatusCreated, WantContains: []string{`"status":"draft"`, `"global_id":"cq.`}},
			{Name: "CreateDuplicate", Method: "POST", URL: "/api/v1/instruments", User: "swuadmin", ContentType: js,
				Body: `{"local_id":"NMR-01","name":"核磁共振波谱仪","class_code":"01","original_value_fen":450000000,"modes":["assisted"]}`, WantStatus: http.StatusConflict},
			{Name: "CreateBadClass", Method: "POST", URL: "/api/v1/instruments?lang=en", User: "swuadmin", ContentType: js,
				Body: `{"local_id":"X-1","name":"x","class_code":"99","original_value_fen":1,"modes":["assisted"]}`, WantStatus: http.StatusBadRequest, WantContains: []string{"Unknown instrument class: 99"}},
			{Name: "CreateAcademicForbidden", Method: "POST", URL: "/api/v1/instruments", User: "scholar", ContentType: js, Body: `{}`, WantStatus: http.StatusForbidden},
			{Name: "OfflineByStranger", Method: "POST", URL: u("/api/v1/instruments/%d/lifecycle", id), User: "scholar", ContentType: js,
				Body: `{"action":"offline","until":"2099-01-01"}`, WantStatus: http.StatusForbidden},
			{Name: "Book", Method: "POST", URL: u("/api/v1/instruments/%d/orders", id), User: "firm", ContentType: js,
				Body: u(`{"item_id":%d,"start":%q,"end":%q}`, item, s1, e1), WantStatus: http.StatusCreated,
				WantContains: []string{`"state":"submitted"`, `"unit_price_fen":40000`, `"category":"enterprise"`, `"booked_minutes":120`}},
			{Name: "BookTaken", Method: "POST", URL: u("/api/v1/instruments/%d/orders", id), User: "scholar", ContentType: js,
				Body: u(`{"item_id":%d,"start":%q,"end":%q}`, item, s1, e1), WantStatus: http.StatusConflict, WantContains: []string{"该时段已被预约"}},
			{Name: "BookOffGrid", Method: "POST", URL: u("/api/v1/instruments/%d/orders?lang=en", id), User: "scholar", ContentType: js,
				Body: u(`{"item_id":%d,"start":%q,"end":%q}`, item, s1[:14]+"10"+s1[16:], e1), WantStatus: http.StatusBadRequest, WantContains: []string{"steps of 30 minutes"}},
			{Name: "BookAnalystForbidden", Method: "POST", URL: u("/api/v1/instruments/%d/orders", id), User: "analyst", ContentType: js, Body: `{}`, WantStatus: http.StatusForbidden},
			{Name: "FundVouchers", Method: "POST", URL: "/api/v1/instrument-vouchers", User: "bureau", ContentType: js,
				Body: u(`{"kind":"fund","year":%d,"amount_fen":100000000}`, time.Now().In(instruments.Zone).Year()), WantStatus: http.StatusNoContent},
			{Name: "AllocateVoucher", Method: "POST", URL: "/api/v1/instrument-vouchers", User: "bureau", ContentType: js,
				Body: u(`{"kind":"allocate","year":%d,"enterprise_id":{wz-auto},"amount_fen":5000000}`, time.Now().In(instruments.Zone).Year()), WantStatus: http.StatusNoContent},
			{Name: "AllocateOverCap", Method: "POST", URL: "/api/v1/instrument-vouchers", User: "bureau", ContentType: js,
				Body: u(`{"kind":"allocate","year":%d,"enterprise_id":{wz-auto},"amount_fen":50000000}`, time.Now().In(instruments.Zone).Year()), WantStatus: http.StatusConflict},
			{Name: "VoucherByUnitForbidden", Method: "POST", URL: "/api/v1/instrument-vouchers", User: "swuadmin", ContentType: js, Body: `{}`, WantStatus: http.StatusForbidden},
		})
		// The order through its life: the manager runs and bills it, the
		// lab records the payment, the firm rates; every answer is checked against the OpenAPI document.
		_, body := env.Do(webtest.Scenario{URL: "/api/v1/instrument-orders", User: "firm"})
		var list instrumentsweb.APIOrders
		if err := json.Unmarshal([]byte(body), &list); err != nil || len(list.Orders) != 1 {
			t.Fatalf("%v %s", err, body)
		}
		oid := list.Orders[0].ID
		act := func(user, action, extra string, want int) string {
			t.Helper()
			res, b := env.Do(webtest.Scenario{Method: "POST", URL: u("/api/v1/instrument-orders/%d/actions", oid), User: user, ContentType: js,
				Body: `{"action":"` + action + `"` + extra + `}`})
			if res.StatusCode != want {
				t.Fatalf("%s by %s: %d %s", action, user, res.StatusCode, b)
			}
			return b
		}
		act("firm", "approve", "", http.StatusForbidden)
		act("scholar", "approve", "", http.StatusNotFound)
		act("semlab", "approve", "", http.StatusOK)
		act("semlab", "approve", "", http.StatusConflict)
		act("swuadmin", "schedule", "", http.StatusOK)
		act("semlab", "start", "", http.StatusOK)
		act("semlab", "complete", "", http.StatusOK)
		b := act("semlab", "confirm_usage", `,"actual_minutes":100,"billable_minutes":120`, http.StatusOK)
		var o instrumentsweb.APIOrder
		if err := json.Unmarshal([]byte(b), &o); err != nil {
			t.Fatal(err)
		}
		// ¥400/h × 2 billable h = ¥800; vouchers.json covers 50 % (Chongqing's own ratio is not published, so the share is configuration).
		if o.AmountFen != 80000 || o.VoucherFen != 40000 || o.ActualMinutes != 100 || o.BookedMinutes != 120 {
			t.Fatalf("%+v", o)
		}
		act("semlab", "invoice", "", http.StatusOK)
		// The unit that receives the money records the payment.
		act("firm", "pay", "", http.StatusForbidden)
		act("semlab", "pay", "", http.StatusOK)
		env.Run(t, []webtest.Scenario{
			{Name: "OrdersPageManager", URL: "/instruments/orders", User: "semlab", WantStatus: http.StatusOK, WantContains: []string{"场发射扫描电镜", "已支付"}},
			{Name: "OrdersPageFirm", URL: "/instruments/orders", User: "firm", WantStatus: http.StatusOK, WantContains: []string{"data-order-rate"}},
			{Name: "OrdersScholarEmpty", URL: "/api/v1/instrument-orders", User: "scholar", WantStatus: http.StatusOK, WantContains: []string{`"orders":[]`}},
			{Name: "OrdersOperatorAll", URL: "/api/v1/instrument-orders", User: "bureau", WantStatus: http.StatusOK, WantContains: []string{`"state":"paid"`}},
			{Name: "ReviewBadStars", Method: "POST", URL: u("/api/v1/instrument-orders/%d/review", oid), User: "firm", ContentType: js, Body: `{"stars":0}`, WantStatus: http.StatusBadRequest},
			{Name: "ReviewByManager", Method: "POST", URL: u("/api/v1/instrument-orders/%d/review", oid), User: "semlab", ContentType: js, Body: `{"stars":5}`, WantStatus: http.StatusForbidden},
			{Name: "Review", Method: "POST", URL: u("/api/v1/instrument-orders/%d/review", oid), User: "firm", ContentType: js,
				Body: `{"stars":4,"tags":["timeliness"],"comment":"出图清晰"}`, WantStatus: http.StatusOK, WantContains: []string{`"state":"rated"`}},
			{Name: "ReviewTwice", Method: "POST", URL: u("/api/v1/instrument-orders/%d/review", oid), User: "firm", ContentType: js, Body: `{"stars":5}`, WantStatus: http.StatusConflict},
			{Name: "ReviewShown", URL: u("/instruments/%d", id), User: "scholar", WantStatus: http.StatusOK, WantContains: []string{"出图清晰", "4★"}},
			{Name: "Retire", Method: "POST", URL: u("/api/v1/instruments/%d/lifecycle", id), User: "swuadmin", ContentType: js,
				Body: `{"action":"retire","reason":"报废"}`, WantStatus: http.StatusOK, WantContains: []string{`"status":"retired"`, `"retire_reason":"报废"`}},
			{Name: "RetiredNotFound", URL: "/api/v1/instruments?q=" + "电镜", User: "firm", WantStatus: http.StatusOK, WantContains: []string{`"total":0`}},
		})
	})
}

// Draft → review → open through the API, by the right parties only.
func TestInstrumentReviewFlow(t *testing.T) {
	env := webtest.SQLite(t)
	marketFixture(t, env)
	js := "application/json"
	res, body := env.Do(webtest.Scenario{Method: "POST", URL: "/api/v1/instruments", User: "swuadmin", ContentType: js,
		Body: `{"local_id":"XRD-1","name":"X射线衍射仪","class_code":"01","original_value_fen":90000000,"modes":["assisted"]}`})
	if res.StatusCode != http.StatusCreated {
		t.Fatal(body)
	}
	var in instrumentsweb.APIInstrument
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("/api/v1/instruments/%d/lifecycle", in.ID)
	env.Run(t, []webtest.Scenario{
		{Name: "ApproveDraft", Method: "POST", URL: url, User: "bureau", ContentType: js, Body: `{"action":"approve"}`, WantStatus: http.StatusConflict},
		{Name: "Submit", Method: "POST", URL: url, User: "swuadmin", ContentType: js, Body: `{"action":"submit"}`, WantStatus: http.StatusOK, WantContains: []string{`"status":"under_review"`}},
		{Name: "UnitCannotApprove", Method: "POST", URL: url, User: "swuadmin", ContentType: js, Body: `{"action":"approve"}`, WantStatus: http.StatusForbidden},
		{Name: "Approve", Method: "POST", URL: url, User: "bureau", ContentType: js, Body: `{"action":"approve"}`, WantStatus: http.StatusOK, WantContains: []string{`"status":"open"`, `"enrolled_on":"20`}},
		{Name: "Found", URL: "/api/v1/instruments?q=" + "衍射", User: "scholar", WantStatus: http.StatusOK, WantContains: []string{"X射线衍射仪"}},
	})
}

// The marketplace's schemas match their wire structs field by field.
func TestInstrumentsOpenAPISchemas(t *testing.T) {
	webtest.CheckWireSchemas(t, webtest.LoadOpenAPI(t, webtest.SQLite(t)), map[string]any{
		"Instrument": instrumentsweb.APIInstrument{}, "InstrumentSearch": instrumentsweb.APISearch{}, "InstrumentStats": instrumentsweb.APIStats{},
		"InstrumentOrder": instrumentsweb.APIOrder{}, "InstrumentOrders": instrumentsweb.APIOrders{}, "InstrumentCalendar": instrumentsweb.APICalendar{},
		"InstrumentReviewView": instrumentsweb.APIReview{}, "InstrumentReviews": instrumentsweb.APIReviews{}},
		map[string]any{"InstrumentBook": instrumentsweb.BookBody{}, "InstrumentAction": instrumentsweb.ActionBody{}, "InstrumentReview": instrumentsweb.ReviewBody{},
			"InstrumentLifecycle": instrumentsweb.LifecycleBody{}, "InstrumentVoucher": instrumentsweb.VoucherBody{}, "InstrumentCreate": instrumentsweb.CreateBody{},
			"InstrumentCalendarRequest": instrumentsweb.CalendarBody{},
			"InstrumentReviewReply":     instrumentsweb.ReplyBody{}, "InstrumentModeration": instrumentsweb.ModerationBody{}})
}

// Calendar feeds: the firm subscribes to its bookings; the feed needs no
// sign-in but an unguessable token, and a cancelled booking stays in it
// as STATUS:CANCELLED. An instrument's feed is its managers'.
func TestCalendarFeeds(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		id, item := marketFixture(t, env)
		js := "application/json"
		s, e := slot(14, 1)
		res, body := env.Do(webtest.Scenario{Method: "POST", URL: fmt.Sprintf("/api/v1/instruments/%d/orders", id), User: "firm", ContentType: js,
			Body: fmt.Sprintf(`{"item_id":%d,"start":%q,"end":%q}`, item, s, e)})
		if res.StatusCode != http.StatusCreated {
			t.Fatal(body)
		}
		var o instrumentsweb.APIOrder
		if err := json.Unmarshal([]byte(body), &o); err != nil {
			t.Fatal(err)
		}
		res, body = env.Do(webtest.Scenario{Method: "POST", URL: "/api/v1/instrument-calendars", User: "firm", ContentType: js, Body: `{}`})
		var feed instrumentsweb.APICalendar
		if res.StatusCode != http.StatusCreated || json.Unmarshal([]byte(body), &feed) != nil || len(feed.Token) != 64 {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
		start, _ := time.Parse(time.RFC3339, s)
		env.Run(t, []webtest.Scenario{
			{Name: "Feed", URL: feed.URL, WantStatus: http.StatusOK, WantHeader: map[string]string{"Content-Type": "text/calendar"},
				WantContains: []string{"BEGIN:VCALENDAR", fmt.Sprintf("UID:order-%d@cq", o.ID), "DTSTART:" + start.UTC().Format("20060102T150405Z"), "STATUS:TENTATIVE", "SUMMARY:场发射扫描电镜 SU8010"}},
			{Name: "WrongToken", URL: "/api/v1/instrument-calendars/" + strings.Repeat("0", 64), WantStatus: http.StatusNotFound},
			{Name: "ShortToken", URL: "/api/v1/instrument-calendars/abc", WantStatus: http.StatusNotFound},
			{Name: "InstrumentFeedByFirm", Method: "POST", URL: "/api/v1/instrument-calendars", User: "firm", ContentType: js, Body: fmt.Sprintf(`{"instrument_id":%d}`, id), WantStatus: http.StatusForbidden},
			{Name: "Cancel", Method: "POST", URL: fmt.Sprintf("/api/v1/instrument-orders/%d/actions", o.ID), User: "firm", ContentType: js, Body: `{"action":"cancel"}`, WantStatus: http.StatusOK},
			{Name: "FeedCancelled", URL: feed.URL, WantStatus: http.StatusOK, WantContains: []string{"STATUS:CANCELLED"}, WantNotContains: []string{"STATUS:TENTATIVE"}},
		})
		res, body = env.Do(webtest.Scenario{Method: "POST", URL: "/api/v1/instrument-calendars", User: "semlab", ContentType: js, Body: fmt.Sprintf(`{"instrument_id":%d}`, id)})
		if res.StatusCode != http.StatusCreated || json.Unmarshal([]byte(body), &feed) != nil {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
		env.Run(t, []webtest.Scenario{{Name: "InstrumentFeed", URL: feed.URL, WantStatus: http.StatusOK, WantContains: []string{"X-WR-CALNAME:场发射扫描电镜 SU8010", "STATUS:CANCELLED"}}})
	})
}
