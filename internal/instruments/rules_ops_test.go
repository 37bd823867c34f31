package instruments

import (
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/unit"
)

func TestPlatformRules(t *testing.T) {
	vs, err := PlatformRules()
	if err != nil {
		t.Fatal(err)
	}
	if got := DefaultRules(); got.Approval != vs[len(vs)-1].Rules.Approval || got.CancelFreeHours != vs[len(vs)-1].Rules.CancelFreeHours {
		t.Fatalf("DefaultRules %+v is not the latest version", got)
	}
	before, err := PlatformRulesOn("2000-01-01")
	if err != nil || before.GranularityMinutes == 0 {
		t.Fatalf("a day before every version takes the oldest: %+v %v", before, err)
	}
}

func TestRulesValidateOps(t *testing.T) {
	for name, mod := range map[string]func(*Rules){
		"cancel share above 100%":  func(r *Rules) { r.CancelFeePermille = 1001 },
		"no-show share below 0":    func(r *Rules) { r.NoShowFeePermille = -1 },
		"weekday 8":                func(r *Rules) { r.InternalFirst = []InternalWindow{{Weekdays: []int{8}, FromMinute: 0, ToMinute: 60}} },
		"window ends before start": func(r *Rules) { r.InternalFirst = []InternalWindow{{FromMinute: 600, ToMinute: 540}} },
		"unknown window kind": func(r *Rules) {
			r.Maintenance = []Window{{Start: time.Unix(0, 0), End: time.Unix(60, 0), Kind: "party"}}
		},
		"negative violation days": func(r *Rules) { r.ViolationDays = -1 },
	} {
		r := DefaultRules()
		mod(&r)
		if err := r.Validate(); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	r := DefaultRules()
	r.CancelFeePermille, r.NoShowFeePermille = 1000, 0
	r.InternalFirst = []InternalWindow{{Weekdays: []int{1, 7}, FromMinute: 480, ToMinute: 0, ReleaseHours: 48}}
	if err := r.Validate(); err != nil {
		t.Fatalf("limits themselves are valid: %v", err)
	}
}

// TestInternalFirstLimits: a slot in a Monday-to-Friday 08:00–12:00
// internal window, released 48 hours before its start.
func TestInternalFirstLimits(t *testing.T) {
	r := DefaultRules()
	r.LeadMinutes, r.HorizonDays, r.DailyQuotaMinutes = 0, 0, 0
	r.InternalFirst = []InternalWindow{{Weekdays: []int{1, 2, 3, 4, 5}, FromMinute: 8 * 60, ToMinute: 12 * 60, ReleaseHours: 48}}
	r.OpenFromMinute = 7 * 60
	mon := time.Date(2026, 12, 7, 10, 0, 0, 0, Zone) // a Monday
	release := mon.Add(-48 * time.Hour)
	early := release.Add(-72 * time.Hour)
	at := func(h, m int) time.Time { return time.Date(2026, 12, 7, h, m, 0, 0, Zone) }
	for _, c := range []struct {
		name       string
		start, end time.Time
		now        time.Time
		internal   bool
		refused    bool
	}{
		{"external one second before the release", mon, mon.Add(time.Hour), release.Add(-time.Second), false, true},
		{"external at the release", mon, mon.Add(time.Hour), release, false, false},
		{"external after the release", mon, mon.Add(time.Hour), release.Add(time.Hour), false, false},
		{"internal before the release", mon, mon.Add(time.Hour), early, true, false},
		{"external, slot ending at the window's start", at(7, 0), at(8, 0), early, false, false},
		{"external, slot over the window's last half hour", at(11, 30), at(12, 30), early, false, true},
		{"external, slot from the window's end", at(12, 0), at(13, 0), early, false, false},
		{"external on a Sunday", mon.AddDate(0, 0, -1), mon.AddDate(0, 0, -1).Add(time.Hour), early, false, false},
	} {
		err := r.CheckSlot(SlotRequest{Start: c.start, End: c.end, Now: c.now, Internal: c.internal})
		if c.refused != apperr.Is(err, apperr.Forbidden) || !c.refused && err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// TestCancelFeeLimits: free until 24 hours before the start (that
// instant included), then 20 % of the booked price; no cancelling once
// the slot has started.
func TestCancelFeeLimits(t *testing.T) {
	start := time.Date(2026, 12, 7, 10, 0, 0, 0, Zone)
	o := Order{Mode: SelfOperation, ChargeUnit: PerHour, UnitPrice: 300 * unit.Yuan, BookedMinutes: 120, Start: start, End: start.Add(2 * time.Hour),
		Terms: OrderTerms{CancelFreeHours: 24, CancelFeePermille: 200}}
	limit := start.Add(-24 * time.Hour)
	for _, c := range []struct {
		name string
		from OrderState
		now  time.Time
		fee  unit.Fen
	}{
		{"a second before the limit", Scheduled, limit.Add(-time.Second), 0},
		{"at the limit", Scheduled, limit, 0},
		{"a second after the limit", Scheduled, limit.Add(time.Second), 120 * unit.Yuan}, // 20 % of 2 h × ¥300
		{"an hour before the start", Approved, start.Add(-time.Hour), 120 * unit.Yuan},
		{"a request never approved", Submitted, start.Add(-time.Hour), 0},
	} {
		fee, err := o.CancelFee(c.from, c.now)
		if err != nil || fee != c.fee {
			t.Errorf("%s: fee %d, %v; want %d", c.name, fee, err, c.fee)
		}
	}
	if _, err := o.CancelFee(Scheduled, start); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("cancelling at the start: %v", err)
	}
	s := Order{Mode: SampleSending, ChargeUnit: PerSample, UnitPrice: 80 * unit.Yuan, Samples: 3, Terms: OrderTerms{CancelFreeHours: 24, CancelFeePermille: 200}}
	if fee, err := s.CancelFee(Approved, start); err != nil || fee != 0 {
		t.Errorf("sample order: %d %v", fee, err)
	}
	// Rounding: 1/3 of an odd fen amount rounds half up.
	odd := o
	odd.UnitPrice, odd.BookedMinutes, odd.Terms.CancelFeePermille = 1, 60, 500 // charge 1 fen, fee 0.5 → 1
	if fee, _ := odd.CancelFee(Scheduled, start.Add(-time.Hour)); fee != 1 {
		t.Errorf("half a fen rounds up: %d", fee)
	}
}

// TestNoShowLimits: a no-show is marked 15 minutes after the start at
// the earliest and costs the booked price in full.
func TestNoShowLimits(t *testing.T) {
	start := time.Date(2026, 12, 7, 10, 0, 0, 0, Zone)
	o := Order{Mode: SelfOperation, ChargeUnit: PerHour, UnitPrice: 300 * unit.Yuan, BookedMinutes: 90, Start: start, End: start.Add(90 * time.Minute),
		Terms: OrderTerms{NoShowGraceMinutes: 15, NoShowFeePermille: 1000}}
	if _, err := o.NoShowFee(start.Add(15*time.Minute - time.Second)); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("before the grace: %v", err)
	}
	for _, at := range []time.Duration{15 * time.Minute, 16 * time.Minute, 3 * time.Hour} {
		if fee, err := o.NoShowFee(start.Add(at)); err != nil || fee != 450*unit.Yuan {
			t.Errorf("at +%v: %d %v", at, fee, err)
		}
	}
	if _, err := (Order{Mode: SampleSending}).NoShowFee(start); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("a sample order has no slot to miss: %v", err)
	}
}

