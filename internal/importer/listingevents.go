package importer

import (
	"cmp"
	"errors"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/listing"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Listing pipeline events (listing.Event). One row is one dated step of
// one enterprise. The rows are merged into the stored history: a row with
// the stage and date of a stored event corrects that event, any other row
// is inserted in date order (after the stored events of the same day), and
// the resulting history must pass listing.Record.Validate. Stored events
// are never removed by an import, so importing the same file twice, or a
// file holding only this month's new steps, changes nothing else.

// Listing columns.
const (
	lCode = iota
	lStage
	lDate
	lAgreed
	lSponsor
	lBoard
	lKind
	lProceeds
	lNote
)

var listingCols = newColumnSet([]colSpec{
	lCode:     enterpriseCols.specs[eCode],
	lStage:    {zh: "阶段", en: "stage", required: true, aliases: []string{"上市阶段", "所处阶段", "事项"}},
	lDate:     {zh: "日期", en: "date", required: true, aliases: []string{"事件日期", "发生日期", "备案日期"}},
	lAgreed:   {zh: "辅导协议签订日", en: "agreed_on", aliases: []string{"辅导协议日期", "协议签订日", "tutoring agreement date"}},
	lSponsor:  {zh: "保荐机构", en: "sponsor", aliases: []string{"辅导机构", "券商"}},
	lBoard:    {zh: "上市板块", en: "board", aliases: []string{"交易所板块", "交易所", "板块", "exchange"}},
	lKind:     {zh: "上市方式", en: "kind", aliases: []string{"方式", "listing kind"}},
	lProceeds: wan("首发募资", "proceeds_10k", "募资额", "首发募资额", "募集资金", "proceeds"),
	lNote:     {zh: "备注", en: "note", aliases: []string{"说明", "事件说明", "remarks"}},
}, "企业名称", "name", "enterprise name", "所属区县", "区县", "region", "序号", "no", "no.", "#")

// listingName is a code's display names, first entry of its vocabulary.
type listingName struct{ zh, en string }

var stageNames = map[listing.Stage]listingName{
	listing.StageReserve: {"上市后备库", "reserve pool"}, listing.StageReform: {"股份制改造", "shareholding reform"},
	listing.StageTutoring: {"辅导备案", "tutoring filed"}, listing.StageAccepted: {"申报受理", "application accepted"},
	listing.StageReview: {"审核通过", "passed review"}, listing.StageRegistered: {"注册生效", "registered"},
	listing.StageListed: {"上市", "listed"}, listing.StageWithdrawn: {"撤回/终止", "withdrawn"},
	listing.StageExited: {"退市/迁出", "delisted or moved away"},
}

var boardNames = map[listing.Board]listingName{
	listing.BoardSSEMain: {"上交所主板", "SSE Main Board"}, listing.BoardSTAR: {"科创板", "SSE STAR Market"},
	listing.BoardSZSEMain: {"深交所主板", "SZSE Main Board"}, listing.BoardChiNext: {"创业板", "SZSE ChiNext"},
	listing.BoardBSE: {"北交所", "Beijing Stock Exchange"}, listing.BoardHKEX: {"港交所", "HKEX"},
	listing.BoardOverseas: {"其他境外交易所", "other overseas exchange"},
}

var kindNames = map[listing.Kind]listingName{
	listing.KindIPO: {"IPO", "IPO"}, listing.KindRelocation: {"迁入", "relocated in"}, listing.KindOther: {"其他", "other"},
}

var stageVocab = newVocab(
	[]string{"reserve", "上市后备库", "后备库", "入库", "reserve pool"},
	[]string{"reform", "股份制改造", "股改", "shareholding reform"},
	[]string{"tutoring", "辅导备案", "辅导", "tutoring filed"},
	[]string{"accepted", "申报受理", "受理", "申报", "application accepted"},
	[]string{"review", "审核通过", "审核", "过会", "passed review"},
	[]string{"registered", "注册生效", "注册", "registration"},
	[]string{"listed", "上市", "挂牌上市"},
	[]string{"withdrawn", "撤回/终止", "撤回", "终止", "终止审核", "withdrawal", "terminated"},
	[]string{"exited", "退市/迁出", "退市", "迁出", "delisted", "moved away", "delisted or moved away"},
)

var boardVocab = newVocab(
	[]string{"sse_main", "上交所主板", "沪市主板", "上海证券交易所主板", "sse main board"},
	[]string{"sse_star", "科创板", "上交所科创板", "star market", "sse star market"},
	[]string{"szse_main", "深交所主板", "深市主板", "深圳证券交易所主板", "szse main board"},
	[]string{"szse_chinext", "创业板", "深交所创业板", "chinext", "szse chinext"},
	[]string{"bse", "北交所", "北京证券交易所", "beijing stock exchange"},
	[]string{"hkex", "港交所", "香港联交所", "香港交易所", "联交所"},
	[]string{"overseas", "其他境外交易所", "境外其他", "境外", "纳斯达克", "纽交所", "nasdaq", "nyse", "other overseas exchange"},
)

var kindVocab = newVocab(
	[]string{"ipo", "首发", "首次公开发行", "首发上市"},
	[]string{"relocation", "迁入", "relocated in"},
	[]string{"other", "其他", "借壳", "借壳上市", "介绍上市"},
)

// ListingOptions supplies the lookups of a listing events import.
type ListingOptions struct {
	Firm  FirmLookup // required
	Today time.Time  // dates after it are rejected; zero: now
}

// ListingRow is one valid row.
type ListingRow struct {
	Line         int
	EnterpriseID int64
	Event        listing.Event
	header       []string // the file's header, to name columns of merge errors
	idx          []int
}

// column returns the header text of column c in the row's file.
func (r ListingRow) column(c int) string {
	if c < 0 || r.idx[c] < 0 {
		return ""
	}
	return r.header[r.idx[c]]
}

type eventKey struct {
	id    int64
	stage listing.Stage
	day   int64
}

// ListingEvents validates a listing events file: every cell, then every
// event on its own with the domain's field rules. It returns the valid
// rows and a report of every problem; the history rules are applied by
// MergeListing.
func ListingEvents(s *tabular.Sheet, opts ListingOptions) ([]ListingRow, Report) {
	if opts.Firm == nil {
		panic("importer: ListingOptions.Firm is required")
	}
	rep := Report{Kind: KindListing}
	if s == nil {
		rep.errorf(0, "", KeyFileEmpty, "")
		return nil, rep
	}
	s = padded(s)
	rep.Rows = len(s.Rows)
	today := dateOf(opts.Today)
	idx := listingCols.resolve(s.Header, s.HeaderLine, &rep)
	if len(s.Rows) == 0 {
		rep.errorf(s.HeaderLine, "", KeyNoData, "")
	}
	out := make([]ListingRow, 0, len(s.Rows))
	seen := map[eventKey]int{}
	for _, row := range s.Rows {
		rc := rowCtx{rep: &rep, line: row.Line, cells: row.Cells, header: s.Header, idx: idx, ok: true}
		lr := ListingRow{Line: row.Line, header: s.Header, idx: idx}
		ev := &lr.Event
		f, known := rc.firm(lCode, opts.Firm)
		lr.EnterpriseID = f.ID
		if v, ok := rc.required(lStage); ok {
			if code, found := stageVocab.lookup(v); found {
				ev.Stage = listing.Stage(code)
			} else {
				rc.fail(lStage, KeyUnknownStage)
			}
		}
		if v, ok := rc.requiredASCII(lDate); ok {
			ev.Date = rc.date(lDate, v, today)
		}
		if v := foldWidth(rc.cell(lAgreed)); v != "" {
			ev.AgreedOn = rc.date(lAgreed, v, today)
		}
		ev.Sponsor = trimSpace(rc.cell(lSponsor))
		ev.Note = trimSpace(rc.cell(lNote))
		for _, c := range []int{lSponsor, lNote} {
			if utf8.RuneCountInString(rc.cell(c)) > listing.MaxText {
				rc.fail(c, KeyTextTooLong, listing.MaxText)
			}
		}
		if v := rc.cell(lBoard); v != "" {
			if code, found := boardVocab.lookup(v); found {
				ev.Board = listing.Board(code)
			} else {
				rc.fail(lBoard, KeyUnknownBoard)
			}
		}
		if v := rc.cell(lKind); v != "" {
			if code, found := kindVocab.lookup(v); found {
				ev.Kind = listing.Kind(code)
			} else {
				rc.fail(lKind, KeyUnknownListingKind)
			}
		}
		if n, ok := rc.optNumber(lProceeds, int64(unit.Wan), false); ok {
			ev.Proceeds = unit.Fen(n)
		}
		if !rc.ok {
			continue
		}
		// The domain's rules for one event on its own. A record of one
		// event may not open with an outcome; in a file that is a history
		// rule, judged by MergeListing.
		if err := (listing.Record{Events: []listing.Event{*ev}}).Validate(); err != nil {
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Key != "err.listing.first_outcome" {
				rc.listingError(lr, err)
				continue
			}
		}
		if known {
			k := eventKey{f.ID, ev.Stage, ev.Date.Unix()}
			if first, dup := seen[k]; dup {
				rc.fail(lStage, KeyDuplicateEvent, first)
				continue
			}
			seen[k] = row.Line
		}
		out = append(out, lr)
	}
	rep.sort()
	return out, rep
}

// date parses a date cell no later than today.
func (rc *rowCtx) date(c int, v string, today time.Time) time.Time {
	d, ok := parseDate(v)
	switch {
	case !ok:
		rc.fail(c, KeyBadDate)
	case d.After(today):
		rc.fail(c, KeyDateFuture)
	default:
		return d
	}
	return time.Time{}
}

func (rc *rowCtx) listingError(r ListingRow, err error) {
	re := listingRowError(r, err)
	rc.rep.Errors = append(rc.rep.Errors, re)
	rc.ok = false
}

// listingRules maps the domain's validation keys to the importer's, with
// the column each one is about. The domain's first argument, the event
// number, means nothing in a file and is dropped; with pairs, the others
// (codes and dates) are passed as (zh, en) name pairs.
var listingRules = map[string]struct {
	key   string
	col   int
	pairs bool
}{
	"err.listing.agreed_after_filing":     {KeyListingAgreedAfter, lAgreed, true},
	"err.listing.agreed_not_tutoring":     {KeyListingAgreedNotTutoring, lAgreed, false},
	"err.listing.board_changed":           {KeyListingBoardChanged, lBoard, true},
	"err.listing.board_missing":           {KeyListingBoardMissing, lBoard, false},
	"err.listing.board_not_applicable":    {KeyListingBoardNotApplicable, lBoard, true},
	"err.listing.date_backwards":          {KeyListingDateBackwards, lDate, true},
	"err.listing.first_outcome":           {KeyListingFirstOutcome, lStage, true},
	"err.listing.kind_missing":            {KeyListingKindMissing, lKind, false},
	"err.listing.kind_not_applicable":     {KeyListingKindNotApplicable, lKind, true},
	"err.listing.proceeds_missing":        {KeyListingProceedsMissing, lProceeds, false},
	"err.listing.proceeds_negative":       {KeyNegative, lProceeds, false},
	"err.listing.proceeds_not_applicable": {KeyListingProceedsNotApplicable, lProceeds, true},
	"err.listing.proceeds_not_ipo":        {KeyListingProceedsNotIPO, lProceeds, true},
	"err.listing.registration_overseas":   {KeyListingRegistrationOverseas, lBoard, true},
	"err.listing.relocation_in_pipeline":  {KeyListingRelocationInPipeline, lKind, false},
	"err.listing.repeat":                  {KeyListingRepeat, lStage, true},
	"err.listing.skip":                    {KeyListingSkip, lStage, true},
	"err.listing.sponsor_missing":         {KeyListingSponsorMissing, lSponsor, false},
	"err.listing.stage":                   {KeyUnknownStage, lStage, false},
	"err.listing.date_missing":            {KeyEmptyCell, lDate, false},
}

// listingRowError turns a domain validation error into a row error on r.
func listingRowError(r ListingRow, err error) RowError {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return RowError{Line: r.Line, Key: KeyListingHistory, Args: []any{err.Error()}}
	}
	if ae.Key == "err.listing.text_too_long" {
		return RowError{Line: r.Line, Key: KeyTextTooLong, Args: []any{listing.MaxText}}
	}
	m, ok := listingRules[ae.Key]
	if !ok {
		return RowError{Line: r.Line, Key: KeyListingHistory, Args: []any{ae.Key}}
	}
	re := RowError{Line: r.Line, Column: r.column(m.col), Key: m.key}
	if r.idx[m.col] >= 0 {
		// The cell as the file has it is not kept; show the parsed value.
		re.Value = cellValue(r.Event, m.col)
	}
	if m.pairs && len(ae.Args) > 1 {
		for _, a := range ae.Args[1:] {
			s, _ := a.(string)
			zh, en := codeNames(s)
			re.Args = append(re.Args, zh, en)
		}
	}
	return re
}

