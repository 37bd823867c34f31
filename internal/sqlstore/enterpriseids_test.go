package sqlstore

import (
	"context"
	"fmt"
	"maps"
	"testing"
)

// TestEnterpriseIDsOf: the keyed lookup of a small import's codes finds
// what the whole registry's map holds for those codes, across chunks, and
// nothing for codes not stored.
func TestEnterpriseIDsOf(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		benchUniverse(t, st, 1200, []int{2024})
		all, err := st.EnterpriseIDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		want := map[string]int64{}
		for i := 0; i < 1300; i += 1 + i%3 { // stored and not (1,200 firms)
			c := fmt.Sprintf("9150%014d", i)
			codes = append(codes, c)
			if id, ok := all[c]; ok {
				want[c] = id
			}
		}
		if len(codes) <= 500 || len(want) == len(codes) || len(want) == 0 {
			t.Fatalf("%d codes, %d stored: the case does not cross a chunk with both kinds", len(codes), len(want))
		}
		got, err := st.EnterpriseIDsOf(ctx, codes)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, want) {
			t.Errorf("EnterpriseIDsOf: %d codes found, want %d", len(got), len(want))
		}
		if got, err := st.EnterpriseIDsOf(ctx, nil); err != nil || len(got) != 0 {
			t.Errorf("no codes: %v, %v", got, err)
		}
	})
}
