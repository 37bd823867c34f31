package sqlstore

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/digital"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The SME digital level of a maturity record reaches the cultivation
// profile (the 专精特新 scorecard's digitalisation input), and saving it
// marks the firm's profile changed, as the other profile writers do.
func TestDigitalMaturityFeedsCultivation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedRegions(t, st)
		ids := seedFirms(t, st, "91500101DG", 2, 2023)
		gen0, err := st.ProfileGeneration(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// A bad record changes nothing.
		if _, err := st.PutDigitalMaturity(ctx, auth.All(), []digital.Maturity{{EnterpriseID: ids[0], Year: 2023, SMELevel: 3, Source: digital.SourceZJTX},
			{EnterpriseID: ids[1], Year: 2023, SMELevel: 9, Source: digital.SourceZJTX}}, digital.WriteOptions{}); err == nil {
			t.Fatal("a level 9 was stored")
		}
		if ms, _ := st.DigitalMaturity(ctx, auth.All(), digital.RecordFilter{}); len(ms) != 0 {
			t.Fatalf("stored %v", ms)
		}
		// Another district's officer cannot write this firm's record.
		if _, err := st.PutDigitalMaturity(ctx, auth.Region(regionB), []digital.Maturity{{EnterpriseID: ids[0], Year: 2023, SMELevel: 3, Source: digital.SourceZJTX}}, digital.WriteOptions{}); err == nil {
			t.Fatal("written outside the scope")
		}
		nc := int64(7000)
		if _, err := st.PutDigitalMaturity(ctx, auth.All(), []digital.Maturity{{EnterpriseID: ids[0], Year: 2022, SMELevel: 2, Source: digital.SourceZJTX},
			{EnterpriseID: ids[0], Year: 2023, SMELevel: 3, CMMM: 2, NCRate: &nc, Cloud: true, Source: digital.SourceZJTX, Evidence: "r-1"}}, digital.WriteOptions{By: "t"}); err != nil {
			t.Fatal(err)
		}
		gen1, _ := st.ProfileGeneration(ctx)
		changed, all, err := st.ProfileChanges(ctx, gen0, gen1)
		if err != nil || all || len(changed) != 1 || changed[0] != ids[0] {
			t.Fatalf("profile changes %v all=%v err=%v (generation %d → %d)", changed, all, err, gen0, gen1)
		}
		raws, err := st.ProfileRaws(ctx, auth.All(), cultivation.ProfileQuery{FromYear: 2020, ToYear: 2023, EnterpriseID: ids[0]})
		if err != nil || len(raws) != 1 {
			t.Fatal(err, len(raws))
		}
		if got := raws[0].DigitalLevels; len(got) != 2 || got[1] != (cultivation.YearLevel{Year: 2023, Level: 3}) {
			t.Fatalf("digital levels %v", got)
		}
		// A profile on 2024-06-30 reads the prior year's (2023) level.
		if p := cultivation.BuildProfile(&raws[0], time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC)); p.DigitalLevel == nil || *p.DigitalLevel != 3 {
			t.Fatalf("profile digital level %v", p.DigitalLevel)
		}
		// Saving again replaces the year's record.
		if _, err := st.PutDigitalMaturity(ctx, auth.All(), []digital.Maturity{{EnterpriseID: ids[0], Year: 2023, SMELevel: 4, Source: digital.SourceZJTX}}, digital.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		ms, _ := st.DigitalMaturity(ctx, auth.All(), digital.RecordFilter{EnterpriseID: ids[0]})
		if len(ms) != 2 || ms[1].SMELevel != 4 || ms[1].NCRate != nil || ms[1].Cloud {
			t.Fatalf("maturity %+v", ms)
		}
	})
}

