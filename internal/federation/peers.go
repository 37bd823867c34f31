package federation

import (
	"context"
	"fmt"

	"github.com/industrybrain/ibrain/internal/apperr"
)

// PeerStore holds the peers added at run time ('ibrain peer add' writes
// them to the database): a running server reads them whenever it needs
// its peers, each pull round and each signed request, so an added peer
// takes effect without a restart. The configuration file's peers stay
// and win over an added one of the same id.
type PeerStore interface {
	FedPeers(ctx context.Context) ([]Peer, error)
}

// current is the configuration with the peers added at run time. A
// stored peer that does not check (it was checked when added) is an
// error rather than silently absent.
func (s *Service) current(ctx context.Context) (Config, error) {
	if s.peers == nil {
		return s.cfg, nil
	}
	added, err := s.peers.FedPeers(ctx)
	if err != nil {
		return s.cfg, err
	}
	for i := range added {
		if added[i], err = CheckPeer(added[i]); err != nil {
			return s.cfg, fmt.Errorf("federation: a peer added at run time: %w", err)
		}
	}
	return s.cfg.WithPeers(added), nil
}

// Peers lists the peers in use: the configuration's, then those added at
// run time.
func (s *Service) Peers(ctx context.Context) ([]Peer, error) {
	if err := s.enabled(); err != nil {
		return nil, err
	}
	c, err := s.current(ctx)
	return c.Peers, err
}

// peer is one peer in use (configured or added at run time); an unknown
// id is NotFound.
func (s *Service) peer(ctx context.Context, id string) (Peer, error) {
	cfg, err := s.current(ctx)
	if err != nil {
		return Peer{}, err
	}
	p, ok := cfg.Peer(id)
	if !ok {
		return Peer{}, apperr.New(apperr.NotFound, "federation.err.no_peer", id)
	}
	return p, nil
}
