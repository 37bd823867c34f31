package importer

import (
	"errors"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/unit"
)

var testScales = []int64{1, 100, 1000, int64(unit.Wan), 7}

func TestParseScaledMatchesUnit(t *testing.T) {
	inputs := []string{
		"0", "-0", "+0", "1234.56", "1234.5600", "1234.567", "-12.5", "+3", ".5", "5.", "-.5",
		"", "-", "+", ".", "-.", "1e5", "1,234.5", " 12 ", "1.2.3", "abc", "١٢",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"9223372036854.775807", "9223372036854.775808", "0000000000000000000000001.5",
		"1.0000001", "1.00000010000", "99999999999999999999",
	}
	for _, s := range inputs {
		for _, sc := range testScales {
			checkParse(t, s, sc)
		}
	}
}

func checkParse(t *testing.T, s string, scale int64) {
	t.Helper()
	want, wantErr := unit.ParseScaled(s, scale)
	got, err := parseScaled(s, scale, scaleDigits(scale))
	if got != want || !sameErr(err, wantErr) {
		t.Errorf("parseScaled(%q, %d) = %d, %v; unit.ParseScaled = %d, %v", s, scale, got, err, want, wantErr)
	}
}

func sameErr(a, b error) bool {
	for _, e := range []error{unit.ErrDecimal, unit.ErrPrecision, unit.ErrRange} {
		if errors.Is(a, e) != errors.Is(b, e) {
			return false
		}
	}
	return (a == nil) == (b == nil)
}

// FuzzParseScaled proves the fast path equals unit.ParseScaled.
func FuzzParseScaled(f *testing.F) {
	for _, s := range []string{"1234.56", "-0.000001", "9223372036854775807", "1,2", "+.5", "1.23456789"} {
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, s string, k uint8) {
		checkParse(t, s, testScales[int(k)%len(testScales)])
	})
}

func TestParseScaledAllocs(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		_, _ = parseScaled("12345.678901", int64(unit.Wan), 6)
	})
	if n != 0 {
		t.Errorf("%v allocations per value", n)
	}
}

func TestParseDate(t *testing.T) {
	d := func(y, m, dd int) time.Time { return time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC) }
	for in, want := range map[string]time.Time{
		"2015-06-18": d(2015, 6, 18), "2015/6/8": d(2015, 6, 8), "2015.06.18": d(2015, 6, 18),
		"2015年6月18日": d(2015, 6, 18), "2015年06月18": d(2015, 6, 18), "20150618": d(2015, 6, 18),
		"42173": d(2015, 6, 18), "42173.75": d(2015, 6, 18), "2015-06-18T08:00:00": d(2015, 6, 18),
		"2024-02-29": d(2024, 2, 29),
	} {
		if got, ok := parseDate(in); !ok || !got.Equal(want) {
			t.Errorf("parseDate(%q) = %v, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "2015", "2015-06", "2015-6-18-1", "15-06-18", "2023-02-29", "2015-13-01", "20151301", "1899-12-31", "06/18/2015", "2015-06-x", "04217"} {
		if got, ok := parseDate(in); ok {
			t.Errorf("parseDate(%q) = %v, want rejection", in, got)
		}
	}
}

func TestParsePeriodSerial(t *testing.T) {
	if p, err := parsePeriod("45352"); err != nil || p != (report.Period{Year: 2024, Month: 3}) {
		t.Errorf("serial: %v %v", p, err)
	}
	if _, err := parsePeriod("45292"); !errors.Is(err, report.ErrJanuary) {
		t.Errorf("January serial: %v", err)
	}
	if p, err := parsePeriod("202403"); err != nil || p.Month != 3 {
		t.Errorf("YYYYMM: %v %v", p, err)
	}
}

func TestExcelNumber(t *testing.T) {
	for v, want := range map[string]bool{
		"915001015344961000":   true,
		"9150010153449610000":  true, // 19 digits: a code with a digit too many, then mangled
		"915001015344961000.0": true,
		"9.15001E+17":          true,
		"9.15001015344961E+17": true,
		"9.15001e17":           true,
		"915001015344961234":   false, // all digits kept: a typo, not Excel
		"91500101534496100X":   false,
		"9150010153449610":     true,
		"915001015344961":      false, // 15 digits: too short to be a mangled code
		"E+17":                 false,
		"12.5E+3":              false,
	} {
		if got := excelNumber(v); got != want {
			t.Errorf("excelNumber(%q) = %v, want %v", v, got, want)
		}
	}
}
