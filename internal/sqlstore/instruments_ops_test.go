package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
)

// TestBookingRulesOps runs the rules beyond slot shape through the
// service and the store on both engines: qualification with expiry and
// the approval modes, internal-first windows, maintenance windows that
// flag the bookings they hit, cancellation and no-show fees frozen on
// the order, and violations that suspend within their period.
func TestBookingRulesOps(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		m := newMarket(t, st)
		rules := openRules()
		rules.QualificationRequired, rules.Approval, rules.QualificationDays = true, instruments.ApproveQualified, 30
		d, hourly, sample := m.open(t, "扫描电镜", "SU8010", "01", "电子光学仪器", rules, 300*unit.Yuan)
		day := time.Date(2026, 12, 7, 0, 0, 0, 0, instruments.Zone) // a Monday
		slot := func(dayOff, h0, h1 int) instruments.BookRequest {
			d0 := day.AddDate(0, 0, dayOff)
			return instruments.BookRequest{InstrumentID: d.ID, ItemID: hourly, Start: d0.Add(time.Duration(h0) * time.Hour), End: d0.Add(time.Duration(h1) * time.Hour)}
		}

		// Qualification: self-operation needs it; sample sending does not.
		if _, err := m.svc.Book(ctx, m.researcher, slot(0, 9, 10)); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("unqualified self-operation: %v", err)
		}
		so, err := m.svc.Book(ctx, m.firm, instruments.BookRequest{InstrumentID: d.ID, ItemID: sample, Samples: 1})
		if err != nil || so.State != instruments.Submitted {
			t.Fatalf("sample order without qualification: %+v %v", so, err)
		}
		// Only the instrument's managers grant; the grant expires on the
		// slot's day (valid), and a slot the day after is refused.
		if _, err := m.svc.GrantQualification(ctx, m.firm, instruments.Qualification{UserID: m.researcher.UserID, InstrumentID: d.ID}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a customer granting: %v", err)
		}
		q, err := m.svc.GrantQualification(ctx, m.manager, instruments.Qualification{UserID: m.researcher.UserID, InstrumentID: d.ID, ExpiresOn: "2026-12-07"})
		if err != nil || q.GrantedOn != "2026-12-03" || q.UnitID != m.uni.ID {
			t.Fatalf("grant: %+v %v", q, err)
		}
		o, err := m.svc.Book(ctx, m.researcher, slot(0, 9, 10))
		if err != nil || o.State != instruments.Approved {
			t.Fatalf("qualified on the expiry day, auto-approved: %+v %v", o, err)
		}
		if _, err := m.svc.Book(ctx, m.researcher, slot(1, 9, 10)); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("the day after the expiry: %v", err)
		}
		// A class grant by the unit's administrator lasts the unit's
		// default days; revoking ends it.
		cq, err := m.svc.GrantQualification(ctx, m.admin, instruments.Qualification{UserID: m.firm.UserID, ClassCode: "01"})
		if err != nil || cq.ExpiresOn != "2027-12-03" || cq.InstrumentID != 0 {
			t.Fatalf("class grant: %+v %v", cq, err)
		}
		fo, err := m.svc.Book(ctx, m.firm, slot(1, 9, 10))
		if err != nil || fo.State != instruments.Approved {
			t.Fatalf("class-qualified firm: %+v %v", fo, err)
		}
		if _, err := m.svc.RevokeQualification(ctx, m.admin, cq.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := m.svc.Book(ctx, m.firm, slot(1, 11, 12)); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("after the revocation: %v", err)
		}
		if qs, err := m.svc.Qualifications(ctx, m.manager, true); err != nil || len(qs) != 2 {
			t.Fatalf("unit's qualifications: %d %v", len(qs), err)
		}

		// Rules as data: the manager turns the qualification off and
		// reserves Monday mornings for the unit until 48 h before.
		rules.QualificationRequired, rules.Approval = false, instruments.ApproveAuto
		rules.InternalFirst = []instruments.InternalWindow{{Weekdays: []int{1}, FromMinute: 8 * 60, ToMinute: 12 * 60, ReleaseHours: 48}}
		if _, err := m.svc.SetRules(ctx, m.firm, d.ID, rules); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a customer setting rules: %v", err)
		}
		if _, err := m.svc.SetRules(ctx, m.manager, d.ID, rules); err != nil {
			t.Fatal(err)
		}
		if _, err := m.svc.Book(ctx, m.firm, slot(0, 10, 11)); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("external in the internal window: %v", err)
		}
		if io, err := m.svc.Book(ctx, m.manager, slot(0, 10, 11)); err != nil || io.Category != instruments.Internal {
			t.Fatalf("internal in the internal window: %+v %v", io, err)
		}

		// Cancellation: the firm's auto-approved 13–15 slot on Monday.
		late, err := m.svc.Book(ctx, m.firm, slot(0, 13, 15))
		if err != nil || late.State != instruments.Approved || late.Terms.CancelFeePermille != 200 {
			t.Fatalf("%+v %v", late, err)
		}
		early, err := m.svc.Book(ctx, m.firm, slot(0, 15, 16))
		if err != nil {
			t.Fatal(err)
		}
		// Later rule changes do not touch the frozen terms.
		rules.CancelFeePermille = 1000
		if _, err := m.svc.SetRules(ctx, m.manager, d.ID, rules); err != nil {
			t.Fatal(err)
		}
		// At exactly 24 h before the start cancelling is free …
		m.now = early.Start.Add(-24 * time.Hour)
		if c, err := m.svc.Act(ctx, m.firm, early.ID, instruments.ActRequest{Action: instruments.OrderCancel}); err != nil || c.Penalty != 0 || c.State != instruments.Cancelled {
			t.Fatalf("free cancellation: %+v %v", c, err)
		}
		// … a minute later it costs 20 % of 2 h × ¥300 = ¥120.
		m.now = late.Start.Add(-24*time.Hour + time.Minute)
		c, err := m.svc.Act(ctx, m.firm, late.ID, instruments.ActRequest{Action: instruments.OrderCancel})
		if err != nil || c.Penalty != 120*unit.Yuan {
			t.Fatalf("late cancellation: %+v %v", c, err)
		}
		if back, _ := st.Order(ctx, late.ID); back.Penalty != 120*unit.Yuan || back.Terms.CancelFreeHours != 24 {
			t.Fatalf("stored %+v", back)
		}
		m.now = time.Date(2026, 12, 3, 8, 0, 0, 0, instruments.Zone)

		// A maintenance window over Tuesday 09:00–12:00 flags the firm's
		// Tuesday booking, writes its event and blocks new bookings.
		hit, err := m.svc.Book(ctx, m.firm, slot(1, 11, 12))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.svc.AddWindow(ctx, m.firm, d.ID, instruments.Window{Start: day.AddDate(0, 0, 1).Add(9 * time.Hour), End: day.AddDate(0, 0, 1).Add(12 * time.Hour)}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a customer adding a window: %v", err)
		}
		hits, err := m.svc.AddWindow(ctx, m.manager, d.ID, instruments.Window{Start: day.AddDate(0, 0, 1).Add(9 * time.Hour), End: day.AddDate(0, 0, 1).Add(12 * time.Hour), Kind: instruments.WindowOutage, Note: "电子枪更换"})
		if err != nil {
			t.Fatal(err)
		}
		ids := map[int64]bool{}
		for _, h := range hits {
			ids[h.ID] = true
		}
		// The researcher's 09–10 Tuesday request was refused earlier; the
		// firm's 09–10 was cancelled by nobody, so it is hit too.
		if len(hits) != 2 || !ids[hit.ID] || !ids[fo.ID] {
			t.Fatalf("hits %+v", hits)
		}
		if back, _ := st.Order(ctx, hit.ID); back.Flag != instruments.WindowOutage || back.FlagNote != "电子枪更换" {
			t.Fatalf("flag %+v", back)
		}
		var events int
		if err := st.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM order_event WHERE order_id = $1 AND kind = $2`, hit.ID, instruments.EventWindowHit).Scan(&events); err != nil || events != 1 {
			t.Fatalf("window events %d %v", events, err)
		}
		if err := st.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM notification WHERE user_id = $1 AND kind = $2`, m.firm.UserID, "order."+instruments.EventWindowHit).Scan(&events); err != nil || events != 2 {
			t.Fatalf("the firm is told of both bookings hit: %d %v", events, err)
		}
		if _, err := m.svc.Book(ctx, m.researcher, slot(1, 13, 14)); err != nil {
			t.Fatalf("after the window: %v", err)
		}
		if _, err := m.svc.Book(ctx, m.manager, slot(1, 8, 10)); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("into the window: %v", err)
		}
		if _, err := m.svc.AddWindow(ctx, m.manager, d.ID, instruments.Window{Start: day, End: day}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("empty window: %v", err)
		}

		// No-show: not before 15 minutes after the start; then the full
		// booked price, and a violation.
		ns, err := m.svc.Book(ctx, m.researcher, slot(2, 9, 11))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.svc.Act(ctx, m.manager, ns.ID, instruments.ActRequest{Action: instruments.OrderSchedule}); err != nil {
			t.Fatal(err)
		}
		m.now = ns.Start.Add(14 * time.Minute)
		if _, err := m.svc.Act(ctx, m.manager, ns.ID, instruments.ActRequest{Action: instruments.OrderNoShow}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("no-show before the grace: %v", err)
		}
		m.now = ns.Start.Add(15 * time.Minute)
		marked, err := m.svc.Act(ctx, m.manager, ns.ID, instruments.ActRequest{Action: instruments.OrderNoShow})
		if err != nil || marked.State != instruments.NoShow || marked.Penalty != 400*unit.Yuan { // 2 h × ¥200, in full
			t.Fatalf("no-show: %+v %v", marked, err)
		}
		if n, err := st.Violations(ctx, m.researcher.UserID, m.uni.ID, m.now.Add(-time.Hour)); err != nil || n != 1 {
			t.Fatalf("violations %d %v", n, err)
		}
	})
}

