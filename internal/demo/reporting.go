package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/reporting"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/sqlstore"
)

// The online-reporting workflow of the demo (企业直报). Every month up to
// 2024-12 stays accepted data, so the calibrated figures do not move. The
// open period is 1–2月 2025, reported by the firms of the latest 规上
// directory (2024's, as 2025's is not loaded): most firms' reports are
// accepted (their district imported them), some firms are late (未填), a
// few keep a draft, a few are submitted and await review, a few were
// returned with a reason; the warnings the rules raise are explained.
// 2025 has no directory yet, so the accepted reports count in no figure
// until it is loaded, and the cockpit's latest month stays 2024-12.
// Values continue each firm's 1–2月 2024 with a drawn growth; a firm whose
// draw a hard rule refuses is left late. Everything comes from the
// module's own random stream.

// reportingStream is the module's PCG stream: "rept".
const reportingStream = 0x72657074

// demoReportingPeriod is the open period.
var demoReportingPeriod = report.Period{Year: lastYear + 1, Month: 2}

// The shares of the open period's firms by outcome.
const (
	shareLate      = 0.05
	shareDraft     = 0.03
	shareReturned  = 0.03
	shareSubmitted = 0.03
	shareJump      = 0.03 // of the others: growth far outside the usual band, explained
)

// Explanations and return reasons the demo's users write (synthetic).
var (
	demoExplanations  = []string{"新生产线投产，产量大幅增加", "上年同期停产检修，基数较低", "订单集中交付", "主要产品价格上涨", "集团内部结算方式调整"}
	demoReturnReasons = []string{"请核实工业总产值与上年同期的差异", "增加值率偏高，请补充说明", "从业人员数与上月不一致，请核实"}
)

func loadReporting(ctx context.Context, st *sqlstore.Store, ds *dataset, idOf []int64) error {
	r := rand.New(rand.NewPCG(ds.opts.Seed, reportingStream))
	now := time.Date(demoReportingPeriod.Year, time.March, 8, 2, 0, 0, 0, time.UTC) // before the 10 March deadline
	svc, err := reporting.NewService(st, reporting.Options{Now: func() time.Time { return now }})
	if err != nil {
		return err
	}
	// A second load of the same demo finds the workflow in place and
	// leaves it as it is (a reload changes nothing).
	st0, err := svc.Status(ctx, auth.All(), demoReportingPeriod)
	if err != nil {
		return err
	}
	for _, f := range st0.Firms {
		if f.State != review.Missing {
			return nil
		}
	}
	rules, err := svc.Rules(demoReportingPeriod)
	if err != nil {
		return err
	}
	t := nYears - 1 // the latest directory
	explainAll := func(text string) map[string]string {
		m := map[string]string{}
		for _, ru := range rules.Rules {
			if ru.Severity != reporting.Warning {
				continue
			}
			m[ru.ID] = text
			for _, f := range ru.Fields {
				m[ru.ID+"."+report.Fields[f].Code] = text
			}
		}
		return m
	}
	var accepted []reporting.Request
	type single struct {
		req    reporting.Request
		then   review.Action
		reason string
	}
	var singles []single
	for i, f := range ds.firms {
		if !f.above[t] || !f.hasRep[t] || f.first[t] != 2 {
			continue
		}
		last := ds.monthly(f, t, idOf[i], nil)[0] // 1–2月 of the latest year
		u := r.Float64()
		g := 1.06 + 0.05*r.NormFloat64()
		if u >= shareLate+shareDraft+shareReturned+shareSubmitted && r.Float64() < shareJump {
			g = 1.6 + 0.3*r.Float64()
		}
		g = math.Max(g, 0.75)
		var v report.Values
		for fld := range v {
			v[fld] = int64(math.Round(float64(last.Values[fld]) * g))
		}
		v[report.Employees] = last.Values[report.Employees]
		h := reporting.History{LastYear: &last.Values, Size: f.sizeOf[t], StatusKnown: true, AboveScale: true}
		fs := rules.Evaluate(demoReportingPeriod, v, h)
		if reporting.Blocking(fs) || u < shareLate {
			continue // 未填
		}
		key := reporting.Key{EnterpriseID: idOf[i], Period: demoReportingPeriod}
		expl := explainAll(demoExplanations[r.IntN(len(demoExplanations))])
		switch {
		case u < shareLate+shareDraft:
			singles = append(singles, single{req: reporting.Request{Key: key, Action: review.Save, Values: &v, Source: reporting.SourceWeb}})
		case u < shareLate+shareDraft+shareReturned:
			singles = append(singles, single{req: reporting.Request{Key: key, Action: review.Submit, Values: &v, Explanations: expl, Source: reporting.SourceWeb},
				then: review.Return, reason: demoReturnReasons[r.IntN(len(demoReturnReasons))]})
		case u < shareLate+shareDraft+shareReturned+shareSubmitted:
			singles = append(singles, single{req: reporting.Request{Key: key, Action: review.Submit, Values: &v, Explanations: expl, Source: reporting.SourceWeb}})
		default:
			accepted = append(accepted, reporting.Request{Key: key, Action: review.Record, Values: &v, Explanations: expl, Source: reporting.SourceFile})
		}
	}
	district := reporting.Actor{CanReview: true}
	if _, err := svc.ActMany(ctx, auth.All(), district, accepted); err != nil {
		return fmt.Errorf("demo: accepted reports: %w", err)
	}
	for _, s := range singles {
		firm := reporting.Actor{EnterpriseID: s.req.Key.EnterpriseID, CanFill: true}
		if _, err := svc.Act(ctx, auth.Enterprise(s.req.Key.EnterpriseID), firm, s.req); err != nil {
			return fmt.Errorf("demo: report of %d: %w", s.req.Key.EnterpriseID, err)
		}
		if s.then != "" {
			if _, err := svc.Act(ctx, auth.All(), district, reporting.Request{Key: s.req.Key, Action: s.then, Reason: s.reason}); err != nil {
				return fmt.Errorf("demo: review of %d: %w", s.req.Key.EnterpriseID, err)
			}
		}
	}
	// The districts reminded the firms that had not reported.
	if _, err := svc.Remind(ctx, auth.All(), district, demoReportingPeriod, nil); err != nil {
		return fmt.Errorf("demo: reminders: %w", err)
	}
	return nil
}