// Projects: a stage appended against a stale history is refused, a bad
// step changes nothing, and a bulk write is all or nothing.
func TestDigitalProjectWrites(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedRegions(t, st)
		ids := seedFirms(t, st, "91500101DP", 1, 2023)
		r, err := digital.Builtin()
		if err != nil {
			t.Fatal(err)
		}
		day := func(m, d int) time.Time { return digital.Day(2023, time.Month(m), d) }
		p := digital.Project{Code: "P-1", EnterpriseID: ids[0], Name: "改造", Kind: digital.KindIntelligent, Scenarios: []string{"F01"},
			Planned: 500 * unit.Wan, StartOn: day(3, 1), EndOn: day(12, 1), Events: []digital.Event{{Stage: digital.StageApplied, Date: day(2, 1)}}}
		opts := digital.WriteOptions{Rules: r, By: "t", ExpectEvents: -1}
		got, err := st.CreateDigitalProject(ctx, auth.All(), p, opts)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateDigitalProject(ctx, auth.All(), p, opts); err == nil {
			t.Fatal("the same code twice")
		}
		if _, err := st.AppendDigitalEvent(ctx, auth.Region(regionB), got.ID, digital.Event{Stage: digital.StageWithdrawn, Date: day(2, 2)}, opts); err == nil {
			t.Fatal("another district's project was changed")
		}
		if _, err := st.AppendDigitalEvent(ctx, auth.All(), got.ID, digital.Event{Stage: digital.StageApproved, Date: day(2, 10), Level: digital.LevelCity}, opts); err == nil {
			t.Fatal("a ¥5 m project approved by the city")
		}
		stale := opts
		stale.ExpectEvents = 0
		if _, err := st.AppendDigitalEvent(ctx, auth.All(), got.ID, digital.Event{Stage: digital.StageApproved, Date: day(2, 10), Level: digital.LevelDistrict}, stale); err == nil {
			t.Fatal("a stale append was accepted")
		}
		after, err := st.AppendDigitalEvent(ctx, auth.All(), got.ID, digital.Event{Stage: digital.StageApproved, Date: day(2, 10), Level: digital.LevelDistrict}, opts)
		if err != nil || len(after.Events) != 2 {
			t.Fatal(err, after.Events)
		}
		// Bulk: one project of another firm under the same code refuses the lot.
		other := seedFirmIn(t, st, regionB)
		q := p
		q.Code, q.EnterpriseID = "P-2", ids[0]
		clash := p
		clash.EnterpriseID = other
		if _, err := st.PutDigitalProjects(ctx, auth.All(), []digital.Project{q, clash}, opts); err == nil {
			t.Fatal("a code of another firm was taken over")
		}
		if ps, _ := st.DigitalProjects(ctx, auth.All(), digital.RecordFilter{}); len(ps) != 1 {
			t.Fatalf("%d projects after a refused bulk write", len(ps))
		}
		res, err := st.PutDigitalProjects(ctx, auth.All(), []digital.Project{q}, opts)
		if err != nil || res.Inserted != 1 {
			t.Fatal(err, res)
		}
		if res, _ := st.PutDigitalProjects(ctx, auth.All(), []digital.Project{q}, opts); res.Unchanged != 1 {
			t.Fatalf("repeat: %+v", res)
		}
	})
}

