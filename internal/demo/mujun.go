package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/region"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The 亩均论英雄 demo: parks per district, the yearly facts departments
// supply (park, electricity, emissions, veto items; the whole data of
// below-scale firms with at least 5 mu), and three runs of the Chongqing
// default method: 2022, 2023 with 2022 as prior, and 2023 again under a
// second configuration version so the change page has content. It draws
// from its own random stream, so the calibrated core data is untouched.

// mujunStream seeds the module's own PCG stream ("mujun").
const mujunStream = 0x6d756a756e

// mujunMinBelowLand is the land a below-scale firm needs to get supplied
// facts in the demo (5 mu; the method's threshold is 3).
const mujunMinBelowLand = unit.Mu100(500)

// parkSuffixes name a district's parks after the district's stem.
var parkSuffixes = [...]struct{ zh, en string }{
	{"工业园区", "Industrial Park"},
	{"高新技术产业园区", "High-tech Industrial Park"},
	{"智能制造产业园", "Intelligent Manufacturing Park"},
}

// demoConfig is the Chongqing default method applied to year (the office
// re-issues the method for each evaluation year).
func demoConfig(year int) (mujun.Config, error) {
	cfg, err := mujun.Builtin("chongqing_2024")
	if err != nil {
		return cfg, err
	}
	cfg.ID = fmt.Sprintf("chongqing_%d", year)
	cfg.Version = 1
	cfg.Year = year
	cfg.EffectiveFrom = fmt.Sprintf("%d-01-01", year+1)
	// A benchmark taken from data rests on at least 30 firms with a value
	// (every demo group has hundreds); fewer refuses the run.
	cfg.MinBenchmarkFirms = 30
	return cfg, nil
}

// demoConfigV2 is a second version of year's method: tax per mu weighs
// more and R&D intensity less, and the environmental-penalty deduction
// doubles, so some firms change class for reasons the diff can name.
func demoConfigV2(year int) (mujun.Config, error) {
	cfg, err := demoConfig(year)
	if err != nil {
		return cfg, err
	}
	cfg.Version = 2
	for i := range cfg.Groups[0].Indicators {
		ic := &cfg.Groups[0].Indicators[i]
		switch ic.Code {
		case mujun.TaxPerMu:
			ic.Weight = 30
		case mujun.RDIntensity:
			ic.Weight = 10
		}
	}
	for i := range cfg.Vetoes {
		if cfg.Vetoes[i].Code == "environmental_penalty" {
			cfg.Vetoes[i].Points = 10
		}
	}
	cfg.Note.Zh += "（第2版：亩均税收权重25→30，研发投入强度权重15→10，生态环境处罚扣分5→10。）"
	cfg.Note.En += " (Version 2: tax per mu weight 25→30, R&D intensity 15→10, environmental-penalty deduction 5→10.)"
	return cfg, nil
}

// demoParks returns two or three parks for every district and zone.
func demoParks(rng *rand.Rand) ([]mujun.Park, map[string][]string, error) {
	cat, err := region.Builtin()
	if err != nil {
		return nil, nil, err
	}
	var parks []mujun.Park
	byRegion := map[string][]string{}
	for _, r := range cat.Regions {
		stem := strings.TrimSuffix(strings.TrimSuffix(r.NameZh, "区"), "县")
		if r.IsZone() {
			stem = r.NameZh
		}
		enStem := strings.TrimSuffix(strings.TrimSuffix(r.NameEn, " District"), " County")
		n := 2 + rng.IntN(2)
		for i := range n {
			code := fmt.Sprintf("%s-P%d", r.Code, i+1)
			parks = append(parks, mujun.Park{Code: code, RegionCode: r.Code,
				NameZh: stem + parkSuffixes[i].zh, NameEn: enStem + " " + parkSuffixes[i].en})
			byRegion[r.Code] = append(byRegion[r.Code], code)
		}
	}
	return parks, byRegion, nil
}