// codeNames returns the display names of a stage, board or kind code, or
// the text itself (a date) in both languages.
func codeNames(s string) (string, string) {
	if n, ok := stageNames[listing.Stage(s)]; ok {
		return n.zh, n.en
	}
	if n, ok := boardNames[listing.Board(s)]; ok {
		return n.zh, n.en
	}
	if n, ok := kindNames[listing.Kind(s)]; ok {
		return n.zh, n.en
	}
	return s, s
}

func cellValue(e listing.Event, c int) string {
	switch c {
	case lStage:
		return stageNames[e.Stage].zh
	case lDate:
		if !e.Date.IsZero() {
			return e.Date.Format(time.DateOnly)
		}
	case lAgreed:
		if !e.AgreedOn.IsZero() {
			return e.AgreedOn.Format(time.DateOnly)
		}
	case lBoard:
		return boardNames[e.Board].zh
	case lKind:
		return kindNames[e.Kind].zh
	case lProceeds:
		if e.Proceeds != 0 {
			return unit.FormatScaled(int64(e.Proceeds), int64(unit.Wan))
		}
	case lSponsor:
		return e.Sponsor
	}
	return ""
}

// MergeListing merges the rows into the stored histories (stored returns
// the enterprise's record, empty when it has none) and validates each
// resulting history. A history that breaks a rule is reported on the row
// whose event breaks it or, when the broken event is a stored one, on the
// file row placed last before it (the one that changed its context). It
// returns the merged records of the enterprises in the file, valid or
// not; only a report without errors may be stored.
func MergeListing(rows []ListingRow, stored func(id int64) listing.Record, rep *Report) []listing.Record {
	byFirm := map[int64][]ListingRow{}
	var order []int64
	for _, r := range rows {
		if _, ok := byFirm[r.EnterpriseID]; !ok {
			order = append(order, r.EnterpriseID)
		}
		byFirm[r.EnterpriseID] = append(byFirm[r.EnterpriseID], r)
	}
	out := make([]listing.Record, 0, len(order))
	for _, id := range order {
		rec, origin := mergeRecord(stored(id), byFirm[id])
		out = append(out, rec)
		err := rec.Validate()
		if err == nil {
			continue
		}
		n := 0
		var ae *apperr.Error
		if errors.As(err, &ae) && len(ae.Args) > 0 {
			n, _ = ae.Args[0].(int)
		}
		rows := byFirm[id]
		at := rows[0]
		for i := min(n, len(origin)) - 1; i >= 0; i-- {
			if origin[i] != nil {
				at = *origin[i]
				break
			}
		}
		re := listingRowError(at, err)
		if n >= 1 && n <= len(origin) && origin[n-1] == nil {
			// A stored event broke: name the column of the rule but not a
			// value of this row.
			re.Value = ""
		}
		rep.Errors = append(rep.Errors, re)
	}
	rep.sort()
	return out
}

