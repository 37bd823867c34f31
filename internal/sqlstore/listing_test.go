package sqlstore

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/listing"
	"github.com/industrybrain/ibrain/internal/unit"
)

func lday(s string) time.Time { return day(s) }

// seedListingFirms writes three firms in regionA and one in regionB and
// returns their ids (A0, A1, A2, B0).
func seedListingFirms(t *testing.T, st *Store) []int64 {
	t.Helper()
	seedRegions(t, st)
	ids := seedFirms(t, st, "91500101MA", 3)
	e := enterprise.Enterprise{CreditCode: "91500102MA00000001", Name: "涪陵上市测试股份有限公司", RegionCode: regionB, IndustryCode: "3011", Founded: day("2005-01-01")}
	if _, err := st.UpsertEnterprises(context.Background(), []EnterpriseWithYear{{Enterprise: e}}); err != nil {
		t.Fatal(err)
	}
	all, err := st.EnterpriseIDs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return append(ids, all[e.CreditCode])
}

var anyCount = listing.AppendOptions{ExpectEvents: -1, By: "test"}

func TestListingAppend(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		ids := seedListingFirms(t, st)
		a := ids[0]
		f, err := st.AppendListingEvent(ctx, auth.All(), a, listing.Event{Stage: listing.StageReform, Date: lday("2023-05-01")}, anyCount)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Events) != 1 || f.Name == "" || f.RegionCode != regionA {
			t.Fatalf("after first append: %+v", f)
		}
		tut := listing.Event{Stage: listing.StageTutoring, Date: lday("2024-02-07"), AgreedOn: lday("2024-01-31"), Sponsor: "中信证券股份有限公司", Note: "备注"}
		if _, err := st.AppendListingEvent(ctx, auth.All(), a, tut, listing.AppendOptions{ExpectEvents: 1, By: "test"}); err != nil {
			t.Fatal(err)
		}
		// A skipped stage is refused and writes nothing.
		_, err = st.AppendListingEvent(ctx, auth.All(), a, listing.Event{Stage: listing.StageReview, Date: lday("2024-03-01")}, anyCount)
		if !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("skip: %v", err)
		}
		// A stale view is a conflict.
		_, err = st.AppendListingEvent(ctx, auth.All(), a, listing.Event{Stage: listing.StageAccepted, Date: lday("2024-06-01"), Board: listing.BoardSTAR}, listing.AppendOptions{ExpectEvents: 1})
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("stale: %v", err)
		}
		if n := countRows(t, st, "listing_event"); n != 2 {
			t.Fatalf("%d rows after refused appends, want 2", n)
		}
		got, err := st.ListingRecord(ctx, auth.All(), a)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Events) != 2 || !eventEqual(got.Events[1], tut) || got.Events[1].AgreedOn.Format("2006-01-02") != "2024-01-31" {
			t.Fatalf("stored history %+v", got.Events)
		}
		// Proceeds survive exactly, beyond 2^53 fen.
		big := unit.Fen(9_007_199_254_740_993)
		if _, err := st.AppendListingEvent(ctx, auth.All(), ids[1], listing.Event{Stage: listing.StageListed, Date: lday("2010-01-01"), Board: listing.BoardSSEMain, Kind: listing.KindIPO, Proceeds: big}, anyCount); err != nil {
			t.Fatal(err)
		}
		got, _ = st.ListingRecord(ctx, auth.All(), ids[1])
		if got.Events[0].Proceeds != big {
			t.Fatalf("proceeds %d, want %d", got.Events[0].Proceeds, big)
		}
		// A firm without events has an empty record; an unknown id is not found.
		if got, err := st.ListingRecord(ctx, auth.All(), ids[2]); err != nil || len(got.Events) != 0 {
			t.Fatalf("empty record: %v %+v", err, got)
		}
		if _, err := st.ListingRecord(ctx, auth.All(), 999999); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("unknown id: %v", err)
		}
	})
}

