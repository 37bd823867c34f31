package instrumentsweb_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/web"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// TestQualificationValidOnMarketDay fixes the clock at hours where the
// UTC date and the marketplace's (Asia/Shanghai) date differ: a
// qualification granted "today" must read as valid at every one of them.
// The API once computed "today" from the UTC date, and the grant read as
// not yet valid from 16:00 to 24:00 UTC; this test fails on that code at
// any hour of the real day.
func TestQualificationValidOnMarketDay(t *testing.T) {
	// Tomorrow's hours (UTC), so the fixture's accounts, made at the real
	// time, are not from the clock's future.
	d := time.Now().UTC().AddDate(0, 0, 1)
	for _, hm := range [][2]int{{16, 0}, {23, 59}, {8, 0}} {
		now := time.Date(d.Year(), d.Month(), d.Day(), hm[0], hm[1], 0, 0, time.UTC)
		t.Run(now.Format("15:04Z"), func(t *testing.T) {
			clock := func() time.Time { return now }
			env := webtest.NewWith(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"),
				app.Options{Instruments: instruments.Options{Now: clock}},
				func(d *web.Deps) { d.Now = clock })
			id, _ := marketFixture(t, env)
			day := now.In(instruments.Zone).Format(time.DateOnly)
			env.Run(t, []webtest.Scenario{
				{Name: "Grant", Method: "POST", URL: "/api/v1/instrument-qualifications", User: "semlab", ContentType: "application/json",
					Body:       fmt.Sprintf(`{"user_id":%d,"instrument_id":%d}`, env.Users["scholar"], id),
					WantStatus: http.StatusCreated, WantContains: []string{`"granted_on":"` + day + `"`, `"valid":true`}},
				{Name: "Own", URL: "/api/v1/instrument-qualifications", User: "scholar", WantStatus: http.StatusOK, WantContains: []string{`"valid":true`}},
			})
		})
	}
}
