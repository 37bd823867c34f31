package imports

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/creditcode"
	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/listing"
	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/refdata"
	"github.com/industrybrain/ibrain/internal/rules"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/unit"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// today is the import date of every test: years up to 2025 are accepted.
var today = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)

// env is a migrated store with a fixture and a second, raw connection to
// the same database for snapshots.
type env struct {
	st  *sqlstore.Store
	raw *sql.DB
	ids map[string]int64 // label → enterprise id
	cc  map[string]string
}

// Fixture labels: the two firms of the templates' example rows (渝北区,
// 两江新区), two firms in 万州 and one in 渝中.
const (
	ex0 = "ex0"
	ex1 = "ex1"
	wzA = "wzA"
	wzB = "wzB"
	yzC = "yzC"
)

func testCode(t testing.TB, region string, n int) string {
	t.Helper()
	body := fmt.Sprintf("MA%06d", n)
	oc, ok := creditcode.OrgCheckChar(body)
	if !ok {
		t.Fatalf("org check char for %s", body)
	}
	first := "91" + region + body + string(oc)
	cc, err := creditcode.CheckChar(first)
	if err != nil {
		t.Fatal(err)
	}
	return first + string(cc)
}

// forEachEngine runs fn on SQLite and, when IBRAIN_TEST_POSTGRES is set,
// on a fresh PostgreSQL database.
func forEachEngine(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "i.db")
		raw, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		fn(t, newEnv(t, "sqlite:"+path, raw))
	})
	base := os.Getenv("IBRAIN_TEST_POSTGRES")
	if base == "" {
		return
	}
	t.Run("postgres", func(t *testing.T) {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		var b [8]byte
		_, _ = rand.Read(b[:])
		name := "ibrain_imports_" + hex.EncodeToString(b[:])
		if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
			admin.Close()
			t.Fatal(err)
		}
		t.Cleanup(func() {
			defer admin.Close()
			_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		})
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		u.Path = "/" + name
		raw, err := sql.Open("pgx", u.String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		fn(t, newEnv(t, u.String(), raw))
	})
}

