package auth

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// AccountPolicy is one version of the account controls: password rules,
// lockout, session lifetimes and who must use a second factor. Policies
// are data (account_policy.json) with effective dates.
type AccountPolicy struct {
	Version       string `json:"version"`
	EffectiveFrom string `json:"effective_from"` // YYYY-MM-DD
	Source        string `json:"source"`
	Password      struct {
		MinLength  int `json:"min_length"`
		MinClasses int `json:"min_classes"`  // of lower, upper, digit, other
		History    int `json:"history"`      // the last N passwords may not be reused
		MaxAgeDays int `json:"max_age_days"` // 0: passwords do not expire
	} `json:"password"`
	Lockout struct {
		MaxFailures int `json:"max_failures"` // consecutive failures that lock the account
		Minutes     int `json:"minutes"`
	} `json:"lockout"`
	Session struct {
		IdleMinutes   int `json:"idle_minutes"`
		AbsoluteHours int `json:"absolute_hours"`
		MaxConcurrent int `json:"max_concurrent"` // 0: no limit
	} `json:"session"`
	SecondFactorRoles []Role `json:"second_factor_roles"`
}

//go:embed account_policy.json
var accountPolicyJSON []byte

// AccountPolicies are the versions of the account controls, oldest first.
type AccountPolicies []AccountPolicy

// BuiltinAccountPolicies returns the embedded versions.
func BuiltinAccountPolicies() (AccountPolicies, error) {
	return ParseAccountPolicies(accountPolicyJSON)
}

// ParseAccountPolicies reads and checks account policy versions.
func ParseAccountPolicies(data []byte) (AccountPolicies, error) {
	var raw struct {
		Policies AccountPolicies `json:"policies"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("auth: account policy: %w", err)
	}
	if len(raw.Policies) == 0 {
		return nil, errors.New("auth: account policy: no version")
	}
	for _, p := range raw.Policies {
		if _, err := time.Parse(time.DateOnly, p.EffectiveFrom); err != nil {
			return nil, fmt.Errorf("auth: account policy %s: effective_from: %w", p.Version, err)
		}
		switch {
		case p.Password.MinLength < 8:
			return nil, fmt.Errorf("auth: account policy %s: min_length below 8", p.Version)
		case p.Password.MinClasses < 1 || p.Password.MinClasses > 4:
			return nil, fmt.Errorf("auth: account policy %s: min_classes must be 1–4", p.Version)
		case p.Lockout.MaxFailures < 1 || p.Lockout.Minutes < 1:
			return nil, fmt.Errorf("auth: account policy %s: lockout needs max_failures and minutes", p.Version)
		case p.Session.IdleMinutes < 1 || p.Session.AbsoluteHours < 1:
			return nil, fmt.Errorf("auth: account policy %s: sessions need idle_minutes and absolute_hours", p.Version)
		}
		for _, r := range p.SecondFactorRoles {
			if !r.Valid() {
				return nil, fmt.Errorf("auth: account policy %s: unknown role %q", p.Version, r)
			}
		}
	}
	slices.SortFunc(raw.Policies, func(a, b AccountPolicy) int { return strings.Compare(a.EffectiveFrom, b.EffectiveFrom) })
	return raw.Policies, nil
}

// At returns the version in force at t (the earliest one before any
// version took effect, so there is always a policy).
func (ps AccountPolicies) At(t time.Time) AccountPolicy {
	day := t.Format(time.DateOnly)
	out := ps[0]
	for _, p := range ps {
		if p.EffectiveFrom <= day {
			out = p
		}
	}
	return out
}

// IdleTimeout, AbsoluteLifetime and LockoutDuration are the policy's
// durations.
func (p AccountPolicy) IdleTimeout() time.Duration {
	return time.Duration(p.Session.IdleMinutes) * time.Minute
}

// AbsoluteLifetime is how long a session may last however active.
func (p AccountPolicy) AbsoluteLifetime() time.Duration {
	return time.Duration(p.Session.AbsoluteHours) * time.Hour
}

// LockoutDuration is how long a locked account stays locked.
func (p AccountPolicy) LockoutDuration() time.Duration {
	return time.Duration(p.Lockout.Minutes) * time.Minute
}

// NeedsSecondFactor reports whether accounts of role r must use TOTP.
func (p AccountPolicy) NeedsSecondFactor(r Role) bool { return slices.Contains(p.SecondFactorRoles, r) }

// PasswordExpired reports whether a password set at changed has expired
// at now. A zero changed (set before the policy existed) counts as
// expired when passwords expire, so such accounts change it once.
func (p AccountPolicy) PasswordExpired(changed, now time.Time) bool {
	if p.Password.MaxAgeDays <= 0 {
		return false
	}
	return changed.IsZero() || now.Sub(changed) > time.Duration(p.Password.MaxAgeDays)*24*time.Hour
}

// PasswordError says why a password is refused; Key is a catalogue key
// and Args its arguments.
type PasswordError struct {
	Key  string
	Args []any
}

func (e *PasswordError) Error() string { return fmt.Sprintf("%s %v", e.Key, e.Args) }

// CheckPassword applies the length and character-class rules, and refuses
// a password containing the username.
func (p AccountPolicy) CheckPassword(username, pw string) error {
	if n := len([]rune(pw)); n < p.Password.MinLength {
		return &PasswordError{Key: "err.password_short", Args: []any{p.Password.MinLength}}
	}
	var lower, upper, digit, other bool
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	classes := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			classes++
		}
	}
	if classes < p.Password.MinClasses {
		return &PasswordError{Key: "err.password_classes", Args: []any{p.Password.MinClasses}}
	}
	if username != "" && strings.Contains(strings.ToLower(pw), strings.ToLower(username)) {
		return &PasswordError{Key: "err.password_username"}
	}
	return nil
}
