package mujun

import (
	"context"
	"sync"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
)

// The 亩均 service: the use cases the pages, the API, the CLI and the demo
// share. It orchestrates an evaluation (assemble the year's facts, choose
// the prior run, run the engine, save) and assembles the class
// distribution, the class changes between runs and the 2027 target
// tracking from what the store reads; the store only reads and writes.

// Store is what the service needs from storage. Results are cut to the
// scope in the store; run records and configurations are not enterprise
// data.
type Store interface {
	// MujunSources returns what the registry and December's reports hold
	// for year's evaluation; MujunFacts the supplied yearly facts.
	MujunSources(ctx context.Context, sc auth.Scope, year int) ([]Registered, error)
	MujunFacts(ctx context.Context, sc auth.Scope, year int) ([]Supplied, error)
	MujunParks(ctx context.Context) ([]Park, error)
	// MujunFirm names an enterprise in scope; out of scope is not found.
	MujunFirm(ctx context.Context, sc auth.Scope, id int64) (Firm, error)

	PutMujunConfig(ctx context.Context, cfg Config, opt ConfigOptions) (Config, error)
	MujunConfigs(ctx context.Context) ([]ConfigInfo, error)
	MujunConfig(ctx context.Context, id string, version int) (Config, ConfigInfo, error)

	// PriorMujunRun is the newest run of year − 1 for the unit that
	// evaluated at least one firm; ok is false when there is none.
	PriorMujunRun(ctx context.Context, year int, evaluatingUnit string) (int64, bool, error)
	// SaveMujunRun stores a run, its results and what is derived from
	// them in one transaction.
	SaveMujunRun(ctx context.Context, res RunResult, meta RunMeta) (int64, error)
	MujunRuns(ctx context.Context) ([]RunInfo, error)
	MujunRunInfo(ctx context.Context, id int64) (RunInfo, error)
	MujunRunYears(ctx context.Context, evaluatingUnit string) (map[int]int64, error)
	MujunRunResult(ctx context.Context, sc auth.Scope, id int64) (RunResult, RunInfo, error)
	MujunRunConfig(ctx context.Context, id int64) (Config, RunInfo, error)
	MujunRunParts(ctx context.Context, sc auth.Scope, id int64, parts SummaryParts) (RunResult, RunInfo, error)
	MujunRunBenchmarks(ctx context.Context, runID int64) ([]RunBenchmark, error)
	MujunResults(ctx context.Context, sc auth.Scope, runID int64, f ResultFilter) (ResultPage, error)
	MujunEnterpriseResults(ctx context.Context, sc auth.Scope, enterpriseID int64) ([]EnterpriseRun, error)
	MujunDiff(ctx context.Context, sc auth.Scope, from, to int64) ([]ClassChange, error)
	MujunDiffRows(ctx context.Context, sc auth.Scope, from, to int64, q DiffQuery) (DiffPage, error)
}

// Service is the 亩均 evaluation's use cases.
type Service struct {
	store Store
	// targetRows holds each run's above-scale district values as Targets
	// reads them in the city's scope. A run never changes once saved, so
	// they stay true; decoding them (every district's indicator
	// statistics, JSON, for each year's run) was most of the task's CPU.
	targetRows *runMemo[[]DistrictYear]
}

// NewService returns the service over st.
func NewService(st Store) *Service {
	return &Service{store: st, targetRows: newRunMemo[[]DistrictYear](maxMemoRuns)}
}

// maxMemoRuns bounds a run memo: Targets reads one run per year.
const maxMemoRuns = 64

// runMemo keeps values derived from immutable runs, by run id, up to a
// bound (then it forgets everything: the runs in use are read again).
type runMemo[V any] struct {
	mu   sync.Mutex
	max  int
	byID map[int64]V
}

func newRunMemo[V any](max int) *runMemo[V] { return &runMemo[V]{max: max, byID: map[int64]V{}} }

// get returns run id's value, computing it with load when not kept.
func (m *runMemo[V]) get(id int64, load func() (V, error)) (V, error) {
	m.mu.Lock()
	v, ok := m.byID[id]
	m.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	m.mu.Lock()
	if len(m.byID) >= m.max {
		clear(m.byID)
	}
	m.byID[id] = v
	m.mu.Unlock()
	return v, nil
}

// AssembleFacts builds year's evaluation facts for the enterprises in
// scope (Assemble over the store's sources and supplied facts).
func (s *Service) AssembleFacts(ctx context.Context, sc auth.Scope, year int) ([]Facts, AssembleCounts, error) {
	reg, err := s.store.MujunSources(ctx, sc, year)
	if err != nil {
		return nil, AssembleCounts{}, err
	}
	sup, err := s.store.MujunFacts(ctx, sc, year)
	if err != nil {
		return nil, AssembleCounts{}, err
	}
	facts, cnt := Assemble(year, reg, sup)
	return facts, cnt, nil
}