// TestViolationLimits: MaxViolations suspends, fewer do not; the period
// defaults to a year.
func TestViolationLimits(t *testing.T) {
	r := DefaultRules()
	r.MaxViolations = 3
	for n, suspended := range map[int]bool{2: false, 3: true, 4: true} {
		if err := r.CheckViolations(n); apperr.Is(err, apperr.Forbidden) != suspended {
			t.Errorf("%d violations: %v", n, err)
		}
	}
	r.MaxViolations = 0
	if err := r.CheckViolations(100); err != nil {
		t.Errorf("no limit: %v", err)
	}
	now := time.Date(2026, 12, 3, 8, 0, 0, 0, Zone)
	r.ViolationDays = 0
	if got := r.ViolationSince(now); !got.Equal(now.Add(-365 * 24 * time.Hour)) {
		t.Errorf("default period: %v", got)
	}
	r.ViolationDays = 90
	if got := r.ViolationSince(now); !got.Equal(now.Add(-90 * 24 * time.Hour)) {
		t.Errorf("90 days: %v", got)
	}
}

func TestQualificationCovers(t *testing.T) {
	in := Instrument{ID: 7, UnitID: 3, ClassCode: "01"}
	q := Qualification{InstrumentID: 7, UnitID: 3, GrantedOn: "2026-01-10", ExpiresOn: "2026-12-31"}
	for day, want := range map[string]bool{"2026-01-09": false, "2026-01-10": true, "2026-12-31": true, "2027-01-01": false} {
		if q.Covers(in, day) != want {
			t.Errorf("instrument grant on %s: want %v", day, want)
		}
	}
	q.Revoked = true
	if q.Covers(in, "2026-06-01") {
		t.Error("a revoked grant covers nothing")
	}
	class := Qualification{UnitID: 3, ClassCode: "01", GrantedOn: "2026-01-10", ExpiresOn: "2026-12-31"}
	if !class.Covers(in, "2026-06-01") || class.Covers(Instrument{ID: 8, UnitID: 4, ClassCode: "01"}, "2026-06-01") || class.Covers(Instrument{ID: 9, UnitID: 3, ClassCode: "02"}, "2026-06-01") {
		t.Error("a class grant covers the class at its unit only")
	}
	if (Qualification{InstrumentID: 8, UnitID: 3, GrantedOn: "2026-01-10", ExpiresOn: "2026-12-31"}).Covers(in, "2026-06-01") {
		t.Error("another instrument's grant")
	}
}

