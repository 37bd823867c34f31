package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/goals"
	"github.com/industrybrain/ibrain/internal/hardtech"
	"github.com/industrybrain/ibrain/internal/region"
	"github.com/industrybrain/ibrain/internal/sqlstore"
)

// goalsStream seeds this module's own random stream, so the calibrated
// core generation (streams 1–5) is untouched.
const goalsStream = 0x676f616c73 // "goals"

// growthTitle is one round of unicorn, potential-unicorn or gazelle
// listings. The core demo grants none of these kinds; they are drawn here
// so that the 2022 stock is a baseline and 2023/2024 a realistic way
// towards the 2027 goals (15 / 30 / 300).
type growthTitle struct {
	kind    enterprise.TitleKind
	date    time.Time
	n       int
	maxAge  float64 // years since founding, at most
	renewal float64 // share renewed at the three-year re-review
}

func growthRounds() []growthTitle {
	var out []growthTitle
	for i, y := range []int{2021, 2022, 2023, 2024} {
		out = append(out,
			growthTitle{enterprise.TitleUnicorn, day(y, 10, 26), []int{3, 2, 2, 2}[i], 15, 0.8},
			growthTitle{enterprise.TitlePotentialUni, day(y, 10, 26), []int{10, 6, 6, 7}[i], 12, 0.5},
			growthTitle{enterprise.TitleGazelle, day(y, 9, 20), []int{120, 45, 50, 55}[i], 12, 0.6},
		)
	}
	return out
}

// loadGoals writes the goals module's demo data: the growth titles, the
// district allocations of the cultivation goals, and the hard-tech pools
// of 2022–2024. It reads only the generated firms and writes through the
// store, so loading again changes nothing.
func loadGoals(ctx context.Context, st *sqlstore.Store, ds *dataset, idOf []int64) error {
	r := ds.rng(goalsStream)
	extra := ds.growthTitles(r)
	var titles []enterprise.Title
	for i := range ds.firms {
		for _, t := range extra[i] {
			t.EnterpriseID = idOf[i]
			titles = append(titles, t)
		}
	}
	// None of these kinds counts as 专精特新, so no summary is rebuilt.
	if err := st.PutTitles(ctx, titles); err != nil {
		return fmt.Errorf("demo: growth titles: %w", err)
	}
	plans, err := ds.goalPlans(extra)
	if err != nil {
		return err
	}
	for _, p := range plans {
		if err := st.PutGoalPlan(ctx, p, 0); err != nil {
			return fmt.Errorf("demo: goal plan %s: %w", p.ID, err)
		}
	}
	return ds.hardtechPools(ctx, st, r, idOf)
}

// growthTitles draws the listings by weighted sampling without
// replacement: young, technology-minded, fast-growing firms; unicorns
// mostly from potential unicorns, potential unicorns mostly from gazelles.
func (ds *dataset) growthTitles(r *rand.Rand) map[int][]enterprise.Title {
	out := map[int][]enterprise.Title{}
	holds := func(i int, kind enterprise.TitleKind, d time.Time) bool {
		for _, t := range out[i] {
			if t.Kind == kind && t.ValidOn(d) {
				return true
			}
		}
		return false
	}
	type cand struct {
		i   int
		key float64
	}
	for _, round := range growthRounds() {
		d := round.date
		t := max(0, min(nYears-1, d.Year()-baseYear))
		var cs []cand
		for i, f := range ds.firms {
			age := d.Sub(f.founded).Hours() / 24 / 365
			if !f.existsOn(d) || f.giant || age < 2 || age > round.maxAge || holds(i, round.kind, d) {
				continue
			}
			growth := 1.0
			if t > 0 && f.latent[t-1] > 0 {
				growth = f.latent[t] / f.latent[t-1]
			}
			w := groups[f.g].tech * math.Pow(max(growth, 0.5), 6) * (1 + 50*f.rdInt)
			switch round.kind {
			case enterprise.TitleUnicorn:
				if holds(i, enterprise.TitleUnicorn, d) {
					continue
				}
				if holds(i, enterprise.TitlePotentialUni, d) {
					w *= 40
				}
				w *= math.Sqrt(ds.revenueAt(f, d) / threshold)
			case enterprise.TitlePotentialUni:
				if holds(i, enterprise.TitleUnicorn, d) {
					continue
				}
				if holds(i, enterprise.TitleGazelle, d) {
					w *= 8
				}
			case enterprise.TitleGazelle:
				if ds.revenueAt(f, d) < threshold/2 {
					continue
				}
			}
			if w <= 0 {
				continue
			}
			cs = append(cs, cand{i, math.Log(r.Float64()) / w})
		}
		slices.SortStableFunc(cs, func(a, b cand) int {
			switch {
			case a.key > b.key:
				return -1
			case a.key < b.key:
				return 1
			}
			return 0
		})
		for _, c := range cs[:min(round.n, len(cs))] {
			f := ds.firms[c.i]
			title := enterprise.Title{Kind: round.kind, Level: enterprise.LevelProvincial, GrantedOn: d, ValidUntil: d.AddDate(3, 0, 0)}
			for !title.ValidUntil.After(horizon) && f.existsOn(title.ValidUntil) && r.Float64() < round.renewal {
				title.ValidUntil = title.ValidUntil.AddDate(3, 0, 0)
			}
			if f.closed != 0 {
				if end := day(f.closed, 1, 1); end.Before(title.ValidUntil) {
					title.ValidUntil = end
				}
			}
			out[c.i] = append(out[c.i], title)
		}
	}
	return out
}