func newEnv(t *testing.T, dsn string, raw *sql.DB) *env {
	t.Helper()
	ctx := context.Background()
	var tick atomic.Int64
	// A clock that moves on every call: a rewrite of an unchanged row
	// would show in updated_at.
	clock := func() time.Time { return time.Unix(1_750_000_000+tick.Add(1), 0) }
	st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ref, err := refdata.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if err := refdata.Sync(ctx, st, ref); err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, raw: raw, ids: map[string]int64{}, cc: map[string]string{}}
	_, examples := importer.EnterpriseTemplate("zh-CN")
	e.cc[ex0], e.cc[ex1] = examples[0][0], examples[1][0]
	e.cc[wzA], e.cc[wzB], e.cc[yzC] = testCode(t, "500101", 1), testCode(t, "500101", 2), testCode(t, "500103", 3)
	region := map[string]string{ex0: "500112", ex1: "CQ-LJ", wzA: "500101", wzB: "500101", yzC: "500103"}
	var rows []sqlstore.EnterpriseWithYear
	for _, l := range []string{ex0, ex1, wzA, wzB, yzC} {
		rows = append(rows, sqlstore.EnterpriseWithYear{Enterprise: enterprise.Enterprise{
			CreditCode: e.cc[l], Name: "测试企业" + l + "股份有限公司", RegionCode: region[l], IndustryCode: "3670",
			Founded: time.Date(2012, 3, 1, 0, 0, 0, 0, time.UTC), LandArea: 3000}})
	}
	if _, err := st.UpsertEnterprises(ctx, rows); err != nil {
		t.Fatal(err)
	}
	ids, err := st.EnterpriseIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for l, c := range e.cc {
		e.ids[l] = ids[c]
	}
	if err := st.PutMujunParks(ctx, []mujun.Park{
		{Code: "WZ-P1", RegionCode: "500101", NameZh: "万州经济技术开发区", NameEn: "Wanzhou ETDZ"},
		{Code: "YZ-P1", RegionCode: "500103", NameZh: "渝中楼宇产业园", NameEn: "Yuzhong Building Park"},
	}); err != nil {
		t.Fatal(err)
	}
	// Stored before any import: wzA's 2023 profile with facts no import
	// column covers (awards, standards), its 2024 亩均 facts from the power
	// company, and wzB's listing history up to shareholding reform.
	if _, err := st.PutProfileFacts(ctx, []cultivation.YearFacts{{EnterpriseID: e.ids[wzA], Year: 2023, Source: "survey", Facts: cultivation.Facts{
		TotalAssets:      rules.Ptr(unit.Fen(5_000 * unit.Wan)),
		OperatingRevenue: rules.Ptr(unit.Fen(8_000 * unit.Wan)),
		Awards:           []rules.Award{{Level: rules.LevelProvincial, Rank: 1, Year: 2022}},
		StandardsLed:     []rules.Standard{{Year: 2021, Level: rules.LevelIndustry}},
	}}}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutMujunFacts(ctx, []mujun.Supplied{{EnterpriseID: e.ids[wzA], Year: 2024, ParkCode: "WZ-P1",
		Electricity: mujun.Some(int64(100_000)), Source: "power company"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutListingRecords(ctx, []listing.Record{{EnterpriseID: e.ids[wzB], Events: []listing.Event{
		{Stage: listing.StageReserve, Date: listing.Day(2020, 1, 10)},
		{Stage: listing.StageReform, Date: listing.Day(2021, 5, 1)},
	}}}, "fixture"); err != nil {
		t.Fatal(err)
	}
	return e
}

// snapshot returns every row of the tables the three kinds write,
// updated_at included.
func (e *env) snapshot(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT * FROM enterprise_profile ORDER BY enterprise_id, year`,
		`SELECT * FROM mujun_facts ORDER BY enterprise_id, year`,
		`SELECT * FROM listing_event ORDER BY enterprise_id, seq`,
	} {
		rows, err := e.raw.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "%v|", v)
			}
			b.WriteByte('\n')
		}
		rows.Close()
		b.WriteString("--\n")
	}
	return b.String()
}

// file encodes rows as a file of format: XLSX, UTF-8 CSV, or GBK CSV.
func file(t *testing.T, format string, header []string, rows [][]string) (*tabular.Sheet, []byte) {
	t.Helper()
	var buf bytes.Buffer
	name := "f.csv"
	switch format {
	case "xlsx":
		name = "f.xlsx"
		if err := tabular.WriteXLSX(&buf, "data", header, rows); err != nil {
			t.Fatal(err)
		}
	case "csv":
		if err := tabular.WriteCSV(&buf, header, rows); err != nil {
			t.Fatal(err)
		}
	case "gbk":
		var utf bytes.Buffer
		if err := tabular.WriteCSV(&utf, header, rows); err != nil {
			t.Fatal(err)
		}
		// Excel on a Chinese Windows saves CSV as GBK without a BOM.
		gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(bytes.TrimPrefix(utf.Bytes(), []byte("\xef\xbb\xbf")))
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(gbk)
	}
	sh, err := tabular.Read(bytes.NewReader(buf.Bytes()), name, tabular.DefaultOptions())
	if err != nil {
		t.Fatalf("read %s: %v", format, err)
	}
	return sh, buf.Bytes()
}

func (e *env) run(t *testing.T, kind string, sc auth.Scope, sh *tabular.Sheet) (importer.Report, sqlstore.UpsertResult) {
	t.Helper()
	return e.runWith(t, Limits{}, kind, sc, sh)
}

func (e *env) runWith(t *testing.T, l Limits, kind string, sc auth.Scope, sh *tabular.Sheet) (importer.Report, sqlstore.UpsertResult) {
	t.Helper()
	rep, res, err := NewServiceWith(e.st, nil, nil, l).Run(context.Background(), sh, Options{Kind: kind, Scope: sc, Today: today, By: "test"})
	if err != nil {
		t.Fatalf("%s: %v", kind, err)
	}
	return rep, res
}

func keys(list []importer.RowError) []string {
	var out []string
	for _, r := range list {
		out = append(out, fmt.Sprintf("%d/%s", r.Line, r.Key))
	}
	return out
}

// TestTemplatesRoundTrip imports every template, filled with its example
// rows, as XLSX, GBK CSV (zh-CN) and UTF-8 CSV (en), checks what was
// stored against hand-computed values, and imports it again: nothing may
// change, not even a timestamp.
func TestTemplatesRoundTrip(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		for _, tc := range []struct{ lang, format string }{{"en", "csv"}, {"en", "xlsx"}, {"zh-CN", "gbk"}, {"zh-CN", "xlsx"}} {
			for _, kind := range []string{importer.KindProfiles, importer.KindMujunFacts, importer.KindListing} {
				header, rows, _ := importer.Template(kind, tc.lang)
				sh, _ := file(t, tc.format, header, rows)
				rep, res := e.run(t, kind, auth.All(), sh)
				if !rep.OK() || len(rep.Warnings) != 0 {
					t.Fatalf("%s %s %s: errors %v warnings %v", kind, tc.lang, tc.format, keys(rep.Errors), keys(rep.Warnings))
				}
				before := e.snapshot(t)
				rep, res2 := e.run(t, kind, auth.All(), sh)
				if !rep.OK() || res2.Inserted != 0 || res2.Updated != 0 || res2.Unchanged == 0 {
					t.Errorf("%s %s %s: re-import %+v (first %+v), errors %v", kind, tc.lang, tc.format, res2, res, keys(rep.Errors))
				}
				if after := e.snapshot(t); after != before {
					t.Errorf("%s %s %s: re-import changed the database", kind, tc.lang, tc.format)
				}
			}
		}
		ctx := context.Background()
		// Profiles: the first example row states every fact.
		facts, err := e.st.ProfileFacts(ctx, auth.All(), e.ids[ex0])
		if err != nil || len(facts) != 1 || facts[0].Year != 2024 {
			t.Fatalf("ex0 facts %+v, %v", facts, err)
		}
		f := facts[0].Facts
		check := func(name string, got, want any) {
			t.Helper()
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s = %v, want %v", name, got, want)
			}
		}
		check("operating revenue (25800.5 万元 in fen)", *f.OperatingRevenue, unit.Fen(25_800_500_000))
		check("net profit", *f.NetProfit, unit.Fen(1_620_800_000))
		check("debt ratio 45.5 % in bp", *f.DebtRatio, 4550)
		check("market share 12.5 %", *f.MarketShare, 1250)
		check("intl share 1.2 %", *f.IntlMarketShare, 120)
		check("R&D staff", *f.RDStaff, 62)
		check("Ⅰ类 IP", *f.IP.Class1, 12)
		check("top-3 holder", *f.IP.Top3Holder, true)
		check("R&D institution", *f.RDInstitution, rules.LevelProvincial)
		check("honours", f.Honours, []string{"high_tech"})
		check("score 86.5", *f.DevQualityScore, rules.Points(8650))
		check("equity financing 2y known zero", *f.EquityFinancing2Y, unit.Fen(0))
		check("cumulative financing unknown", f.CumulativeFinancingUSD == nil, true)
		check("listed", *f.Listed, false)
		check("six bases", *f.Domain.SixBases, true)
		check("own brand", *f.Quality.OwnBrand, true)
		// The second row: most cells empty — unknown, not zero.
		facts, _ = e.st.ProfileFacts(ctx, auth.All(), e.ids[ex1])
		f = facts[0].Facts
		check("ex1 revenue", *f.OperatingRevenue, unit.Fen(1_800_000_000))
		check("ex1 R&D staff", *f.RDStaff, 6)
		check("ex1 Ⅰ类 IP known zero", f.IP.Class1 != nil && *f.IP.Class1 == 0, true)
		check("ex1 honours known none", f.Honours != nil && len(f.Honours) == 0, true)
		check("ex1 total assets unknown", f.TotalAssets == nil, true)
		check("ex1 debt ratio unknown", f.DebtRatio == nil, true)
		check("ex1 new product unknown", f.NewProduct == nil, true)
		check("ex1 awards unknown", f.Awards == nil, true)

		sup, err := e.st.MujunFacts(ctx, auth.All(), 2024)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[int64]mujun.Supplied{}
		for _, s := range sup {
			byID[s.EnterpriseID] = s
		}
		s0, s1 := byID[e.ids[ex0]], byID[e.ids[ex1]]
		check("ex0 electricity", s0.Electricity, mujun.Some(int64(3_250_000)))
		check("ex0 emissions", s0.Emissions, mujun.Some(int64(1520)))
		check("ex0 vetoes none", len(s0.Vetoes), 0)
		check("ex0 tax not supplied", s0.Tax.Known, false)
		check("ex1 tax 86.5 万元", s1.Tax, mujun.Some(unit.Fen(86_500_000)))
		check("ex1 value added", s1.ValueAdded, mujun.Some(unit.Fen(420_250_000)))
		check("ex1 energy 260.5 tce in kgce", s1.Energy, mujun.Some(unit.KgCE(260_500)))
		check("ex1 employees", s1.Employees, mujun.Some(int64(45)))
		check("ex1 vetoes", s1.Vetoes, []string{"environmental_penalty"})
		check("ex1 emissions not supplied", s1.Emissions.Known, false)

		rec, err := e.st.ListingRecord(ctx, auth.All(), e.ids[ex0])
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Events) != 6 {
			t.Fatalf("ex0 listing %+v", rec.Events)
		}
		last := rec.Events[5]
		check("listing", []any{last.Stage, last.Date.Format(time.DateOnly), last.Board, last.Kind, last.Proceeds},
			[]any{listing.StageListed, "2024-02-28", listing.BoardSTAR, listing.KindIPO, unit.Fen(85_000 * unit.Wan)})
		tut := rec.Events[1]
		check("tutoring", []any{tut.AgreedOn.Format(time.DateOnly), tut.Sponsor}, []any{"2022-03-01", "示例证券股份有限公司"})
	})
}

// TestMergeKeepsStored checks the merge rules: facts without a column and
// empty cells keep what is stored; a stated value replaces it.
func TestMergeKeepsStored(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		rep, res := e.run(t, importer.KindProfiles, auth.All(), sheetOf(
			[]string{"统一社会信用代码", "年度", "研发人员（人）", "资产总额（万元）", "营业收入"},
			[]string{e.cc[wzA], "2023", "40", "", "9000"}))
		if !rep.OK() || res.Updated != 1 {
			t.Fatalf("errors %v, result %+v", keys(rep.Errors), res)
		}
		facts, _ := e.st.ProfileFacts(ctx, auth.All(), e.ids[wzA])
		f := facts[0].Facts
		if *f.RDStaff != 40 || *f.TotalAssets != 5_000*unit.Wan || *f.OperatingRevenue != 9_000*unit.Wan || len(f.Awards) != 1 || len(f.StandardsLed) != 1 {
			t.Errorf("merged facts %+v", f)
		}
		rep, res = e.run(t, importer.KindMujunFacts, auth.All(), sheetOf(
			[]string{"credit_code", "year", "electricity_kwh", "emissions_kg", "vetoes"},
			[]string{e.cc[wzA], "2024", "", "2,500", "受到生态环境行政处罚"}))
		if !rep.OK() || res.Updated != 1 {
			t.Fatalf("errors %v, result %+v", keys(rep.Errors), res)
		}
		sup, _ := e.st.MujunFacts(ctx, auth.All(), 2024)
		if len(sup) != 1 || sup[0].Electricity != mujun.Some(int64(100_000)) || sup[0].Emissions != mujun.Some(int64(2500)) ||
			sup[0].ParkCode != "WZ-P1" || !slices.Equal(sup[0].Vetoes, []string{"environmental_penalty"}) {
			t.Errorf("merged 亩均 facts %+v", sup)
		}
		// "无" clears the vetoes: known to be none.
		e.run(t, importer.KindMujunFacts, auth.All(), sheetOf([]string{"统一社会信用代码", "年度", "否决及扣分事项"}, []string{e.cc[wzA], "2024", "无"}))
		sup, _ = e.st.MujunFacts(ctx, auth.All(), 2024)
		if len(sup[0].Vetoes) != 0 || sup[0].Emissions != mujun.Some(int64(2500)) {
			t.Errorf("after 无: %+v", sup[0])
		}
		// Listing: the stored history continues with this year's steps; a
		// row with a stored stage and date corrects nothing else.
		rep, res = e.run(t, importer.KindListing, auth.All(), sheetOf(
			[]string{"统一社会信用代码", "阶段", "日期", "辅导协议签订日", "保荐机构", "上市板块"},
			[]string{e.cc[wzB], "申报受理", "2024-06-03", "", "", "创业板"},
			[]string{e.cc[wzB], "辅导", "2023-02-01", "2023-01-15", "某证券", ""},
			[]string{e.cc[wzB], "股改", "2021-05-01", "", "", ""}))
		if !rep.OK() || res.Updated != 1 {
			t.Fatalf("errors %v, result %+v", keys(rep.Errors), res)
		}
		rec, _ := e.st.ListingRecord(ctx, auth.All(), e.ids[wzB])
		var stages []string
		for _, ev := range rec.Events {
			stages = append(stages, string(ev.Stage)+"@"+ev.Date.Format(time.DateOnly))
		}
		if want := []string{"reserve@2020-01-10", "reform@2021-05-01", "tutoring@2023-02-01", "accepted@2024-06-03"}; !slices.Equal(stages, want) {
			t.Errorf("merged history %v, want %v", stages, want)
		}
	})
}

// sheetOf builds a sheet as tabular.Read would from a header and rows.
func sheetOf(header []string, rows ...[]string) *tabular.Sheet {
	s := &tabular.Sheet{Header: header, HeaderLine: 1}
	for i, r := range rows {
		cells := make([]string, max(len(header), len(r)))
		copy(cells, r)
		s.Rows = append(s.Rows, tabular.Row{Line: i + 2, Cells: cells})
	}
	return s
}

// TestRejections imports files with one kind of problem each (mixed with
// valid rows) and checks that every problem is reported on its row with
// its key and that the database did not change.
func TestRejections(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		a, b, c := e.cc[wzA], e.cc[wzB], e.cc[yzC]
		bad := a[:17] + string(map[bool]byte{true: '1', false: '0'}[a[17] == '0']) // wrong check character
		pHeader := []string{"统一社会信用代码", "年度", "营业收入（万元）", "主营业务收入（万元）", "资产负债率（%）", "研发人员（人）",
			"数字化水平等级", "国内市场排名", "是否新产品", "最高研发机构级别", "有效荣誉"}
		pOK := func(code, year string) []string {
			return []string{code, year, "100", "90", "50", "3", "2", "5", "是", "市级", "高企"}
		}
		year := 2000
		pRow := func(i int, v string) []string { year++; r := pOK(a, fmt.Sprint(year)); r[i] = v; return r }
		mHeader := []string{"统一社会信用代码", "年度", "所在园区", "用电量（千瓦时）", "否决及扣分事项", "税收实际贡献（万元）"}
		mOK := func(code, year string) []string {
			return []string{code, year, "万州经济技术开发区", "1000", "无", "12.5"}
		}
		mRow := func(i int, v string) []string { year++; r := mOK(a, fmt.Sprint(year)); r[i] = v; return r }
		lHeader := []string{"统一社会信用代码", "阶段", "日期", "辅导协议签订日", "保荐机构", "上市板块", "上市方式", "首发募资（万元）", "备注"}
		lOK := []string{a, "上市后备库", "2022-01-05", "", "", "", "", "", ""}
		l := func(code, stage, date, sponsor, board, kind, proceeds string) []string {
			return []string{code, stage, date, "", sponsor, board, kind, proceeds, ""}
		}
		for _, tc := range []struct {
			name, kind string
			sc         auth.Scope
			header     []string
			rows       [][]string
			want       []string // line/key
		}{
			{"missing year column", importer.KindProfiles, auth.All(), []string{"统一社会信用代码", "研发人员"}, [][]string{{a, "3"}}, []string{"1/" + importer.KeyMissingColumn}},
			{"no data rows", importer.KindProfiles, auth.All(), pHeader, nil, []string{"1/" + importer.KeyNoData}},
			{"duplicate column", importer.KindProfiles, auth.All(), append(slices.Clone(pHeader), "rd_staff"), [][]string{append(pOK(a, "2024"), "3")}, []string{"1/" + importer.KeyDuplicateColumn}},
			{"wrong unit", importer.KindProfiles, auth.All(), []string{"统一社会信用代码", "年度", "资产总额（亿元）"}, [][]string{{a, "2024", "1"}}, []string{"1/" + importer.KeyColumnUnit}},
			{"profile cells", importer.KindProfiles, auth.All(), pHeader, [][]string{
				pOK(a, "2024"),
				pOK(bad, "2024"),
				pOK(testCode(t, "500101", 99), "2024"),
				pOK(b, "1999"),
				pOK(b, "2026"),
				pRow(2, "abc"),
				pRow(2, "-1"),
				pRow(2, "1.0000001"),
				pRow(4, "100.5"),
				pRow(6, "5"),
				pRow(7, "0"),
				pRow(8, "也许"),
				pRow(9, "院士级"),
				pRow(10, "高企、小巨人"),
				{a, "2023"},
				pOK(a, "2024"),
			}, []string{"3/" + importer.KeyCreditCodeChecksum, "4/" + importer.KeyUnknownEnterprise, "5/" + importer.KeyBadYear, "6/" + importer.KeyBadYear,
				"7/" + importer.KeyBadNumber, "8/" + importer.KeyNegative, "9/" + importer.KeyTooManyDecimals, "10/" + importer.KeyPercentRange,
				"11/" + importer.KeyDigitalLevel, "12/" + importer.KeyRank, "13/" + importer.KeyBadBool, "14/" + importer.KeyUnknownLevel,
				"15/" + importer.KeyUnknownHonour, "16/" + importer.KeyNoFacts, "17/" + importer.KeyDuplicateYearRow}},
			{"main business above revenue with the stored facts", importer.KindProfiles, auth.All(),
				[]string{"统一社会信用代码", "年度", "主营业务收入（万元）"}, [][]string{{b, "2024", "10"}, {a, "2023", "8000.01"}},
				[]string{"3/" + importer.KeyMainAboveRevenue}},
			{"another district's firm", importer.KindProfiles, auth.Scope{RegionCode: "500101"}, pHeader, [][]string{pOK(a, "2024"), pOK(c, "2024")},
				[]string{"3/" + importer.KeyUnknownEnterprise}},
			{"enterprise user names another firm", importer.KindProfiles, auth.Scope{EnterpriseID: e.ids[wzA]}, pHeader, [][]string{pOK(a, "2024"), pOK(b, "2024")},
				[]string{"3/" + importer.KeyUnknownEnterprise}},

			{"mujun cells", importer.KindMujunFacts, auth.All(), mHeader, [][]string{
				mOK(a, "2024"),
				mRow(2, "火星园区"),
				mRow(4, "偷税"),
				mRow(3, "-5"),
				mRow(5, "十二"),
				{b, "2024"},
				mOK(a, "2024"),
				mOK(b, "2031"),
			}, []string{"3/" + importer.KeyUnknownPark, "4/" + importer.KeyUnknownVeto, "5/" + importer.KeyNegative, "6/" + importer.KeyBadNumber,
				"7/" + importer.KeyNoFacts, "8/" + importer.KeyDuplicateYearRow, "9/" + importer.KeyBadYear}},
			{"mujun: another district's firm", importer.KindMujunFacts, auth.Scope{RegionCode: "500103"}, mHeader, [][]string{mOK(c, "2024"), mOK(a, "2024")},
				[]string{"3/" + importer.KeyUnknownEnterprise}},

			{"listing cells", importer.KindListing, auth.All(), lHeader, [][]string{
				lOK,
				l(b, "路演", "2024-01-01", "", "", "", ""),
				l(c, "上市", "2024-01-01", "", "纽约", "IPO", "1"),
				l(c, "上市", "2024-01-01", "", "科创板", "增发", "1"),
				l(c, "上市后备库", "2024-13-01", "", "", "", ""),
				l(c, "上市后备库", "2026-01-01", "", "", "", ""),
				l(c, "辅导备案", "2024-01-01", "", "", "", ""),
				l(c, "上市", "2024-01-01", "", "科创板", "IPO", ""),
				l(c, "上市后备库", "2024-01-01", "", "", "", "100"),
				l(c, "上市后备库", "2024-01-01", "", "科创板", "", ""),
				l(a, "上市后备库", "2022/1/5", "", "", "", ""),
				l(c, "上市后备库", "2024-02-01", strings.Repeat("长", 201), "", "", ""),
			}, []string{"3/" + importer.KeyUnknownStage, "4/" + importer.KeyUnknownBoard, "5/" + importer.KeyUnknownListingKind, "6/" + importer.KeyBadDate,
				"7/" + importer.KeyDateFuture, "8/" + importer.KeyListingSponsorMissing, "9/" + importer.KeyListingProceedsMissing,
				"10/" + importer.KeyListingProceedsNotApplicable, "11/" + importer.KeyListingBoardNotApplicable, "12/" + importer.KeyDuplicateEvent,
				"13/" + importer.KeyTextTooLong}},
			{"listing history inside the file", importer.KindListing, auth.All(), lHeader, [][]string{
				l(c, "上市后备库", "2023-01-01", "", "", "", ""),
				l(c, "上市", "2023-06-01", "", "科创板", "IPO", "5000"),
				l(a, "撤回/终止", "2023-01-01", "", "", "", ""),
			}, []string{"3/" + importer.KeyListingSkip, "4/" + importer.KeyListingFirstOutcome}},
			{"listing history with the stored events", importer.KindListing, auth.All(), lHeader, [][]string{
				// wzB: reserve 2020-01-10, reform 2021-05-01 stored.
				l(b, "申报受理", "2024-03-01", "", "创业板", "", ""),
			}, []string{"2/" + importer.KeyListingSkip}},
			{"listing: a file event breaks a stored one", importer.KindListing, auth.All(), lHeader, [][]string{
				l(b, "股份制改造", "2020-06-01", "", "", "", ""),
			}, []string{"2/" + importer.KeyListingRepeat}},
			{"listing: another district's firm", importer.KindListing, auth.Scope{RegionCode: "500101"}, lHeader, [][]string{lOK, l(c, "上市后备库", "2024-01-01", "", "", "", "")},
				[]string{"3/" + importer.KeyUnknownEnterprise}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := e.snapshot(t)
				for _, format := range []string{"gbk", "xlsx"} {
					sh, _ := file(t, format, tc.header, tc.rows)
					rep, res := e.run(t, tc.kind, tc.sc, sh)
					if rep.OK() {
						t.Fatalf("%s: accepted (%+v)", format, res)
					}
					got := keys(rep.Errors)
					if !slices.Equal(got, tc.want) {
						t.Errorf("%s: errors\n got %v\nwant %v", format, got, tc.want)
					}
					msgs := importer.Messages()
					for _, re := range rep.Errors {
						m, ok := msgs[re.Key]
						if !ok {
							t.Errorf("%s has no message", re.Key)
							continue
						}
						for _, txt := range m {
							if s := fmt.Sprintf(txt, re.Args...); strings.Contains(s, "%!") {
								t.Errorf("%s renders %q", re.Key, s)
							}
						}
					}
					if after := e.snapshot(t); after != before {
						t.Errorf("%s: a rejected file changed the database", format)
					}
				}
			})
		}
	})
}

// TestStoreEnforcesScope calls the store's merge methods directly with
// an enterprise outside the scope: whatever the caller resolved, nothing
// is written.
func TestStoreEnforcesScope(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		before := e.snapshot(t)
		sc := auth.Scope{RegionCode: "500101"}
		_, err := e.st.UpdateProfileFacts(ctx, sc, []sqlstore.FactsKey{{EnterpriseID: e.ids[wzA], Year: 2024}, {EnterpriseID: e.ids[yzC], Year: 2024}},
			func(func(int64, int) (cultivation.Facts, bool)) ([]cultivation.YearFacts, error) {
				t.Error("merge called")
				return nil, nil
			}, sqlstore.ImportOptions{})
		if err == nil {
			t.Error("profile facts outside the scope accepted")
		}
		_, err = e.st.UpdateMujunFacts(ctx, sc, []sqlstore.FactsKey{{EnterpriseID: e.ids[yzC], Year: 2024}},
			func(func(int64, int) (mujun.Supplied, bool)) ([]mujun.Supplied, error) { return nil, nil }, sqlstore.ImportOptions{})
		if err == nil {
			t.Error("亩均 facts outside the scope accepted")
		}
		_, err = e.st.UpdateListingRecords(ctx, sc, []int64{e.ids[yzC]},
			func(func(int64) listing.Record) ([]listing.Record, error) { return nil, nil }, sqlstore.ImportOptions{})
		if err == nil {
			t.Error("listing records outside the scope accepted")
		}
		if e.snapshot(t) != before {
			t.Error("database changed")
		}
	})
}

// TestDryRun counts what an import would do and writes nothing.
func TestDryRun(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		header, rows, _ := importer.Template(importer.KindListing, "zh-CN")
		sh, _ := file(t, "gbk", header, rows)
		before := e.snapshot(t)
		rep, res, err := NewService(e.st, nil, nil).Run(context.Background(), sh, Options{Kind: importer.KindListing, Scope: auth.All(), Today: today, DryRun: true})
		if err != nil || !rep.OK() || res.Inserted != 1 {
			t.Fatalf("dry run: %v %v %+v", err, keys(rep.Errors), res)
		}
		if e.snapshot(t) != before {
			t.Error("dry run wrote")
		}
	})
}
