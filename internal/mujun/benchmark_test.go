package mujun

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/unit"
)

// priorOf is a 2023 run of taxOnly over n firms at 10 万元/亩 (none when
// n is 0), standing for a stored prior run.
func priorOf(t *testing.T, n int) *RunResult {
	t.Helper()
	cfg := taxOnly()
	cfg.Year = 2023
	var facts []Facts
	for i := range n {
		facts = append(facts, taxFirm(int64(100+i), 100))
	}
	r := mustRun(t, cfg, facts, nil)
	return &r
}

// TestDataBenchmarks runs every benchmark method that needs data with an
// absent, an empty, a too-small and a valid set: the first three refuse
// with a BenchmarkError naming the indicator and the gap, the last scores
// and records where its benchmark came from.
func TestDataBenchmarks(t *testing.T) {
	const min = 3
	type setup struct {
		name  string
		b     Benchmark
		prior *RunResult
		facts []Facts
	}
	valid := currentFacts() // three firms: 25, 50, 15 万元/亩
	tooSmall := valid[:2]
	type want struct {
		gap   BenchmarkGap // "" = scores
		from  string
		year  int
		firms int
		run   int64
		bm    float64
	}
	cases := []struct {
		setup
		want
	}{
		// prior_mean
		{setup{"prior_mean no prior", Benchmark{Method: PriorMean}, nil, valid}, want{gap: GapNoPrior, year: 2023}},
		{setup{"prior_mean empty prior", Benchmark{Method: PriorMean}, priorOf(t, 0), valid}, want{gap: GapPriorTooFew, year: 2023, run: 7}},
		{setup{"prior_mean too-small prior", Benchmark{Method: PriorMean}, priorOf(t, 2), valid}, want{gap: GapPriorTooFew, year: 2023, firms: 2, run: 7}},
		{setup{"prior_mean valid prior", Benchmark{Method: PriorMean}, priorOf(t, 3), valid}, want{from: FromPriorRun, year: 2023, firms: 3, run: 7, bm: 10}},
		// mean_multiple
		{setup{"mean_multiple no prior", Benchmark{Method: MeanMultiple, Multiple: 2}, nil, valid}, want{gap: GapNoPrior, year: 2023}},
		{setup{"mean_multiple empty prior", Benchmark{Method: MeanMultiple, Multiple: 2}, priorOf(t, 0), valid}, want{gap: GapPriorTooFew, year: 2023, run: 7}},
		{setup{"mean_multiple too-small prior", Benchmark{Method: MeanMultiple, Multiple: 2}, priorOf(t, 1), valid}, want{gap: GapPriorTooFew, year: 2023, firms: 1, run: 7}},
		{setup{"mean_multiple valid prior", Benchmark{Method: MeanMultiple, Multiple: 2}, priorOf(t, 4), valid}, want{from: FromPriorRun, year: 2023, firms: 4, run: 7, bm: 20}},
		// current_mean bootstrap (no prior run): the evaluated set
		{setup{"current_mean empty set", Benchmark{Method: PriorMean, NoPrior: UseCurrentMean}, nil, noTax(valid)}, want{from: FromNone}},
		{setup{"current_mean too-small set", Benchmark{Method: PriorMean, NoPrior: UseCurrentMean}, nil, tooSmall}, want{gap: GapCurrentTooFew, year: 2024, firms: 2}},
		{setup{"current_mean valid set", Benchmark{Method: PriorMean, NoPrior: UseCurrentMean}, nil, valid}, want{from: FromCurrentYear, year: 2024, firms: 3, bm: 30}},
		// min_max over the evaluated set
		{setup{"min_max empty set", Benchmark{Method: MinMax, Floor: 20, Range: 80}, nil, noTax(valid)}, want{from: FromNone}},
		{setup{"min_max too-small set", Benchmark{Method: MinMax, Floor: 20, Range: 80}, nil, tooSmall}, want{gap: GapCurrentTooFew, year: 2024, firms: 2}},
		{setup{"min_max valid set", Benchmark{Method: MinMax, Floor: 20, Range: 80}, nil, valid}, want{from: FromCurrentYear, year: 2024, firms: 3, bm: 50}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := cfgWith(ind(TaxPerMu, 100, c.b, 2, Zero))
			cfg.MinBenchmarkFirms = min
			res, err := RunWith(cfg, c.facts, c.prior, RunOptions{PriorRunID: 7})
			if c.gap != "" {
				var be *BenchmarkError
				if !errors.As(err, &be) || !errors.Is(err, ErrNoBenchmark) || !apperr.Is(err, apperr.Invalid) {
					t.Fatalf("err = %v, want a BenchmarkError", err)
				}
				if be.Gap != c.gap || be.Indicator != TaxPerMu || be.Group != AboveScale || be.Year != c.year || be.Firms != c.firms ||
					be.MinFirms != min || be.PriorRunID != c.run || be.Unit != "city" || be.Method != c.b.Method {
					t.Errorf("refusal %+v, want gap %s year %d firms %d run %d", be, c.gap, c.year, c.firms, c.run)
				}
				if len(res.Enterprises) != 0 {
					t.Errorf("a refused run returned %d results", len(res.Enterprises))
				}
				return
			}
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			gi := res.Groups[0].Indicators[0]
			if gi.BenchmarkFrom != c.from || gi.BenchmarkYear != c.year || gi.BenchmarkFirms != c.firms || gi.BenchmarkRun != c.run {
				t.Errorf("provenance %+v, want from %s year %d firms %d run %d", gi, c.from, c.year, c.firms, c.run)
			}
			if c.from != FromNone && gi.MinFirms != min {
				t.Errorf("min firms %d, want %d", gi.MinFirms, min)
			}
			approx(t, "benchmark", gi.Benchmark, c.bm)
		})
	}
}

