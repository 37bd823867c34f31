package importer

// Message keys. The comment after each key lists its Args in order; the
// texts in Messages use explicit argument indexes where a language needs a
// different order or only some of the args.
const (
	// File level.
	KeyFileTooLarge    = "import.err.file_too_large"     // max MiB
	KeyFileTooManyRows = "import.err.file_too_many_rows" // max rows
	KeyFileEmpty       = "import.err.file_empty"
	KeyFileFormat      = "import.err.file_format"
	KeyNoData          = "import.err.no_data"

	// Header.
	KeyMissingColumn   = "import.err.missing_column"   // zh name, en name
	KeyDuplicateColumn = "import.err.duplicate_column" // header text of the first column
	KeyColumnUnit      = "import.err.column_unit"      // expected unit zh, expected unit en
	KeyUnknownColumn   = "import.warn.unknown_column"

	// Cells shared by both kinds.
	KeyEmptyCell          = "import.err.empty_cell"
	KeyCreditCodeLength   = "import.err.credit_code_length"
	KeyCreditCodeCharset  = "import.err.credit_code_charset"
	KeyCreditCodeChecksum = "import.err.credit_code_checksum"
	KeyCreditCodeOrgCheck = "import.warn.credit_code_org_check"
	KeyBadNumber          = "import.err.bad_number"
	KeyTooManyDecimals    = "import.err.too_many_decimals" // max decimals
	KeyNegative           = "import.err.negative"
	KeyNumberRange        = "import.err.number_range"

	// Enterprise list.
	KeyDuplicateCreditCode   = "import.err.duplicate_credit_code" // first line
	KeyUnknownRegion         = "import.err.unknown_region"
	KeyIndustryCodeFormat    = "import.err.industry_code_format"
	KeyUnknownIndustry       = "import.err.unknown_industry"
	KeyBadDate               = "import.err.bad_date"
	KeyFoundedFuture         = "import.err.founded_future"
	KeyNameTooLong           = "import.err.name_too_long" // max characters
	KeyBadBool               = "import.err.bad_bool"
	KeyBadYear               = "import.err.bad_year" // min, max
	KeyAboveScaleWithoutYear = "import.err.above_scale_without_year"
	KeyYearlyWithoutYear     = "import.err.yearly_without_year"
	KeyAboveScaleRevenue     = "import.warn.above_scale_revenue" // threshold in 万元

	// Monthly reports.
	KeyBadPeriod            = "import.err.bad_period"
	KeyJanuary              = "import.err.january"
	KeyPeriodFuture         = "import.err.period_future"
	KeyUnknownEnterprise    = "import.err.unknown_enterprise"
	KeyDuplicateReport      = "import.err.duplicate_report"      // first line
	KeyCumulativeDecreasing = "import.err.cumulative_decreasing" // earlier period, earlier value, earlier line

	// Yearly facts (profiles, 亩均 facts).
	KeyNoFacts          = "import.err.no_facts"
	KeyDuplicateYearRow = "import.err.duplicate_year_row" // first line
	KeyDigitalLevel     = "import.err.digital_level"
	KeyRank             = "import.err.rank"
	KeyPercentRange     = "import.err.percent_range"
	KeyUnknownLevel     = "import.err.unknown_level"
	KeyUnknownHonour    = "import.err.unknown_honour" // the item
	KeyMainAboveRevenue = "import.err.main_above_revenue"
	KeyFactsConflict    = "import.err.facts_conflict" // the domain's reason (English)
	KeyUnknownPark      = "import.err.unknown_park"
	KeyParkOtherRegion  = "import.warn.park_other_region"
	KeyUnknownVeto      = "import.err.unknown_veto" // the item

	// Listing events. Keys marked "pairs" take each code or date as a
	// (zh, en) pair of arguments.
	KeyUnknownStage                 = "import.err.unknown_stage"
	KeyUnknownBoard                 = "import.err.unknown_board"
	KeyUnknownListingKind           = "import.err.unknown_listing_kind"
	KeyDateFuture                   = "import.err.date_future"
	KeyTextTooLong                  = "import.err.text_too_long"        // max characters
	KeyDuplicateEvent               = "import.err.duplicate_event"      // first line
	KeyListingHistory               = "import.err.listing_history"      // the domain's key or reason
	KeyListingAgreedAfter           = "import.err.listing_agreed_after" // pairs: agreement date, filing date
	KeyListingAgreedNotTutoring     = "import.err.listing_agreed_not_tutoring"
	KeyListingBoardChanged          = "import.err.listing_board_changed" // pairs: board, application's board
	KeyListingBoardMissing          = "import.err.listing_board_missing"
	KeyListingBoardNotApplicable    = "import.err.listing_board_not_applicable" // pairs: stage
	KeyListingDateBackwards         = "import.err.listing_date_backwards"       // pairs: date, previous date
	KeyListingFirstOutcome          = "import.err.listing_first_outcome"        // pairs: stage
	KeyListingKindMissing           = "import.err.listing_kind_missing"
	KeyListingKindNotApplicable     = "import.err.listing_kind_not_applicable" // pairs: stage
	KeyListingProceedsMissing       = "import.err.listing_proceeds_missing"
	KeyListingProceedsNotApplicable = "import.err.listing_proceeds_not_applicable" // pairs: stage
	KeyListingProceedsNotIPO        = "import.err.listing_proceeds_not_ipo"        // pairs: kind
	KeyListingRegistrationOverseas  = "import.err.listing_registration_overseas"   // pairs: board
	KeyListingRelocationInPipeline  = "import.err.listing_relocation_in_pipeline"
	KeyListingRepeat                = "import.err.listing_repeat" // pairs: stage
	KeyListingSkip                  = "import.err.listing_skip"   // pairs: previous stage, stage
	KeyListingSponsorMissing        = "import.err.listing_sponsor_missing"
)

