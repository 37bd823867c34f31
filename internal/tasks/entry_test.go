package tasks

import (
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/review"
)

var (
	statsBureau = Actor{UserID: 7, Department: "市统计局", Enter: true}
	science     = Actor{UserID: 8, Department: "市科技局", Enter: true}
	city        = Actor{UserID: 1, Review: true}
	analyst     = Actor{UserID: 2}
	noonTime    = time.Date(2025, 1, 20, 12, 0, 0, 0, time.UTC)
)

func val(v int64) *int64 { return &v }

// step applies ch and fails the test on an unexpected outcome.
func step(t *testing.T, cur *Entry, ch Change, a Actor, locked bool, wantCode apperr.Code) (*Entry, review.Event) {
	t.Helper()
	ind, ok := builtinCat(t).ByCode(ch.Indicator)
	if !ok {
		t.Fatalf("no indicator %s", ch.Indicator)
	}
	e, ev, err := Apply(ind, cur, ch, a, locked, noonTime)
	if wantCode != "" {
		if apperr.CodeOf(err) != wantCode {
			t.Fatalf("%s by %d: err %v, want %s", ch.Action, a.UserID, err, wantCode)
		}
		return cur, ev
	}
	if err != nil {
		t.Fatalf("%s by %d: %v", ch.Action, a.UserID, err)
	}
	return &e, ev
}

// The whole round: the statistics bureau submits the manufacturing share
// of GDP, the city returns it with a reason, the bureau corrects and
// resubmits, the city accepts; only then is there a value that counts.
func TestEntryWorkflow(t *testing.T) {
	const code = "MFG_VA_GDP_SHARE"
	e, _ := step(t, nil, Change{Indicator: code, Year: 2024, Action: review.Submit, Value: val(2550000)}, statsBureau, false, "")
	if e.State != review.Submitted || e.Accepted != nil || e.Value != 2550000 || e.Department != "市统计局" {
		t.Fatalf("after submit %+v", e)
	}
	// Refusals: another department, the same department accepting its
	// own value, a return without a reason, a save while under review.
	step(t, e, Change{Indicator: code, Year: 2024, Action: review.Save, Value: val(1)}, science, false, apperr.Forbidden)
	step(t, e, Change{Indicator: code, Year: 2024, Action: review.Accept}, statsBureau, false, apperr.Forbidden)
	step(t, e, Change{Indicator: code, Year: 2024, Action: review.Accept}, analyst, false, apperr.Forbidden)
	step(t, e, Change{Indicator: code, Year: 2024, Action: review.Return}, city, false, apperr.Invalid)
	step(t, e, Change{Indicator: code, Year: 2024, Action: review.Save, Value: val(1)}, statsBureau, false, apperr.Conflict)
	e, ev := step(t, e, Change{Indicator: code, Year: 2024, Action: review.Return, Reason: "与统计年鉴口径不一致"}, city, false, "")
	if e.State != review.Returned || e.Reason != "与统计年鉴口径不一致" || ev.From != review.Submitted || ev.To != review.Returned {
		t.Fatalf("after return %+v %+v", e, ev)
	}
	step(t, e, Change{Indicator: code, Year: 2024, Action: review.Accept}, city, false, apperr.Conflict)
	e, _ = step(t, e, Change{Indicator: code, Year: 2024, Action: review.Save, Value: val(2610000)}, statsBureau, false, "")
	if e.State != review.Draft || e.Reason != "" {
		t.Fatalf("after save %+v", e)
	}
	e, _ = step(t, e, Change{Indicator: code, Year: 2024, Action: review.Submit}, statsBureau, false, "")
	e, ev = step(t, e, Change{Indicator: code, Year: 2024, Action: review.Accept}, city, false, "")
	if e.State != review.Accepted || e.Accepted == nil || *e.Accepted != 2610000 || ev.OldValues != "" || ev.NewValues != `{"value":"261"}` {
		t.Fatalf("after accept %+v %+v", e, ev)
	}
}

