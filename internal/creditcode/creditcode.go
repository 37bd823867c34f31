// Package creditcode validates the unified social credit code (统一社会信用代码)
// defined by GB 32100-2015.
package creditcode

import (
	"errors"
	"fmt"
	"strings"
)

// charset holds the 31 characters a credit code may use; a character's value
// is its index. I, O, Z, S and V are excluded by the standard.
const charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// weights for positions 1–17 are 3^(i-1) mod 31.
var weights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// orgWeights are GB 11714's weights for the organisation code, positions 9–16.
var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// Sentinel errors; callers match them with errors.Is to pick a message.
var (
	ErrLength   = errors.New("creditcode: must be 18 characters")
	ErrCharset  = errors.New("creditcode: character outside the GB 32100 charset")
	ErrChecksum = errors.New("creditcode: check character does not match")
)

// Code is a validated, upper-cased credit code.
type Code string

// Result is the outcome of Parse: the normalised code plus non-fatal warnings.
type Result struct {
	Code     Code
	Warnings []string
}

// Parse normalises s (trims spaces, upper-cases) and validates it. A failed
// GB 11714 inner check is reported as a warning only: many real codes issued
// before 2015 fail it and registries accept them.
func Parse(s string) (Result, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len([]rune(s)) != 18 || len(s) != 18 {
		return Result{}, ErrLength
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(charset, s[i])
		if v < 0 {
			return Result{}, fmt.Errorf("%w: %q at position %d", ErrCharset, s[i], i+1)
		}
		sum += v * weights[i]
	}
	if strings.IndexByte(charset, s[17]) < 0 {
		return Result{}, fmt.Errorf("%w: %q at position 18", ErrCharset, s[17])
	}
	want := charset[(31-sum%31)%31]
	if s[17] != want {
		return Result{}, ErrChecksum
	}
	res := Result{Code: Code(s)}
	if !orgCodeValid(s[8:17]) {
		res.Warnings = append(res.Warnings, "organisation code (positions 9–17) fails the GB 11714 check")
	}
	return res, nil
}

// CheckChar returns the check character for the first 17 characters of a
// code. It is used to generate valid synthetic codes.
func CheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, ErrLength
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(charset, first17[i])
		if v < 0 {
			return 0, ErrCharset
		}
		sum += v * weights[i]
	}
	return charset[(31-sum%31)%31], nil
}

// OrgCheckChar returns the GB 11714 check character for an 8-character
// organisation-code body.
func OrgCheckChar(body string) (byte, bool) {
	if len(body) != 8 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 8; i++ {
		v, ok := alnumValue(body[i])
		if !ok {
			return 0, false
		}
		sum += v * orgWeights[i]
	}
	switch r := 11 - sum%11; r {
	case 10:
		return 'X', true
	case 11:
		return '0', true
	default:
		return byte('0' + r), true
	}
}

func orgCodeValid(org string) bool {
	c, ok := OrgCheckChar(org[:8])
	return ok && c == org[8]
}

func alnumValue(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10, true
	}
	return 0, false
}

// RegionCode returns positions 3–8, the GB/T 2260 code of the registering
// authority.
func (c Code) RegionCode() string { return string(c)[2:8] }