// mujunFacts draws the supplied facts of every firm for the years it is in
// the statistics (above scale with reports) or below scale with ≥ 5 mu.
func (ds *dataset) mujunFacts(rng *rand.Rand, idOf []int64, parks map[string][]string) []mujun.Supplied {
	logn := func(sigma float64) float64 { return math.Exp(sigma * rng.NormFloat64()) }
	var out []mujun.Supplied
	for i, f := range ds.firms {
		// A firm's park and its pollution intensity are properties of the
		// site, so they hold across years.
		park := ""
		if ps := parks[f.region]; len(ps) > 0 && rng.IntN(10) < 7 {
			park = ps[rng.IntN(len(ps))]
		}
		elecShare := 0.25 + 0.35*rng.Float64() // electricity's share of energy use
		vaPerEmission := 365 * logn(0.9)       // 万元 per tonne
		reportsEmissions := rng.IntN(10) > 0
		for t := 1; t < nYears; t++ {
			above := f.inSet(t)
			below := f.exists(t) && !f.above[t] && f.land >= mujunMinBelowLand
			if !above && !below {
				continue
			}
			s := mujun.Supplied{EnterpriseID: idOf[i], Year: baseYear + t, ParkCode: park, Source: "demo"}
			var va, energy float64 // fen, kgce
			if above {
				va, energy = float64(f.vals[t][report.ValueAdded]), float64(f.vals[t][report.Energy])
			} else {
				rev := float64(f.rev[t])
				va = rev * f.vaRatio * logn(0.05)
				energy = rev / 1e6 * f.energy * logn(0.05)
				tax := rev * f.taxRate * logn(0.1)
				s.Revenue = mujun.Some(unit.Fen(math.Round(rev)))
				s.ValueAdded = mujun.Some(unit.Fen(math.Round(va)))
				s.Tax = mujun.Some(unit.Fen(math.Round(tax)))
				s.Energy = mujun.Some(unit.KgCE(math.Round(energy)))
				s.Employees = mujun.Some(int64(f.emp[t]))
			}
			// 1 kWh is 0.1229 kgce (equivalent value).
			s.Electricity = mujun.Some(int64(math.Round(energy * elecShare / 0.1229 * logn(0.05))))
			if reportsEmissions && va > 0 {
				tonnes := va / 1e6 / (vaPerEmission * logn(0.1))
				s.Emissions = mujun.Some(int64(math.Round(tonnes * 1000)))
			}
			switch x := rng.IntN(1000); {
			case x < 4:
				s.Vetoes = []string{"major_safety_accident"}
			case x < 6:
				s.Vetoes = []string{"major_environmental_incident"}
			case x < 18:
				s.Vetoes = []string{"environmental_penalty"}
			}
			out = append(out, s)
		}
	}
	return out
}

// mujunFactsBatch bounds one facts transaction.
const mujunFactsBatch = 5_000

// loadMujun writes the parks, the facts and the demo configurations, and
// runs the evaluations that are not stored yet, so loading twice changes
// nothing.
func loadMujun(ctx context.Context, st *sqlstore.Store, ds *dataset, idOf []int64) error {
	rng := rand.New(rand.NewPCG(ds.opts.Seed, mujunStream))
	parks, byRegion, err := demoParks(rng)
	if err != nil {
		return err
	}
	if err := st.PutMujunParks(ctx, parks); err != nil {
		return fmt.Errorf("demo: parks: %w", err)
	}
	facts := ds.mujunFacts(rng, idOf, byRegion)
	for i := 0; i < len(facts); i += mujunFactsBatch {
		if err := st.PutMujunFacts(ctx, facts[i:min(i+mujunFactsBatch, len(facts))]); err != nil {
			return fmt.Errorf("demo: mujun facts: %w", err)
		}
	}
	if err := st.SeedMujunBuiltins(ctx); err != nil {
		return err
	}
	runs, err := st.MujunRuns(ctx)
	if err != nil {
		return err
	}
	type step struct {
		year int
		cfg  func(int) (mujun.Config, error)
		note string
	}
	for _, s := range []step{
		{2022, demoConfig, "演示：2022年度评价 / demo: 2022 evaluation"},
		{2023, demoConfig, "演示：2023年度评价（以2022年为上年） / demo: 2023 evaluation (2022 as prior)"},
		{2023, demoConfigV2, "演示：2023年度评价，第2版配置 / demo: 2023 evaluation, configuration version 2"},
	} {
		cfg, err := s.cfg(s.year)
		if err != nil {
			return err
		}
		if _, err := st.PutMujunConfig(ctx, cfg, mujun.ConfigOptions{By: "demo", KeepVersion: true}); err != nil {
			return fmt.Errorf("demo: config %s v%d: %w", cfg.ID, cfg.Version, err)
		}
		done := false
		for _, r := range runs {
			done = done || (r.ConfigID == cfg.ID && r.ConfigVersion == cfg.Version && r.Year == s.year)
		}
		if done {
			continue
		}
		// The 2023 runs take the 2022 run as prior: the newest run of 2022.
		if _, err := mujun.NewService(st).Evaluate(ctx, cfg, s.year, mujun.EvaluateOptions{By: "demo", Note: s.note}); err != nil {
			return fmt.Errorf("demo: mujun run %d: %w", s.year, err)
		}
	}
	return nil
}
