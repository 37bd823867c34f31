package mujun

import (
	"context"
	"errors"
	"testing"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
)

// fakeStore records what Service.Evaluate asks of the store; the methods
// it must not call panic through the nil embedded Store.
type fakeStore struct {
	Store
	prior      int64 // PriorMujunRun's answer; 0 = none
	firms      []Registered
	priorAsked int
	read       []int64
	saved      []RunMeta
}

func (f *fakeStore) MujunSources(context.Context, auth.Scope, int) ([]Registered, error) {
	return f.firms, nil
}
func (f *fakeStore) MujunFacts(context.Context, auth.Scope, int) ([]Supplied, error) {
	return nil, nil
}
func (f *fakeStore) PriorMujunRun(context.Context, int, string) (int64, bool, error) {
	f.priorAsked++
	return f.prior, f.prior != 0, nil
}
func (f *fakeStore) MujunRunResult(_ context.Context, _ auth.Scope, id int64) (RunResult, RunInfo, error) {
	f.read = append(f.read, id)
	return RunResult{Year: 2023, EvaluatingUnit: "city"}, RunInfo{ID: id}, nil
}
func (f *fakeStore) SaveMujunRun(_ context.Context, _ RunResult, meta RunMeta) (int64, error) {
	f.saved = append(f.saved, meta)
	return int64(len(f.saved)), nil
}

// TestServiceEvaluate: the service checks the year before reading
// anything, takes the newest prior run unless told otherwise, hands the
// prior it read to the store with the run, and saves nothing it refused.
func TestServiceEvaluate(t *testing.T) {
	ctx := t.Context()
	t.Run("year mismatch", func(t *testing.T) {
		st := &fakeStore{prior: 7}
		_, err := NewService(st).Evaluate(ctx, taxOnly(), 2023, EvaluateOptions{})
		if !apperr.Is(err, apperr.Invalid) || st.priorAsked+len(st.saved) != 0 {
			t.Fatalf("err %v, prior asked %d, saved %d", err, st.priorAsked, len(st.saved))
		}
	})
	t.Run("invalid configuration", func(t *testing.T) {
		st := &fakeStore{}
		cfg := taxOnly()
		cfg.Groups[0].Indicators[0].Weight = 90
		if _, err := NewService(st).Evaluate(ctx, cfg, 2024, EvaluateOptions{}); err == nil || len(st.saved) != 0 {
			t.Fatalf("err %v, saved %d", err, len(st.saved))
		}
	})
	t.Run("newest prior run", func(t *testing.T) {
		st := &fakeStore{prior: 7}
		ev, err := NewService(st).Evaluate(ctx, taxOnly(), 2024, EvaluateOptions{By: "t", Note: "n"})
		if err != nil {
			t.Fatal(err)
		}
		if ev.Prior != 7 || ev.RunID != 1 || len(st.read) != 1 || st.read[0] != 7 || len(st.saved) != 1 {
			t.Fatalf("ev %+v, read %v, saved %d", ev, st.read, len(st.saved))
		}
		if m := st.saved[0]; m.PriorRunID != 7 || m.Prior == nil || m.By != "t" || m.Note != "n" {
			t.Fatalf("meta %+v", m)
		}
	})
	t.Run("given prior", func(t *testing.T) {
		st := &fakeStore{prior: 7}
		ev, err := NewService(st).Evaluate(ctx, taxOnly(), 2024, EvaluateOptions{PriorRunID: 3})
		if err != nil || ev.Prior != 3 || st.priorAsked != 0 || len(st.read) != 1 || st.read[0] != 3 {
			t.Fatalf("err %v, ev.Prior %d, prior asked %d, read %v", err, ev.Prior, st.priorAsked, st.read)
		}
	})
	t.Run("no prior", func(t *testing.T) {
		st := &fakeStore{prior: 7}
		ev, err := NewService(st).Evaluate(ctx, taxOnly(), 2024, EvaluateOptions{NoPrior: true})
		if err != nil || ev.Prior != 0 || st.priorAsked != 0 || len(st.read) != 0 || st.saved[0].Prior != nil {
			t.Fatalf("err %v, ev.Prior %d, prior asked %d, read %v", err, ev.Prior, st.priorAsked, st.read)
		}
	})
	t.Run("refused run saves nothing", func(t *testing.T) {
		// One above-scale firm with its December report: the prior-year
		// mean it is to be scored against does not exist.
		st := &fakeStore{firms: []Registered{{EnterpriseID: 1, RegionCode: "500101", Land: mu(10), Section: "C", AboveScale: true,
			December: &Annual{Tax: wan(50), Employees: 10}}}}
		cfg := cfgWith(ind(TaxPerMu, 100, Benchmark{Method: PriorMean}, 0, Zero))
		_, err := NewService(st).Evaluate(ctx, cfg, 2024, EvaluateOptions{NoPrior: true})
		var be *BenchmarkError
		if !errors.As(err, &be) || be.Gap != GapNoPrior || len(st.saved) != 0 {
			t.Fatalf("err %v, saved %d", err, len(st.saved))
		}
	})
}
