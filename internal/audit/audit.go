// Package audit is the security audit trail (安全审计, 等保 L3): an
// append-only sequence of events, each sealed with a SHA-256 hash over the
// previous event's hash and its own canonical fields, so that editing or
// deleting a stored event breaks the chain at a place Verify can name.
//
// The chain is only as strong as its head: whoever can rewrite every
// record after an edit and the head itself can hide the edit. The head
// (last sequence number and hash) is therefore kept apart from the
// records, printed by `ibrain audit verify`, and written into every
// archive file, so an operator can compare it with a copy kept elsewhere.
package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Action names what happened. Actions are stable strings: the audit
// administrator's searches and exports use them.
type Action string

// The actions the platform records. Other modules may record their own
// ("review.decision" from the reporting workflow) as long as they are
// stable dotted names.
const (
	SignIn        Action = "auth.sign_in"
	SignInFailed  Action = "auth.sign_in_failed"
	SignOut       Action = "auth.sign_out"
	Locked        Action = "auth.locked"
	Denied        Action = "access.denied"
	AccountChange Action = "account.change"
	Import        Action = "data.import"
	Export        Action = "data.export"
	DataChange    Action = "data.change"
	ConfigChange  Action = "config.change"
	EvaluationRun Action = "evaluation.run"
	Review        Action = "review.decision"
	Archived      Action = "audit.archive"
)

// Outcomes.
const (
	OK      = "ok"
	Failed  = "failed"
	Refused = "denied"
)

// Event is one audit record.
type Event struct {
	Seq      int64     // 1, 2, 3…; gap-free, so a deleted record leaves a hole
	At       time.Time // millisecond precision
	ActorID  int64     // 0 when nobody is signed in (a failed sign-in)
	Actor    string    // the username, or the username tried
	Action   Action
	Target   string // what was acted on: a route, an account, a file
	Outcome  string // OK, Failed or Refused
	IP       string // the client address (see the web core's trusted proxy setting)
	Detail   string // free text, e.g. a status code or a changed field
	PrevHash string
	Hash     string

	// key, set by Service.Record when the trail has a key, makes Seal
	// write a keyed hash. It is never stored.
	key []byte
}

// KeyedPrefix marks a keyed hash: "hmac-sha256:" and the hex HMAC-SHA256
// of the canonical fields under the trail's key. Without the key nobody
// can compute it, so whoever can write the database but does not hold the
// key cannot re-seal an edited record. Records sealed before a key was
// configured keep their plain SHA-256 hash; the chain links both kinds.
const KeyedPrefix = "hmac-sha256:"

// MinKeyBytes is the shortest key accepted.
const MinKeyBytes = 32

// Genesis is the previous hash of the first event.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// canonical is the byte string an event's hash covers: every field but
// Hash, each prefixed with its length, so no two different events encode
// alike however their texts are chosen.
func (e Event) canonical() string {
	var b strings.Builder
	field := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
		b.WriteByte(';')
	}
	field(e.PrevHash)
	field(strconv.FormatInt(e.Seq, 10))
	field(strconv.FormatInt(e.At.UnixMilli(), 10))
	field(strconv.FormatInt(e.ActorID, 10))
	field(e.Actor)
	field(string(e.Action))
	field(e.Target)
	field(e.Outcome)
	field(e.IP)
	field(e.Detail)
	return b.String()
}

// ComputeHash returns the hash e should carry given its fields.
func (e Event) ComputeHash() string {
	sum := sha256.Sum256([]byte(e.canonical()))
	return hex.EncodeToString(sum[:])
}

// ComputeKeyedHash returns the keyed hash e should carry under key.
func (e Event) ComputeKeyedHash(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(e.canonical()))
	return KeyedPrefix + hex.EncodeToString(m.Sum(nil))
}

// Keyed reports whether e carries a keyed hash.
func (e Event) Keyed() bool { return strings.HasPrefix(e.Hash, KeyedPrefix) }

// Seal links e after the event (prevSeq, prevHash): it sets Seq, PrevHash
// and Hash (keyed when the trail that recorded e has a key). The store
// calls it inside the transaction that reads the head, so two writers
// cannot both link to the same predecessor.
func Seal(e Event, prevSeq int64, prevHash string) Event {
	if prevHash == "" {
		prevHash = Genesis
	}
	e.At = e.At.Truncate(time.Millisecond)
	e.Seq, e.PrevHash = prevSeq+1, prevHash
	if len(e.key) > 0 {
		e.Hash = e.ComputeKeyedHash(e.key)
	} else {
		e.Hash = e.ComputeHash()
	}
	e.key = nil
	return e
}

