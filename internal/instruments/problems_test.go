package instruments_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
)

// Validate names every refused field, so a form can show each beside its
// input, and stays the one Invalid error the API answers.
func TestRulesProblemsNameFields(t *testing.T) {
	ok := instruments.DefaultRules()
	if ps := ok.Problems(); len(ps) != 0 || ok.Validate() != nil {
		t.Fatalf("default rules refused: %v", ps)
	}
	bad := ok
	bad.Approval = "sometimes"
	bad.MinBlockMinutes, bad.MaxBlockMinutes = 120, 60
	bad.GranularityMinutes = 20
	bad.LeadMinutes = -1
	bad.CancelFeePermille = 1001
	bad.OpenFromMinute, bad.OpenToMinute = 600, 540
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, instruments.Zone)
	bad.Maintenance = []instruments.Window{{Start: now, End: now.Add(time.Hour)}, {Start: now, End: now}}
	bad.InternalFirst = []instruments.InternalWindow{{FromMinute: 480, ToMinute: 720}, {Weekdays: []int{8}, FromMinute: 480, ToMinute: 720}}
	var fields []string
	for _, p := range bad.Problems() {
		fields = append(fields, p.Field)
		if p.Key == "" {
			t.Errorf("%s: no message", p.Field)
		}
	}
	want := []string{"approval", "lead_minutes", "granularity_minutes", "max_block_minutes", "open_to_minute", "maintenance.1", "cancel_fee_permille", "internal_first.1"}
	if !slices.Equal(fields, want) {
		t.Fatalf("problems %v, want %v", fields, want)
	}
	err := bad.Validate()
	var ri *instruments.RulesInvalid
	if !apperr.Is(err, apperr.Invalid) || !errors.As(err, &ri) || len(ri.Problems) != len(want) {
		t.Fatalf("validate: %v", err)
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Key != "instruments.err.rules" {
		t.Fatalf("validate key: %v", err)
	}
}