// TestViolationPeriod: with two violations allowed in 30 days, the
// second suspends; 30 days after the first (that instant included in
// the period) the user is still suspended, a second later not.
func TestViolationPeriod(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		m := newMarket(t, st)
		rules := openRules()
		rules.Approval, rules.MaxViolations, rules.ViolationDays, rules.HorizonDays = instruments.ApproveAuto, 2, 30, 90
		d, hourly, _ := m.open(t, "质谱仪", "Q-TOF", "01", "质谱仪器", rules, 300*unit.Yuan)
		start := time.Date(2026, 12, 7, 9, 0, 0, 0, instruments.Zone)
		book := func(at time.Time) (instruments.Order, error) {
			return m.svc.Book(ctx, m.researcher, instruments.BookRequest{InstrumentID: d.ID, ItemID: hourly, Start: at, End: at.Add(time.Hour)})
		}
		var first time.Time
		for i := range 2 {
			o, err := book(start.AddDate(0, 0, i))
			if err != nil {
				t.Fatalf("booking %d: %v", i, err)
			}
			m.now = o.Start.Add(time.Hour)
			if i == 0 {
				first = m.now
			}
			if _, err := m.svc.Act(ctx, m.manager, o.ID, instruments.ActRequest{Action: instruments.OrderNoShow}); !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("no-show from approved (not scheduled): %v", err)
			}
			if _, err := m.svc.Act(ctx, m.manager, o.ID, instruments.ActRequest{Action: instruments.OrderSchedule}); err != nil {
				t.Fatal(err)
			}
			if _, err := m.svc.Act(ctx, m.manager, o.ID, instruments.ActRequest{Action: instruments.OrderNoShow}); err != nil {
				t.Fatal(err)
			}
			m.now = time.Date(2026, 12, 3, 8, 0, 0, 0, instruments.Zone)
			_, err = book(start.AddDate(0, 0, 20))
			if suspended := apperr.Is(err, apperr.Forbidden); suspended != (i == 1) {
				t.Fatalf("after %d no-shows: %v", i+1, err)
			}
			if err == nil {
				os, _ := m.svc.Orders(ctx, m.researcher)
				if _, err := m.svc.Act(ctx, m.researcher, os[0].ID, instruments.ActRequest{Action: instruments.OrderCancel}); err != nil {
					t.Fatal(err)
				}
			}
		}
		// The period's edge: since = now − 30 days, inclusive.
		m.now = first.Add(30 * 24 * time.Hour)
		if _, err := book(m.now.Add(72 * time.Hour).Truncate(time.Hour)); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("at the period's edge: %v", err)
		}
		m.now = first.Add(30*24*time.Hour + time.Second)
		if _, err := book(m.now.Add(72 * time.Hour).Truncate(time.Hour)); err != nil {
			t.Fatalf("a second after the first violation left the period: %v", err)
		}
	})
}

