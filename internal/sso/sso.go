// Package sso is single sign-on through OpenID Connect providers
// (统一身份认证): the providers' configuration, how their claims map to a
// platform account, and the rules for linking an (issuer, subject) pair
// to an account or creating one. The protocol itself (discovery, the
// authorization-code flow with PKCE and nonce, token verification) is in
// ssoweb, which has the HTTP client.
package sso

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/industrybrain/ibrain/internal/auth"
)

// Config is the single sign-on configuration (a JSON file, see README).
type Config struct {
	// BaseURL is the platform's external URL; redirect URIs are
	// BaseURL + "/sso/{id}/callback".
	BaseURL   string     `json:"base_url"`
	Providers []Provider `json:"providers"`
}

// First-sign-in policies.
const (
	Create = "create" // create an account with the default (or mapped) role and no data scope
	Refuse = "refuse" // only accounts an administrator linked may sign in
)

// Provider is one OIDC provider.
type Provider struct {
	ID           string   `json:"id"` // [a-z0-9-], in URLs
	LabelZH      string   `json:"label_zh"`
	LabelEN      string   `json:"label_en"`
	Issuer       string   `json:"issuer"`
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret"`
	Scopes       []string `json:"scopes"` // besides openid
	// OnFirstSignIn is Create or Refuse.
	OnFirstSignIn string    `json:"on_first_sign_in"`
	DefaultRole   auth.Role `json:"default_role"`
	// RoleClaim names a claim whose value RoleMap maps to a role for a
	// new account; administrator roles cannot be mapped.
	RoleClaim string               `json:"role_claim"`
	RoleMap   map[string]auth.Role `json:"role_map"`
	Claims    ClaimNames           `json:"claims"`
}

// ClaimNames say which claims carry what; empty names are not read.
type ClaimNames struct {
	Name        string   `json:"name"`         // display name, default "name"
	EntityType  string   `json:"entity_type"`  // person or legal entity
	LegalValues []string `json:"legal_values"` // values of EntityType meaning a legal entity (法人)
	CreditCode  string   `json:"credit_code"`  // 统一社会信用代码 of a legal entity
	District    string   `json:"district"`     // administrative division code
}

var idPattern = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)

// ParseConfig reads and checks a configuration.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("sso: config: %w", err)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if len(c.Providers) > 0 && c.BaseURL == "" {
		return c, errors.New("sso: config: base_url is required")
	}
	seen := map[string]bool{}
	for i := range c.Providers {
		p := &c.Providers[i]
		switch {
		case !idPattern.MatchString(p.ID) || seen[p.ID]:
			return c, fmt.Errorf("sso: provider id %q is not [a-z0-9-]{1,32} or is used twice", p.ID)
		case p.Issuer == "" || p.ClientID == "":
			return c, fmt.Errorf("sso: provider %s needs issuer and client_id", p.ID)
		case p.OnFirstSignIn != Create && p.OnFirstSignIn != Refuse:
			return c, fmt.Errorf("sso: provider %s: on_first_sign_in must be %q or %q", p.ID, Create, Refuse)
		}
		seen[p.ID] = true
		roles := []auth.Role{p.DefaultRole}
		for _, r := range p.RoleMap {
			roles = append(roles, r)
		}
		for _, r := range roles {
			if p.OnFirstSignIn == Create && (!r.Valid() || r.Administrator()) {
				return c, fmt.Errorf("sso: provider %s: role %q is unknown or an administrator role (administrators are local accounts)", p.ID, r)
			}
		}
		if p.Claims.Name == "" {
			p.Claims.Name = "name"
		}
	}
	return c, nil
}

// Provider returns the provider with id.
func (c Config) Provider(id string) (Provider, bool) {
	for _, p := range c.Providers {
		if p.ID == id {
			return p, true
		}
	}
	return Provider{}, false
}

// RedirectURL is the provider's callback URL.
func (c Config) RedirectURL(id string) string { return c.BaseURL + "/sso/" + id + "/callback" }

// Profile is what a provider says about a user, mapped.
type Profile struct {
	Provider   string
	Issuer     string
	Subject    string
	Name       string
	Legal      bool   // a legal entity (法人), not a natural person
	CreditCode string // of the legal entity
	District   string
	Role       auth.Role // for a new account
}

// Map reads a provider's claims (ID token and userinfo, merged).
func (p Provider) Map(issuer, subject string, claims map[string]any) Profile {
	str := func(name string) string {
		if name == "" {
			return ""
		}
		switch v := claims[name].(type) {
		case string:
			return strings.TrimSpace(v)
		case float64:
			return fmt.Sprint(v)
		}
		return ""
	}
	out := Profile{Provider: p.ID, Issuer: issuer, Subject: subject, Name: str(p.Claims.Name), CreditCode: strings.ToUpper(str(p.Claims.CreditCode)), District: str(p.Claims.District), Role: p.DefaultRole}
	if et := str(p.Claims.EntityType); et != "" {
		for _, v := range p.Claims.LegalValues {
			if strings.EqualFold(v, et) {
				out.Legal = true
			}
		}
	}
	if r, ok := p.RoleMap[str(p.RoleClaim)]; ok {
		out.Role = r
	}
	if out.Legal {
		out.Role = auth.RoleEnterprise
	}
	return out
}

// ErrRefused is returned when a provider's unknown user may not get an
// account.
var ErrRefused = errors.New("sso: no account is linked to this identity and the provider does not create accounts")

// NewAccount is the account created at a first sign-in: the mapped role
// with the data scope the claims prove (a legal entity's registered firm,
// a district officer's district) or none, for an administrator to assign
// later. enterpriseID is the firm registered under the profile's credit
// code, 0 when none is.
func NewAccount(pr Profile, enterpriseID int64) auth.User {
	u := auth.User{Username: Username(pr), DisplayName: pr.Name, Role: pr.Role, PasswordHash: NoPassword, ScopePending: true}
	if u.DisplayName == "" {
		u.DisplayName = u.Username
	}
	switch u.Role {
	case auth.RoleEnterprise:
		u.EnterpriseID = enterpriseID
	case auth.RoleDistrict:
		u.RegionCode = pr.District
	}
	return u
}

// NoPassword is the password hash of accounts that sign in only through a
// provider: it is not a hash format, so no password matches it.
const NoPassword = "!sso"

// Username derives a stable, valid username from the identity.
func Username(pr Profile) string {
	sum := sha256.Sum256([]byte(pr.Issuer + "\x00" + pr.Subject))
	return "sso-" + pr.Provider[:min(len(pr.Provider), 12)] + "-" + hex.EncodeToString(sum[:])[:12]
}
