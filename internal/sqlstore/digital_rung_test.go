package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/digital"
	"github.com/industrybrain/ibrain/internal/review"
)

// A rung application on both engines: created submitted, one open
// application per firm, rung and year (the database refuses a second too),
// the district's recommendation, a return and a resubmission, the city's
// approval writing the recognition in the same transaction, a refused
// approval leaving nothing behind, a rejection.
func TestDigitalRungApplications(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedRegions(t, st)
		ids := seedFirms(t, st, "91500101RA", 1, 2023)
		r, err := digital.Builtin()
		if err != nil {
			t.Fatal(err)
		}
		nc := int64(6000)
		if _, err := st.PutDigitalMaturity(ctx, auth.All(), []digital.Maturity{{EnterpriseID: ids[0], Year: 2024, NCRate: &nc, Source: digital.SourceSurvey}},
			digital.WriteOptions{ExpectEvents: -1}); err != nil {
			t.Fatal(err)
		}
		opts := digital.WriteOptions{Rules: r, By: "t", ActorID: 9, ExpectEvents: -1}
		app := digital.RungApplication{EnterpriseID: ids[0], Rung: digital.RungWorkshop, Year: 2024, Name: "总装数字化车间", Evidence: "数控化率报告",
			Answers: map[string]string{"realtime_monitoring": "MES 全覆盖"}, AppliedOn: digital.Day(2024, 3, 1)}
		if err := app.Validate(r); err != nil {
			t.Fatal(err)
		}
		a1, err := st.CreateDigitalRungApplication(ctx, auth.All(), app, opts)
		if err != nil || a1.State != review.Submitted || a1.Answers["realtime_monitoring"] != "MES 全覆盖" || a1.FirmName == "" {
			t.Fatal(err, a1)
		}
		if _, err := st.CreateDigitalRungApplication(ctx, auth.All(), app, opts); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a second open application: %v", err)
		}
		// The database itself refuses a second open row.
		err = st.inTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO digital_rung_application (enterprise_id, rung, year, name, future_type, evidence, answers, applied_on,
				state, reason, recommended_on, decided_on, recorded_at, recorded_by) VALUES ($1, 'digital_workshop', 2024, 'x', '', 'x', '', '2024-03-02',
				'returned', '', '', '', 0, 't')`, ids[0])
			return err
		})
		if !isUniqueViolation(err) {
			t.Errorf("the open-application index: %v", err)
		}
		if _, err := st.CreateDigitalRungApplication(ctx, auth.Region(regionB), app, opts); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another district's firm: %v", err)
		}
		if _, err := st.DigitalRungApplication(ctx, auth.Region(regionB), a1.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another district reads: %v", err)
		}
		officer := review.Fill | review.Review
		step := func(id int64, s digital.RungStep) (digital.RungApplication, error) {
			return st.ReviewDigitalRungApplication(ctx, auth.All(), id, s, opts)
		}
		rec, err := step(a1.ID, digital.RungStep{Action: digital.ActionRecommend, Caps: officer, Date: digital.Day(2024, 3, 5)})
		if err != nil || rec.State != review.Submitted || !rec.RecommendedOn.Equal(digital.Day(2024, 3, 5)) {
			t.Fatal(err, rec)
		}
		if _, err := step(a1.ID, digital.RungStep{Action: review.Accept, Caps: officer, Date: digital.Day(2024, 3, 6)}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a district approves: %v", err)
		}
		ret, err := step(a1.ID, digital.RungStep{Action: review.Return, Reason: "补充 MES 截图", Caps: officer, City: true, Date: digital.Day(2024, 3, 7)})
		if err != nil || ret.State != review.Returned || ret.Reason != "补充 MES 截图" {
			t.Fatal(err, ret)
		}
		ev := "数控化率报告；MES 截图"
		re, err := step(a1.ID, digital.RungStep{Action: review.Submit, Caps: review.Fill, Evidence: &ev, Date: digital.Day(2024, 3, 8)})
		if err != nil || re.State != review.Submitted || re.Evidence != ev || !re.RecommendedOn.IsZero() || re.Reason != "" {
			t.Fatal(err, re)
		}
		// A second application whose approval the database refuses (the
		// name is already recognised): nothing of the step stays.
		app2 := app
		app2.Year, app2.Name = 2025, "焊装数字化车间"
		a2, err := st.CreateDigitalRungApplication(ctx, auth.All(), app2, opts)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddDigitalRecognitions(ctx, auth.All(), []digital.Recognition{{EnterpriseID: ids[0], Rung: digital.RungWorkshop, Name: app2.Name,
			RecognisedOn: digital.Day(2023, 12, 1), Batch: "2023"}}, opts); err != nil {
			t.Fatal(err)
		}
		if _, err := step(a2.ID, digital.RungStep{Action: review.Accept, Caps: officer, City: true, Date: digital.Day(2024, 6, 1)}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("approval over a recorded name: %v", err)
		}
		back, err := st.DigitalRungApplication(ctx, auth.All(), a2.ID)
		if err != nil || back.State != review.Submitted || back.RecognitionID != 0 || !back.DecidedOn.IsZero() {
			t.Errorf("after the refused approval: %v %+v", err, back)
		}
		recs, _ := st.DigitalRecognitions(ctx, auth.All(), digital.RecordFilter{EnterpriseID: ids[0]})
		if len(recs) != 1 {
			t.Errorf("recognitions after the refused approval: %d", len(recs))
		}
		rej, err := step(a2.ID, digital.RungStep{Action: digital.ActionReject, Reason: "重复申报", Caps: officer, City: true, Date: digital.Day(2024, 6, 2)})
		if err != nil || rej.State != digital.AppRejected || rej.Reason != "重复申报" {
			t.Fatal(err, rej)
		}
		acc, err := step(a1.ID, digital.RungStep{Action: review.Accept, Caps: officer, City: true, Date: digital.Day(2024, 6, 1), Batch: "2024 第一批"})
		if err != nil || acc.State != review.Accepted || acc.RecognitionID == 0 || !acc.DecidedOn.Equal(digital.Day(2024, 6, 1)) {
			t.Fatal(err, acc)
		}
		recs, _ = st.DigitalRecognitions(ctx, auth.All(), digital.RecordFilter{EnterpriseID: ids[0]})
		found := false
		for _, rc := range recs {
			if rc.ID == acc.RecognitionID {
				found = rc.Name == app.Name && rc.Rung == digital.RungWorkshop && rc.RecognisedOn.Equal(digital.Day(2024, 6, 1)) && rc.Batch == "2024 第一批"
			}
		}
		if !found {
			t.Errorf("the approval's recognition: %+v", recs)
		}
		// Closed applications no longer block a new one.
		if _, err := st.CreateDigitalRungApplication(ctx, auth.All(), app, opts); err != nil {
			t.Errorf("a new application after approval: %v", err)
		}
		list, err := st.DigitalRungApplications(ctx, auth.All(), digital.RungAppQuery{State: review.Accepted})
		if err != nil || len(list) != 1 || list[0].ID != a1.ID {
			t.Errorf("accepted list: %v %+v", err, list)
		}
		if list, _ := st.DigitalRungApplications(ctx, auth.Region(regionB), digital.RungAppQuery{}); len(list) != 0 {
			t.Errorf("another district lists %d", len(list))
		}
		evs, err := st.ReviewEvents(ctx, digital.RungReviewDomain, strconv.FormatInt(a1.ID, 10), review.Period{})
		if err != nil {
			t.Fatal(err)
		}
		var steps []string
		for _, e := range evs {
			steps = append(steps, string(e.Action)+":"+string(e.From)+">"+string(e.To))
			if e.ActorID != 9 || e.Period.Year != 2024 {
				t.Errorf("event %+v", e)
			}
		}
		if want := "submit:missing>submitted recommend:submitted>submitted return:submitted>returned submit:returned>submitted accept:submitted>accepted"; strings.Join(steps, " ") != want {
			t.Errorf("history %v", steps)
		}
	})
}
