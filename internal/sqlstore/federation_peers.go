package sqlstore

import (
	"context"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/federation"
)

// Peers added at run time (migration 0030, federation.PeerStore).

// FedPeers lists the peers added at run time, by id.
func (s *Store) FedPeers(ctx context.Context) ([]federation.Peer, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, name_zh, name_en, url, public_key FROM fed_peer ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []federation.Peer
	for rows.Next() {
		var p federation.Peer
		if err := rows.Scan(&p.ID, &p.NameZH, &p.NameEN, &p.URL, &p.PublicKey); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// AddFedPeer stores a peer; a peer with its id already stored is a
// Conflict (remove it first: a changed key is a deliberate act).
func (s *Store) AddFedPeer(ctx context.Context, p federation.Peer, at time.Time) error {
	res, err := s.write.ExecContext(ctx, `INSERT INTO fed_peer (id, name_zh, name_en, url, public_key, added_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO NOTHING`, p.ID, p.NameZH, p.NameEN, p.URL, p.PublicKey, at.Unix())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.Conflict, "federation.err.peer_exists", p.ID)
	}
	return nil
}

// RemoveFedPeer deletes a peer added at run time; NotFound when none.
func (s *Store) RemoveFedPeer(ctx context.Context, id string) error {
	res, err := s.write.ExecContext(ctx, `DELETE FROM fed_peer WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "federation.err.no_peer", id)
	}
	return nil
}