func TestListingScope(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		ids := seedListingFirms(t, st)
		a, b := ids[0], ids[3]
		for _, id := range []int64{a, b} {
			if _, err := st.AppendListingEvent(ctx, auth.All(), id, listing.Event{Stage: listing.StageReserve, Date: lday("2023-01-01")}, anyCount); err != nil {
				t.Fatal(err)
			}
		}
		// A district officer of B cannot read or write A's record.
		if _, err := st.ListingRecord(ctx, auth.Region(regionB), a); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("read across districts: %v", err)
		}
		if _, err := st.AppendListingEvent(ctx, auth.Region(regionB), a, listing.Event{Stage: listing.StageReform, Date: lday("2023-02-01")}, anyCount); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("write across districts: %v", err)
		}
		if _, err := st.AppendListingEvent(ctx, auth.Region(regionB), b, listing.Event{Stage: listing.StageReform, Date: lday("2023-02-01")}, anyCount); err != nil {
			t.Fatalf("write in own district: %v", err)
		}
		for _, c := range []struct {
			name string
			sc   auth.Scope
			want []int64
		}{
			{"city", auth.All(), []int64{a, b}},
			{"district A", auth.Region(regionA), []int64{a}},
			{"district B", auth.Region(regionB), []int64{b}},
			{"enterprise A", auth.Enterprise(a), []int64{a}},
			{"nothing", auth.Scope{}, nil},
		} {
			firms, err := st.ListingRecords(ctx, c.sc, listing.RecordFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, f := range firms {
				got = append(got, f.EnterpriseID)
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}
		// A city filter on a region narrows; within a district scope it
		// cannot widen.
		if firms, _ := st.ListingRecords(ctx, auth.Region(regionB), listing.RecordFilter{RegionCode: regionA}); len(firms) != 0 {
			t.Fatalf("district filter widened scope: %v", firms)
		}
	})
}

func TestListingPutRecords(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		ids := seedListingFirms(t, st)
		good := []listing.Record{
			{EnterpriseID: ids[0], Events: []listing.Event{{Stage: listing.StageReserve, Date: lday("2022-01-01")}, {Stage: listing.StageReform, Date: lday("2022-06-01")}}},
			{EnterpriseID: ids[1], Events: []listing.Event{{Stage: listing.StageListed, Date: lday("2023-08-01"), Board: listing.BoardSZSEMain, Kind: listing.KindRelocation}}},
		}
		bad := append(append([]listing.Record(nil), good...), listing.Record{EnterpriseID: ids[2], Events: []listing.Event{{Stage: listing.StageWithdrawn, Date: lday("2022-01-01")}}})
		if _, err := st.PutListingRecords(ctx, bad, "test"); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("bad batch: %v", err)
		}
		if n := countRows(t, st, "listing_event"); n != 0 {
			t.Fatalf("a refused batch wrote %d rows", n)
		}
		// An unknown enterprise fails the whole batch inside the transaction.
		if _, err := st.PutListingRecords(ctx, append(good, listing.Record{EnterpriseID: 424242, Events: good[0].Events}), "test"); err == nil || countRows(t, st, "listing_event") != 0 {
			t.Fatalf("unknown enterprise: %v, %d rows", err, countRows(t, st, "listing_event"))
		}
		res, err := st.PutListingRecords(ctx, good, "test")
		if err != nil || res != (UpsertResult{Inserted: 2}) {
			t.Fatalf("put: %+v %v", res, err)
		}
		res, err = st.PutListingRecords(ctx, good, "test")
		if err != nil || res != (UpsertResult{Unchanged: 2}) {
			t.Fatalf("put again: %+v %v", res, err)
		}
		changed := []listing.Record{{EnterpriseID: ids[0], Events: good[0].Events[:1]}}
		if res, err := st.PutListingRecords(ctx, changed, "test"); err != nil || res != (UpsertResult{Updated: 1}) {
			t.Fatalf("replace: %+v %v", res, err)
		}
		if n := countRows(t, st, "listing_event"); n != 2 {
			t.Fatalf("%d rows after replacing, want 2", n)
		}
	})
}