// goalPlans allocates the city goals (goals.Builtin) to every district in
// proportion to the district's base for that goal, computed from the
// generated firms as the commission would from its registry at the end of
// the year before the plan: the pipeline one tier below the title (SMEs
// for 专精特新, 专精特新 for 小巨人, 小巨人 for 单项冠军, and the growth
// titles for the 2027 stock goals), plus a small share of the district's
// above-scale firms so that no district with industry is left out of the
// weighting.
func (ds *dataset) goalPlans(extra map[int][]enterprise.Title) ([]goals.Plan, error) {
	plans, err := goals.Builtin()
	if err != nil {
		return nil, err
	}
	regions, err := region.Builtin()
	if err != nil {
		return nil, err
	}
	holds := func(i int, kind enterprise.TitleKind, d time.Time) bool {
		if ds.firms[i].validOn(kind, d) {
			return true
		}
		for _, t := range extra[i] {
			if t.Kind == kind && t.ValidOn(d) {
				return true
			}
		}
		return false
	}
	for pi := range plans {
		p := &plans[pi]
		asOf := day(p.GoalYear-1, 12, 31)
		if p.Measure == goals.Stock {
			asOf = day(p.BaseYear, 12, 31)
		}
		t := max(1, min(nYears-1, asOf.Year()-baseYear))
		for gi := range p.Goals {
			g := &p.Goals[gi]
			base := map[string]float64{}
			for i, f := range ds.firms {
				if !f.existsOn(asOf) {
					continue
				}
				if f.above[t] {
					base[f.region] += 0.02
				}
				switch g.IndicatorCode {
				case "NEW_SPECIALIZED":
					if f.section == 'C' && f.above[t] && (f.sizeOf[t] == enterprise.SizeSmall || f.sizeOf[t] == enterprise.SizeMedium) && !holds(i, enterprise.TitleSpecialized, asOf) {
						base[f.region]++
					}
				case "NEW_LITTLE_GIANTS":
					if holds(i, enterprise.TitleSpecialized, asOf) && !holds(i, enterprise.TitleLittleGiant, asOf) {
						base[f.region]++
					}
				case "NEW_CHAMPIONS":
					if holds(i, enterprise.TitleLittleGiant, asOf) || holds(i, enterprise.TitleChampion, asOf) {
						base[f.region]++
					}
				case "UNICORN_COUNT":
					if holds(i, enterprise.TitleUnicorn, asOf) {
						base[f.region] += 2
					} else if holds(i, enterprise.TitlePotentialUni, asOf) {
						base[f.region]++
					}
				case "POTENTIAL_UNICORN_COUNT":
					if holds(i, enterprise.TitlePotentialUni, asOf) {
						base[f.region] += 2
					} else if holds(i, enterprise.TitleGazelle, asOf) {
						base[f.region]++
					}
				case "GAZELLE_COUNT":
					if holds(i, enterprise.TitleGazelle, asOf) {
						base[f.region] += 2
					} else if holds(i, enterprise.TitleHighTech, asOf) {
						base[f.region] += 0.5
					}
				default:
					return nil, fmt.Errorf("demo: no allocation base for goal %s", g.IndicatorCode)
				}
			}
			ws := make([]goals.Weight, 0, len(regions.Regions))
			for _, reg := range regions.Regions {
				ws = append(ws, goals.Weight{Code: reg.Code, Weight: base[reg.Code]})
			}
			if g.Districts, err = goals.Allocate(g.City, ws); err != nil {
				return nil, fmt.Errorf("demo: allocate %s: %w", g.IndicatorCode, err)
			}
		}
	}
	return plans, nil
}

