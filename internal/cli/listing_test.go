package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/listing"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/testkit"
	"github.com/industrybrain/ibrain/internal/unit"
)

// seedListing writes a small fixture with the document's listing figures
// (the demo's, which internal/demo's acceptance test checks there) and
// returns its DSN: at 2024-02-29, 34 firms in tutoring, one of them in
// 九龙坡 (500107), and 99 listed companies; in 2022, 3 domestic IPOs
// raising 41.49 亿元; in 2023, 9 domestic IPOs raising 120.74 亿元 (+191 %)
// and 1 relocation.
func seedListing(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	db := testkit.SQLite(t)
	st, err := sqlstore.Open(ctx, db, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	yi := func(hundredths int64) unit.Fen { return unit.Fen(hundredths * int64(unit.Yi) / 100) }
	const sponsor = "测试证券股份有限公司"
	// ipo is the domestic route to a listing on listed.
	ipo := func(listed time.Time, proceeds unit.Fen) []listing.Event {
		b := listing.BoardSSEMain
		return []listing.Event{
			{Stage: listing.StageTutoring, Date: listed.AddDate(-1, -6, 0), AgreedOn: listed.AddDate(-1, -6, -5), Sponsor: sponsor},
			{Stage: listing.StageAccepted, Date: listed.AddDate(0, -8, 0), Board: b},
			{Stage: listing.StageReview, Date: listed.AddDate(0, -3, 0)},
			{Stage: listing.StageRegistered, Date: listed.AddDate(0, 0, -20)},
			{Stage: listing.StageListed, Date: listed, Board: b, Kind: listing.KindIPO, Proceeds: proceeds},
		}
	}
	var histories [][]listing.Event
	for i := range 34 { // in tutoring
		f := day(2023, 3, 1).AddDate(0, 0, 10*i)
		histories = append(histories, []listing.Event{{Stage: listing.StageTutoring, Date: f, AgreedOn: f.AddDate(0, 0, -7), Sponsor: sponsor}})
	}
	for i := range 86 { // listed before 2022, entered as one listing event
		histories = append(histories, []listing.Event{{Stage: listing.StageListed, Date: day(2015, 1, 5).AddDate(0, 0, 20*i), Board: listing.BoardSZSEMain, Kind: listing.KindIPO, Proceeds: yi(500)}})
	}
	for i, p := range []int64{2000, 1500, 649} { // 2022: 41.49 亿元
		histories = append(histories, ipo(day(2022, time.Month(3+3*i), 15), yi(p)))
	}
	for i := range 9 { // 2023: 8 × 13 + 16.74 = 120.74 亿元
		p := int64(1300)
		if i == 8 {
			p = 1674
		}
		histories = append(histories, ipo(day(2023, time.Month(2+i), 10), yi(p)))
	}
	histories = append(histories, []listing.Event{{Stage: listing.StageListed, Date: day(2023, 11, 20), Board: listing.BoardSSEMain, Kind: listing.KindRelocation}})

	var rows []sqlstore.EnterpriseWithYear
	for i := range histories {
		region := "500101"
		if i == 0 {
			region = "500107"
		}
		rows = append(rows, sqlstore.EnterpriseWithYear{Enterprise: enterprise.Enterprise{
			CreditCode: validCode(t, fmt.Sprintf("91%sMA%06d", region, i+1)), Name: fmt.Sprintf("上市测试企业%03d股份有限公司", i+1),
			RegionCode: region, IndustryCode: "3670", Founded: day(2005, 5, 1)}})
	}
	if _, err := st.UpsertEnterprises(ctx, rows); err != nil {
		t.Fatal(err)
	}
	ids, err := st.EnterpriseIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	recs := make([]listing.Record, len(histories))
	for i, h := range histories {
		recs[i] = listing.Record{EnterpriseID: ids[rows[i].Enterprise.CreditCode], Events: h}
	}
	if _, err := st.PutListingRecords(ctx, recs, "test"); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestListingCommand prints the document's listing figures through the
// command, in JSON and text, from a fixture holding them.
func TestListingCommand(t *testing.T) {
	db := seedListing(t)
	code, out, errOut := run(t, "listing", "--db", db, "--date", "2024-02-29", "--year", "2023", "--format", "json")
	if code != 0 {
		t.Fatalf("listing: exit %d: %s", code, errOut)
	}
	var rep listingReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Date != "2024-02-29" || rep.Stages["tutoring"] != 34 || rep.Listed.Total != 99 || len(rep.Years) != 2 {
		t.Fatalf("report %+v", rep)
	}
	y := rep.Years[1]
	if y.Year != 2023 || y.NewListings != 10 || y.DomesticIPO != 9 || y.Relocation != 1 || y.IPOProceedsYi != "120.74" ||
		y.ProceedsGrowthPct == nil || *y.ProceedsGrowthPct < 190.5 || *y.ProceedsGrowthPct >= 191.5 {
		t.Fatalf("2023 %+v", y)
	}
	code, out, _ = run(t, "listing", "--db", db, "--date", "2024-02-29", "--year", "2023")
	for _, want := range []string{`辅导备案 tutoring filed +34\n`, `境内外上市公司 listed companies +99 `, `120\.74 亿元`, `\+191\.0 %`, `IPO 9 of which domestic 9, 迁入 relocated 1,`} {
		if code != 0 || !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	// One district: 九龙坡 has one firm in tutoring (臻宝科技 in the demo).
	code, out, _ = run(t, "listing", "--db", db, "--date", "2024-02-29", "--region", "500107", "--format", "json")
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || rep.Region != "500107" || rep.Stages["tutoring"] < 1 || rep.Stages["tutoring"] >= 34 {
		t.Fatalf("district: exit %d %v %+v", code, err, rep)
	}
}

func TestListingCommandUsage(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "ibrain.db")
	for _, args := range [][]string{
		{"listing", "--db", db, "--date", "29/02/2024"},
		{"listing", "--db", db, "--format", "xml"},
		{"listing", "--db", db, "--year", "2023", "--from", "2024"},
		{"listing", "--db", db, "extra"},
	} {
		if code, _, errOut := run(t, args...); code != 2 || !strings.Contains(errOut, "ibrain listing -h") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
	if code, _, errOut := run(t, "listing", "--db", db, "--region", "999999"); code != 2 || !strings.Contains(errOut, "unknown region") {
		t.Errorf("unknown region: exit %d, %q", code, errOut)
	}
	if code, _, errOut := run(t, "listing", "-h"); code != 0 || !strings.Contains(errOut, "--format") || !strings.Contains(errOut, "--date") {
		t.Errorf("-h: exit %d, %q", code, errOut)
	}
}
