package web

import (
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
)

// The API's wire types. They are separate from the domain structs so that
// the JSON contract (snake_case, units in the field names, nulls for
// unknown values) can stay stable while the domain changes, and the other
// way round. Money is in 万元 (¥10k) or 亿元 (¥100m) as the field name says;
// the store's fen never leave the server.

type apiUser struct {
	ID           int64  `json:"id"`
	Username     string `json:"username"`
	DisplayName  string `json:"display_name"`
	Role         string `json:"role"`
	RegionCode   string `json:"region_code,omitempty"`
	EnterpriseID int64  `json:"enterprise_id,omitempty"`
	// PreviousSignIn is the sign-in before the current one, shown so a
	// user notices a sign-in that was not theirs.
	PreviousSignIn     *apiSignIn `json:"previous_sign_in,omitempty"`
	MustChangePassword bool       `json:"must_change_password,omitempty"`
}

type apiSignIn struct {
	At time.Time `json:"at"`
	IP string    `json:"ip"`
}

func toAPIUser(u auth.User) apiUser {
	out := apiUser{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: string(u.Role), RegionCode: u.RegionCode, EnterpriseID: u.EnterpriseID,
		MustChangePassword: u.MustChangePassword}
	if !u.LastLoginAt.IsZero() {
		out.PreviousSignIn = &apiSignIn{At: u.LastLoginAt.UTC(), IP: u.LastLoginIP}
	}
	return out
}

type apiHealth struct {
	Status string `json:"status"`
}

func ptr[T any](v T) *T { return &v }

func dateString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}
