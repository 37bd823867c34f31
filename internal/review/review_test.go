package review

import (
	"testing"

	"github.com/industrybrain/ibrain/internal/apperr"
)

// TestMachine pins every (state, action, capabilities, lock) combination
// against a table written out by hand from the workflow the issue states.
func TestMachine(t *testing.T) {
	type want struct {
		to   State
		code apperr.Code // "" when allowed
	}
	caps := map[string]Capability{"none": 0, "fill": Fill, "review": Review, "publish": Publish, "review+publish": Review | Publish}
	// allowed[action][locked] lists (from state, capability name) → target.
	type key struct {
		from   State
		action Action
		caps   string
		locked bool
	}
	allowed := map[key]State{}
	for _, from := range []State{Missing, Draft, Returned, Accepted} {
		for _, locked := range []bool{false, true} {
			allowed[key{from, Save, "fill", locked}] = Draft
			allowed[key{from, Submit, "fill", locked}] = Submitted
		}
	}
	for _, c := range []string{"review", "review+publish"} {
		allowed[key{Submitted, Return, c, false}] = Returned
		allowed[key{Submitted, Accept, c, false}] = Accepted
		for _, from := range States {
			allowed[key{from, Record, c, false}] = Accepted
		}
	}
	for _, c := range []string{"publish", "review+publish"} {
		allowed[key{Submitted, Return, c, true}] = Returned
		allowed[key{Submitted, Accept, c, true}] = Accepted
	}
	n := 0
	for _, from := range States {
		for _, a := range Actions {
			for name, c := range caps {
				for _, locked := range []bool{false, true} {
					to, err := Apply(from, a, c, locked)
					exp, ok := allowed[key{from, a, name, locked}]
					if ok {
						n++
						if err != nil || to != exp {
							t.Errorf("%s %s by %s (locked %v) = %s, %v; want %s", from, a, name, locked, to, err, exp)
						}
						continue
					}
					if err == nil {
						t.Errorf("%s %s by %s (locked %v) allowed (to %s); want refused", from, a, name, locked, to)
						continue
					}
					if to != from {
						t.Errorf("refused %s %s moved the state to %s", from, a, to)
					}
					c := apperr.CodeOf(err)
					if c != apperr.Forbidden && c != apperr.Conflict {
						t.Errorf("%s %s by %s: code %s, want forbidden or conflict", from, a, name, c)
					}
				}
			}
		}
	}
	if n != 8*2+2*(2+5)+2*2 {
		t.Errorf("%d allowed combinations checked, want 34", n)
	}
}

func TestRefusalCodes(t *testing.T) {
	// Lacking the capability is forbidden; the wrong state is a conflict;
	// a reviewer's one-step record on a locked period is the typed lock
	// error (it must become a revision request instead).
	if _, err := Apply(Submitted, Accept, Fill, false); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("owner accepting own report: %v, want forbidden", err)
	}
	if _, err := Apply(Draft, Accept, Review, false); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("accepting a draft: %v, want conflict", err)
	}
	_, err := Apply(Accepted, Record, Review|Publish, true)
	var e *apperr.Error
	if err == nil || !asErr(err, &e) || e.Key != "review.err.locked" {
		t.Errorf("record on a locked period: %v, want review.err.locked", err)
	}
	if _, err := Apply(Submitted, Accept, Review, true); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("district accepting a revision of a locked period: %v, want forbidden", err)
	}
	if _, err := Apply(Draft, Action("delete"), Review, false); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("unknown action: %v, want invalid", err)
	}
}

func TestAllowedAndReasons(t *testing.T) {
	got := Allowed(Submitted, Review, false)
	if len(got) != 3 || got[0] != Return || got[1] != Accept || got[2] != Record {
		t.Errorf("Allowed(submitted, review) = %v, want [return accept record]", got)
	}
	if got := Allowed(Accepted, Fill, true); len(got) != 2 || got[0] != Save || got[1] != Submit {
		t.Errorf("Allowed(accepted, fill, locked) = %v, want [save submit]", got)
	}
	if !NeedsReason(Return, false) || NeedsReason(Accept, false) || !NeedsReason(Submit, true) || NeedsReason(Save, true) {
		t.Error("NeedsReason: a return and any decision on a locked period need a reason, a draft does not")
	}
}

func asErr(err error, e **apperr.Error) bool {
	x, ok := err.(*apperr.Error)
	if ok {
		*e = x
	}
	return ok
}
