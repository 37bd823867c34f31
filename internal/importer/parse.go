package importer

import (
	"errors"
	"math"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/creditcode"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/unit"
)

// scaleDigits returns n when scale is 10^n, else −1.
func scaleDigits(scale int64) int {
	n := 0
	for scale > 1 && scale%10 == 0 {
		scale /= 10
		n++
	}
	if scale != 1 {
		return -1
	}
	return n
}

// parseScaled is unit.ParseScaled with an allocation-free fast path for the
// plain form [+-]digits[.digits] and a power-of-ten scale, the form nearly
// every cell has. Anything else (commas, spaces, overflow, junk) goes to
// unit.ParseScaled, so results and errors are identical by construction;
// FuzzParseScaled checks that. unit.ParseScaled itself builds a big.Rat per
// call, which alone would cap an import far below 1M values/s.
func parseScaled(s string, scale int64, digits int) (int64, error) {
	if digits < 0 || s == "" {
		return unit.ParseScaled(s, scale)
	}
	i, neg := 0, false
	switch s[0] {
	case '-':
		neg, i = true, 1
	case '+':
		i = 1
	}
	const limit = math.MaxInt64
	var v uint64
	nd := 0
	mul := func(d uint64) bool { // v = v*10 + d without passing MaxInt64
		if v > (limit-d)/10 {
			return false
		}
		v = v*10 + d
		return true
	}
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if !mul(uint64(s[i] - '0')) {
			return unit.ParseScaled(s, scale)
		}
		nd++
	}
	k, excess := 0, false
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			nd++
			if k < digits {
				if !mul(uint64(s[i] - '0')) {
					return unit.ParseScaled(s, scale)
				}
				k++
			} else if s[i] != '0' {
				excess = true
			}
		}
	}
	if i != len(s) || nd == 0 {
		return unit.ParseScaled(s, scale)
	}
	if excess {
		return 0, unit.ErrPrecision
	}
	for ; k < digits; k++ {
		if !mul(0) {
			return unit.ParseScaled(s, scale)
		}
	}
	if neg {
		return -int64(v), nil
	}
	return int64(v), nil
}

// numberError maps a unit parse error to its message key.
func numberError(err error) string {
	switch {
	case errors.Is(err, unit.ErrPrecision):
		return KeyTooManyDecimals
	case errors.Is(err, unit.ErrRange):
		return KeyNumberRange
	}
	return KeyBadNumber
}

// parseCode reads a credit code as typed, or in full-width characters.
func parseCode(v string) (creditcode.Result, error) {
	res, err := creditcode.Parse(v)
	if err != nil {
		res, err = creditcode.Parse(foldWidth(v))
	}
	return res, err
}

// creditCodeError maps a creditcode.Parse error of cell v to its message
// key. A code Excel has turned into a number gets its own explanation:
// the check digits cannot say what went wrong.
func creditCodeError(v string, err error) string {
	switch {
	case excelNumber(foldWidth(v)):
		return KeyCreditCodeNumber
	case errors.Is(err, creditcode.ErrLength):
		return KeyCreditCodeLength
	case errors.Is(err, creditcode.ErrCharset):
		return KeyCreditCodeCharset
	}
	return KeyCreditCodeChecksum
}

// Excel serial day numbers: day 1 is 1900-01-01 and day 60 the fictitious
// 1900-02-29, so from day 61 on (all we accept) the epoch is 1899-12-30.
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// serialDay reads an Excel serial date ("44986", or "44986.5" with a time)
// as a day count. Only five-digit serials (1927-05-18 to 2173-10-14) are
// taken, so a bare year such as "2015" is rejected rather than read as a
// day of 1905.
func serialDay(s string) (int, bool) {
	intPart, frac, _ := strings.Cut(s, ".")
	if len(intPart) != 5 || intPart[0] == '0' || !allDigits(intPart) || frac != "" && !allDigits(frac) {
		return 0, false
	}
	return atoi(intPart), true
}

