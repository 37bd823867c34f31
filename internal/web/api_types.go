package web

import (
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/sqlstore"
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

type apiRegion struct {
	Code   string `json:"code"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
	Kind   string `json:"kind"`
	Area   string `json:"area"`
}

type apiClusterCatalogue struct {
	ID            string       `json:"id"`
	Version       string       `json:"version"`
	EffectiveFrom string       `json:"effective_from"`
	EffectiveTo   string       `json:"effective_to"`
	Source        string       `json:"source"`
	Clusters      []apiCluster `json:"clusters"`
}

type apiCluster struct {
	Code   string `json:"code"`
	Tier   string `json:"tier"`
	Group  string `json:"group"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
}

type apiIndicator struct {
	Code           string   `json:"code"`
	NameZh         string   `json:"name_zh"`
	NameEn         string   `json:"name_en"`
	Unit           string   `json:"unit"`
	UnitZh         string   `json:"unit_zh"`
	UnitEn         string   `json:"unit_en"`
	Frequency      string   `json:"frequency"`
	Aggregation    string   `json:"aggregation"`
	Department     string   `json:"department"`
	Source         string   `json:"source"`
	Alert          *float64 `json:"alert"`
	Excellent      *float64 `json:"excellent"`
	HigherIsBetter bool     `json:"higher_is_better"`
	DefinitionZh   string   `json:"definition_zh"`
	DefinitionEn   string   `json:"definition_en"`
}

type apiEnterpriseItem struct {
	ID           int64    `json:"id"`
	CreditCode   string   `json:"credit_code"`
	Name         string   `json:"name"`
	RegionCode   string   `json:"region_code"`
	IndustryCode string   `json:"industry_code"`
	Founded      string   `json:"founded"`
	LandMu       float64  `json:"land_mu"`
	Year         int      `json:"year"`
	AboveScale   bool     `json:"above_scale"`
	Size         string   `json:"size"`
	Employees    int      `json:"employees"`
	RevenueWan   float64  `json:"revenue_wan"`
	ClusterCode  string   `json:"cluster_code"`
	Tier         string   `json:"tier"`
	Titles       []string `json:"titles"`
}

func toAPIEnterpriseItem(it sqlstore.EnterpriseItem) apiEnterpriseItem {
	titles := make([]string, 0, len(it.TitleKinds))
	for _, k := range it.TitleKinds {
		titles = append(titles, string(k))
	}
	return apiEnterpriseItem{
		ID: it.ID, CreditCode: it.CreditCode, Name: it.Name, RegionCode: it.RegionCode, IndustryCode: it.IndustryCode,
		Founded: dateString(it.Founded), LandMu: it.LandArea.Mu(), Year: it.Year, AboveScale: it.AboveScale,
		Size: string(it.Size), Employees: it.Employees, RevenueWan: it.Revenue.Yuan10k(),
		ClusterCode: it.ClusterCode, Tier: it.Tier, Titles: titles,
	}
}

type apiEnterprisePage struct {
	Items   []apiEnterpriseItem `json:"items"`
	Total   int                 `json:"total"`
	Page    int                 `json:"page"`
	PerPage int                 `json:"per_page"`
	Year    int                 `json:"year"`
}

type apiEnterpriseYear struct {
	Year       int     `json:"year"`
	AboveScale bool    `json:"above_scale"`
	Employees  int     `json:"employees"`
	RevenueWan float64 `json:"revenue_wan"`
	Size       string  `json:"size"`
}

type apiTitle struct {
	Kind       string `json:"kind"`
	Level      string `json:"level"`
	GrantedOn  string `json:"granted_on"`
	ValidUntil string `json:"valid_until,omitempty"`
}

type apiEnterprise struct {
	ID           int64               `json:"id"`
	CreditCode   string              `json:"credit_code"`
	Name         string              `json:"name"`
	RegionCode   string              `json:"region_code"`
	IndustryCode string              `json:"industry_code"`
	Founded      string              `json:"founded"`
	LandMu       float64             `json:"land_mu"`
	Years        []apiEnterpriseYear `json:"years"`
	Titles       []apiTitle          `json:"titles"`
}

func toAPIEnterprise(d sqlstore.EnterpriseDetail) apiEnterprise {
	out := apiEnterprise{
		ID: d.ID, CreditCode: d.CreditCode, Name: d.Name, RegionCode: d.RegionCode, IndustryCode: d.IndustryCode,
		Founded: dateString(d.Founded), LandMu: d.LandArea.Mu(),
		Years: make([]apiEnterpriseYear, 0, len(d.Years)), Titles: make([]apiTitle, 0, len(d.Titles)),
	}
	for _, y := range d.Years {
		out.Years = append(out.Years, apiEnterpriseYear{Year: y.Year, AboveScale: y.AboveScale, Employees: y.Employees, RevenueWan: y.Revenue.Yuan10k(), Size: string(y.Size)})
	}
	for _, t := range d.Titles {
		out.Titles = append(out.Titles, apiTitle{Kind: string(t.Kind), Level: string(t.Level), GrantedOn: dateString(t.GrantedOn), ValidUntil: dateString(t.ValidUntil)})
	}
	return out
}

// apiField describes one reported field, so clients know units and
// whether single-month values can be derived.
type apiField struct {
	Code       string `json:"code"`
	NameZh     string `json:"name_zh"`
	NameEn     string `json:"name_en"`
	Unit       string `json:"unit"` // the file unit the values are given in
	Cumulative bool   `json:"cumulative"`
}

// apiReportMonth is one period of an enterprise's reports: the values as
// reported (year-to-date for cumulative fields) and the single-month values
// derived from them. A single-month value is null when the previous
// month's report is missing; derived says it was computed, not reported.
type apiReportMonth struct {
	Period   string                    `json:"period"`
	Reported map[string]float64        `json:"reported"`
	Single   map[string]apiSingleValue `json:"single_month"`
}

type apiSingleValue struct {
	Value   *float64 `json:"value"`
	Derived bool     `json:"derived"`
}

type apiReports struct {
	EnterpriseID int64            `json:"enterprise_id"`
	From         int              `json:"from"`
	To           int              `json:"to"`
	Fields       []apiField       `json:"fields"`
	Months       []apiReportMonth `json:"months"`
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

// titleKinds is enterprise.TitleKinds as strings, for parameter checks.
func titleKindValid(s string) bool { return enterprise.TitleKind(s).Valid() }
