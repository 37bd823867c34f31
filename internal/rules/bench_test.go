package rules

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/unit"
)

// genProfiles makes n deterministic, varied profiles for assessments in
// year: revenues from ¥1 m to ¥3 bn, some fields missing, so that every
// status and many what-ifs occur.
func genProfiles(n, year int) []Profile {
	rng := rand.New(rand.NewPCG(20260401, uint64(n)))
	y1 := year - 1
	maybe := func(p float64) bool { return rng.Float64() < p }
	i64 := func(lo, hi int64) int64 { return lo + rng.Int64N(hi-lo+1) }
	bp := func(lo, hi int64) *int64 { return Ptr(i64(lo, hi)) }
	flag := func(p float64) *bool {
		if maybe(0.1) {
			return nil
		}
		return Ptr(maybe(p))
	}
	out := make([]Profile, n)
	for i := range out {
		p := &out[i]
		rev := int64(math.Exp(rng.Float64()*8+14)) * 100 // ≈ ¥1.2 m … ¥3.6 bn in fen
		g := 0.7 + rng.Float64()*0.7
		share := 0.4 + rng.Float64()*0.6
		rdRatio := rng.Float64() * 0.12
		for k := range 4 {
			r := int64(float64(rev) / math.Pow(g, float64(k)))
			if k < 3 || maybe(0.8) {
				p.OperatingRevenue = p.OperatingRevenue.Set(y1-k, r)
			}
			p.MainBusinessRevenue = p.MainBusinessRevenue.Set(y1-k, int64(float64(r)*share))
			if k < 2 {
				p.RDExpense = p.RDExpense.Set(y1-k, int64(float64(r)*rdRatio*(0.8+rng.Float64()*0.4)))
				p.NetProfit = p.NetProfit.Set(y1-k, int64(float64(r)*(rng.Float64()*0.3-0.05)))
				p.TotalCost = p.TotalCost.Set(y1-k, int64(float64(r)*0.9))
			}
		}
		emp := i64(10, 2000)
		p.Employees = &emp
		p.RDStaff = Ptr(emp * i64(0, 60) / 100)
		p.STStaff = Ptr(emp * i64(0, 60) / 100)
		f := D(year-int(i64(1, 25)), time.Month(i64(1, 12)), int(i64(1, 28)))
		p.Founded = &f
		p.TotalAssets = Ptr(unit.Fen(rev * i64(5, 30) / 10))
		p.DebtRatio = bp(1000, 9500)
		p.NicheYears = Ptr(i64(0, 20))
		p.FieldYears = Ptr(i64(0, 25))
		p.NewProduct = flag(0.2)
		p.IP = IP{Class1HighValue: Ptr(i64(0, 1) * i64(0, 1)), Class1SelfDeveloped: Ptr(i64(0, 3)), Class1: Ptr(i64(0, 8)),
			Class2: Ptr(i64(0, 20)), Class1Applied: Ptr(i64(0, 6)), Top3Holder: flag(0.5)}
		if maybe(0.1) {
			p.IP.Class1HighValue = nil
		}
		lv := []Level{LevelNone, LevelBelowMunicipal, LevelMunicipal, LevelProvincial, LevelNational}[rng.IntN(5)]
		p.RDInstitution = &lv
		p.Awards = []Award{}
		if maybe(0.15) {
			p.Awards = append(p.Awards, Award{Level: []Level{LevelMunicipal, LevelProvincial, LevelNational}[rng.IntN(3)], Rank: int(i64(0, 8)), Year: year - int(i64(0, 6))})
		}
		p.Honours = []string{}
		if maybe(0.3) {
			p.Honours = append(p.Honours, "high_tech")
		}
		p.MakerChina = []Placement{}
		if maybe(0.05) {
			p.MakerChina = append(p.MakerChina, Placement{Year: year - int(i64(0, 4)), Rank: int(i64(1, 800))})
		}
		p.StandardsLed = []Standard{}
		if maybe(0.1) {
			p.StandardsLed = append(p.StandardsLed, Standard{Year: year - int(i64(0, 7)), Level: LevelIndustry})
		}
		if maybe(0.3) {
			p.EquityFinancing2Y = Ptr(unit.Fen(i64(0, 100_000) * wan))
			p.EquityFinancing3Y = Ptr(*p.EquityFinancing2Y + unit.Fen(i64(0, 20_000)*wan))
		}
		if maybe(0.2) {
			p.CumulativeFinancingUSD = Ptr(i64(0, 20_000) * 1_000_000_00 / 100)
			p.ValuationUSD = Ptr(*p.CumulativeFinancingUSD * i64(3, 30))
		}
		p.Domain = Domain{SEI: flag(0.4), SixBases: flag(0.3), KeyChainLink: flag(0.3), ChainGapRole: flag(0.2), TimeHonoured: flag(0.02),
			ChainLeaderSupplier: flag(0.3), ManufacturingPower: flag(0.4), CyberPower: flag(0.1), NewIndustry: flag(0.4)}
		p.Quality = Quality{QualityAward: flag(0.1), QMSCertified: flag(0.7), OwnBrand: flag(0.5), StandardsDrafted: flag(0.2),
			IntlProductCert: flag(0.1), CoreProcessIT: flag(0.8)}
		p.DigitalLevel = Ptr(i64(1, 4))
		p.MarketShare = bp(0, 4000)
		p.IntlMarketShare = bp(0, 2000)
		p.NationalRank = Ptr(i64(1, 50))
		p.GlobalRank = Ptr(i64(1, 100))
		p.DevQualityScore = PointSeries{{y1 - 1, i64(3000, 9000)}, {y1, i64(3000, 9000)}}
		p.Listed = flag(0.05)
		p.Titles = []HeldTitle{}
		if maybe(0.4) {
			p.Titles = append(p.Titles, HeldTitle{Kind: enterprise.TitleInnovativeSME, GrantedOn: D(year-2, 6, 1), ValidUntil: D(year+1, 6, 1)})
		}
		if maybe(0.2) {
			p.Titles = append(p.Titles, HeldTitle{Kind: enterprise.TitleSpecialized, GrantedOn: D(year-1, 6, 1), ValidUntil: D(year+2, 6, 1)})
		}
		if maybe(0.5) {
			p.LocalPoints = map[string]Points{"cq_local": Points(i64(0, 1500))}
		}
		// Some records lack whole blocks, as real declarations do.
		switch rng.IntN(20) {
		case 0:
			p.OperatingRevenue = nil
		case 1:
			p.RDExpense = nil
		case 2:
			p.DebtRatio = nil
		case 3:
			p.Awards = nil
		}
	}
	return out
}

