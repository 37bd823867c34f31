package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Profile is the set of enterprise facts the rules read. Every field is
// optional: a nil pointer, a nil slice or a missing year means "not known"
// and makes the criteria that need it unknown, never met. An empty (non-nil)
// list means "known to be none". Money is in fen, ratios in basis points.
//
// `ibrain evaluate --input profile.json` reads exactly this JSON.
type Profile struct {
	Name       string `json:"name,omitempty"`
	CreditCode string `json:"credit_code,omitempty"`

	Founded   *Date  `json:"founded,omitempty"`
	Employees *int64 `json:"employees,omitempty"`
	RDStaff   *int64 `json:"rd_staff,omitempty"` // 研发人员
	STStaff   *int64 `json:"st_staff,omitempty"` // 科技人员 (科技型中小企业 basis)

	// Yearly figures, keyed by calendar year: {"2025": 1500000000}.
	OperatingRevenue    Series `json:"operating_revenue_fen,omitempty"`     // 营业收入
	MainBusinessRevenue Series `json:"main_business_revenue_fen,omitempty"` // 主营业务收入
	RDExpense           Series `json:"rd_expense_fen,omitempty"`            // 研发费用
	NetProfit           Series `json:"net_profit_fen,omitempty"`            // 净利润
	TotalCost           Series `json:"total_cost_fen,omitempty"`            // 成本费用总额

	TotalAssets *unit.Fen `json:"total_assets_fen,omitempty"` // at the prior year-end
	DebtRatio   *int64    `json:"debt_ratio_bp,omitempty"`    // 资产负债率 at the prior year-end

	NicheYears *int64 `json:"niche_years,omitempty"` // full years in the niche market by the prior year-end
	FieldYears *int64 `json:"field_years,omitempty"` // full years in the product field (单项冠军)
	NewProduct *bool  `json:"new_product,omitempty"` // the applied product is a new product (单项冠军: 5 years suffice)

	IP            IP          `json:"ip"`
	RDInstitution *Level      `json:"rd_institution,omitempty"` // highest recognised R&D institution
	Awards        []Award     `json:"awards"`                   // S&T awards; null = unknown, [] = none
	Honours       []string    `json:"honours"`                  // valid honours, e.g. "high_tech"; null = unknown
	MakerChina    []Placement `json:"maker_china"`              // 创客中国 national placements; null = unknown
	StandardsLed  []Standard  `json:"standards_led"`            // standards led; null = unknown

	EquityFinancing2Y      *unit.Fen `json:"equity_financing_2y_fen,omitempty"`        // new qualified equity, last 2 years
	EquityFinancing3Y      *unit.Fen `json:"equity_financing_3y_fen,omitempty"`        // new qualified equity, last 3 years
	CumulativeFinancingUSD *int64    `json:"cumulative_financing_usd_cents,omitempty"` // all rounds
	ValuationUSD           *int64    `json:"valuation_usd_cents,omitempty"`            // latest round

	Domain  Domain  `json:"domain"`
	Quality Quality `json:"quality"`

	DigitalLevel    *int64 `json:"digital_level,omitempty"`        // 中小企业数字化水平 level 1–4
	CMMMLevel       *int64 `json:"cmmm_level,omitempty"`           // 智能制造能力成熟度 (GB/T 39116-2020) level 1–5
	NCRate          *int64 `json:"nc_rate_bp,omitempty"`           // 关键工序数控化率
	MarketShare     *int64 `json:"market_share_bp,omitempty"`      // national niche-market share of the main product
	IntlMarketShare *int64 `json:"intl_market_share_bp,omitempty"` // international niche-market share
	NationalRank    *int64 `json:"national_rank,omitempty"`        // rank of the main product in China
	GlobalRank      *int64 `json:"global_rank,omitempty"`          // rank of the applied product worldwide

	DevQualityScore PointSeries `json:"dev_quality_score,omitempty"` // 75号文 score by year, from the MIIT platform

	Titles []HeldTitle `json:"titles"` // titles held; null = unknown
	Listed *bool       `json:"listed,omitempty"`

	// LocalPoints are points a reviewer gave for the province's own
	// indicators (特色化), keyed by the local item id.
	LocalPoints map[string]Points `json:"local_points,omitempty"`
}

