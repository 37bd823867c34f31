package auth

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
)

// Permission names one thing a user may do ("listing.record"). Routes and
// services ask for permissions; which roles hold them is data (roles.json),
// so a new role or a changed grant is an edit of that file, not of code.
type Permission string

// The two permissions every route table uses besides the features' own.
const (
	// Public routes need no sign-in.
	Public Permission = "public"
	// SignedIn is held by every signed-in user, whatever the role.
	SignedIn Permission = "signed_in"
)

//go:embed roles.json
var rolesJSON []byte

// Policy maps roles to the permissions they grant. It is read-only after
// it is built and safe for concurrent use.
type Policy struct {
	Version     string
	permissions map[Permission]string // permission → what it allows
	grants      map[Role]map[Permission]bool
}

// BuiltinPolicy returns the policy of the embedded roles.json.
func BuiltinPolicy() (*Policy, error) { return ParsePolicy(rolesJSON) }

// ParsePolicy reads a policy. Every granted permission must be declared,
// and every declared role must be one the platform knows.
func ParsePolicy(data []byte) (*Policy, error) {
	var raw struct {
		Version     string                  `json:"version"`
		Permissions map[Permission]string   `json:"permissions"`
		Roles       map[Role][]Permission   `json:"roles"`
		Duties      map[string][]Permission `json:"duties"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("auth: roles: %w", err)
	}
	p := &Policy{Version: raw.Version, permissions: raw.Permissions, grants: map[Role]map[Permission]bool{}}
	for role, perms := range raw.Roles {
		if !role.Valid() {
			return nil, fmt.Errorf("auth: roles: unknown role %q", role)
		}
		set := map[Permission]bool{SignedIn: true}
		for _, perm := range perms {
			if _, ok := raw.Permissions[perm]; !ok {
				return nil, fmt.Errorf("auth: roles: %s grants undeclared permission %q", role, perm)
			}
			set[perm] = true
		}
		p.grants[role] = set
	}
	if err := checkDuties(raw.Duties, p.grants); err != nil {
		return nil, err
	}
	return p, nil
}

// checkDuties enforces the separation of duties (三权分立): a role holds
// the permissions of at most one duty, and each duty's permissions are
// held by one role only, so the system, security and audit
// administrators' powers stay disjoint whatever roles.json grants.
func checkDuties(duties map[string][]Permission, grants map[Role]map[Permission]bool) error {
	dutyOf := map[Permission]string{}
	for d, perms := range duties {
		for _, perm := range perms {
			if other, ok := dutyOf[perm]; ok {
				return fmt.Errorf("auth: roles: %q is in duties %s and %s", perm, other, d)
			}
			dutyOf[perm] = d
		}
	}
	holder := map[string]Role{}
	roles := make([]Role, 0, len(grants))
	for r := range grants {
		roles = append(roles, r)
	}
	slices.Sort(roles)
	for _, r := range roles {
		var mine string
		for _, perm := range slices.Sorted(maps.Keys(grants[r])) {
			d, ok := dutyOf[perm]
			if !ok {
				continue
			}
			if mine != "" && mine != d {
				return fmt.Errorf("auth: roles: %s holds permissions of two duties (%s, %s)", r, mine, d)
			}
			mine = d
			if h, ok := holder[d]; ok && h != r {
				return fmt.Errorf("auth: roles: duty %s is held by %s and %s", d, h, r)
			}
			holder[d] = r
		}
		if mine != "" && !r.Administrator() {
			return fmt.Errorf("auth: roles: %s is not an administrator role but holds the %s duty", r, mine)
		}
	}
	return nil
}

// Allows reports whether u holds perm. Public is allowed to anyone; a
// disabled account holds nothing else.
func (p *Policy) Allows(u User, perm Permission) bool {
	if perm == Public {
		return true
	}
	if u.Disabled {
		return false
	}
	return p.grants[u.Role][perm]
}

// Declared reports whether perm is a permission of the policy (or one of
// Public and SignedIn), so a route table can be checked for typos.
func (p *Policy) Declared(perm Permission) bool {
	if perm == Public || perm == SignedIn {
		return true
	}
	_, ok := p.permissions[perm]
	return ok
}

// Permissions lists the declared permissions, sorted.
func (p *Policy) Permissions() []Permission {
	out := make([]Permission, 0, len(p.permissions))
	for perm := range p.permissions {
		out = append(out, perm)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Granted lists the permissions of a role, sorted (SignedIn included).
func (p *Policy) Granted(r Role) []Permission {
	var out []Permission
	for perm := range p.grants[r] {
		out = append(out, perm)
	}
	slices.Sort(out)
	return out
}
