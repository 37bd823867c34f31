// Package accounts is the security administrator's account controls on
// the web (等保 L3, 三权分立): the accounts with their lockouts, state and
// active sessions; unlocking, disabling and re-enabling an account and
// ending its sessions; the account policy in force. The same operations
// remain 'ibrain user …' commands. Every change is a POST the web core
// records in the audit trail as an account change.
package accounts

import (
	"context"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
)

// The permissions (internal/auth/roles.json, the security duty).
const (
	PermManage = auth.Permission("user.manage")     // accounts: lockouts, disable, enable, sessions
	PermPolicy = auth.Permission("security.policy") // the account policy
)

// Store is what the account controls need.
type Store interface {
	ListUsers(ctx context.Context) ([]auth.User, error)
	UserByID(ctx context.Context, id int64) (auth.User, error)
	// ActiveSessions counts each account's sessions not expired at now.
	ActiveSessions(ctx context.Context, now time.Time) (map[int64]int, error)
	UnlockUser(ctx context.Context, id int64) error
	DisableUser(ctx context.Context, id int64) error
	EnableUser(ctx context.Context, id int64) error
	// EndUserSessions ends every session of an account and says how many.
	EndUserSessions(ctx context.Context, id int64) (int, error)
}

// Account is one account as the security administrator sees it.
type Account struct {
	User     auth.User
	Locked   bool // locked out by failed sign-ins now
	Sessions int  // active sessions
}

// Action is a change to an account.
type Action string

// The actions.
const (
	Unlock      Action = "unlock"
	Disable     Action = "disable"
	Enable      Action = "enable"
	EndSessions Action = "end-sessions"
)

// Actions lists the actions in the order the page offers them.
var Actions = []Action{Unlock, Disable, Enable, EndSessions}

// Service is the account controls.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService returns the service; now nil is time.Now.
func NewService(st Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, now: now}
}

// List returns every account with its lockout and session count.
func (s *Service) List(ctx context.Context) ([]Account, error) {
	users, err := s.store.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	n, err := s.store.ActiveSessions(ctx, now)
	if err != nil {
		return nil, err
	}
	out := make([]Account, 0, len(users))
	for _, u := range users {
		out = append(out, Account{User: u, Locked: u.LockedUntil.After(now), Sessions: n[u.ID]})
	}
	return out, nil
}

// Act applies one action to account id on behalf of actor. An
// administrator cannot disable their own account (the platform would be
// left without the one who can re-enable it); an unknown action is
// Invalid and changes nothing.
func (s *Service) Act(ctx context.Context, actor auth.User, id int64, a Action) (Account, error) {
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return Account{}, err
	}
	switch a {
	case Unlock:
		err = s.store.UnlockUser(ctx, id)
	case Disable:
		if id == actor.ID {
			return Account{}, apperr.New(apperr.Invalid, "accounts.err.disable_self")
		}
		err = s.store.DisableUser(ctx, id)
	case Enable:
		err = s.store.EnableUser(ctx, id)
	case EndSessions:
		_, err = s.store.EndUserSessions(ctx, id)
	default:
		return Account{}, apperr.New(apperr.Invalid, "accounts.err.action", string(a))
	}
	if err != nil {
		return Account{}, err
	}
	if u, err = s.store.UserByID(ctx, id); err != nil {
		return Account{}, err
	}
	n, err := s.store.ActiveSessions(ctx, s.now())
	if err != nil {
		return Account{}, err
	}
	return Account{User: u, Locked: u.LockedUntil.After(s.now()), Sessions: n[id]}, nil
}
