package sqlstore

import (
	"context"
	"testing"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The operator enters a document-judged indicator's score for a unit
// and year; the year's evaluation of that unit then assesses the
// indicator as entered, adding its weight and the points.
func TestEvalScores(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		m := newMarket(t, st)
		m.open(t, "扫描电镜", "SU8010", "01", "电子光学仪器", openRules(), 300*unit.Yuan)
		cs, err := instruments.EvaluationConfigs()
		if err != nil {
			t.Fatal(err)
		}
		cfg, _ := instruments.EvaluationConfigOn(cs, "2026-12-03")
		var coordination float64
		for _, in := range cfg.Indicators {
			if in.Key == "coordination" {
				coordination = in.Weight
			}
		}
		score := instruments.EvalScore{UnitID: m.uni.ID, Year: 2026, Indicator: "coordination", Points: coordination / 2, Note: "共享管理办法已印发", Evidence: "校发〔2026〕12号"}
		for name, c := range map[string]struct {
			a  instruments.Actor
			sc instruments.EvalScore
			is apperr.Code
		}{
			"unit admin":         {m.admin, score, apperr.Forbidden},
			"computed indicator": {m.operator, func() instruments.EvalScore { s := score; s.Indicator = "shared_hours"; return s }(), apperr.Invalid},
			"unknown indicator":  {m.operator, func() instruments.EvalScore { s := score; s.Indicator = "x"; return s }(), apperr.Invalid},
			"over the weight":    {m.operator, func() instruments.EvalScore { s := score; s.Points = coordination + 1; return s }(), apperr.Invalid},
			"negative":           {m.operator, func() instruments.EvalScore { s := score; s.Points = -1; return s }(), apperr.Invalid},
			"without a note":     {m.operator, func() instruments.EvalScore { s := score; s.Note = " "; return s }(), apperr.Invalid},
			"unknown unit":       {m.operator, func() instruments.EvalScore { s := score; s.UnitID = 999999; return s }(), apperr.NotFound},
		} {
			if _, err := m.svc.PutEvalScore(ctx, c.a, c.sc); !apperr.Is(err, c.is) {
				t.Fatalf("%s: %v", name, err)
			}
		}
		_, _, before, err := m.svc.Evaluations(ctx, 2026)
		if err != nil || len(before) != 1 {
			t.Fatalf("%d evaluations %v", len(before), err)
		}
		if _, err := m.svc.PutEvalScore(ctx, m.operator, score); err != nil {
			t.Fatal(err)
		}
		// A second entry replaces the first.
		score.Points = coordination * 3 / 4
		if _, err := m.svc.PutEvalScore(ctx, m.operator, score); err != nil {
			t.Fatal(err)
		}
		ss, err := m.svc.EvalScores(ctx, 2026)
		if err != nil || len(ss) != 1 || ss[0].Points != coordination*3/4 || ss[0].Evidence != "校发〔2026〕12号" || ss[0].EnteredBy != m.operator.UserID {
			t.Fatalf("%+v %v", ss, err)
		}
		_, _, after, err := m.svc.Evaluations(ctx, 2026)
		if err != nil || len(after) != 1 {
			t.Fatal(err)
		}
		b, a := before[0], after[0]
		if a.Assessed != b.Assessed+coordination || a.Score != b.Score+coordination*3/4 {
			t.Fatalf("before %v/%v, after %v/%v", b.Score, b.Assessed, a.Score, a.Assessed)
		}
		for _, is := range a.Indicators {
			if is.Key == "coordination" && (is.Source != instruments.SourceEntered || !is.Assessed) {
				t.Fatalf("%+v", is)
			}
			if is.Key == "shared_hours" && is.Source != instruments.SourceComputed {
				t.Fatalf("%+v", is)
			}
		}
		// Another year is untouched.
		if ss, _ := m.svc.EvalScores(ctx, 2025); len(ss) != 0 {
			t.Fatalf("%+v", ss)
		}
	})
}
