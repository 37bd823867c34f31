// Package cultivation is the tiered-cultivation domain (梯度培育): it turns
// what the platform knows about an enterprise into the rules.Profile the
// title rules read, screens every enterprise against every tier of the
// ladder 创新型 → 专精特新 → 小巨人 → 单项冠军 (and Chongqing's 独角兽,
// 潜在独角兽 and 瞪羚 lists), ranks candidates and builds the funnel.
//
// It imports no database or HTTP code: the store hands it raw facts (Raw),
// the rule engine (internal/rules) judges them.
package cultivation

import (
	"errors"
	"fmt"
	"time"

	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/rules"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Facts are one enterprise's facts for one year that neither the registry
// nor the monthly reports hold: financial-statement items, IP, market
// position, recognitions, financing. Field names and units are those of
// rules.Profile. A nil field is "not known"; an empty list is "known to be
// none".
//
// Yearly figures (the first block) are the year's own; the rest are as at
// the year-end.
type Facts struct {
	// OperatingRevenue and RDExpense are used only for years without a
	// December monthly report (below-scale firms, years before reporting):
	// the reports win where they exist.
	OperatingRevenue    *unit.Fen     `json:"operating_revenue_fen,omitempty"`
	RDExpense           *unit.Fen     `json:"rd_expense_fen,omitempty"`
	MainBusinessRevenue *unit.Fen     `json:"main_business_revenue_fen,omitempty"`
	NetProfit           *unit.Fen     `json:"net_profit_fen,omitempty"`
	TotalCost           *unit.Fen     `json:"total_cost_fen,omitempty"`
	DevQualityScore     *rules.Points `json:"dev_quality_score,omitempty"`

	TotalAssets   *unit.Fen    `json:"total_assets_fen,omitempty"`
	DebtRatio     *int64       `json:"debt_ratio_bp,omitempty"`
	RDStaff       *int64       `json:"rd_staff,omitempty"`
	STStaff       *int64       `json:"st_staff,omitempty"`
	NicheYears    *int64       `json:"niche_years,omitempty"`
	FieldYears    *int64       `json:"field_years,omitempty"`
	NewProduct    *bool        `json:"new_product,omitempty"`
	IP            rules.IP     `json:"ip"`
	RDInstitution *rules.Level `json:"rd_institution,omitempty"`

	Awards       []rules.Award     `json:"awards"`
	Honours      []string          `json:"honours"`
	MakerChina   []rules.Placement `json:"maker_china"`
	StandardsLed []rules.Standard  `json:"standards_led"`

	EquityFinancing2Y      *unit.Fen `json:"equity_financing_2y_fen,omitempty"`
	EquityFinancing3Y      *unit.Fen `json:"equity_financing_3y_fen,omitempty"`
	CumulativeFinancingUSD *int64    `json:"cumulative_financing_usd_cents,omitempty"`
	ValuationUSD           *int64    `json:"valuation_usd_cents,omitempty"`

	Domain  rules.Domain  `json:"domain"`
	Quality rules.Quality `json:"quality"`

	DigitalLevel    *int64 `json:"digital_level,omitempty"`
	MarketShare     *int64 `json:"market_share_bp,omitempty"`
	IntlMarketShare *int64 `json:"intl_market_share_bp,omitempty"`
	NationalRank    *int64 `json:"national_rank,omitempty"`
	GlobalRank      *int64 `json:"global_rank,omitempty"`
	Listed          *bool  `json:"listed,omitempty"`

	LocalPoints map[string]rules.Points `json:"local_points,omitempty"`
}

// YearFacts are an enterprise's Facts for one year.
type YearFacts struct {
	EnterpriseID int64
	Year         int
	Facts        Facts
	Source       string // where the facts came from (import file, survey, demo)
}

// Message keys of this package's errors.
const (
	MsgBadFacts = "err.cultivation_bad_facts"
)

// ErrYear rejects a profile year outside 2000–2100.
var ErrYear = errors.New("year must be within 2000–2100")

// Validate rejects impossible values (negative counts, shares above 100 %,
// unknown levels), reusing the rule engine's own checks so stored facts are
// exactly what an uploaded profile may hold.
func (y YearFacts) Validate() error {
	if y.Year < 2000 || y.Year > 2100 {
		return ErrYear
	}
	p := y.Facts.pointProfile()
	f := &y.Facts
	for _, v := range []struct {
		name string
		p    *unit.Fen
	}{{"operating_revenue_fen", f.OperatingRevenue}, {"rd_expense_fen", f.RDExpense}, {"main_business_revenue_fen", f.MainBusinessRevenue},
		{"total_cost_fen", f.TotalCost}, {"total_assets_fen", f.TotalAssets}, {"equity_financing_2y_fen", f.EquityFinancing2Y}, {"equity_financing_3y_fen", f.EquityFinancing3Y}} {
		if v.p != nil && *v.p < 0 {
			return &rules.ProfileError{Field: v.name, Err: fmt.Errorf("negative value %d", *v.p)}
		}
	}
	if f.OperatingRevenue != nil && f.MainBusinessRevenue != nil && *f.MainBusinessRevenue > *f.OperatingRevenue {
		return &rules.ProfileError{Field: "main_business_revenue_fen", Err: errors.New("main-business revenue exceeds operating revenue")}
	}
	if f.DigitalLevel != nil && (*f.DigitalLevel < 1 || *f.DigitalLevel > 4) {
		return &rules.ProfileError{Field: "digital_level", Err: fmt.Errorf("level %d is outside 1–4", *f.DigitalLevel)}
	}
	for _, r := range []struct {
		name string
		v    *int64
	}{{"national_rank", f.NationalRank}, {"global_rank", f.GlobalRank}} {
		if r.v != nil && *r.v < 1 {
			return &rules.ProfileError{Field: r.name, Err: fmt.Errorf("rank %d: ranks start at 1", *r.v)}
		}
	}
	return p.Validate()
}

// pointProfile is a profile holding only the year-end facts, for
// validation and for BuildProfile.
func (f *Facts) pointProfile() rules.Profile {
	return rules.Profile{
		RDStaff: f.RDStaff, STStaff: f.STStaff,
		TotalAssets: f.TotalAssets, DebtRatio: f.DebtRatio, NicheYears: f.NicheYears, FieldYears: f.FieldYears, NewProduct: f.NewProduct,
		IP: f.IP, RDInstitution: f.RDInstitution, Awards: f.Awards, Honours: f.Honours, MakerChina: f.MakerChina, StandardsLed: f.StandardsLed,
		EquityFinancing2Y: f.EquityFinancing2Y, EquityFinancing3Y: f.EquityFinancing3Y, CumulativeFinancingUSD: f.CumulativeFinancingUSD, ValuationUSD: f.ValuationUSD,
		Domain: f.Domain, Quality: f.Quality, DigitalLevel: f.DigitalLevel, MarketShare: f.MarketShare, IntlMarketShare: f.IntlMarketShare,
		NationalRank: f.NationalRank, GlobalRank: f.GlobalRank, Listed: f.Listed, LocalPoints: f.LocalPoints,
	}
}

// Annual is one year's figures from the monthly reports: the December
// year-to-date values, i.e. the full year.
type Annual struct {
	Year      int
	Revenue   unit.Fen // 营业收入
	Profit    unit.Fen // 利润总额 (before tax: not the rules' net profit)
	RDExpense unit.Fen // 研发费用
	Employees int64    // at the year-end
}

// Raw is everything the platform stores about one enterprise that a profile
// is built from, as the store returns it.
type Raw struct {
	Enterprise  enterprise.Enterprise // with Titles
	ClusterCode string                // cluster in the latest statistical year, "" when none
	Years       []enterprise.Year     // statistical status, by year
	Annual      []Annual              // December reports, by year
	Facts       []YearFacts           // profile facts, by year
	// DigitalLevels are the SME digital levels of the firm's maturity
	// records (internal/digital), by year: the 专精特新 scorecard's
	// digitalisation input.
	DigitalLevels []YearLevel
}

// YearLevel is a level assessed for a year.
type YearLevel struct {
	Year  int
	Level int
}

// dateOf converts a time to a rules date (zero stays zero).
func dateOf(t time.Time) rules.Date { return rules.NewDate(t) }
