package sqlstore

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/hardtech"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/unit"
)

func hardtechPolicy(t *testing.T) hardtech.Policy {
	t.Helper()
	ps, err := hardtech.Policies()
	if err != nil {
		t.Fatal(err)
	}
	p, err := hardtech.PolicyFor(ps, 2024)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHardtechPool(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedRegions(t, st)
		pol := hardtechPolicy(t)
		// Four firms in 万州: 0 has December 2023 and 2024 reports, 1 only a
		// yearly record for 2024 (prior-year revenue ¥30m), 2 has neither.
		ids := seedFirms(t, st, "91500101HT", 2, 2023, 2024)
		none := seedFirms(t, st, "91500101HN", 1)[0]
		other := seedFirmIn(t, st, regionB)
		reps := []report.Monthly{
			{EnterpriseID: ids[0], Period: report.Period{Year: 2023, Month: 12}, Values: vals(1_000_000, false)}, // revenue 3,000,000 fen
			{EnterpriseID: ids[0], Period: report.Period{Year: 2024, Month: 12}, Values: vals(1_500_000, false)}, // revenue 4,500,000 fen
			{EnterpriseID: ids[0], Period: report.Period{Year: 2024, Month: 11}, Values: vals(1_400_000, false)},
		}
		if _, err := st.UpsertReports(ctx, reps); err != nil {
			t.Fatal(err)
		}
		admit := func(sc auth.Scope, id int64, year int) (hardtech.Member, error) {
			return st.AdmitHardtech(ctx, sc, hardtech.Admission{Year: year, EnterpriseID: id, Reasons: "研发投入强度高"}, pol, 9)
		}
		m, err := admit(auth.Region(regionA), ids[0], 2024)
		if err != nil || m.BaseRevenue != 3_000_000 || m.BaseSource != hardtech.BaseReport || m.BaseYear != 2023 {
			t.Fatalf("admit with report base: %+v %v", m, err)
		}
		m, err = admit(auth.All(), ids[1], 2024)
		if err != nil || m.BaseRevenue != 3000*unit.Wan || m.BaseSource != hardtech.BaseRegistry {
			t.Fatalf("admit with registry base: %+v %v", m, err)
		}
		sum := dbChecksum(t, st)
		for name, c := range map[string]struct {
			sc   auth.Scope
			id   int64
			year int
			code apperr.Code
		}{
			"Twice":         {auth.All(), ids[0], 2024, apperr.Conflict},
			"NoBase":        {auth.All(), none, 2024, apperr.Invalid},
			"OtherDistrict": {auth.Region(regionA), other, 2024, apperr.NotFound},
			"Missing":       {auth.All(), 999999, 2024, apperr.NotFound},
		} {
			if _, err := admit(c.sc, c.id, c.year); !apperr.Is(err, c.code) {
				t.Errorf("%s: %v, want %s", name, err, c.code)
			}
		}
		if _, err := st.AdmitHardtech(ctx, auth.All(), hardtech.Admission{Year: 2024, EnterpriseID: other, Reasons: " "}, pol, 9); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("no reason: %v", err)
		}
		if dbChecksum(t, st) != sum {
			t.Fatal("a refused admission wrote something")
		}
		// The same firm may be in another year's pool.
		if _, err := admit(auth.All(), ids[0], 2025); err != nil {
			t.Fatal(err)
		}
		// Removal: not across districts, not twice.
		if err := st.RemoveHardtech(ctx, auth.Region(regionB), 2024, ids[0], "迁出", 9); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("remove from another district: %v", err)
		}
		if err := st.RemoveHardtech(ctx, auth.Region(regionA), 2024, ids[0], "", 9); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("remove without reason: %v", err)
		}
		if err := st.RemoveHardtech(ctx, auth.Region(regionA), 2024, ids[0], "企业迁出本市", 9); err != nil {
			t.Fatal(err)
		}
		if err := st.RemoveHardtech(ctx, auth.All(), 2024, ids[0], "again", 9); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("remove twice: %v", err)
		}
		rows, err := st.HardtechMembers(ctx, auth.All(), 2024, pol.HorizonYears)
		if err != nil || len(rows) != 2 {
			t.Fatalf("members %+v %v", rows, err)
		}
		r0 := rows[0]
		if r0.EnterpriseID != ids[0] {
			r0 = rows[1]
		}
		if !r0.Removed || r0.RemovalReason != "企业迁出本市" || r0.Revenue[2024] != 4_500_000 || len(r0.Revenue) != 1 || r0.Size != enterprise.SizeSmall {
			t.Fatalf("member %+v", r0)
		}
		pr := hardtech.Evaluate(r0.Member, pol, r0.Revenue, 2024)
		if pr.Status != hardtech.StatusExited || pr.Latest == nil || pr.Latest.Multiple != 1.5 {
			t.Fatalf("progress %+v", pr)
		}
		// A removed firm can be admitted again.
		if _, err := admit(auth.All(), ids[0], 2024); err != nil {
			t.Fatalf("re-admit: %v", err)
		}
		// Scope on reads.
		rows, err = st.HardtechMembers(ctx, auth.Region(regionB), 0, 3)
		if err != nil || len(rows) != 0 {
			t.Fatalf("涪陵 sees %d members, %v", len(rows), err)
		}
		years, err := st.HardtechYears(ctx)
		if err != nil || fmt.Sprint(years) != "[2024 2025]" {
			t.Fatalf("years %v %v", years, err)
		}
	})
}

// Concurrent admissions of one firm: exactly one succeeds, the others are
// told it is already in the pool, and one row exists.
func TestHardtechConcurrentAdmission(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedRegions(t, st)
		pol := hardtechPolicy(t)
		ids := seedFirms(t, st, "91500101HC", 3, 2024)
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n*len(ids))
		for i := range n {
			for j, id := range ids {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i*len(ids)+j] = st.AdmitHardtech(ctx, auth.All(), hardtech.Admission{Year: 2024, EnterpriseID: id, Reasons: "并发"}, pol, int64(i))
				}()
			}
		}
		wg.Wait()
		ok, conflict := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case apperr.Is(err, apperr.Conflict):
				conflict++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != len(ids) || conflict != (n-1)*len(ids) || countRows(t, st, "hardtech_member") != len(ids) {
			t.Fatalf("%d admitted, %d conflicts, %d rows; want %d, %d, %d", ok, conflict, countRows(t, st, "hardtech_member"), len(ids), (n-1)*len(ids), len(ids))
		}
	})
}

// seedFirmIn inserts one firm in region with a 2024 record.
func seedFirmIn(tb testing.TB, st *Store, region string) int64 {
	tb.Helper()
	code := "91" + region + "OT0000001"
	e := enterprise.Enterprise{CreditCode: code, Name: "外区企业有限公司", RegionCode: region, IndustryCode: "3011", Founded: day("2010-01-01")}
	if _, err := st.UpsertEnterprises(context.Background(), []EnterpriseWithYear{{Enterprise: e, Year: &enterprise.Year{Year: 2024, AboveScale: true, Size: enterprise.SizeSmall, Employees: 50, Revenue: 3000 * unit.Wan}}}); err != nil {
		tb.Fatal(err)
	}
	ids, err := st.EnterpriseIDs(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return ids[code]
}
