package federation

import (
	"crypto/ed25519"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
)

func keys(b byte) (ed25519.PublicKey, ed25519.PrivateKey) {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = b
	}
	k := ed25519.NewKeyFromSeed(seed)
	return k.Public().(ed25519.PublicKey), k
}

func config(t *testing.T) (Config, ed25519.PrivateKey) {
	t.Helper()
	scPub, scKey := keys(2)
	_, cqKey := keys(1)
	c, k, err := ParseConfig([]byte(`{"instance": "cq", "key": "`+EncodeKey(cqKey.Seed())+`", "peers": [{"id": "sc", "url": "https://sc.example/", "public_key": "`+EncodeKey(scPub)+`"}]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !k.Equal(cqKey) || c.Peers[0].URL != "https://sc.example" || c.PullSeconds != 60 || c.HoldMinutes != 15 {
		t.Fatalf("parsed %+v", c)
	}
	return c, scKey
}

func TestParseConfigRefusesBadInput(t *testing.T) {
	pub, key := keys(3)
	good := EncodeKey(key.Seed())
	for name, cfg := range map[string]string{
		"not json":        `{`,
		"instance":        `{"instance": "CQ1", "key": "` + good + `"}`,
		"no key":          `{"instance": "cq"}`,
		"short key":       `{"instance": "cq", "key": "AAAA"}`,
		"peer is self":    `{"instance": "cq", "key": "` + good + `", "peers": [{"id": "cq", "url": "http://x", "public_key": "` + EncodeKey(pub) + `"}]}`,
		"peer url":        `{"instance": "cq", "key": "` + good + `", "peers": [{"id": "sc", "url": "ftp://x", "public_key": "` + EncodeKey(pub) + `"}]}`,
		"peer public key": `{"instance": "cq", "key": "` + good + `", "peers": [{"id": "sc", "url": "http://x", "public_key": "nope"}]}`,
	} {
		if _, _, err := ParseConfig([]byte(cfg), nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	_, _, err := ParseConfig([]byte(`{"instance": "cq", "key_file": "/nonexistent"}`), func(string) ([]byte, error) { return nil, errors.New("no such file") })
	if err == nil || !strings.Contains(err.Error(), "key file") {
		t.Errorf("missing key file: %v", err)
	}
}

// TestCheckRequest: a request signed by the peer's key within the window
// passes; another key, another path, another body or an old date fails.
func TestCheckRequest(t *testing.T) {
	c, scKey := config(t)
	_, other := keys(9)
	now := time.Unix(1_800_000_000, 0)
	sign := func(k ed25519.PrivateKey, path string, date int64, body []byte) string {
		return Sign(k, RequestSigningString("POST", path, "sc", date, "n1", body))
	}
	body := []byte(`{"a":1}`)
	if _, err := c.CheckRequest("POST", "/api/v1/fed/holds", "sc", "1800000000", "n1", sign(scKey, "/api/v1/fed/holds", now.Unix(), body), body, now); err != nil {
		t.Fatalf("good request: %v", err)
	}
	cases := map[string]struct {
		peer, date, sig string
		body            []byte
		want            error
	}{
		"other key":  {"sc", "1800000000", sign(other, "/api/v1/fed/holds", now.Unix(), body), body, ErrUnsigned},
		"other path": {"sc", "1800000000", sign(scKey, "/api/v1/fed/orders", now.Unix(), body), body, ErrUnsigned},
		"other body": {"sc", "1800000000", sign(scKey, "/api/v1/fed/holds", now.Unix(), body), []byte(`{"a":2}`), ErrUnsigned},
		"unknown":    {"gz", "1800000000", sign(scKey, "/api/v1/fed/holds", now.Unix(), body), body, ErrUnsigned},
		"stale":      {"sc", "1799999000", sign(scKey, "/api/v1/fed/holds", 1_799_999_000, body), body, ErrStale},
		"bad date":   {"sc", "yesterday", sign(scKey, "/api/v1/fed/holds", now.Unix(), body), body, ErrUnsigned},
		"not base64": {"sc", "1800000000", "!!!", body, ErrUnsigned},
	}
	for name, tc := range cases {
		if _, err := c.CheckRequest("POST", "/api/v1/fed/holds", tc.peer, tc.date, "n1", tc.sig, tc.body, now); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}

// TestResponseSignatureBindsNonce: an answer verifies only for the
// request it answered (its nonce), with its status and body.
func TestResponseSignatureBindsNonce(t *testing.T) {
	pub, key := keys(4)
	sig := Sign(key, ResponseSigningString("cq", "nonce-a", 200, []byte("{}")))
	if !Verify(pub, ResponseSigningString("cq", "nonce-a", 200, []byte("{}")), sig) {
		t.Fatal("own answer does not verify")
	}
	for name, msg := range map[string][]byte{
		"replayed to another request": ResponseSigningString("cq", "nonce-b", 200, []byte("{}")),
		"other status":                ResponseSigningString("cq", "nonce-a", 409, []byte("{}")),
		"changed body":                ResponseSigningString("cq", "nonce-a", 200, []byte("{} ")),
		"other responder":             ResponseSigningString("sc", "nonce-a", 200, []byte("{}")),
	} {
		if Verify(pub, msg, sig) {
			t.Errorf("%s: verifies", name)
		}
	}
}

func detail(status instruments.Status) instruments.Detail {
	return instruments.Detail{Instrument: instruments.Instrument{ID: 7, UnitID: 3, LocalID: "EM-1", Name: "透射电镜", Status: status,
		OriginalValue: 100 * unit.Yuan, Modes: []instruments.Mode{instruments.SelfOperation}, Rules: instruments.DefaultRules()},
		Unit: instruments.Unit{ID: 3, Name: "重庆大学", Type: instruments.University}}
}

// TestRecordTombstones: only open and offline instruments are published
// with their fields; every other status is a tombstone with the ids only.
func TestRecordTombstones(t *testing.T) {
	for _, st := range instruments.Statuses {
		r := RecordOf("cq", detail(st), 0)
		live := st == instruments.Open || st == instruments.Offline
		if r.Deleted == live || r.GlobalID != "cq.3/EM-1" || (r.Name != "") != live {
			t.Errorf("%s: %+v", st, r)
		}
	}
}

// TestChecksumIgnoresOrder and detects a changed, missing or extra record.
func TestChecksum(t *testing.T) {
	a := map[int64]string{1: RecordOf("cq", detail(instruments.Open), 0).Hash(), 2: "b", 3: "c"}
	b := map[int64]string{3: "c", 2: "b", 1: a[1]}
	if Checksum(a) != Checksum(b) {
		t.Fatal("same catalogue, different checksums")
	}
	changed := RecordOf("cq", detail(instruments.Offline), 0).Hash()
	for name, m := range map[string]map[int64]string{
		"changed": {1: changed, 2: "b", 3: "c"},
		"missing": {2: "b", 3: "c"},
		"extra":   {1: a[1], 2: "b", 3: "c", 4: "d"},
	} {
		if Checksum(m) == Checksum(a) {
			t.Errorf("%s: same checksum", name)
		}
	}
}

// TestAvailability: free hours are the opening hours (08:00–22:00, 14 h)
// less the booked cells of each local day.
func TestAvailability(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, instruments.Zone)
	start := time.Date(2026, 12, 4, 10, 0, 0, 0, instruments.Zone)
	cells := instruments.Cells(start, start.Add(3*time.Hour))
	cells = append(cells, time.Date(2026, 12, 4, 6, 0, 0, 0, instruments.Zone).Unix()) // outside opening hours
	a := AvailabilityOf(instruments.DefaultRules(), cells, now)
	if a.From != "2026-12-03" || len(a.FreeHours) != AvailabilityDays || a.FreeHours[0] != 14 || a.FreeHours[1] != 11 || a.FreeHours[2] != 14 {
		t.Fatalf("availability %+v", a)
	}
}

// FreeStartsOf offers the grid's starts within the opening hours that
// have the asked length free of bookings and maintenance, after the lead
// time: here a 09:00–12:00 day with 10:00–11:00 booked.
func TestFreeStartsOf(t *testing.T) {
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, instruments.Zone)
	at := func(h, m int) int64 { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute).Unix() }
	rules := instruments.Rules{GranularityMinutes: 30, OpenFromMinute: 9 * 60, OpenToMinute: 12 * 60}
	var cells []int64
	for c := at(10, 0); c < at(11, 0); c += instruments.CellMinutes * 60 {
		cells = append(cells, c)
	}
	eq := func(name string, got, want []int64) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
	eq("booked hour", FreeStartsOf(rules, cells, day.Add(8*time.Hour), 1, 60), []int64{at(9, 0), at(11, 0)})
	eq("half hours", FreeStartsOf(rules, cells, day.Add(8*time.Hour), 1, 30), []int64{at(9, 0), at(9, 30), at(11, 0), at(11, 30)})
	rules.LeadMinutes = 30
	eq("lead time", FreeStartsOf(rules, cells, day.Add(8*time.Hour+45*time.Minute), 1, 60), []int64{at(11, 0)})
	rules.LeadMinutes = 0
	rules.Maintenance = []instruments.Window{{Start: time.Unix(at(11, 30), 0), End: time.Unix(at(12, 0), 0)}}
	eq("maintenance", FreeStartsOf(rules, cells, day.Add(8*time.Hour), 1, 60), []int64{at(9, 0)})
	eq("maintenance on the first day only", FreeStartsOf(rules, nil, day.Add(8*time.Hour), 2, 180), []int64{day.AddDate(0, 0, 1).Add(9 * time.Hour).Unix()})
}
