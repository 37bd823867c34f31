package sqlstore

import (
	"context"
	"fmt"
	"maps"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
)

// TestEnterpriseIDsOf: the keyed lookup of a small import's codes finds
// what the whole registry's map holds for those codes, across chunks,
// nothing for codes not stored, and in a scope only the scope's firms.
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
		got, err := st.EnterpriseIDsOf(ctx, auth.All(), codes)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, want) {
			t.Errorf("EnterpriseIDsOf: %d codes found, want %d", len(got), len(want))
		}
		if got, err := st.EnterpriseIDsOf(ctx, auth.All(), nil); err != nil || len(got) != 0 {
			t.Errorf("no codes: %v, %v", got, err)
		}

		// In a scope, only its firms: a district's, or the one firm.
		region := map[int64]string{}
		rows, err := st.read.QueryContext(ctx, `SELECT id, region_code FROM enterprise`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var r string
			if err := rows.Scan(&id, &r); err != nil {
				t.Fatal(err)
			}
			region[id] = r
		}
		rows.Close()
		var one int64
		for _, id := range want {
			one = id
			break
		}
		for _, sc := range []auth.Scope{{RegionCode: region[one]}, {EnterpriseID: one}} {
			inScope := map[string]int64{}
			for c, id := range want {
				if sc.Covers(id, region[id]) {
					inScope[c] = id
				}
			}
			got, err := st.EnterpriseIDsOf(ctx, sc, codes)
			if err != nil {
				t.Fatal(err)
			}
			if len(inScope) == 0 || len(inScope) == len(want) || !maps.Equal(got, inScope) {
				t.Errorf("scope %+v: %d codes found, want %d of %d", sc, len(got), len(inScope), len(want))
			}
		}
	})
}
