package rules

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/unit"
)

// Unit is the base unit of a metric value. Values are integers in the base
// unit, so comparisons against thresholds are exact.
type Unit uint8

// Units. The JSON names are what the API reports next to raw values.
const (
	UnitFen        Unit = iota + 1 // money, fen (0.01 yuan)
	UnitUSDCent                    // money, US cents
	UnitBP                         // ratio, basis points (0.01 %)
	UnitCentiyear                  // duration, 0.01 year
	UnitCount                      // a plain count
	UnitRank                       // a rank, 1 = best; "none" when not placed
	UnitCentipoint                 // score, 0.01 point
	UnitBool                       // 1 = yes, 0 = no
	UnitLevel                      // an ordinal with labels (metric-specific)
)

// String returns the unit's JSON name.
func (u Unit) String() string {
	switch u {
	case UnitFen:
		return "fen"
	case UnitUSDCent:
		return "usd_cent"
	case UnitBP:
		return "bp"
	case UnitCentiyear:
		return "centiyear"
	case UnitCount:
		return "count"
	case UnitRank:
		return "rank"
	case UnitCentipoint:
		return "centipoint"
	case UnitBool:
		return "bool"
	case UnitLevel:
		return "level"
	}
	return "unknown"
}

// MarshalText implements encoding.TextMarshaler.
func (u Unit) MarshalText() ([]byte, error) { return []byte(u.String()), nil }

// rankNone is the rank of "not placed": worse than any real rank, so a
// "rank ≤ N" condition is simply not met.
const rankNone = math.MaxInt32

// num is a metric value: the floor of the exact value in the unit's base and
// whether the exact value lies strictly above that floor. With integer
// thresholds this keeps every comparison exact (x ≥ t ⇔ floor ≥ t; x > t ⇔
// floor > t or a fraction remains) without rationals in the hot path.
type num struct {
	v    int64
	frac bool
}

// cmpNum returns -1, 0 or +1 comparing the exact value with integer t.
func cmpNum(x num, t int64) int {
	switch {
	case x.v < t:
		return -1
	case x.v > t:
		return 1
	case x.frac:
		return 1
	}
	return 0
}

// divFloor returns floor(a*m/b) with the fraction flag, exactly, for any
// int64 a, m and b ≠ 0 whose quotient fits int64 (it saturates otherwise).
func divFloor(a, m, b int64) num {
	neg := (a < 0) != (m < 0)
	if b < 0 {
		neg = !neg
	}
	if a == 0 || m == 0 {
		return num{}
	}
	hi, lo := bits.Mul64(abs64(a), abs64(m))
	d := abs64(b)
	if hi >= d {
		if neg {
			return num{v: math.MinInt64}
		}
		return num{v: math.MaxInt64}
	}
	q, r := bits.Div64(hi, lo, d)
	if q > math.MaxInt64 {
		q = math.MaxInt64
	}
	if !neg {
		return num{v: int64(q), frac: r != 0}
	}
	if r == 0 {
		return num{v: -int64(q)}
	}
	return num{v: -int64(q) - 1, frac: true}
}

// mulDivCeil returns ceil(a*m/b) for non-negative a, m and positive b, and
// false when the result does not fit int64.
func mulDivCeil(a, m, b int64) (int64, bool) {
	if a < 0 || m < 0 || b <= 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(uint64(a), uint64(m))
	if hi >= uint64(b) {
		return 0, false
	}
	q, r := bits.Div64(hi, lo, uint64(b))
	if r != 0 {
		q++
	}
	if q > math.MaxInt64 {
		return 0, false
	}
	return int64(q), true
}

func abs64(x int64) uint64 {
	if x < 0 {
		return uint64(-x)
	}
	return uint64(x)
}

// exactFloor turns a float estimate of a value into its exact floor: when the
// estimate lies close to an integer, the rare exact check decides (it may
// allocate; it runs only near boundaries). exact must return the sign of
// (true value − k) for a candidate integer k.
func exactFloor(est float64, sign func(k int64) int) num {
	if math.IsNaN(est) || math.IsInf(est, 0) {
		return num{v: math.MaxInt64}
	}
	f := math.Floor(est)
	if d := est - f; d > 1e-6 && d < 1-1e-6 {
		return num{v: int64(f), frac: true}
	}
	k := int64(math.Round(est))
	switch sign(k) {
	case 0:
		return num{v: k}
	case 1:
		return num{v: k, frac: true}
	}
	return num{v: k - 1, frac: true}
}

// ratSign returns the sign of a/b − k for big rationals built from int64s.
func ratSign(a, b *big.Int, k int64) int {
	// a/b − k with b > 0 has the sign of a − k·b.
	kb := new(big.Int).Mul(big.NewInt(k), b)
	return a.Cmp(kb)
}

// scaleOf returns how many base units one threshold unit is, as JSON data
// writes thresholds: yuan for fen, dollars for US cents, percent for basis
// points, years for centiyears, points for centipoints.
func scaleOf(u Unit) int64 {
	switch u {
	case UnitFen, UnitUSDCent, UnitBP, UnitCentiyear, UnitCentipoint:
		return 100
	}
	return 1
}

