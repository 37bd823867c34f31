package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/creditcode"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/testkit"
	"github.com/industrybrain/ibrain/internal/unit"
)

// BenchmarkImportReports measures the whole import path of a monthly report
// file — decode the CSV, validate every row, write in one transaction and
// rebuild the summaries — for a year of reports of 7,000 enterprises
// (77,000 rows, 693,000 values), on SQLite and, when IBRAIN_TEST_POSTGRES
// is set, on PostgreSQL. The store is fresh for each iteration.
//
// The references are measured in the same run, so a loaded machine slows
// them alike: a bare parse of the same file (encoding/csv and
// strconv.ParseFloat of every number, nothing else; x-bare is the import's
// share of its speed) and, on PostgreSQL, the server's own COPY of the
// same file into an unindexed table of the file's columns (x-copy, the
// reference issue 13's "0.3× COPY" was first measured against) and into a
// table of the file's columns with monthly_report's key and indexes
// carried over (x-copy-idx: primary key on code and period, an index on
// the period, the December partial index), which is what the server's own
// COPY costs into a destination shaped like the real one.
//
// IBRAIN_BENCH_FIRMS sets a smaller file for instruction counts under
// valgrind (docs/PERFORMANCE.md), which do not depend on the machine's load.
func BenchmarkImportReports(b *testing.B) {
	firms := 7000
	if v, err := strconv.Atoi(os.Getenv("IBRAIN_BENCH_FIRMS")); err == nil && v > 0 {
		firms = v
	}
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
	engines := []struct{ name, base string }{{"sqlite", ""}}
	if u := testkit.PostgresURL(); u != "" {
		engines = append(engines, struct{ name, base string }{"postgres", u})
	}
	for _, mode := range []string{"", "-stream"} {
		for _, eng := range engines {
			b.Run(eng.name+mode, func(b *testing.B) {
				b.ReportAllocs()
				var total, bare, copyT, copyIdxT, readT, validT, cpuT, bareCPU time.Duration
				for b.Loop() {
					b.StopTimer()
					dsn := "sqlite:" + filepath.Join(b.TempDir(), "bench.db")
					if eng.base != "" {
						dsn = testkit.Postgres(b, eng.base, "ibrain_bench_")
					}
					a, err := app.Open(ctx, app.Config{DB: dsn})
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
					cpu0 := processCPU()
					bare += bareParse(b, file.Bytes(), len(rows))
					bareCPU += processCPU() - cpu0
					if eng.base != "" {
						copyT += serverCopy(b, dsn, file.Bytes(), len(rows), false)
						copyIdxT += serverCopy(b, dsn, file.Bytes(), len(rows), true)
					}
					b.StartTimer()

					// The timed part carries a profiler label, so
					// `go tool pprof -tagfocus phase=import` shows it alone
					// (the store's setup above costs as much again).
					pprof.Do(ctx, pprof.Labels("phase", "import"), func(ctx context.Context) {
						cpu0 := processCPU()
						start := time.Now()
						sheet, err := tabular.Read(bytes.NewReader(file.Bytes()), "reports.csv", tabular.DefaultOptions())
						if err != nil {
							b.Fatal(err)
						}
						read := time.Now()
						ropts := importer.ReportOptions{EnterpriseID: func(c string) (int64, bool) { id, ok := ids[c]; return id, ok }}
						// -stream: the rows are written while the file is
						// validated (as the imports service does); validate-ms
						// then includes the overlapped writing and write-ms is
						// what is left after the last row.
						var stream *sqlstore.ReportStream
						if mode == "-stream" {
							stream = a.Store.StreamReports(ctx, len(sheet.Rows), sqlstore.WriteOptions{})
							ropts.Rows = stream.Send
						}
						reps, rep := importer.Reports(sheet, ropts)
						if !rep.OK() {
							b.Fatalf("benchmark file invalid: %+v", rep.Errors[:1])
						}
						valid := time.Now()
						var res sqlstore.UpsertResult
						if stream != nil {
							res, err = stream.Commit()
						} else {
							res, err = a.Store.ImportReports(ctx, reps, sqlstore.WriteOptions{})
						}
						if err != nil || res.Inserted != len(rows) {
							b.Fatalf("import: %+v %v", res, err)
						}
						total += time.Since(start)
						cpuT += processCPU() - cpu0
						readT += read.Sub(start)
						validT += valid.Sub(read)
					})

					b.StopTimer()
					a.Close()
					b.StartTimer()
				}
				n := float64(b.N)
				b.ReportMetric(values*n/total.Seconds(), "values/s")
				b.ReportMetric(values*n/bare.Seconds(), "bare-values/s")
				b.ReportMetric(readT.Seconds()/n*1e3, "read-ms")
				b.ReportMetric(validT.Seconds()/n*1e3, "validate-ms")
				b.ReportMetric((total-readT-validT).Seconds()/n*1e3, "write-ms")
				b.ReportMetric(bare.Seconds()/total.Seconds(), "x-bare")
				// CPU time of this process: on a machine shared with other
				// work it moves far less than wall time. On SQLite it is the
				// whole import; on PostgreSQL the server's share is not in it.
				b.ReportMetric(cpuT.Seconds()/n*1e3, "cpu-ms")
				b.ReportMetric(bareCPU.Seconds()/cpuT.Seconds(), "x-bare-cpu")
				if copyT > 0 {
					b.ReportMetric(values*n/copyT.Seconds(), "copy-values/s")
					b.ReportMetric(copyT.Seconds()/total.Seconds(), "x-copy")
					b.ReportMetric(values*n/copyIdxT.Seconds(), "copy-idx-values/s")
					b.ReportMetric(copyIdxT.Seconds()/total.Seconds(), "x-copy-idx")
				}
			})
		}
	}
}

