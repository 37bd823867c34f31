package instruments

import (
	"math"
	"strings"
	"testing"
)

// usageFixture: unit 1 (two instruments in district A, class 01 and 02),
// unit 2 (one instrument in district B, class 01, removed in 2024), and
// orders of 2024 in several states.
func usageFixture() ([]UsageInstrument, []UsageOrder) {
	ins := []UsageInstrument{
		{ID: 10, Name: "电镜", UnitID: 1, UnitName: "甲大学", ClassCode: "01", RegionCode: "A", EnrolledOn: "2020-01-01", Filled: 9},
		{ID: 11, Name: "试验机", UnitID: 1, UnitName: "甲大学", ClassCode: "02", RegionCode: "A", EnrolledOn: "2024-06-01", Filled: 3},
		{ID: 20, Name: "质谱", UnitID: 2, UnitName: "乙研究院", ClassCode: "01", RegionCode: "B", EnrolledOn: "2019-01-01", RemovedOn: "2024-11-30", Filled: 6},
		{ID: 30, Name: "未开放", UnitID: 2, UnitName: "乙研究院", ClassCode: "01", RegionCode: "B", EnrolledOn: "2025-02-01"},
	}
	orders := []UsageOrder{
		// Instrument 10: a firm 120 min (5 stars), the unit's own staff 60
		// min, another unit 90 min (disputed still counts), a cancelled
		// and a no-show order (no use), a 2023 order (another year).
		{ID: 1, InstrumentID: 10, EnterpriseID: 7, Category: EnterpriseUser, State: Closed, Day: "2024-03-01", Booked: 120, Actual: 120, Billable: 120, Amount: 500, Voucher: 200, Stars: 5},
		{ID: 2, InstrumentID: 10, ClientUnitID: 1, Category: Internal, State: Paid, Day: "2024-03-02", Booked: 60, Actual: 60, Billable: 60, Amount: 100},
		{ID: 3, InstrumentID: 10, ClientUnitID: 2, Category: ExternalAcademic, State: Disputed, Day: "2024-04-01", Booked: 120, Actual: 90, Billable: 120, Amount: 300, Stars: 0},
		{ID: 4, InstrumentID: 10, EnterpriseID: 7, Category: EnterpriseUser, State: Cancelled, Day: "2024-05-01", Booked: 60},
		{ID: 5, InstrumentID: 10, EnterpriseID: 8, Category: EnterpriseUser, State: NoShow, Day: "2024-05-02", Booked: 60},
		{ID: 6, InstrumentID: 10, EnterpriseID: 9, Category: EnterpriseUser, State: Closed, Day: "2023-12-31", Actual: 600},
		// Instrument 11: the same firm again, rated 3; a completed order
		// whose use is not yet confirmed.
		{ID: 7, InstrumentID: 11, EnterpriseID: 7, Category: EnterpriseUser, State: Rated, Day: "2024-07-01", Booked: 60, Actual: 45, Billable: 60, Stars: 3},
		{ID: 8, InstrumentID: 11, EnterpriseID: 8, Category: EnterpriseUser, State: Completed, Day: "2024-07-02", Booked: 60, Actual: 0},
		// Instrument 20 (removed before the year's end): an individual of
		// no unit, 30 min.
		{ID: 9, InstrumentID: 20, UserID: 99, Category: PartnerRegion, State: Invoiced, Day: "2024-02-01", Booked: 30, Actual: 30, Billable: 30},
	}
	return ins, orders
}