// parseAmount parses a threshold written in the data: a plain decimal with an
// optional 万 (10⁴) or 亿 (10⁸) suffix for money, scaled exactly to u's base.
func parseAmount(s string, u Unit) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	if u == UnitFen || u == UnitUSDCent {
		switch {
		case strings.HasSuffix(s, "亿"):
			mult, s = 100_000_000, strings.TrimSuffix(s, "亿")
		case strings.HasSuffix(s, "万"):
			mult, s = 10_000, strings.TrimSuffix(s, "万")
		}
	}
	return unit.ParseScaled(s, scaleOf(u)*mult)
}

// Text is a user-facing string in both languages.
type Text struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// Lang returns the text in lang ("en" or anything else for Chinese).
func (t Text) Lang(lang string) string {
	if strings.HasPrefix(lang, "en") {
		return t.EN
	}
	return t.ZH
}

// Date is a calendar day; JSON "2006-01-02". The zero value means unset.
type Date struct{ t time.Time }

// NewDate returns the day of t (its calendar date in t's location).
func NewDate(t time.Time) Date {
	if t.IsZero() {
		return Date{}
	}
	y, m, d := t.Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// D is a short constructor for tests and data: D(2026, 4, 1).
func D(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// ParseDate parses "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, err
	}
	return Date{t}, nil
}

// Time returns the day at 00:00 UTC.
func (d Date) Time() time.Time { return d.t }

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Before reports whether d is strictly before e.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }

// Year returns the calendar year.
func (d Date) Year() int { return d.t.Year() }

// AddDays returns d shifted by n days.
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// AddYears returns d shifted by n calendar years (29 Feb → 1 Mar).
func (d Date) AddYears(n int) Date { return Date{d.t.AddDate(n, 0, 0)} }

// DaysUntil returns the number of days from d to e (negative if e is earlier).
func (d Date) DaysUntil(e Date) int { return int(e.t.Sub(d.t).Hours() / 24) }

func (d Date) String() string {
	if d.t.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; "" is the zero date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	x, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = x
	return nil
}

// formatDecimal renders v/scale with at most dec decimals, trailing zeros
// trimmed, rounding as mode says (-1 floor, 0 half up, +1 ceil, on |v|).
func formatDecimal(v, scale int64, dec int, mode int) string {
	neg := v < 0
	u := abs64(v)
	p := uint64(1)
	for i := 0; i < dec; i++ {
		p *= 10
	}
	// u/scale rounded to 1/p.
	hi, lo := bits.Mul64(u, p)
	var q, r uint64
	if hi >= uint64(scale) {
		q, r = u/uint64(scale)*p, 0
	} else {
		q, r = bits.Div64(hi, lo, uint64(scale))
	}
	switch {
	case mode > 0 && r != 0:
		q++
	case mode == 0 && 2*r >= uint64(scale):
		q++
	}
	ip, fp := q/p, q%p
	s := strconv.FormatUint(ip, 10)
	if len(s) > 3 {
		s = groupThousands(s)
	}
	if dec > 0 && fp != 0 {
		f := strconv.FormatUint(fp+p, 10)[1:]
		s += "." + strings.TrimRight(f, "0")
	}
	if neg && (ip != 0 || fp != 0) {
		s = "-" + s
	}
	return s
}

func groupThousands(s string) string {
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// formatMoney renders fen (or US cents when usd) in 万/亿 for Chinese and
// k/M/bn for English. mode as in formatDecimal: requirements round up so a
// displayed target is never below the real one.
func formatMoney(v int64, usd bool, lang string, mode int) string {
	a := abs64(v)
	sign := ""
	if v < 0 {
		sign = "-"
	}
	if lang == "en" {
		pre := "¥"
		if usd {
			pre = "US$"
		}
		switch {
		case a >= 100_000_000_000: // 1 bn units × 100
			return sign + pre + formatDecimal(int64(a), 100_000_000_000, 2, mode) + " bn"
		case a >= 100_000_000:
			return sign + pre + formatDecimal(int64(a), 100_000_000, 2, mode) + " M"
		case a >= 100_000:
			return sign + pre + formatDecimal(int64(a), 100_000, 2, mode) + "k"
		}
		return sign + pre + formatDecimal(int64(a), 100, 2, mode)
	}
	if usd {
		switch {
		case a >= 10_000_000_000:
			return sign + formatDecimal(int64(a), 10_000_000_000, 2, mode) + "亿美元"
		case a >= 1_000_000:
			return sign + formatDecimal(int64(a), 1_000_000, 2, mode) + "万美元"
		}
		return sign + formatDecimal(int64(a), 100, 2, mode) + "美元"
	}
	switch {
	case a >= 10_000_000_000:
		return sign + "¥" + formatDecimal(int64(a), 10_000_000_000, 2, mode) + "亿"
	case a >= 1_000_000:
		return sign + "¥" + formatDecimal(int64(a), 1_000_000, 2, mode) + "万"
	}
	return sign + "¥" + formatDecimal(int64(a), 100, 2, mode)
}
