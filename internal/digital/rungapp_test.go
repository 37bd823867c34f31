package digital

import (
	"slices"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/review"
)

// Every step of a rung application and its refusals by role and state:
// the firm (Fill), the district officer (Fill|Review, not city) and the
// city (Fill|Review, city).
func TestDecideRung(t *testing.T) {
	r, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	const firm, district, city = review.Fill, review.Fill | review.Review, review.Fill | review.Review
	nc := int64(5500)
	f := Firm{EnterpriseID: 1, Maturity: []Maturity{{EnterpriseID: 1, Year: 2024, NCRate: &nc}}}
	a := RungApplication{ID: 1, EnterpriseID: 1, Rung: RungWorkshop, Year: 2024, Name: "车间", Evidence: "报告", AppliedOn: Day(2024, 3, 1), State: review.Submitted}
	if err := a.Validate(r); err != nil {
		t.Fatal(err)
	}
	d := Day(2024, 6, 1)
	cases := []struct {
		name string
		app  RungApplication
		step RungStep
		want apperr.Code // "" = allowed
		to   review.State
	}{
		{"firm recommends", a, RungStep{Action: ActionRecommend, Caps: firm, Date: d}, apperr.Forbidden, ""},
		{"city recommends", a, RungStep{Action: ActionRecommend, Caps: city, City: true, Date: d}, apperr.Forbidden, ""},
		{"district recommends", a, RungStep{Action: ActionRecommend, Caps: district, Date: d}, "", review.Submitted},
		{"recommended twice", withRec(a, d), RungStep{Action: ActionRecommend, Caps: district, Date: d}, apperr.Conflict, ""},
		{"district approves", a, RungStep{Action: review.Accept, Caps: district, Date: d}, apperr.Forbidden, ""},
		{"firm approves", a, RungStep{Action: review.Accept, Caps: firm, City: true, Date: d}, apperr.Forbidden, ""},
		{"city approves", a, RungStep{Action: review.Accept, Caps: city, City: true, Date: d}, "", review.Accepted},
		{"approved before applied", a, RungStep{Action: review.Accept, Caps: city, City: true, Date: Day(2024, 2, 1)}, apperr.Invalid, ""},
		{"firm returns", a, RungStep{Action: review.Return, Caps: firm, Reason: "x", Date: d}, apperr.Forbidden, ""},
		{"return without reason", a, RungStep{Action: review.Return, Caps: district, Date: d}, apperr.Invalid, ""},
		{"district returns", a, RungStep{Action: review.Return, Caps: district, Reason: "补充", Date: d}, "", review.Returned},
		{"resubmit a submitted one", a, RungStep{Action: review.Submit, Caps: firm, Date: d}, apperr.Conflict, ""},
		{"firm resubmits", withState(a, review.Returned), RungStep{Action: review.Submit, Caps: firm, Date: d}, "", review.Submitted},
		{"approve a returned one", withState(a, review.Returned), RungStep{Action: review.Accept, Caps: city, City: true, Date: d}, apperr.Conflict, ""},
		{"district rejects", a, RungStep{Action: ActionReject, Caps: district, Reason: "x", Date: d}, apperr.Forbidden, ""},
		{"reject without reason", a, RungStep{Action: ActionReject, Caps: city, City: true, Date: d}, apperr.Invalid, ""},
		{"city rejects a returned one", withState(a, review.Returned), RungStep{Action: ActionReject, Caps: city, City: true, Reason: "x", Date: d}, "", AppRejected},
		{"step on a rejected one", withState(a, AppRejected), RungStep{Action: review.Return, Caps: city, City: true, Reason: "x", Date: d}, apperr.Conflict, ""},
		{"step on an accepted one", withState(a, review.Accepted), RungStep{Action: ActionReject, Caps: city, City: true, Reason: "x", Date: d}, apperr.Conflict, ""},
		{"unknown action", a, RungStep{Action: review.Record, Caps: city, City: true, Date: d}, apperr.Invalid, ""},
	}
	for _, c := range cases {
		o, err := DecideRung(c.app, f, c.step, r)
		if c.want != "" {
			if !apperr.Is(err, c.want) {
				t.Errorf("%s: %v, want %s", c.name, err, c.want)
			}
			if ok := slices.Contains(RungActions(c.app, c.step.Caps, c.step.City), c.step.Action); ok && c.want != apperr.Invalid {
				t.Errorf("%s: offered as a button", c.name)
			}
			continue
		}
		if err != nil || o.To != c.to || o.App.State != c.to {
			t.Errorf("%s: %v %s", c.name, err, o.To)
			continue
		}
		if !slices.Contains(RungActions(c.app, c.step.Caps, c.step.City), c.step.Action) {
			t.Errorf("%s: not offered as a button", c.name)
		}
		if (c.step.Action == review.Accept) != (o.Recognition != nil) {
			t.Errorf("%s: recognition %v", c.name, o.Recognition)
		}
	}
	// The approval's recognition carries the approval day.
	o, _ := DecideRung(a, f, RungStep{Action: review.Accept, Caps: city, City: true, Date: d, Batch: "B1"}, r)
	if rc := o.Recognition; rc == nil || !rc.RecognisedOn.Equal(d) || rc.Name != "车间" || rc.Batch != "B1" || !o.App.DecidedOn.Equal(d) {
		t.Errorf("recognition %+v", o.Recognition)
	}
	// A data-decidable criterion failing on the approval day refuses it
	// (NC rate 40 % < 50 %); unknown data does not.
	low := int64(4000)
	fl := Firm{EnterpriseID: 1, Maturity: []Maturity{{EnterpriseID: 1, Year: 2024, NCRate: &low}}}
	if _, err := DecideRung(a, fl, RungStep{Action: review.Accept, Caps: city, City: true, Date: d}, r); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("approval with an unmet criterion: %v", err)
	}
	if _, err := DecideRung(a, Firm{EnterpriseID: 1}, RungStep{Action: review.Accept, Caps: city, City: true, Date: d}, r); err != nil {
		t.Errorf("approval on unknown data: %v", err)
	}
	// A resubmission clears the recommendation.
	o, err = DecideRung(withRec(withState(a, review.Returned), d), f, RungStep{Action: review.Submit, Caps: firm, Date: d}, r)
	if err != nil || !o.App.RecommendedOn.IsZero() {
		t.Errorf("resubmission: %v %+v", err, o.App)
	}
}

