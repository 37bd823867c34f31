package importer

import (
	"errors"
	"time"

	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/rules"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Yearly profile facts (cultivation.Facts) for the title rules. One row is
// one enterprise and year. A cell states one fact; an empty cell states
// nothing, so the fact stays unknown (or keeps the value an earlier import
// stored) and is never read as zero. Facts the file has no column for —
// awards, 创客中国 placements, standards led, local points — are kept.

// profileType says how a profile cell is read.
type profileType uint8

const (
	ptMoney       profileType = iota // 万元 → fen, ≥ 0
	ptMoneySigned                    // 万元 → fen, may be negative (net profit)
	ptCount                          // whole number ≥ 0
	ptPercent                        // % with up to 2 decimals → basis points, 0–100 %
	ptBool
	ptLevel   // R&D institution level
	ptDigital // 1–4
	ptRank    // ≥ 1
	ptUSD     // 万美元 → US cents, ≥ 0
	ptPoints  // score with up to 2 decimals, ≥ 0
	ptHonours // list of honours, 无 = none
)

// profileValue is one parsed cell.
type profileValue struct {
	n    int64
	b    bool
	s    string
	list []string
}

type profileField struct {
	spec colSpec
	typ  profileType
	name string // the rules.ProfileError field name, to place merge errors
	set  func(f *cultivation.Facts, v profileValue)
}

func setFen(p func(*cultivation.Facts) **unit.Fen) func(*cultivation.Facts, profileValue) {
	return func(f *cultivation.Facts, v profileValue) { n := unit.Fen(v.n); *p(f) = &n }
}

func setInt(p func(*cultivation.Facts) **int64) func(*cultivation.Facts, profileValue) {
	return func(f *cultivation.Facts, v profileValue) { n := v.n; *p(f) = &n }
}

func setBool(p func(*cultivation.Facts) **bool) func(*cultivation.Facts, profileValue) {
	return func(f *cultivation.Facts, v profileValue) { b := v.b; *p(f) = &b }
}

// Profile columns: the key columns, then profileFields in order.
const (
	pfCode = iota
	pfYear
	pfFirst // first fact column
)

func wan(zh, en string, aliases ...string) colSpec {
	return colSpec{zh: zh, en: en, unitZh: "万元", unitEn: "¥10k", bareEn: true, aliases: aliases}
}

func counted(zh, en, unitZh, unitEn string, aliases ...string) colSpec {
	return colSpec{zh: zh, en: en, unitZh: unitZh, unitEn: unitEn, aliases: aliases}
}

func pct(zh, en string, aliases ...string) colSpec {
	return colSpec{zh: zh, en: en, unitZh: "%", unitEn: "%", bareEn: true, aliases: aliases}
}

func plain(zh, en string, aliases ...string) colSpec {
	return colSpec{zh: zh, en: en, aliases: aliases}
}

var profileFields = []profileField{
	{wan("营业收入", "operating_revenue_10k", "operating revenue"), ptMoney, "operating_revenue_fen", setFen(func(f *cultivation.Facts) **unit.Fen { return &f.OperatingRevenue })},
	{wan("主营业务收入", "main_business_revenue_10k", "main business revenue"), ptMoney, "main_business_revenue_fen", setFen(func(f *cultivation.Facts) **unit.Fen { return &f.MainBusinessRevenue })},
	{wan("研发费用", "rd_expense_10k", "r&d expense", "研发投入"), ptMoney, "rd_expense_fen", setFen(func(f *cultivation.Facts) **unit.Fen { return &f.RDExpense })},
	{wan("净利润", "net_profit_10k", "net profit"), ptMoneySigned, "net_profit_fen", setFen(func(f *cultivation.Facts) **unit.Fen { return &f.NetProfit })},
	{wan("成本费用总额", "total_cost_10k", "total cost"), ptMoney, "total_cost_fen", setFen(func(f *cultivation.Facts) **unit.Fen { return &f.TotalCost })},
	{wan("资产总额", "total_assets_10k", "total assets"), ptMoney, "total_assets_fen", setFen(func(f *cultivation.Facts) **unit.Fen { return &f.TotalAssets })},
	{pct("资产负债率", "debt_ratio_pct", "debt ratio"), ptPercent, "debt_ratio_bp", setInt(func(f *cultivation.Facts) **int64 { return &f.DebtRatio })},
	{counted("研发人员", "rd_staff", "人", "persons", "研发人员数", "r&d staff"), ptCount, "rd_staff", setInt(func(f *cultivation.Facts) **int64 { return &f.RDStaff })},
	{counted("科技人员", "st_staff", "人", "persons", "科技人员数", "s&t staff"), ptCount, "st_staff", setInt(func(f *cultivation.Facts) **int64 { return &f.STStaff })},
	{counted("细分市场年限", "niche_years", "年", "years", "从事细分市场年限"), ptCount, "niche_years", setInt(func(f *cultivation.Facts) **int64 { return &f.NicheYears })},
	{counted("产品领域年限", "field_years", "年", "years", "从事产品领域年限"), ptCount, "field_years", setInt(func(f *cultivation.Facts) **int64 { return &f.FieldYears })},
	{plain("是否新产品", "new_product", "新产品"), ptBool, "new_product", setBool(func(f *cultivation.Facts) **bool { return &f.NewProduct })},
	{counted("Ⅰ类知识产权", "ip_class1", "件", "items", "I类知识产权", "一类知识产权"), ptCount, "ip.class1", setInt(func(f *cultivation.Facts) **int64 { return &f.IP.Class1 })},
	{counted("Ⅰ类高价值知识产权", "ip_class1_high_value", "件", "items", "I类高价值知识产权", "高价值发明专利"), ptCount, "ip.class1_high_value", setInt(func(f *cultivation.Facts) **int64 { return &f.IP.Class1HighValue })},
	{counted("自主研发Ⅰ类知识产权", "ip_class1_self_developed", "件", "items", "自主研发I类知识产权"), ptCount, "ip.class1_self_developed", setInt(func(f *cultivation.Facts) **int64 { return &f.IP.Class1SelfDeveloped })},
	{counted("Ⅱ类知识产权", "ip_class2", "件", "items", "II类知识产权", "二类知识产权"), ptCount, "ip.class2", setInt(func(f *cultivation.Facts) **int64 { return &f.IP.Class2 })},
	{counted("主导产品应用Ⅰ类知识产权", "ip_class1_applied", "件", "items", "主导产品应用I类知识产权"), ptCount, "ip.class1_applied", setInt(func(f *cultivation.Facts) **int64 { return &f.IP.Class1Applied })},
	{plain("知识产权权利人前三", "ip_top3_holder", "是否前三权利人"), ptBool, "ip.top3_holder", setBool(func(f *cultivation.Facts) **bool { return &f.IP.Top3Holder })},
	{plain("最高研发机构级别", "rd_institution", "研发机构级别", "r&d institution"), ptLevel, "rd_institution", func(f *cultivation.Facts, v profileValue) { l := rules.Level(v.s); f.RDInstitution = &l }},
	{plain("有效荣誉", "honours", "荣誉", "资质荣誉"), ptHonours, "honours", func(f *cultivation.Facts, v profileValue) { f.Honours = append([]string{}, v.list...) }},
	{plain("数字化水平等级", "digital_level", "数字化水平"), ptDigital, "digital_level", setInt(func(f *cultivation.Facts) **int64 { return &f.DigitalLevel })},
	{pct("国内细分市场占有率", "market_share_pct", "市场占有率", "market share"), ptPercent, "market_share_bp", setInt(func(f *cultivation.Facts) **int64 { return &f.MarketShare })},
	{pct("国际细分市场占有率", "intl_market_share_pct", "国际市场占有率", "international market share"), ptPercent, "intl_market_share_bp", setInt(func(f *cultivation.Facts) **int64 { return &f.IntlMarketShare })},
	{plain("国内市场排名", "national_rank", "国内排名"), ptRank, "national_rank", setInt(func(f *cultivation.Facts) **int64 { return &f.NationalRank })},
	{plain("全球市场排名", "global_rank", "全球排名"), ptRank, "global_rank", setInt(func(f *cultivation.Facts) **int64 { return &f.GlobalRank })},
	{plain("是否上市", "listed", "上市"), ptBool, "listed", setBool(func(f *cultivation.Facts) **bool { return &f.Listed })},
	{wan("近2年股权融资", "equity_financing_2y_10k", "近两年股权融资"), ptMoney, "equity_financing_2y_fen", setFen(func(f *cultivation.Facts) **unit.Fen { return &f.EquityFinancing2Y })},
	{wan("近3年股权融资", "equity_financing_3y_10k", "近三年股权融资"), ptMoney, "equity_financing_3y_fen", setFen(func(f *cultivation.Facts) **unit.Fen { return &f.EquityFinancing3Y })},
	{colSpec{zh: "累计融资额", en: "cumulative_financing_usd_10k", unitZh: "万美元", unitEn: "US$10k", bareEn: true, aliases: []string{"累计融资"}}, ptUSD, "cumulative_financing_usd_cents", setInt(func(f *cultivation.Facts) **int64 { return &f.CumulativeFinancingUSD })},
	{colSpec{zh: "最新估值", en: "valuation_usd_10k", unitZh: "万美元", unitEn: "US$10k", bareEn: true, aliases: []string{"估值"}}, ptUSD, "valuation_usd_cents", setInt(func(f *cultivation.Facts) **int64 { return &f.ValuationUSD })},
	{counted("发展质量评分", "dev_quality_score", "分", "points", "75号文评分"), ptPoints, "dev_quality_score", func(f *cultivation.Facts, v profileValue) { p := rules.Points(v.n); f.DevQualityScore = &p }},
	{plain("战略性新兴产业", "sei", "是否战略性新兴产业"), ptBool, "domain.sei", setBool(func(f *cultivation.Facts) **bool { return &f.Domain.SEI })},
	{plain("工业六基", "six_bases", "是否工业六基"), ptBool, "domain.six_bases", setBool(func(f *cultivation.Facts) **bool { return &f.Domain.SixBases })},
	{plain("重点产业链关键环节", "key_chain_link"), ptBool, "domain.key_chain_link", setBool(func(f *cultivation.Facts) **bool { return &f.Domain.KeyChainLink })},
	{plain("补短板锻长板填空白", "chain_gap_role"), ptBool, "domain.chain_gap_role", setBool(func(f *cultivation.Facts) **bool { return &f.Domain.ChainGapRole })},
	{plain("中华老字号", "time_honoured"), ptBool, "domain.time_honoured", setBool(func(f *cultivation.Facts) **bool { return &f.Domain.TimeHonoured })},
	{plain("链主企业配套", "chain_leader_supplier", "链主企业供应商"), ptBool, "domain.chain_leader_supplier", setBool(func(f *cultivation.Facts) **bool { return &f.Domain.ChainLeaderSupplier })},
	{plain("制造强国重点领域", "manufacturing_power"), ptBool, "domain.manufacturing_power", setBool(func(f *cultivation.Facts) **bool { return &f.Domain.ManufacturingPower })},
	{plain("网络强国重点领域", "cyber_power"), ptBool, "domain.cyber_power", setBool(func(f *cultivation.Facts) **bool { return &f.Domain.CyberPower })},
	{plain("新兴未来产业", "new_industry"), ptBool, "domain.new_industry", setBool(func(f *cultivation.Facts) **bool { return &f.Domain.NewIndustry })},
	{plain("省级以上质量奖", "quality_award"), ptBool, "quality.quality_award", setBool(func(f *cultivation.Facts) **bool { return &f.Quality.QualityAward })},
	{plain("管理体系认证", "qms_certified", "质量管理体系认证"), ptBool, "quality.qms_certified", setBool(func(f *cultivation.Facts) **bool { return &f.Quality.QMSCertified })},
	{plain("自有品牌", "own_brand"), ptBool, "quality.own_brand", setBool(func(f *cultivation.Facts) **bool { return &f.Quality.OwnBrand })},
	{plain("参与标准制定", "standards_drafted"), ptBool, "quality.standards_drafted", setBool(func(f *cultivation.Facts) **bool { return &f.Quality.StandardsDrafted })},
	{plain("发达国家产品认证", "intl_product_cert"), ptBool, "quality.intl_product_cert", setBool(func(f *cultivation.Facts) **bool { return &f.Quality.IntlProductCert })},
	{plain("核心业务信息化", "core_process_it"), ptBool, "quality.core_process_it", setBool(func(f *cultivation.Facts) **bool { return &f.Quality.CoreProcessIT })},
}

var yearSpec = colSpec{zh: "年度", en: "year", required: true, aliases: []string{"年份", "统计年度", "所属年度"}}

var contextColumns = []string{"企业名称", "name", "enterprise name", "所属区县", "区县", "region", "序号", "no", "no.", "#", "备注", "remarks", "note"}

var profileCols = func() *columnSet {
	specs := []colSpec{pfCode: enterpriseCols.specs[eCode], pfYear: yearSpec}
	for _, f := range profileFields {
		specs = append(specs, f.spec)
	}
	return newColumnSet(specs, contextColumns...)
}()

var levelVocab = newVocab(
	[]string{string(rules.LevelInternational), "国际级", "国际"},
	[]string{string(rules.LevelNational), "国家级", "国家", "national"},
	[]string{string(rules.LevelProvincial), "省级", "省部级", "provincial"},
	[]string{string(rules.LevelMunicipal), "市级", "municipal"},
	[]string{string(rules.LevelBelowMunicipal), "区县级", "市级以下", "below municipal"},
	[]string{string(rules.LevelNone), "无", "没有", "none"},
)

// Honours the title rules read (rule parameters name them by code).
var honourVocab = newVocab(
	[]string{"high_tech", "高新技术企业", "高企", "high-tech enterprise"},
	[]string{"national_tech_innovation_demo", "国家技术创新示范企业", "technology innovation demonstration enterprise"},
	[]string{"ip_advantage", "国家知识产权优势企业", "知识产权优势企业", "ip advantage enterprise"},
	[]string{"ip_demo", "国家知识产权示范企业", "知识产权示范企业", "ip demonstration enterprise"},
)

// ProfileOptions supplies the lookups of a profile facts import.
type ProfileOptions struct {
	Firm  FirmLookup // required
	Today time.Time  // years after its year are rejected; zero: now
}

// profileAssign is one stated fact of a row.
type profileAssign struct {
	field  int // index into profileFields
	column string
	v      profileValue
}

// ProfileRow is one valid row: the facts it states about one enterprise
// and year. Apply them over the stored facts with MergeProfiles.
type ProfileRow struct {
	Line         int
	EnterpriseID int64
	Year         int
	set          []profileAssign
}

// Facts returns the facts the row states on top of none stored.
func (r ProfileRow) Facts() cultivation.Facts {
	var f cultivation.Facts
	r.apply(&f)
	return f
}

func (r ProfileRow) apply(f *cultivation.Facts) {
	for _, a := range r.set {
		profileFields[a.field].set(f, a.v)
	}
}

type yearKey struct {
	id   int64
	year int
}

// Profiles validates a profile facts file. It returns the valid rows and
// a report of every problem; only a report without errors may be merged.
func Profiles(s *tabular.Sheet, opts ProfileOptions) ([]ProfileRow, Report) {
	if opts.Firm == nil {
		panic("importer: ProfileOptions.Firm is required")
	}
	rep := Report{Kind: KindProfiles}
	if s == nil {
		rep.errorf(0, "", KeyFileEmpty, "")
		return nil, rep
	}
	s = padded(s)
	rep.Rows = len(s.Rows)
	today := dateOf(opts.Today)
	idx := profileCols.resolve(s.Header, s.HeaderLine, &rep)
	if len(s.Rows) == 0 {
		rep.errorf(s.HeaderLine, "", KeyNoData, "")
	}
	out := make([]ProfileRow, 0, len(s.Rows))
	seen := map[yearKey]int{}
	for _, row := range s.Rows {
		rc := rowCtx{rep: &rep, line: row.Line, cells: row.Cells, header: s.Header, idx: idx, ok: true}
		pr := ProfileRow{Line: row.Line}
		f, known := rc.firm(pfCode, opts.Firm)
		pr.EnterpriseID = f.ID
		y, yok := rc.yearCell(pfYear, MinStatusYear, today.Year())
		pr.Year = y
		stated := 0
		for i := range profileFields {
			c := pfFirst + i
			if idx[c] < 0 || rc.cell(c) == "" {
				continue
			}
			stated++
			if v, ok := rc.profileCell(c, profileFields[i].typ); ok {
				pr.set = append(pr.set, profileAssign{field: i, column: s.Header[idx[c]], v: v})
			}
		}
		if stated == 0 {
			rep.errorf(row.Line, "", KeyNoFacts, "")
			rc.ok = false
		}
		if known && yok {
			k := yearKey{f.ID, y}
			if first, dup := seen[k]; dup {
				rc.fail(pfYear, KeyDuplicateYearRow, first)
			} else {
				seen[k] = row.Line
			}
		}
		if rc.ok {
			out = append(out, pr)
		}
	}
	rep.sort()
	return out, rep
}

// profileCell reads a non-empty cell of type t.
func (rc *rowCtx) profileCell(c int, t profileType) (profileValue, bool) {
	raw := rc.cell(c)
	v := foldWidth(raw)
	var out profileValue
	switch t {
	case ptMoney, ptMoneySigned:
		n, ok := rc.number(c, v, int64(unit.Wan), t == ptMoneySigned)
		out.n = n
		return out, ok
	case ptCount, ptDigital, ptRank:
		n, ok := rc.number(c, v, 1, false)
		if !ok {
			return out, false
		}
		switch {
		case t == ptDigital && (n < 1 || n > 4):
			rc.fail(c, KeyDigitalLevel)
			return out, false
		case t == ptRank && n < 1:
			rc.fail(c, KeyRank)
			return out, false
		}
		out.n = n
		return out, true
	case ptPercent:
		n, ok := rc.number(c, trimPercent(v), 100, false)
		if ok && n > 10000 {
			rc.fail(c, KeyPercentRange)
			return out, false
		}
		out.n = n
		return out, ok
	case ptUSD:
		n, ok := rc.number(c, v, 1_000_000, false) // 万美元 → US cents
		out.n = n
		return out, ok
	case ptPoints:
		n, ok := rc.number(c, v, 100, false)
		out.n = n
		return out, ok
	case ptBool:
		b, ok := parseBool(v)
		if !ok {
			rc.fail(c, KeyBadBool)
		}
		out.b = b
		return out, ok
	case ptLevel:
		code, ok := levelVocab.lookup(v)
		if !ok {
			rc.fail(c, KeyUnknownLevel)
		}
		out.s = code
		return out, ok
	case ptHonours:
		out.list = []string{}
		if isNone(v) {
			return out, true
		}
		ok := true
		for _, item := range splitList(raw) {
			code, found := honourVocab.lookup(item)
			if !found {
				rc.rep.errorf(rc.line, rc.header[rc.idx[c]], KeyUnknownHonour, raw, item)
				rc.ok, ok = false, false
				continue
			}
			if !contains(out.list, code) {
				out.list = append(out.list, code)
			}
		}
		return out, ok
	}
	panic("importer: unknown profile type")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// trimPercent drops a trailing percent sign: "12.5%" and "12.5" both mean
// 12.5 % under a (%) column.
func trimPercent(s string) string {
	if n := len(s); n > 0 && s[n-1] == '%' {
		return s[:n-1]
	}
	return s
}

// MergeProfiles applies each row's facts over the facts stored for its
// enterprise and year (stored returns false when there are none) and
// validates the result with the domain's own checks, so a fact in the file
// that contradicts a stored one (main-business revenue above operating
// revenue) is reported on its row. Rows whose merge fails are added to rep
// and left out.
func MergeProfiles(rows []ProfileRow, stored func(id int64, year int) (cultivation.Facts, bool), source string, rep *Report) []cultivation.YearFacts {
	out := make([]cultivation.YearFacts, 0, len(rows))
	for _, r := range rows {
		f, _ := stored(r.EnterpriseID, r.Year)
		r.apply(&f)
		yf := cultivation.YearFacts{EnterpriseID: r.EnterpriseID, Year: r.Year, Facts: f, Source: source}
		if err := yf.Validate(); err != nil {
			column := ""
			var pe *rules.ProfileError
			if errors.As(err, &pe) {
				for _, a := range r.set {
					if profileFields[a.field].name == pe.Field {
						column = a.column
					}
				}
			}
			if pe != nil && pe.Field == "main_business_revenue_fen" {
				rep.errorf(r.Line, column, KeyMainAboveRevenue, "")
			} else {
				rep.errorf(r.Line, column, KeyFactsConflict, "", err.Error())
			}
			continue
		}
		out = append(out, yf)
	}
	rep.sort()
	return out
}

// ProfileTemplate returns the header and example rows of a profile facts
// file in lang ("zh-CN" or "en"). The examples pass Profiles; the second
// leaves most cells empty: those facts stay unknown.
func ProfileTemplate(lang string) (header []string, example [][]string) {
	for _, sp := range profileCols.specs {
		header = append(header, sp.header(lang))
	}
	zh := isZh(lang)
	pick := func(z, e string) string {
		if zh {
			return z
		}
		return e
	}
	yes, no := pick("是", "Y"), pick("否", "N")
	first := []string{exampleCodes[0], "2024",
		"25800.5", "24100", "1050.3", "1620.8", "23000", "31000", "45.5", "62", "80", "6", "8", yes,
		"12", "3", "10", "25", "9", yes, pick("省级", "provincial"), pick("高新技术企业", "high_tech"), "3", "12.5", "1.2", "3", "15", no,
		"0", "0", "", "", "86.5",
		yes, yes, yes, no, no, yes, yes, no, yes,
		no, yes, yes, yes, no, yes}
	second := make([]string, len(header))
	second[0], second[1] = exampleCodes[1], "2024"
	second[pfFirst] = "1800"               // operating revenue
	second[pfFirst+7] = "6"                // R&D staff
	second[pfFirst+12] = "0"               // Ⅰ类 IP: known to be none
	second[pfFirst+19] = pick("无", "none") // honours: known to be none
	example = [][]string{first, second}
	return header, example
}
