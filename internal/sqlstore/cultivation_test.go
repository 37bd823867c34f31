package sqlstore

import (
	"reflect"
	"testing"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/rules"
	"github.com/industrybrain/ibrain/internal/unit"
)

func fenPtr(v int64) *unit.Fen { f := unit.Fen(v); return &f }

// factsA is a full-featured facts document: lists, maps, flags and points,
// so a round trip covers every JSON shape the column holds.
func factsA() cultivation.Facts {
	return cultivation.Facts{
		MainBusinessRevenue: fenPtr(800_000_000), NetProfit: fenPtr(-12_345), DevQualityScore: rules.Ptr(rules.Points(6250)),
		TotalAssets: fenPtr(5_000_000_000), DebtRatio: rules.Ptr[int64](4321), RDStaff: rules.Ptr[int64](40), NicheYears: rules.Ptr[int64](12),
		IP:            rules.IP{Class1: rules.Ptr[int64](3), Class1Applied: rules.Ptr[int64](2), Top3Holder: rules.Ptr(true)},
		RDInstitution: rules.Ptr(rules.LevelProvincial),
		Awards:        []rules.Award{{Level: rules.LevelNational, Rank: 2, Year: 2023, Name: "国家科学技术进步奖"}},
		Honours:       []string{"high_tech"}, MakerChina: []rules.Placement{}, StandardsLed: nil,
		Domain:      rules.Domain{SixBases: rules.Ptr(true), KeyChainLink: rules.Ptr(false)},
		Quality:     rules.Quality{OwnBrand: rules.Ptr(true)},
		MarketShare: rules.Ptr[int64](2000), GlobalRank: rules.Ptr[int64](3),
		LocalPoints: map[string]rules.Points{"cq_b": 250, "cq_a": 100},
	}
}

