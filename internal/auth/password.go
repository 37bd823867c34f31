package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/sync/semaphore"
)

// Params are argon2id parameters. Hashes carry their parameters (PHC
// string), so raising them later only affects new hashes and re-hashes on
// sign-in.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	KeyLen  uint32
	SaltLen int
}

// TestParams are cheap parameters for tests only.
var TestParams = Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

// HashPolicy is the password-hashing policy in force from a date: the cost
// of a new hash and how many such hashes may run at once.
type HashPolicy struct {
	Effective  time.Time
	Source     string
	Params     Params
	Concurrent int
}

//go:embed hashing.json
var hashingJSON []byte

// BuiltinHashPolicy returns the policy of the embedded hashing.json in
// force on day.
func BuiltinHashPolicy(day time.Time) (HashPolicy, error) {
	var doc struct {
		Policies []struct {
			Effective  string `json:"effective"`
			Source     string `json:"source"`
			MemoryKiB  uint32 `json:"memory_kib"`
			Time       uint32 `json:"time"`
			Threads    uint8  `json:"threads"`
			KeyLen     uint32 `json:"key_len"`
			SaltLen    int    `json:"salt_len"`
			Concurrent int    `json:"concurrent"`
		} `json:"policies"`
	}
	if err := json.Unmarshal(hashingJSON, &doc); err != nil {
		return HashPolicy{}, fmt.Errorf("auth: hashing.json: %w", err)
	}
	var out HashPolicy
	found := false
	for _, p := range doc.Policies {
		eff, err := time.Parse(time.DateOnly, p.Effective)
		if err != nil {
			return HashPolicy{}, fmt.Errorf("auth: hashing.json: %w", err)
		}
		if p.MemoryKiB < 8*uint32(p.Threads) || p.Time < 1 || p.Threads < 1 || p.KeyLen < 16 || p.SaltLen < 16 || p.Concurrent < 1 {
			return HashPolicy{}, fmt.Errorf("auth: hashing.json: policy of %s below the minimum cost", p.Effective)
		}
		if !eff.After(day) && (!found || eff.After(out.Effective)) {
			out = HashPolicy{Effective: eff, Source: p.Source, Concurrent: p.Concurrent,
				Params: Params{Memory: p.MemoryKiB, Time: p.Time, Threads: p.Threads, KeyLen: p.KeyLen, SaltLen: p.SaltLen}}
			found = true
		}
	}
	if !found {
		return HashPolicy{}, fmt.Errorf("auth: hashing.json: no policy in force on %s", day.Format(time.DateOnly))
	}
	return out, nil
}

// NewPolicyHasher returns the Hasher of a policy.
func NewPolicyHasher(p HashPolicy) *Hasher { return NewHasher(p.Params, p.Concurrent) }

// Hasher hashes and verifies passwords within a memory budget: each hash
// takes its Memory (KiB) from a budget of concurrent × Params.Memory until
// it ends, so a burst of sign-ins waits instead of exhausting RAM, and a
// stored hash with a larger cost than the policy's takes more of it.
type Hasher struct {
	params Params
	budget int64 // KiB
	sem    *semaphore.Weighted
}

// NewHasher returns a Hasher allowing at most concurrent hashes of p at
// once.
func NewHasher(p Params, concurrent int) *Hasher {
	budget := int64(max(concurrent, 1)) * int64(max(p.Memory, 1))
	return &Hasher{params: p, budget: budget, sem: semaphore.NewWeighted(budget)}
}

// ErrMismatch is returned when a password does not match.
var ErrMismatch = errors.New("password does not match")

// acquire takes memory KiB from the budget (all of it when memory exceeds
// the budget: such a hash runs alone) and returns the release.
func (h *Hasher) acquire(ctx context.Context, memory uint32) (func(), error) {
	n := min(max(int64(memory), 1), h.budget)
	if err := h.sem.Acquire(ctx, n); err != nil {
		return nil, err
	}
	return func() {
		// The hash's memory (64 MiB by policy) is garbage now; collecting it
		// before the next hash is admitted lets that hash reuse the same
		// pages, so a burst of sign-ins holds one policy-sized block instead
		// of piling up blocks the collector has not reached yet.
		runtime.GC()
		h.sem.Release(n)
	}, nil
}

// DummyHash is a hash with the Hasher's parameters that no password
// matches (its key is all zeros), built without hashing: verifying against
// it costs what verifying a real account's hash costs, so a sign-in with
// an unknown username takes as long as one with a wrong password.
func (h *Hasher) DummyHash() string {
	p := h.params
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(make([]byte, max(p.SaltLen, 16))), b64.EncodeToString(make([]byte, max(p.KeyLen, 16))))
}

// Hash returns a PHC-format argon2id hash of password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	release, err := h.acquire(ctx, h.params.Memory)
	if err != nil {
		return "", err
	}
	defer release()
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	p := h.params
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify checks password against a PHC hash in constant time.
func (h *Hasher) Verify(ctx context.Context, hash, password string) error {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return errors.New("auth: unsupported hash format")
	}
	var version int
	var p Params
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return errors.New("auth: unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return fmt.Errorf("auth: bad parameters: %w", err)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return fmt.Errorf("auth: bad salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return fmt.Errorf("auth: bad key: %w", err)
	}
	if p.Memory < 8*uint32(p.Threads) || p.Time < 1 || p.Threads < 1 || p.Memory > 4<<20 || p.Time > 100 {
		return fmt.Errorf("auth: parameters out of range: m=%d,t=%d,p=%d", p.Memory, p.Time, p.Threads)
	}
	release, err := h.acquire(ctx, p.Memory)
	if err != nil {
		return err
	}
	defer release()
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

// NewPassword returns a random password of n characters from an alphabet
// without look-alike characters, for generated demo accounts.
func NewPassword(n int) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[int(randByte())%len(alphabet)]
	}
	return string(b)
}

func randByte() byte {
	// Rejection sampling keeps the distribution uniform over the alphabet.
	var b [1]byte
	for {
		_, _ = rand.Read(b[:])
		if b[0] < 56*4 {
			return b[0] % 56
		}
	}
}
