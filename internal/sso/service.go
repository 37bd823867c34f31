package sso

import (
	"context"
	"errors"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
)

// Store is what single sign-on needs from storage.
type Store interface {
	// IdentityUser returns the account linked to (issuer, subject);
	// apperr.NotFound when none is.
	IdentityUser(ctx context.Context, issuer, subject string) (auth.User, error)
	// CreateLinkedUser creates an account and links the identity to it in
	// one transaction.
	CreateLinkedUser(ctx context.Context, u auth.User, issuer, subject string) (auth.User, error)
	// EnterpriseIDByCreditCode is the firm registered under a credit
	// code, 0 when none is.
	EnterpriseIDByCreditCode(ctx context.Context, code string) (int64, error)
}

// Service resolves provider identities to accounts.
type Service struct {
	cfg   Config
	store Store
}

// NewService returns the service for cfg over st.
func NewService(cfg Config, st Store) *Service { return &Service{cfg: cfg, store: st} }

// Config returns the configuration.
func (s *Service) Config() Config { return s.cfg }

// Resolve returns the account of a verified identity: the linked one, or
// under Create a new one (created reports that), or ErrRefused.
func (s *Service) Resolve(ctx context.Context, p Provider, pr Profile) (u auth.User, created bool, err error) {
	u, err = s.store.IdentityUser(ctx, pr.Issuer, pr.Subject)
	if err == nil {
		return u, false, nil
	}
	if !apperr.Is(err, apperr.NotFound) {
		return u, false, err
	}
	if p.OnFirstSignIn != Create {
		return auth.User{}, false, ErrRefused
	}
	var firm int64
	if pr.Legal && pr.CreditCode != "" {
		if firm, err = s.store.EnterpriseIDByCreditCode(ctx, pr.CreditCode); err != nil {
			return auth.User{}, false, err
		}
	}
	u, err = s.store.CreateLinkedUser(ctx, NewAccount(pr, firm), pr.Issuer, pr.Subject)
	if apperr.Is(err, apperr.Conflict) {
		// A concurrent first sign-in of the same identity won the race.
		u, err = s.store.IdentityUser(ctx, pr.Issuer, pr.Subject)
		return u, false, err
	}
	if err != nil {
		return auth.User{}, false, errors.Join(errors.New("sso: create account"), err)
	}
	return u, true, nil
}
