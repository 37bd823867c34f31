package auth

import (
	"strings"
	"unicode/utf8"
)

// Masking of personal data (个人信息去标识化显示) for users without the
// PersonalRead permission: lists and exports show enough to tell records
// apart, not enough to identify or contact a person. The registry's
// enterprise contacts (legal representative, contact person and phone)
// are shown through it in lists, pages, the API and exports.

// PersonalRead is the permission to see personal data unmasked.
const PersonalRead Permission = "personal.read"

// Masker masks for one user: a no-op when the user holds PersonalRead.
type Masker struct{ on bool }

// MaskerFor returns the masker of u under p.
func MaskerFor(p *Policy, u User) Masker { return Masker{on: !p.Allows(u, PersonalRead)} }

// MaskerWith returns the masker of a user whose permissions can answers
// (a request's web.Ctx.Can).
func MaskerWith(can func(Permission) bool) Masker { return Masker{on: !can(PersonalRead)} }

// Phone keeps the first 3 and last 4 digits of a mobile number
// ("138****5678") and the last 4 of anything else.
func (m Masker) Phone(s string) string {
	if !m.on || s == "" {
		return s
	}
	n := utf8.RuneCountInString(s)
	if n >= 11 {
		r := []rune(s)
		return string(r[:3]) + strings.Repeat("*", n-7) + string(r[n-4:])
	}
	return keepTail(s, 4)
}

// IDNumber keeps the first and last character of a resident ID or
// passport number ("1****************X").
func (m Masker) IDNumber(s string) string {
	if !m.on || s == "" {
		return s
	}
	r := []rune(s)
	if len(r) <= 2 {
		return strings.Repeat("*", len(r))
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// Name keeps a Chinese name's surname ("张*", "欧阳**") or a Latin
// name's first letter.
func (m Masker) Name(s string) string {
	if !m.on || s == "" {
		return s
	}
	r := []rune(s)
	if len(r) == 1 {
		return "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-1)
}

func keepTail(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-n) + string(r[len(r)-n:])
}
