package web

import (
	"context"
	"net/http"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/scoreboard"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/target"
)

// apiTargets returns the task table of ?year= with progress as of the
// latest reported month (or ?month=). City roles see every target; a
// district officer sees the targets set for their district, because the
// others are judged on figures outside their scope.
func (s *Server) apiTargets(w http.ResponseWriter, r *http.Request, u auth.User) error {
	p, err := s.period(r.Context(), r.URL.Query())
	if err != nil {
		return err
	}
	ts, err := s.store.Targets(r.Context(), p.Year)
	if err != nil {
		return err
	}
	sc := u.ScopeOf()
	out := apiTargets{Year: p.Year, AsOf: p.String(), Targets: []apiFigure{}}
	figs, err := s.targetFigureSet(r.Context(), sc, p, ts)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if !targetVisible(sc, t) {
			continue
		}
		f := stats.Filter{}
		switch t.ScopeKind {
		case target.ScopeRegion:
			f.Region = t.ScopeCode
		case target.ScopeCluster:
			f.Cluster = t.ScopeCode
		}
		fig, err := figs.Figure(r.Context(), t.IndicatorCode, f)
		if apperr.Is(err, apperr.NotFound) {
			continue // a target for an indicator the catalogue no longer has
		}
		if err != nil {
			return err
		}
		month := p.Month
		if fig.Indicator.Measure == "" && fig.Known {
			month = 12 // manually entered values are annual
		}
		pr := target.Evaluate(t, targetKind(fig.Indicator), fig.Value, fig.Known, month)
		fig.Progress = &pr
		out.Targets = append(out.Targets, toAPIFigure(fig))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// targetFigureSet returns the figure set that judges targets ts: with
// targets for several districts, their sums are read in one query.
func (s *Server) targetFigureSet(ctx context.Context, sc auth.Scope, p report.Period, ts []target.Target) (*stats.FigureSet, error) {
	figs := s.stats.NewFigureSet(sc, p)
	regions := 0
	for _, t := range ts {
		if t.ScopeKind == target.ScopeRegion && targetVisible(sc, t) {
			regions++
		}
	}
	if regions > 1 {
		if err := figs.PrefetchRegions(ctx); err != nil {
			return nil, err
		}
	}
	return figs, nil
}

// targetVisible reports whether a target is judged on data inside sc.
func targetVisible(sc auth.Scope, t target.Target) bool {
	if sc.IsAll() {
		return true
	}
	return sc.RegionCode != "" && t.ScopeKind == target.ScopeRegion && t.ScopeCode == sc.RegionCode
}

// targetKind is the engine's rule for projecting an indicator to the year
// end.
func targetKind(ind indicator.Indicator) target.Kind { return stats.KindOf(ind) }

// apiScoreboard returns the "数读" panel for ?year=: that year's results
// (成绩单) and the next year's task table with progress (任务表). It is
// city-wide by definition; the route admits city roles only.
func (s *Server) apiScoreboard(w http.ResponseWriter, r *http.Request) {
	year, err := intParam(r.URL.Query(), "year", 0, 2000, 2100)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if year == 0 {
		if year, err = s.stats.DefaultScoreboardYear(r.Context()); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	sb, err := s.stats.Scoreboard(r.Context(), year)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, scoreboard.FromStats(sb))
}
