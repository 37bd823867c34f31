package cli

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestListingCommand loads the demo and prints the document's listing
// figures through the command, in JSON and text.
func TestListingCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo dataset")
	}
	db := "sqlite:" + filepath.Join(t.TempDir(), "ibrain.db")
	if code, _, errOut := run(t, "demo", "--db", db, "--accounts=false"); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errOut)
	}
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
	// One district: 九龙坡 has 臻宝科技 in tutoring.
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
