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
)

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
	}
}
