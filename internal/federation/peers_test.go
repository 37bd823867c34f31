package federation

import (
	"crypto/ed25519"
	"testing"
)

// TestWithPeers: peers added at run time join the configuration's, but
// never replace one of its peers nor take the instance's own id; a bad
// added peer is refused by CheckPeer.
func TestWithPeers(t *testing.T) {
	pub := EncodeKey(ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey))
	c := Config{Instance: "cq", Peers: []Peer{{ID: "sc", URL: "https://sc.example"}}}
	var added []Peer
	for _, p := range []Peer{{ID: "sc", URL: "https://other.example/", PublicKey: pub}, {ID: "cq", URL: "https://cq.example", PublicKey: pub}, {ID: "gz", URL: "https://gz.example/", PublicKey: pub}} {
		q, err := CheckPeer(p)
		if err != nil {
			t.Fatal(err)
		}
		added = append(added, q)
	}
	got := c.WithPeers(added)
	if len(got.Peers) != 2 || got.Peers[0].URL != "https://sc.example" || got.Peers[1].ID != "gz" || got.Peers[1].URL != "https://gz.example" || len(got.Peers[1].Key()) == 0 {
		t.Fatalf("peers %+v; want the file's sc and the added gz (URL trimmed, key parsed)", got.Peers)
	}
	if len(c.Peers) != 1 {
		t.Fatal("WithPeers changed the configuration it was called on")
	}
	for _, bad := range []Peer{{ID: "GZ", URL: "https://gz.example", PublicKey: pub}, {ID: "gz", URL: "gz.example", PublicKey: pub}, {ID: "gz", URL: "https://gz.example", PublicKey: "abc"}} {
		if _, err := CheckPeer(bad); err == nil {
			t.Errorf("CheckPeer(%+v) passed", bad)
		}
	}
}
