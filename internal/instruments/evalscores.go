package instruments

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/industrybrain/ibrain/internal/apperr"
)

// Entered scores of the evaluation's document-judged indicators
// (coordination, technical team, results, self-support): the platform
// operator scores them per unit and year from the unit's documents, with
// a note and the evidence; the evaluation then counts them as assessed,
// marked "entered", beside the indicators computed from records.

// EvalScore is the operator's score of one indicator of a unit in a year.
type EvalScore struct {
	UnitID    int64
	Year      int
	Indicator string
	Points    float64 // of the indicator's weight
	Note      string
	Evidence  string // where the documents are (file names, archive numbers)
	EnteredBy int64
	EnteredAt time.Time
}

// EvalScoreStore is the storage of entered scores.
type EvalScoreStore interface {
	// PutEvalScore writes a score, replacing the unit's earlier score of
	// the indicator in that year.
	PutEvalScore(ctx context.Context, s EvalScore) error
	// EvalScores lists a year's entered scores.
	EvalScores(ctx context.Context, year int) ([]EvalScore, error)
}

// Indicator score sources.
const (
	SourceComputed = "computed" // from the platform's records
	SourceEntered  = "entered"  // the operator's score from documents
)

// PutEvalScore records the operator's score of a document-judged
// indicator: it must exist in the configuration in force, have no
// computed parts, and the points lie within its weight; a note is
// required.
func (s *Service) PutEvalScore(ctx context.Context, a Actor, sc EvalScore) (EvalScore, error) {
	if !a.Operator {
		return sc, apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	cfg, err := s.evaluationConfig()
	if err != nil {
		return sc, err
	}
	var in *EvalIndicator
	for i := range cfg.Indicators {
		if cfg.Indicators[i].Key == sc.Indicator {
			in = &cfg.Indicators[i]
		}
	}
	if in == nil || len(in.Parts) > 0 {
		return sc, apperr.New(apperr.Invalid, "instruments.err.eval_indicator", sc.Indicator)
	}
	if sc.Points < 0 || sc.Points > in.Weight {
		return sc, apperr.New(apperr.Invalid, "instruments.err.eval_points", in.Weight)
	}
	if sc.Year < 2000 || sc.Year > 2100 {
		return sc, apperr.New(apperr.Invalid, "instruments.err.eval_year")
	}
	sc.Note, sc.Evidence = strings.TrimSpace(sc.Note), strings.TrimSpace(sc.Evidence)
	if sc.Note == "" || utf8.RuneCountInString(sc.Note) > MaxReplyRunes || utf8.RuneCountInString(sc.Evidence) > MaxReplyRunes {
		return sc, apperr.New(apperr.Invalid, "instruments.err.eval_note")
	}
	known := false
	us, err := s.store.Units(ctx)
	if err != nil {
		return sc, err
	}
	for _, u := range us {
		known = known || u.ID == sc.UnitID
	}
	if !known {
		return sc, apperr.New(apperr.NotFound, "instruments.err.no_unit")
	}
	sc.EnteredBy, sc.EnteredAt = a.UserID, s.now()
	return sc, s.store.PutEvalScore(ctx, sc)
}

// EvalScores lists a year's entered scores.
func (s *Service) EvalScores(ctx context.Context, year int) ([]EvalScore, error) {
	return s.store.EvalScores(ctx, year)
}

// EnteredByUnit groups entered scores by unit key (the unit id, as the
// usage figures key units) and indicator.
func EnteredByUnit(ss []EvalScore) map[string]map[string]EvalScore {
	out := map[string]map[string]EvalScore{}
	for _, s := range ss {
		k := strconv.FormatInt(s.UnitID, 10)
		if out[k] == nil {
			out[k] = map[string]EvalScore{}
		}
		out[k][s.Indicator] = s
	}
	return out
}
