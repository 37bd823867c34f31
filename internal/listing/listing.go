// Package listing models the listing pipeline (上市): a firm's way from the
// municipal reserve pool (上市后备库) through shareholding reform (股改),
// tutoring filing with the local CSRC bureau (辅导备案), application
// accepted by an exchange (申报受理), review (审核), registration (注册) to
// listing (上市), and the real outcomes that leave it: withdrawal or
// termination (撤回/终止) and, for a listed company, delisting or moving
// away (退市/迁出).
//
// A Record is one enterprise's history as dated events. Every figure the
// platform shows about listings — firms in tutoring, new listings of a
// year, listed companies at a date, IPO proceeds and their growth — is
// computed here from records; none is stored. The package imports no
// database or HTTP code.
package listing

import (
	"slices"
	"time"

	"github.com/industrybrain/ibrain/internal/unit"
)

// Stage is a step of the pipeline or an outcome that leaves it.
type Stage string

// Pipeline stages in order, then the outcomes.
const (
	StageReserve    Stage = "reserve"    // 上市后备库：entered the municipal reserve pool
	StageReform     Stage = "reform"     // 股份制改造：became a joint-stock company
	StageTutoring   Stage = "tutoring"   // 辅导备案：tutoring filed with the local CSRC bureau
	StageAccepted   Stage = "accepted"   // 申报受理：listing application accepted by an exchange
	StageReview     Stage = "review"     // 审核：passed the exchange's review (listing committee / hearing)
	StageRegistered Stage = "registered" // 注册生效：CSRC registration granted
	StageListed     Stage = "listed"     // 上市：shares listed
	StageWithdrawn  Stage = "withdrawn"  // 撤回/终止：left the pipeline before listing
	StageExited     Stage = "exited"     // 退市/迁出：a listed company delisted or moved away
)

// Stages lists the pipeline stages in order (outcomes excluded).
var Stages = []Stage{StageReserve, StageReform, StageTutoring, StageAccepted, StageReview, StageRegistered, StageListed}

// AllStages lists every stage and outcome, for validation and display.
var AllStages = []Stage{StageReserve, StageReform, StageTutoring, StageAccepted, StageReview, StageRegistered, StageListed, StageWithdrawn, StageExited}

// Valid reports whether s is a known stage or outcome.
func (s Stage) Valid() bool { return slices.Contains(AllStages, s) }

// Order is the stage's position in the pipeline (0 for reserve), or -1 for
// an outcome.
func (s Stage) Order() int { return slices.Index(Stages, s) }

// Outcome reports whether s leaves the pipeline (withdrawn, exited).
func (s Stage) Outcome() bool { return s == StageWithdrawn || s == StageExited }

// Board is the exchange and board of an application or listing.
type Board string

// Boards. The first five are domestic (境内), the last two overseas (境外).
const (
	BoardSSEMain    Board = "sse_main"     // 上交所主板
	BoardSTAR       Board = "sse_star"     // 上交所科创板
	BoardSZSEMain   Board = "szse_main"    // 深交所主板
	BoardChiNext    Board = "szse_chinext" // 深交所创业板
	BoardBSE        Board = "bse"          // 北交所
	BoardHKEX       Board = "hkex"         // 港交所
	BoardOverseas   Board = "overseas"     // 其他境外交易所（纽约、纳斯达克、新加坡…）
	boardUnassigned Board = ""
)

// Boards lists every board, domestic first.
var Boards = []Board{BoardSSEMain, BoardSTAR, BoardSZSEMain, BoardChiNext, BoardBSE, BoardHKEX, BoardOverseas}

// Valid reports whether b is a known board.
func (b Board) Valid() bool { return slices.Contains(Boards, b) }

// Domestic reports whether b is a mainland exchange: the A-share and
// Beijing boards, whose IPOs need CSRC tutoring filing and registration.
func (b Board) Domestic() bool {
	switch b {
	case BoardSSEMain, BoardSTAR, BoardSZSEMain, BoardChiNext, BoardBSE:
		return true
	}
	return false
}

// Kind says how a company came to be listed.
type Kind string

// Listing kinds.
const (
	KindIPO        Kind = "ipo"        // 首次公开发行
	KindRelocation Kind = "relocation" // 迁入：a company listed elsewhere moved its seat here
	KindOther      Kind = "other"      // 其他：e.g. reverse merger (借壳), spin-off by introduction
)

// Kinds lists every listing kind.
var Kinds = []Kind{KindIPO, KindRelocation, KindOther}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Event is one dated step of a record. Which fields apply depends on the
// stage (see Validate).
type Event struct {
	Stage Stage
	Date  time.Time // the step's date: filing, acceptance, listing …
	// AgreedOn is when the tutoring agreement with the sponsor was signed
	// (tutoring only; optional, never after Date).
	AgreedOn time.Time
	// Sponsor is the sponsoring securities firm (保荐机构). Required when
	// tutoring is filed; later events may name a new one.
	Sponsor  string
	Board    Board    // accepted, review, registered, listed
	Kind     Kind     // listed only
	Proceeds unit.Fen // listed: IPO proceeds (首发募资); zero for other kinds
	Note     string
}

// Record is one enterprise's listing history, oldest event first.
type Record struct {
	EnterpriseID int64
	Events       []Event
}

// State is where a record stands at a date.
type State struct {
	Stage    Stage
	Since    time.Time // date of the event that set the stage
	AgreedOn time.Time // tutoring agreement date of the latest tutoring event
	Sponsor  string    // latest sponsor named
	Board    Board     // latest board named
	Kind     Kind      // how it was listed, once listed
	Proceeds unit.Fen  // IPO proceeds, once listed
	Events   int       // events up to the date
}

// At returns the record's state at the end of day date; ok is false when
// the record has no event by then.
func (r Record) At(date time.Time) (State, bool) {
	var st State
	for _, e := range r.Events {
		if e.Date.After(date) {
			break
		}
		st.Stage, st.Since = e.Stage, e.Date
		st.Events++
		if e.Sponsor != "" {
			st.Sponsor = e.Sponsor
		}
		if !e.AgreedOn.IsZero() {
			st.AgreedOn = e.AgreedOn
		}
		if e.Board != boardUnassigned {
			st.Board = e.Board
		}
		if e.Stage == StageListed {
			st.Kind, st.Proceeds = e.Kind, e.Proceeds
		}
	}
	return st, st.Events > 0
}

// Current returns the state after the last event; ok is false for an empty
// record.
func (r Record) Current() (State, bool) {
	if len(r.Events) == 0 {
		return State{}, false
	}
	return r.At(r.Events[len(r.Events)-1].Date)
}

// Append returns the record with ev added at the end, after checking that
// the result is a valid history. r itself is not changed.
func (r Record) Append(ev Event) (Record, error) {
	out := Record{EnterpriseID: r.EnterpriseID, Events: append(slices.Clip(r.Events), ev)}
	if err := out.Validate(); err != nil {
		return r, err
	}
	return out, nil
}

// Day returns the UTC midnight of y-m-d, the form every date here takes.
func Day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// YearEnd is the last day of year y.
func YearEnd(y int) time.Time { return Day(y, time.December, 31) }
