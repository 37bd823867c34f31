package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/tasks"
)

// tasksStream seeds the departmental values' own PCG stream ("tasks").
const tasksStream = 0x7461736b73

// The demo's history names no account: the accounts are created after
// the load (internal/cli/demo.go), so every step is recorded as the
// loader's, user id 0.
const demoActor = 0

// loadDepartmental fills every departmental row of the task tables the
// way a department would: its user submits the year's value, the city
// accepts it; the year is then published. One value is first returned and
// corrected, and one published value has a revision waiting for review, so
// the workflow has something to show. The values are the departments'
// reports (a count of labs is the science bureau's record, not the
// platform's), drawn near each target so that some rows are met and some
// are missed.
func loadDepartmental(ctx context.Context, st *sqlstore.Store, ds *dataset, tables *tasks.Tables, cat *indicator.Catalogue) error {
	// A published year was loaded before: loading again changes nothing.
	for _, t := range tables.Tables {
		if _, locked, err := st.PeriodLock(ctx, tasks.Domain, review.Period{Year: t.Year}); err != nil || locked {
			return err
		}
	}
	r := ds.rng(tasksStream)
	at := time.Date(2025, 1, 20, 9, 0, 0, 0, time.UTC)
	var rows []struct {
		ind   indicator.Indicator
		year  int
		value int64
		goal  float64
	}
	for _, t := range tables.Tables {
		for _, row := range t.Rows {
			ind, ok := cat.ByCode(row.Indicator)
			if !ok || !tasks.Departmental(ind) {
				continue
			}
			rows = append(rows, struct {
				ind   indicator.Indicator
				year  int
				value int64
				goal  float64
			}{ind, t.Year, deptValue(r, ind, row.Value), row.Value})
		}
	}
	apply := func(a tasks.Actor, chs []tasks.Change) error {
		return st.ApplyDeptChanges(ctx, chs, func(cur *tasks.Entry, ch tasks.Change, locked bool) (tasks.Entry, review.Event, error) {
			ind, _ := cat.ByCode(ch.Indicator)
			return tasks.Apply(ind, cur, ch, a, locked, at)
		})
	}
	reviewer := tasks.Actor{UserID: demoActor, Review: true}
	for i, row := range rows {
		dept := tasks.Actor{UserID: demoActor, Department: row.ind.Department, Enter: true}
		v := row.value
		ch := tasks.Change{Indicator: row.ind.Code, Year: row.year, Action: review.Submit, Value: &v}
		if i == 0 {
			// The first value is submitted ten times too large, returned and
			// corrected.
			wrong := v * 10
			ch.Value = &wrong
			if err := apply(dept, []tasks.Change{ch}); err != nil {
				return fmt.Errorf("demo: department value %s: %w", row.ind.Code, err)
			}
			if err := apply(reviewer, []tasks.Change{{Indicator: row.ind.Code, Year: row.year, Action: review.Return, Reason: "数值疑似多录一位，请核实"}}); err != nil {
				return err
			}
			ch.Value = &v
		}
		if err := apply(dept, []tasks.Change{ch}); err != nil {
			return fmt.Errorf("demo: department value %s: %w", row.ind.Code, err)
		}
		if err := apply(reviewer, []tasks.Change{{Indicator: row.ind.Code, Year: row.year, Action: review.Accept}}); err != nil {
			return fmt.Errorf("demo: accept %s: %w", row.ind.Code, err)
		}
		at = at.Add(time.Hour)
	}
	years := map[int]bool{}
	for _, row := range rows {
		if !years[row.year] {
			years[row.year] = true
			if _, err := st.LockPeriod(ctx, review.Lock{Domain: tasks.Domain, Period: review.Period{Year: row.year}, LockedBy: demoActor, LockedAt: at}); err != nil {
				return err
			}
		}
	}
	if len(rows) < 2 {
		return nil
	}
	// A published value revised by its department, waiting for review.
	last := rows[len(rows)-1]
	dept := tasks.Actor{UserID: demoActor, Department: last.ind.Department, Enter: true}
	v := last.value + deptStep(last.ind)
	return apply(dept, []tasks.Change{{Indicator: last.ind.Code, Year: last.year, Action: review.Submit, Value: &v, Reason: "年报终审数据更新"}})
}

// deptValue draws a department's value near goal: counts and amounts from
// 85 % to 120 % of it, whole numbers for counts and head counts;
// percentages within three points (0.4 for "about" rates), at most 100
// for shares and rates that cannot exceed it.
func deptValue(r *rand.Rand, ind indicator.Indicator, goal float64) int64 {
	var v float64
	switch {
	case ind.Unit == "percent" && ind.Aggregation == "growth":
		v = math.Round((goal+(r.Float64()*6-3))*10) / 10
	case ind.Unit == "percent" && !ind.HigherIsBetter:
		v = math.Round((goal+(r.Float64()*0.8-0.4))*10) / 10
	case ind.Unit == "percent":
		v = math.Round(min(100, goal+(r.Float64()*6-3))*10) / 10
	case ind.Unit == "yi_yuan":
		v = math.Round(goal*(0.85+r.Float64()*0.35)*10) / 10
	default:
		v = math.Round(goal * (0.85 + r.Float64()*0.35))
	}
	return int64(math.Round(v * tasks.Scale))
}

// deptStep is a small revision of a value in its unit.
func deptStep(ind indicator.Indicator) int64 {
	if ind.Unit == "percent" {
		return tasks.Scale / 10
	}
	return tasks.Scale
}