// Evaluate runs cfg over the year's facts (city-wide: a run evaluates
// every enterprise of its unit) and saves the run. The configuration's
// year must be the evaluated year. A run the engine refuses (a benchmark
// without its data) returns its error before anything is written.
func (s *Service) Evaluate(ctx context.Context, cfg Config, year int, opt EvaluateOptions) (Evaluation, error) {
	var ev Evaluation
	if cfg.Year != year {
		return ev, apperr.New(apperr.Invalid, "err.mujun_year_mismatch", cfg.ID, cfg.Version, cfg.Year, year)
	}
	if err := cfg.Validate(); err != nil {
		return ev, err
	}
	var prior *RunResult
	if !opt.NoPrior {
		pid := opt.PriorRunID
		if pid == 0 {
			id, ok, err := s.store.PriorMujunRun(ctx, year, cfg.EvaluatingUnit)
			if err != nil {
				return ev, err
			}
			if ok {
				pid = id
			}
		}
		if pid != 0 {
			p, _, err := s.store.MujunRunResult(ctx, auth.All(), pid)
			if err != nil {
				return ev, err
			}
			prior, ev.Prior = &p, pid
		}
	}
	facts, cnt, err := s.AssembleFacts(ctx, auth.All(), year)
	if err != nil {
		return ev, err
	}
	res, err := RunWith(cfg, facts, prior, RunOptions{PriorRunID: ev.Prior})
	if err != nil {
		return ev, err
	}
	id, err := s.store.SaveMujunRun(ctx, res, RunMeta{PriorRunID: ev.Prior, Note: opt.Note, By: opt.By, Counts: cnt, Prior: prior})
	if err != nil {
		return ev, err
	}
	ev.RunID, ev.Result, ev.Counts = id, res, cnt
	return ev, nil
}

// Parks returns every park by code.
func (s *Service) Parks(ctx context.Context) (map[string]Park, error) {
	list, err := s.store.MujunParks(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Park, len(list))
	for _, p := range list {
		out[p.Code] = p
	}
	return out, nil
}

// Firm names an enterprise in scope for its result page; out of scope is
// not found.
func (s *Service) Firm(ctx context.Context, sc auth.Scope, id int64) (Firm, error) {
	return s.store.MujunFirm(ctx, sc, id)
}

// PutConfig validates and stores a configuration as a new version.
func (s *Service) PutConfig(ctx context.Context, cfg Config, opt ConfigOptions) (Config, error) {
	return s.store.PutMujunConfig(ctx, cfg, opt)
}

// Configs lists every stored configuration version.
func (s *Service) Configs(ctx context.Context) ([]ConfigInfo, error) {
	return s.store.MujunConfigs(ctx)
}

// Config returns one version of a configuration; version 0 is the newest.
func (s *Service) Config(ctx context.Context, id string, version int) (Config, ConfigInfo, error) {
	return s.store.MujunConfig(ctx, id, version)
}

// Runs lists every run, newest first.
func (s *Service) Runs(ctx context.Context) ([]RunInfo, error) { return s.store.MujunRuns(ctx) }

// Run returns one run's record.
func (s *Service) Run(ctx context.Context, id int64) (RunInfo, error) {
	return s.store.MujunRunInfo(ctx, id)
}

// RunConfig returns the configuration a run used, with its record.
func (s *Service) RunConfig(ctx context.Context, id int64) (Config, RunInfo, error) {
	return s.store.MujunRunConfig(ctx, id)
}

// RunParts reads the selected parts of a run's summary, cut to sc.
func (s *Service) RunParts(ctx context.Context, sc auth.Scope, id int64, parts SummaryParts) (RunResult, RunInfo, error) {
	return s.store.MujunRunParts(ctx, sc, id, parts)
}

// RunBenchmarks returns the benchmarks a run scored against.
func (s *Service) RunBenchmarks(ctx context.Context, runID int64) ([]RunBenchmark, error) {
	return s.store.MujunRunBenchmarks(ctx, runID)
}

// Results returns a page of a run's results in scope, ranked.
func (s *Service) Results(ctx context.Context, sc auth.Scope, runID int64, f ResultFilter) (ResultPage, error) {
	return s.store.MujunResults(ctx, sc, runID, f)
}

// EnterpriseResults returns an enterprise's result in every run, newest
// first, if it is in scope.
func (s *Service) EnterpriseResults(ctx context.Context, sc auth.Scope, enterpriseID int64) ([]EnterpriseRun, error) {
	return s.store.MujunEnterpriseResults(ctx, sc, enterpriseID)
}