func TestComputeUsage(t *testing.T) {
	ins, orders := usageFixture()
	rep := ComputeUsage(ins, orders, 2024, 2, 1400)
	// Worked by hand from the fixture: recorded orders of 2024 are 1, 2,
	// 3, 7 and 9: 120+60+90+45+30 = 345 minutes, external all but order 2:
	// 285. Clients: e7, u1, u2, p99 = 4. Ratings 5 and 3. Live at the end
	// of 2024: instruments 10 and 11 (20 removed, 30 not yet enrolled);
	// both served an external user.
	tot := rep.Total
	if tot.EffectiveMinutes != 345 || tot.ExternalMinutes != 285 || tot.Orders != 5 || tot.Clients != 4 || tot.Ratings != 2 || tot.StarSum != 8 ||
		tot.Instruments != 2 || tot.OpenToSociety != 2 || tot.BookedMinutes != 390 || tot.BillableMinutes != 390 || tot.Income != 900 || tot.VoucherPaid != 200 {
		t.Errorf("total %+v", tot)
	}
	near := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	near("share rate", tot.ShareRate(), 285.0/345)
	near("openness", tot.OpennessRate(), 1)
	near("rating", tot.AverageRating(), 4)
	near("utilisation", tot.Utilisation(1400), 345.0/60/2/1400)
	near("completeness", tot.Completeness(), 12.0/18)
	// By unit: 甲大学 first (315 min), then 乙研究院 (30 min, no live
	// instrument, so openness 0 of 0).
	if len(rep.ByUnit) != 2 || rep.ByUnit[0].Label != "甲大学" || rep.ByUnit[0].EffectiveMinutes != 315 || rep.ByUnit[0].Clients != 3 ||
		rep.ByUnit[1].Label != "乙研究院" || rep.ByUnit[1].EffectiveMinutes != 30 || rep.ByUnit[1].Instruments != 0 || rep.ByUnit[1].OpenToSociety != 0 {
		t.Errorf("by unit %+v", rep.ByUnit)
	}
	// By class: 01 has 10 and 20 (270+30 min), 02 has 11 (45 min).
	if len(rep.ByClass) != 2 || rep.ByClass[0].Key != "01" || rep.ByClass[0].EffectiveMinutes != 300 || rep.ByClass[0].Instruments != 1 ||
		rep.ByClass[1].Key != "02" || rep.ByClass[1].EffectiveMinutes != 45 {
		t.Errorf("by class %+v", rep.ByClass)
	}
	// By district: A 315, B 30 with its internal share 0.
	if len(rep.ByDistrict) != 2 || rep.ByDistrict[0].Key != "A" || rep.ByDistrict[0].ExternalMinutes != 255 || rep.ByDistrict[1].ExternalMinutes != 30 {
		t.Errorf("by district %+v", rep.ByDistrict)
	}
	// The two most used instruments: 10 (270) and 11 (45).
	if len(rep.TopInstruments) != 2 || rep.TopInstruments[0].Key != "10" || rep.TopInstruments[0].EffectiveMinutes != 270 || rep.TopInstruments[1].Key != "11" {
		t.Errorf("top %+v", rep.TopInstruments)
	}
	// Every state is listed; 2024 has one cancelled and one completed.
	if len(rep.States) != len(OrderStates) {
		t.Fatalf("%d states", len(rep.States))
	}
	for _, s := range rep.States {
		want := map[OrderState]int{Closed: 1, Paid: 1, Disputed: 1, Cancelled: 1, NoShow: 1, Rated: 1, Completed: 1, Invoiced: 1}[s.State]
		if s.N != want {
			t.Errorf("%s: %d, want %d", s.State, s.N, want)
		}
	}
}

func TestEvaluate(t *testing.T) {
	cs, err := EvaluationConfigs()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := EvaluationConfigOn(cs, "2026-12-03")
	if err != nil || cfg.UtilisationReferenceHours != 1400 {
		t.Fatalf("%+v %v", cfg, err)
	}
	// The national structure: 3 groups, 9 indicators.
	groups := map[string]int{}
	for _, in := range cfg.Indicators {
		groups[in.Group]++
	}
	if len(cfg.Indicators) != 9 || len(groups) != 3 {
		t.Errorf("%d indicators in %v", len(cfg.Indicators), groups)
	}
	// A hand-made config: weights 40 (openness, benchmark 1), 60 (hours
	// per instrument, benchmark 100, and rating, benchmark 5, half each),
	// grades 80 / 0.
	c := EvalConfig{Version: "t", EffectiveFrom: "2026-01-01", UtilisationReferenceHours: 1400,
		Indicators: []EvalIndicator{
			{Key: "o", Group: "organisation", Weight: 40, Parts: []EvalPart{{Measure: "openness_rate", Benchmark: 1, Share: 1}}},
			{Key: "m", Group: "operation", Weight: 30},
			{Key: "s", Group: "sharing", Weight: 30, Parts: []EvalPart{{Measure: "effective_hours_per_instrument", Benchmark: 100, Share: 0.5}, {Measure: "average_rating", Benchmark: 5, Share: 0.5}}}},
		Grades: []EvalGrade{{Grade: "excellent", MinPct: 80}, {Grade: "poor", MinPct: 0}}}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	// 4 instruments, 3 open: 40 × 0.75 = 30. 600 h over 4 = 150 h, capped
	// at the benchmark: 15. Rating 4: 15 × 0.8 = 12. Score 57 of the
	// assessed 70 = 81.43 % → excellent.
	f := UsageFigures{Key: "1", Label: "甲", Instruments: 4, OpenToSociety: 3, EffectiveMinutes: 600 * 60, Ratings: 2, StarSum: 8}
	ev := Evaluate(c, f)
	if math.Abs(ev.Score-57) > 1e-9 || ev.Assessed != 70 || math.Abs(ev.Pct-57.0/70*100) > 1e-9 || ev.Grade != "excellent" || ev.Groups["sharing"] != 27 {
		t.Errorf("%+v", ev)
	}
	if ev.Indicators[1].Assessed || ev.Indicators[1].Score != 0 {
		t.Errorf("manual indicator %+v", ev.Indicators[1])
	}
	// Ties on the percentage are broken by the sharing points.
	a := Evaluation{UnitName: "a", Pct: 50, Groups: map[string]float64{"sharing": 10}}
	b := Evaluation{UnitName: "b", Pct: 50, Groups: map[string]float64{"sharing": 20}}
	cc := Evaluation{UnitName: "c", Pct: 60, Groups: map[string]float64{}}
	es := []Evaluation{a, b, cc}
	RankEvaluations(es)
	if es[0].UnitName != "c" || es[1].UnitName != "b" || es[2].UnitName != "a" {
		t.Errorf("ranking %v %v %v", es[0].UnitName, es[1].UnitName, es[2].UnitName)
	}
}

