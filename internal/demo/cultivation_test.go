package demo

import (
	"testing"

	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/rules"
)

// TestCultivationMix screens the generated firms as the platform does on
// the demo's assessment date and checks the mix the profile facts were
// designed for: every rung of the ladder has holders, qualifying
// non-holders, failing and borderline firms; most 专精特新 and 小巨人
// holders pass their re-review and a few fail; and the document's 小巨人
// with a 20 % world market share exists.
func TestCultivationMix(t *testing.T) {
	t.Parallel()
	ds, err := generate(Options{Seed: 1, Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	raws := ds.cultivationRaws()
	sc, err := cultivation.Screen(reg, cultivation.Subjects(raws, CultivationAsOf), CultivationAsOf)
	if err != nil {
		t.Fatal(err)
	}
	steps := sc.Funnel(cultivation.Filter{})
	for ti, st := range steps {
		t.Logf("%-18s holders %4d (pass %4d, fail %3d), qualifying %4d, near %4d, unknown %4d", st.Tier.Title, st.Holders, st.PassReview, st.FailReview, st.Qualifying, st.NearMiss, st.Unknown)
		failing := 0
		for si := range sc.Len() {
			if v := sc.Verdict(si, ti); !v.Held && v.Outcome == rules.StatusNotMet {
				failing++
			}
		}
		if st.Tier.Rung == 0 {
			continue
		}
		if st.Holders == 0 || st.Qualifying == 0 || st.NearMiss == 0 || failing == 0 {
			t.Errorf("%s: holders %d, qualifying %d, near misses %d, failing %d: every rung needs all four", st.Tier.Title, st.Holders, st.Qualifying, st.NearMiss, failing)
		}
		if st.Tier.Title == enterprise.TitleSpecialized || st.Tier.Title == enterprise.TitleLittleGiant {
			if st.PassReview*10 < st.Holders*7 || st.FailReview == 0 {
				t.Errorf("%s: %d of %d holders pass re-review, %d fail: want most to pass and a few to fail", st.Tier.Title, st.PassReview, st.Holders, st.FailReview)
			}
		}
	}
	// Borderline facts exactly on a bound are met.
	onBound := 0
	for _, raw := range raws {
		for _, yf := range raw.Facts {
			if ms := yf.Facts.MarketShare; ms != nil && *ms == 1000 {
				onBound++
			}
		}
	}
	if onBound == 0 {
		t.Error("no 小巨人 candidate sits exactly on the 10 % market-share bound")
	}
	found := false
	for _, raw := range raws {
		for _, yf := range raw.Facts {
			if s := yf.Facts.IntlMarketShare; s != nil && *s == 2000 && cultivation.Holds(raw.Enterprise.Titles, enterprise.TitleLittleGiant, CultivationAsOf) {
				found = true
			}
		}
	}
	if !found {
		t.Error("no 小巨人 with a 20 % world market share")
	}
}