// IP counts valid intellectual property related to the main product.
type IP struct {
	Class1HighValue     *int64 `json:"class1_high_value,omitempty"`     // Ⅰ类 high-value
	Class1SelfDeveloped *int64 `json:"class1_self_developed,omitempty"` // self-developed Ⅰ类
	Class1              *int64 `json:"class1,omitempty"`                // all Ⅰ类
	Class2              *int64 `json:"class2,omitempty"`                // Ⅱ类
	Class1Applied       *int64 `json:"class1_applied,omitempty"`        // Ⅰ类 applied in the main product with benefit, none transferred in
	Top3Holder          *bool  `json:"top3_holder,omitempty"`           // among the top-3 right holders of that IP
}

// Level is the level of an institution, award or standard.
type Level string

// Levels, highest first.
const (
	LevelInternational  Level = "international"
	LevelNational       Level = "national"
	LevelProvincial     Level = "provincial" // includes ministerial (省部级)
	LevelMunicipal      Level = "municipal"
	LevelBelowMunicipal Level = "below_municipal"
	LevelIndustry       Level = "industry" // industry standards (行业标准)
	LevelNone           Level = "none"
)

// rank orders levels for "at least" tests; 0 for unknown text.
func (l Level) rank() int {
	switch l {
	case LevelInternational:
		return 6
	case LevelNational:
		return 5
	case LevelProvincial:
		return 4
	case LevelMunicipal:
		return 3
	case LevelBelowMunicipal:
		return 2
	case LevelNone:
		return 1
	}
	return 0
}

// Award is a science and technology award.
type Award struct {
	Level Level  `json:"level"`
	Rank  int    `json:"rank,omitempty"` // rank among the winning units; 0 = not stated
	Year  int    `json:"year"`
	Name  string `json:"name,omitempty"`
}

// Placement is a 创客中国 national placement.
type Placement struct {
	Year int `json:"year"`
	Rank int `json:"rank"`
}

// Standard is a standard the enterprise led the drafting of.
type Standard struct {
	Year  int   `json:"year"`
	Level Level `json:"level"` // international, national or industry
}

// Domain holds the enterprise's domain and chain flags.
type Domain struct {
	SEI                 *bool `json:"sei,omitempty"`                   // main product in 《战略性新兴产业分类》
	SixBases            *bool `json:"six_bases,omitempty"`             // 工业“六基”
	KeyChainLink        *bool `json:"key_chain_link,omitempty"`        // key link of a key industrial chain
	ChainGapRole        *bool `json:"chain_gap_role,omitempty"`        // real results in 补短板/锻长板/填空白
	TimeHonoured        *bool `json:"time_honoured,omitempty"`         // 中华老字号
	ChainLeaderSupplier *bool `json:"chain_leader_supplier,omitempty"` // supplier to a key chain leader
	ManufacturingPower  *bool `json:"manufacturing_power,omitempty"`   // 制造强国 10 key sectors
	CyberPower          *bool `json:"cyber_power,omitempty"`           // 网络强国 areas
	NewIndustry         *bool `json:"new_industry,omitempty"`          // upgrading traditional, growing emerging or seeding future industries
}

// Quality holds the quality-management and management items.
type Quality struct {
	QualityAward     *bool `json:"quality_award,omitempty"`     // provincial-or-higher quality award
	QMSCertified     *bool `json:"qms_certified,omitempty"`     // certified management system, e.g. ISO 9001
	OwnBrand         *bool `json:"own_brand,omitempty"`         // own brand
	StandardsDrafted *bool `json:"standards_drafted,omitempty"` // took part in drafting standards
	IntlProductCert  *bool `json:"intl_product_cert,omitempty"` // product certified in a developed country
	CoreProcessIT    *bool `json:"core_process_it,omitempty"`   // a core business process runs on an information system
}