// TestUnitDefaultRules: a unit's own defaults are taken by its new
// instruments; others keep the platform's.
func TestUnitDefaultRules(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		m := newMarket(t, st)
		r, err := m.svc.UnitRules(ctx, m.uni.ID)
		if err != nil || r.CancelFreeHours != instruments.DefaultRules().CancelFreeHours {
			t.Fatalf("platform defaults: %+v %v", r, err)
		}
		r.Approval, r.CancelFreeHours = instruments.ApproveAuto, 48
		if err := m.svc.PutUnitRules(ctx, m.researcher, m.uni.ID, r); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("another unit's user: %v", err)
		}
		if err := m.svc.PutUnitRules(ctx, m.admin, m.other.ID, r); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("an administrator of another unit: %v", err)
		}
		bad := r
		bad.GranularityMinutes = 7
		if err := m.svc.PutUnitRules(ctx, m.admin, m.uni.ID, bad); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("invalid rules: %v", err)
		}
		if err := m.svc.PutUnitRules(ctx, m.admin, m.uni.ID, r); err != nil {
			t.Fatal(err)
		}
		in, err := m.svc.CreateInstrument(ctx, m.admin, instruments.Instrument{LocalID: "X-1", Name: "拉曼光谱仪", ClassCode: "01", OriginalValue: 60 * unit.Wan,
			Modes: []instruments.Mode{instruments.SampleSending}}, nil)
		if err != nil || in.Rules.CancelFreeHours != 48 || in.Rules.Approval != instruments.ApproveAuto {
			t.Fatalf("new instrument takes the unit's defaults: %+v %v", in.Rules, err)
		}
		if or, err := m.svc.UnitRules(ctx, m.other.ID); err != nil || or.CancelFreeHours != 24 {
			t.Fatalf("the other unit: %+v %v", or, err)
		}
	})
}

