package hardtech

import (
	"math"
	"testing"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/unit"
)

func policy(t *testing.T) Policy {
	t.Helper()
	ps, err := Policies()
	if err != nil {
		t.Fatal(err)
	}
	p, err := PolicyFor(ps, 2023)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPolicy(t *testing.T) {
	p := policy(t)
	if p.MinFirms != 50 || p.MultipleE2 != 200 || p.HorizonYears != 3 {
		t.Fatalf("policy %+v", p)
	}
	// 2^(1/3) − 1 = 0.259921…
	if math.Abs(p.RequiredCAGR()-0.2599210498948732) > 1e-12 {
		t.Fatalf("required CAGR %v", p.RequiredCAGR())
	}
	ps, _ := Policies()
	if _, err := PolicyFor(ps, 2021); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("no policy before 2022: %v", err)
	}
}

const base = unit.Fen(100_000_000) // ¥1m

func member() Member {
	return Member{Year: 2022, EnterpriseID: 7, BaseYear: 2021, BaseRevenue: base}
}

func TestEvaluate(t *testing.T) {
	p := policy(t)
	tests := []struct {
		name     string
		m        func(*Member)
		rev      map[int]unit.Fen
		asOf     int
		status   Status
		achieved int
		multiple float64 // of the latest point; 0 = none
	}{
		// +30 % after one year: 1.30 ≥ 2^(1/3) = 1.2599 → on track.
		{"OnTrack", nil, map[int]unit.Fen{2022: 130_000_000}, 2022, StatusOnTrack, 0, 1.3},
		// +20 %: below 1.2599 → behind.
		{"Behind", nil, map[int]unit.Fen{2022: 120_000_000}, 2022, StatusBehind, 0, 1.2},
		// Two years, 1.60 ≥ 2^(2/3) = 1.5874 → on track.
		{"OnTrackYear2", nil, map[int]unit.Fen{2022: 110_000_000, 2023: 160_000_000}, 2023, StatusOnTrack, 0, 1.6},
		// 1.58 < 1.5874 → behind.
		{"BehindYear2", nil, map[int]unit.Fen{2022: 110_000_000, 2023: 158_000_000}, 2023, StatusBehind, 0, 1.58},
		// Exactly double in the second year: achieved, early.
		{"AchievedExactlyDouble", nil, map[int]unit.Fen{2022: 150_000_000, 2023: 200_000_000}, 2023, StatusAchieved, 2023, 2},
		// One fen short of double at the horizon: missed.
		{"MissedByOneFen", nil, map[int]unit.Fen{2022: 150_000_000, 2023: 180_000_000, 2024: 199_999_999}, 2024, StatusMissed, 0, 1.99999999},
		// Reached in 2023, fell back in 2024: still achieved.
		{"AchievedStays", nil, map[int]unit.Fen{2022: 150_000_000, 2023: 210_000_000, 2024: 190_000_000}, 2024, StatusAchieved, 2023, 1.9},
		// Revenue after the horizon does not count.
		{"AfterHorizonIgnored", nil, map[int]unit.Fen{2024: 150_000_000, 2025: 300_000_000}, 2025, StatusMissed, 0, 1.5},
		{"NoData", nil, map[int]unit.Fen{}, 2022, StatusNoData, 0, 0},
		// Removed members are exited whatever their growth.
		{"Exited", func(m *Member) { m.Removed = true }, map[int]unit.Fen{2022: 300_000_000}, 2022, StatusExited, 2022, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := member()
			if tt.m != nil {
				tt.m(&m)
			}
			pr := Evaluate(m, p, tt.rev, tt.asOf)
			if pr.Status != tt.status || pr.AchievedIn != tt.achieved {
				t.Fatalf("status %s achieved %d, want %s %d", pr.Status, pr.AchievedIn, tt.status, tt.achieved)
			}
			if pr.TargetYear != 2024 || pr.Target != 2*base {
				t.Fatalf("target %d in %d", pr.Target, pr.TargetYear)
			}
			switch {
			case tt.multiple == 0 && pr.Latest != nil:
				t.Fatalf("latest %+v", pr.Latest)
			case tt.multiple != 0 && (pr.Latest == nil || math.Abs(pr.Latest.Multiple-tt.multiple) > 1e-12):
				t.Fatalf("latest %+v, want multiple %v", pr.Latest, tt.multiple)
			}
		})
	}
}

func TestCAGR(t *testing.T) {
	p := policy(t)
	// 1.44× in two years is 20 % a year.
	pr := Evaluate(member(), p, map[int]unit.Fen{2023: 144_000_000}, 2023)
	if pr.Latest == nil || math.Abs(pr.Latest.CAGR-0.2) > 1e-12 || pr.Status != StatusBehind {
		t.Fatalf("%+v", pr.Latest)
	}
	// Exactly on the required path after three years is reaching the goal:
	// 2.0× at the target year.
	pr = Evaluate(member(), p, map[int]unit.Fen{2024: 200_000_000}, 2024)
	if pr.Status != StatusAchieved || math.Abs(pr.Latest.CAGR-p.RequiredCAGR()) > 1e-12 {
		t.Fatalf("%+v %s", pr.Latest, pr.Status)
	}
}

func TestCheckAdmission(t *testing.T) {
	p := policy(t)
	ok := Admission{Year: 2024, EnterpriseID: 1, Reasons: " 研发投入强度 8% "}
	m, err := CheckAdmission(p, ok, true, false, base, BaseReport, true)
	if err != nil || m.BaseYear != 2023 || m.Reasons != "研发投入强度 8%" || m.PolicyVersion != p.Version {
		t.Fatalf("%+v %v", m, err)
	}
	for name, c := range map[string]struct {
		a                    Admission
		exists, already, bOK bool
		base                 unit.Fen
		code                 apperr.Code
	}{
		"Missing":  {ok, false, false, true, base, apperr.NotFound},
		"Already":  {ok, true, true, true, base, apperr.Conflict},
		"NoBase":   {ok, true, false, false, 0, apperr.Invalid},
		"ZeroBase": {ok, true, false, true, 0, apperr.Invalid},
		"NoReason": {Admission{Year: 2024, EnterpriseID: 1, Reasons: "  "}, true, false, true, base, apperr.Invalid},
		"BadYear":  {Admission{Year: 1999, EnterpriseID: 1, Reasons: "x"}, true, false, true, base, apperr.Invalid},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := CheckAdmission(p, c.a, c.exists, c.already, c.base, BaseReport, c.bOK); !apperr.Is(err, c.code) {
				t.Fatalf("got %v, want %s", err, c.code)
			}
		})
	}
}

func TestStats(t *testing.T) {
	p := policy(t)
	var ps []Progress
	for i := range 52 {
		m := member()
		m.EnterpriseID = int64(i + 1)
		m.Removed = i < 3
		rev := map[int]unit.Fen{2022: 110_000_000}
		if i%10 == 0 {
			rev[2022] = 250_000_000
		}
		ps = append(ps, Evaluate(m, p, rev, 2022))
	}
	other := member()
	other.Year = 2023
	ps = append(ps, Evaluate(other, p, nil, 2022))
	s := Stats(2022, p, ps)
	// 52 admitted, 3 removed → 49 active < 50. i = 10, 20, 30, 40, 50
	// doubled (i = 0 doubled but was removed); the other 44 active grew 10 %.
	if s.Admitted != 52 || s.Active != 49 || s.MeetsMinimum || s.ByStatus[StatusExited] != 3 ||
		s.ByStatus[StatusAchieved] != 5 || s.ByStatus[StatusBehind] != 44 {
		t.Fatalf("%+v", s)
	}
}
