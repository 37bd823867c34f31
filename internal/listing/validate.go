package listing

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/industrybrain/ibrain/internal/apperr"
)

// MaxText bounds sponsor names and notes, in characters.
const MaxText = 200

// invalid returns a validation error for event n (1-based).
func invalid(key string, n int, args ...any) error {
	return apperr.New(apperr.Invalid, key, append([]any{n}, args...)...)
}

// Validate checks a record's history. The rules:
//
//   - Dates never go backwards (equal dates are allowed: a registration
//     and a listing can fall on one day).
//   - Fields belong to their stage: the tutoring agreement date (not after
//     the filing) and a required sponsor on tutoring; a board on
//     applications and listings, kept once the application names it; a kind
//     only on listings, with positive proceeds for an IPO and none
//     otherwise.
//   - A record may open at any stage but an outcome: the platform starts
//     tracking firms mid-way, and companies listed before it existed are
//     entered as a single listing event.
//   - After that no stage is skipped or repeated; the exceptions, all real
//     routes, are:
//     (1) an overseas application (港交所 or another foreign exchange) goes
//     from shareholding reform straight to acceptance and from review
//     straight to listing: it needs neither CSRC tutoring filing with the
//     local bureau nor CSRC registration;
//     (2) a listing of kind "other" (reverse merger, introduction) may
//     follow any stage before listing, because it does not take the IPO
//     route;
//     (3) a relocation (迁入) is a listed company arriving: it only opens a
//     record or follows an exit.
//   - Withdrawal (撤回/终止) may follow any stage before listing; the firm
//     may then restart in the reserve pool, or at reform or tutoring
//     (tutoring only if it had reformed before). Exit (退市/迁出) follows
//     only a listing; afterwards a firm may be relisted (kind other), move
//     back (relocation) or restart in the reserve pool.
func (r Record) Validate() error {
	var prev *Event
	reformed := false
	board := boardUnassigned
	for i := range r.Events {
		e := &r.Events[i]
		n := i + 1
		if err := e.validateFields(n); err != nil {
			return err
		}
		if prev != nil && e.Date.Before(prev.Date) {
			return invalid("err.listing.date_backwards", n, e.Date.Format(dateLayout), prev.Date.Format(dateLayout))
		}
		if prev == nil {
			if e.Stage.Outcome() {
				return invalid("err.listing.first_outcome", n, string(e.Stage))
			}
		} else if err := transition(n, prev.Stage, *e, board, reformed); err != nil {
			return err
		}
		// Board continuity: once an application names a board, later steps
		// of the same application keep it.
		switch e.Stage {
		case StageAccepted:
			board = e.Board
		case StageReview, StageRegistered:
			if e.Board != boardUnassigned && board != boardUnassigned && e.Board != board {
				return invalid("err.listing.board_changed", n, string(e.Board), string(board))
			}
			if board == boardUnassigned {
				board = e.Board
			}
		case StageListed:
			if e.Kind == KindIPO && board != boardUnassigned && e.Board != board {
				return invalid("err.listing.board_changed", n, string(e.Board), string(board))
			}
			board = e.Board
		case StageWithdrawn, StageExited, StageReserve:
			board = boardUnassigned
		}
		if e.Stage == StageRegistered && board != boardUnassigned && !board.Domestic() {
			return invalid("err.listing.registration_overseas", n, string(board))
		}
		if o := e.Stage.Order(); o >= StageReform.Order() {
			reformed = true
		}
		prev = e
	}
	return nil
}

const dateLayout = "2006-01-02"

// validateFields checks one event on its own.
func (e Event) validateFields(n int) error {
	switch {
	case !e.Stage.Valid():
		return invalid("err.listing.stage", n, string(e.Stage))
	case e.Date.IsZero():
		return invalid("err.listing.date_missing", n)
	case utf8.RuneCountInString(e.Sponsor) > MaxText || utf8.RuneCountInString(e.Note) > MaxText:
		return invalid("err.listing.text_too_long", n, MaxText)
	case strings.TrimSpace(e.Sponsor) != e.Sponsor:
		return invalid("err.listing.sponsor_space", n)
	}
	if !e.AgreedOn.IsZero() {
		if e.Stage != StageTutoring {
			return invalid("err.listing.agreed_not_tutoring", n)
		}
		if e.AgreedOn.After(e.Date) {
			return invalid("err.listing.agreed_after_filing", n, e.AgreedOn.Format(dateLayout), e.Date.Format(dateLayout))
		}
	}
	if e.Stage == StageTutoring && e.Sponsor == "" {
		return invalid("err.listing.sponsor_missing", n)
	}
	switch e.Stage {
	case StageAccepted, StageListed:
		if !e.Board.Valid() {
			return invalid("err.listing.board_missing", n, string(e.Board))
		}
	case StageReview, StageRegistered:
		if e.Board != boardUnassigned && !e.Board.Valid() {
			return invalid("err.listing.board_missing", n, string(e.Board))
		}
	default:
		if e.Board != boardUnassigned {
			return invalid("err.listing.board_not_applicable", n, string(e.Stage))
		}
	}
	if e.Stage != StageListed {
		if e.Kind != "" {
			return invalid("err.listing.kind_not_applicable", n, string(e.Stage))
		}
		if e.Proceeds != 0 {
			return invalid("err.listing.proceeds_not_applicable", n, string(e.Stage))
		}
		return nil
	}
	switch {
	case !e.Kind.Valid():
		return invalid("err.listing.kind_missing", n, string(e.Kind))
	case e.Proceeds < 0:
		return invalid("err.listing.proceeds_negative", n)
	case e.Kind == KindIPO && e.Proceeds == 0:
		return invalid("err.listing.proceeds_missing", n)
	case e.Kind != KindIPO && e.Proceeds != 0:
		return invalid("err.listing.proceeds_not_ipo", n, string(e.Kind))
	}
	return nil
}

// transition checks the step from stage p to event e (event number n);
// board is the application's board so far, reformed whether the firm
// reached shareholding reform before.
func transition(n int, p Stage, e Event, board Board, reformed bool) error {
	next := e.Stage
	skip := func() error { return invalid("err.listing.skip", n, string(p), string(next)) }
	if next == p {
		return invalid("err.listing.repeat", n, string(next))
	}
	switch p {
	case StageListed:
		if next != StageExited {
			return skip()
		}
		return nil
	case StageExited:
		if next == StageReserve || next == StageListed && e.Kind != KindIPO {
			return nil
		}
		return skip()
	case StageWithdrawn:
		switch {
		case next == StageReserve || next == StageReform:
			return nil
		case next == StageTutoring && reformed:
			return nil
		case next == StageListed && e.Kind == KindOther:
			return nil
		}
		return skip()
	}
	// p is a pipeline stage before listing.
	switch next {
	case StageWithdrawn:
		return nil
	case StageExited:
		return skip()
	case StageListed:
		switch e.Kind {
		case KindOther:
			return nil
		case KindRelocation:
			return invalid("err.listing.relocation_in_pipeline", n)
		}
		if p == StageRegistered || p == StageReview && !e.Board.Domestic() {
			return nil
		}
		return skip()
	case StageAccepted:
		if p == StageReform && e.Board.Valid() && !e.Board.Domestic() {
			return nil
		}
	}
	if next.Order() == p.Order()+1 {
		return nil
	}
	return skip()
}

// StageIndex returns the index of s in AllStages, for sorting.
func StageIndex(s Stage) int { return slices.Index(AllStages, s) }
