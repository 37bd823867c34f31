// Package federation joins ibrain instances (川渝: Chongqing and Sichuan)
// into one instrument-sharing platform while each keeps its own data:
// every instrument has one home instance, the only writer of its record,
// calendar and bookings; the home publishes its catalogue as an
// incremental, signed feed that peers pull into a read-only mirror; a
// booking of a peer's instrument is made synchronously at its home (hold,
// then confirm, with an idempotency key), on behalf of a user both
// instances know by (issuer, subject) at the shared identity provider.
// This package holds the protocol's rules and the use cases; storage is
// behind Store and the peers' HTTP behind Transport (federationweb).
package federation

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Config is the federation configuration (a JSON file, see README).
type Config struct {
	// Instance is this instance's id ([a-z]{2,8}, e.g. cq, sc): the
	// prefix of its instruments' global ids and its name to peers.
	Instance string `json:"instance"`
	NameZH   string `json:"name_zh"`
	NameEN   string `json:"name_en"`
	// KeyFile holds the instance's Ed25519 private key: the 32-byte seed,
	// base64, on one line (`ibrain peer keygen` writes one).
	KeyFile string `json:"key_file"`
	// Key is the seed itself (base64), for tests; KeyFile wins.
	Key string `json:"key,omitempty"`
	// TrustedIssuers are the OIDC issuers whose (issuer, subject) a peer
	// may book for; the shared provider's issuer.
	TrustedIssuers []string `json:"trusted_issuers"`
	Peers          []Peer   `json:"peers"`
	// PullSeconds is the pull interval (default 60); every CheckEvery-th
	// pull (default 10) also compares checksums and repairs drift.
	PullSeconds int `json:"pull_seconds"`
	CheckEvery  int `json:"check_every"`
	// HoldMinutes is how long a hold waits for its confirmation (15).
	HoldMinutes int `json:"hold_minutes"`
	// SkewSeconds is the accepted clock difference of signed requests (120).
	SkewSeconds int `json:"skew_seconds"`
}

// Peer is another instance.
type Peer struct {
	ID        string `json:"id"`
	NameZH    string `json:"name_zh"`
	NameEN    string `json:"name_en"`
	URL       string `json:"url"`        // base URL, e.g. https://sc.example.org
	PublicKey string `json:"public_key"` // Ed25519, base64 (32 bytes)

	key ed25519.PublicKey
}

// Key is the peer's public key.
func (p Peer) Key() ed25519.PublicKey { return p.key }

var instancePattern = regexp.MustCompile(`^[a-z]{2,8}$`)

// Enabled reports whether the configuration names an instance.
func (c Config) Enabled() bool { return c.Instance != "" }

// ParseConfig reads and checks a configuration; readFile reads the key
// file (os.ReadFile in the binary).
func ParseConfig(data []byte, readFile func(string) ([]byte, error)) (Config, ed25519.PrivateKey, error) {
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		return c, nil, fmt.Errorf("federation: config: %w", err)
	}
	if !instancePattern.MatchString(c.Instance) {
		return c, nil, fmt.Errorf("federation: instance %q is not [a-z]{2,8}", c.Instance)
	}
	seed := c.Key
	if c.KeyFile != "" {
		b, err := readFile(c.KeyFile)
		if err != nil {
			return c, nil, fmt.Errorf("federation: key file: %w", err)
		}
		seed = string(b)
	}
	priv, err := ParsePrivateKey(seed)
	if err != nil {
		return c, nil, err
	}
	seen := map[string]bool{c.Instance: true}
	for i := range c.Peers {
		if seen[c.Peers[i].ID] {
			return c, nil, fmt.Errorf("federation: peer id %q is used twice", c.Peers[i].ID)
		}
		if c.Peers[i], err = CheckPeer(c.Peers[i]); err != nil {
			return c, nil, err
		}
		seen[c.Peers[i].ID] = true
	}
	if c.PullSeconds <= 0 {
		c.PullSeconds = 60
	}
	if c.CheckEvery <= 0 {
		c.CheckEvery = 10
	}
	if c.HoldMinutes <= 0 {
		c.HoldMinutes = 15
	}
	if c.SkewSeconds <= 0 {
		c.SkewSeconds = 120
	}
	return c, priv, nil
}

// CheckPeer checks a peer's id, URL and public key, and returns it with
// the URL trimmed and the key parsed.
func CheckPeer(p Peer) (Peer, error) {
	if !instancePattern.MatchString(p.ID) {
		return p, fmt.Errorf("federation: peer id %q is not [a-z]{2,8}", p.ID)
	}
	if !strings.HasPrefix(p.URL, "http://") && !strings.HasPrefix(p.URL, "https://") {
		return p, fmt.Errorf("federation: peer %s: url %q is not http(s)", p.ID, p.URL)
	}
	p.URL = strings.TrimRight(p.URL, "/")
	var err error
	if p.key, err = ParsePublicKey(p.PublicKey); err != nil {
		return p, fmt.Errorf("federation: peer %s: %w", p.ID, err)
	}
	return p, nil
}