// Head is where the chain stands: the last record written and the last
// record archived away (the first stored record links to ArchivedHash).
type Head struct {
	LastSeq      int64
	LastHash     string
	ArchivedSeq  int64
	ArchivedHash string
}

// ProblemKind says what is wrong with a record.
type ProblemKind string

// Problem kinds.
const (
	Edited   ProblemKind = "edited"   // its fields no longer give its hash
	Deleted  ProblemKind = "deleted"  // its sequence number is missing
	Relinked ProblemKind = "relinked" // its link to the previous record was changed
	// KeyNeeded: the record carries a keyed hash and the check has no key.
	KeyNeeded ProblemKind = "needs the audit key to verify"
	// Unkeyed: with a key, a record after a keyed one carries a plain
	// hash, as if re-sealed by someone without the key.
	Unkeyed ProblemKind = "unkeyed after keyed records"
)

// Problem names one damaged record.
type Problem struct {
	Seq  int64
	Kind ProblemKind
}

func (p Problem) String() string { return fmt.Sprintf("record %d %s", p.Seq, p.Kind) }

// Verifier checks a chain record by record, in sequence order, without
// holding it in memory.
type Verifier struct {
	head       Head
	nextSeq    int64
	prevHash   string
	problems   []Problem
	checked    int64
	key        []byte
	firstKeyed int64
}

// NewVerifier starts a check of the records after head.ArchivedSeq.
func NewVerifier(head Head) *Verifier {
	prev := head.ArchivedHash
	if prev == "" {
		prev = Genesis
	}
	return &Verifier{head: head, nextSeq: head.ArchivedSeq + 1, prevHash: prev}
}

// NewKeyedVerifier is NewVerifier that checks keyed hashes with key.
func NewKeyedVerifier(head Head, key []byte) *Verifier {
	v := NewVerifier(head)
	v.key = key
	return v
}

// FirstKeyed is the first record seen with a keyed hash (0: none). Keep
// it with the head outside the platform: a chain re-sealed from before it
// without the key would otherwise pass as a chain never keyed.
func (v *Verifier) FirstKeyed() int64 { return v.firstKeyed }

// Add checks the next stored record.
func (v *Verifier) Add(e Event) {
	v.checked++
	gap := e.Seq > v.nextSeq
	for s := v.nextSeq; s < e.Seq; s++ {
		v.problems = append(v.problems, Problem{Seq: s, Kind: Deleted})
	}
	if !gap && e.PrevHash != v.prevHash {
		// The record does not link to its predecessor as stored: the
		// predecessor was edited and re-hashed. Name the predecessor
		// unless already named.
		if n := len(v.problems); n == 0 || v.problems[n-1].Seq != e.Seq-1 {
			v.problems = append(v.problems, Problem{Seq: e.Seq - 1, Kind: Relinked})
		}
	}
	switch {
	case e.Keyed() && v.key == nil:
		v.problems = append(v.problems, Problem{Seq: e.Seq, Kind: KeyNeeded})
	case e.Keyed():
		if !hmac.Equal([]byte(e.ComputeKeyedHash(v.key)), []byte(e.Hash)) {
			v.problems = append(v.problems, Problem{Seq: e.Seq, Kind: Edited})
		}
	case v.key != nil && v.firstKeyed > 0:
		v.problems = append(v.problems, Problem{Seq: e.Seq, Kind: Unkeyed})
	case e.ComputeHash() != e.Hash:
		v.problems = append(v.problems, Problem{Seq: e.Seq, Kind: Edited})
	}
	if e.Keyed() && v.firstKeyed == 0 {
		v.firstKeyed = e.Seq
	}
	v.prevHash = e.Hash
	v.nextSeq = e.Seq + 1
}

// Finish ends the check: records after the last stored one up to the
// head's last sequence number were deleted, and a last record whose hash
// differs from the head's was replaced.
func (v *Verifier) Finish() []Problem {
	for s := v.nextSeq; s <= v.head.LastSeq; s++ {
		v.problems = append(v.problems, Problem{Seq: s, Kind: Deleted})
	}
	if v.nextSeq-1 == v.head.LastSeq && v.head.LastSeq > v.head.ArchivedSeq && v.prevHash != v.head.LastHash {
		if n := len(v.problems); n == 0 || v.problems[n-1].Seq != v.head.LastSeq {
			v.problems = append(v.problems, Problem{Seq: v.head.LastSeq, Kind: Edited})
		}
	}
	return v.problems
}

// Checked is the number of records seen.
func (v *Verifier) Checked() int64 { return v.checked }
