package refdata

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/industrybrain/ibrain/internal/sqlstore"
)

func TestMapRowsFollowCatalogueVersions(t *testing.T) {
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	byYear := map[int]map[string]sqlstore.IndustryMapRow{}
	for _, r := range c.MapRows() {
		if byYear[r.Year] == nil {
			byYear[r.Year] = map[string]sqlstore.IndustryMapRow{}
		}
		byYear[r.Year][r.IndustryCode] = r
	}
	if n := len(byYear); n != LastYear-FirstYear+1 {
		t.Fatalf("%d years mapped", n)
	}
	nev := byYear[2023]["3612"]
	if nev.Section != "C" || nev.Tier != "leading" || nev.SEIDomain == 0 {
		t.Errorf("3612 in 2023: %+v", nev)
	}
	if r := byYear[2023]["4411"]; r.Section != "D" || r.SEIDomain != 0 {
		t.Errorf("4411 in 2023: %+v", r)
	}
	// Years before the first catalogue use the earliest one, so 2022 and
	// 2023 map alike and growth compares like with like.
	for code, r := range byYear[2022] {
		if byYear[2023][code].ClusterCode != r.ClusterCode {
			t.Fatalf("2022 and 2023 disagree on %s", code)
		}
	}
	// The 2024 catalogue replaced the future industries, so some class
	// must map differently at the end of 2024 than at the end of 2023.
	moved := 0
	for code, r := range byYear[2024] {
		if byYear[2023][code].ClusterCode != r.ClusterCode {
			moved++
		}
	}
	if moved == 0 {
		t.Error("no class changed cluster between the 2023 and 2024 catalogues")
	}
}

func TestSyncIsIdempotent(t *testing.T) {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "ref.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := Sync(ctx, st, c); err != nil {
			t.Fatalf("sync %d: %v", i+1, err)
		}
	}
	cat, err := st.ClustersAt(ctx, "2025-01-01")
	if err != nil {
		t.Fatal(err)
	}
	if cat.ID != "33618-2024" || len(cat.Clusters) != 30 {
		t.Fatalf("catalogue in force 2025: %s with %d clusters", cat.ID, len(cat.Clusters))
	}
	old, err := st.ClustersAt(ctx, "2020-01-01")
	if err != nil || old.ID != "33618-2023" {
		t.Fatalf("catalogue for 2020: %s, %v", old.ID, err)
	}
}