// mergeRecord returns the merged record and, for each of its events, the
// file row it came from (nil for a stored event).
func mergeRecord(stored listing.Record, rows []ListingRow) (listing.Record, []*ListingRow) {
	events := slices.Clone(stored.Events)
	origin := make([]*ListingRow, len(events))
	sorted := slices.Clone(rows)
	slices.SortStableFunc(sorted, func(a, b ListingRow) int { return a.Event.Date.Compare(b.Event.Date) })
	for i := range sorted {
		r := &sorted[i]
		ev := r.Event
		j := slices.IndexFunc(events, func(e listing.Event) bool { return e.Stage == ev.Stage && e.Date.Equal(ev.Date) })
		if j >= 0 {
			events[j], origin[j] = ev, r
			continue
		}
		// After every event on or before its date.
		at := len(events)
		for at > 0 && cmp.Compare(events[at-1].Date.Unix(), ev.Date.Unix()) > 0 {
			at--
		}
		events = slices.Insert(events, at, ev)
		origin = slices.Insert(origin, at, r)
	}
	return listing.Record{EnterpriseID: stored.EnterpriseID, Events: events}, origin
}

// ListingTemplate returns the header and example rows of a listing events
// file in lang: one firm's way from tutoring to an IPO on the STAR Market.
// The examples pass ListingEvents and MergeListing on a firm without a
// stored history.
func ListingTemplate(lang string) (header []string, example [][]string) {
	for _, sp := range listingCols.specs {
		header = append(header, sp.header(lang))
	}
	name := func(n listingName) string {
		if isZh(lang) {
			return n.zh
		}
		return n.en
	}
	sponsor := "示例证券股份有限公司"
	if !isZh(lang) {
		sponsor = "Example Securities Co., Ltd."
	}
	star := name(boardNames[listing.BoardSTAR])
	example = [][]string{
		{exampleCodes[0], name(stageNames[listing.StageReform]), "2021-09-30", "", "", "", "", "", ""},
		{exampleCodes[0], name(stageNames[listing.StageTutoring]), "2022-03-15", "2022-03-01", sponsor, "", "", "", ""},
		{exampleCodes[0], name(stageNames[listing.StageAccepted]), "2023-06-20", "", sponsor, star, "", "", ""},
		{exampleCodes[0], name(stageNames[listing.StageReview]), "2023-11-08", "", "", star, "", "", ""},
		{exampleCodes[0], name(stageNames[listing.StageRegistered]), "2024-01-12", "", "", star, "", "", ""},
		{exampleCodes[0], name(stageNames[listing.StageListed]), "2024-02-28", "", "", star, "IPO", "85000", ""},
	}
	return header, example
}