// TestInstrumentImportStore: a file's rows are written whole or not at
// all; importing the same rows again changes nothing; a dry run writes
// nothing.
func TestInstrumentImportStore(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		m := newMarket(t, st)
		row := func(line int, local, name string, price unit.Fen) instruments.ImportRow {
			return instruments.ImportRow{Line: line, Instrument: instruments.Instrument{LocalID: local, Name: name, ClassCode: "01", Model: "M-" + local,
				OriginalValue: 80 * unit.Wan, Modes: []instruments.Mode{instruments.SelfOperation}},
				Item: &instruments.ServiceItem{Name: "机时", Mode: instruments.SelfOperation, Unit: instruments.PerHour,
					Rates: []instruments.Rate{{Category: instruments.EnterpriseUser, EffectiveFrom: "2026-01-01", Price: price}}}}
		}
		rows := []instruments.ImportRow{row(2, "A-1", "原子力显微镜", 200*unit.Yuan), row(3, "A-2", "激光共聚焦显微镜", 260*unit.Yuan)}
		if _, err := m.svc.ImportInstruments(ctx, m.researcher, rows, instruments.ImportOptions{}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a researcher importing: %v", err)
		}
		if _, err := m.svc.ImportInstruments(ctx, m.operator, rows, instruments.ImportOptions{}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("the operator names no unit: %v", err)
		}
		res, err := m.svc.ImportInstruments(ctx, m.admin, rows, instruments.ImportOptions{DryRun: true})
		if err != nil || res.Inserted != 2 {
			t.Fatalf("dry run %+v %v", res, err)
		}
		if ds, _ := st.UnitInstruments(ctx, m.uni.ID); len(ds) != 0 {
			t.Fatalf("a dry run wrote %d", len(ds))
		}
		if res, err = m.svc.ImportInstruments(ctx, m.admin, rows, instruments.ImportOptions{}); err != nil || res.Inserted != 2 || res.UnitID != m.uni.ID {
			t.Fatalf("import %+v %v", res, err)
		}
		ds, err := st.UnitInstruments(ctx, m.uni.ID)
		if err != nil || len(ds) != 2 || ds[0].Status != instruments.Draft || ds[0].RegionCode != "500109" || len(ds[0].Items) != 1 {
			t.Fatalf("stored %+v %v", ds, err)
		}
		if res, err = m.svc.ImportInstruments(ctx, m.operator, rows, instruments.ImportOptions{UnitID: m.uni.ID}); err != nil || res.Unchanged != 2 || res.Inserted+res.Updated != 0 {
			t.Fatalf("again %+v %v", res, err)
		}
		// Open A-1, then retire A-2 and try a file changing both: the
		// retired row refuses the file, A-1 keeps its old model.
		if _, err := st.UpdateInstrument(ctx, ds[1].ID, func(in instruments.Instrument) (instruments.Instrument, error) {
			in.Status, in.RemovedOn = instruments.Retired, "2026-12-01"
			return in, nil
		}); err != nil {
			t.Fatal(err)
		}
		changed := []instruments.ImportRow{row(2, "A-1", "原子力显微镜", 220*unit.Yuan), row(3, "A-2", "改名", 260*unit.Yuan), row(4, "A-3", "新仪器", 100*unit.Yuan)}
		changed[0].Instrument.Model = "Dimension Icon"
		changed[0].Item.Rates[0].EffectiveFrom = "2026-12-01"
		_, err = m.svc.ImportInstruments(ctx, m.admin, changed, instruments.ImportOptions{})
		var rej *instruments.ImportRejected
		if !asRejected(err, &rej) || len(rej.Problems) != 1 || rej.Problems[0].Line != 3 || rej.Problems[0].Key != instruments.KeyImportRetired {
			t.Fatalf("retired row: %v", err)
		}
		if ds2, _ := st.UnitInstruments(ctx, m.uni.ID); len(ds2) != 2 || ds2[0].Model != "M-A-1" {
			t.Fatalf("a refused file wrote: %+v", ds2)
		}
		// Without the retired row the change and the new price go in; the
		// old price stays for the days before.
		res, err = m.svc.ImportInstruments(ctx, m.admin, []instruments.ImportRow{changed[0], changed[2]}, instruments.ImportOptions{})
		if err != nil || res.Updated != 1 || res.Inserted != 1 {
			t.Fatalf("%+v %v", res, err)
		}
		a1, err := st.InstrumentDetail(ctx, ds[0].ID)
		if err != nil || a1.Model != "Dimension Icon" || len(a1.Items[0].Rates) != 2 {
			t.Fatalf("%+v %v", a1, err)
		}
		if r, _ := instruments.RateOn(a1.Items[0].Rates, instruments.EnterpriseUser, "2026-11-30"); r.Price != 200*unit.Yuan {
			t.Fatalf("the old price before the change: %+v", r)
		}
	})
}

