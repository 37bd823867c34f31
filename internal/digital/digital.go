// Package digital models manufacturing's digital transformation
// (数字化转型): technical-renovation projects (智能化改造, 数字化改造,
// 绿色化改造) from application to subsidy, each firm's yearly maturity
// (CMMM level, SME digital level, key-process NC rate, 上云用数赋智
// participation), and the recognition ladder digital workshop → smart
// factory (先进 / 卓越 / 领航) → future factory.
//
// Every figure the platform shows about them — projects carried out,
// investment, the demonstration projects' productivity gain, recognitions
// by year and district, progress against the task table and the 2027
// goals — is computed here from records; none is stored. The rules (the
// investment threshold deciding district or city approval, the ladder's
// criteria, the scenario catalogue, the 2027 goals) are versioned data
// (policy.json, scenarios.json). The package imports no database or HTTP
// code.
package digital

import (
	"slices"
	"time"

	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Kind is a project's kind of renovation.
type Kind string

// Project kinds.
const (
	KindIntelligent Kind = "intelligent" // 智能化改造
	KindDigital     Kind = "digital"     // 数字化改造
	KindGreen       Kind = "green"       // 绿色化改造
)

// Kinds lists every project kind.
var Kinds = []Kind{KindIntelligent, KindDigital, KindGreen}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Stage is a step of a project's way, or an outcome that ends it.
type Stage string

// Stages in order, then the outcomes.
const (
	StageApplied    Stage = "applied"    // 申报
	StageApproved   Stage = "approved"   // 认定立项 (district or city, by the investment threshold)
	StageMilestone  Stage = "milestone"  // 建设进度 (investment to date)
	StageAccepted   Stage = "accepted"   // 验收 (actual investment)
	StageSubsidised Stage = "subsidised" // 补助拨付
	StageRejected   Stage = "rejected"   // 未通过认定
	StageWithdrawn  Stage = "withdrawn"  // 撤回/终止
)

// AllStages lists every stage and outcome.
var AllStages = []Stage{StageApplied, StageApproved, StageMilestone, StageAccepted, StageSubsidised, StageRejected, StageWithdrawn}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool { return slices.Contains(AllStages, s) }

// Outcome reports whether s ends the project.
func (s Stage) Outcome() bool { return s == StageRejected || s == StageWithdrawn }

// Level is who approves a project.
type Level string

// Approval levels.
const (
	LevelDistrict Level = "district" // 区县认定
	LevelCity     Level = "city"     // 市级认定
)

// Indicator is a measured before/after indicator of a project.
type Indicator string

// The indicators. Productivity is better higher; the others lower.
const (
	IndProductivity Indicator = "productivity"    // 生产效率 (output per worker-hour, any consistent unit)
	IndDefectRate   Indicator = "defect_rate"     // 产品不良率 (%)
	IndEnergyUnit   Indicator = "energy_per_unit" // 单位产值能耗
	IndCycleTime    Indicator = "cycle_time"      // 生产周期
)

// Indicators lists every indicator.
var Indicators = []Indicator{IndProductivity, IndDefectRate, IndEnergyUnit, IndCycleTime}

// Valid reports whether i is a known indicator.
func (i Indicator) Valid() bool { return slices.Contains(Indicators, i) }

// HigherIsBetter reports the indicator's direction.
func (i Indicator) HigherIsBetter() bool { return i == IndProductivity }

// Measure is one indicator measured before and after the project, in
// hundredths of the indicator's unit (exact decimals, never floats).
type Measure struct {
	Indicator Indicator
	Before    int64
	After     int64
}

// GainPct is the improvement in per cent: for productivity the rise
// (after ÷ before − 1) × 100, for the others the fall (before − after) ÷
// before × 100, so a positive gain is always an improvement. ok is false
// when before is not positive.
func (m Measure) GainPct() (float64, bool) {
	if m.Before <= 0 {
		return 0, false
	}
	// Multiply before dividing: exact for whole-per-cent gains.
	if m.Indicator.HigherIsBetter() {
		return float64((m.After-m.Before)*100) / float64(m.Before), true
	}
	return float64((m.Before-m.After)*100) / float64(m.Before), true
}

// Event is one dated step of a project.
type Event struct {
	Stage Stage
	Date  time.Time
	Level Level // approved: who approved it
	// Amount is the investment to date (milestone), the actual investment
	// (accepted) or the subsidy paid (subsidised); zero elsewhere.
	Amount unit.Fen
	Note   string
}

// Project is one technical-renovation project with its history.
type Project struct {
	ID            int64
	Code          string // the project number, the import key
	EnterpriseID  int64
	Name          string
	Kind          Kind
	ClusterCode   string
	Scenarios     []string // scenario codes of the catalogue in force at application
	Planned       unit.Fen // planned investment
	Demonstration bool     // 示范项目
	StartOn       time.Time
	EndOn         time.Time // planned completion
	Measures      []Measure
	Events        []Event
	// Review is the application's state in the review workflow ("" = not
	// stored: see ReviewState); ReviewReason the reason of a return.
	Review       review.State
	ReviewReason string

	// Registry facts, filled by the store on reads.
	CreditCode string
	FirmName   string
	RegionCode string
}

// State is where a project stands at a day.
type State struct {
	Stage      Stage
	Since      time.Time
	AppliedOn  time.Time
	ApprovedOn time.Time
	Level      Level
	AcceptedOn time.Time
	Invested   unit.Fen // latest milestone or the accepted actual investment
	Actual     unit.Fen // actual investment at acceptance
	Subsidy    unit.Fen
}

// At returns the project's state at the end of day d; ok is false before
// its first event.
func (p Project) At(d time.Time) (State, bool) {
	var st State
	n := 0
	for _, e := range p.Events {
		if e.Date.After(d) {
			break
		}
		n++
		st.Stage, st.Since = e.Stage, e.Date
		switch e.Stage {
		case StageApplied:
			st.AppliedOn = e.Date
		case StageApproved:
			st.ApprovedOn, st.Level = e.Date, e.Level
		case StageMilestone:
			st.Invested = e.Amount
		case StageAccepted:
			st.AcceptedOn, st.Actual, st.Invested = e.Date, e.Amount, e.Amount
		case StageSubsidised:
			st.Subsidy += e.Amount
		}
	}
	return st, n > 0
}

// Current is the state after the last event.
func (p Project) Current() State {
	st, _ := p.At(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC))
	return st
}

