package target

import "testing"

func TestEvaluate(t *testing.T) {
	growth := Target{IndicatorCode: "IND_VA_GROWTH", Year: 2024, Comparator: AtLeast, Value: 8}
	titles := Target{IndicatorCode: "NEW_SPECIALIZED", Year: 2024, Comparator: AtLeast, Value: 400}
	unemp := Target{IndicatorCode: "UNEMPLOYMENT", Year: 2024, Comparator: About, Value: 5.5}
	tests := []struct {
		name   string
		t      Target
		kind   Kind
		actual float64
		known  bool
		month  int
		want   Status
		proj   float64
	}{
		{"RateMissedAtYearEnd", growth, Rate, 7.3, true, 12, StatusMissed, 7.3},
		{"RateMetAtYearEnd", growth, Rate, 8.0, true, 12, StatusMet, 8},
		{"RateBehindMidYear", growth, Rate, 6.1, true, 6, StatusBehind, 6.1},
		{"RateOnTrackMidYear", growth, Rate, 8.4, true, 6, StatusOnTrack, 8.4},
		{"LevelProjectedOnTrack", titles, Level, 210, true, 6, StatusOnTrack, 420},
		{"LevelProjectedBehind", titles, Level, 150, true, 6, StatusBehind, 300},
		{"LevelReachedEarly", titles, Level, 401, true, 9, StatusMet, 401 * 12 / 9.0},
		{"AboutWithinTolerance", unemp, Rate, 5.6, true, 12, StatusMet, 5.6},
		{"AboutOutside", unemp, Rate, 5.8, true, 12, StatusMissed, 5.8},
		{"NoData", growth, Rate, 0, false, 0, StatusNoData, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Evaluate(tt.t, tt.kind, tt.actual, tt.known, tt.month)
			if p.Status != tt.want {
				t.Fatalf("status=%s want %s", p.Status, tt.want)
			}
			if p.Projection != tt.proj {
				t.Fatalf("projection=%v want %v", p.Projection, tt.proj)
			}
		})
	}
}

func TestThresholds(t *testing.T) {
	a, e := 5.0, 8.0
	for _, c := range []struct {
		v    float64
		want Mark
	}{{4.9, MarkAlert}, {5, MarkNone}, {7.9, MarkNone}, {8, MarkExcellent}} {
		if got := Thresholds(c.v, &a, &e, true); got != c.want {
			t.Errorf("Thresholds(%v)=%q want %q", c.v, got, c.want)
		}
	}
	// Lower is better, e.g. energy per unit of value added.
	if got := Thresholds(0.3, &e, &a, false); got != MarkExcellent {
		t.Errorf("lower-better excellent: %q", got)
	}
	if got := Thresholds(9, nil, nil, true); got != MarkNone {
		t.Errorf("no thresholds: %q", got)
	}
}
