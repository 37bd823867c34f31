package instrumentsweb

import (
	"net/http"
	"strconv"

	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/web"
)

// Entered scores of the evaluation's document-judged indicators.

type (
	apiIndicatorScore struct {
		Key      string  `json:"key"`
		Group    string  `json:"group"`
		Weight   float64 `json:"weight"`
		Assessed bool    `json:"assessed"`
		Score    float64 `json:"score"`
		Source   string  `json:"source"`
		Note     string  `json:"note,omitempty"`
	}
	evalScoreBody struct {
		UnitID    int64   `json:"unit_id"`
		Year      int     `json:"year"`
		Indicator string  `json:"indicator"`
		Points    float64 `json:"points"`
		Note      string  `json:"note"`
		Evidence  string  `json:"evidence"`
	}
	apiEvalScore struct {
		UnitID    int64   `json:"unit_id"`
		Year      int     `json:"year"`
		Indicator string  `json:"indicator"`
		Points    float64 `json:"points"`
		Note      string  `json:"note"`
		Evidence  string  `json:"evidence"`
		EnteredBy int64   `json:"entered_by"`
		EnteredAt string  `json:"entered_at"`
	}
	apiEvalScores struct {
		Scores []apiEvalScore `json:"scores"`
	}
)

func toAPIEvalScore(s instruments.EvalScore) apiEvalScore {
	return apiEvalScore{UnitID: s.UnitID, Year: s.Year, Indicator: s.Indicator, Points: s.Points, Note: s.Note, Evidence: s.Evidence,
		EnteredBy: s.EnteredBy, EnteredAt: rfc(s.EnteredAt)}
}

// indicatorScores are an evaluation's indicators as the API shows them.
func indicatorScores(e instruments.Evaluation) []apiIndicatorScore {
	out := []apiIndicatorScore{}
	for _, is := range e.Indicators {
		out = append(out, apiIndicatorScore{Key: is.Key, Group: is.Group, Weight: is.Weight, Assessed: is.Assessed, Score: round(is.Score, 2), Source: is.Source, Note: is.Note})
	}
	return out
}

// apiEvalScores is GET /api/v1/instrument-evaluation-scores?year=.
func (m *module) apiEvalScores(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	year, err := strconv.Atoi(r.URL.Query().Get("year"))
	if err != nil || year < 2000 || year > 2100 {
		return web.BadParam("year", "a year 2000–2100")
	}
	ss, err := m.svc.EvalScores(r.Context(), year)
	if err != nil {
		return err
	}
	out := apiEvalScores{Scores: []apiEvalScore{}}
	for _, s := range ss {
		out.Scores = append(out.Scores, toAPIEvalScore(s))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiPutEvalScore is PUT /api/v1/instrument-evaluation-scores.
func (m *module) apiPutEvalScore(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	var b evalScoreBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	s, err := m.svc.PutEvalScore(r.Context(), actor(c), instruments.EvalScore{UnitID: b.UnitID, Year: b.Year, Indicator: b.Indicator, Points: b.Points,
		Note: b.Note, Evidence: b.Evidence})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toAPIEvalScore(s))
	return nil
}
