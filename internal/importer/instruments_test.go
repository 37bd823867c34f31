package importer

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/unit"
)

var importDay = time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)

// xlsxSheet writes header and rows as a real workbook with the export
// writer and reads it back with the upload reader.
func xlsxSheet(t *testing.T, header []string, rows [][]string) *tabular.Sheet {
	t.Helper()
	var buf bytes.Buffer
	if err := tabular.WriteXLSXWith(&buf, KindInstruments, header, rows, tabular.XLSXOptions{TextColumns: []int{iLocalID, iClass}}); err != nil {
		t.Fatal(err)
	}
	s, err := tabular.Read(&buf, "instruments.xlsx", tabular.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestInstrumentTemplateXLSX: the template in both languages, as a real
// workbook, passes the validation and reads as the instruments it shows.
func TestInstrumentTemplateXLSX(t *testing.T) {
	for _, lang := range []string{"zh-CN", "en"} {
		header, example := InstrumentTemplate(lang)
		rows, rep := Instruments(xlsxSheet(t, header, example), InstrumentOptions{Today: importDay})
		render(t, rep)
		if !rep.OK() || len(rep.Warnings) != 0 || len(rows) != 2 {
			t.Fatalf("%s: %d rows, %+v", lang, len(rows), rep)
		}
		sem := rows[0]
		if sem.Instrument.LocalID != "SB-2019-0001" || sem.Instrument.ClassCode != "01" || sem.Instrument.OriginalValue != 320*unit.Wan ||
			sem.Instrument.PurchaseDate != "2019-06-18" || sem.Instrument.RegionCode != "500109" || len(sem.Instrument.Modes) != 2 {
			t.Fatalf("%s: %+v", lang, sem.Instrument)
		}
		if sem.Item == nil || sem.Item.Unit != instruments.PerHour || sem.Item.Mode != instruments.SelfOperation || len(sem.Item.Rates) != 3 ||
			sem.Item.Rates[2] != (instruments.Rate{Category: instruments.EnterpriseUser, EffectiveFrom: "2024-01-01", Price: 400 * unit.Yuan}) {
			t.Fatalf("%s: item %+v", lang, sem.Item)
		}
		if nmr := rows[1]; nmr.Item.Mode != instruments.SampleSending || nmr.Item.Unit != instruments.PerSample || nmr.Instrument.RegionCode != "" {
			t.Fatalf("%s: %+v %+v", lang, nmr.Instrument, nmr.Item)
		}
	}
}

// TestInstrumentsExcelCells reads a workbook as a unit's staff would
// type it in Excel: numbers and dates as typed cells, the class code as
// the number 1, a title row above the header.
func TestInstrumentsExcelCells(t *testing.T) {
	f := excelize.NewFile()
	sh := f.GetSheetName(0)
	set := func(cell string, v any) {
		if err := f.SetCellValue(sh, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set("A1", "西南大学大型仪器清单")
	for i, h := range []string{"资产编号", "仪器名称", "分类", "原值（万元）", "购置日期", "服务方式", "服务项目", "计费单位", "企业价（元）", "所在区县"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 2)
		set(cell, h)
	}
	set("A3", "SB-1")
	set("B3", "气相色谱质谱联用仪")
	set("C3", 1)
	set("D3", 85.5)
	set("E3", time.Date(2018, 9, 1, 0, 0, 0, 0, time.UTC))
	style, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStyle(sh, "E3", "E3", style); err != nil {
		t.Fatal(err)
	}
	set("F3", "送样检测/协助上机")
	set("G3", "定性分析")
	set("H3", "件")
	set("I3", 350)
	set("J3", "北碚区")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	s, err := tabular.Read(&buf, "清单.xlsx", tabular.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	rows, rep := Instruments(s, InstrumentOptions{Today: importDay})
	render(t, rep)
	if !rep.OK() || len(rows) != 1 {
		t.Fatalf("%+v", rep)
	}
	in, it := rows[0].Instrument, rows[0].Item
	if in.ClassCode != "01" || in.OriginalValue != 855_000*unit.Yuan || in.PurchaseDate != "2018-09-01" || in.RegionCode != "500109" ||
		!in.HasMode(instruments.SampleSending) || !in.HasMode(instruments.Assisted) || rows[0].Line != 3 {
		t.Fatalf("%+v", in)
	}
	if it.Unit != instruments.PerSample || it.Mode != instruments.SampleSending || it.Rates[0].Price != 350*unit.Yuan || it.Rates[0].EffectiveFrom != "2026-12-03" {
		t.Fatalf("%+v", it)
	}
	if errs, warns := SheetProblems(s); len(errs) != 0 || len(warns) != 1 || warns[0].Key != KeyTitleRow {
		t.Fatalf("the title row above the header: %+v %+v", errs, warns)
	}
}

// TestInstrumentRowErrors: every row problem is reported with its line,
// column and a message in both languages; valid rows are still returned
// so the caller can count them, but the report blocks the file.
func TestInstrumentRowErrors(t *testing.T) {
	header, _ := InstrumentTemplate("zh-CN")
	col := func(zh string) int {
		for i, h := range header {
			if strings.HasPrefix(h, zh) {
				return i
			}
		}
		t.Fatalf("no column %s", zh)
		return -1
	}
	good := func(local string) []string {
		r := make([]string, len(header))
		r[col("资产编号")], r[col("仪器名称")], r[col("仪器分类")], r[col("原值")], r[col("服务方式")] = local, "电镜", "01", "100", "自主上机"
		return r
	}
	with := func(local string, kv ...string) []string {
		r := good(local)
		for i := 0; i < len(kv); i += 2 {
			r[col(kv[i])] = kv[i+1]
		}
		return r
	}
	rows := [][]string{
		good("OK-1"),
		with("X-1", "仪器分类", "99"),
		with("OK-1"), // duplicate of line 2
		with("X-3", "原值", "0"),
		with("X-4", "原值", "十万"),
		with("X-5", "购置日期", "2027-01-01"),
		with("X-6", "服务方式", "自主上机、租赁"),
		with("X-7", "企业价", "300"), // a price without an item
		with("X-8", "服务项目", "机时"),
		with("X-9", "仪器子类", "显微镜"),
		with("X-10", "所在区县", "火星区"),
		with("X-11", "服务项目", "机时", "计费单位", "小时", "项目服务方式", "送样检测", "企业价", "300"),
		with("", "仪器名称", ""),
	}
	_, rep := Instruments(xlsxSheet(t, header, rows), InstrumentOptions{Today: importDay})
	render(t, rep)
	want := map[int]string{3: KeyUnknownClass, 4: KeyDuplicateLocalID, 5: KeyValueZero, 6: KeyBadNumber, 7: KeyDateFuture, 8: KeyUnknownMode,
		9: KeyItemWithoutName, 10: KeyItemIncomplete, 11: KeyUnknownSubclass, 12: KeyUnknownRegion, 13: KeyItemModeOffered, 14: KeyEmptyCell}
	got := map[int]string{}
	for _, e := range rep.Errors {
		if _, dup := got[e.Line]; !dup {
			got[e.Line] = e.Key
		}
		if e.Column == "" {
			t.Errorf("line %d %s: no column", e.Line, e.Key)
		}
	}
	for line, key := range want {
		if got[line] != key {
			t.Errorf("line %d: %q, want %q", line, got[line], key)
		}
	}
	if _, bad := got[2]; bad || len(got) != len(want) {
		t.Errorf("errors on lines %v", got)
	}
	// The messages a user reads: the duplicate names the first line, the
	// subclass the class in each language.
	msgs := Messages()
	for _, e := range rep.Errors {
		switch e.Key {
		case KeyDuplicateLocalID:
			if zh := fmt.Sprintf(msgs[e.Key][0], e.Args...); !strings.Contains(zh, "第 2 行") {
				t.Errorf("zh %q", zh)
			}
		case KeyUnknownSubclass:
			if en := fmt.Sprintf(msgs[e.Key][1], e.Args...); !strings.Contains(en, "Analytical instruments") {
				t.Errorf("en %q", en)
			}
		}
	}
	// A file without the required columns is refused at the header.
	_, rep = Instruments(xlsxSheet(t, []string{"仪器名称", "型号"}, [][]string{{"电镜", "SU8010"}}), InstrumentOptions{Today: importDay})
	missing := 0
	for _, e := range rep.Errors {
		if e.Key == KeyMissingColumn {
			missing++
		}
	}
	if missing != 4 { // 资产编号, 仪器分类, 原值, 服务方式
		t.Fatalf("missing columns %d: %+v", missing, rep.Errors)
	}
}

// TestInstrumentExportRoundTrip: a unit's instruments exported as XLSX
// and CSV import back with nothing to change.
func TestInstrumentExportRoundTrip(t *testing.T) {
	cs, err := instruments.Classes()
	if err != nil {
		t.Fatal(err)
	}
	u := instruments.Unit{ID: 5, Name: "重庆大学", Type: instruments.University, RegionCode: "500106"}
	stored := []instruments.Detail{
		{Instrument: instruments.Instrument{ID: 1, UnitID: 5, LocalID: "0001", Name: "X射线衍射仪, \"粉末\"", ClassCode: "01", Subclass: "X射线仪器",
			Model: "D8 Advance", Manufacturer: "Bruker", Country: "德国", OriginalValue: 1_234_567_89, PurchaseDate: "2016-05-20", Location: "=A1+1",
			RegionCode: "500106", Specs: "2θ 范围 -110°～168°\n第二行", Modes: []instruments.Mode{instruments.SelfOperation, instruments.SampleSending}, Status: instruments.Open},
			Items: []instruments.ServiceItem{{ID: 10, Name: "测试", Mode: instruments.SampleSending, Unit: instruments.PerSample, Rates: []instruments.Rate{
				{Category: instruments.EnterpriseUser, EffectiveFrom: "2023-01-01", Price: 180 * unit.Yuan},
				{Category: instruments.EnterpriseUser, EffectiveFrom: "2025-07-01", Price: 20_050},
				{Category: instruments.Internal, EffectiveFrom: "2024-03-01", Price: 60 * unit.Yuan}}}}},
		{Instrument: instruments.Instrument{ID: 2, UnitID: 5, LocalID: "0002", Name: "流式细胞仪", ClassCode: "03", OriginalValue: 99 * unit.Wan,
			RegionCode: "500106", Modes: []instruments.Mode{instruments.Assisted}, Status: instruments.Draft}},
	}
	byLocal := map[string]instruments.Detail{}
	for _, d := range stored {
		byLocal[d.LocalID] = d
	}
	for _, lang := range []string{"zh-CN", "en"} {
		header, rows := InstrumentExport(lang, stored, "2026-12-03")
		sheets := map[string]*tabular.Sheet{"xlsx": xlsxSheet(t, header, rows)}
		var csv bytes.Buffer
		if err := tabular.WriteCSV(&csv, header, rows); err != nil {
			t.Fatal(err)
		}
		s, err := tabular.Read(&csv, "export.csv", tabular.DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		sheets["csv"] = s
		for format, s := range sheets {
			got, rep := Instruments(s, InstrumentOptions{Today: importDay})
			render(t, rep)
			if !rep.OK() || len(got) != 2 {
				t.Fatalf("%s %s: %+v", lang, format, rep)
			}
			var irows []instruments.ImportRow
			for _, r := range got {
				irows = append(irows, instruments.ImportRow{Line: r.Line, Instrument: r.Instrument, Item: r.Item, Column: r.Column})
			}
			plan, probs := instruments.PlanImport(u, byLocal, irows, instruments.DefaultRules(), cs)
			if len(probs) != 0 || plan.Result.Unchanged != 2 || len(plan.Update)+len(plan.Create) != 0 {
				t.Fatalf("%s %s: the export does not import back unchanged: %+v %+v %+v", lang, format, plan.Result, probs, plan.Update)
			}
		}
	}
}

// BenchmarkInstrumentFile validates a 5,000-row instrument workbook
// (read and rows), the size of a large university's whole list.
func BenchmarkInstrumentFile(b *testing.B) {
	header, example := InstrumentTemplate("zh-CN")
	rows := make([][]string, 5000)
	for i := range rows {
		r := append([]string(nil), example[i%2]...)
		r[iLocalID] = fmt.Sprintf("SB-%05d", i)
		rows[i] = r
	}
	var buf bytes.Buffer
	if err := tabular.WriteXLSXWith(&buf, KindInstruments, header, rows, tabular.XLSXOptions{TextColumns: []int{iLocalID, iClass}}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.ReportAllocs()
	for b.Loop() {
		s, err := tabular.Read(bytes.NewReader(data), "x.xlsx", tabular.DefaultOptions())
		if err != nil {
			b.Fatal(err)
		}
		if got, rep := Instruments(s, InstrumentOptions{Today: importDay}); !rep.OK() || len(got) != 5000 {
			b.Fatalf("%d rows, %+v", len(got), rep.Errors[:1])
		}
	}
}
