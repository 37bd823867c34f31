package unit

import (
	"errors"
	"testing"
)

func TestParseScaled(t *testing.T) {
	tests := []struct {
		in    string
		scale int64
		want  int64
		err   error
	}{
		{"1234.56", 100, 123456, nil},
		{"1,234.5", 100, 123450, nil},
		{"-3", 1000000, -3000000, nil},
		{"+0.0001", 1000000, 100, nil},
		{".5", 10, 5, nil},
		{"1.005", 100, 0, ErrPrecision},
		{"1e5", 100, 0, ErrDecimal},
		{"abc", 100, 0, ErrDecimal},
		{"", 100, 0, ErrDecimal},
		{"-", 100, 0, ErrDecimal},
		{"99999999999999999999", 100, 0, ErrRange},
	}
	for _, tt := range tests {
		got, err := ParseScaled(tt.in, tt.scale)
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("ParseScaled(%q,%d)=%d,%v want %d,%v", tt.in, tt.scale, got, err, tt.want, tt.err)
		}
	}
}

func TestFormatScaledRoundTrip(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 123456, 1000000, -987654321, 1<<62 - 1} {
		s := FormatScaled(v, 1000000)
		back, err := ParseScaled(s, 1000000)
		if err != nil || back != v {
			t.Errorf("round trip %d -> %q -> %d, %v", v, s, back, err)
		}
	}
}
