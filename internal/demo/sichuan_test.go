package demo

import (
	"context"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/testkit"
)

// TestSichuanDataset loads the Sichuan instance's dataset and checks what
// it holds and what it must not: its own sharing units in Sichuan's
// districts (none of Chongqing's), instruments whose statistics computed
// from the records agree with what the loader wrote, a service history
// of academic and internal customers only, and no enterprise registry
// or vouchers (Chongqing's). Loading it again changes nothing.
func TestSichuanDataset(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testkit.OpenSQLite(t)
	sum, err := Load(ctx, st, Options{Seed: 1, Instance: Sichuan})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(sum)
	units, err := st.Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, u := range units {
		names[u.Name] = true
		if !strings.HasPrefix(u.RegionCode, "51") {
			t.Errorf("unit %s sits in %s, not a Sichuan district", u.Name, u.RegionCode)
		}
	}
	for _, n := range []string{"四川大学", "电子科技大学", "西南交通大学", "中国科学院成都分院"} {
		if !names[n] {
			t.Errorf("no unit %s", n)
		}
	}
	if names["西南大学"] || names["重庆大学"] || len(units) != sum.InstrumentUnits {
		t.Errorf("units %d (summary %d), Chongqing's among them: %v", len(units), sum.InstrumentUnits, names["重庆大学"])
	}
	recs, err := st.InstrumentStatRecords(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != sum.Instruments {
		t.Errorf("%d instrument records, the loader wrote %d", len(recs), sum.Instruments)
	}
	for _, r := range recs {
		if !names[r.UnitName] {
			t.Errorf("instrument of unit %q, not one of Sichuan's", r.UnitName)
			break
		}
	}
	s23 := instruments.ComputeStats(recs, 2023, 5)
	if s23.Total == 0 || s23.Total >= len(recs) || s23.Enrolled == 0 || s23.Removed == 0 || s23.TopUnits[0].Label != "四川大学" {
		t.Errorf("2023: %d live of %d records, %d enrolled, %d removed, largest unit %s", s23.Total, len(recs), s23.Enrolled, s23.Removed, s23.TopUnits[0].Label)
	}
	if y, err := st.LatestYear(ctx); err != nil || y != 0 {
		t.Errorf("enterprise registry: latest year %d (%v); want none", y, err)
	}
	orders, err := st.UsageOrders(ctx, "2023-01-01", "2026-01-01")
	if err != nil {
		t.Fatal(err)
	}
	cats := map[instruments.Category]int{}
	for _, o := range orders {
		cats[o.Category]++
		if o.Voucher != 0 {
			t.Errorf("order %d has a voucher", o.ID)
		}
	}
	if len(orders) != sum.InstrumentOrders || cats[instruments.ExternalAcademic] == 0 || cats[instruments.Internal] == 0 ||
		len(cats) != 2 {
		t.Errorf("%d orders (loader %d) by category %v; want academic and internal only", len(orders), sum.InstrumentOrders, cats)
	}
	again, err := Load(ctx, st, Options{Seed: 1, Instance: Sichuan})
	if err != nil {
		t.Fatal(err)
	}
	recs2, err := st.InstrumentStatRecords(ctx)
	if err != nil || len(recs2) != len(recs) || again.InstrumentOrders != 0 {
		t.Errorf("second load: %d records (first %d), %d orders written; want nothing new (%v)", len(recs2), len(recs), again.InstrumentOrders, err)
	}
}
