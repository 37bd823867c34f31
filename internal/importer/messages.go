package importer

import "github.com/industrybrain/ibrain/internal/i18n"

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
	// File level, located: the line and what it holds.
	KeyFileQuote          = "import.err.file_quote"         // line
	KeyFileDecimalComma   = "import.err.file_decimal_comma" // line, cell
	KeyFileUnpacked       = "import.err.file_unpacked"      // limit MiB
	KeyFileNoVisibleSheet = "import.err.file_no_visible_sheet"
	KeyMergedCells        = "import.err.merged_cells"   // range such as C3:C10
	KeySheetRead          = "import.warn.sheet_read"    // sheet name, sheets in the workbook
	KeyHiddenSheets       = "import.warn.hidden_sheets" // names
	KeyTitleRow           = "import.warn.title_row"     // header line

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
	KeyCreditCodeNumber   = "import.err.credit_code_number"
	KeyCreditCodeOrgCheck = "import.warn.credit_code_org_check"
	KeyBadNumber          = "import.err.bad_number"
	KeyTooManyDecimals    = "import.err.too_many_decimals" // max decimals
	KeyNegative           = "import.err.negative"
	KeyNumberRange        = "import.err.number_range"  // largest value in the column's unit
	KeyDecimalComma       = "import.err.decimal_comma" // the cell

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
	KeyUnknownSubclass: true,
}

// Messages returns every key this package emits with its zh-CN and en text
// (fmt verbs, filled from RowError.Args). The texts live in the catalogue,
// internal/i18n/importer.{zh-CN,en}.json.
func Messages() map[string][2]string { return i18n.Pairs("importer") }