// TestEvaluationConfigRefused: a bad version is refused with the reason.
func TestEvaluationConfigRefused(t *testing.T) {
	good := `{"version":"v","effective_from":"2026-01-01","utilisation_reference_hours":1400,
		"indicators":[{"key":"a","group":"sharing","weight":100,"parts":[{"measure":"share_rate","benchmark":1,"share":1}]}],
		"grades":[{"grade":"pass","min_pct":60},{"grade":"poor","min_pct":0}]}`
	if _, err := ParseEvaluationConfigs([]byte("[" + good + "]")); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][2]string{
		"weights":   {`"weight":100`, `"weight":90`},
		"measure":   {`"share_rate"`, `"guess"`},
		"shares":    {`"share":1}`, `"share":0.5}`},
		"group":     {`"group":"sharing"`, `"group":"other"`},
		"grades":    {`"min_pct":0`, `"min_pct":10`},
		"reference": {`"utilisation_reference_hours":1400`, `"utilisation_reference_hours":0`},
		"date":      {`"2026-01-01"`, `"2026"`},
		"json":      {`"grades"`, `"grades`},
	} {
		if _, err := ParseEvaluationConfigs([]byte("[" + strings.Replace(good, bad[0], bad[1], 1) + "]")); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// Entered scores of document-judged indicators count as assessed,
// marked entered, capped at the weight; without one the indicator stays
// out of the assessed weight.
func TestEvaluateEntered(t *testing.T) {
	c := EvalConfig{Version: "t", EffectiveFrom: "2026-01-01", UtilisationReferenceHours: 1400,
		Indicators: []EvalIndicator{
			{Key: "openness_rate", Group: "organisation", Weight: 60, Parts: []EvalPart{{Measure: "openness_rate", Benchmark: 1, Share: 1}}},
			{Key: "coordination", Group: "organisation", Weight: 25},
			{Key: "self_support", Group: "sharing", Weight: 15}},
		Grades: []EvalGrade{{Grade: "good", MinPct: 50}, {Grade: "poor", MinPct: 0}}}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	f := UsageFigures{Key: "7", Label: "某大学"} // no instruments: the computed indicator scores 0
	plain := EvaluateEntered(c, f, nil)
	if plain.Assessed != 60 || plain.Score != 0 || plain.Indicators[1].Assessed || plain.Indicators[0].Source != SourceComputed || plain.Indicators[1].Source != "" {
		t.Fatalf("%+v", plain)
	}
	ev := EvaluateEntered(c, f, map[string]EvalScore{"coordination": {Points: 20, Note: "制度齐全"}, "self_support": {Points: 99}})
	// 20 of 25 entered, 99 capped at 15: 35 points of 100 assessed.
	if ev.Assessed != 100 || ev.Score != 35 || ev.Pct != 35 || ev.Grade != "poor" || ev.Groups["sharing"] != 15 || ev.Groups["organisation"] != 20 {
		t.Fatalf("%+v", ev)
	}
	if is := ev.Indicators[1]; !is.Assessed || is.Source != SourceEntered || is.Score != 20 || is.Note != "制度齐全" {
		t.Fatalf("%+v", is)
	}
}