func TestListingList(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		ids := seedListingFirms(t, st)
		tut := func(date, sponsor string) listing.Event {
			return listing.Event{Stage: listing.StageTutoring, Date: lday(date), Sponsor: sponsor}
		}
		recs := []listing.Record{
			{EnterpriseID: ids[0], Events: []listing.Event{tut("2024-02-07", "中信证券股份有限公司")}},
			{EnterpriseID: ids[1], Events: []listing.Event{tut("2023-03-01", "国泰君安证券股份有限公司"), {Stage: listing.StageAccepted, Date: lday("2024-03-01"), Board: listing.BoardChiNext}}},
			{EnterpriseID: ids[2], Events: []listing.Event{{Stage: listing.StageListed, Date: lday("2015-01-01"), Board: listing.BoardHKEX, Kind: listing.KindIPO, Proceeds: unit.Yi}}},
			{EnterpriseID: ids[3], Events: []listing.Event{tut("2024-02-02", "国泰君安证券股份有限公司")}},
		}
		if _, err := st.PutListingRecords(ctx, recs, "test"); err != nil {
			t.Fatal(err)
		}
		list := func(sc auth.Scope, f listing.Filter) []int64 {
			t.Helper()
			p, err := listing.NewService(st).Firms(ctx, sc, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, it := range p.Items {
				out = append(out, it.EnterpriseID)
			}
			return append(out, int64(-p.Total)) // total last, negated
		}
		at := lday("2024-02-29")
		// In tutoring at 2024-02-29: ids[0] (02-07), ids[3] (02-02), ids[1] (2023-03-01); newest first.
		if got, want := list(auth.All(), listing.Filter{At: at, Stage: listing.StageTutoring}), []int64{ids[0], ids[3], ids[1], -3}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("tutoring %v, want %v", got, want)
		}
		// A month later ids[1] has moved on.
		if got := list(auth.All(), listing.Filter{At: lday("2024-03-31"), Stage: listing.StageTutoring}); len(got) != 3 {
			t.Fatalf("tutoring in March %v", got)
		}
		if got, want := list(auth.All(), listing.Filter{At: at, Stage: listing.StageTutoring, Limit: 1, Offset: 1}), []int64{ids[3], -3}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("page 2 %v, want %v", got, want)
		}
		if got, want := list(auth.All(), listing.Filter{At: at, Board: listing.BoardHKEX}), []int64{ids[2], -1}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("board %v, want %v", got, want)
		}
		if got, want := list(auth.All(), listing.Filter{At: at, RegionCode: regionB}), []int64{ids[3], -1}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("region %v, want %v", got, want)
		}
		if got, want := list(auth.Region(regionA), listing.Filter{At: at, Stage: listing.StageTutoring}), []int64{ids[0], ids[1], -2}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("district scope %v, want %v", got, want)
		}
		if got, want := list(auth.All(), listing.Filter{At: at, Query: "涪陵"}), []int64{ids[3], -1}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("query %v, want %v", got, want)
		}
	})
}