// TestDigitalProjectReview stores the review of applications: the online
// and the imported submission, a return with its reason, a corrected
// resubmission and the approval, each in the shared review history, and
// refusals that write nothing.
func TestDigitalProjectReview(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedRegions(t, st)
		ids := seedFirms(t, st, "91500101RV", 1, 2023)
		r, err := digital.Builtin()
		if err != nil {
			t.Fatal(err)
		}
		day := func(m, d int) time.Time { return digital.Day(2023, time.Month(m), d) }
		p := digital.Project{Code: "R-1", EnterpriseID: ids[0], Name: "改造", Kind: digital.KindIntelligent, Scenarios: []string{"F01"},
			Planned: 500 * unit.Wan, StartOn: day(3, 1), EndOn: day(12, 1), Events: []digital.Event{{Stage: digital.StageApplied, Date: day(2, 1)}}}
		opts := digital.WriteOptions{Rules: r, By: "t", ActorID: 7, ExpectEvents: -1}
		got, err := st.CreateDigitalProject(ctx, auth.All(), p, opts)
		if err != nil || got.Review != review.Submitted {
			t.Fatal(err, got.Review)
		}
		officer := review.Fill | review.Review
		subject := strconv.FormatInt(got.ID, 10)
		// Refused: another district, no reason, a firm returning.
		if _, err := st.ReviewDigitalProject(ctx, auth.Region(regionB), got.ID, digital.ReviewStep{Action: review.Return, Reason: "x", Caps: officer}, opts); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another district: %v", err)
		}
		if _, err := st.ReviewDigitalProject(ctx, auth.All(), got.ID, digital.ReviewStep{Action: review.Return, Caps: review.Fill, Reason: "x"}, opts); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("the firm returns: %v", err)
		}
		ret, err := st.ReviewDigitalProject(ctx, auth.All(), got.ID, digital.ReviewStep{Action: review.Return, Reason: "补充材料", Caps: officer}, opts)
		if err != nil || ret.Review != review.Returned || ret.ReviewReason != "补充材料" {
			t.Fatal(err, ret.Review)
		}
		if _, err := st.AppendDigitalEvent(ctx, auth.All(), got.ID, digital.Event{Stage: digital.StageApproved, Date: day(3, 1), Level: digital.LevelDistrict}, opts); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a returned application approved through the history: %v", err)
		}
		name := "改造（修订）"
		re, err := st.ReviewDigitalProject(ctx, auth.All(), got.ID, digital.ReviewStep{Action: review.Submit, Caps: review.Fill,
			Correction: &digital.Correction{Name: &name}}, opts)
		if err != nil || re.Review != review.Submitted || re.Name != name || re.ReviewReason != "" {
			t.Fatal(err, re)
		}
		acc, err := st.ReviewDigitalProject(ctx, auth.All(), got.ID, digital.ReviewStep{Action: review.Accept, Caps: officer, Date: day(3, 2)}, opts)
		if err != nil || acc.Review != review.Accepted || acc.Current().Stage != digital.StageApproved || acc.Current().Level != digital.LevelDistrict {
			t.Fatal(err, acc)
		}
		evs, err := st.ReviewEvents(ctx, digital.ReviewDomain, subject, review.Period{})
		if err != nil {
			t.Fatal(err)
		}
		var steps []string
		for _, e := range evs {
			steps = append(steps, string(e.Action)+":"+string(e.From)+">"+string(e.To))
			if e.ActorID != 7 || e.Period.Year != 2023 {
				t.Errorf("event %+v", e)
			}
		}
		if want := "submit:missing>submitted return:submitted>returned submit:returned>submitted accept:submitted>accepted"; strings.Join(steps, " ") != want {
			t.Errorf("history %v", steps)
		}
		// An imported application not yet decided enters the review.
		q := p
		q.Code = "R-2"
		if _, err := st.PutDigitalProjects(ctx, auth.All(), []digital.Project{q}, opts); err != nil {
			t.Fatal(err)
		}
		ps, _ := st.DigitalProjects(ctx, auth.All(), digital.RecordFilter{})
		for _, x := range ps {
			if x.Code != "R-2" {
				continue
			}
			if x.ReviewState() != review.Submitted {
				t.Errorf("imported application: %s", x.ReviewState())
			}
			if evs, _ := st.ReviewEvents(ctx, digital.ReviewDomain, strconv.FormatInt(x.ID, 10), review.Period{}); len(evs) != 1 || evs[0].Action != review.Submit {
				t.Errorf("imported application's history: %+v", evs)
			}
		}
	})
}

