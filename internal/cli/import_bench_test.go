package cli

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/creditcode"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/unit"
)

// BenchmarkImportReports measures the whole import path of a monthly report
// file — decode the CSV, validate every row, write in one transaction and
// rebuild the summaries — for a year of reports of 7,000 enterprises
// (77,000 rows, 693,000 values). The store is fresh for each iteration.
func BenchmarkImportReports(b *testing.B) {
	const firms = 7000
	ctx := context.Background()
	codes := make([]string, firms)
	for i := range codes {
		body := fmt.Sprintf("915001%02dMA%06d", i%20, i)
		org, _ := creditcode.OrgCheckChar(body[8:16])
		c, _ := creditcode.CheckChar(body + string(org))
		codes[i] = body + string(org) + string(c)
	}
	header, _ := importer.ReportTemplate("zh-CN")
	var rows [][]string
	for i, code := range codes {
		for m := 2; m <= 12; m++ {
			row := []string{code, fmt.Sprintf("2023-%02d", m)}
			for f := range report.NumFields {
				v := int64((i%97+1)*(m-1)) * report.Fields[f].FileScale * 13
				if report.Fields[f].Kind == report.Point {
					v = int64(100 + i%50)
				}
				row = append(row, unit.FormatScaled(v, report.Fields[f].FileScale))
			}
			rows = append(rows, row)
		}
	}
	var file bytes.Buffer
	if err := tabular.WriteCSV(&file, header, rows); err != nil {
		b.Fatal(err)
	}
	values := float64(len(rows) * int(report.NumFields))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		a, err := app.Open(ctx, app.Config{DB: "sqlite:" + filepath.Join(b.TempDir(), "bench.db")})
		if err != nil {
			b.Fatal(err)
		}
		ents := make([]sqlstore.EnterpriseWithYear, firms)
		for j, code := range codes {
			ents[j] = sqlstore.EnterpriseWithYear{
				Enterprise: enterprise.Enterprise{CreditCode: code, Name: fmt.Sprintf("重庆基准测试%05d有限公司", j), RegionCode: "500101", IndustryCode: "3612", Founded: time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)},
				Year:       &enterprise.Year{Year: 2023, AboveScale: true, Employees: 300, Revenue: 5000 * unit.Wan, Size: enterprise.SizeMedium},
			}
		}
		if _, err := a.Store.UpsertEnterprises(ctx, ents); err != nil {
			b.Fatal(err)
		}
		ids, err := a.Store.EnterpriseIDs(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()

		start := time.Now()
		sheet, err := tabular.Read(bytes.NewReader(file.Bytes()), "reports.csv", tabular.DefaultOptions())
		if err != nil {
			b.Fatal(err)
		}
		parsed := time.Since(start)
		reps, rep := importer.Reports(sheet, importer.ReportOptions{EnterpriseID: func(c string) (int64, bool) { id, ok := ids[c]; return id, ok }})
		if !rep.OK() {
			b.Fatalf("benchmark file invalid: %+v", rep.Errors[:1])
		}
		validated := time.Since(start)
		res, err := a.Store.ImportReports(ctx, reps, sqlstore.WriteOptions{})
		if err != nil || res.Inserted != len(rows) {
			b.Fatalf("import: %+v %v", res, err)
		}
		total := time.Since(start)

		b.StopTimer()
		b.ReportMetric(values/total.Seconds(), "values/s")
		b.ReportMetric(values/parsed.Seconds(), "read-values/s")
		b.ReportMetric(values/(validated-parsed).Seconds(), "validate-values/s")
		b.ReportMetric(values/(total-validated).Seconds(), "write-values/s")
		a.Close()
		b.StartTimer()
	}
}