func asRejected(err error, out **instruments.ImportRejected) bool {
	r, ok := err.(*instruments.ImportRejected)
	*out = r
	return ok
}

// TestInstrumentFiles stores a photo and a document in the database and
// in a directory, and refuses what the limits refuse.
func TestInstrumentFiles(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...)
	pdf := []byte("%PDF-1.4\n%test\n")
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		m := newMarket(t, st)
		d, _, _ := m.open(t, "透射电镜", "JEM-2100", "01", "电子光学仪器", openRules(), 500*unit.Yuan)
		dir := t.TempDir()
		for _, svc := range []*instruments.Service{m.svc, instruments.NewService(st, instruments.Options{FileDir: dir})} {
			f, err := svc.UploadFile(ctx, m.manager, d.ID, instruments.FilePhoto, "前视图.png", png)
			if err != nil || f.ContentType != "image/png" || f.Size != int64(len(png)) {
				t.Fatalf("photo %+v %v", f, err)
			}
			got, data, err := svc.File(ctx, f.ID)
			if err != nil || string(data) != string(png) || got.Name != "前视图.png" {
				t.Fatalf("read back %+v %d %v", got, len(data), err)
			}
			if _, err := svc.UploadFile(ctx, m.manager, d.ID, instruments.FileDocument, "manual.pdf", pdf); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, sha256Hex(png))); err != nil {
			t.Fatalf("the directory holds the photo: %v", err)
		}
		for name, c := range map[string]struct {
			a    instruments.Actor
			kind string
			data []byte
			code apperr.Code
		}{
			"a customer":         {m.firm, instruments.FilePhoto, png, apperr.Forbidden},
			"a PDF as a photo":   {m.manager, instruments.FilePhoto, pdf, apperr.Invalid},
			"HTML as a document": {m.manager, instruments.FileDocument, []byte("<html><script>"), apperr.Invalid},
			"an empty file":      {m.manager, instruments.FilePhoto, nil, apperr.Invalid},
			"a photo over 5 MiB": {m.manager, instruments.FilePhoto, append(append([]byte{}, png...), make([]byte, instruments.MaxPhotoBytes)...), apperr.TooLarge},
			"an unknown kind":    {m.manager, "video", png, apperr.Invalid},
		} {
			if _, err := m.svc.UploadFile(ctx, c.a, d.ID, c.kind, "x", c.data); !apperr.Is(err, c.code) {
				t.Errorf("%s: %v", name, err)
			}
		}
		fs, err := m.svc.Files(ctx, d.ID)
		if err != nil || len(fs) != 4 || fs[0].Kind != instruments.FilePhoto {
			t.Fatalf("files %+v %v", fs, err)
		}
		for len(fs) < instruments.MaxFiles {
			if _, err := m.svc.UploadFile(ctx, m.manager, d.ID, instruments.FileDocument, "more.pdf", pdf); err != nil {
				t.Fatal(err)
			}
			fs, _ = m.svc.Files(ctx, d.ID)
		}
		if _, err := m.svc.UploadFile(ctx, m.manager, d.ID, instruments.FileDocument, "one-too-many.pdf", pdf); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("over the count: %v", err)
		}
		if err := m.svc.DeleteFile(ctx, m.firm, fs[0].ID); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a customer deleting: %v", err)
		}
		if err := m.svc.DeleteFile(ctx, m.manager, fs[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := m.svc.File(ctx, fs[0].ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("deleted: %v", err)
		}
	})
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// BenchmarkInstrumentImport writes a 1,000-instrument file into a new
// unit, then imports the same file again (all unchanged), on each engine.
func BenchmarkInstrumentImport(b *testing.B) {
	forEachEngineB(b, func(b *testing.B, newStore func() *Store) {
		st := newStore()
		ctx := context.Background()
		svc := instruments.NewService(st, instruments.Options{})
		operator := instruments.Actor{Operator: true}
		rows := make([]instruments.ImportRow, 1000)
		for i := range rows {
			rows[i] = instruments.ImportRow{Line: i + 2, Instrument: instruments.Instrument{LocalID: fmt.Sprintf("B-%04d", i), Name: "扫描电子显微镜", ClassCode: "01",
				Model: fmt.Sprintf("SU%04d", i), OriginalValue: 80 * unit.Wan, Modes: []instruments.Mode{instruments.SelfOperation}},
				Item: &instruments.ServiceItem{Name: "机时", Mode: instruments.SelfOperation, Unit: instruments.PerHour,
					Rates: []instruments.Rate{{Category: instruments.EnterpriseUser, EffectiveFrom: "2026-01-01", Price: 300 * unit.Yuan}}}}
		}
		n := 0
		for b.Loop() {
			n++
			us, err := st.PutUnits(ctx, []instruments.Unit{{Name: fmt.Sprintf("单位%d", n), Type: instruments.University, RegionCode: "500109"}})
			if err != nil {
				b.Fatal(err)
			}
			if res, err := svc.ImportInstruments(ctx, operator, rows, instruments.ImportOptions{UnitID: us[0].ID}); err != nil || res.Inserted != 1000 {
				b.Fatalf("%+v %v", res, err)
			}
			if res, err := svc.ImportInstruments(ctx, operator, rows, instruments.ImportOptions{UnitID: us[0].ID}); err != nil || res.Unchanged != 1000 {
				b.Fatalf("%+v %v", res, err)
			}
		}
	})
}