func TestApprovalModes(t *testing.T) {
	for _, c := range []struct {
		mode      Approval
		qualified bool
		want      OrderState
	}{
		{ApproveAuto, false, Approved}, {ApproveAuto, true, Approved},
		{ApproveQualified, true, Approved}, {ApproveQualified, false, Submitted},
		{ApproveManual, true, Submitted}, {ApproveManual, false, Submitted},
	} {
		if got := (Rules{Approval: c.mode}).InitialState(c.qualified); got != c.want {
			t.Errorf("%s, qualified %v: %s", c.mode, c.qualified, got)
		}
	}
	r := Rules{QualificationRequired: true}
	if !r.NeedsQualification(SelfOperation) || r.NeedsQualification(Assisted) || r.NeedsQualification(SampleSending) {
		t.Error("only self-operation needs the qualification")
	}
}

func TestSniffFile(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n....")
	pdf := []byte("%PDF-1.7\n...")
	webp := []byte("RIFF\x10\x00\x00\x00WEBPVP8 ")
	for _, c := range []struct {
		kind string
		data []byte
		ct   string
		ok   bool
	}{
		{FilePhoto, png, "image/png", true}, {FilePhoto, []byte{0xFF, 0xD8, 0xFF, 0xE0}, "image/jpeg", true}, {FilePhoto, webp, "image/webp", true},
		{FilePhoto, pdf, "application/pdf", false}, {FileDocument, pdf, "application/pdf", true}, {FileDocument, png, "image/png", false},
		{FilePhoto, []byte("<svg onload=alert(1)>"), "", false}, {FileDocument, []byte("<html>"), "", false}, {"video", png, "", false},
	} {
		ct, ok := SniffFile(c.kind, c.data)
		if ok != c.ok || ct != c.ct {
			t.Errorf("%s %q: %q %v", c.kind, c.data[:4], ct, ok)
		}
	}
	if got := cleanFileName(`C:\fakepath\电镜"照片".png`); got != "电镜照片.png" {
		t.Errorf("file name %q", got)
	}
}