const benchN = 150_000

// BenchmarkAllRuleSets evaluates 150,000 profiles against every rule set in
// force on 2026-06-01 (new applications, plus the re-review sets), one
// batch per op, on 1 and 2 goroutines.
func BenchmarkAllRuleSets(b *testing.B) {
	r := mustBuiltin(b)
	d := D(2026, 6, 1).Time()
	type job struct {
		rs   *RuleSet
		kind Kind
	}
	// Every distinct rule set in force: new-application sets, plus the sets
	// that only judge re-reviews on that date.
	var jobs []job
	seen := map[string]bool{}
	for _, k := range []Kind{KindNew, KindReview} {
		for _, rs := range r.InForce(k, d) {
			if !seen[rs.ID()] {
				seen[rs.ID()] = true
				jobs = append(jobs, job{rs, k})
			}
		}
	}
	profiles := genProfiles(benchN, 2026)
	run := func(b *testing.B, workers int, reuse bool) {
		var outcomes [5]int64
		var mu sync.Mutex
		cpu0 := cpuTime()
		b.ResetTimer()
		for b.Loop() {
			var wg sync.WaitGroup
			per := (len(profiles) + workers - 1) / workers
			for w := range workers {
				part := profiles[min(w*per, len(profiles)):min((w+1)*per, len(profiles))]
				wg.Add(1)
				go func() {
					defer wg.Done()
					var local [5]int64
					dst := make([]Result, len(jobs)) // one reusable result per rule set
					for i := range part {
						for j, jb := range jobs {
							ctx := Context{AssessmentDate: d, Kind: jb.kind}
							if reuse {
								if err := jb.rs.EvaluateInto(&part[i], ctx, &dst[j]); err != nil {
									panic(err)
								}
								local[dst[j].Outcome]++
							} else {
								res, err := jb.rs.Evaluate(part[i], ctx)
								if err != nil {
									panic(err)
								}
								local[res.Outcome]++
							}
						}
					}
					mu.Lock()
					for k := range local {
						outcomes[k] += local[k]
					}
					mu.Unlock()
				}()
			}
			wg.Wait()
		}
		cpu := cpuTime() - cpu0
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchN, "ns/profile")
		if cpu > 0 {
			// CPU time of the process: on a shared machine wall time also
			// counts other jobs' load.
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/1e6, "cpu-ms/op")
		}
		b.ReportMetric(float64(len(jobs)), "rule_sets")
		if b.N > 0 {
			total := float64(b.N * benchN * len(jobs))
			b.ReportMetric(float64(outcomes[StatusMet])/total*100, "%met")
			b.ReportMetric(float64(outcomes[StatusNotMet])/total*100, "%not_met")
		}
	}
	b.Run("reuse/1goroutine", func(b *testing.B) { run(b, 1, true) })
	b.Run("reuse/2goroutines", func(b *testing.B) { run(b, 2, true) })
	b.Run("alloc/1goroutine", func(b *testing.B) { run(b, 1, false) })
	b.Run("alloc/2goroutines", func(b *testing.B) { run(b, 2, false) })
}
