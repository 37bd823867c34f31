package instrumentsweb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/instruments/instrumentsweb"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// usageHistory writes a 2025 history of the fixture's microscope: a firm
// used 130 of 120 booked minutes (closed, rated 5), the institute's
// scholar 60 (paid), the university's own staff 30 (closed, rated 3), and
// a firm's order was cancelled.
func usageHistory(t *testing.T, env *webtest.Env, id, item int64) {
	t.Helper()
	ctx := context.Background()
	units, err := env.Store.Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	unitID := map[string]int64{}
	for _, u := range units {
		unitID[u.Name] = u.ID
	}
	day := func(d, h int) time.Time { return time.Date(2025, 6, d, h, 0, 0, 0, instruments.Zone) }
	rec := func(d int, st instruments.OrderState, cat instruments.Category, ent, client int64, booked, actual, stars int) sqlstore.OrderRecord {
		s := day(d, 9)
		r := sqlstore.OrderRecord{Order: instruments.Order{InstrumentID: id, ItemID: item, EnterpriseID: ent, Category: cat, Mode: instruments.SelfOperation, State: st,
			Start: s, End: s.Add(time.Duration(booked) * time.Minute), ChargeUnit: instruments.PerHour, UnitPrice: 100, BookedMinutes: booked,
			ActualMinutes: actual, BillableMinutes: actual, CreatedAt: s.AddDate(0, 0, -3)}, ClientUnitID: client}
		if stars > 0 {
			r.Review = &instruments.Review{Stars: stars, CreatedAt: s}
		}
		return r
	}
	recs := []sqlstore.OrderRecord{
		rec(2, instruments.Closed, instruments.EnterpriseUser, 42, 0, 120, 130, 5),
		rec(3, instruments.Paid, instruments.ExternalAcademic, 0, unitID["重庆某材料研究所"], 60, 60, 0),
		rec(4, instruments.Closed, instruments.Internal, 0, unitID["西南大学"], 30, 30, 3),
		rec(5, instruments.Cancelled, instruments.EnterpriseUser, 43, 0, 60, 0, 0),
	}
	if _, err := env.Store.ImportOrderRecords(ctx, recs, nil, sqlstore.OrderImportOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestInstrumentUsageAPI(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		id, item := marketFixture(t, env)
		usageHistory(t, env, id, item)
		_, body := env.Do(webtest.Scenario{URL: "/api/v1/instruments/usage?year=2025", User: "bureau"})
		var u instrumentsweb.APIUsage
		if err := json.Unmarshal([]byte(body), &u); err != nil {
			t.Fatalf("%v %s", err, body)
		}
		// By hand: 130 + 60 + 30 = 220 min = 3.7 h effective; external
		// 190 min = 3.2 h; share 190/220 = 86.36 %; clients: firm 42, the
		// institute, the university = 3; ratings 5 and 3 = 4.00; the one
		// instrument served external users: openness 100 %; utilisation
		// 220/60 h of 1,400 h = 0.26 %.
		tot := u.Total
		if tot.EffectiveHours != 3.7 || tot.ExternalHours != 3.2 || tot.ShareRatePct != 86.36 || tot.Clients != 3 || tot.AverageRating != 4 ||
			tot.OpennessPct != 100 || tot.UtilisationPct != 0.26 || tot.Instruments != 1 || tot.Orders != 3 || tot.IncomeFen != 0 {
			t.Errorf("total %+v", tot)
		}
		if u.ReferenceHours != 1400 || u.Version == "" {
			t.Errorf("reference %v version %q", u.ReferenceHours, u.Version)
		}
		if len(u.ByDistrict) != 1 || u.ByDistrict[0].Label != "北碚区" || len(u.ByClass) != 1 || u.ByClass[0].Label != "分析仪器" {
			t.Errorf("districts %+v classes %+v", u.ByDistrict, u.ByClass)
		}
		if len(u.Evaluations) != 1 || u.Evaluations[0].Unit != "西南大学" || u.Evaluations[0].Grade == "" || u.Evaluations[0].EffectiveHours != 3.7 ||
			u.Evaluations[0].Clients != 3 || u.Evaluations[0].ShareRatePct != 86.36 {
			t.Fatalf("evaluations %+v", u.Evaluations)
		}
		// The evaluation against the shipped configuration, by hand:
		// openness 10 × 1, registration 6 × 4/9 (model, manufacturer,
		// country and capabilities filled: 4 of 9), hours 20 × 3.667/1400,
		// external hours 20 × 3.167/256, rating 7.5 × 4/5, clients 7.5 ×
		// min(1, 3/2) over an assessed weight of 71.
		want := (10 + 6*4.0/9 + 20*(220.0/60)/1400 + 20*(190.0/60)/256 + 7.5*4/5 + 7.5) / 71 * 100
		if e := u.Evaluations[0]; math.Abs(e.Pct-want) > 0.01 || e.Assessed != 71 {
			t.Errorf("evaluation %+v, want %.2f %%", e, want)
		}
		states := map[string]int{}
		for _, s := range u.States {
			states[s.State] = s.N
		}
		if states["closed"] != 2 || states["paid"] != 1 || states["cancelled"] != 1 || len(u.States) != len(instruments.OrderStates) {
			t.Errorf("states %v", states)
		}
		// The export: names, not codes.
		res, xl := env.Do(webtest.Scenario{URL: "/api/v1/instruments/usage.xlsx?year=2025&by=district", User: "bureau"})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%d %s", res.StatusCode, xl)
		}
		sh, err := tabular.Read(bytes.NewReader([]byte(xl)), "x.xlsx", tabular.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%v %v %v", sh.Header[:2], sh.Rows[0].Cells[:2], sh.Rows[0].Cells[4]); got != "[区县 仪器数] [北碚区 1] 3.7" {
			t.Errorf("district export %s", got)
		}
		env.Run(t, []webtest.Scenario{
			{Name: "UsageXLSXUnit", URL: "/api/v1/instruments/usage.xlsx?year=2025&lang=en", User: "bureau", WantStatus: http.StatusOK},
			{Name: "UsageBadBy", URL: "/api/v1/instruments/usage.xlsx?by=planet", User: "bureau", WantStatus: http.StatusBadRequest},
			{Name: "UsageBadYear", URL: "/api/v1/instruments/usage?year=1800", User: "bureau", WantStatus: http.StatusBadRequest},
			{Name: "UsageFirmForbidden", URL: "/api/v1/instruments/usage", User: "firm", WantStatus: http.StatusForbidden},
			{Name: "UsageXLSXFirmForbidden", URL: "/api/v1/instruments/usage.xlsx", User: "firm", WantStatus: http.StatusForbidden},
			{Name: "UsageEmptyYear", URL: "/api/v1/instruments/usage?year=2019", User: "bureau", WantStatus: http.StatusOK, WantContains: []string{`"effective_hours":0`}},
			{Name: "StatsPageUsage", URL: "/instruments/stats?year=2025", User: "bureau", WantStatus: http.StatusOK,
				WantContains: []string{"有效工作机时", "开放共享考核", "instrument-map", "北碚区", "usage.xlsx?year=2025\u0026amp;by=unit", "instrumentstats.js"}},
		})
	})
}

func TestInstrumentUsageSchemas(t *testing.T) {
	webtest.CheckWireSchemas(t, webtest.LoadOpenAPI(t, webtest.SQLite(t)), map[string]any{"InstrumentUsage": instrumentsweb.APIUsage{}}, nil)
}