// noTax drops the tax of every firm: the group is evaluated but nobody has
// a value, so no benchmark is needed and none is computed.
func noTax(fs []Facts) []Facts {
	out := make([]Facts, len(fs))
	for i, f := range fs {
		f.Tax = Opt[unit.Fen]{}
		out[i] = f
	}
	return out
}

// TestMinBenchmarkFirmsDefault: an unset minimum is 1, never 0, so a
// benchmark is never taken from an empty set.
func TestMinBenchmarkFirmsDefault(t *testing.T) {
	cfg := cfgWith(ind(TaxPerMu, 100, Benchmark{Method: PriorMean}, 0, Zero))
	_, err := Run(cfg, currentFacts(), priorOf(t, 0))
	var be *BenchmarkError
	if !errors.As(err, &be) || be.Gap != GapPriorTooFew || be.MinFirms != 1 {
		t.Fatalf("err = %v, want prior_too_few with minimum 1", err)
	}
	if _, err := Run(cfg, currentFacts(), priorOf(t, 1)); err != nil {
		t.Fatalf("one prior firm meets the default minimum: %v", err)
	}
}

// TestZeroMeanRefused: a prior set whose mean is 0 cannot be a benchmark.
func TestZeroMeanRefused(t *testing.T) {
	cfg := taxOnly()
	cfg.Year = 2023
	prior := mustRun(t, cfg, []Facts{taxFirm(100, 0), taxFirm(101, 0)}, nil)
	_, err := Run(cfgWith(ind(TaxPerMu, 100, Benchmark{Method: PriorMean}, 2, Zero)), currentFacts(), &prior)
	var be *BenchmarkError
	if !errors.As(err, &be) || be.Gap != GapZeroMean || be.Firms != 2 {
		t.Fatalf("err = %v, want zero_mean over 2 firms", err)
	}
}

// TestNoPlaceholderBenchmark: a value on a data method and the retired
// config_value fallback are configuration errors, and a fixed benchmark
// must be set.
func TestNoPlaceholderBenchmark(t *testing.T) {
	for _, b := range []Benchmark{
		{Method: PriorMean, Value: 1},
		{Method: MeanMultiple, Multiple: 2, Value: 1},
		{Method: PriorMean, NoPrior: "config_value"},
		{Method: MinMax, Floor: 20, Range: 80, Value: 1},
		{Method: Fixed},
	} {
		cfg := cfgWith(ind(TaxPerMu, 100, b, 2, Zero))
		if err := cfg.Validate(); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("%+v: err = %v, want invalid value", b, err)
		}
	}
	cfg := taxOnly()
	cfg.MinBenchmarkFirms = -1
	if err := cfg.Validate(); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("negative minimum: err = %v", err)
	}
}

// TestBenchmarkMessage renders a refusal through a catalogue stand-in: the
// key per gap and the arguments in the documented order.
func TestBenchmarkMessage(t *testing.T) {
	e := &BenchmarkError{Gap: GapNoPrior, Group: AboveScale, GroupName: Text{"规上工业企业", "Above-scale firms"}, Indicator: TaxPerMu,
		Method: PriorMean, Year: 2023, Unit: "500112"}
	tr := func(lang, key string, args ...any) string {
		return lang + "|" + key + "|" + fmt.Sprint(args...)
	}
	got := e.Message("en", tr, "Liangjiang")
	for _, want := range []string{"en|err.mujun_benchmark_no_prior|", "en|mujun.indicator.tax_per_mu", "Above-scale firms", "2023", "Liangjiang", "en|mujun.method.prior_mean"} {
		if !strings.Contains(got, want) {
			t.Errorf("message %q lacks %q", got, want)
		}
	}
	if got := e.Message("zh-CN", tr, ""); !strings.Contains(got, "规上工业企业") || !strings.Contains(got, "zh-CN|mujun.unit.city") {
		t.Errorf("zh message %q", got)
	}
}