// processCPU is the user and system time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// bareParse is the floor of any import of the file: read it as CSV and
// parse every number, nothing else.
func bareParse(b *testing.B, file []byte, want int) time.Duration {
	b.Helper()
	start := time.Now()
	r := csv.NewReader(bytes.NewReader(file))
	r.ReuseRecord = true
	n, sum := 0, 0.0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
		if n == 1 {
			continue // header
		}
		for _, cell := range rec[2:] {
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil {
				b.Fatalf("bare parse: %v", err)
			}
			sum += v
		}
	}
	d := time.Since(start)
	if n-1 != want || sum == 0 {
		b.Fatalf("bare parse read %d rows", n-1)
	}
	return d
}

// serverCopy times PostgreSQL's COPY of the file into a fresh table of its
// columns (text codes and periods, numeric values), without indexes or,
// when indexed, with monthly_report's key and indexes on the file's
// columns (the code and period stand for the firm id and year-month; "C"
// collation so the text keys compare as bytes, as the integer keys do).
func serverCopy(b *testing.B, dsn string, file []byte, want int, indexed bool) time.Duration {
	b.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	table := "copy_reference"
	cols := []string{"code TEXT COLLATE \"C\"", "period TEXT COLLATE \"C\""}
	for _, f := range report.Fields {
		cols = append(cols, f.Code+" NUMERIC")
	}
	ddl := []string{}
	if indexed {
		table = "copy_reference_indexed"
		cols = append(cols, "PRIMARY KEY (code, period)")
		ddl = append(ddl, `CREATE INDEX copy_reference_period ON `+table+` (period)`,
			`CREATE INDEX copy_reference_december ON `+table+` (code, period, revenue, profit, rd_expense, employees) WHERE period LIKE '%-12'`)
	}
	for _, q := range append([]string{`CREATE TABLE ` + table + ` (` + strings.Join(cols, ", ") + `)`}, ddl...) {
		if _, err := conn.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	tag, err := conn.PgConn().CopyFrom(ctx, bytes.NewReader(bytes.TrimPrefix(file, []byte("\xef\xbb\xbf"))), `COPY `+table+` FROM STDIN (FORMAT csv, HEADER true)`)
	d := time.Since(start)
	if err != nil || tag.RowsAffected() != int64(want) {
		b.Fatalf("copy: %v (%d rows)", err, tag.RowsAffected())
	}
	return d
}
