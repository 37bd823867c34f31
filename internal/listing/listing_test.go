package listing

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/unit"
)

func d(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func ev(stage Stage, date string) Event { return Event{Stage: stage, Date: d(date)} }

func tut(date, sponsor string) Event {
	return Event{Stage: StageTutoring, Date: d(date), Sponsor: sponsor}
}

func acc(date string, b Board) Event { return Event{Stage: StageAccepted, Date: d(date), Board: b} }

func ipo(date string, b Board, yi100m int64) Event {
	return Event{Stage: StageListed, Date: d(date), Board: b, Kind: KindIPO, Proceeds: unit.Fen(yi100m) * unit.Yi / 100}
}

// fullIPO is the whole domestic route.
func fullIPO(listed string, b Board, cents int64) []Event {
	return []Event{
		ev(StageReserve, "2019-03-01"), ev(StageReform, "2019-09-01"), tut("2020-01-10", "中信证券股份有限公司"),
		acc("2021-06-30", b), ev(StageReview, "2022-01-20"), ev(StageRegistered, "2022-03-01"), ipo(listed, b, cents),
	}
}

func errKey(err error) string {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae.Key
	}
	return ""
}

func TestValidateAccepts(t *testing.T) {
	cases := []struct {
		name   string
		events []Event
	}{
		{"full domestic IPO", fullIPO("2022-04-15", BoardSTAR, 1234)},
		{"opens at tutoring (tracked mid-way)", []Event{tut("2024-02-07", "中信证券股份有限公司"), acc("2024-06-01", BoardChiNext)}},
		{"historical listing as one event", []Event{ipo("2010-05-06", BoardSZSEMain, 500)}},
		{"relocation opens a record", []Event{{Stage: StageListed, Date: d("2023-08-01"), Board: BoardSZSEMain, Kind: KindRelocation}}},
		{"Hong Kong: reform straight to acceptance, review straight to listing", []Event{
			ev(StageReform, "2020-01-01"), acc("2021-01-01", BoardHKEX), ev(StageReview, "2021-06-01"), ipo("2021-07-01", BoardHKEX, 300)}},
		{"reverse merger from the reserve pool", []Event{ev(StageReserve, "2020-01-01"), {Stage: StageListed, Date: d("2021-01-01"), Board: BoardSSEMain, Kind: KindOther}}},
		{"withdrawal and re-filing of tutoring", []Event{
			ev(StageReform, "2019-01-01"), tut("2019-05-01", "国泰君安证券股份有限公司"), acc("2020-01-01", BoardSSEMain),
			ev(StageWithdrawn, "2020-09-01"), tut("2021-03-01", "华泰联合证券有限责任公司")}},
		{"same-day registration and listing", []Event{ev(StageReview, "2023-01-01"), ev(StageRegistered, "2023-02-01"), ipo("2023-02-01", BoardSSEMain, 100)}},
		{"exit then move back", []Event{ipo("2010-01-01", BoardSSEMain, 100), ev(StageExited, "2015-01-01"),
			{Stage: StageListed, Date: d("2018-01-01"), Board: BoardSSEMain, Kind: KindRelocation}}},
		{"agreement before filing", []Event{{Stage: StageTutoring, Date: d("2024-02-07"), AgreedOn: d("2024-01-31"), Sponsor: "中信证券股份有限公司"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := (Record{Events: c.events}).Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

func TestValidateRejects(t *testing.T) {
	cases := []struct {
		name   string
		events []Event
		key    string
		n      int // event number named in the error
	}{
		{"date goes backwards", []Event{ev(StageReserve, "2020-05-01"), ev(StageReform, "2020-04-30")}, "err.listing.date_backwards", 2},
		{"reserve to tutoring skips reform", []Event{ev(StageReserve, "2020-01-01"), tut("2020-02-01", "x")}, "err.listing.skip", 2},
		{"tutoring to review skips acceptance", []Event{tut("2020-01-01", "x"), ev(StageReview, "2020-02-01")}, "err.listing.skip", 2},
		{"domestic IPO without registration", []Event{acc("2020-01-01", BoardSSEMain), ev(StageReview, "2020-02-01"), ipo("2020-03-01", BoardSSEMain, 1)}, "err.listing.skip", 3},
		{"domestic application without tutoring", []Event{ev(StageReform, "2020-01-01"), acc("2020-02-01", BoardChiNext)}, "err.listing.skip", 2},
		{"registration for Hong Kong", []Event{acc("2020-01-01", BoardHKEX), ev(StageReview, "2020-02-01"), ev(StageRegistered, "2020-03-01")}, "err.listing.registration_overseas", 3},
		{"repeat", []Event{tut("2020-01-01", "x"), tut("2020-02-01", "y")}, "err.listing.repeat", 2},
		{"opens with withdrawal", []Event{ev(StageWithdrawn, "2020-01-01")}, "err.listing.first_outcome", 1},
		{"tutoring without sponsor", []Event{ev(StageTutoring, "2020-01-01")}, "err.listing.sponsor_missing", 1},
		{"agreement after filing", []Event{{Stage: StageTutoring, Date: d("2024-02-07"), AgreedOn: d("2024-02-08"), Sponsor: "x"}}, "err.listing.agreed_after_filing", 1},
		{"agreement on another stage", []Event{{Stage: StageReform, Date: d("2024-02-07"), AgreedOn: d("2024-02-01")}}, "err.listing.agreed_not_tutoring", 1},
		{"IPO without proceeds", []Event{{Stage: StageListed, Date: d("2020-01-01"), Board: BoardSSEMain, Kind: KindIPO}}, "err.listing.proceeds_missing", 1},
		{"relocation with proceeds", []Event{{Stage: StageListed, Date: d("2020-01-01"), Board: BoardSSEMain, Kind: KindRelocation, Proceeds: 1}}, "err.listing.proceeds_not_ipo", 1},
		{"listing without board", []Event{{Stage: StageListed, Date: d("2020-01-01"), Kind: KindRelocation}}, "err.listing.board_missing", 1},
		{"listing without kind", []Event{{Stage: StageListed, Date: d("2020-01-01"), Board: BoardBSE}}, "err.listing.kind_missing", 1},
		{"board on reform", []Event{{Stage: StageReform, Date: d("2020-01-01"), Board: BoardBSE}}, "err.listing.board_not_applicable", 1},
		{"proceeds on acceptance", []Event{{Stage: StageAccepted, Date: d("2020-01-01"), Board: BoardBSE, Proceeds: 5}}, "err.listing.proceeds_not_applicable", 1},
		{"listed on another board than applied", []Event{acc("2020-01-01", BoardSTAR), ev(StageReview, "2020-02-01"), ev(StageRegistered, "2020-03-01"), ipo("2020-04-01", BoardChiNext, 1)}, "err.listing.board_changed", 4},
		{"relocation out of the pipeline", []Event{ev(StageReserve, "2020-01-01"), {Stage: StageListed, Date: d("2021-01-01"), Board: BoardSSEMain, Kind: KindRelocation}}, "err.listing.relocation_in_pipeline", 2},
		{"listed company withdraws", []Event{ipo("2010-01-01", BoardSSEMain, 1), ev(StageWithdrawn, "2011-01-01")}, "err.listing.skip", 2},
		{"exit before listing", []Event{tut("2020-01-01", "x"), ev(StageExited, "2021-01-01")}, "err.listing.skip", 2},
		{"re-filing tutoring without reform", []Event{ev(StageReserve, "2019-01-01"), ev(StageWithdrawn, "2019-06-01"), tut("2020-01-01", "x")}, "err.listing.skip", 3},
		{"unknown stage", []Event{ev("ipo", "2020-01-01")}, "err.listing.stage", 1},
		{"missing date", []Event{{Stage: StageReserve}}, "err.listing.date_missing", 1},
		{"unknown board", []Event{acc("2020-01-01", "nyse")}, "err.listing.board_missing", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := (Record{Events: c.events}).Validate()
			if err == nil {
				t.Fatal("accepted")
			}
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != apperr.Invalid || ae.Key != c.key {
				t.Fatalf("error %v, want %s", err, c.key)
			}
			if len(ae.Args) == 0 || ae.Args[0] != c.n {
				t.Fatalf("error names event %v, want %d", ae.Args, c.n)
			}
		})
	}
}

func TestAppendKeepsOriginal(t *testing.T) {
	r := Record{EnterpriseID: 7, Events: make([]Event, 0, 8)}
	r.Events = append(r.Events, ev(StageReserve, "2020-01-01"))
	r2, err := r.Append(ev(StageReform, "2020-06-01"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Append(tut("2020-07-01", "x")); errKey(err) != "err.listing.skip" {
		t.Fatalf("skip allowed: %v", err)
	}
	// The failed append left r2 as it was, even though r had spare capacity.
	if len(r.Events) != 1 || len(r2.Events) != 2 || r2.Events[1].Stage != StageReform || r2.EnterpriseID != 7 {
		t.Fatalf("r=%v r2=%v", r.Events, r2.Events)
	}
	r3, err := r2.Append(tut("2020-07-01", "x"))
	if err != nil || r2.Events[1].Stage != StageReform || len(r3.Events) != 3 {
		t.Fatalf("append to r2: %v %v", err, r3.Events)
	}
}

func TestStateAt(t *testing.T) {
	r := Record{Events: []Event{
		ev(StageReform, "2019-01-01"),
		{Stage: StageTutoring, Date: d("2020-01-10"), AgreedOn: d("2020-01-02"), Sponsor: "A证券"},
		acc("2021-06-30", BoardSTAR), ev(StageReview, "2022-01-20"), ev(StageRegistered, "2022-03-01"), ipo("2022-04-15", BoardSTAR, 1234),
	}}
	if _, ok := r.At(d("2018-12-31")); ok {
		t.Fatal("state before the first event")
	}
	st, _ := r.At(d("2020-01-10"))
	if st.Stage != StageTutoring || st.Sponsor != "A证券" || !st.AgreedOn.Equal(d("2020-01-02")) || st.Board != "" || st.Events != 2 {
		t.Fatalf("at filing day: %+v", st)
	}
	st, _ = r.At(d("2022-04-14"))
	if st.Stage != StageRegistered || st.Board != BoardSTAR || st.Sponsor != "A证券" {
		t.Fatalf("day before listing: %+v", st)
	}
	st, _ = r.Current()
	if st.Stage != StageListed || st.Kind != KindIPO || st.Proceeds != 1234*unit.Yi/100 || !st.Since.Equal(d("2022-04-15")) {
		t.Fatalf("current: %+v", st)
	}
}

// A hand-made city of six records. At 2023-12-31:
//
//	A full domestic IPO listed 2022-04-15, 12.34亿 (STAR)         listed, domestic
//	B tutoring 2023-03-01 (reform 2022)                            tutoring
//	C IPO 2023-05-10 on ChiNext 30.00亿, via the full route       listed, domestic
//	D relocation 2023-08-01 (SZSE main)                           listed, domestic
//	E HK IPO 2023-11-11 10.00亿, then exits 2024-01-05            listed, overseas (exited in 2024)
//	F tutoring 2021-01-01, withdrawn 2023-02-01                   withdrawn
//	G IPO on BSE 2023-12-20 5.50亿                                listed, domestic
func city() []Record {
	return []Record{
		{1, fullIPO("2022-04-15", BoardSTAR, 1234)},
		{2, []Event{ev(StageReform, "2022-06-01"), tut("2023-03-01", "B证券")}},
		{3, []Event{ev(StageReform, "2020-01-01"), tut("2020-05-01", "C证券"), acc("2022-06-01", BoardChiNext), ev(StageReview, "2022-11-01"),
			ev(StageRegistered, "2023-04-01"), ipo("2023-05-10", BoardChiNext, 3000)}},
		{4, []Event{{Stage: StageListed, Date: d("2023-08-01"), Board: BoardSZSEMain, Kind: KindRelocation}}},
		{5, []Event{ev(StageReform, "2021-01-01"), acc("2022-01-01", BoardHKEX), ev(StageReview, "2023-10-01"), ipo("2023-11-11", BoardHKEX, 1000), ev(StageExited, "2024-01-05")}},
		{6, []Event{tut("2021-01-01", "F证券"), ev(StageWithdrawn, "2023-02-01")}},
		{7, []Event{ev(StageReview, "2023-09-01"), ev(StageRegistered, "2023-11-01"), ipo("2023-12-20", BoardBSE, 550)}},
	}
}

func TestCityIsValid(t *testing.T) {
	for _, r := range city() {
		if err := r.Validate(); err != nil {
			t.Fatalf("record %d: %v", r.EnterpriseID, err)
		}
	}
}

func TestCountsAt(t *testing.T) {
	c := CountsAt(city(), d("2023-12-31"))
	want := map[Stage]int{StageListed: 5, StageTutoring: 1, StageWithdrawn: 1}
	if len(c.ByStage) != len(want) {
		t.Fatalf("by stage %v, want %v", c.ByStage, want)
	}
	for s, n := range want {
		if c.ByStage[s] != n {
			t.Fatalf("by stage %v, want %v", c.ByStage, want)
		}
	}
	if c.Listed != (ListedCount{Domestic: 4, Overseas: 1, Total: 5}) || c.InPipeline != 1 || c.Records != 7 {
		t.Fatalf("counts %+v", c)
	}
	// 2023-06-30: A and C listed; B tutoring; E accepted (review only
	// from 2023-10-01); F withdrawn; D and G not yet tracked.
	c = CountsAt(city(), d("2023-06-30"))
	if c.Listed.Total != 2 || c.ByStage[StageAccepted] != 1 || c.ByStage[StageTutoring] != 1 || c.Records != 5 || c.InPipeline != 2 {
		t.Fatalf("mid-2023 %+v", c)
	}
	// After E exits.
	if c := CountsAt(city(), d("2024-01-05")); c.Listed != (ListedCount{Domestic: 4, Total: 4}) || c.ByStage[StageExited] != 1 {
		t.Fatalf("2024-01-05 %+v", c)
	}
}

func TestYearly(t *testing.T) {
	ys := Yearly(city(), 2022, 2023)
	if len(ys) != 2 || ys[0].Year != 2022 || ys[1].Year != 2023 {
		t.Fatalf("years %+v", ys)
	}
	y22, y23 := ys[0], ys[1]
	if y22.Listings != (ListingCount{Total: 1, IPO: 1, Domestic: 1, DomesticIPO: 1}) || y22.IPOProceeds != 1234*unit.Yi/100 {
		t.Fatalf("2022 %+v", y22)
	}
	if y22.GrowthKnown {
		t.Fatal("2021 raised nothing; growth must be unknown")
	}
	// 2023: C, D, E, G listed: IPOs C, E, G; relocation D; domestic C, D, G.
	if y23.Listings != (ListingCount{Total: 4, IPO: 3, Relocation: 1, Domestic: 3, Overseas: 1, DomesticIPO: 2}) {
		t.Fatalf("2023 listings %+v", y23.Listings)
	}
	// Domestic IPO proceeds 30.00 + 5.50 = 35.50亿; HK 10.00亿 apart.
	if y23.IPOProceeds != 3550*unit.Yi/100 || y23.OverseasProceeds != 10*unit.Yi {
		t.Fatalf("2023 proceeds %d / %d", y23.IPOProceeds, y23.OverseasProceeds)
	}
	// (35.50 / 12.34 − 1) × 100 = 187.6823…
	if !y23.GrowthKnown || math.Abs(y23.ProceedsGrowthPct-187.68233387358184) > 1e-9 {
		t.Fatalf("growth %.10f", y23.ProceedsGrowthPct)
	}
	// New tutoring filings in 2023: B only; withdrawals: F. Acceptances
	// in 2022: C (06-01) and E (01-01); A's was in 2021.
	if y23.Entered[StageTutoring] != 1 || y23.Entered[StageWithdrawn] != 1 || y23.Entered[StageListed] != 4 || y22.Entered[StageAccepted] != 2 {
		t.Fatalf("entered 2022 %v 2023 %v", y22.Entered, y23.Entered)
	}
	// End-2022 tutoring: F only (C was accepted in June 2022, B filed in 2023).
	if y23.ListedAtEnd.Total != 5 || y22.ListedAtEnd.Total != 1 || y23.InTutoringAtEnd != 1 || y22.InTutoringAtEnd != 1 {
		t.Fatalf("year-end stock %+v %+v", y22, y23)
	}
	if Yearly(city(), 2024, 2023) != nil {
		t.Fatal("empty range")
	}
}

func TestAtStage(t *testing.T) {
	got := AtStage(city(), StageListed, d("2023-12-31"))
	ids := []int64{}
	for _, e := range got {
		ids = append(ids, e.EnterpriseID)
	}
	if len(ids) != 5 || ids[0] != 1 || ids[4] != 7 {
		t.Fatalf("listed %v", ids)
	}
	if n := len(AtStage(city(), "", d("2023-12-31"))); n != 7 {
		t.Fatalf("all %d", n)
	}
}

// TestYearlyThroughRunningYear: figures taken during a year count events up
// to that day, and the running year's proceeds growth compares with the
// previous year up to the same day, not with its whole year (which read
// −100 % every January).
func TestYearlyThroughRunningYear(t *testing.T) {
	recs := []Record{
		{EnterpriseID: 1, Events: []Event{ipo("2023-01-20", BoardSSEMain, 10)}},
		{EnterpriseID: 2, Events: []Event{ipo("2023-09-01", BoardSTAR, 30)}},
		{EnterpriseID: 3, Events: []Event{ipo("2024-01-25", BoardSZSEMain, 12)}},
		{EnterpriseID: 4, Events: []Event{ipo("2024-06-01", BoardSSEMain, 50)}}, // after the day
	}
	p := func(v int64) unit.Fen { return ipo("2023-01-01", BoardSSEMain, v).Proceeds }
	through := d("2024-02-29")
	ys := YearlyThrough(recs, 2023, 2024, through)
	y23, y24 := ys[0], ys[1]
	if !y23.Through.IsZero() || y23.IPOProceeds != p(40) || y23.ListedAtEnd.Total != 2 {
		t.Errorf("2023 is a complete year: %+v", y23)
	}
	if !y24.Through.Equal(through) || y24.IPOProceeds != p(12) || y24.Listings.Total != 1 || y24.ListedAtEnd.Total != 3 {
		t.Errorf("2024 through %s counts the events up to that day: %+v", through.Format(time.DateOnly), y24)
	}
	// 12 against the 10 raised by the same day of 2023: +20 %, not −70 %.
	if !y24.GrowthKnown || math.Abs(y24.ProceedsGrowthPct-20) > 1e-9 {
		t.Errorf("2024 growth %v (known %v), want +20 against the same period", y24.ProceedsGrowthPct, y24.GrowthKnown)
	}
	// On the year's last day the year is complete; a zero day counts all.
	if full := YearlyThrough(recs, 2024, 2024, YearEnd(2024))[0]; !full.Through.IsZero() || full.IPOProceeds != p(62) {
		t.Errorf("complete 2024: %+v", full)
	}
	if all := Yearly(recs, 2024, 2024)[0]; all.IPOProceeds != p(62) || !all.Through.IsZero() {
		t.Errorf("Yearly counts every event: %+v", all)
	}
}
