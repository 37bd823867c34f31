package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// The instrument-sharing roles × their routes, and a few of the
// officials' routes they must not reach. Columns: platform operator
// (science bureau), unit administrator, instrument manager, academic
// user. Cells as in accessMatrix.
var sharingMatrix = map[string]string{
	"POST /api/v1/instrument-calendars":           "aaaa",
	"GET /api/v1/instrument-orders":               "aaaa",
	"GET /api/v1/instruments":                     "aaaa",
	"GET /api/v1/instruments/stats":               "a---",
	"GET /api/v1/instruments/{id}":                "aaaa",
	"GET /instruments":                            "aaaa",
	"GET /instruments/orders":                     "aaaa",
	"GET /instruments/stats":                      "a---",
	"GET /instruments/{id}":                       "aaaa",
	"POST /api/v1/instrument-orders/{id}/actions": "aaaa",
	"POST /api/v1/instrument-orders/{id}/review":  "aaaa",
	"POST /api/v1/instrument-vouchers":            "a---",
	"POST /api/v1/instruments":                    "aa--",
	"POST /api/v1/instruments/{id}/lifecycle":     "aaaa",
	"POST /api/v1/instruments/{id}/orders":        "aaaa",
	"GET /api/v1/stats/kpis":                      "----",
	"GET /api/v1/hardtech":                        "----",
	"GET /api/v1/cultivation/candidates":          "----",
	"GET /goals":                                  "----",
	"POST /api/v1/imports/enterprises":            "----",
	"POST /api/v1/mujun/runs":                     "----",
}

func TestAccessMatrixSharingRoles(t *testing.T) {
	env := webtest.New(t, "sqlite:"+t.TempDir()+"/ibrain.db")
	users := []string{"bureau", "unitadmin", "labmanager", "scholar"}
	for i, role := range []auth.Role{auth.RoleSharingOperator, auth.RoleUnitAdmin, auth.RoleInstrumentManager, auth.RoleAcademic} {
		id, err := env.Store.CreateUser(context.Background(), auth.User{Username: users[i], DisplayName: users[i], PasswordHash: "x", Role: role})
		if err != nil {
			t.Fatal(err)
		}
		env.Users[users[i]] = id
	}
	// The unit administrator and the manager belong to a unit, as the
	// module requires of them.
	us, err := env.Store.PutUnits(context.Background(), []instruments.Unit{{Name: "unit", Type: instruments.University, RegionCode: "500109"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users[1:3] {
		if err := env.Store.PutSharingMember(context.Background(), instruments.Member{UserID: env.Users[u], UnitID: us[0].ID, Category: instruments.Internal}); err != nil {
			t.Fatal(err)
		}
	}
	for pattern, want := range sharingMatrix {
		method, _, _ := strings.Cut(pattern, " ")
		var cells strings.Builder
		for _, user := range users {
			sc := webtest.Scenario{Method: method, URL: matrixURL(env, pattern), User: user}
			if method == http.MethodPost {
				sc.Body, sc.ContentType = "{}", "application/json"
			}
			res, _ := env.Do(sc)
			if res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden {
				cells.WriteByte('-')
			} else {
				cells.WriteByte('a')
			}
		}
		if got := cells.String(); got != want {
			t.Errorf("%s: access %q, want %q (columns: operator, unit administrator, manager, academic)", pattern, got, want)
		}
	}
}