// TestListingConcurrentAppends races writers on one record and on many.
// However the transactions interleave, every stored history must be valid
// and numbered without gaps, and exactly one of several identical "next
// steps" may win.
func TestListingConcurrentAppends(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		ids := seedListingFirms(t, st)
		a := ids[0]
		if _, err := st.AppendListingEvent(ctx, auth.All(), a, listing.Event{Stage: listing.StageReform, Date: lday("2023-01-01")}, anyCount); err != nil {
			t.Fatal(err)
		}
		const writers = 8
		var wg sync.WaitGroup
		errs := make([]error, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ev := listing.Event{Stage: listing.StageTutoring, Date: lday("2023-06-01"), Sponsor: fmt.Sprintf("券商%d", i)}
				_, errs[i] = st.AppendListingEvent(ctx, auth.All(), a, ev, anyCount)
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !apperr.Is(err, apperr.Invalid):
				t.Fatalf("unexpected error: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d writers appended the same next step, want exactly 1", won)
		}
		// Many firms, each walking its whole pipeline, concurrently: every
		// step after reading the current count (optimistic), retrying on
		// conflict.
		steps := []listing.Event{
			{Stage: listing.StageReserve, Date: lday("2020-01-01")},
			{Stage: listing.StageReform, Date: lday("2020-06-01")},
			{Stage: listing.StageTutoring, Date: lday("2021-01-01"), Sponsor: "中信证券股份有限公司"},
			{Stage: listing.StageAccepted, Date: lday("2022-01-01"), Board: listing.BoardSTAR},
			{Stage: listing.StageReview, Date: lday("2022-06-01")},
			{Stage: listing.StageRegistered, Date: lday("2022-08-01")},
			{Stage: listing.StageListed, Date: lday("2022-09-01"), Board: listing.BoardSTAR, Kind: listing.KindIPO, Proceeds: 12 * unit.Yi},
		}
		firms := []int64{ids[1], ids[2], ids[3]}
		errCh := make(chan error, 2*len(firms))
		for _, id := range firms {
			for range 2 { // two writers per firm, both walking the same steps
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						rec, err := st.ListingRecord(ctx, auth.All(), id)
						if err != nil {
							errCh <- err
							return
						}
						n := len(rec.Events)
						if n == len(steps) {
							return
						}
						_, err = st.AppendListingEvent(ctx, auth.All(), id, steps[n], listing.AppendOptions{ExpectEvents: n})
						if err != nil && !apperr.Is(err, apperr.Conflict) {
							errCh <- err
							return
						}
					}
				}()
			}
		}
		wg.Wait()
		close(errCh)
		for err := range errCh {
			t.Fatal(err)
		}
		all, err := st.ListingRecords(ctx, auth.All(), listing.RecordFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range all {
			if err := f.Validate(); err != nil {
				t.Fatalf("firm %d: stored history invalid: %v", f.EnterpriseID, err)
			}
		}
		for _, id := range firms {
			var n, maxSeq int
			if err := st.read.QueryRowContext(ctx, `SELECT COUNT(*), MAX(seq) FROM listing_event WHERE enterprise_id = $1`, id).Scan(&n, &maxSeq); err != nil {
				t.Fatal(err)
			}
			if n != len(steps) || maxSeq != len(steps) {
				t.Fatalf("firm %d: %d events, max seq %d, want %d", id, n, maxSeq, len(steps))
			}
		}
	})
}

// TestListingRecordsEventOrder: the records list a firm's events in their
// sequence whatever the table's physical order. The rows are read in the
// table's order, which an update moves on PostgreSQL (a new row version)
// and a changed rowid moves on SQLite; here the firm's first event is
// moved behind the others, in the city's scope and in a district's.
func TestListingRecordsEventOrder(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		ids := seedListingFirms(t, st)
		a := ids[0]
		history := []listing.Event{
			{Stage: listing.StageReform, Date: lday("2022-03-01")},
			{Stage: listing.StageTutoring, Date: lday("2023-02-07"), AgreedOn: lday("2023-01-31"), Sponsor: "中信证券股份有限公司"},
			{Stage: listing.StageAccepted, Date: lday("2024-04-01"), Board: listing.BoardSTAR},
		}
		for _, ev := range history {
			if _, err := st.AppendListingEvent(ctx, auth.All(), a, ev, anyCount); err != nil {
				t.Fatal(err)
			}
		}
		// A firm of another district with events of its own, which a
		// district's records must not show.
		if _, err := st.AppendListingEvent(ctx, auth.All(), ids[3], history[0], anyCount); err != nil {
			t.Fatal(err)
		}
		move := `UPDATE listing_event SET note = note || '' WHERE enterprise_id = $1 AND seq = (SELECT MIN(seq) FROM listing_event WHERE enterprise_id = $1)`
		if st.engine == SQLite {
			move = `UPDATE listing_event SET rowid = (SELECT MAX(rowid) + 1 FROM listing_event) WHERE enterprise_id = $1 AND seq = (SELECT MIN(seq) FROM listing_event WHERE enterprise_id = $1)`
		}
		if _, err := st.write.ExecContext(ctx, move, a); err != nil {
			t.Fatal(err)
		}
		for _, sc := range []auth.Scope{auth.All(), auth.Region(regionA)} {
			firms, err := st.ListingRecords(ctx, sc, listing.RecordFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if sc.IsAll() {
				if len(firms) != 2 || firms[1].EnterpriseID != ids[3] || len(firms[1].Events) != 1 {
					t.Fatalf("city: %+v", firms)
				}
				firms = firms[:1]
			}
			if len(firms) != 1 || firms[0].EnterpriseID != a || len(firms[0].Events) != len(history) {
				t.Fatalf("scope %v: %+v", sc, firms)
			}
			for i, ev := range firms[0].Events {
				if !eventEqual(ev, history[i]) {
					t.Fatalf("scope %v: event %d is %+v, want %+v", sc, i, ev, history[i])
				}
			}
		}
	})
}

