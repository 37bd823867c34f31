package goals

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"time"
)

//go:embed plans.json
var plansJSON []byte

type planFile struct {
	Plans []struct {
		ID            string  `json:"id"`
		Version       int     `json:"version"`
		EffectiveFrom string  `json:"effective_from"`
		NameZh        string  `json:"name_zh"`
		NameEn        string  `json:"name_en"`
		Source        string  `json:"source"`
		Measure       Measure `json:"measure"`
		BaseYear      int     `json:"base_year"`
		GoalYear      int     `json:"goal_year"`
		AlertPct      float64 `json:"alert_pct"`
		ExcellentPct  float64 `json:"excellent_pct"`
		Goals         []struct {
			Indicator string `json:"indicator"`
			City      int    `json:"city"`
		} `json:"goals"`
	} `json:"plans"`
}

// Builtin returns the city's cultivation plans (plans.json) with their city
// goals and no district allocation yet; the allocation is data published
// per version (the demo generates one). Each call returns fresh values.
func Builtin() ([]Plan, error) {
	var f planFile
	if err := json.Unmarshal(plansJSON, &f); err != nil {
		return nil, fmt.Errorf("goals: plans.json: %w", err)
	}
	var out []Plan
	for _, fp := range f.Plans {
		eff, err := time.Parse(time.DateOnly, fp.EffectiveFrom)
		if err != nil {
			return nil, fmt.Errorf("goals: plan %s: effective_from %q is not YYYY-MM-DD", fp.ID, fp.EffectiveFrom)
		}
		p := Plan{ID: fp.ID, Version: fp.Version, EffectiveFrom: eff, NameZh: fp.NameZh, NameEn: fp.NameEn, Source: fp.Source,
			Measure: fp.Measure, BaseYear: fp.BaseYear, GoalYear: fp.GoalYear, AlertPct: fp.AlertPct, ExcellentPct: fp.ExcellentPct}
		for _, g := range fp.Goals {
			p.Goals = append(p.Goals, Goal{IndicatorCode: g.Indicator, City: g.City, Districts: map[string]int{}})
		}
		out = append(out, p)
	}
	return out, nil
}
