package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/digital"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/testkit"
)

// seedDigitalFirms writes three firms (two in 万州 500101, one in 九龙坡
// 500107) and a maturity record giving the first an NC rate of 60 % in
// 2023; it returns the DSN and the firms' credit codes.
func seedDigitalFirms(t *testing.T) (string, []string) {
	t.Helper()
	ctx := context.Background()
	db := testkit.SQLite(t)
	st, err := sqlstore.Open(ctx, db, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var rows []sqlstore.EnterpriseWithYear
	var codes []string
	for i, region := range []string{"500101", "500101", "500107"} {
		code := validCode(t, fmt.Sprintf("91%sMA%06d", region, i+1))
		codes = append(codes, code)
		rows = append(rows, sqlstore.EnterpriseWithYear{Enterprise: enterprise.Enterprise{CreditCode: code, Name: fmt.Sprintf("数字化测试企业%d有限公司", i+1),
			RegionCode: region, IndustryCode: "3670", Founded: time.Date(2005, 5, 1, 0, 0, 0, 0, time.UTC)}})
	}
	if _, err := st.UpsertEnterprises(ctx, rows); err != nil {
		t.Fatal(err)
	}
	ids, err := st.EnterpriseIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	nc := int64(6000)
	if _, err := st.PutDigitalMaturity(ctx, auth.All(), []digital.Maturity{{EnterpriseID: ids[codes[0]], Year: 2023, CMMM: 2, NCRate: &nc, Source: digital.SourceZJTX}},
		digital.WriteOptions{By: "test", ExpectEvents: -1}); err != nil {
		t.Fatal(err)
	}
	return db, codes
}

// digitalSheet writes a project CSV: two projects approved in 2023 in
// 500101 (one accepted with ¥6 m), one approved in 2024 in 500107.
func digitalSheet(t *testing.T, codes []string, firstCode string) string {
	t.Helper()
	lines := []string{
		"项目编号,统一社会信用代码,项目名称,改造类型,应用场景,计划投资（万元）,计划开工日期,计划完工日期,申报日期,认定日期,验收日期,实际投资（万元）",
		"SZ-2023-001," + firstCode + ",产线智能化改造,智能化改造,M01,500,2023-02-01,2023-11-30,2023-01-10,2023-03-01,2023-12-01,600",
		"SZ-2023-002," + codes[1] + ",车间数字化改造,数字化改造,F02,300,2023-05-01,2024-04-30,2023-04-01,2023-05-10,,",
		"SZ-2024-001," + codes[2] + ",仓储智能化改造,智能化改造,F01,800,2024-04-01,2024-12-31,2024-02-01,2024-04-01,,",
	}
	path := filepath.Join(t.TempDir(), "projects.csv")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDigitalCommands imports a project sheet through the command (a
// refused file, a check, the load), then prints the figures and the
// candidates the fixture implies.
func TestDigitalCommands(t *testing.T) {
	db, codes := seedDigitalFirms(t)

	// A firm not in the registry: every problem printed, exit 2, nothing written.
	bad := digitalSheet(t, codes, validCode(t, "91500101MA999999"))
	code, _, errOut := run(t, "digital", "import", "--db", db, "--lang", "en", bad)
	if code != 2 || !strings.Contains(errOut, "projects.csv:2") || !strings.Contains(errOut, "nothing was imported") {
		t.Fatalf("bad sheet: exit %d, %q", code, errOut)
	}
	good := digitalSheet(t, codes, codes[0])
	code, out, errOut := run(t, "digital", "import", "--db", db, "--check", "--lang", "en", good)
	if code != 0 || !strings.Contains(out, "3 projects checked") {
		t.Fatalf("check: exit %d, %q %q", code, out, errOut)
	}
	var rep digitalStatsJSON
	code, out, errOut = run(t, "digital", "stats", "--db", db, "--from", "2023", "--to", "2024", "--format", "json")
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || rep.Years[0].ApprovedTotal != 0 {
		t.Fatalf("after the check: exit %d %v %s %s", code, err, out, errOut)
	}
	code, out, errOut = run(t, "digital", "import", "--db", db, "--lang", "en", good)
	if code != 0 || !strings.Contains(out, "3 projects: 3 new") {
		t.Fatalf("import: exit %d, %q %q", code, out, errOut)
	}

	code, out, errOut = run(t, "digital", "stats", "--db", db, "--from", "2023", "--to", "2024", "--format", "json")
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil {
		t.Fatalf("stats: exit %d %v %s %s", code, err, out, errOut)
	}
	if len(rep.Years) != 2 {
		t.Fatalf("years %+v", rep.Years)
	}
	y23, y24 := rep.Years[0], rep.Years[1]
	if y23.Year != 2023 || y23.ApprovedTotal != 2 || y23.Approved["intelligent"] != 1 || y23.Approved["digital"] != 1 || y23.Accepted != 1 || y23.ActualYi != "0.06" {
		t.Errorf("2023 %+v", y23)
	}
	if y24.ApprovedTotal != 1 || y24.CumApproved["intelligent"] != 2 || y24.Accepted != 0 {
		t.Errorf("2024 %+v", y24)
	}
	want := map[string][2]int{"500101": {2, 1}, "500107": {1, 0}}
	if len(rep.Regions) != 2 {
		t.Fatalf("districts %+v", rep.Regions)
	}
	for _, r := range rep.Regions {
		if w := want[r.RegionCode]; r.Approved != w[0] || r.Accepted != w[1] {
			t.Errorf("district %+v, want approved/accepted %v", r, w)
		}
	}
	for _, g := range rep.Goals {
		if g.Code == "firms_transformed" && g.Actual != 1 {
			t.Errorf("firms transformed %+v, want 1", g)
		}
	}
	// One district; text output.
	code, out, _ = run(t, "digital", "stats", "--db", db, "--from", "2023", "--to", "2024", "--region", "500107")
	if code != 0 || !strings.Contains(out, "九龙坡") || !strings.Contains(out, "2024 ") {
		t.Errorf("district text: exit %d\n%s", code, out)
	}

	// The first firm's NC rate (60 %) meets the workshop's data criterion.
	var lad digitalLadderJSON
	code, out, errOut = run(t, "digital", "ladder", "--db", db, "--date", "2024-06-30", "--format", "json")
	if err := json.Unmarshal([]byte(out), &lad); code != 0 || err != nil {
		t.Fatalf("ladder: exit %d %v %s %s", code, err, out, errOut)
	}
	if len(lad.Candidates) != 1 || lad.Candidates[0].CreditCode != codes[0] || lad.Candidates[0].Rung != "digital_workshop" || lad.Candidates[0].Status != "met" {
		t.Errorf("candidates %+v", lad.Candidates)
	}
}

func TestDigitalCommandUsage(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "ibrain.db")
	for _, args := range [][]string{
		{"digital"},
		{"digital", "plot"},
		{"digital", "stats", "--db", db, "--format", "xml"},
		{"digital", "stats", "--db", db, "--from", "2024", "--to", "2023"},
		{"digital", "ladder", "--db", db, "--date", "30/06/2024"},
		{"digital", "ladder", "--db", db, "--limit", "0"},
		{"digital", "import", "--db", db},
	} {
		if code, _, errOut := run(t, args...); code != 2 || !strings.Contains(errOut, "ibrain digital -h") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
}
