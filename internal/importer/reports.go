package importer

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Report columns: the credit code, the period, then one per report.Field.
const (
	rCode   = int(report.NumFields)
	rPeriod = rCode + 1
)

var reportCols = func() *columnSet {
	specs := make([]colSpec, report.NumFields+2)
	for _, f := range report.Fields {
		specs[f.Field] = colSpec{zh: f.NameZh, en: f.Code, title: f.NameEn, unitZh: f.FileUnitZh, unitEn: f.FileUnitEn, required: true, aliases: []string{f.NameEn}}
	}
	specs[rCode] = enterpriseCols.specs[eCode]
	specs[rPeriod] = colSpec{zh: "报告期", en: "period", required: true, aliases: []string{"报告月份", "统计期", "所属期"}}
	// Context columns a report sheet often repeats for readability.
	return newColumnSet(specs, "企业名称", "name", "enterprise name", "所属区县", "region", "序号", "no", "no.", "#", "备注", "remarks")
}()

// ReportOptions supplies the lookups of a monthly report import.
type ReportOptions struct {
	// EnterpriseID returns the stored enterprise with a credit code.
	// Required.
	EnterpriseID func(creditCode string) (int64, bool)
	Today        time.Time // periods after its month are rejected; zero: now
	// Rows, when set, receives the valid rows in file order while the
	// file is validated, in batches of up to RowBatch rows, as long as no
	// error has been found; after the first error it is not called again.
	// A row sent may still turn out invalid (a duplicate or a decreasing
	// year-to-date value found later in the file), so the caller must
	// undo what it did with the rows unless the returned Report is OK.
	// The batches are not modified afterwards and stay valid after
	// Reports returns; Reports still returns every valid row.
	Rows func([]report.Monthly)
}

// RowBatch is the size of the batches ReportOptions.Rows receives.
const RowBatch = 4096

// fieldCol is a value column resolved once per file.
type fieldCol struct {
	field  report.Field
	col    int // index into the sheet row
	scale  int64
	digits int
	neg    bool
}