// After publication a change is a revision: it needs a reason, the value
// that counts stays until the city accepts the revision (with its own
// reason), and the event keeps the old and new values.
func TestEntryRevisionOfLockedYear(t *testing.T) {
	const code = "NEW_KEY_LABS"
	e, _ := step(t, nil, Change{Indicator: code, Year: 2024, Action: review.Submit, Value: val(12 * Scale)}, science, false, "")
	e, _ = step(t, e, Change{Indicator: code, Year: 2024, Action: review.Accept}, city, false, "")
	step(t, e, Change{Indicator: code, Year: 2024, Action: review.Submit, Value: val(13 * Scale)}, science, true, apperr.Invalid)
	// A draft of a revision needs no reason yet; its submission does.
	d, _ := step(t, e, Change{Indicator: code, Year: 2024, Action: review.Save, Value: val(13 * Scale)}, science, true, "")
	if !d.Revision || *d.Accepted != 12*Scale {
		t.Fatalf("revision draft %+v", d)
	}
	step(t, d, Change{Indicator: code, Year: 2024, Action: review.Submit}, science, true, apperr.Invalid)
	e, ev := step(t, d, Change{Indicator: code, Year: 2024, Action: review.Submit, Reason: "补录一家实验室"}, science, true, "")
	if !ev.Revision || e.State != review.Submitted || *e.Accepted != 12*Scale {
		t.Fatalf("revision submitted %+v %+v", e, ev)
	}
	step(t, e, Change{Indicator: code, Year: 2024, Action: review.Accept}, city, true, apperr.Invalid)
	e, ev = step(t, e, Change{Indicator: code, Year: 2024, Action: review.Accept, Reason: "核实无误"}, city, true, "")
	if *e.Accepted != 13*Scale || ev.OldValues != `{"value":"12"}` || ev.NewValues != `{"value":"13"}` || ev.Reason != "核实无误" {
		t.Fatalf("revision accepted %+v %+v", e, ev)
	}
}

func TestEntryRefusals(t *testing.T) {
	for name, tc := range map[string]struct {
		ch   Change
		a    Actor
		want apperr.Code
	}{
		"computed indicator":     {Change{Indicator: "IND_OUTPUT", Year: 2024, Action: review.Submit, Value: val(1)}, statsBureau, apperr.Invalid},
		"negative count":         {Change{Indicator: "NEW_KEY_LABS", Year: 2024, Action: review.Submit, Value: val(-1)}, science, apperr.Invalid},
		"percent above 1000":     {Change{Indicator: "MFG_VA_GDP_SHARE", Year: 2024, Action: review.Submit, Value: val(1000*Scale + 1)}, statsBureau, apperr.Invalid},
		"save without value":     {Change{Indicator: "NEW_KEY_LABS", Year: 2024, Action: review.Save}, science, apperr.Invalid},
		"record by the city":     {Change{Indicator: "NEW_KEY_LABS", Year: 2024, Action: review.Record, Value: val(1)}, city, apperr.Invalid},
		"accept before submit":   {Change{Indicator: "NEW_KEY_LABS", Year: 2024, Action: review.Accept}, city, apperr.Conflict},
		"analyst enters a value": {Change{Indicator: "NEW_KEY_LABS", Year: 2024, Action: review.Submit, Value: val(1)}, analyst, apperr.Forbidden},
	} {
		t.Run(name, func(t *testing.T) { step(t, nil, tc.ch, tc.a, false, tc.want) })
	}
	// At the bounds: −100 % and 1000 % are values a percentage can take, 0 labs too.
	step(t, nil, Change{Indicator: "MFG_VA_GDP_SHARE", Year: 2024, Action: review.Save, Value: val(-100 * Scale)}, statsBureau, false, "")
	step(t, nil, Change{Indicator: "MFG_VA_GDP_SHARE", Year: 2024, Action: review.Save, Value: val(1000 * Scale)}, statsBureau, false, "")
	step(t, nil, Change{Indicator: "NEW_KEY_LABS", Year: 2024, Action: review.Save, Value: val(0)}, science, false, "")
}