// AppliedOn is the date of the application event (zero when none).
func (p Project) AppliedOn() time.Time {
	if len(p.Events) > 0 && p.Events[0].Stage == StageApplied {
		return p.Events[0].Date
	}
	return time.Time{}
}

// Measure returns the project's measure of ind.
func (p Project) Measure(ind Indicator) (Measure, bool) {
	for _, m := range p.Measures {
		if m.Indicator == ind {
			return m, true
		}
	}
	return Measure{}, false
}

// Rung is a step of the recognition ladder.
type Rung string

// The ladder's rungs, bottom first.
const (
	RungWorkshop  Rung = "digital_workshop"        // 数字化车间 (municipal)
	RungSmart     Rung = "smart_factory"           // 智能工厂 (municipal; 先进级 from 2024)
	RungExcellent Rung = "smart_factory_excellent" // 卓越级智能工厂 (six ministries)
	RungLeading   Rung = "smart_factory_leading"   // 领航级智能工厂
	RungFuture    Rung = "future_factory"          // 未来工厂 (municipal)
)

// Rungs lists the rungs bottom first.
var Rungs = []Rung{RungWorkshop, RungSmart, RungExcellent, RungLeading, RungFuture}

// Valid reports whether r is a known rung.
func (r Rung) Valid() bool { return slices.Contains(Rungs, r) }

// FutureType is the kind of a 重庆市未来工厂 (渝经信智能〔2024〕20号).
type FutureType string

// Future-factory types.
const (
	FutureAI        FutureType = "ai"        // AI赋能示范型
	FutureChain     FutureType = "chain"     // 协同共生链主型
	FutureEcosystem FutureType = "ecosystem" // 生态创新引领型
)

// FutureTypes lists the types.
var FutureTypes = []FutureType{FutureAI, FutureChain, FutureEcosystem}

// Recognition is one recognised workshop or factory.
type Recognition struct {
	ID           int64
	EnterpriseID int64
	Rung         Rung
	Name         string // the workshop's or factory's name
	RecognisedOn time.Time
	Batch        string     // the recognising notice or batch
	FutureType   FutureType // future factories only
	Note         string

	CreditCode string
	FirmName   string
	RegionCode string
}

// Source says where a maturity record comes from.
type Source string

// Maturity sources.
const (
	SourceC3MEP       Source = "c3mep"    // CMMM self-assessment on the national platform
	SourceZJTX        Source = "zjtx"     // SME digital-level evaluation (zjtx.miit.gov.cn)
	SourceThirdParty  Source = "assessor" // a third-party assessor's report
	SourceSelfDeclare Source = "self"     // self-declared by the firm
	SourceImport      Source = "import"   // imported file
	SourceDemo        Source = "demo"     // synthetic demo data
	SourceSurvey      Source = "survey"   // a district survey
	sourceUnset       Source = ""
)

// Sources lists every maturity source.
var Sources = []Source{SourceC3MEP, SourceZJTX, SourceThirdParty, SourceSelfDeclare, SourceImport, SourceDemo, SourceSurvey}

// Maturity is a firm's digital maturity in one year. A zero level is "not
// assessed", never level 0; a nil NC rate is unknown.
type Maturity struct {
	EnterpriseID int64
	Year         int
	CMMM         int    // GB/T 39116-2020 level 1–5
	SMELevel     int    // 中小企业数字化水平 level 1–4 (2024 evaluation)
	NCRate       *int64 // key-process NC rate (关键工序数控化率), basis points
	Cloud        bool   // takes part in 上云用数赋智
	Source       Source
	Evidence     string // report number, link or file name
}

// Day returns the UTC midnight of y-m-d.
func Day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// YearEnd is the last day of year y.
func YearEnd(y int) time.Time { return Day(y, time.December, 31) }