// ReportCodes returns the distinct valid credit codes of a report file,
// in the form ReportOptions.EnterpriseID receives them, so a caller can
// resolve a small file's firms before Reports runs instead of reading
// every stored firm. Rows with a bad code are left to Reports to report;
// a file without the code column gives none.
func ReportCodes(s *tabular.Sheet) []string {
	if s == nil {
		return nil
	}
	var discard Report
	c := reportCols.resolve(s.Header, s.HeaderLine, &discard)[rCode]
	if c < 0 {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	last := ""
	for _, row := range s.Rows {
		if c >= len(row.Cells) || row.Cells[c] == "" || row.Cells[c] == last {
			continue
		}
		last = row.Cells[c]
		if res, err := parseCode(last); err == nil && !seen[string(res.Code)] {
			seen[string(res.Code)] = true
			out = append(out, string(res.Code))
		}
	}
	return out
}

// Reports validates a monthly report file into reports, one per row. It
// returns the valid rows and a report of every problem; only a report
// without errors may be stored.
func Reports(s *tabular.Sheet, opts ReportOptions) ([]report.Monthly, Report) {
	if opts.EnterpriseID == nil {
		panic("importer: ReportOptions.EnterpriseID is required")
	}
	rep := Report{Kind: KindReports}
	if s == nil {
		rep.errorf(0, "", KeyFileEmpty, "")
		return nil, rep
	}
	s = padded(s)
	rep.Rows = len(s.Rows)
	today := dateOf(opts.Today)
	latest := today.Year()*100 + int(today.Month())

	idx := reportCols.resolve(s.Header, s.HeaderLine, &rep)
	if len(s.Rows) == 0 {
		rep.errorf(s.HeaderLine, "", KeyNoData, "")
	}
	fields := make([]fieldCol, 0, report.NumFields)
	for _, f := range report.Fields {
		if c := idx[f.Field]; c >= 0 {
			fields = append(fields, fieldCol{f.Field, c, f.FileScale, scaleDigits(f.FileScale), f.Negative})
		}
	}
	complete := len(fields) == int(report.NumFields) && idx[rCode] >= 0 && idx[rPeriod] >= 0

	out := make([]report.Monthly, 0, len(s.Rows))
	lines := make([]int, 0, len(s.Rows))
	// First line of each (period, firm): one map of firms per period, so
	// the map a row probes is keyed by an int64 (the runtime's fast path)
	// and the per-period map is looked up only when the period changes.
	seen := map[int32]map[int64]int{}
	var seenPeriod int32
	var seenFirms map[int64]int
	minKey, maxKey := 0, 0

	// Most files hold one period, so the last parse is reused.
	var lastText string
	var lastPeriod report.Period
	var lastErr error
	lastValid := false
	var lastCodeText, lastCodeKey string
	var lastCodeID int64
	lastCodeValid := false

	// Streaming: out has room for every row, so a batch sent is never
	// moved by a later append; nothing is sent once an error is known.
	sent := 0
	emit := func(out []report.Monthly, sent int) int {
		if len(rep.Errors) == 0 && len(out) > sent {
			opts.Rows(out[sent:len(out):len(out)])
		}
		return len(out)
	}

	for _, row := range s.Rows {
		rc := rowCtx{rep: &rep, line: row.Line, cells: row.Cells, header: s.Header, idx: idx, ok: complete}
		var m report.Monthly

		known := false
		if v, ok := rc.required(rCode); ok {
			// A file lists a firm's months together, so the previous
			// row's code is checked and looked up once for all of them.
			if !lastCodeValid || v != lastCodeText {
				lastCodeText, lastCodeValid, lastCodeKey = v, true, ""
				res, err := parseCode(v)
				if err != nil {
					lastCodeKey = creditCodeError(v, err)
				} else if id, found := opts.EnterpriseID(string(res.Code)); !found {
					lastCodeKey = KeyUnknownEnterprise
				} else {
					lastCodeID = id
				}
			}
			if lastCodeKey != "" {
				rc.fail(rCode, lastCodeKey)
			} else {
				m.EnterpriseID, known = lastCodeID, true
			}
			// The GB 11714 warning belongs to the enterprise list import.
		}
		if v, ok := rc.required(rPeriod); ok {
			if !lastValid || v != lastText {
				lastPeriod, lastErr = parsePeriod(v)
				if lastErr != nil {
					lastPeriod, lastErr = parsePeriod(foldWidth(v))
				}
				lastText, lastValid = v, true
			}
			switch {
			case errors.Is(lastErr, report.ErrJanuary):
				rc.fail(rPeriod, KeyJanuary)
			case lastErr != nil:
				rc.fail(rPeriod, KeyBadPeriod)
			case lastPeriod.Key() > latest:
				rc.fail(rPeriod, KeyPeriodFuture)
			default:
				m.Period = lastPeriod
			}
		}
		for i := range fields {
			fc := &fields[i]
			v := row.Cells[fc.col]
			if v == "" {
				rc.fail(int(fc.field), KeyEmptyCell)
				continue
			}
			n, err := parseScaled(v, fc.scale, fc.digits)
			if err != nil || n > MaxValue || n < -MaxValue || n < 0 && !fc.neg || strings.IndexByte(v, ',') >= 0 {
				// The slow path checks everything again and reports it.
				var ok bool
				if n, ok = rc.number(int(fc.field), foldWidth(v), fc.scale, fc.neg); !ok {
					continue
				}
			}
			m.Values[fc.field] = n
		}
		if known && m.Period.Year != 0 {
			if p := int32(m.Period.Key()); seenFirms == nil || p != seenPeriod {
				if seenFirms = seen[p]; seenFirms == nil {
					seenFirms = map[int64]int{}
					seen[p] = seenFirms
				}
				seenPeriod = p
			}
			if first, dup := seenFirms[m.EnterpriseID]; dup {
				rc.fail(rCode, KeyDuplicateReport, first)
			} else {
				seenFirms[m.EnterpriseID] = row.Line
			}
		}
		if !rc.ok {
			continue
		}
		if key := m.Period.Key(); len(out) == 0 {
			minKey, maxKey = key, key
		} else {
			minKey, maxKey = min(minKey, key), max(maxKey, key)
		}
		out = append(out, m)
		lines = append(lines, row.Line)
		if opts.Rows != nil && len(out)-sent >= RowBatch {
			sent = emit(out, sent)
		}
	}
	if opts.Rows != nil {
		emit(out, sent)
	}
	// Only a file spanning several periods can hold a decreasing series.
	if minKey != maxKey {
		out = checkCumulative(out, lines, s.Header, idx, &rep)
	}
	rep.sort()
	return out, rep
}

// checkCumulative rejects a year-to-date value below the same enterprise's
// value for an earlier period of the same year in the file. Fields that may
// be negative (profit) are exempt: a month's loss lowers the year's total.
// It returns out without the rejected rows.
func checkCumulative(out []report.Monthly, lines []int, header []string, idx []int, rep *Report) []report.Monthly {
	order := make([]int32, len(out))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		x, y := &out[a], &out[b]
		if c := cmp.Compare(x.EnterpriseID, y.EnterpriseID); c != 0 {
			return c
		}
		return cmp.Compare(x.Period.Key(), y.Period.Key())
	})
	var bad []bool
	for k := 1; k < len(order); k++ {
		prev, cur := &out[order[k-1]], &out[order[k]]
		if prev.EnterpriseID != cur.EnterpriseID || prev.Period.Year != cur.Period.Year {
			continue
		}
		for _, f := range report.Fields {
			if f.Kind != report.Cumulative || f.Negative || cur.Values[f.Field] >= prev.Values[f.Field] {
				continue
			}
			c := idx[f.Field]
			line := lines[order[k]]
			rep.errorf(line, header[c], KeyCumulativeDecreasing, unit.FormatScaled(cur.Values[f.Field], f.FileScale),
				prev.Period.String(), unit.FormatScaled(prev.Values[f.Field], f.FileScale), lines[order[k-1]])
			if bad == nil {
				bad = make([]bool, len(out))
			}
			bad[order[k]] = true
		}
	}
	if bad == nil {
		return out
	}
	// A new slice: the rows in out may have been sent (ReportOptions.Rows)
	// and must not change under their reader.
	kept := make([]report.Monthly, 0, len(out))
	for i, m := range out {
		if !bad[i] {
			kept = append(kept, m)
		}
	}
	return kept
}

// ReportTemplate returns the header and example rows of a monthly report
// file in lang ("zh-CN" or "en"): values in each field's file unit, 1–2月
// reported as period 02. The examples pass Reports.
func ReportTemplate(lang string) (header []string, example [][]string) {
	header = append(header, reportCols.specs[rCode].header(lang), reportCols.specs[rPeriod].header(lang))
	for _, f := range report.Fields {
		header = append(header, reportCols.specs[f.Field].header(lang))
	}
	// Output, value added, revenue, profit, R&D, investment, tax, energy
	// (tce), employees — cumulative 1–2月 and 1–3月 of one enterprise.
	example = [][]string{
		{exampleCodes[0], "2024-02", "5230.5", "1310.2", "5102.75", "-12.5", "160.3", "820", "210.45", "1234.567", "318"},
		{exampleCodes[0], "2024-03", "8120.3", "2045.6", "7985.1", "96.8", "251.2", "1300", "330.1", "1902.5", "320"},
	}
	return header, example
}
