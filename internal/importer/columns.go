package importer

import (
	"strings"
	"unicode"
)

// colSpec describes one column a file may have. Headers match when their
// normalised base (unit suffix removed) equals the zh or en name or an alias.
type colSpec struct {
	zh, en   string // zh: the Chinese header; en: the code earlier English templates used (credit_code), still accepted
	title    string // the English header, in words; "" takes enTitles[zh]
	unitZh   string // unit expected in a "(unit)" suffix; "" = any suffix is ignored
	unitEn   string
	required bool
	bareEn   bool // the old en code already says the unit (land_mu); documentation only
	aliases  []string
}

// header returns the canonical header in a language, with its unit.
func (c colSpec) header(lang string) string {
	if isZh(lang) {
		if c.unitZh != "" {
			return c.zh + "（" + c.unitZh + "）"
		}
		return c.zh
	}
	if c.unitEn != "" {
		return c.englishTitle() + " (" + c.unitEn + ")"
	}
	return c.englishTitle()
}

// englishTitle is the English header without its unit: words people read,
// not the snake_case code (which is still accepted on import).
func (c colSpec) englishTitle() string {
	if c.title != "" {
		return c.title
	}
	if t, ok := enTitles[c.zh]; ok {
		return t
	}
	return c.en
}

// enTitles are the English headers of the template columns by their
// Chinese header, which names one concept across the import kinds. No
// title may contain brackets: a bracket suffix is read as the unit.
var enTitles = map[string]string{
	"统一社会信用代码": "Credit code", "企业名称": "Enterprise name", "所属区县": "District", "行业代码": "Industry code",
	"成立日期": "Founded on", "用地面积": "Land area", "年度": "Year", "是否规上": "Above scale", "从业人员": "Employees",
	"上年营业收入": "Prior-year revenue", "报告期": "Period",
	"阶段": "Stage", "日期": "Date", "辅导协议签订日": "Tutoring agreement date", "保荐机构": "Sponsor", "上市板块": "Board",
	"上市方式": "Listing kind", "首发募资": "IPO proceeds", "备注": "Note",
	"所在园区": "Park", "用电量": "Electricity", "主要污染物排放量": "Main pollutant emissions", "否决及扣分事项": "Veto and deduction items",
	"税收实际贡献": "Tax paid", "营业收入": "Operating revenue", "工业增加值": "Value added", "研发费用": "R&D expense", "综合能耗": "Energy use",
	"主营业务收入": "Main business revenue", "净利润": "Net profit", "成本费用总额": "Total cost", "资产总额": "Total assets",
	"资产负债率": "Debt ratio", "研发人员": "R&D staff", "科技人员": "S&T staff", "细分市场年限": "Years in the niche market",
	"产品领域年限": "Years in the product field", "是否新产品": "New product", "Ⅰ类知识产权": "Class I IP",
	"Ⅰ类高价值知识产权": "High-value class I IP", "自主研发Ⅰ类知识产权": "Self-developed class I IP", "Ⅱ类知识产权": "Class II IP",
	"主导产品应用Ⅰ类知识产权": "Class I IP applied in main products", "知识产权权利人前三": "Top-3 IP holder",
	"最高研发机构级别": "Highest R&D institution level", "有效荣誉": "Honours", "数字化水平等级": "Digital level",
	"国内细分市场占有率": "Domestic niche market share", "国际细分市场占有率": "International niche market share",
	"国内市场排名": "National rank", "全球市场排名": "Global rank", "是否上市": "Listed",
	"近2年股权融资": "Equity financing in the last 2 years", "近3年股权融资": "Equity financing in the last 3 years",
	"累计融资额": "Cumulative financing", "最新估值": "Latest valuation", "发展质量评分": "Development quality score",
	"战略性新兴产业": "Strategic emerging industry", "工业六基": "Six industrial bases", "重点产业链关键环节": "Key link of a key chain",
	"补短板锻长板填空白": "Fills a chain gap", "中华老字号": "Time-honoured brand", "链主企业配套": "Supplier of a chain leader",
	"制造强国重点领域": "Manufacturing power field", "网络强国重点领域": "Cyber power field", "新兴未来产业": "Emerging or future industry",
	"省级以上质量奖": "Provincial quality award", "管理体系认证": "Management system certification", "自有品牌": "Own brand",
	"参与标准制定": "Standards drafted", "发达国家产品认证": "Developed-country product certification", "核心业务信息化": "Core business IT",
}

