package sqlstore

// Benchmarks on both engines (PostgreSQL when IBRAIN_TEST_POSTGRES is set).
// Set-up builds a synthetic universe through the store's own methods and
// stays out of the timed region.
//
//	go test -run '^$' -bench . -benchtime 1x ./internal/sqlstore/

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/region"
	"github.com/industrybrain/ibrain/internal/registry"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/reporting"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/unit"
)

// benchIndustries is a spread of industry classes over sections B, C and
// D, each with a cluster, tier and SEI domain, like the real mapping.
var benchIndustries = func() []IndustryMapRow {
	var out []IndustryMapRow
	sections := []string{"B", "C", "C", "C", "C", "C", "C", "D"}
	tiers := []string{"万亿级", "五千亿级", "千亿级"}
	for i := range 40 {
		sec := sections[i%len(sections)]
		r := IndustryMapRow{IndustryCode: fmt.Sprintf("%s%03d", sec, i), Section: sec}
		if sec == "C" {
			r.ClusterCode = fmt.Sprintf("K%02d", 1+i%12)
			r.Tier = tiers[i%len(tiers)]
			r.SEIDomain = i % 9 // 0 = not strategic emerging
		}
		out = append(out, r)
	}
	return out
}()

// benchUniverse writes n enterprises spread over every region and the
// benchmark industries, with yearly status for each year (about 90 %
// above scale, a different tenth each year so firms leave and enter), a
// 专精特新 title on every 8th firm and a 小巨人 on every 40th. It returns the
// enterprise ids.
func benchUniverse(tb testing.TB, st *Store, n int, years []int) []int64 {
	tb.Helper()
	ctx := context.Background()
	cat, err := region.Builtin()
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.SyncRegions(ctx, cat.Regions); err != nil {
		tb.Fatal(err)
	}
	var m []IndustryMapRow
	for _, y := range years {
		for _, r := range benchIndustries {
			r.Year = y
			m = append(m, r)
		}
	}
	if err := st.SyncIndustryMap(ctx, m); err != nil {
		tb.Fatal(err)
	}
	const batch = 10_000
	for start := 0; start < n; start += batch {
		var rows []EnterpriseWithYear
		for i := start; i < min(start+batch, n); i++ {
			e := enterprise.Enterprise{
				CreditCode:   fmt.Sprintf("9150%014d", i),
				Name:         fmt.Sprintf("重庆合成制造%06d有限公司", i),
				RegionCode:   cat.Regions[i%len(cat.Regions)].Code,
				IndustryCode: benchIndustries[(i/3)%len(benchIndustries)].IndustryCode,
				Founded:      day("2005-06-01"),
				LandArea:     unit.Mu100(i % 5000),
			}
			for k, y := range years {
				rows = append(rows, EnterpriseWithYear{Enterprise: e, Year: &enterprise.Year{
					Year: y, AboveScale: i%10 != k%10, Size: enterprise.Sizes[i%4], Employees: 20 + i%900, Revenue: unit.Fen(3000+i%5000) * unit.Wan,
				}})
			}
		}
		if _, err := st.UpsertEnterprises(ctx, rows); err != nil {
			tb.Fatal(err)
		}
	}
	idmap, err := st.EnterpriseIDs(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	ids := make([]int64, n)
	var titles []enterprise.Title
	for i := range ids {
		ids[i] = idmap[fmt.Sprintf("9150%014d", i)]
		switch {
		case i%40 == 0:
			titles = append(titles, enterprise.Title{EnterpriseID: ids[i], Kind: enterprise.TitleLittleGiant, Level: enterprise.LevelNational, GrantedOn: day("2022-08-01")})
		case i%8 == 0:
			titles = append(titles, enterprise.Title{EnterpriseID: ids[i], Kind: enterprise.TitleSpecialized, Level: enterprise.LevelProvincial, GrantedOn: day("2023-03-01"), ValidUntil: day("2026-03-01")})
		}
	}
	// Titles before reports: no summaries to rebuild yet.
	if err := st.PutTitles(ctx, titles); err != nil {
		tb.Fatal(err)
	}
	return ids
}

// benchReports returns year-to-date reports of months 2..12 of year for
// every firm, with values of a realistic size (fen, kgce, persons).
func benchReports(ids []int64, year int, seed uint64) []report.Monthly {
	rng := rand.New(rand.NewPCG(seed, uint64(year)))
	out := make([]report.Monthly, 0, len(ids)*11)
	for _, id := range ids {
		monthly := int64(rng.IntN(50_000)+500) * int64(unit.Wan) // single-month output
		var cum report.Values
		for m := 2; m <= 12; m++ {
			k := int64(1)
			if m == 2 {
				k = 2 // 1–2月
			}
			cum[report.Output] += k * monthly
			cum[report.ValueAdded] += k * monthly * 28 / 100
			cum[report.Revenue] += k * monthly * 95 / 100
			cum[report.Profit] += k * (monthly*6/100 - int64(rng.IntN(3))*monthly/50)
			cum[report.RDExpense] += k * monthly * 2 / 100
			cum[report.Investment] += k * monthly / 10
			cum[report.Tax] += k * monthly * 3 / 100
			cum[report.Energy] += k * monthly / 100_000
			cum[report.Employees] = int64(20 + rng.IntN(900))
			out = append(out, report.Monthly{EnterpriseID: id, Period: report.Period{Year: year, Month: m}, Values: cum})
		}
	}
	return out
}

// BenchmarkUpsertReports writes 7,000 firms × 11 months of one year
// (77,000 rows, 693,000 values) into a fresh store, including the rebuild
// of the year's summaries in the same transaction.
func BenchmarkUpsertReports(b *testing.B) {
	const n = 7_000
	forEachEngineB(b, func(b *testing.B, newStore func() *Store) {
		ctx := context.Background()
		rows := 0
		for b.Loop() {
			b.StopTimer()
			st := newStore()
			reps := benchReports(benchUniverse(b, st, n, []int{2024}), 2024, 1)
			b.StartTimer()
			res, err := st.UpsertReports(ctx, reps)
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if res.Inserted != len(reps) {
				b.Fatalf("inserted %d of %d", res.Inserted, len(reps))
			}
			rows += len(reps)
			st.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(rows*int(report.NumFields))/b.Elapsed().Seconds(), "values/s")
		b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	})
}

// BenchmarkAggregateKPI is the cockpit's headline query — one year and
// month, grouped by section, strategic-emerging flag and 专精特新 flag —
// over universes of 7,000 and 70,000 firms with two years of reports.
func BenchmarkAggregateKPI(b *testing.B) {
	forEachEngineB(b, func(b *testing.B, newStore func() *Store) {
		for _, n := range []int{7_000, 70_000} {
			b.Run(fmt.Sprintf("firms=%d", n), func(b *testing.B) {
				ctx := context.Background()
				st := newStore()
				ids := benchUniverse(b, st, n, []int{2023, 2024})
				for _, y := range []int{2023, 2024} {
					if _, err := st.UpsertReports(ctx, benchReports(ids, y, 2)); err != nil {
						b.Fatal(err)
					}
				}
				q := stats.Query{Year: 2024, Month: 6, GroupBy: []stats.Dim{stats.BySection, stats.BySEI, stats.BySpecialized}}
				rows, err := st.Aggregate(ctx, auth.All(), q)
				if err != nil {
					b.Fatal(err)
				}
				var firms int64
				for _, r := range rows {
					firms += r.Sums.N
				}
				if firms != int64(n*9/10) {
					b.Fatalf("the query summed %d firms, want %d", firms, n*9/10)
				}
				b.ReportMetric(float64(countRows(b, st, "agg_month")), "summary-rows")
				for b.Loop() {
					if _, err := st.Aggregate(ctx, auth.All(), q); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
}

// BenchmarkCorrection100 writes 100 corrected December rows into a store
// of 70,000 firms with two years of reports (the 10× demo's size): the
// write an online submission or a small correction file makes. The
// summaries are maintained by delta (aggdelta.go), so its cost follows the
// 100 rows, not the 1.5 M stored ones.
func BenchmarkCorrection100(b *testing.B) {
	const n = 70_000
	forEachEngineB(b, func(b *testing.B, newStore func() *Store) {
		ctx := context.Background()
		st := newStore()
		ids := benchUniverse(b, st, n, []int{2023, 2024})
		for _, y := range []int{2023, 2024} {
			if _, err := st.UpsertReports(ctx, benchReports(ids, y, 3)); err != nil {
				b.Fatal(err)
			}
		}
		round := int64(0)
		for b.Loop() {
			round++
			reps := make([]report.Monthly, 0, 100)
			for i := range 100 {
				var v report.Values
				v[report.Output] = round*1_000_000 + int64(i)
				reps = append(reps, report.Monthly{EnterpriseID: ids[(i*691+int(round)*7)%len(ids)], Period: report.Period{Year: 2024, Month: 12}, Values: v})
			}
			if res, err := st.UpsertReports(ctx, reps); err != nil || res.Updated != 100 {
				b.Fatalf("%+v %v", res, err)
			}
		}
	})
}

// BenchmarkNameSearch lists the first page of a two-character name search
// that matches every firm (each name contains "重庆"), with its total
// counted up to registry.SearchCountLimit as the service asks, at 70,000
// firms: the enterprise list's worst common query.
func BenchmarkNameSearch(b *testing.B) {
	forEachEngineB(b, func(b *testing.B, newStore func() *Store) {
		ctx := context.Background()
		st := newStore()
		const n = 70_000
		benchUniverse(b, st, n, []int{2024})
		f := registry.Filter{Query: "重庆", Year: 2024, Limit: 20, CountLimit: registry.SearchCountLimit}
		page, err := st.ListEnterprises(ctx, auth.All(), f)
		if err != nil {
			b.Fatal(err)
		}
		if page.Total != registry.SearchCountLimit || !page.TotalCapped || len(page.Items) != 20 {
			b.Fatalf("search found %d (capped %v, page of %d), want at least %d", page.Total, page.TotalCapped, len(page.Items), registry.SearchCountLimit)
		}
		for b.Loop() {
			if _, err := st.ListEnterprises(ctx, auth.All(), f); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSmallWrites10x measures the small writes of issue 13's targets
// in one store of 70,000 firms with two years of reports (the 10× demo's
// size): correction100 is BenchmarkCorrection100's write of 100 corrected
// December rows; submit is one firm's online submission of a month
// (reporting.Service.Act as the web form calls it: the firm's state, the
// rules, the submission row and its review event); record is a reviewer's
// one-row entry, which also writes the accepted report and moves the
// summaries by delta. cpu-ms/op is this process's CPU (on PostgreSQL the
// server's is not in it).
func BenchmarkSmallWrites10x(b *testing.B) {
	n := 70_000
	if v, err := strconv.Atoi(os.Getenv("IBRAIN_BENCH_FIRMS")); err == nil && v > 0 {
		n = v // a quick run of the same code
	}
	forEachEngineB(b, func(b *testing.B, newStore func() *Store) {
		ctx := context.Background()
		st := newStore()
		ids := benchUniverse(b, st, n, []int{2023, 2024})
		for _, y := range []int{2023, 2024} {
			if _, err := st.UpsertReports(ctx, benchReports(ids, y, 3)); err != nil {
				b.Fatal(err)
			}
		}
		cpuMS := func(b *testing.B, run func(i int)) {
			var cpu time.Duration
			i := 0
			for b.Loop() {
				c0 := processCPU()
				run(i)
				cpu += processCPU() - c0
				i++
			}
			b.ReportMetric(float64(cpu.Microseconds())/1e3/float64(i), "cpu-ms/op")
		}
		b.Run("correction100", func(b *testing.B) {
			round := int64(0)
			cpuMS(b, func(int) {
				round++
				reps := make([]report.Monthly, 0, 100)
				for i := range 100 {
					var v report.Values
					v[report.Output] = round*1_000_000 + int64(i)
					reps = append(reps, report.Monthly{EnterpriseID: ids[(i*691+int(round)*7)%len(ids)], Period: report.Period{Year: 2024, Month: 12}, Values: v})
				}
				if res, err := st.UpsertReports(ctx, reps); err != nil || res.Updated != 100 {
					b.Fatalf("%+v %v", res, err)
				}
			})
		})
		now := time.Date(2025, 1, 12, 9, 0, 0, 0, time.UTC)
		svc, err := reporting.NewService(st, reporting.Options{Now: func() time.Time { return now }})
		if err != nil {
			b.Fatal(err)
		}
		dec := report.Period{Year: 2024, Month: 12}
		rules, err := svc.Rules(dec)
		if err != nil {
			b.Fatal(err)
		}
		// Requests the rules pass without warnings (the random data put
		// some firms over their size's cap or out of the yearly band):
		// each a firm's stored December values with one more unit of
		// output, chosen before the timing with the same pure decision
		// the service takes.
		requests := func(b *testing.B, action review.Action, actor func(firm int64) reporting.Actor, state review.State, from int) []reporting.Request {
			var out []reporting.Request
			for k := from; len(out) < 200 && k < len(ids); k += 3 {
				firm := ids[k]
				reps, err := st.EnterpriseReports(ctx, auth.All(), firm, 2024, 2024)
				if err != nil || len(reps) == 0 {
					b.Fatalf("reports of %d: %v", firm, err)
				}
				v := reps[len(reps)-1].Values
				v[report.Output]++
				req := reporting.Request{Key: reporting.Key{EnterpriseID: firm, Period: dec}, Action: action, Values: &v, Source: reporting.SourceWeb}
				cur, err := st.ReportingCurrent(ctx, auth.All(), req.Key)
				if err != nil {
					b.Fatal(err)
				}
				if ch, err := reporting.Decide(rules, actor(firm), cur, req, now); err == nil && ch.Submission.State == state {
					out = append(out, req)
				}
			}
			if len(out) == 0 {
				b.Fatalf("%d firms pass the rules", len(out))
			}
			return out
		}
		b.Run("submit", func(b *testing.B) {
			firm := func(id int64) reporting.Actor { return reporting.Actor{UserID: 1, EnterpriseID: id, CanFill: true} }
			reqs := requests(b, review.Submit, firm, review.Submitted, 1)
			cpuMS(b, func(i int) {
				req := reqs[i%len(reqs)]
				if sub, err := svc.Act(ctx, auth.All(), firm(req.Key.EnterpriseID), req); err != nil || sub.State != review.Submitted {
					b.Fatalf("%+v %v", sub, err)
				}
			})
		})
		b.Run("record", func(b *testing.B) {
			reviewer := func(int64) reporting.Actor { return reporting.Actor{UserID: 2, CanReview: true} }
			reqs := requests(b, review.Record, reviewer, review.Accepted, 4)
			cpuMS(b, func(i int) {
				req := reqs[i%len(reqs)]
				if sub, err := svc.Act(ctx, auth.All(), reviewer(0), req); err != nil || sub.State != review.Accepted {
					b.Fatalf("%+v %v", sub, err)
				}
			})
		})
	})
}
