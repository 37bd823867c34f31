package demo

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/industrybrain/ibrain/internal/cluster"
	"github.com/industrybrain/ibrain/internal/creditcode"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/region"
	"github.com/industrybrain/ibrain/internal/report"
)

// scale1 is generated once and shared by the read-only tests.
var scale1 = sync.OnceValues(func() (*dataset, error) { return generate(Options{Seed: 1, Scale: 1}) })

func dataset1(t *testing.T) *dataset {
	t.Helper()
	ds, err := scale1()
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// digest hashes everything Load would write: enterprises with their yearly
// status, titles, and every monthly report (ids are firm index + 1).
func digest(ds *dataset) [32]byte {
	h := sha256.New()
	w := func(h hash.Hash, vs ...any) { fmt.Fprintln(h, vs...) }
	for _, r := range ds.enterpriseRows(ds.firms) {
		e, y := r.Enterprise, r.Year
		w(h, e.CreditCode, e.Name, e.RegionCode, e.IndustryCode, e.Founded.Format("2006-01-02"), int64(e.LandArea), y.Year, y.AboveScale, y.Employees, int64(y.Revenue), y.Size)
	}
	for _, t := range ds.titleRows(nil) {
		w(h, t.EnterpriseID, t.Kind, t.Level, t.GrantedOn.Format("2006-01-02"), t.ValidUntil.Format("2006-01-02"))
	}
	var buf []report.Monthly
	var b [8]byte
	for t := 1; t < nYears; t++ {
		for i, f := range ds.firms {
			buf = ds.monthly(f, t, int64(i+1), buf[:0])
			for _, m := range buf {
				w(h, m.EnterpriseID, m.Period.Key())
				for _, v := range m.Values {
					binary.LittleEndian.PutUint64(b[:], uint64(v))
					h.Write(b[:])
				}
			}
		}
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	a := dataset1(t)
	b, err := generate(Options{Seed: 1, Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	da, db := digest(a), digest(b)
	if da != db {
		t.Fatalf("same seed, different data: %x vs %x", da, db)
	}
	c, err := generate(Options{Seed: 2, Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	if digest(c) == da {
		t.Fatal("seeds 1 and 2 gave the same data")
	}
	t.Logf("seed 1 digest %x", da)
}

// TestCalibrationHolds generates other seeds and scales: the generator
// asserts every figure itself, so generating is the test.
func TestCalibrationHolds(t *testing.T) {
	t.Parallel()
	cases := []Options{{Seed: 2, Scale: 1}, {Seed: 7, Scale: 1}, {Seed: 1, Scale: 10}}
	if testing.Short() {
		cases = cases[:1]
	}
	for _, o := range cases {
		ds, err := generate(o)
		if err != nil {
			t.Fatalf("seed %d scale %d: %v", o.Seed, o.Scale, err)
		}
		if !ds.levelOK {
			t.Errorf("seed %d scale %d: output level not calibrated", o.Seed, o.Scale)
		}
		s := ds.summary()
		if n := s.AboveScale[2023]; n < 6800*o.Scale || n > 7800*o.Scale {
			t.Errorf("seed %d scale %d: %d above-scale firms in 2023", o.Seed, o.Scale, n)
		}
		t.Logf("seed %d scale %d: %+v", o.Seed, o.Scale, ds.measure())
	}
}

func TestVeryLargeScaleKeepsRates(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	t.Parallel()
	ds, err := generate(Options{Seed: 1, Scale: 20})
	if err != nil {
		t.Fatal(err)
	}
	if ds.levelOK {
		t.Error("scale 20: 140,000 firms above ¥20 m cannot sum to ¥2.6 trillion, yet the level claims to be calibrated")
	}
}

func TestPopulation(t *testing.T) {
	ds := dataset1(t)
	s := ds.summary()
	t.Logf("%s", s)
	for y := firstYear; y <= lastYear; y++ {
		if n := s.AboveScale[y]; n < 6800 || n > 7800 {
			t.Errorf("%d: %d above-scale firms, want about 7,000", y, n)
		}
		if y > firstYear && (s.Entrants[y] < 200 || s.Leavers[y] < 150) {
			t.Errorf("%d: entrants %d, leavers %d: too little churn", y, s.Entrants[y], s.Leavers[y])
		}
	}
	if extra := float64(s.NeverAboveScale) / float64(s.AboveScale[2023]); extra < 0.15 || extra > 0.22 {
		t.Errorf("below-scale firms are %.0f %% extra, want 15–20 %%", 100*extra)
	}
	if s.Closed == 0 || s.Founded == 0 {
		t.Errorf("closed %d, founded %d", s.Closed, s.Founded)
	}
	// Some firms of the 2023 set were founded in 2023 or 2022.
	newIn := 0
	for _, f := range ds.firms {
		if f.inSet(2) && f.foundedYear() >= 2022 {
			newIn++
		}
	}
	if newIn == 0 {
		t.Error("no new firm in the 2023 set")
	}
}

func TestSizeClasses(t *testing.T) {
	ds := dataset1(t)
	for _, r := range ds.enterpriseRows(ds.firms) {
		y := r.Year
		if got := enterprise.IndustrySize2017.Classify(y.Employees, y.Revenue); got != y.Size {
			t.Fatalf("%s %d: stored size %s, rule gives %s", r.Enterprise.Name, y.Year, y.Size, got)
		}
		if y.AboveScale != (y.Revenue >= enterprise.AboveScaleThreshold) {
			t.Fatalf("%s %d: above scale %v with basis revenue %d", r.Enterprise.Name, y.Year, y.AboveScale, y.Revenue)
		}
	}
	for _, y := range []int{2022, 2023, 2024} {
		n := map[enterprise.Size]int{}
		all := 0
		for _, r := range ds.enterpriseRows(ds.firms) {
			if r.Year.Year == y && r.Year.AboveScale {
				n[r.Year.Size]++
				all++
			}
		}
		large, medium := 100*float64(n[enterprise.SizeLarge])/float64(all), 100*float64(n[enterprise.SizeMedium])/float64(all)
		t.Logf("%d: large %.2f %%, medium %.2f %%, small %.2f %%, micro %d", y, large, medium, 100*float64(n[enterprise.SizeSmall])/float64(all), n[enterprise.SizeMicro])
		if large < 1.8 || large > 3.2 || medium < 9.5 || medium > 12.5 {
			t.Errorf("%d: large %.2f %% (want ~2–3), medium %.2f %% (want ~10–12)", y, large, medium)
		}
	}
}

func TestCreditCodes(t *testing.T) {
	ds := dataset1(t)
	regions, err := region.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	codes, names := map[string]bool{}, map[string]bool{}
	for _, f := range ds.firms {
		res, err := creditcode.Parse(f.code)
		if err != nil {
			t.Fatalf("%s %s: %v", f.name, f.code, err)
		}
		if len(res.Warnings) > 0 || string(res.Code) != f.code {
			t.Fatalf("%s: %v", f.code, res.Warnings)
		}
		if !strings.HasPrefix(f.code, "91") {
			t.Fatalf("%s: not an enterprise registered by market regulation", f.code)
		}
		reg, _ := regions.ByCode(f.region)
		want := []string{reg.Code}
		if reg.IsZone() {
			want = reg.HostCodes
		}
		if !slices.Contains(want, res.Code.RegionCode()) {
			t.Fatalf("%s in %s: registered in %s, want one of %v", f.code, f.region, res.Code.RegionCode(), want)
		}
		if f.founded.Year() >= 2016 != strings.HasPrefix(f.code[8:], "MA") {
			t.Fatalf("%s founded %d: organisation code body %s", f.code, f.founded.Year(), f.code[8:17])
		}
		if codes[f.code] || names[f.name] {
			t.Fatalf("duplicate code %s or name %s", f.code, f.name)
		}
		codes[f.code], names[f.name] = true, true
		if !strings.HasSuffix(f.name, "有限公司") {
			t.Fatalf("name %s", f.name)
		}
		if realTrade[f.trade] || !strings.Contains(f.name, f.trade) || len([]rune(f.trade)) < 2 {
			t.Fatalf("name %s: trade name %s", f.name, f.trade)
		}
	}
}

func TestRegions(t *testing.T) {
	ds := dataset1(t)
	regions, err := region.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for t3 := 1; t3 < nYears; t3++ {
		n := map[string]int{}
		all := 0
		for _, f := range ds.firms {
			if f.inSet(t3) {
				n[f.region]++
				all++
			}
		}
		for _, r := range regions.Regions {
			if n[r.Code] < 3 {
				t.Errorf("%d: %s %s has %d above-scale firms", baseYear+t3, r.Code, r.NameZh, n[r.Code])
			}
		}
		if len(n) != len(regions.Regions) {
			t.Errorf("%d: firms in %d units, want %d", baseYear+t3, len(n), len(regions.Regions))
		}
		if baseYear+t3 == 2023 {
			// Big industrial units are big, the mountain counties tiny.
			for _, big := range []string{"CQ-LJ", "500112", "500107", "500106", "500116", "500102", "500115", "500120"} {
				if n[big] < all/50 {
					t.Errorf("%s has only %d firms", big, n[big])
				}
			}
			for _, tiny := range []string{"500229", "500238"} {
				if n[tiny] > all/200 {
					t.Errorf("%s has %d firms", tiny, n[tiny])
				}
			}
			t.Logf("2023 firms: 两江 %d, 渝北 %d, 城口 %d, 巫溪 %d", n["CQ-LJ"], n["500112"], n["500229"], n["500238"])
		}
	}
}

// TestIndustryMix checks the mix the way the platform classifies it: by
// GB/T 4754 division and by the 33618 cluster catalogue in force.
func TestIndustryMix(t *testing.T) {
	ds := dataset1(t)
	set, err := cluster.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	cat := set.At("2023-12-31")
	byDiv, byCluster := map[string]int64{}, map[string]int64{}
	var total int64
	for _, f := range ds.firms {
		if !f.inSet(2) {
			continue
		}
		out := f.vals[2][report.Output]
		total += out
		byDiv[f.class[:2]] += out
		if k, ok := cat.Classify(f.class); ok {
			byCluster[k.Code] += out
		} else if f.section == 'C' && f.class[:2] != "41" && f.class[:2] != "42" {
			t.Errorf("manufacturing class %s has no cluster", f.class)
		}
	}
	share := func(v int64) float64 { return 100 * float64(v) / float64(total) }
	expect := func(name string, v, lo, hi float64) {
		t.Logf("%s: %.1f %% of 2023 output", name, v)
		if v < lo || v > hi {
			t.Errorf("%s: %.1f %%, want %g–%g", name, v, lo, hi)
		}
	}
	expect("autos (36)", share(byDiv["36"]), 17, 23)
	expect("electronics (39)", share(byDiv["39"]), 22, 28)
	expect("cluster L1-nev", share(byCluster["L1-nev"]), 17, 23)
	expect("cluster C2-motorcycle", share(byCluster["C2-motorcycle"]), 2.5, 6)
	expect("food (13–15)", share(byDiv["13"]+byDiv["14"]+byDiv["15"]), 5, 10)
	expect("pharma (27)", share(byDiv["27"]), 1.5, 4)
	expect("utilities (44–46)", share(byDiv["44"]+byDiv["45"]+byDiv["46"]), 3, 8)
	expect("mining (06–12)", share(byDiv["06"]+byDiv["07"]+byDiv["08"]+byDiv["09"]+byDiv["10"]), 0.3, 2.5)
}

func TestTitles(t *testing.T) {
	ds := dataset1(t)
	end23 := day(2023, 12, 31)
	valid := map[enterprise.TitleKind]int{}
	spec := 0
	for _, f := range ds.firms {
		for _, k := range enterprise.TitleKinds {
			if f.inSet(2) && f.validOn(k, end23) {
				valid[k]++
			}
		}
		if f.inSet(2) && f.specializedOn(end23) {
			spec++
		}
		for _, ti := range f.titles {
			if !ti.ValidUntil.After(ti.GrantedOn) || ti.GrantedOn.Before(f.founded) {
				t.Fatalf("%s: title %+v, founded %v", f.name, ti, f.founded)
			}
		}
	}
	t.Logf("valid on 2023-12-31 among above-scale firms: %v; 专精特新 or 小巨人: %d", valid, spec)
	for _, c := range []struct {
		kind   enterprise.TitleKind
		lo, hi int
	}{{enterprise.TitleSpecialized, 1500, 2000}, {enterprise.TitleLittleGiant, 250, 300}, {enterprise.TitleChampion, 15, 25}, {enterprise.TitleHighTech, 1000, 2500}, {enterprise.TitleInnovativeSME, 500, 2000}} {
		if n := valid[c.kind]; n < c.lo || n > c.hi {
			t.Errorf("%s valid at end-2023: %d, want %d–%d", c.kind, n, c.lo, c.hi)
		}
	}
	g := ds.summary().Granted2024
	t.Logf("granted in 2024: %v", g)
	if n := g[enterprise.TitleSpecialized]; n < 400 || n >= 500 || n == 400 {
		t.Errorf("专精特新 granted in 2024: %d, want 4xx but not 400", n)
	}
	if n := g[enterprise.TitleLittleGiant]; n < 20 || n >= 40 || n == 30 {
		t.Errorf("小巨人 granted in 2024: %d, want 2x–3x but not 30", n)
	}
	if n := g[enterprise.TitleChampion]; n < 3 || n > 5 || n == 4 {
		t.Errorf("单项冠军 granted in 2024: %d, want 3–5 but not 4", n)
	}
}

// TestRecords checks the relations between a firm's numbers.
func TestRecords(t *testing.T) {
	ds := dataset1(t)
	var rev, profit int64
	losers, firms := 0, 0
	var landLarge, landSmall []float64
	var foundedLarge, foundedSmall []int
	for _, f := range ds.firms {
		if !f.inSet(2) {
			continue
		}
		v := f.vals[2]
		firms++
		rev += v[report.Revenue]
		profit += v[report.Profit]
		if v[report.Profit] < 0 {
			losers++
		}
		if r := float64(v[report.Output]) / float64(v[report.Revenue]); r < 0.9 || r > 1.15 {
			t.Errorf("%s: output ÷ revenue %.2f", f.name, r)
		}
		switch f.sizeOf[2] {
		case enterprise.SizeLarge:
			landLarge = append(landLarge, f.land.Mu())
			foundedLarge = append(foundedLarge, f.foundedYear())
		case enterprise.SizeSmall:
			landSmall = append(landSmall, f.land.Mu())
			foundedSmall = append(foundedSmall, f.foundedYear())
		}
		// December cumulative values are the annual totals; cumulative
		// values never fall for non-negative fields.
		ms := ds.monthly(f, 2, 1, nil)
		last := ms[len(ms)-1]
		for fld := report.Field(0); fld < report.NumFields; fld++ {
			if report.Fields[fld].Kind == report.Cumulative && last.Values[fld] != v[fld] {
				t.Fatalf("%s: December %s %d ≠ annual %d", f.name, report.Fields[fld].Code, last.Values[fld], v[fld])
			}
		}
		for i := 1; i < len(ms); i++ {
			for _, fld := range []report.Field{report.Output, report.ValueAdded, report.Revenue, report.RDExpense, report.Investment, report.Energy} {
				if ms[i].Values[fld] < ms[i-1].Values[fld] {
					t.Fatalf("%s: cumulative %s falls in month %d", f.name, report.Fields[fld].Code, ms[i].Period.Month)
				}
			}
		}
		if ms[0].Period.Month == 2 && ms[0].Period.Year == 2023 {
			if share := float64(ms[0].Values[report.Output]) / float64(v[report.Output]); share > 2.0/12 {
				t.Fatalf("%s: Jan–Feb holds %.2f of the year's output; it should be weak", f.name, share)
			}
		}
	}
	margin := 100 * float64(profit) / float64(rev)
	t.Logf("2023 profit margin %.2f %%, loss-makers %d of %d", margin, losers, firms)
	if margin < 3 || margin > 8 || losers < firms/50 || losers > firms/5 {
		t.Errorf("profit margin %.2f %%, %d loss-makers of %d", margin, losers, firms)
	}
	median := func(x []float64) float64 { slices.Sort(x); return x[len(x)/2] }
	medianInt := func(x []int) int { slices.Sort(x); return x[len(x)/2] }
	if median(landLarge) <= 3*median(landSmall) {
		t.Errorf("median land: large %.0f mu, small %.0f mu", median(landLarge), median(landSmall))
	}
	if medianInt(foundedLarge) >= medianInt(foundedSmall) {
		t.Errorf("median founding year: large %d, small %d", medianInt(foundedLarge), medianInt(foundedSmall))
	}
	// 专精特新 firms spend more on R&D than the rest.
	end := day(2023, 12, 31)
	var rdS, revS, rdO, revO int64
	zero := 0
	for _, f := range ds.firms {
		if !f.inSet(2) {
			continue
		}
		if f.specializedOn(end) {
			rdS += f.vals[2][report.RDExpense]
			revS += f.vals[2][report.Revenue]
		} else {
			rdO += f.vals[2][report.RDExpense]
			revO += f.vals[2][report.Revenue]
		}
		if f.vals[2][report.Investment] == 0 {
			zero++
		}
	}
	if float64(rdS)/float64(revS) < 1.5*float64(rdO)/float64(revO) {
		t.Errorf("专精特新 R&D intensity %.2f %% is not well above the rest's %.2f %%", 100*float64(rdS)/float64(revS), 100*float64(rdO)/float64(revO))
	}
	if zero < firms/4 {
		t.Errorf("only %d of %d firms invested nothing in 2023", zero, firms)
	}
}

func TestInterval(t *testing.T) {
	for _, c := range []struct {
		iv   interval
		v    float64
		want bool
	}{
		{acceptance.vaReal2023, 6.55, true}, {acceptance.vaReal2023, 6.6499, true}, {acceptance.vaReal2023, 6.65, false}, {acceptance.vaReal2023, 6.5499, false},
		{acceptance.output2023, 2.6, false}, {acceptance.output2023, 2.6001, true}, {acceptance.output2023, 2.652, false},
		{acceptance.rdAll2023, 2.6, true}, {acceptance.rdAll2023, 2.2, true}, {acceptance.rdAll2023, 2.61, false},
	} {
		if got := c.iv.contains(c.v); got != c.want {
			t.Errorf("%+v contains %g = %v", c.iv, c.v, got)
		}
	}
}
