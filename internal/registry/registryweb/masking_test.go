package registryweb_test

import (
	"context"
	"testing"

	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// TestPersonalDataMasked (issue 8, item 5): the legal representative,
// contact person and phone of a firm are shown in full to roles holding
// personal.read (city administrator, district officer) and masked for
// the analyst, who does not, on every surface: the
// list and profile API, the list and profile pages and the exports.
func TestPersonalDataMasked(t *testing.T) {
	env := webtest.SQLite(t)
	if err := env.Store.PutContacts(context.Background(), []enterprise.Contact{
		{EnterpriseID: env.IDs[webtest.EntWanzhouAuto], LegalRep: "王建国", Name: "李秀英", Phone: "13812345678"},
	}); err != nil {
		t.Fatal(err)
	}
	full := []string{"王建国", "李秀英", "13812345678"}
	masked := []string{"王**", "李**", "138****5678"}
	surfaces := []struct {
		name, url string
		fields    int // the list page shows the contact person and phone, not the legal representative
	}{
		{"list API", "/api/v1/enterprises?year=2024", 3},
		{"profile API", "/api/v1/enterprises/{" + webtest.EntWanzhouAuto + "}", 3},
		{"list page", "/enterprises?year=2024", 2},
		{"profile page", "/enterprises/{" + webtest.EntWanzhouAuto + "}", 3},
		{"CSV export", "/api/v1/enterprises.csv?year=2024&lang=zh-CN", 3},
	}
	var scs []webtest.Scenario
	for _, s := range surfaces {
		full, masked := full[3-s.fields:], masked[3-s.fields:]
		for _, user := range []string{"admin", "wanzhou"} {
			scs = append(scs, webtest.Scenario{Name: s.name + " in full for " + user, URL: s.url, User: user, WantStatus: 200, WantContains: full})
		}
		// The three administrators have no data scope: they see no firm.
		for _, user := range []string{"analyst"} {
			scs = append(scs, webtest.Scenario{Name: s.name + " masked for " + user, URL: s.url, User: user, WantStatus: 200,
				WantContains: masked, WantNotContains: []string{"王建国", "李秀英", "13812345678"}})
		}
	}
	env.Run(t, scs)
}
