package creditcode

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr error
		warn    bool
	}{
		// Real published codes, checked by hand against the algorithm.
		{"OKXiamen", "91350200MA2YJ1XR9G", nil, false},
		{"OKShenzhen", "914403001922038216", nil, false},
		{"OKBeijing", "91110000600037341L", nil, false},
		{"OKLowerCaseTrimmed", "  91110000600037341l ", nil, false},
		{"ErrTooShort", "91110000600037341", ErrLength, false},
		{"ErrTooLong", "91110000600037341LL", ErrLength, false},
		{"ErrExcludedLetterO", "9111000060003734OL", ErrCharset, false},
		{"ErrChecksum", "91110000600037341M", ErrChecksum, false},
		{"ErrChineseChars", "九一一一〇〇〇〇六〇〇〇三七三四一L", ErrLength, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Parse(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Parse(%q) err=%v, want %v", tt.in, err, tt.wantErr)
			}
			if err == nil && (len(res.Warnings) > 0) != tt.warn {
				t.Fatalf("Parse(%q) warnings=%v, want warning=%v", tt.in, res.Warnings, tt.warn)
			}
		})
	}
}

func TestInnerCheckOnlyWarns(t *testing.T) {
	// Same code with the org-code check digit (position 17) changed and the
	// outer check character recomputed: valid per GB 32100, not per GB 11714.
	first17 := "9144030019220382" + "9"
	c, err := CheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Parse(first17 + string(c))
	if err != nil {
		t.Fatalf("rejected: %v", err)
	}
	if len(res.Warnings) != 1 {
		t.Fatalf("warnings=%v, want one", res.Warnings)
	}
}

func TestCheckCharRoundTrip(t *testing.T) {
	body := "91500000MA5U7Q8K"
	org, ok := OrgCheckChar(body[8:16])
	if !ok {
		t.Fatal("OrgCheckChar failed")
	}
	first17 := body + string(org)
	c, err := CheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Parse(first17 + string(c))
	if err != nil {
		t.Fatalf("generated code rejected: %v", err)
	}
	if len(res.Warnings) != 0 {
		t.Fatalf("generated code warned: %v", res.Warnings)
	}
	if got := res.Code.RegionCode(); got != "500000" {
		t.Fatalf("RegionCode=%s", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"91350200MA2YJ1XR9G", "", "914403001922038216", "ZZZZZZZZZZZZZZZZZZ", "九一"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		res, err := Parse(s)
		if err != nil {
			return
		}
		// Anything accepted must re-validate and have a matching check char.
		c, err := CheckChar(string(res.Code)[:17])
		if err != nil || c != string(res.Code)[17] {
			t.Fatalf("accepted %q but CheckChar disagrees", s)
		}
	})
}
