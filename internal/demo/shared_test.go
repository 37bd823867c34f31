package demo

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// demoImage is one SQLite database with the demo loaded (seed 1, scale 1),
// built on first use and shared by the tests that read it: a load takes
// 10–30 s, and loading once keeps the package fast. Tests that only read
// open it directly (openLoadedSQLite); a test that writes takes a copy
// (demoImage.OpenCopy), and the reload the tests check is built once too
// (reloadedImage).
var demoImage = testkit.NewImage("demo", func(ctx context.Context, st *sqlstore.Store) error {
	if err := testkit.Prepare(ctx, st); err != nil {
		return err
	}
	p := newProgressCheck()
	start := time.Now()
	sum, err := Load(ctx, st, Options{Seed: 1, Scale: 1, Progress: p.progress})
	imageLoad = loadReport{sum: sum, elapsed: time.Since(start), progress: p}
	return err
})

// reloadedImage is the demo database loaded a second time with the same
// seed and scale, which must change nothing: TestAcceptanceSQLite and
// TestGoalsDemo compare it with demoImage.
var reloadedImage = testkit.NewImageFrom("demo-reloaded", demoImage, func(ctx context.Context, st *sqlstore.Store) error {
	start := time.Now()
	_, err := Load(ctx, st, Options{Seed: 1, Scale: 1})
	reloadElapsed = time.Since(start)
	return err
})

// reloadElapsed is how long reloadedImage's Load took. Written once,
// inside the image's build.
var reloadElapsed time.Duration

// imageLoad is what demoImage's Load reported; TestAcceptanceSQLite checks
// it. Written once, inside the image's build.
var imageLoad loadReport

// loadReport is one Load's summary, duration and progress calls.
type loadReport struct {
	sum      Summary
	elapsed  time.Duration
	progress *progressCheck
}

// progressCheck records what Load reports through Options.Progress: done
// never exceeds total or goes back, and it ends at the total.
type progressCheck struct {
	calls, lastDone, lastTotal int
	problems                   []string
}

func newProgressCheck() *progressCheck { return &progressCheck{lastDone: -1} }

func (p *progressCheck) progress(done, total int) {
	p.calls++
	if done > total || done < p.lastDone {
		p.problems = append(p.problems, fmt.Sprintf("progress %d of %d after %d", done, total, p.lastDone))
	}
	p.lastDone, p.lastTotal = done, total
}

// check reports the problems seen.
func (p *progressCheck) check(t *testing.T) {
	t.Helper()
	for _, s := range p.problems {
		t.Error(s)
	}
	if p.lastDone != p.lastTotal {
		t.Errorf("progress ended at %d of %d", p.lastDone, p.lastTotal)
	}
}

// openLoadedSQLite opens the shared demo database, building it on first
// use. The test must not write to it.
func openLoadedSQLite(t *testing.T) *sqlstore.Store {
	t.Helper()
	return demoImage.OpenShared(t)
}

// openReloadedSQLite opens the shared demo database loaded twice,
// building it on first use. The test must not write to it.
func openReloadedSQLite(t *testing.T) *sqlstore.Store {
	t.Helper()
	st := reloadedImage.OpenShared(t)
	t.Logf("second Load: %v", reloadElapsed.Round(time.Millisecond))
	return st
}
