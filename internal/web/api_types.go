package web

import (
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/scoreboard"
	"github.com/industrybrain/ibrain/internal/stats"
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

// apiFigure and apiProgress are the platform's one wire form of a figure,
// shared with 'ibrain report' so the API and the CLI print the same
// numbers the same way.
type (
	apiFigure   = scoreboard.Figure
	apiProgress = scoreboard.Progress
)

func toAPIFigure(f stats.Figure) apiFigure       { return scoreboard.FromFigure(f) }
func toAPIFigures(fs []stats.Figure) []apiFigure { return scoreboard.FromFigures(fs) }

type apiFigures struct {
	Period  string      `json:"period"`
	Figures []apiFigure `json:"figures"`
}

type apiTrend struct {
	Indicator string      `json:"indicator"`
	Year      int         `json:"year"`
	Points    []apiFigure `json:"points"`
}

// apiSlice is one part of a breakdown; key is the region code, cluster
// code or tier.
type apiSlice struct {
	Key            string   `json:"key"`
	NameZh         string   `json:"name_zh,omitempty"`
	NameEn         string   `json:"name_en,omitempty"`
	Enterprises    int64    `json:"enterprises"`
	OutputYi       float64  `json:"output_yi"`
	OutputYoYPct   *float64 `json:"output_yoy_pct"`
	ValueAddedYi   float64  `json:"value_added_yi"`
	VAGrowthPct    *float64 `json:"va_growth_pct"`
	SharePct       float64  `json:"share_pct"`
	RDIntensityPct *float64 `json:"rd_intensity_pct"`
}

type apiBreakdown struct {
	By     string     `json:"by"`
	Period string     `json:"period"`
	Slices []apiSlice `json:"slices"`
}

type apiTargets struct {
	Year    int         `json:"year"`
	AsOf    string      `json:"as_of,omitempty"`
	Targets []apiFigure `json:"targets"`
}

type apiScoreboard = scoreboard.Doc

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
