package report

import (
	"errors"
	"testing"
)

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		in   string
		want Period
		err  error
	}{
		{"2023-03", Period{2023, 3}, nil},
		{"2023/3", Period{2023, 3}, nil},
		{"202312", Period{2023, 12}, nil},
		{"2024年2月", Period{2024, 2}, nil},
		{"2023-01", Period{2023, 1}, ErrJanuary},
		{"2023-13", Period{2023, 13}, ErrPeriod},
		{"March", Period{}, ErrPeriod},
		{"", Period{}, ErrPeriod},
	}
	for _, tt := range tests {
		got, err := ParsePeriod(tt.in)
		if !errors.Is(err, tt.err) {
			t.Errorf("ParsePeriod(%q) err=%v want %v", tt.in, err, tt.err)
		}
		if tt.err == nil && got != tt.want {
			t.Errorf("ParsePeriod(%q)=%v want %v", tt.in, got, tt.want)
		}
	}
}

func TestSingleMonthAndCumulateAreInverse(t *testing.T) {
	single := []int64{50, 30, 25, 40, 35, 30, 45, 20, 30, 50, 60} // months 2..12
	cum := Cumulate(single)
	var reports []Monthly
	for i, c := range cum {
		var v Values
		v[Output] = c
		v[Employees] = int64(100 + i)
		reports = append(reports, Monthly{Period: Period{2023, i + 2}, Values: v})
	}
	got := SingleMonth(reports, Output)
	if len(got) != len(single) {
		t.Fatalf("len=%d", len(got))
	}
	for i, s := range got {
		if s.Value != single[i] || !s.Known {
			t.Errorf("month %d: %+v want %d", i+2, s, single[i])
		}
		if s.Derived != (i > 0) {
			t.Errorf("month %d derived=%v", i+2, s.Derived)
		}
	}
	emp := SingleMonth(reports, Employees)
	if emp[3].Value != 103 || emp[3].Derived {
		t.Errorf("point field changed: %+v", emp[3])
	}
}

func TestSingleMonthGapIsUnknown(t *testing.T) {
	var a, b Values
	a[Output], b[Output] = 100, 180
	got := SingleMonth([]Monthly{{Period: Period{2023, 2}, Values: a}, {Period: Period{2023, 4}, Values: b}}, Output)
	if len(got) != 2 || got[1].Known {
		t.Fatalf("April after a missing March must be unknown: %+v", got)
	}
}

func TestFieldNamesAndLabel(t *testing.T) {
	for _, f := range Fields {
		if f.NameZh == "" || f.NameEn == "" || f.FileUnitZh == "" || f.FileUnitEn == "" {
			t.Errorf("field %s lacks a name or unit from fields.json: %+v", f.Code, f)
		}
	}
	if Fields[Output].NameZh != "工业总产值" || Fields[Energy].FileUnitZh != "吨标准煤" {
		t.Errorf("fields.json: %+v %+v", Fields[Output], Fields[Energy])
	}
	p := Period{Year: 2024, Month: 6}
	if zh, en := p.Label(true), p.Label(false); zh != "2024年1–6月" || en != "Jan–Jun 2024" {
		t.Errorf("labels %q, %q", zh, en)
	}
}