func TestProfileFactsRoundTripAndScope(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		w := buildSmallWorld(t, st)
		a, b, c := w.byName["A"], w.byName["B"], w.byName["C"]
		// December reports for A, so the raw facts carry a full year.
		var dec report.Values
		dec[report.Revenue], dec[report.Profit], dec[report.RDExpense], dec[report.Employees] = 1_000_000_000, 50_000_000, 40_000_000, 3100
		if _, err := st.UpsertReports(ctx, []report.Monthly{{EnterpriseID: a, Period: report.Period{Year: 2024, Month: 12}, Values: dec}}); err != nil {
			t.Fatal(err)
		}
		rows := []cultivation.YearFacts{
			{EnterpriseID: a, Year: 2023, Facts: cultivation.Facts{OperatingRevenue: fenPtr(900_000_000)}, Source: "test"},
			{EnterpriseID: a, Year: 2024, Facts: factsA(), Source: "test"},
			{EnterpriseID: c, Year: 2024, Facts: cultivation.Facts{DebtRatio: rules.Ptr[int64](9000)}, Source: "test"},
		}
		res, err := st.PutProfileFacts(ctx, rows)
		if err != nil {
			t.Fatal(err)
		}
		if res != (UpsertResult{Inserted: 3}) {
			t.Errorf("first write %+v", res)
		}
		if res, err := st.PutProfileFacts(ctx, rows); err != nil || res != (UpsertResult{Unchanged: 3}) {
			t.Errorf("repeat write %+v, %v", res, err)
		}
		rows[2].Facts.DebtRatio = rules.Ptr[int64](8000)
		if res, err := st.PutProfileFacts(ctx, rows); err != nil || res != (UpsertResult{Unchanged: 2, Updated: 1}) {
			t.Errorf("changed write %+v, %v", res, err)
		}

		// Bad input writes nothing: an impossible share, an unknown firm.
		before := dbChecksum(t, st)
		bad := []cultivation.YearFacts{{EnterpriseID: b, Year: 2024, Facts: cultivation.Facts{DebtRatio: rules.Ptr[int64](1)}},
			{EnterpriseID: b, Year: 2024, Facts: cultivation.Facts{MarketShare: rules.Ptr[int64](12000)}}}
		if _, err := st.PutProfileFacts(ctx, bad); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("share above 100 %%: %v, want invalid", err)
		}
		if _, err := st.PutProfileFacts(ctx, []cultivation.YearFacts{bad[0], {EnterpriseID: 999_999, Year: 2024}}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown enterprise: %v, want not found", err)
		}
		if after := dbChecksum(t, st); after != before {
			t.Error("a rejected write changed the database")
		}

		got, err := st.ProfileFacts(ctx, auth.All(), a)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[1].Year != 2024 || got[1].Source != "test" || !reflect.DeepEqual(got[1].Facts, factsA()) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got[1].Facts, factsA())
		}

		q := cultivation.ProfileQuery{FromYear: 2021, ToYear: 2024}
		raw, err := st.ProfileRaw(ctx, auth.All(), a, q)
		if err != nil {
			t.Fatal(err)
		}
		if raw.Enterprise.Name != "重庆长安汽车股份有限公司" || len(raw.Years) != 2 || len(raw.Facts) != 2 || raw.ClusterCode != "C01" {
			t.Errorf("raw A: %+v", raw)
		}
		if len(raw.Annual) != 1 || raw.Annual[0] != (cultivation.Annual{Year: 2024, Revenue: 1_000_000_000, Profit: 50_000_000, RDExpense: 40_000_000, Employees: 3100}) {
			t.Errorf("annual A = %+v", raw.Annual)
		}
		if len(raw.Enterprise.Titles) != 1 || raw.Enterprise.Titles[0].Kind != enterprise.TitleHighTech {
			t.Errorf("titles A = %+v", raw.Enterprise.Titles)
		}

		// Scope: the batch and the single read both obey it.
		ids := func(sc auth.Scope) []int64 {
			raws, err := st.ProfileRaws(ctx, sc, q)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, r := range raws {
				out = append(out, r.Enterprise.ID)
			}
			return out
		}
		if got := ids(auth.All()); len(got) != 5 {
			t.Errorf("city scope: %v", got)
		}
		if got := ids(auth.Region(regionA)); !reflect.DeepEqual(got, []int64{a, b}) {
			t.Errorf("district scope: %v, want [%d %d]", got, a, b)
		}
		if got := ids(auth.Enterprise(b)); !reflect.DeepEqual(got, []int64{b}) {
			t.Errorf("enterprise scope: %v", got)
		}
		if got := ids(auth.Scope{}); len(got) != 0 {
			t.Errorf("empty scope: %v", got)
		}
		// Pages of two (AfterID, Limit) read the same raws as one read,
		// in a scope and city-wide.
		for _, sc := range []auth.Scope{auth.All(), auth.Region(regionB)} {
			whole, err := st.ProfileRaws(ctx, sc, q)
			if err != nil {
				t.Fatal(err)
			}
			var paged []cultivation.Raw
			pq := q
			pq.Limit = 2
			for pages := 0; ; pages++ {
				page, err := st.ProfileRaws(ctx, sc, pq)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) > 2 || pages > len(whole) {
					t.Fatalf("scope %+v: page of %d after %d", sc, len(page), pq.AfterID)
				}
				if len(page) == 0 {
					break
				}
				paged = append(paged, page...)
				pq.AfterID = page[len(page)-1].Enterprise.ID
			}
			if len(whole) < 3 || !reflect.DeepEqual(paged, whole) {
				t.Errorf("scope %+v: %d raws in pages of two, %d in one read, or they differ", sc, len(paged), len(whole))
			}
		}
		if _, err := st.ProfileRaw(ctx, auth.Region(regionA), c, q); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("other district's firm: %v, want not found", err)
		}
		if f, err := st.ProfileFacts(ctx, auth.Enterprise(b), a); err != nil || len(f) != 0 {
			t.Errorf("another firm's facts through an enterprise scope: %v, %v", f, err)
		}
		// The batch narrows to a district inside a city scope.
		raws, err := st.ProfileRaws(ctx, auth.All(), cultivation.ProfileQuery{FromYear: 2024, ToYear: 2024, RegionCode: regionB})
		if err != nil || len(raws) != 3 {
			t.Fatalf("region filter: %d, %v", len(raws), err)
		}
		for _, r := range raws {
			if r.Enterprise.ID == c && (len(r.Facts) != 1 || *r.Facts[0].Facts.DebtRatio != 8000) {
				t.Errorf("C facts = %+v", r.Facts)
			}
		}
		if y, err := st.LatestCompleteYear(ctx); err != nil || y != 2024 {
			t.Errorf("latest complete year %d, %v", y, err)
		}
	})
}
