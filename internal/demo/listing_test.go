package demo

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/listing"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The PostgreSQL run of these checks is part of TestAcceptancePostgres,
// on the database it loaded.
func TestListingFiguresSQLite(t *testing.T) {
	t.Parallel()
	runListingAcceptance(t, openLoadedSQLite(t))
}

// runListingAcceptance takes a store with the demo loaded and computes the document's listing
// figures from the stored records with the platform's own statistics
// (internal/listing over sqlstore.ListingRecords, as the page, the API and
// the CLI do), then compares them with the document.
func runListingAcceptance(t *testing.T, st *sqlstore.Store) {
	ctx := context.Background()
	firms, err := st.ListingRecords(ctx, auth.All(), listing.RecordFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range firms {
		if err := f.Validate(); err != nil {
			t.Fatalf("stored record of %s is invalid: %v", f.Name, err)
		}
	}
	recs := listing.Records(firms)
	article := time.Date(2024, time.February, 29, 0, 0, 0, 0, time.UTC)

	// 34 firms in tutoring at the article date, 32 before the two filings.
	if n := listing.CountsAt(recs, article).ByStage[listing.StageTutoring]; n != 34 {
		t.Errorf("in tutoring at %s: %d, want 34", article.Format(time.DateOnly), n)
	}
	if n := listing.CountsAt(recs, time.Date(2024, time.February, 1, 0, 0, 0, 0, time.UTC)).ByStage[listing.StageTutoring]; n != 32 {
		t.Errorf("in tutoring on 2024-02-01: %d, want 32", n)
	}
	// The two named filings lead the tutoring list, with their dates and
	// sponsors.
	page, err := listing.NewService(st).Firms(ctx, auth.All(), listing.Filter{At: article, Stage: listing.StageTutoring, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 34 || len(page.Items) != 34 {
		t.Fatalf("tutoring list: %d of %d", len(page.Items), page.Total)
	}
	want := []struct{ name, region, agreed, filed, sponsor string }{
		{"重庆臻宝科技股份有限公司", "500107", "2024-01-31", "2024-02-07", "中信证券股份有限公司"},
		{"重庆大美长江三峡游轮股份有限公司", "500233", "2024-01-29", "2024-02-02", "国泰君安证券股份有限公司"},
	}
	for i, w := range want {
		it := page.Items[i]
		if it.Name != w.name || it.RegionCode != w.region || it.State.AgreedOn.Format(time.DateOnly) != w.agreed ||
			it.State.Since.Format(time.DateOnly) != w.filed || it.State.Sponsor != w.sponsor {
			t.Errorf("tutoring list row %d: %s %s agreed %s filed %s %s; want %+v", i+1, it.Name, it.RegionCode,
				it.State.AgreedOn.Format(time.DateOnly), it.State.Since.Format(time.DateOnly), it.State.Sponsor, w)
		}
	}

	// 2023: 10 new listings, 9 A-share IPOs and 1 relocation; proceeds
	// 120.74亿元, +191 % on 2022.
	ys := listing.Yearly(recs, 2022, 2023)
	y23 := ys[1]
	if l := y23.Listings; l.Total != 10 || l.IPO != 9 || l.DomesticIPO != 9 || l.Relocation != 1 || l.Other != 0 {
		t.Errorf("2023 listings %+v, want 10 = 9 domestic IPOs + 1 relocation", l)
	}
	yi := float64(y23.IPOProceeds) / float64(unit.Yi)
	if math.Round(yi*100) != 12074 {
		t.Errorf("2023 domestic IPO proceeds %.4f 亿元, want 120.74", yi)
	}
	if !y23.GrowthKnown || math.Round(y23.ProceedsGrowthPct) != 191 {
		t.Errorf("2023 proceeds growth %.4f %% (known %v), want +191 %%", y23.ProceedsGrowthPct, y23.GrowthKnown)
	}
	t.Logf("2023 proceeds %.2f 亿元 (2022 %.2f), growth %.3f %%", yi, float64(ys[0].IPOProceeds)/float64(unit.Yi), y23.ProceedsGrowthPct)

	// The relocated company sits in 璧山.
	for _, f := range firms {
		if st, _ := f.Current(); st.Kind == listing.KindRelocation && f.RegionCode != "500120" {
			t.Errorf("relocated company %s is in %s, want 璧山区 (500120)", f.Name, f.RegionCode)
		}
	}

	// 99 listed companies, domestic and overseas, at the article date
	// ("截至目前") and, with no change in between, at the end of 2023.
	for _, at := range []time.Time{article, listing.YearEnd(2023)} {
		c := listing.CountsAt(recs, at)
		if c.Listed.Total != 99 || c.Listed.Overseas == 0 || c.Listed.Domestic+c.Listed.Overseas != 99 {
			t.Errorf("listed at %s: %+v, want 99 with some overseas", at.Format(time.DateOnly), c.Listed)
		}
	}

	// A district officer sees only their district: 九龙坡 includes 臻宝科技.
	dist, err := st.ListingRecords(ctx, auth.Region("500107"), listing.RecordFilter{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range dist {
		if f.RegionCode != "500107" {
			t.Fatalf("district scope returned %s in %s", f.Name, f.RegionCode)
		}
		found = found || f.Name == "重庆臻宝科技股份有限公司"
	}
	if !found {
		t.Error("九龙坡 officer does not see 臻宝科技")
	}
}
