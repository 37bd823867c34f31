package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/unit"
)

// seedMujunCLI writes ten above-scale firms in 万州 with December 2023
// reports whose tax grows with the firm's number.
func seedMujunCLI(t *testing.T, db string) {
	t.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var rows []sqlstore.EnterpriseWithYear
	for i := range 10 {
		rows = append(rows, sqlstore.EnterpriseWithYear{
			Enterprise: enterprise.Enterprise{CreditCode: fmt.Sprintf("CLIMJ%03d", i), Name: fmt.Sprintf("命令行测试企业%02d有限公司", i), RegionCode: "500101",
				IndustryCode: "3011", Founded: time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), LandArea: 2000},
			Year: &enterprise.Year{Year: 2023, AboveScale: true, Employees: 100, Revenue: 5000 * unit.Wan, Size: enterprise.SizeSmall},
		})
	}
	if _, err := a.Store.UpsertEnterprises(ctx, rows); err != nil {
		t.Fatal(err)
	}
	ids, err := a.Store.EnterpriseIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var reps []report.Monthly
	for i := range 10 {
		var v report.Values
		for f := range v {
			v[f] = int64(100+10*i) * int64(unit.Wan)
		}
		v[report.Tax] = int64(10+5*i) * int64(unit.Wan)
		v[report.Energy], v[report.Employees] = 100_000, 50
		reps = append(reps, report.Monthly{EnterpriseID: ids[fmt.Sprintf("CLIMJ%03d", i)], Period: report.Period{Year: 2023, Month: 12}, Values: v})
	}
	if _, err := a.Store.UpsertReports(ctx, reps); err != nil {
		t.Fatal(err)
	}
}

func TestMujunCLI(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "mj.db")
	seedMujunCLI(t, db)

	if code, _, errOut := run(t, "mujun", "-h"); code != 0 || !strings.Contains(errOut, "Usage: ibrain mujun") || !strings.Contains(errOut, "diff") {
		t.Fatalf("mujun -h: %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "mujun", "run", "-h"); code != 0 || !strings.Contains(errOut, "-year") || !strings.Contains(errOut, "-config") || !strings.Contains(errOut, "-no-prior") {
		t.Fatalf("mujun run -h: %d %q", code, errOut)
	}
	if code, _, _ := run(t, "mujun", "run", "--db", db); code != 2 {
		t.Fatalf("run without --year: exit %d, want 2", code)
	}
	if code, _, _ := run(t, "mujun", "frob"); code != 2 {
		t.Fatalf("unknown subcommand: exit %d, want 2", code)
	}
	if code, out, _ := run(t, "mujun", "configs", "--db", db); code != 0 || !strings.Contains(out, "chongqing_2024") || !strings.Contains(out, "huangyan_2022") {
		t.Fatalf("configs: %d %q", code, out)
	}
	// No configuration for 2023 is stored yet.
	if code, _, errOut := run(t, "mujun", "run", "--db", db, "--year", "2023"); code != 1 || !strings.Contains(errOut, "no city configuration for 2023") {
		t.Fatalf("run without a 2023 configuration: %d %q", code, errOut)
	}

	cfg, err := mujun.Builtin("chongqing_2024")
	if err != nil {
		t.Fatal(err)
	}
	cfg.ID, cfg.Year, cfg.EffectiveFrom = "cq_2023", 2023, "2024-01-01"
	good, _ := json.Marshal(cfg)
	cfg.Groups[0].Indicators[0].Weight = 99
	cfg.Classes.Defs[1].Name.En = ""
	bad, _ := json.Marshal(cfg)
	badPath := writeFile(t, dir, "bad.json", string(bad))
	code, _, errOut := run(t, "mujun", "run", "--db", db, "--year", "2023", "--config", badPath)
	if code != 2 || !strings.Contains(errOut, "2 problems") || !strings.Contains(errOut, "groups[0].indicators") || !strings.Contains(errOut, "classes.defs[1].name") {
		t.Fatalf("bad config: %d %q", code, errOut)
	}

	// 10 firms, shares 20/40/35/5: A round(2)=2, B round(4)=4, C round(3.5)=4, D round(0.5)=1 → C, the
	// remainder, takes 10−2−4−1 = 3.
	goodPath := writeFile(t, dir, "cq_2023.json", string(good))
	code, out, errOut := run(t, "mujun", "run", "--db", db, "--year", "2023", "--config", goodPath, "--note", "first")
	if code != 0 {
		t.Fatalf("run: %d %s", code, errOut)
	}
	for _, want := range []string{"run 1: 2023, configuration cq_2023 v1", "10 above scale", "above_scale", "万州区 500101"} {
		if !strings.Contains(out, want) {
			t.Errorf("run summary lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(strings.Join(strings.Fields(out), " "), "total 10 2 4 3 1 0") {
		t.Errorf("class counts: want total 10 = A2 B4 C3 D1 T0:\n%s", out)
	}
	// The stored id is picked by default now (effective since 2024).
	if code, out, errOut := run(t, "mujun", "run", "--db", db, "--year", "2023"); code != 0 || !strings.Contains(out, "run 2: 2023, configuration cq_2023 v1") {
		t.Fatalf("default config run: %d %s %s", code, out, errOut)
	}
	if !strings.Contains(out, "2× = 50 points") || !strings.Contains(out, "this year's firms (2023), 10 firms") {
		t.Errorf("run summary lacks the benchmarks and caps:\n%s", out)
	}
	// The prior-year mean without a bootstrap: there is no 2022 run, so
	// the run is refused, naming the indicator and the missing prior run,
	// and nothing is stored.
	strict := cfg
	strict.ID = "cq_2023_strict"
	strict.Groups[0].Indicators[0].Weight = 25
	strict.Classes.Defs[1].Name.En = "Encouraged"
	for gi := range strict.Groups {
		for ii := range strict.Groups[gi].Indicators {
			strict.Groups[gi].Indicators[ii].Benchmark = mujun.Benchmark{Method: mujun.PriorMean}
		}
	}
	bs, _ := json.Marshal(strict)
	code, out, errOut = run(t, "mujun", "run", "--db", db, "--year", "2023", "--config", writeFile(t, dir, "strict.json", string(bs)))
	if code != 2 || !strings.Contains(errOut, "run refused") || !strings.Contains(errOut, "亩均税收") || !strings.Contains(errOut, "Tax per mu") ||
		!strings.Contains(errOut, "no prior run with firms for 2022 in the city") || !strings.Contains(errOut, "全市没有2022年") {
		t.Fatalf("refused run: %d %q %q", code, out, errOut)
	}
	if code, out, _ := run(t, "mujun", "runs", "--db", db); code != 0 || !strings.Contains(out, "cq_2023 v1") || !strings.Contains(out, "first") || strings.Contains(out, "strict") {
		t.Fatalf("runs: %d %q", code, out)
	}
	if code, out, _ := run(t, "mujun", "diff", "--db", db, "--from", "1", "--to", "2"); code != 0 || !strings.Contains(out, "0 enterprises changed class") {
		t.Fatalf("diff: %d %q", code, out)
	}
	if code, _, _ := run(t, "mujun", "diff", "--db", db, "--from", "1"); code != 2 {
		t.Fatalf("diff without --to: %d", code)
	}
	if code, _, errOut := run(t, "mujun", "diff", "--db", db, "--from", "1", "--to", "9"); code != 1 || !strings.Contains(errOut, "mujun_run_not_found") {
		t.Fatalf("diff with an unknown run: %d %q", code, errOut)
	}
}
