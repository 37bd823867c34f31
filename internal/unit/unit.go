// Package unit holds the exact quantity types the platform stores: money in
// fen, land in hundredths of a mu, energy in kilograms of coal equivalent.
// Floats appear only in derived ratios that are displayed, never stored.
package unit

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// Fen is an amount of money in fen (0.01 yuan).
type Fen int64

// Common scale factors, in fen.
const (
	Yuan     Fen = 100
	Wan      Fen = 10_000 * Yuan      // ¥10k (万元), the unit of statistical forms
	Yi       Fen = 100_000_000 * Yuan // ¥100 m (亿元), the unit of the cockpit
	Trillion Fen = 10_000 * Yi        // 万亿元
)

// Yuan10k returns the amount in ¥10k as a float for display.
func (f Fen) Yuan10k() float64 { return float64(f) / float64(Wan) }

// Yi100m returns the amount in 亿元 as a float for display.
func (f Fen) Yi100m() float64 { return float64(f) / float64(Yi) }

// ErrDecimal is returned for text that is not a plain decimal number.
var ErrDecimal = errors.New("not a decimal number")

// ErrPrecision is returned when a value has more decimals than the unit allows.
var ErrPrecision = errors.New("too many decimal places")

// ErrRange is returned when a value does not fit the stored integer.
var ErrRange = errors.New("value out of range")

// ParseScaled parses a plain decimal string ("1234.56", "-3", "1,234.5") and
// returns it multiplied by scale, exactly. It rejects exponents, NaN and any
// value that would lose digits, so an import never rounds silently.
func ParseScaled(s string, scale int64) (int64, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, ",", ""))
	if s == "" {
		return 0, ErrDecimal
	}
	neg := false
	switch s[0] {
	case '-':
		neg = true
		s = s[1:]
	case '+':
		s = s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return 0, ErrDecimal
	}
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, ErrDecimal
			}
		}
	}
	r, ok := new(big.Rat).SetString(firstNonEmpty(intPart, "0") + "." + firstNonEmpty(frac, "0"))
	if !ok {
		return 0, ErrDecimal
	}
	r.Mul(r, new(big.Rat).SetInt64(scale))
	if !r.IsInt() {
		return 0, ErrPrecision
	}
	n := r.Num()
	if !n.IsInt64() {
		return 0, ErrRange
	}
	v := n.Int64()
	if neg {
		v = -v
	}
	return v, nil
}

func firstNonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// FormatScaled renders v/scale as an exact decimal string with the minimum
// number of decimals, the inverse of ParseScaled (used by exports and
// templates so that a round trip changes nothing).
func FormatScaled(v, scale int64) string {
	neg := v < 0
	if neg {
		v = -v
	}
	q, r := v/scale, v%scale
	out := fmt.Sprintf("%d", q)
	if r != 0 {
		digits := len(fmt.Sprintf("%d", scale)) - 1
		frac := strings.TrimRight(fmt.Sprintf("%0*d", digits, r), "0")
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// Mu100 is a land area in hundredths of a mu (亩).
type Mu100 int64

// Mu returns the area in mu for display.
func (m Mu100) Mu() float64 { return float64(m) / 100 }

// KgCE is energy use in kilograms of standard coal equivalent (千克标准煤).
type KgCE int64

// TCE returns tonnes of coal equivalent for display.
func (k KgCE) TCE() float64 { return float64(k) / 1000 }

// Ratio returns num/den as a float, or ok=false when den is zero.
func Ratio(num, den int64) (float64, bool) {
	if den == 0 {
		return 0, false
	}
	return float64(num) / float64(den), true
}