func isZh(lang string) bool { return !strings.HasPrefix(strings.ToLower(lang), "en") }

// columnSet is a compiled list of specs.
type columnSet struct {
	specs  []colSpec
	byName map[string]int
	ignore map[string]bool // known context columns (序号, 企业名称 in a report) skipped silently
}

func newColumnSet(specs []colSpec, ignore ...string) *columnSet {
	cs := &columnSet{specs: specs, byName: map[string]int{}, ignore: map[string]bool{}}
	for i, s := range specs {
		for _, n := range append([]string{s.zh, s.en, s.englishTitle()}, s.aliases...) {
			base, _, _ := splitUnit(normHeader(n))
			if j, dup := cs.byName[base]; dup && j != i {
				panic("importer: ambiguous column name " + n)
			}
			cs.byName[base] = i
		}
	}
	for _, n := range ignore {
		cs.ignore[normHeader(n)] = true
	}
	return cs
}

// resolve maps the header row to column indexes (−1 = absent), reporting
// unknown, duplicate, wrongly-unitised and missing columns once each at the
// header line. Done once per file, so the row loop only indexes slices.
func (cs *columnSet) resolve(header []string, line int, rep *Report) []int {
	idx := make([]int, len(cs.specs))
	for i := range idx {
		idx[i] = -1
	}
	for i, h := range header {
		if h == "" {
			continue
		}
		base, unit, hasUnit := splitUnit(normHeader(h))
		j, ok := cs.byName[base]
		if !ok {
			if !cs.ignore[base] && !cs.ignore[normHeader(h)] {
				rep.warnf(line, h, KeyUnknownColumn, "")
			}
			continue
		}
		if first := idx[j]; first >= 0 {
			rep.errorf(line, h, KeyDuplicateColumn, "", header[first])
			continue
		}
		idx[j] = i
		s := cs.specs[j]
		// A file in 亿元 under a 万元 column would import values 10 000
		// times too small, so a stated unit must be the expected one.
		if hasUnit && s.unitZh != "" && unit != normUnit(s.unitZh) && unit != normUnit(s.unitEn) {
			rep.errorf(line, h, KeyColumnUnit, "", s.unitZh, s.unitEn)
		}
	}
	for j, s := range cs.specs {
		if s.required && idx[j] < 0 {
			rep.errorf(line, "", KeyMissingColumn, "", s.header("zh"), s.header("en"))
		}
	}
	return idx
}

// normHeader folds what users vary in headers: case, spaces, underscores,
// hyphens, required-field stars and full-width brackets.
func normHeader(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch r {
		case '（', '【', '[', '〔':
			r = '('
		case '）', '】', ']', '〕':
			r = ')'
		case '：':
			r = ':'
		case '￥':
			r = '¥'
		case '_', '-', '*', '＊':
			continue
		}
		if unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// splitUnit splits "工业总产值(万元)" into base and unit; a "单位:" or "unit:"
// prefix inside the brackets is dropped.
func splitUnit(n string) (base, unit string, ok bool) {
	if !strings.HasSuffix(n, ")") {
		return n, "", false
	}
	i := strings.LastIndexByte(n, '(')
	if i <= 0 {
		return n, "", false
	}
	unit = n[i+1 : len(n)-1]
	unit = strings.TrimPrefix(strings.TrimPrefix(unit, "单位:"), "unit:")
	return n[:i], unit, true
}

func normUnit(u string) string { return normHeader(u) }