func TestPlanImport(t *testing.T) {
	cs, err := Classes()
	if err != nil {
		t.Fatal(err)
	}
	u := Unit{ID: 3, Name: "西南大学", Type: University, RegionCode: "500109"}
	base := func(local string) Instrument {
		return Instrument{LocalID: local, Name: "扫描电镜", ClassCode: "01", OriginalValue: 100 * unit.Wan, Modes: []Mode{SelfOperation}}
	}
	item := func(price unit.Fen, from string) *ServiceItem {
		return &ServiceItem{Name: "机时", Mode: SelfOperation, Unit: PerHour, Rates: []Rate{{Category: EnterpriseUser, EffectiveFrom: from, Price: price}}}
	}
	stored := map[string]Detail{}
	for i, local := range []string{"A", "B", "R"} {
		in := base(local)
		in.ID, in.UnitID, in.RegionCode, in.Status, in.Rules = int64(10+i), u.ID, u.RegionCode, Open, DefaultRules()
		if local == "R" {
			in.Status = Retired
		}
		stored[local] = Detail{Instrument: in, Items: []ServiceItem{{ID: int64(100 + i), Name: "机时", Mode: SelfOperation, Unit: PerHour,
			Rates: []Rate{{Category: EnterpriseUser, EffectiveFrom: "2024-01-01", Price: 400 * unit.Yuan}}}}}
	}
	changed := base("B")
	changed.Model = "SU8010"
	rows := []ImportRow{
		{Line: 2, Instrument: base("A"), Item: item(400*unit.Yuan, "2025-06-01")}, // same price in force: unchanged
		{Line: 3, Instrument: changed, Item: item(450*unit.Yuan, "2025-06-01")},   // a field and a new rate
		{Line: 4, Instrument: base("N"), Item: item(300*unit.Yuan, "2025-06-01")}, // new
		{Line: 5, Instrument: base("R")},                                          // retired, unchanged: fine
	}
	plan, probs := PlanImport(u, stored, rows, DefaultRules(), cs)
	if len(probs) != 0 {
		t.Fatalf("problems %+v", probs)
	}
	if plan.Result.Inserted != 1 || plan.Result.Updated != 1 || plan.Result.Unchanged != 2 {
		t.Fatalf("result %+v", plan.Result)
	}
	if n := plan.Create[0].Instrument; n.Status != Draft || n.RegionCode != "500109" || n.UnitID != u.ID || n.Rules.GranularityMinutes == 0 {
		t.Fatalf("new instrument %+v", n)
	}
	if ch := plan.Update[0]; ch.Instrument.ID != 11 || ch.Instrument.Model != "SU8010" || len(ch.NewRates[101]) != 1 || ch.Instrument.Status != Open {
		t.Fatalf("change %+v", ch)
	}
	// Refused: a retired instrument changed, a price rewritten on its day.
	retired := base("R")
	retired.Name = "新名称"
	_, probs = PlanImport(u, stored, []ImportRow{
		{Line: 2, Instrument: retired},
		{Line: 3, Instrument: base("A"), Item: item(500*unit.Yuan, "2024-01-01")},
	}, DefaultRules(), cs)
	if len(probs) != 2 || probs[0].Key != KeyImportRetired || probs[0].Line != 2 || probs[1].Key != KeyImportRateDay || probs[1].Line != 3 {
		t.Fatalf("problems %+v", probs)
	}
}

// A qualification under "lapse after last use" (10 idle days): granted
// on 3 December it lapses after the 13th if never used; a use on the
// 20th carries it to the 30th, not a day further.
func TestQualificationLastValidDay(t *testing.T) {
	q := Qualification{InstrumentID: 1, GrantedOn: "2026-12-03", ExpiresOn: "2026-12-13"}
	for _, c := range []struct {
		idle      int
		last, day string
		valid     bool
	}{
		{10, "", "2026-12-13", true},
		{10, "", "2026-12-14", false},
		{10, "2026-12-20", "2026-12-29", true},
		{10, "2026-12-20", "2026-12-30", true},
		{10, "2026-12-20", "2026-12-31", false},
		{10, "2026-12-01", "2026-12-13", true}, // an old use does not shorten the grant
		{0, "2026-12-20", "2026-12-14", false}, // without the rule the fixed day holds
	} {
		if got := q.LastValidDay(c.idle, c.last) >= c.day; got != c.valid {
			t.Errorf("idle %d, last use %q, day %s: valid %v, want %v", c.idle, c.last, c.day, got, c.valid)
		}
	}
}
