package mujun

import (
	"cmp"
	"slices"

	"github.com/industrybrain/ibrain/internal/unit"
)

// aggAcc accumulates one Aggregate.
type aggAcc struct {
	firms, rated  int
	scoreSum      float64
	classes       []int
	stats         [numCodes]statAcc
	land, tax, va int64
	regionCode    string
	parkCode      string
	group         Group
}

type parkKey struct {
	region int32
	park   string
}

func (r *runner) aggregate() {
	cfg, ents := r.cfg, r.res.Enterprises
	nc := len(cfg.Classes.Defs)
	newAcc := func(region, park string, g Group) aggAcc {
		return aggAcc{classes: make([]int, nc), regionCode: region, parkCode: park, group: g}
	}
	total := newAcc("", "", "")
	regions := make([]aggAcc, len(r.regionCodes))
	byGroup := make([]aggAcc, len(r.regionCodes)*len(cfg.Groups))
	for ri, code := range r.regionCodes {
		regions[ri] = newAcc(code, "", "")
		for gi, g := range cfg.Groups {
			byGroup[ri*len(cfg.Groups)+gi] = newAcc(code, "", g.Group)
		}
	}
	var parks []aggAcc
	parkIdx := map[parkKey]int{}

	var nums, dens [numCodes]int64
	var vals [numCodes]float64
	var oks [numCodes]bool
	for k := range ents {
		e := &ents[k]
		f := &r.facts[r.src[k]]
		for i := range numCodes {
			nums[i], dens[i], oks[i] = f.parts(i)
			if oks[i] {
				vals[i] = ratio(i, nums[i], dens[i])
			}
		}
		ri := r.region[k]
		accs := [4]*aggAcc{&total, &regions[ri], &byGroup[int(ri)*len(cfg.Groups)+cfg.group(e.Group)], nil}
		if e.ParkCode != "" {
			key := parkKey{ri, e.ParkCode}
			pi, ok := parkIdx[key]
			if !ok {
				pi = len(parks)
				parkIdx[key] = pi
				parks = append(parks, newAcc(e.RegionCode, e.ParkCode, ""))
			}
			accs[3] = &parks[pi]
		}
		for _, a := range accs {
			if a == nil {
				continue
			}
			a.firms++
			if e.Exempt == "" {
				a.rated++
				a.scoreSum += e.Score
			}
			a.classes[r.classOf[k]]++
			for i := range numCodes {
				if oks[i] {
					a.stats[i].add(nums[i], dens[i], vals[i])
				}
			}
			if f.Land.Known {
				a.land += int64(f.Land.Value)
			}
			if f.Tax.Known {
				a.tax += int64(f.Tax.Value)
			}
			if f.ValueAdded.Known {
				a.va += int64(f.ValueAdded.Value)
			}
		}
	}

	out := func(accs []aggAcc) []Aggregate {
		list := make([]Aggregate, len(accs))
		for i := range accs {
			list[i] = accs[i].out(cfg)
		}
		slices.SortFunc(list, func(a, b Aggregate) int {
			if c := cmp.Compare(a.RegionCode, b.RegionCode); c != 0 {
				return c
			}
			if c := cmp.Compare(a.ParkCode, b.ParkCode); c != 0 {
				return c
			}
			return cmp.Compare(a.Group, b.Group)
		})
		return list
	}
	r.res.Total = total.out(cfg)
	r.res.Regions = out(regions)
	rankAggregates(r.res.Regions)
	r.res.RegionsByGroup = out(byGroup)
	for _, g := range cfg.Groups {
		var sub []*Aggregate
		for i := range r.res.RegionsByGroup {
			if a := &r.res.RegionsByGroup[i]; a.Group == g.Group {
				sub = append(sub, a)
			}
		}
		rankAggregatePtrs(sub)
	}
	r.res.Parks = out(parks)
	rankAggregates(r.res.Parks)
}

func (a *aggAcc) out(cfg *Config) Aggregate {
	g := Aggregate{RegionCode: a.regionCode, ParkCode: a.parkCode, Group: a.group, Firms: a.firms, Rated: a.rated,
		Land: unit.Mu100(a.land), Tax: unit.Fen(a.tax), ValueAdded: unit.Fen(a.va)}
	g.Classes = make([]ClassCount, len(cfg.Classes.Defs))
	for i, d := range cfg.Classes.Defs {
		g.Classes[i] = ClassCount{Class: d.Code, Count: a.classes[i]}
	}
	if a.rated > 0 {
		g.MeanScore = a.scoreSum / float64(a.rated)
	}
	g.Stats = make([]IndicatorStats, numCodes)
	for i := range numCodes {
		g.Stats[i] = a.stats[i].out(i)
	}
	g.TaxPerMu = g.Stats[codeIndex(TaxPerMu)].RatioOfSums
	g.VAPerMu = g.Stats[codeIndex(VAPerMu)].RatioOfSums
	return g
}

func rankAggregates(list []Aggregate) {
	ptrs := make([]*Aggregate, len(list))
	for i := range list {
		ptrs[i] = &list[i]
	}
	rankAggregatePtrs(ptrs)
}

// rankAggregatePtrs sets competition ranks (1 = highest) by mean score,
// 亩均增加值 and 亩均税收: the orders of the district map and the "district
// top 10".
func rankAggregatePtrs(list []*Aggregate) {
	by := func(key func(*Aggregate) float64, set func(*Aggregate, int)) {
		order := slices.Clone(list)
		slices.SortStableFunc(order, func(a, b *Aggregate) int { return cmp.Compare(key(b), key(a)) })
		rank := 0
		for p, a := range order {
			if p == 0 || key(a) != key(order[p-1]) {
				rank = p + 1
			}
			set(a, rank)
		}
	}
	by(func(a *Aggregate) float64 { return a.MeanScore }, func(a *Aggregate, r int) { a.RankByScore = r })
	by(func(a *Aggregate) float64 { return a.VAPerMu }, func(a *Aggregate, r int) { a.RankByVAPerMu = r })
	by(func(a *Aggregate) float64 { return a.TaxPerMu }, func(a *Aggregate, r int) { a.RankByTaxPerMu = r })
}
