package enterprise

import (
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/unit"
)

func TestClassify2017(t *testing.T) {
	w := unit.Wan
	tests := []struct {
		name string
		x    int
		y    unit.Fen
		want Size
	}{
		{"LargeBothAtBound", 1000, 40000 * w, SizeLarge},
		{"LargeEmployeesOnlyDropsToMedium", 1000, 39999 * w, SizeMedium},
		{"LargeRevenueOnlyDropsToMedium", 999, 50000 * w, SizeMedium},
		{"MediumAtBound", 300, 2000 * w, SizeMedium},
		{"MediumRevenueJustBelow", 300, 2000*w - 1, SizeSmall},
		{"SmallAtBound", 20, 300 * w, SizeSmall},
		{"MicroByEmployeesOnly", 19, 30000 * w, SizeMicro},
		{"MicroByRevenueOnly", 5000, 299 * w, SizeMicro},
		{"Zero", 0, 0, SizeMicro},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IndustrySize2017.Classify(tt.x, tt.y); got != tt.want {
				t.Fatalf("Classify(%d, %d)=%s, want %s", tt.x, tt.y, got, tt.want)
			}
		})
	}
}

func TestTitleValidOn(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse("2006-01-02", s); return v }
	ti := Title{GrantedOn: d("2022-07-01"), ValidUntil: d("2025-07-01")}
	for _, c := range []struct {
		day  string
		want bool
	}{{"2022-06-30", false}, {"2022-07-01", true}, {"2025-06-30", true}, {"2025-07-01", false}} {
		if got := ti.ValidOn(d(c.day)); got != c.want {
			t.Errorf("ValidOn(%s)=%v want %v", c.day, got, c.want)
		}
	}
}