// parseDate accepts 2015-06-18, 2015/6/18, 2015.6.18, 2015年6月18日,
// 20150618, an Excel serial day and any of these followed by a time.
func parseDate(s string) (time.Time, bool) {
	if n, ok := serialDay(s); ok {
		return excelEpoch.AddDate(0, 0, n), true
	}
	if d, _, ok := strings.Cut(s, " "); ok {
		s = d
	} else if d, _, ok := strings.Cut(s, "T"); ok {
		s = d
	}
	var y, m, d int
	switch {
	case len(s) == 8 && allDigits(s):
		y, m, d = atoi(s[:4]), atoi(s[4:6]), atoi(s[6:])
	default:
		var parts [3]string
		n := 0
		rest := strings.TrimSuffix(s, "日")
		for n < 3 {
			i := strings.IndexAny(rest, "-/.年月")
			if i < 0 {
				parts[n], n = rest, n+1
				break
			}
			if n == 2 {
				return time.Time{}, false
			}
			parts[n], n = rest[:i], n+1
			_, w := firstRune(rest[i:])
			rest = rest[i+w:]
		}
		if n != 3 || len(parts[0]) != 4 {
			return time.Time{}, false
		}
		for _, p := range parts {
			if p == "" || len(p) > 4 || !allDigits(p) {
				return time.Time{}, false
			}
		}
		if len(parts[1]) > 2 || len(parts[2]) > 2 {
			return time.Time{}, false
		}
		y, m, d = atoi(parts[0]), atoi(parts[1]), atoi(parts[2])
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	// time.Date normalises 2月30日 into March; a real date survives intact.
	if y < 1900 || t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}

// parsePeriod is report.ParsePeriod that also takes the Excel serial day a
// spreadsheet stores when "2024-03" is typed into a General cell (Excel turns
// it into 2024-03-01). Serials have 5 digits, YYYYMM has 6: no ambiguity.
func parsePeriod(s string) (report.Period, error) {
	if n, ok := serialDay(s); ok {
		t := excelEpoch.AddDate(0, 0, n)
		p := report.Period{Year: t.Year(), Month: int(t.Month())}
		return p, p.Validate()
	}
	return report.ParsePeriod(s)
}

// parseBool reads the yes/no spellings of Chinese and English sheets.
func parseBool(s string) (v, ok bool) {
	switch strings.ToLower(s) {
	case "是", "y", "yes", "true", "1", "√", "规上":
		return true, true
	case "否", "n", "no", "false", "0", "×", "规下":
		return false, true
	}
	return false, false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi converts a short all-digit string; callers have checked it.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// foldWidth maps full-width ASCII forms (Chinese input methods in
// full-width mode type "２０２４－０３" and "１２３．５") and the ideographic
// space to ASCII. It returns s itself when there is nothing to fold, so it
// costs no allocation on ordinary cells.
func foldWidth(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		case r == 0x3000:
			return ' '
		}
		return r
	}, s)
}

// MaxValue bounds every imported quantity in its stored unit (fen, kgce,
// persons, US cents): 10^14 fen is ¥1 trillion, more than any one firm
// reports, so a typo or a hostile row cannot reach the int64 limit, and
// 92 000 values at the bound still sum without overflow. Beyond it a row
// gets a clear error; without it a value at the int64 limit was stored
// and overflowed the totals.
const MaxValue int64 = 100_000_000_000_000

// commaProblem checks the commas of a number cell. A thousands separator
// ("1,234,567.5") is fine; any other comma is a decimal comma from a
// European locale ("1234,56"), which would otherwise be read 100 times too
// large because ParseScaled drops commas. arg is the cell for the message.
func commaProblem(v string) (key, arg string, bad bool) {
	if !strings.Contains(v, ",") {
		return "", "", false
	}
	if thousandsGrouped(v) {
		return "", "", false
	}
	return KeyDecimalComma, v, true
}

// thousandsGrouped reports whether v is [+-]d{1,3}(,ddd)+[.digits].
func thousandsGrouped(v string) bool {
	v = strings.TrimLeft(v, "+-")
	intPart, frac, hasFrac := strings.Cut(v, ".")
	if hasFrac && (frac == "" || !allDigits(frac)) {
		return false
	}
	groups := strings.Split(intPart, ",")
	if len(groups) < 2 || len(groups[0]) == 0 || len(groups[0]) > 3 || !allDigits(groups[0]) {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 || !allDigits(g) {
			return false
		}
	}
	return true
}

// excelNumber reports whether a cell that should hold a credit code is
// what Excel leaves of one typed into a General cell: a number keeps 15
// significant digits, so "91500101534496123X" never survives and
// "915001015344961234" becomes 915001015344961000 — shown, and saved to
// CSV, as "9.15001E+17". Both forms are recognised: 16 to 20 digits whose
// digits after the 15th are all zeros, or scientific notation.
func excelNumber(v string) bool {
	if mant, exp, ok := strings.Cut(strings.ToUpper(v), "E"); ok {
		exp = strings.TrimPrefix(exp, "+")
		intPart, frac, _ := strings.Cut(mant, ".")
		return len(intPart) == 1 && allDigits(intPart) && allDigits(frac) && len(exp) > 0 && len(exp) <= 2 && allDigits(exp)
	}
	v, _, _ = strings.Cut(v, ".") // "915001015344961000.0"
	if len(v) < 16 || len(v) > 20 || !allDigits(v) || v[0] == '0' {
		return false
	}
	return strings.Trim(v[15:], "0") == ""
}