// HeldTitle is a title the enterprise holds (or held).
type HeldTitle struct {
	Kind       enterprise.TitleKind `json:"kind"`
	GrantedOn  Date                 `json:"granted_on"`
	ValidUntil Date                 `json:"valid_until,omitzero"` // exclusive; zero means no expiry
}

func (t HeldTitle) validOn(d Date) bool {
	if d.Before(t.GrantedOn) {
		return false
	}
	return t.ValidUntil.IsZero() || d.Before(t.ValidUntil)
}

// YearValue is one year's figure.
type YearValue struct {
	Year  int
	Value int64
}

// Series is a yearly figure in integer base units (fen), JSON
// {"2025": 1500000000}. Kept as a short sorted slice: lookups scan 3–4
// entries, cheaper than a map in the hot path.
type Series []YearValue

// Get returns the value for year.
func (s Series) Get(year int) (int64, bool) {
	for _, x := range s {
		if x.Year == year {
			return x.Value, true
		}
	}
	return 0, false
}

// Set returns s with year set to v, sorted by year.
func (s Series) Set(year int, v int64) Series {
	for i := range s {
		if s[i].Year == year {
			s[i].Value = v
			return s
		}
	}
	s = append(s, YearValue{year, v})
	slices.SortFunc(s, func(a, b YearValue) int { return a.Year - b.Year })
	return s
}

// MarshalJSON writes {"year": value}.
func (s Series) MarshalJSON() ([]byte, error) { return marshalSeries(s, 1) }

// UnmarshalJSON reads {"year": integer}.
func (s *Series) UnmarshalJSON(b []byte) error { return unmarshalSeries((*[]YearValue)(s), b, 1) }

// PointSeries is a yearly score in centipoints, JSON {"2025": 62.5}.
type PointSeries []YearValue

// Get returns the value for year in centipoints.
func (s PointSeries) Get(year int) (int64, bool) { return Series(s).Get(year) }

// MarshalJSON writes {"year": decimal}.
func (s PointSeries) MarshalJSON() ([]byte, error) { return marshalSeries(s, 100) }

// UnmarshalJSON reads {"year": decimal} exactly.
func (s *PointSeries) UnmarshalJSON(b []byte) error {
	return unmarshalSeries((*[]YearValue)(s), b, 100)
}

func marshalSeries(s []YearValue, scale int64) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, x := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%s", strconv.Itoa(x.Year), unit.FormatScaled(x.Value, scale))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func unmarshalSeries(dst *[]YearValue, b []byte, scale int64) error {
	var m map[string]json.Number
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	out := make([]YearValue, 0, len(m))
	for k, v := range m {
		y, err := strconv.Atoi(k)
		if err != nil || y < 1900 || y > 2200 {
			return fmt.Errorf("rules: bad year %q", k)
		}
		n, err := unit.ParseScaled(v.String(), scale)
		if err != nil {
			return fmt.Errorf("rules: year %s: %q: %w", k, v, err)
		}
		out = append(out, YearValue{y, n})
	}
	slices.SortFunc(out, func(a, b YearValue) int { return a.Year - b.Year })
	*dst = out
	return nil
}

// Points is a score in centipoints, JSON as a decimal number (12.5).
type Points int64

// MarshalJSON writes the decimal.
func (p Points) MarshalJSON() ([]byte, error) { return []byte(unit.FormatScaled(int64(p), 100)), nil }

// UnmarshalJSON reads a decimal exactly.
func (p *Points) UnmarshalJSON(b []byte) error {
	n, err := unit.ParseScaled(string(bytes.Trim(b, `"`)), 100)
	if err != nil {
		return fmt.Errorf("rules: points %s: %w", b, err)
	}
	*p = Points(n)
	return nil
}

