package registryweb

import (
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/registry"
	"github.com/industrybrain/ibrain/internal/web"
)

// The registry's wire types: the JSON contract of the enterprise list,
// profile and reports and of the reference catalogues. Money is in 万元;
// the store's fen never leave the server.

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
	// Personal data, masked for users without personal.read.
	LegalRep     string `json:"legal_rep"`
	ContactName  string `json:"contact_name"`
	ContactPhone string `json:"contact_phone"`
}

func toAPIEnterpriseItem(it registry.Item, mk auth.Masker) apiEnterpriseItem {
	titles := make([]string, 0, len(it.TitleKinds))
	for _, k := range it.TitleKinds {
		titles = append(titles, string(k))
	}
	return apiEnterpriseItem{
		ID: it.ID, CreditCode: it.CreditCode, Name: it.Name, RegionCode: it.RegionCode, IndustryCode: it.IndustryCode,
		Founded: web.DateString(it.Founded), LandMu: it.LandArea.Mu(), Year: it.Year, AboveScale: it.AboveScale,
		Size: string(it.Size), Employees: it.Employees, RevenueWan: it.Revenue.Yuan10k(),
		ClusterCode: it.ClusterCode, Tier: it.Tier, Titles: titles,
		LegalRep: mk.Name(it.Contact.LegalRep), ContactName: mk.Name(it.Contact.Name), ContactPhone: mk.Phone(it.Contact.Phone),
	}
}

type apiEnterprisePage struct {
	Items []apiEnterpriseItem `json:"items"`
	Total int                 `json:"total"`
	// TotalCapped: a search counted its matches up to a bound, so at
	// least Total match.
	TotalCapped bool `json:"total_capped,omitempty"`
	Page        int  `json:"page"`
	PerPage     int  `json:"per_page"`
	Year        int  `json:"year"`
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
	LegalRep     string              `json:"legal_rep"`
	ContactName  string              `json:"contact_name"`
	ContactPhone string              `json:"contact_phone"`
}

func toAPIEnterprise(d registry.Detail, mk auth.Masker) apiEnterprise {
	out := apiEnterprise{
		ID: d.ID, CreditCode: d.CreditCode, Name: d.Name, RegionCode: d.RegionCode, IndustryCode: d.IndustryCode,
		Founded: web.DateString(d.Founded), LandMu: d.LandArea.Mu(),
		LegalRep: mk.Name(d.Contact.LegalRep), ContactName: mk.Name(d.Contact.Name), ContactPhone: mk.Phone(d.Contact.Phone),
		Years: make([]apiEnterpriseYear, 0, len(d.Years)), Titles: make([]apiTitle, 0, len(d.Titles)),
	}
	for _, y := range d.Years {
		out.Years = append(out.Years, apiEnterpriseYear{Year: y.Year, AboveScale: y.AboveScale, Employees: y.Employees, RevenueWan: y.Revenue.Yuan10k(), Size: string(y.Size)})
	}
	for _, t := range d.Titles {
		out.Titles = append(out.Titles, apiTitle{Kind: string(t.Kind), Level: string(t.Level), GrantedOn: web.DateString(t.GrantedOn), ValidUntil: web.DateString(t.ValidUntil)})
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