func withState(a RungApplication, s review.State) RungApplication { a.State = s; return a }

func withRec(a RungApplication, d time.Time) RungApplication { a.RecommendedOn = d; return a }

// The application's own rules: rung in force, year, name, evidence,
// future type, answers only to the rung's manual questions.
func TestRungApplicationValidate(t *testing.T) {
	r, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	ok := RungApplication{EnterpriseID: 1, Rung: RungSmart, Year: 2024, Name: "工厂", Evidence: "x", AppliedOn: Day(2024, 3, 1),
		Answers: map[string]string{"smart_elements": "yes"}}
	if err := ok.Validate(r); err != nil {
		t.Fatalf("valid: %v", err)
	}
	bad := map[string]func(*RungApplication){
		"unknown rung": func(a *RungApplication) { a.Rung = "castle" },
		"excellent before 2024": func(a *RungApplication) {
			a.Rung, a.AppliedOn, a.Year, a.Answers = RungExcellent, Day(2023, 3, 1), 2023, nil
		},
		"year two ahead":      func(a *RungApplication) { a.Year = 2026 },
		"year behind":         func(a *RungApplication) { a.Year = 2023 },
		"no name":             func(a *RungApplication) { a.Name = " " },
		"no evidence":         func(a *RungApplication) { a.Evidence = "" },
		"future without type": func(a *RungApplication) { a.Rung, a.Answers = RungFuture, nil },
		"type on a factory":   func(a *RungApplication) { a.FutureType = FutureAI },
		"foreign question":    func(a *RungApplication) { a.Answers = map[string]string{"realtime_monitoring": "x"} },
	}
	for name, mut := range bad {
		a := ok
		mut(&a)
		if err := a.Validate(r); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