// Pool years the demo fills.
var poolYears = [...]int{2022, 2023, 2024}

// hardtechPools admits 50–58 firms a year: small and medium manufacturers
// with high R&D intensity, weighted towards those that grew in the year
// before admission (what the commission knows when it picks), each firm in
// one pool only. A firm that closes later is removed from its pool.
func (ds *dataset) hardtechPools(ctx context.Context, st *sqlstore.Store, r *rand.Rand, idOf []int64) error {
	policies, err := hardtech.Policies()
	if err != nil {
		return err
	}
	existing, err := st.HardtechMembers(ctx, auth.All(), 0, 0)
	if err != nil {
		return err
	}
	have := map[[2]int64]bool{}
	for _, m := range existing {
		have[[2]int64{int64(m.Year), m.EnterpriseID}] = true
	}
	taken := map[int]bool{}
	type cand struct {
		i   int
		key float64
	}
	for _, year := range poolYears {
		pol, err := hardtech.PolicyFor(policies, year)
		if err != nil {
			return err
		}
		t := year - baseYear
		var cs []cand
		for i, f := range ds.firms {
			size := f.sizeOf[t]
			if taken[i] || !f.exists(t) || f.section != 'C' || f.giant || f.rdInt < 0.03 ||
				(size != enterprise.SizeSmall && size != enterprise.SizeMedium) || f.basis[t] <= 0 {
				continue
			}
			growth := 1.0
			if t >= 2 && f.latent[t-2] > 0 {
				growth = f.latent[t-1] / f.latent[t-2]
			}
			w := math.Pow(f.rdInt*100, 2) * math.Pow(max(growth, 0.5), 4)
			cs = append(cs, cand{i, math.Log(r.Float64()) / w})
		}
		slices.SortStableFunc(cs, func(a, b cand) int {
			switch {
			case a.key > b.key:
				return -1
			case a.key < b.key:
				return 1
			}
			return 0
		})
		// Firms that close later are admitted and then removed (exited), so
		// they do not fill a place: admit until enough are active.
		want, active := pol.MinFirms+r.IntN(9), 0
		for _, c := range cs {
			if active == want {
				break
			}
			f := ds.firms[c.i]
			taken[c.i] = true
			if f.closed == 0 {
				active++
			}
			id := idOf[c.i]
			if have[[2]int64{int64(year), id}] {
				continue
			}
			sizeZh := map[enterprise.Size]string{enterprise.SizeSmall: "小型", enterprise.SizeMedium: "中型"}[f.sizeOf[t]]
			reasons := fmt.Sprintf("研发投入强度%.1f%%，%s制造业企业，具备核心技术攻关能力", f.rdInt*100, sizeZh)
			if _, err := st.AdmitHardtech(ctx, auth.All(), hardtech.Admission{Year: year, EnterpriseID: id, Reasons: reasons}, pol, 0); err != nil {
				return fmt.Errorf("demo: admit %s to the %d hard-tech pool: %w", f.code, year, err)
			}
			if f.closed != 0 {
				err := st.RemoveHardtech(ctx, auth.All(), year, id, fmt.Sprintf("企业于%d年注销，移出帮扶库", f.closed), 0)
				if err != nil && !apperr.Is(err, apperr.NotFound) {
					return err
				}
			}
		}
		if active < want {
			return fmt.Errorf("demo: only %d active firms for the %d hard-tech pool, want %d", active, year, want)
		}
	}
	return nil
}
