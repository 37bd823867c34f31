package cockpit

import (
	"context"
	"testing"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/target"
)

// fakeStore answers the period questions; Targets is not needed here.
type fakeStore struct{ latest report.Period }

func (f fakeStore) LatestPeriod(context.Context) (report.Period, error) {
	if f.latest.Year == 0 {
		return report.Period{}, apperr.New(apperr.NotFound, "err.no_data")
	}
	return f.latest, nil
}
func (f fakeStore) ReportYears(context.Context) ([]int, error)            { return nil, nil }
func (f fakeStore) Targets(context.Context, int) ([]target.Target, error) { return nil, nil }
func (f fakeStore) PeriodLock(context.Context, review.Domain, review.Period) (review.Lock, bool, error) {
	return review.Lock{}, false, nil
}

// TestParseBasis: the two bases, the default, and a clear refusal.
func TestParseBasis(t *testing.T) {
	for in, want := range map[string]Basis{"": Revised, "revised": Revised, "published": Published} {
		if got, err := ParseBasis(in); err != nil || got != want {
			t.Errorf("ParseBasis(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseBasis("draft"); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("ParseBasis(draft) = %v, want invalid", err)
	}
}

func TestPeriod(t *testing.T) {
	ctx := context.Background()
	s := NewService(fakeStore{latest: report.Period{Year: 2024, Month: 6}}, nil, Options{})
	for _, c := range []struct {
		year, month int
		want        report.Period
	}{
		{0, 0, report.Period{Year: 2024, Month: 6}},     // the latest period
		{2024, 0, report.Period{Year: 2024, Month: 6}},  // the latest month of the latest year
		{2023, 0, report.Period{Year: 2023, Month: 12}}, // a past year is its December
		{2023, 5, report.Period{Year: 2023, Month: 5}},  // asked for in full
		{0, 3, report.Period{Year: 2024, Month: 3}},     // a month of the latest year
	} {
		got, err := s.Period(ctx, c.year, c.month)
		if err != nil || got != c.want {
			t.Errorf("Period(%d, %d) = %v, %v; want %v", c.year, c.month, got, err, c.want)
		}
	}
	empty := NewService(fakeStore{}, nil, Options{})
	if _, err := empty.Period(ctx, 0, 0); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("no data: err = %v, want NotFound", err)
	}
	if p, err := empty.Period(ctx, 2024, 0); err != nil || p != (report.Period{Year: 2024, Month: 12}) {
		t.Errorf("no data, a year asked for: %v, %v", p, err)
	}
	if _, ok, err := empty.Latest(ctx); ok || err != nil {
		t.Errorf("Latest without data = %v, %v", ok, err)
	}
}

func TestVisible(t *testing.T) {
	wz := target.Target{ScopeKind: target.ScopeRegion, ScopeCode: "500101"}
	city := target.Target{ScopeKind: target.ScopeCity}
	district := auth.User{Role: auth.RoleDistrict, RegionCode: "500101"}.ScopeOf()
	if !Visible(auth.All(), wz) || !Visible(auth.All(), city) {
		t.Error("a city scope sees every target")
	}
	if !Visible(district, wz) || Visible(district, city) {
		t.Error("a district sees its own district's targets only")
	}
}