// WithPeers returns the configuration with the peers added at run time
// appended (each checked by CheckPeer); the configuration file's peers
// and the instance's own id win over an added peer of the same id.
func (c Config) WithPeers(added []Peer) Config {
	if len(added) == 0 {
		return c
	}
	peers := slices.Clone(c.Peers)
	for _, p := range added {
		if p.ID == c.Instance || slices.ContainsFunc(peers, func(q Peer) bool { return q.ID == p.ID }) {
			continue
		}
		peers = append(peers, p)
	}
	c.Peers = peers
	return c
}

// Peer returns the configured peer with id.
func (c Config) Peer(id string) (Peer, bool) {
	for _, p := range c.Peers {
		if p.ID == id {
			return p, true
		}
	}
	return Peer{}, false
}

// ParsePrivateKey reads a base64 Ed25519 seed.
func ParsePrivateKey(s string) (ed25519.PrivateKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.SeedSize {
		return nil, errors.New("federation: the private key is not a base64 Ed25519 seed of 32 bytes")
	}
	return ed25519.NewKeyFromSeed(b), nil
}

// ParsePublicKey reads a base64 Ed25519 public key.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("the public key is not a base64 Ed25519 key of 32 bytes")
	}
	return ed25519.PublicKey(b), nil
}

// EncodeKey is the base64 form of a key or seed.
func EncodeKey(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// Signed requests. A peer signs every request it makes: the method, the
// path with its query, its own id, the time, a fresh nonce and the
// body's SHA-256. The receiver checks the signature with the peer's
// configured key, the time against its clock (SkewSeconds) and that the
// nonce is new, so a captured request cannot be replayed. The answer is
// signed by the responder over its id, the request's nonce and the
// body's SHA-256, so a captured answer cannot be served to another
// request and a changed body is refused.

// Header names of the signed requests and answers.
const (
	HeaderPeer      = "Ibrain-Peer"
	HeaderDate      = "Ibrain-Date"
	HeaderNonce     = "Ibrain-Nonce"
	HeaderSignature = "Ibrain-Signature"
)

// RequestSigningString is what a request's signature covers.
func RequestSigningString(method, pathQuery, peer string, date int64, nonce string, body []byte) []byte {
	sum := sha256.Sum256(body)
	return fmt.Appendf(nil, "ibrain-fed-v1 request\n%s\n%s\n%s\n%d\n%s\n%s", method, pathQuery, peer, date, nonce, hex.EncodeToString(sum[:]))
}

// ResponseSigningString is what an answer's signature covers.
func ResponseSigningString(responder, nonce string, status int, body []byte) []byte {
	sum := sha256.Sum256(body)
	return fmt.Appendf(nil, "ibrain-fed-v1 response\n%s\n%s\n%d\n%s", responder, nonce, status, hex.EncodeToString(sum[:]))
}

// Sign signs msg and returns the signature in base64.
func Sign(key ed25519.PrivateKey, msg []byte) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(key, msg))
}

// Verify checks a base64 signature.
func Verify(key ed25519.PublicKey, msg []byte, sig string) bool {
	b, err := base64.StdEncoding.DecodeString(sig)
	return err == nil && len(key) == ed25519.PublicKeySize && ed25519.Verify(key, msg, b)
}

// Errors of the protocol (the web side maps them to statuses).
var (
	ErrUnsigned = errors.New("federation: the request is not signed by a known peer")
	ErrStale    = errors.New("federation: the request's time is outside the accepted window")
	ErrReplay   = errors.New("federation: the request's nonce was used before")
	ErrTampered = errors.New("federation: the answer's signature does not verify")
)

// CheckRequest verifies a peer's signed request: known peer, signature,
// time window. The caller checks the nonce's novelty in its store.
func (c Config) CheckRequest(method, pathQuery, peer, date, nonce, sig string, body []byte, now time.Time) (Peer, error) {
	p, ok := c.Peer(peer)
	if !ok || nonce == "" || len(nonce) > 64 {
		return Peer{}, ErrUnsigned
	}
	var d int64
	if _, err := fmt.Sscan(date, &d); err != nil {
		return Peer{}, ErrUnsigned
	}
	if !Verify(p.key, RequestSigningString(method, pathQuery, peer, d, nonce, body), sig) {
		return Peer{}, ErrUnsigned
	}
	if skew := now.Unix() - d; skew > int64(c.SkewSeconds) || skew < -int64(c.SkewSeconds) {
		return Peer{}, ErrStale
	}
	return p, nil
}