// TestDigitalCountsByRegion: the task table's one read for every district
// gives each district what counting in that district's scope gives.
func TestDigitalCountsByRegion(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedRegions(t, st)
		a := seedFirmIn(t, st, regionA)
		b := seedFirmIn(t, st, regionB)
		r, err := digital.Builtin()
		if err != nil {
			t.Fatal(err)
		}
		opts := digital.WriteOptions{Rules: r, By: "t", ExpectEvents: -1}
		day := func(y, m, d int) time.Time { return digital.Day(y, time.Month(m), d) }
		recs := []digital.Recognition{
			{EnterpriseID: a, Rung: digital.RungWorkshop, Name: "一车间", RecognisedOn: day(2023, 5, 1), Batch: "b"},
			{EnterpriseID: a, Rung: digital.RungWorkshop, Name: "二车间", RecognisedOn: day(2023, 6, 1), Batch: "b"},
			{EnterpriseID: b, Rung: digital.RungWorkshop, Name: "三车间", RecognisedOn: day(2023, 6, 1), Batch: "b"},
			{EnterpriseID: b, Rung: digital.RungSmart, Name: "工厂", RecognisedOn: day(2022, 6, 1), Batch: "b"},
		}
		if _, err := st.AddDigitalRecognitions(ctx, auth.All(), recs, opts); err != nil {
			t.Fatal(err)
		}
		p := digital.Project{Code: "P-R", EnterpriseID: b, Name: "改造", Kind: digital.KindIntelligent, Scenarios: []string{"F01"},
			Planned: 500 * unit.Wan, StartOn: day(2023, 3, 1), EndOn: day(2023, 12, 1),
			Events: []digital.Event{{Stage: digital.StageApplied, Date: day(2023, 2, 1)}, {Stage: digital.StageApproved, Date: day(2023, 2, 10), Level: digital.LevelDistrict}}}
		if _, err := st.CreateDigitalProject(ctx, auth.All(), p, opts); err != nil {
			t.Fatal(err)
		}
		nonzero := 0
		for _, m := range digital.Measures {
			for _, y := range []int{2022, 2023} {
				byRegion, known, err := st.CountDigitalMeasureByRegion(ctx, auth.All(), m, y)
				if err != nil || !known {
					t.Fatal(m, y, err, known)
				}
				for _, rc := range []string{regionA, regionB} {
					want, _, err := st.CountDigitalMeasure(ctx, auth.Region(rc), m, y)
					if err != nil {
						t.Fatal(err)
					}
					if byRegion[rc] != want {
						t.Errorf("%s %d in %s: %d by region, %d in its scope", m, y, rc, byRegion[rc], want)
					}
					// The SQL count equals the records' count in the domain.
					ps, err := st.DigitalProjects(ctx, auth.Region(rc), digital.RecordFilter{})
					if err != nil {
						t.Fatal(err)
					}
					rs, err := st.DigitalRecognitions(ctx, auth.Region(rc), digital.RecordFilter{})
					if err != nil {
						t.Fatal(err)
					}
					if fromRecords, _ := digital.CountMeasure(ps, rs, m, y); fromRecords != want {
						t.Errorf("%s %d in %s: %d counted in SQL, %d from the records", m, y, rc, want, fromRecords)
					}
					nonzero += want
				}
				// City-wide the store counts an index range without the
				// joins; it must still equal the records' count.
				city, known, err := st.CountDigitalMeasure(ctx, auth.All(), m, y)
				if err != nil || !known {
					t.Fatal(m, y, err, known)
				}
				ps, err := st.DigitalProjects(ctx, auth.All(), digital.RecordFilter{})
				if err != nil {
					t.Fatal(err)
				}
				rs, err := st.DigitalRecognitions(ctx, auth.All(), digital.RecordFilter{})
				if err != nil {
					t.Fatal(err)
				}
				if fromRecords, _ := digital.CountMeasure(ps, rs, m, y); city != fromRecords {
					t.Errorf("%s %d city-wide: %d counted in SQL, %d from the records", m, y, city, fromRecords)
				}
			}
		}
		if nonzero != 5 { // 3 workshops and 1 smart factory recognised, 1 project approved
			t.Errorf("%d records counted in all, want 5", nonzero)
		}
	})
}
