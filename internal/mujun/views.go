package mujun

import (
	"encoding/json"
	"time"
)

// The views and filters of stored configurations, runs, results and class
// changes: what the service and the store exchange, and what the pages,
// the API and the CLI read.

// Park is an industrial park (工业园区) of a district.
type Park struct {
	Code       string `json:"code"`
	RegionCode string `json:"region_code"`
	NameZh     string `json:"name_zh"`
	NameEn     string `json:"name_en"`
}

// ConfigInfo describes one stored configuration version.
type ConfigInfo struct {
	ID             string    `json:"id"`
	Version        int       `json:"version"`
	Year           int       `json:"year"`
	EvaluatingUnit string    `json:"evaluating_unit"`
	EffectiveFrom  string    `json:"effective_from"`
	EffectiveTo    string    `json:"effective_to"`
	Builtin        bool      `json:"builtin"`
	CreatedAt      time.Time `json:"created_at"`
	CreatedBy      string    `json:"created_by"`
}

// ConfigOptions tune PutMujunConfig.
type ConfigOptions struct {
	By string // who uploaded it (username), for the record
	// KeepVersion stores the configuration under its own version and does
	// nothing when that version exists (seeding built-ins); otherwise the
	// stored version is one above the highest for the id.
	KeepVersion bool
	Builtin     bool
}

// RunInfo describes a stored run.
type RunInfo struct {
	ID             int64          `json:"id"`
	ConfigID       string         `json:"config_id"`
	ConfigVersion  int            `json:"config_version"`
	Year           int            `json:"year"`
	EvaluatingUnit string         `json:"evaluating_unit"`
	PriorRunID     int64          `json:"prior_run_id"`
	Enterprises    int            `json:"enterprises"`
	Skipped        int            `json:"skipped"`
	Note           string         `json:"note"`
	CreatedAt      time.Time      `json:"created_at"`
	CreatedBy      string         `json:"created_by"`
	Counts         AssembleCounts `json:"assembled"`
}

// RunMeta is what a run's record adds to its result.
type RunMeta struct {
	PriorRunID int64
	Note       string
	By         string
	Counts     AssembleCounts
	// Prior is the prior run's result when the caller already read it,
	// so the class changes against it need no second read.
	Prior *RunResult
}

// ResultFilter selects a run's enterprise results.
type ResultFilter struct {
	RegionCode string
	ParkCode   string
	Class      string
	Group      Group
	Limit      int // 50 when zero; at most 5000
	Offset     int
}

// ResultItem is one enterprise's result with its registry name.
type ResultItem struct {
	EnterpriseResult
	Name       string
	CreditCode string
}

// ResultPage is a page of results and the total matching count.
type ResultPage struct {
	Items []ResultItem
	Total int
}

// EnterpriseRun is one run's result for one enterprise.
type EnterpriseRun struct {
	Run    RunInfo
	Result EnterpriseResult
}

// EvaluateOptions tune Service.Evaluate.
type EvaluateOptions struct {
	// PriorRunID is the previous year's run for prior-mean benchmarks and
	// class history; 0 takes the newest run of year − 1 for the same
	// evaluating unit that found firms, if any. NoPrior runs without one
	// (a prior-mean benchmark then refuses unless it bootstraps from this
	// year).
	PriorRunID int64
	NoPrior    bool
	By         string
	Note       string
}

// Evaluation is what Service.Evaluate did.
type Evaluation struct {
	RunID  int64
	Result RunResult
	Counts AssembleCounts
	Prior  int64
}

// SummaryParts selects what Store.MujunRunParts reads besides the configuration.
type SummaryParts struct {
	Groups         bool
	Total          bool
	Regions        bool
	RegionsByGroup bool
	Parks          bool
	// Stats reads the aggregates' indicator stats, the bulk of a summary;
	// without it Aggregate.Stats is nil.
	Stats bool
}

// DiffQuery pages Store.MujunDiffRows.
type DiffQuery struct {
	Limit  int // every change when zero
	Offset int
	// Move, when set, keeps the rows of one class move (old → new class,
	// "" for a firm entering or leaving); Total and Moves still count all.
	Move *DiffMove
	// RegionCode, when set, keeps one district's changes (the district
	// the firm was evaluated in by the later run); Total and Moves count
	// within it.
	RegionCode string
}

// DiffRow is one stored class change with the firm's name; drivers
// and configuration changes stay the JSON the API sends.
type DiffRow struct {
	EnterpriseID  int64
	Name          string
	RegionCode    string
	ParkCode      string
	Group         Group
	Kind          ChangeKind
	OldClass      string
	NewClass      string
	Direction     string
	OldScore      float64
	NewScore      float64
	OldRank       int
	NewRank       int
	Reasons       []Reason
	Explanation   Text
	Drivers       json.RawMessage // []Driver
	ConfigChanges json.RawMessage // []ConfigChange
}

// DiffMove counts the firms in scope that moved from one class to
// another ("" for a firm missing from a run).
type DiffMove struct {
	OldClass string
	NewClass string
	Firms    int
}

// DiffPage is the changes in scope between two runs: how many, by
// move, and the requested rows by enterprise id.
type DiffPage struct {
	Total int
	Moves []DiffMove // by old then new class
	Rows  []DiffRow
}

// RunBenchmark is the benchmark one indicator of one group was scored
// against in a run, with its provenance (migration 0011).
type RunBenchmark struct {
	Group  Group           `json:"group"`
	Code   IndicatorCode   `json:"code"`
	Weight float64         `json:"weight"`
	Cap    float64         `json:"cap"` // 0 = no cap; a score may reach Cap × Weight
	Method BenchmarkMethod `json:"method"`
	// Benchmark is the value that earns exactly the weight (the group
	// maximum, or minimum, for min_max).
	Benchmark float64 `json:"benchmark"`
	// Source is prior_run, current_year, config or none; SourceRun the
	// prior run (0 otherwise); SourceYear the data's year (0 for config);
	// Firms the firms with a value it rests on; MinFirms the minimum the
	// configuration required.
	Source     string `json:"source"`
	SourceRun  int64  `json:"source_run,omitempty"`
	SourceYear int    `json:"source_year,omitempty"`
	Firms      int    `json:"firms"`
	MinFirms   int    `json:"min_firms,omitempty"`
}

// Firm is what a result page shows of the enterprise itself.
type Firm struct {
	ID         int64
	Name       string
	RegionCode string
}
