package web

import (
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/report"
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
}

func toAPIUser(u auth.User) apiUser {
	return apiUser{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: string(u.Role), RegionCode: u.RegionCode, EnterpriseID: u.EnterpriseID}
}

// apiImportResult counts what an accepted import changed.
type apiImportResult struct {
	Kind      string        `json:"kind"`
	Rows      int           `json:"rows"`
	Inserted  int           `json:"inserted"`
	Updated   int           `json:"updated"`
	Unchanged int           `json:"unchanged"`
	Warnings  []apiRowError `json:"warnings"`
}

// apiImportRejected is the 422 answer: the error with every row problem,
// and the warnings that would not have blocked the import.
type apiImportRejected struct {
	Error    apiError      `json:"error"`
	Warnings []apiRowError `json:"warnings"`
}

// apiRowError is one problem of a rejected import file.
type apiRowError struct {
	Row     int    `json:"row"` // 1-based line in the file; 0 for the whole file
	Column  string `json:"column,omitempty"`
	Code    string `json:"code"` // message key
	Message string `json:"message"`
	Value   string `json:"value,omitempty"` // the offending cell
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

func periodString(p report.Period) string {
	if p.Year == 0 {
		return ""
	}
	return p.String()
}