// pairArgKeys are the keys whose arguments come as (zh, en) pairs, of
// which each language uses its own.
var pairArgKeys = map[string]bool{
	KeyMissingColumn: true, KeyColumnUnit: true,
	KeyListingAgreedAfter: true, KeyListingBoardChanged: true, KeyListingBoardNotApplicable: true, KeyListingDateBackwards: true,
	KeyListingFirstOutcome: true, KeyListingKindNotApplicable: true, KeyListingProceedsNotApplicable: true, KeyListingProceedsNotIPO: true,
	KeyListingRegistrationOverseas: true, KeyListingRepeat: true, KeyListingSkip: true,
}

// Messages returns every key this package emits with its zh-CN and en text
// (fmt verbs, filled from RowError.Args).
func Messages() map[string][2]string {
	return map[string][2]string{
		KeyFileTooLarge:    {"文件过大（上限 %d MB），请拆分后分批导入", "the file is too large (limit %d MB); split it and import the parts"},
		KeyFileTooManyRows: {"数据行过多（上限 %d 行），请拆分后分批导入", "too many rows (limit %d); split the file and import the parts"},
		KeyFileEmpty:       {"文件为空", "the file is empty"},
		KeyFileFormat:      {"无法读取文件，请上传 .xlsx 或 .csv 文件（旧版 .xls 请另存为 .xlsx）", "the file cannot be read; upload .xlsx or .csv (save legacy .xls as .xlsx)"},
		KeyNoData:          {"文件只有表头，没有数据行", "the file has a header but no data rows"},

		KeyMissingColumn:   {"缺少必填列“%[1]s”", `missing required column "%[2]s"`},
		KeyDuplicateColumn: {"与列“%s”重复", `duplicates column "%s"`},
		KeyColumnUnit:      {"列标题中的单位不符，应为“%[1]s”", "wrong unit in the column header; expected %[2]s"},
		KeyUnknownColumn:   {"无法识别的列，已忽略", "unrecognised column, ignored"},

		KeyEmptyCell:          {"必填项为空", "required value is empty"},
		KeyCreditCodeLength:   {"统一社会信用代码应为18位", "the unified social credit code must have 18 characters"},
		KeyCreditCodeCharset:  {"统一社会信用代码含有不允许的字符（只能是数字和除 I、O、Z、S、V 外的大写字母）", "the credit code contains a character not allowed (digits and capitals except I, O, Z, S, V)"},
		KeyCreditCodeChecksum: {"统一社会信用代码校验位错误，请核对", "the credit code's check character does not match; please check the code"},
		KeyCreditCodeOrgCheck: {"统一社会信用代码第9–17位（组织机构代码）未通过 GB 11714 校验，多见于2015年前赋码，请核对", "positions 9–17 (organisation code) fail the GB 11714 check, common for codes issued before 2015; please verify"},
		KeyBadNumber:          {"不是有效的数字", "not a valid number"},
		KeyTooManyDecimals:    {"小数位数过多，最多 %d 位", "too many decimal places (at most %d)"},
		KeyNegative:           {"不能为负数", "must not be negative"},
		KeyNumberRange:        {"数值超出范围", "value out of range"},

		KeyDuplicateCreditCode:   {"统一社会信用代码与第 %d 行重复", "the credit code repeats line %d"},
		KeyUnknownRegion:         {"无法识别的区县（可填写区县名称、曾用名或行政区划代码）", "unknown district or county (use its name, former name or GB/T 2260 code)"},
		KeyIndustryCodeFormat:    {"行业代码应为4位数字（GB/T 4754-2017 小类）", "the industry code must be 4 digits (a GB/T 4754-2017 class)"},
		KeyUnknownIndustry:       {"行业代码不是 GB/T 4754-2017 中的工业小类", "the industry code is not a GB/T 4754-2017 industrial class"},
		KeyBadDate:               {"日期无法识别，请填写如 2015-06-18", "unrecognised date; write it like 2015-06-18"},
		KeyFoundedFuture:         {"成立日期晚于今天", "the founding date is in the future"},
		KeyNameTooLong:           {"企业名称超过 %d 个字", "the enterprise name is longer than %d characters"},
		KeyBadBool:               {"请填写“是”或“否”", "write yes or no (是/否, Y/N, 1/0)"},
		KeyBadYear:               {"年度应为 %d 至 %d 之间的四位年份", "the year must be between %d and %d"},
		KeyAboveScaleWithoutYear: {"填写了是否规上，但未填写年度", "above-scale status given without a year"},
		KeyYearlyWithoutYear:     {"填写了年度数据，但未填写年度", "yearly figures given without a year"},
		KeyAboveScaleRevenue:     {"标记为规上企业，但上年营业收入低于 %s 万元，请核对", "marked above-scale, but prior-year revenue is below %s (¥10k); please verify"},

		KeyBadPeriod:            {"报告期无法识别，请填写如 2024-03（月份 02–12）", "unrecognised period; write it like 2024-03 (months 02–12)"},
		KeyJanuary:              {"1月不单独报送：1月与2月合并为“1–2月”报送，报告期填写该年的 02 月", "January is not reported alone: January and February are reported together as 1–2月 under period YYYY-02"},
		KeyPeriodFuture:         {"报告期晚于当前月份", "the period is in the future"},
		KeyUnknownEnterprise:    {"系统中没有该统一社会信用代码的企业，请先导入企业名录", "no enterprise with this credit code; import it in the enterprise list first"},
		KeyDuplicateReport:      {"同一企业同一报告期与第 %d 行重复", "the same enterprise and period repeat line %d"},
		KeyCumulativeDecreasing: {"1–N月累计值不能小于此前报告期（%[1]s，第 %[3]d 行：%[2]s）", "the year-to-date value is below that of the earlier period %[1]s (line %[3]d: %[2]s)"},

		KeyNoFacts:          {"除统一社会信用代码和年度外没有填写任何数据", "the row states nothing besides the credit code and the year"},
		KeyDuplicateYearRow: {"同一企业同一年度与第 %d 行重复", "the same enterprise and year repeat line %d"},
		KeyDigitalLevel:     {"数字化水平等级应为 1 至 4", "the digital level must be 1 to 4"},
		KeyRank:             {"排名应为从 1 开始的整数", "a rank is a whole number from 1"},
		KeyPercentRange:     {"百分比应在 0 至 100 之间", "a percentage must be between 0 and 100"},
		KeyUnknownLevel:     {"无法识别的级别（国际级、国家级、省级、市级、区县级或无）", "unknown level (international, national, provincial, municipal, below municipal or none)"},
		KeyUnknownHonour:    {"无法识别的荣誉“%s”（高新技术企业、国家技术创新示范企业、国家知识产权优势企业、国家知识产权示范企业；没有请填“无”）", `unknown honour "%s" (high_tech, national_tech_innovation_demo, ip_advantage, ip_demo; write "none" for none)`},
		KeyMainAboveRevenue: {"主营业务收入大于营业收入（含已导入的数据）", "main-business revenue exceeds operating revenue (including facts stored before)"},
		KeyFactsConflict:    {"与已存数据合并后不符合规则：%s", "together with the stored facts the row breaks a rule: %s"},
		KeyUnknownPark:      {"无法识别的园区（可填写园区代码或名称）", "unknown park (use its code or name)"},
		KeyParkOtherRegion:  {"园区不在企业所在区县，请核对", "the park lies outside the enterprise's district; please verify"},
		KeyUnknownVeto:      {"无法识别的否决或扣分事项“%s”（没有请填“无”）", `unknown veto or deduction item "%s" (write "none" for none)`},

		KeyUnknownStage:                 {"无法识别的阶段（上市后备库、股份制改造、辅导备案、申报受理、审核通过、注册生效、上市、撤回/终止、退市/迁出）", "unknown stage (reserve pool, shareholding reform, tutoring filed, application accepted, passed review, registered, listed, withdrawn, delisted or moved away)"},
		KeyUnknownBoard:                 {"无法识别的上市板块（上交所主板、科创板、深交所主板、创业板、北交所、港交所、其他境外交易所）", "unknown board (SSE Main Board, SSE STAR Market, SZSE Main Board, SZSE ChiNext, Beijing Stock Exchange, HKEX, other overseas exchange)"},
		KeyUnknownListingKind:           {"无法识别的上市方式（IPO、迁入、其他）", "unknown listing kind (IPO, relocated in, other)"},
		KeyDateFuture:                   {"日期晚于今天", "the date is in the future"},
		KeyTextTooLong:                  {"超过 %d 个字", "longer than %d characters"},
		KeyDuplicateEvent:               {"同一企业同一阶段同一日期与第 %d 行重复", "the same enterprise, stage and date repeat line %d"},
		KeyListingHistory:               {"上市进程不符合规则（%s）", "the listing history breaks a rule (%s)"},
		KeyListingAgreedAfter:           {"辅导协议签订日 %[1]s 晚于备案日 %[3]s", "the tutoring agreement (%[2]s) is after the filing (%[4]s)"},
		KeyListingAgreedNotTutoring:     {"辅导协议签订日只用于辅导备案", "a tutoring agreement date belongs to a tutoring filing only"},
		KeyListingBoardChanged:          {"板块“%[1]s”与申报板块“%[3]s”不一致", `board "%[2]s" differs from the application's board "%[4]s"`},
		KeyListingBoardMissing:          {"申报受理和上市须填写上市板块", "an application or a listing needs its board"},
		KeyListingBoardNotApplicable:    {"阶段“%[1]s”不填写上市板块", `stage "%[2]s" takes no board`},
		KeyListingDateBackwards:         {"日期 %[1]s 早于上一阶段的日期 %[3]s", "the date %[2]s is before the previous step's %[4]s"},
		KeyListingFirstOutcome:          {"上市进程不能以“%[1]s”开始", `a listing history cannot start with "%[2]s"`},
		KeyListingKindMissing:           {"上市须填写上市方式（IPO、迁入或其他）", "a listing needs its kind (IPO, relocated in or other)"},
		KeyListingKindNotApplicable:     {"阶段“%[1]s”不填写上市方式", `stage "%[2]s" takes no listing kind`},
		KeyListingProceedsMissing:       {"IPO 须填写首发募资额", "an IPO needs its proceeds"},
		KeyListingProceedsNotApplicable: {"阶段“%[1]s”不填写募资额", `stage "%[2]s" takes no proceeds`},
		KeyListingProceedsNotIPO:        {"“%[1]s”方式上市没有首发募资", `a listing of kind "%[2]s" has no IPO proceeds`},
		KeyListingRegistrationOverseas:  {"境外上市（%[1]s）无需证监会注册", "an overseas listing (%[2]s) needs no CSRC registration"},
		KeyListingRelocationInPipeline:  {"迁入只适用于已在外地上市的公司，不能接在培育阶段之后", "a relocation is a company listed elsewhere moving in; it cannot follow a pipeline stage"},
		KeyListingRepeat:                {"企业已处于“%[1]s”阶段", `the enterprise is already at "%[2]s"`},
		KeyListingSkip:                  {"不能从“%[1]s”直接进入“%[3]s”（含已导入的进程）", `cannot go from "%[2]s" straight to "%[4]s" (including the stored history)`},
		KeyListingSponsorMissing:        {"辅导备案须填写保荐机构", "a tutoring filing needs its sponsor"},
	}
}
