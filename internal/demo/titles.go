package demo

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/industrybrain/ibrain/internal/enterprise"
)

// batch is one round of title grants. Quota titles (专精特新, 小巨人, 单项冠军)
// have fixed batch sizes, as the bodies granting them work to a quota;
// population titles (高企, 创新型中小企业) scale with the number of firms.
type batch struct {
	kind  enterprise.TitleKind
	level enterprise.TitleLevel
	date  time.Time
	n     int // per dataset (quota) or per unit of Scale (population)
	quota bool
}

// renewal is the share of titles renewed on re-review at expiry; a renewal
// extends the title's validity by another three years.
var renewal = map[enterprise.TitleKind]float64{
	enterprise.TitleSpecialized:   0.8,
	enterprise.TitleLittleGiant:   0.85,
	enterprise.TitleChampion:      0.9,
	enterprise.TitleHighTech:      0.7,
	enterprise.TitleInnovativeSME: 0.6,
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// horizon is the last day the dataset covers.
var horizon = day(lastYear, 12, 31)

// batches lists every round in date order. The 2024 rounds of the quota
// titles are drawn around, never exactly on, the 2024 task-table targets.
func batches(r *rand.Rand) []batch {
	spec24 := 405 + r.IntN(60) // target 400
	lg24 := 22 + r.IntN(12)    // target 30
	if lg24 == 30 {
		lg24 = 27
	}
	ch24 := 3 + 2*r.IntN(2) // target 4: 3 or 5
	bs := []batch{
		{enterprise.TitleSpecialized, enterprise.LevelProvincial, day(2019, 7, 10), 200, true},
		{enterprise.TitleSpecialized, enterprise.LevelProvincial, day(2020, 9, 15), 300, true},
		{enterprise.TitleSpecialized, enterprise.LevelProvincial, day(2021, 8, 20), 420, true},
		{enterprise.TitleSpecialized, enterprise.LevelProvincial, day(2022, 7, 25), 480, true},
		{enterprise.TitleSpecialized, enterprise.LevelProvincial, day(2023, 6, 28), 520, true},
		{enterprise.TitleSpecialized, enterprise.LevelProvincial, day(2024, 7, 12), spec24, true},
		{enterprise.TitleLittleGiant, enterprise.LevelNational, day(2019, 5, 31), 15, true},
		{enterprise.TitleLittleGiant, enterprise.LevelNational, day(2020, 11, 30), 35, true},
		{enterprise.TitleLittleGiant, enterprise.LevelNational, day(2021, 7, 15), 85, true},
		{enterprise.TitleLittleGiant, enterprise.LevelNational, day(2022, 8, 10), 80, true},
		{enterprise.TitleLittleGiant, enterprise.LevelNational, day(2023, 7, 25), 70, true},
		{enterprise.TitleLittleGiant, enterprise.LevelNational, day(2024, 8, 20), lg24, true},
		{enterprise.TitleInnovativeSME, enterprise.LevelProvincial, day(2022, 10, 20), 600, false},
		{enterprise.TitleInnovativeSME, enterprise.LevelProvincial, day(2023, 10, 18), 600, false},
		{enterprise.TitleInnovativeSME, enterprise.LevelProvincial, day(2024, 10, 16), 600, false},
	}
	for y := 2016; y <= 2024; y++ {
		n := []int{1, 2, 2, 3, 2, 3, 3, 4, ch24}[y-2016]
		bs = append(bs, batch{enterprise.TitleChampion, enterprise.LevelNational, day(y, 11, 28), n, true})
	}
	for y := 2019; y <= 2024; y++ {
		bs = append(bs, batch{enterprise.TitleHighTech, enterprise.LevelNational, day(y, 12, 1), 450, false})
	}
	slices.SortStableFunc(bs, func(a, b batch) int { return a.date.Compare(b.date) })
	return bs
}

// validOn reports whether the firm holds a title of kind on d.
func (f *firm) validOn(kind enterprise.TitleKind, d time.Time) bool {
	for _, t := range f.titles {
		if t.Kind == kind && t.ValidOn(d) {
			return true
		}
	}
	return false
}

// specializedOn is the statistics' rule: a valid 专精特新 or 小巨人 title.
func (f *firm) specializedOn(d time.Time) bool {
	for _, t := range f.titles {
		if t.Kind.Specialized() && t.ValidOn(d) {
			return true
		}
	}
	return false
}

// existsOn reports whether the firm exists on day d.
func (f *firm) existsOn(d time.Time) bool {
	return !d.Before(f.founded) && (f.closed == 0 || d.Year() < f.closed)
}

// revenueAt is the annual revenue (annualised, in fen) the firm had in the
// year of d, or its 2021 level for earlier days.
func (ds *dataset) revenueAt(f *firm, d time.Time) float64 {
	t := max(0, min(nYears-1, d.Year()-baseYear))
	return ds.moneyMap(f.latent[t])
}

func (ds *dataset) eligible(f *firm, b batch) (float64, bool) {
	d := b.date
	if !f.existsOn(d) || f.validOn(b.kind, d) {
		return 0, false
	}
	g := groups[f.g]
	rev := ds.revenueAt(f, d)
	t := max(0, min(nYears-1, d.Year()-baseYear))
	large := f.emp[t] >= 1000 && rev >= 4e8*100
	years := d.Sub(f.founded).Hours() / 24 / 365
	switch b.kind {
	case enterprise.TitleSpecialized:
		if f.section != 'C' || f.giant || large || rev < 1e7*100 || years < 2 {
			return 0, false
		}
		return g.tech * math.Pow(rev/threshold, 0.2), true
	case enterprise.TitleLittleGiant:
		if !f.validOn(enterprise.TitleSpecialized, d) || rev < 5e7*100 || years < 3 {
			return 0, false
		}
		return g.tech * math.Pow(rev/5e7/100, 0.5), true
	case enterprise.TitleChampion:
		if f.section != 'C' || rev < 4e8*100 || years < 10 {
			return 0, false
		}
		w := 1.0
		if f.validOn(enterprise.TitleLittleGiant, d) {
			w = 5
		}
		return w * g.tech, true
	case enterprise.TitleHighTech:
		if g.tech < 0.5 || years < 1 {
			return 0, false
		}
		return g.tech * g.tech, true
	case enterprise.TitleInnovativeSME:
		if large || f.giant {
			return 0, false
		}
		return g.tech, true
	}
	return 0, false
}

// grantTitles runs every batch in date order, choosing among eligible firms
// by weighted sampling without replacement, and decides each title's
// renewals up front.
func (ds *dataset) grantTitles(r *rand.Rand) {
	type cand struct {
		f   *firm
		key float64
	}
	for _, b := range batches(r) {
		n := b.n
		if !b.quota {
			n *= ds.opts.Scale
		}
		var cs []cand
		for _, f := range ds.firms {
			w, ok := ds.eligible(f, b)
			if !ok || w <= 0 {
				continue
			}
			w *= math.Exp(normal(r, 0, 0.6))
			// Efraimidis–Spirakis: the n largest u^(1/w) are a weighted
			// sample without replacement.
			cs = append(cs, cand{f, math.Log(r.Float64()) / w})
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
		for _, c := range cs[:min(n, len(cs))] {
			t := enterprise.Title{Kind: b.kind, Level: b.level, GrantedOn: b.date, ValidUntil: b.date.AddDate(3, 0, 0)}
			for !t.ValidUntil.After(horizon) && c.f.existsOn(t.ValidUntil) && r.Float64() < renewal[b.kind] {
				t.ValidUntil = t.ValidUntil.AddDate(3, 0, 0)
			}
			if c.f.closed != 0 {
				if end := day(c.f.closed, 1, 1); end.Before(t.ValidUntil) {
					t.ValidUntil = end
				}
			}
			c.f.titles = append(c.f.titles, t)
		}
	}
}