// Changes returns the class changes in scope between two runs.
func (s *Service) Changes(ctx context.Context, sc auth.Scope, from, to int64) ([]ClassChange, error) {
	return s.store.MujunDiff(ctx, sc, from, to)
}

// DiffReport is the class changes in scope between two runs: both runs'
// records, how many changed, by move, and the requested rows.
type DiffReport struct {
	From, To RunInfo
	DiffPage
}

// Diff reads the changes between two runs within sc, with names: the
// counts cover every change, the rows the requested page (all when
// q.Limit is 0).
func (s *Service) Diff(ctx context.Context, sc auth.Scope, from, to int64, q DiffQuery) (DiffReport, error) {
	var out DiffReport
	var err error
	if out.From, err = s.store.MujunRunInfo(ctx, from); err != nil {
		return out, err
	}
	if out.To, err = s.store.MujunRunInfo(ctx, to); err != nil {
		return out, err
	}
	out.DiffPage, err = s.store.MujunDiffRows(ctx, sc, from, to, q)
	return out, err
}

// ClassParts are what ClassesIn reads: the city's groups and total, or a
// district's own rows.
var ClassParts = SummaryParts{Groups: true, Total: true, Regions: true, RegionsByGroup: true}

// ClassPartsIn is the part of ClassParts that ClassesIn reads in sc: the
// city's distribution needs no district rows (decoding them was most of
// the class API's CPU), a district's no city-wide groups.
func ClassPartsIn(sc auth.Scope) SummaryParts {
	if sc.IsAll() {
		return SummaryParts{Groups: true, Total: true}
	}
	return SummaryParts{Regions: true, RegionsByGroup: true}
}

// GroupClasses is one group's class counts in a scope.
type GroupClasses struct {
	Group   Group
	Firms   int
	Classes []ClassCount
}

// ClassDistribution is the class distribution in a scope: the city's
// groups and total, or a district's own rows.
type ClassDistribution struct {
	Scope  string // "city" or the district code
	Groups []GroupClasses
	Total  []ClassCount
}

// ClassesIn is the class distribution of res (read with ClassParts) in sc.
func ClassesIn(sc auth.Scope, res *RunResult) ClassDistribution {
	out := ClassDistribution{Scope: "city", Groups: []GroupClasses{}}
	if sc.IsAll() {
		for _, g := range res.Groups {
			out.Groups = append(out.Groups, GroupClasses{Group: g.Group, Firms: g.Firms, Classes: g.Classes})
		}
		out.Total = res.Total.Classes
		return out
	}
	out.Scope = sc.RegionCode
	for _, a := range res.RegionsByGroup {
		out.Groups = append(out.Groups, GroupClasses{Group: a.Group, Firms: a.Firms, Classes: a.Classes})
	}
	for _, a := range res.Regions {
		out.Total = a.Classes
	}
	return out
}

// TargetTracking is the districts in scope against the 2027 targets.
type TargetTracking struct {
	Set       TargetSet
	AsOf      int           // the newest year with a city run
	Runs      map[int]int64 // year → run used
	Districts []DistrictProgress
}

// Targets tracks the districts in scope against Chongqing's 2027 targets,
// from the newest city run of each year (above-scale group, where R&D and
// labour productivity are known). A district officer gets their own
// district only, without the city row.
func (s *Service) Targets(ctx context.Context, sc auth.Scope) (TargetTracking, error) {
	out := TargetTracking{Set: Chongqing2027(), Runs: map[int]int64{}, Districts: []DistrictProgress{}}
	years, err := s.store.MujunRunYears(ctx, "city")
	if err != nil {
		return out, err
	}
	var series []DistrictYear
	for y, id := range years {
		// The city's rows, cut to the scope here as MujunRunParts cuts
		// them: a district sees its own row, an enterprise none.
		rows, err := s.targetRows.get(id, func() ([]DistrictYear, error) {
			res, _, err := s.store.MujunRunParts(ctx, auth.All(), id, SummaryParts{RegionsByGroup: true, Stats: true})
			return res.DistrictYears(AboveScale), err
		})
		if err != nil {
			return out, err
		}
		for _, dy := range rows {
			if sc.IsAll() || (sc.RegionCode != "" && dy.RegionCode == sc.RegionCode) {
				series = append(series, dy)
			}
		}
		out.Runs[y] = id
		out.AsOf = max(out.AsOf, y)
	}
	if out.AsOf < out.Set.BaseYear {
		return out, nil // no run since the base year: nothing to track yet
	}
	prog, err := TargetProgress(series, out.Set, out.AsOf)
	if err != nil {
		return out, err
	}
	out.Districts = prog
	return out, nil
}