// ProfileError reports a profile that cannot be read or holds impossible
// values.
type ProfileError struct {
	Field string
	Err   error
}

func (e *ProfileError) Error() string {
	if e.Field == "" {
		return "rules: profile: " + e.Err.Error()
	}
	return "rules: profile: " + e.Field + ": " + e.Err.Error()
}

func (e *ProfileError) Unwrap() error { return e.Err }

// DecodeProfile reads one profile from JSON, rejecting unknown fields so a
// misspelt key is not silently "unknown", and validates it.
func DecodeProfile(r io.Reader) (Profile, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var p Profile
	if err := dec.Decode(&p); err != nil {
		return Profile{}, &ProfileError{Err: err}
	}
	return p, p.Validate()
}

// Validate rejects values no enterprise can have (negative counts, shares
// above 100 %), which would otherwise pass thresholds by accident.
func (p *Profile) Validate() error {
	nonNeg := func(field string, v *int64) error {
		if v != nil && *v < 0 {
			return &ProfileError{Field: field, Err: fmt.Errorf("negative value %d", *v)}
		}
		return nil
	}
	share := func(field string, v *int64) error {
		if v != nil && (*v < 0 || *v > 10000) {
			return &ProfileError{Field: field, Err: fmt.Errorf("%d bp is outside 0–10000", *v)}
		}
		return nil
	}
	for _, c := range []error{
		nonNeg("employees", p.Employees), nonNeg("rd_staff", p.RDStaff), nonNeg("st_staff", p.STStaff),
		nonNeg("niche_years", p.NicheYears), nonNeg("field_years", p.FieldYears),
		nonNeg("ip.class1_high_value", p.IP.Class1HighValue), nonNeg("ip.class1_self_developed", p.IP.Class1SelfDeveloped),
		nonNeg("ip.class1", p.IP.Class1), nonNeg("ip.class2", p.IP.Class2), nonNeg("ip.class1_applied", p.IP.Class1Applied),
		nonNeg("cumulative_financing_usd_cents", p.CumulativeFinancingUSD), nonNeg("valuation_usd_cents", p.ValuationUSD),
		nonNeg("digital_level", p.DigitalLevel), nonNeg("cmmm_level", p.CMMMLevel), share("nc_rate_bp", p.NCRate), nonNeg("national_rank", p.NationalRank), nonNeg("global_rank", p.GlobalRank),
		share("debt_ratio_bp", p.DebtRatio), share("market_share_bp", p.MarketShare), share("intl_market_share_bp", p.IntlMarketShare),
	} {
		if c != nil {
			return c
		}
	}
	if p.Employees != nil && p.RDStaff != nil && *p.RDStaff > *p.Employees {
		return &ProfileError{Field: "rd_staff", Err: fmt.Errorf("%d R&D staff exceed %d employees", *p.RDStaff, *p.Employees)}
	}
	if p.Employees != nil && p.STStaff != nil && *p.STStaff > *p.Employees {
		return &ProfileError{Field: "st_staff", Err: fmt.Errorf("%d S&T staff exceed %d employees", *p.STStaff, *p.Employees)}
	}
	for _, y := range p.OperatingRevenue {
		if m, ok := p.MainBusinessRevenue.Get(y.Year); ok && m > y.Value {
			return &ProfileError{Field: "main_business_revenue_fen", Err: fmt.Errorf("%d: main-business revenue exceeds operating revenue", y.Year)}
		}
	}
	for _, a := range p.Awards {
		if a.Level.rank() == 0 {
			return &ProfileError{Field: "awards", Err: fmt.Errorf("unknown level %q", a.Level)}
		}
	}
	if p.RDInstitution != nil && p.RDInstitution.rank() == 0 {
		return &ProfileError{Field: "rd_institution", Err: fmt.Errorf("unknown level %q", *p.RDInstitution)}
	}
	return nil
}

// Ptr returns a pointer to v; handy for building profiles in code.
func Ptr[T any](v T) *T { return &v }
