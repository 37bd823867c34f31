package importer

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/listing"
	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/tabular"
)

// fuzzLookups know the template firms and code(1..5), one park and the
// veto items of the built-in configuration.
func fuzzLookups() Lookups {
	firms := map[string]Firm{exampleCodes[0]: {ID: 1, RegionCode: "500112"}, exampleCodes[1]: {ID: 2, RegionCode: "CQ-LJ"}}
	for n := 1; n <= 5; n++ {
		firms[code(n, false)] = Firm{ID: int64(10 + n), RegionCode: "500112"}
	}
	return Lookups{
		Firm: NewFirmLookup(firms),
		Park: NewParkLookup([]ParkEntry{{Code: "YB-P1", RegionCode: "500112", NameZh: "渝北工业园", NameEn: "Yubei Industrial Park"}}),
		Veto: NewVetoLookup([]VetoEntry{{Code: "environmental_penalty", NameZh: "受到生态环境行政处罚"}, {Code: "data_fraud", NameZh: "统计或申报数据弄虚作假"}}),
	}
}

// checkReport: every problem has a message that renders in both
// languages and sits on the header, a data line or the whole file.
func checkReport(t *testing.T, s *tabular.Sheet, rep Report) {
	t.Helper()
	lines := map[int]bool{0: true, s.HeaderLine: true}
	for _, r := range s.Rows {
		lines[r.Line] = true
	}
	msgs := Messages()
	for _, list := range [][]RowError{rep.Errors, rep.Warnings} {
		for _, e := range list {
			m, ok := msgs[e.Key]
			if !ok {
				t.Fatalf("key %q has no message", e.Key)
			}
			for _, txt := range m {
				if out := fmt.Sprintf(txt, e.Args...); strings.Contains(out, "%!") {
					t.Fatalf("%s renders %q", e.Key, out)
				}
			}
			if !lines[e.Line] {
				t.Fatalf("%s on line %d, not a line of the file", e.Key, e.Line)
			}
		}
	}
}

// FuzzYearlyKinds feeds arbitrary CSV to the three yearly validators and
// their merge steps: no panic, every problem renderable, and whatever
// they accept passes the domain's own validation.
func FuzzYearlyKinds(f *testing.F) {
	for _, kind := range []string{KindProfiles, KindMujunFacts, KindListing} {
		for _, lang := range []string{"zh-CN", "en"} {
			h, rows, _ := Template(kind, lang)
			var b bytes.Buffer
			if err := tabular.WriteCSV(&b, h, rows); err != nil {
				f.Fatal(err)
			}
			f.Add(b.Bytes())
		}
	}
	f.Add([]byte("统一社会信用代码,年度,有效荣誉,资产负债率（%）\n" + code(1, false) + ",2024,高企、、；无,１２．５%\n" + code(2, false) + ",2024,,\n"))
	f.Add([]byte("credit_code,stage,date,board,kind,proceeds_10k\n" + code(1, false) + ",辅导,2024-01-01,,,\n" + code(1, false) + ",上市,20240301,港交所,其他,0\n"))
	f.Add([]byte("credit_code,year,park,vetoes,energy_tce\n" + code(3, false) + ",2024,渝北工业园,\"受到生态环境行政处罚,data_fraud\",1.0001\n"))
	f.Fuzz(fuzzBody)
}

// fuzzOpts keep a hostile input cheap.
var fuzzOpts = tabular.Options{MaxBytes: 1 << 16, MaxRows: 200, UnzipSizeLimit: 1 << 20, UnzipXMLSizeLimit: 1 << 18, MaxCells: 10_000}

// fuzzBody is one run of FuzzYearlyKinds. (Run the fuzzer with
// -fuzzminimizetime 5s on a shared machine: minimising a new input
// otherwise pauses the exec count for up to a minute.)
func fuzzBody(t *testing.T, data []byte) {
	lk := fuzzLookups()
	opts := fuzzOpts
	s, err := tabular.Read(bytes.NewReader(data), "f.csv", opts)
	if err != nil {
		return
	}
	prows, rep := Profiles(s, ProfileOptions{Firm: lk.Firm, Today: today})
	checkReport(t, s, rep)
	if rep.OK() {
		yf := MergeProfiles(prows, func(int64, int) (cultivation.Facts, bool) { return cultivation.Facts{}, false }, "fuzz", &rep)
		checkReport(t, s, rep)
		for _, y := range yf {
			if err := y.Validate(); err != nil {
				t.Fatalf("merged profile facts fail validation: %v", err)
			}
		}
	}
	mrows, rep := MujunFacts(s, MujunOptions{Firm: lk.Firm, Park: lk.Park, Veto: lk.Veto, Today: today})
	checkReport(t, s, rep)
	for _, sp := range MergeMujun(mrows, func(int64, int) (mujun.Supplied, bool) { return mujun.Supplied{}, false }, "fuzz") {
		for _, o := range []mujun.Opt[int64]{sp.Electricity, sp.Emissions, sp.Employees, {Value: int64(sp.Tax.Value), Known: sp.Tax.Known}, {Value: int64(sp.Energy.Value), Known: sp.Energy.Known}} {
			if o.Known && o.Value < 0 {
				t.Fatalf("negative supplied value accepted: %+v", sp)
			}
		}
		for _, v := range sp.Vetoes {
			if v != "environmental_penalty" && v != "data_fraud" {
				t.Fatalf("veto %q accepted", v)
			}
		}
	}
	lrows, rep := ListingEvents(s, ListingOptions{Firm: lk.Firm, Today: today})
	checkReport(t, s, rep)
	if rep.OK() {
		recs := MergeListing(lrows, func(id int64) listing.Record { return listing.Record{EnterpriseID: id} }, &rep)
		checkReport(t, s, rep)
		if rep.OK() {
			for _, r := range recs {
				if err := r.Validate(); err != nil {
					t.Fatalf("accepted history fails validation: %v", err)
				}
			}
		}
	}
}

// FuzzSplitList: the items of a list cell are non-empty, trimmed, free of
// separators and appear in the cell.
func FuzzSplitList(f *testing.F) {
	for _, s := range []string{"高企、知识产权优势企业", " a , b ;; c ", "无", "，、；|\n", "\u3000x\u3000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, item := range splitList(s) {
			if item == "" || item != trimSpace(item) || strings.ContainsAny(item, ",，、;；|\n") || !strings.Contains(s, item) {
				t.Fatalf("splitList(%q) item %q", s, item)
			}
		}
	})
}