// TestListingRecordsFollowWrites: the records are kept between reads
// (listingMemo), and every write that changes them is seen by the next
// read: an appended event, a replaced history, a firm renamed and moved
// to another district. A caller appending to the events it was given
// does not change what the next caller reads.
func TestListingRecordsFollowWrites(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		ids := seedListingFirms(t, st)
		a := ids[0]
		read := func(sc auth.Scope) []listing.Firm {
			t.Helper()
			firms, err := st.ListingRecords(ctx, sc, listing.RecordFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return firms
		}
		if got := read(auth.All()); len(got) != 0 {
			t.Fatalf("before any event: %+v", got)
		}
		reserve := listing.Event{Stage: listing.StageReserve, Date: lday("2023-01-01")}
		if _, err := st.AppendListingEvent(ctx, auth.All(), a, reserve, anyCount); err != nil {
			t.Fatal(err)
		}
		got := read(auth.All())
		if len(got) != 1 || len(got[0].Events) != 1 {
			t.Fatalf("after an append: %+v", got)
		}
		got[0].Events = append(got[0].Events, listing.Event{Stage: listing.StageListed})
		got[0].Name = "changed by a caller"
		if again := read(auth.All()); len(again[0].Events) != 1 || again[0].Name == got[0].Name {
			t.Fatalf("a caller's change reached the kept records: %+v", again)
		}
		reform := listing.Event{Stage: listing.StageReform, Date: lday("2023-06-01")}
		if _, err := st.AppendListingEvent(ctx, auth.All(), a, reform, anyCount); err != nil {
			t.Fatal(err)
		}
		if got := read(auth.All()); len(got) != 1 || len(got[0].Events) != 2 || got[0].Events[1].Stage != listing.StageReform {
			t.Fatalf("after a second append: %+v", got)
		}
		if _, err := st.PutListingRecords(ctx, []listing.Record{{EnterpriseID: a, Events: []listing.Event{reserve}}}, "test"); err != nil {
			t.Fatal(err)
		}
		if got := read(auth.All()); len(got) != 1 || len(got[0].Events) != 1 {
			t.Fatalf("after replacing the history: %+v", got)
		}
		// The firm renamed and moved from district A to B.
		var code string
		if err := st.read.QueryRowContext(ctx, `SELECT credit_code FROM enterprise WHERE id = $1`, a).Scan(&code); err != nil {
			t.Fatal(err)
		}
		moved := enterprise.Enterprise{CreditCode: code, Name: "迁址上市测试股份有限公司", RegionCode: regionB, IndustryCode: "3011", Founded: day("2005-01-01")}
		if _, err := st.UpsertEnterprises(ctx, []EnterpriseWithYear{{Enterprise: moved}}); err != nil {
			t.Fatal(err)
		}
		if got := read(auth.Region(regionA)); len(got) != 0 {
			t.Fatalf("district A after the move: %+v", got)
		}
		if got := read(auth.Region(regionB)); len(got) != 1 || got[0].Name != moved.Name || got[0].RegionCode != regionB {
			t.Fatalf("district B after the move: %+v", got)
		}
	})
}
