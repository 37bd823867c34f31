package digital

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/rules"
	"github.com/industrybrain/ibrain/internal/unit"
)

func loadRules(t *testing.T) *Rules {
	t.Helper()
	r, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func keyOf(err error) string {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae.Key
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

func project(planned unit.Fen, evs ...Event) Project {
	return Project{Code: "P-1", EnterpriseID: 7, Name: "改造", Kind: KindIntelligent, Scenarios: []string{"F01", "M01"}, Planned: planned,
		StartOn: Day(2023, 3, 1), EndOn: Day(2023, 12, 31), Events: evs}
}

func TestApprovalLevelAtTheThreshold(t *testing.T) {
	r := loadRules(t)
	applied := Event{Stage: StageApplied, Date: Day(2023, 2, 1)}
	threshold := 3000 * unit.Wan // ¥30 m, 渝经信智能〔2022〕11号
	for _, tc := range []struct {
		planned unit.Fen
		level   Level
		ok      bool
	}{
		{threshold - unit.Yuan, LevelDistrict, true}, // one yuan below: the district
		{threshold - unit.Yuan, LevelCity, false},
		{threshold, LevelCity, true}, // at the threshold: the city
		{threshold, LevelDistrict, false},
		{threshold + unit.Wan, LevelCity, true},
	} {
		p := project(tc.planned, applied, Event{Stage: StageApproved, Date: Day(2023, 3, 1), Level: tc.level})
		err := p.Validate(r)
		if (err == nil) != tc.ok {
			t.Errorf("planned %d fen approved by %s: err %v, want ok=%v", tc.planned, tc.level, err, tc.ok)
		}
		if !tc.ok && keyOf(err) != "err.digital.level" {
			t.Errorf("wrong error %v", err)
		}
	}
}

func TestStageRules(t *testing.T) {
	r := loadRules(t)
	d := func(m, dd int) time.Time { return Day(2023, time.Month(m), dd) }
	app := Event{Stage: StageApplied, Date: d(1, 10)}
	appr := Event{Stage: StageApproved, Date: d(2, 1), Level: LevelDistrict}
	mil := func(day int, wan unit.Fen) Event {
		return Event{Stage: StageMilestone, Date: d(6, day), Amount: wan * unit.Wan}
	}
	acc := func(wan unit.Fen) Event { return Event{Stage: StageAccepted, Date: d(9, 1), Amount: wan * unit.Wan} }
	sub := func(wan unit.Fen) Event { return Event{Stage: StageSubsidised, Date: d(10, 1), Amount: wan * unit.Wan} }
	planned := 500 * unit.Wan
	for _, tc := range []struct {
		name string
		evs  []Event
		key  string
	}{
		{"full way", []Event{app, appr, mil(1, 100), mil(2, 300), acc(480), sub(40)}, ""},
		{"rejected", []Event{app, {Stage: StageRejected, Date: d(2, 1)}}, ""},
		{"withdrawn under construction", []Event{app, appr, mil(1, 100), {Stage: StageWithdrawn, Date: d(7, 1)}}, ""},
		{"accepted without milestone", []Event{app, appr, acc(480)}, ""},
		{"opens with approval", []Event{appr}, "err.digital.first"},
		{"milestone before approval", []Event{app, mil(1, 100)}, "err.digital.transition"},
		{"rejected after approval", []Event{app, appr, {Stage: StageRejected, Date: d(3, 1)}}, "err.digital.transition"},
		{"milestone shrinks", []Event{app, appr, mil(1, 300), mil(2, 200)}, "err.digital.milestone"},
		{"actual below milestone", []Event{app, appr, mil(1, 300), acc(200)}, "err.digital.actual"},
		{"subsidy before acceptance", []Event{app, appr, sub(10)}, "err.digital.transition"},
		{"subsidies above actual", []Event{app, appr, acc(100), sub(60), sub(41)}, "err.digital.subsidy"},
		{"subsidies equal actual", []Event{app, appr, acc(100), sub(60), sub(40)}, ""},
		{"withdrawn after acceptance", []Event{app, appr, acc(100), {Stage: StageWithdrawn, Date: d(12, 1)}}, "err.digital.transition"},
		{"after an outcome", []Event{app, {Stage: StageWithdrawn, Date: d(2, 1)}, appr}, "err.digital.transition"},
		{"date backwards", []Event{app, {Stage: StageApproved, Date: d(1, 9), Level: LevelDistrict}}, "err.digital.date_backwards"},
		{"amount on approval", []Event{app, {Stage: StageApproved, Date: d(2, 1), Level: LevelDistrict, Amount: unit.Wan}}, "err.digital.amount_not_applicable"},
		{"level on a milestone", []Event{app, appr, {Stage: StageMilestone, Date: d(6, 1), Amount: unit.Wan, Level: LevelCity}}, "err.digital.level_not_applicable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := project(planned, tc.evs...).Validate(r)
			if keyOf(err) != tc.key {
				t.Fatalf("got %v, want %q", err, tc.key)
			}
		})
	}
}

func TestFieldRules(t *testing.T) {
	r := loadRules(t)
	app := Event{Stage: StageApplied, Date: Day(2023, 1, 10)}
	for _, tc := range []struct {
		name string
		edit func(*Project)
		key  string
	}{
		{"unknown scenario", func(p *Project) { p.Scenarios = []string{"ZZ9"} }, "err.digital.scenario"},
		{"no scenario", func(p *Project) { p.Scenarios = nil }, "err.digital.no_scenario"},
		{"repeated scenario", func(p *Project) { p.Scenarios = []string{"F01", "F01"} }, "err.digital.scenario_repeated"},
		{"zero investment", func(p *Project) { p.Planned = 0 }, "err.digital.planned"},
		{"end before start", func(p *Project) { p.EndOn = p.StartOn.AddDate(0, 0, -1) }, "err.digital.dates"},
		{"bad kind", func(p *Project) { p.Kind = "smart" }, "err.digital.kind"},
		{"measure before zero", func(p *Project) { p.Measures = []Measure{{IndProductivity, 0, 10}} }, "err.digital.measure"},
		{"measure twice", func(p *Project) {
			p.Measures = []Measure{{IndProductivity, 10, 12}, {IndProductivity, 10, 13}}
		}, "err.digital.measure_repeated"},
	} {
		p := project(500*unit.Wan, app)
		tc.edit(&p)
		if err := p.Validate(r); keyOf(err) != tc.key {
			t.Errorf("%s: got %v, want %s", tc.name, err, tc.key)
		}
	}
}

func TestGain(t *testing.T) {
	for _, tc := range []struct {
		m    Measure
		want float64
	}{
		{Measure{IndProductivity, 10000, 16000}, 60}, // 100 → 160: +60 %
		{Measure{IndDefectRate, 400, 100}, 75},       // 4 % → 1 %: a 75 % fall
		{Measure{IndCycleTime, 1000, 1200}, -20},     // longer: a negative gain
	} {
		if g, ok := tc.m.GainPct(); !ok || g != tc.want {
			t.Errorf("%+v: %v, want %v", tc.m, g, tc.want)
		}
	}
	if _, ok := (Measure{IndProductivity, 0, 5}).GainPct(); ok {
		t.Error("a zero base has no gain")
	}
}

func TestLadderThresholds(t *testing.T) {
	r := loadRules(t)
	nc := func(bp int64) *int64 { return &bp }
	at := Day(2024, 12, 1)
	ws := func(n int) []Recognition {
		var out []Recognition
		for i := range n {
			out = append(out, Recognition{Rung: RungWorkshop, RecognisedOn: Day(2023, 6, 28), Name: string(rune('A' + i))})
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    Firm
		rung Rung
		want Status
	}{
		{"workshop at 50 %", Firm{Maturity: []Maturity{{Year: 2024, NCRate: nc(5000)}}}, RungWorkshop, Met},
		{"workshop just below", Firm{Maturity: []Maturity{{Year: 2024, NCRate: nc(4999)}}}, RungWorkshop, NotMet},
		{"workshop without data", Firm{}, RungWorkshop, Unknown},
		{"smart factory at 65 % with 2 workshops", Firm{Maturity: []Maturity{{Year: 2024, NCRate: nc(6500)}}, Recognitions: ws(2)}, RungSmart, Met},
		{"smart factory with 1 workshop", Firm{Maturity: []Maturity{{Year: 2024, NCRate: nc(9000)}}, Recognitions: ws(1)}, RungSmart, NotMet},
		{"smart factory at 64.99 %", Firm{Maturity: []Maturity{{Year: 2024, NCRate: nc(6499)}}, Recognitions: ws(3)}, RungSmart, NotMet},
		{"excellent with CMMM 3", Firm{Maturity: []Maturity{{Year: 2023, CMMM: 3}},
			Recognitions: []Recognition{{Rung: RungSmart, RecognisedOn: Day(2022, 12, 20)}}}, RungExcellent, Met},
		{"excellent with CMMM 2", Firm{Maturity: []Maturity{{Year: 2023, CMMM: 2}},
			Recognitions: []Recognition{{Rung: RungSmart, RecognisedOn: Day(2022, 12, 20)}}}, RungExcellent, NotMet},
		{"excellent, CMMM not assessed", Firm{Recognitions: []Recognition{{Rung: RungSmart, RecognisedOn: Day(2022, 12, 20)}}}, RungExcellent, Unknown},
	} {
		if v := r.Evaluate(tc.f, tc.rung, at); v.Status != tc.want {
			t.Errorf("%s: %s (%+v), want %s", tc.name, v.Status, v.Conditions, tc.want)
		}
	}
	// 卓越级 is not a rung before the 2024 rules.
	if v := r.Evaluate(Firm{Maturity: []Maturity{{Year: 2023, CMMM: 5}}}, RungExcellent, Day(2023, 12, 31)); v.Applies || v.Status != NotMet {
		t.Errorf("excellent in 2023: %+v", v)
	}
	// The next rung of a firm with one workshop is another workshop; with
	// two, a smart factory; with a smart factory in 2024, 卓越级.
	if n, _ := r.NextRung(Firm{Recognitions: ws(1)}, at); n != RungWorkshop {
		t.Errorf("next rung with one workshop: %s", n)
	}
	if n, _ := r.NextRung(Firm{Recognitions: ws(2)}, at); n != RungSmart {
		t.Errorf("next rung with two workshops: %s", n)
	}
	if n, _ := r.NextRung(Firm{Recognitions: append(ws(2), Recognition{Rung: RungSmart, RecognisedOn: Day(2023, 12, 20)})}, at); n != RungExcellent {
		t.Errorf("next rung of a smart factory: %s", n)
	}
	// Candidates: met first, then one short; two short is left out.
	firms := []Firm{
		{EnterpriseID: 1, Maturity: []Maturity{{Year: 2024, NCRate: nc(6000)}}, Recognitions: ws(2)}, // 60 % < 65 %: one short
		{EnterpriseID: 2, Maturity: []Maturity{{Year: 2024, NCRate: nc(7000)}}, Recognitions: ws(2)}, // met
		{EnterpriseID: 3, Maturity: []Maturity{{Year: 2024, NCRate: nc(4000)}}},                      // next: workshop, 40 % < 50 %: one short
	}
	got := r.Candidates(firms, at)
	if len(got) != 3 || got[0].EnterpriseID != 2 || got[0].Verdict.Status != Met || got[1].Verdict.Unmet != 1 {
		t.Fatalf("candidates %+v", got)
	}
}

func TestStatsAndMeasures(t *testing.T) {
	r := loadRules(t)
	app := func(y int) Event { return Event{Stage: StageApplied, Date: Day(y, 1, 10)} }
	appr := func(y int) Event { return Event{Stage: StageApproved, Date: Day(y, 2, 1), Level: LevelDistrict} }
	acc := func(y int, wan unit.Fen) Event {
		return Event{Stage: StageAccepted, Date: Day(y, 11, 1), Amount: wan * unit.Wan}
	}
	ps := []Project{
		{Kind: KindIntelligent, Planned: 100 * unit.Wan, Demonstration: true, Events: []Event{app(2022), appr(2022), acc(2022, 90)},
			Measures: []Measure{{IndProductivity, 10000, 17000}}},
		{Kind: KindIntelligent, Planned: 100 * unit.Wan, Demonstration: true, Events: []Event{app(2023), appr(2023), acc(2023, 110)},
			Measures: []Measure{{IndProductivity, 10000, 15000}}},
		{Kind: KindIntelligent, Planned: 100 * unit.Wan, Demonstration: true, Events: []Event{app(2023), appr(2023)}, // not accepted
			Measures: []Measure{{IndProductivity, 10000, 30000}}},
		{Kind: KindGreen, Planned: 50 * unit.Wan, Events: []Event{app(2023), appr(2023)}},
		{Kind: KindDigital, Planned: 50 * unit.Wan, Events: []Event{app(2023), {Stage: StageRejected, Date: Day(2023, 3, 1)}}},
	}
	for i := range ps {
		ps[i].RegionCode = "500101"
	}
	recs := []Recognition{{Rung: RungSmart, RecognisedOn: Day(2021, 12, 20), RegionCode: "500101"}, {Rung: RungSmart, RecognisedOn: Day(2023, 12, 20), RegionCode: "500102"}}
	s := ComputeStats(ps, recs, 2022, 2023)
	y23, _ := s.Year(2023)
	if y23.ApprovedAll != 3 || y23.Approved[KindIntelligent] != 2 || y23.CumApproved[KindIntelligent] != 3 || y23.Accepted != 1 ||
		y23.Actual != 110*unit.Wan || y23.Recognised[RungSmart] != 1 || y23.CumRecognised[RungSmart] != 2 {
		t.Fatalf("2023 figures %+v", y23)
	}
	// The mean of +70 % and +50 %; the unaccepted project does not count.
	if g, ok := s.DemoGain(IndProductivity); !ok || g.N != 2 || g.AvgPct != 60 {
		t.Fatalf("demo gain %+v", g)
	}
	if y := LatestYear(ps, recs, 2030); y != 2023 {
		t.Errorf("latest year %d, want 2023", y)
	}
	if y := LatestYear(ps, recs, 2022); y != 2022 {
		t.Errorf("latest year up to 2022: %d", y)
	}
	if y := LatestYear(nil, nil, 2025); y != 2025 {
		t.Errorf("latest year without records: %d", y)
	}
	if n, ok := CountMeasure(ps, recs, MeasureRenovationProjects, 2023); !ok || n != 3 {
		t.Errorf("renovation projects 2023: %d", n)
	}
	if n, _ := CountMeasure(ps, recs, MeasureNewSmartFactories, 2023); n != 1 {
		t.Errorf("smart factories 2023: %d", n)
	}
	if _, ok := CountMeasure(ps, recs, "unknown", 2023); ok {
		t.Error("an unknown measure is not computed")
	}
	if rows := ByRegion(ps, recs, Day(2023, 12, 31)); len(rows) != 2 || rows[0].Approved != 4 || rows[1].Held[RungSmart] != 1 {
		t.Errorf("by region %+v", rows)
	}
	ps[0].ClusterCode, ps[1].ClusterCode = "L1", "L1"
	if rows := ByCluster(ps, Day(2023, 12, 31)); len(rows) != 2 || rows[1].ClusterCode != "L1" || rows[1].Approved != 2 || rows[1].Accepted != 2 ||
		rows[1].Actual != 200*unit.Wan || rows[0].Approved != 2 {
		t.Errorf("by cluster %+v", rows)
	}
	goals := r.GoalsAt(ps, recs, []Maturity{{EnterpriseID: 1, Year: 2023, Cloud: true}, {EnterpriseID: 1, Year: 2024}, {EnterpriseID: 2, Year: 2024, Cloud: true}}, Day(2024, 12, 31))
	for _, g := range goals {
		switch g.Code {
		case "smart_factories":
			if g.Actual != 1 { // from 2023: the 2021 one is before the plan
				t.Errorf("smart factories towards 2027: %d", g.Actual)
			}
		case "cloud_firms":
			if g.Actual != 1 { // firm 1's latest record says no
				t.Errorf("cloud firms: %d", g.Actual)
			}
		}
	}
}

func TestImportRows(t *testing.T) {
	r := loadRules(t)
	header := []string{"项目编号", "统一社会信用代码", "项目名称", "改造类型", "应用场景", "计划投资（万元）", "计划开工日期", "计划完工日期", "申报日期", "认定日期", "示范项目", "productivity_before", "productivity_after"}
	ids := map[string]int64{"91500000000000001X": 5}
	good := []string{"P1", "91500000000000001x", "产线改造", "智能化改造", "F01；M01", "3000", "2023-03-01", "2023-12-31", "2023-02-01", "2023-02-20", "是", "100", "160"}
	ps, errs := ParseProjectRows(r, header, []ImportRow{{Line: 2, Cells: good}}, ids)
	if len(errs) != 0 || len(ps) != 1 {
		t.Fatalf("errors %v", errs)
	}
	p := ps[0]
	if p.EnterpriseID != 5 || p.Kind != KindIntelligent || len(p.Scenarios) != 2 || p.Planned != 3000*unit.Wan || !p.Demonstration ||
		p.Current().Level != LevelCity || len(p.Measures) != 1 {
		t.Fatalf("parsed %+v", p)
	}
	// Every bad row is reported with its line; nothing is returned.
	bad := append([]string{}, good...)
	bad[0], bad[5], bad[4] = "P2", "abc", "ZZ"
	unknownFirm := append([]string{}, good...)
	unknownFirm[0], unknownFirm[1] = "P3", "91500000000000002X"
	dup := append([]string{}, good...)
	ps, errs = ParseProjectRows(r, header, []ImportRow{{2, good}, {3, bad}, {4, unknownFirm}, {5, dup}}, ids)
	if ps != nil || len(errs) != 3 || errs[0].Line != 3 || errs[1].Line != 4 || errs[2].Line != 5 {
		t.Fatalf("errors %+v", errs)
	}
	if keyOf(errs[1].Err) != "err.digital.import.firm" || keyOf(errs[2].Err) != "err.digital.import.duplicate" {
		t.Errorf("keys %v %v", errs[1].Err, errs[2].Err)
	}
	// A missing required column refuses the file.
	if _, errs := ParseProjectRows(r, header[1:], nil, ids); len(errs) != 1 || keyOf(errs[0].Err) != "err.digital.import.missing_column" {
		t.Errorf("missing column: %v", errs)
	}
}

func TestRulesLoad(t *testing.T) {
	r := loadRules(t)
	if got := r.Threshold(Day(2023, 1, 1)); got != 3000*unit.Wan {
		t.Errorf("threshold %d", got)
	}
	reg := r.Registry()
	if _, err := LoadRules([]byte(`{"versions":[{"version":"x","effective_from":"2020-01-01","source":"","approval":{"city_threshold_wan":"0","note":""}}],"goals":[]}`), scenariosJSON, reg); err == nil {
		t.Error("a zero threshold loads")
	}
	// A ladder rule set of a rung the module does not know refuses the load.
	odd, err := rules.New(rules.Options{Files: map[string][]byte{"odd.json": []byte(`{"family":"x","rule_sets":[{"id":"x_factory",
		"subject":"digital_ladder","policy":{"zh":"x","en":"x"},"title":{"zh":"x","en":"x"},"title_kind":"x_factory","version":"1",
		"jurisdiction":"CN-CQ","effective_from":"2020-01-01","kinds":["new"],"source":"x","criteria":{"id":"q","type":"all_of","label":{"zh":"x","en":"x"},"children":[
		{"id":"cmmm","type":"condition","metric":"cmmm_level","op":"min","threshold":"1","inclusive":true,"label":{"zh":"x","en":"x"}}]}}]}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadRules(policyJSON, scenariosJSON, odd); err == nil {
		t.Error("an unknown rung loads")
	}
	if len(ImportColumns()) == 0 {
		t.Error("no import column")
	}
}

// TestLadderCriteriaAtThresholds judges each data-decidable criterion of
// each rung at, just below and just above its threshold (the figures are
// the documents': NC rate 50 % and 65 %, two workshops, CMMM level 3, one
// prior title), with the other criteria met, and with its data missing.
func TestLadderCriteriaAtThresholds(t *testing.T) {
	r := loadRules(t)
	at := Day(2024, 12, 1)
	rec := func(rung Rung, n int) []Recognition {
		var out []Recognition
		for i := range n {
			out = append(out, Recognition{Rung: rung, RecognisedOn: Day(2023, 6, 28), Name: string(rune('A' + i))})
		}
		return out
	}
	nc := func(bp int64) *int64 { return &bp }
	firm := func(ncBP *int64, cmmm int, recs ...[]Recognition) Firm {
		f := Firm{Maturity: []Maturity{{Year: 2024, NCRate: ncBP, CMMM: cmmm}}}
		for _, rs := range recs {
			f.Recognitions = append(f.Recognitions, rs...)
		}
		return f
	}
	type tc struct {
		rung             Rung
		criterion        string
		below, at, above Firm
		missing          Firm
	}
	for _, c := range []tc{
		{RungWorkshop, "nc_rate_bp", firm(nc(4999), 0), firm(nc(5000), 0), firm(nc(5001), 0), firm(nil, 0)},
		{RungSmart, "nc_rate_bp", firm(nc(6499), 0, rec(RungWorkshop, 2)), firm(nc(6500), 0, rec(RungWorkshop, 2)),
			firm(nc(6501), 0, rec(RungWorkshop, 2)), firm(nil, 0, rec(RungWorkshop, 2))},
		{RungSmart, "digital_workshops", firm(nc(7000), 0, rec(RungWorkshop, 1)), firm(nc(7000), 0, rec(RungWorkshop, 2)),
			firm(nc(7000), 0, rec(RungWorkshop, 3)), Firm{}},
		{RungExcellent, "cmmm_level", firm(nil, 2, rec(RungSmart, 1)), firm(nil, 3, rec(RungSmart, 1)), firm(nil, 4, rec(RungSmart, 1)),
			firm(nil, 0, rec(RungSmart, 1))},
		{RungExcellent, "holds_smart_factory", firm(nil, 3), firm(nil, 3, rec(RungSmart, 1)), firm(nil, 3, rec(RungSmart, 2)), Firm{}},
		{RungLeading, "holds_smart_factory_excellent", firm(nil, 0), firm(nil, 0, rec(RungExcellent, 1)), firm(nil, 0, rec(RungExcellent, 2)), Firm{}},
		{RungFuture, "cmmm_level", firm(nil, 2, rec(RungSmart, 1)), firm(nil, 3, rec(RungSmart, 1)), firm(nil, 5, rec(RungSmart, 1)),
			firm(nil, 0, rec(RungSmart, 1))},
		{RungFuture, "holds_smart_factory", firm(nil, 3), firm(nil, 3, rec(RungSmart, 1)), firm(nil, 3, rec(RungSmart, 3)), Firm{}},
	} {
		cond := func(f Firm) (Verdict, CondResult) {
			v := r.Evaluate(f, c.rung, at)
			for _, cr := range v.Conditions {
				if cr.Metric == c.criterion {
					return v, cr
				}
			}
			t.Fatalf("%s has no criterion %s: %+v", c.rung, c.criterion, v.Conditions)
			return v, CondResult{}
		}
		name := string(c.rung) + "/" + c.criterion
		if v, cr := cond(c.below); cr.Status != NotMet || v.Status != NotMet || v.Unmet != 1 {
			t.Errorf("%s below: %s (verdict %s, %d unmet)", name, cr.Status, v.Status, v.Unmet)
		}
		for pos, f := range map[string]Firm{"at": c.at, "above": c.above} {
			if v, cr := cond(f); cr.Status != Met || v.Status != Met || len(v.Manual) == 0 {
				t.Errorf("%s %s: %s (verdict %s; manual %v)", name, pos, cr.Status, v.Status, v.Manual)
			}
		}
		// Recognitions are a complete record (none held is known); the
		// maturity facts are unknown without a record.
		_, cr := cond(c.missing)
		if want := Unknown; c.criterion == "digital_workshops" || strings.HasPrefix(c.criterion, "holds_") {
			if cr.Status != NotMet {
				t.Errorf("%s with no recognition: %s, want not met", name, cr.Status)
			}
		} else if cr.Status != want {
			t.Errorf("%s without data: %s, want unknown", name, cr.Status)
		}
	}

	// The engine explains a criterion and says what would meet it.
	v := r.Evaluate(firm(nc(6000), 0, rec(RungWorkshop, 2)), RungSmart, at)
	if v.RuleSet != "cq2024_smart_factory" || v.Unmet != 1 {
		t.Fatalf("verdict %+v", v)
	}
	if got := v.Conditions[0].Explain("zh-CN"); !strings.Contains(got, "60%") || !strings.Contains(got, "≥ 65%") {
		t.Errorf("explanation %q", got)
	}
	if w := v.WhatIfText("en"); len(w) != 1 || !strings.Contains(w[0], "65 %") {
		t.Errorf("what-if %q", w)
	}
	// Before 2024 the smart factory is judged by the 2018 rule set.
	f23 := Firm{Maturity: []Maturity{{Year: 2023, NCRate: nc(7000)}}, Recognitions: rec(RungWorkshop, 2)}
	if v := r.Evaluate(f23, RungSmart, Day(2023, 12, 31)); v.RuleSet != "cq2018_smart_factory" || v.Status != Met {
		t.Errorf("2023 smart factory: %s %s", v.RuleSet, v.Status)
	}
	// A recognition dated after the day does not count yet.
	late := Firm{Maturity: []Maturity{{Year: 2024, NCRate: nc(7000)}}, Recognitions: append(rec(RungWorkshop, 1),
		Recognition{Rung: RungWorkshop, RecognisedOn: Day(2024, 12, 20), Name: "late"})}
	if v := r.Evaluate(late, RungSmart, at); v.Status != NotMet {
		t.Errorf("a workshop recognised after the day counted: %s", v.Status)
	}
}

// TestProjectReview walks an application through the review workflow:
// every transition, and every refusal by role, state and level.
func TestProjectReview(t *testing.T) {
	r := loadRules(t)
	p := Project{Code: "R-1", EnterpriseID: 1, Name: "改造", Kind: KindIntelligent, Planned: 500 * unit.Wan, Scenarios: []string{"F01"},
		StartOn: Day(2024, 3, 1), EndOn: Day(2024, 10, 31), Events: []Event{{Stage: StageApplied, Date: Day(2024, 2, 1)}}}
	officer := review.Fill | review.Review
	firm := review.Fill
	step := func(p Project, s ReviewStep) (Project, error) {
		o, err := DecideReview(p, s, r)
		return o.Project, err
	}
	if p.ReviewState() != review.Submitted {
		t.Fatalf("an application without a stored state: %s", p.ReviewState())
	}
	if got := ReviewActions(p, firm); len(got) != 0 {
		t.Errorf("the firm may %v a submitted application", got)
	}
	if got := ReviewActions(p, officer); len(got) != 2 || got[0] != review.Return || got[1] != review.Accept {
		t.Errorf("the officer may %v", got)
	}
	for _, c := range []struct {
		name string
		s    ReviewStep
		want apperr.Code
	}{
		{"firm returns", ReviewStep{Action: review.Return, Reason: "x", Caps: firm}, apperr.Forbidden},
		{"nobody accepts", ReviewStep{Action: review.Accept, Date: Day(2024, 3, 1)}, apperr.Forbidden},
		{"return without reason", ReviewStep{Action: review.Return, Caps: officer}, apperr.Invalid},
		{"resubmit unreturned", ReviewStep{Action: review.Submit, Caps: firm}, apperr.Conflict},
		{"save", ReviewStep{Action: review.Save, Caps: officer}, apperr.Invalid},
		{"record", ReviewStep{Action: review.Record, Caps: officer}, apperr.Invalid},
		{"accept before the application", ReviewStep{Action: review.Accept, Caps: officer, Date: Day(2024, 1, 1)}, apperr.Invalid},
	} {
		if _, err := step(p, c.s); apperr.CodeOf(err) != c.want {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}
	ret, err := step(p, ReviewStep{Action: review.Return, Reason: "缺少可研报告", Caps: officer})
	if err != nil || ret.ReviewState() != review.Returned || ret.ReviewReason != "缺少可研报告" || len(ret.Events) != 1 {
		t.Fatalf("return: %v %+v", err, ret)
	}
	if _, err := step(ret, ReviewStep{Action: review.Accept, Caps: officer, Date: Day(2024, 3, 1)}); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("accepting a returned application: %v", err)
	}
	// Resubmitted with a corrected investment of ¥30 m: now city level.
	planned := 3000 * unit.Wan
	re, err := step(ret, ReviewStep{Action: review.Submit, Caps: firm, Correction: &Correction{Planned: &planned}})
	if err != nil || re.ReviewState() != review.Submitted || re.Planned != planned || re.ReviewReason != "" {
		t.Fatalf("resubmit: %v %+v", err, re)
	}
	bad := unit.Fen(-1)
	if _, err := step(ret, ReviewStep{Action: review.Submit, Caps: firm, Correction: &Correction{Planned: &bad}}); err == nil {
		t.Error("a negative corrected investment is accepted")
	}
	if _, err := step(re, ReviewStep{Action: review.Accept, Caps: officer, Date: Day(2024, 3, 1)}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("a district officer accepts a city-level project: %v", err)
	}
	o, err := DecideReview(re, ReviewStep{Action: review.Accept, Caps: officer, City: true, Date: Day(2024, 3, 1)}, r)
	if err != nil || o.To != review.Accepted || o.Event == nil || o.Event.Level != LevelCity || o.Project.Current().Stage != StageApproved {
		t.Fatalf("city accept: %v %+v", err, o)
	}
	if got := ReviewActions(o.Project, officer); len(got) != 0 {
		t.Errorf("actions after approval: %v", got)
	}
	// Just below the threshold the district approves.
	below := 3000*unit.Wan - 1
	re.Planned = below
	if o, err := DecideReview(re, ReviewStep{Action: review.Accept, Caps: officer, Date: Day(2024, 3, 1)}, r); err != nil || o.Event.Level != LevelDistrict {
		t.Errorf("district accept below the threshold: %v", err)
	}
}
