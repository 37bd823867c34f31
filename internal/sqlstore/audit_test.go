package sqlstore

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/audit"
)

// auditClock is the trail's hand-set clock.
type auditClock struct{ t time.Time }

func (c *auditClock) now() time.Time { return c.t }

func recordN(t *testing.T, svc *audit.Service, n int) {
	t.Helper()
	for i := range n {
		if err := svc.Record(context.Background(), audit.Event{Action: audit.SignIn, Actor: fmt.Sprintf("user%d", i), IP: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
	}
}

func verifyProblems(t *testing.T, svc *audit.Service) []string {
	t.Helper()
	rep, err := svc.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range rep.Problems {
		out = append(out, p.String())
	}
	return out
}

// TestAuditChainNamesEditedAndDeletedRecords: an intact trail verifies;
// editing a record's field, deleting a record in the middle, deleting the
// newest record, and editing a record then re-hashing it each make Verify
// name the record.
func TestAuditChainNamesEditedAndDeletedRecords(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		clock := &auditClock{t: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)}
		svc := audit.NewService(st, audit.Options{Now: clock.now})
		recordN(t, svc, 8)
		if got := verifyProblems(t, svc); len(got) != 0 {
			t.Fatalf("intact trail: problems %v", got)
		}
		events, err := svc.Search(ctx, audit.Query{})
		if err != nil || len(events) != 8 || events[0].Seq != 1 || events[7].Seq != 8 {
			t.Fatalf("search: %v %+v", err, events)
		}

		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := st.write.ExecContext(ctx, q, args...); err != nil {
				t.Fatal(err)
			}
		}
		exec(`UPDATE audit_event SET actor = 'someone-else' WHERE seq = 3`)
		exec(`DELETE FROM audit_event WHERE seq = 5`)
		exec(`DELETE FROM audit_event WHERE seq = 8`)
		want := []string{"record 3 edited", "record 5 deleted", "record 8 deleted"}
		if got := verifyProblems(t, svc); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("problems %v, want %v", got, want)
		}

		// An edit that also recomputes the record's own hash is caught by
		// its successor's link.
		e2 := events[1]
		e2.Detail = "rewritten"
		exec(`UPDATE audit_event SET detail = $1, hash = $2 WHERE seq = 2`, e2.Detail, e2.ComputeHash())
		got := verifyProblems(t, svc)
		if len(got) == 0 || got[0] != "record 2 relinked" {
			t.Errorf("re-hashed edit: problems %v, want record 2 first", got)
		}
	})
}

// TestAuditConcurrentAppendsStayChained: writers in parallel never fork
// the chain or leave a gap.
func TestAuditConcurrentAppendsStayChained(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		svc := audit.NewService(st, audit.Options{})
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for i := range 10 {
					if err := svc.Record(context.Background(), audit.Event{Action: audit.Export, Actor: fmt.Sprintf("w%d-%d", w, i)}); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		rep, err := svc.Verify(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() || rep.Checked != 40 || rep.Head.LastSeq != 40 {
			t.Errorf("report %+v", rep)
		}
	})
}

// TestAuditArchiveKeepsRetentionAndVerifies: only events older than the
// retention (at least 180 days) leave the database, they are written to
// the archive first with their hashes, and the remaining chain verifies
// from the archive mark; a damaged trail is not archived.
func TestAuditArchiveKeepsRetentionAndVerifies(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		clock := &auditClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
		// A configured retention below the minimum is raised to it.
		svc := audit.NewService(st, audit.Options{Now: clock.now, Retention: 24 * time.Hour})
		recordN(t, svc, 3) // 2025-01-01
		clock.t = clock.t.Add(100 * 24 * time.Hour)
		recordN(t, svc, 2) // 100 days later
		clock.t = clock.t.Add(100 * 24 * time.Hour)
		recordN(t, svc, 1) // 200 days after the first

		var buf bytes.Buffer
		res, err := svc.Archive(ctx, &buf, "audit-2025.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		// 200 days after the first three, only they are past 180 days.
		if res.Count != 3 || res.FromSeq != 1 || res.ToSeq != 3 {
			t.Errorf("archive %+v", res)
		}
		if n := strings.Count(buf.String(), "\n"); n != 3 || !strings.Contains(buf.String(), `"seq":3`) {
			t.Errorf("archive file: %q", buf.String())
		}
		if got := verifyProblems(t, svc); len(got) != 0 {
			t.Errorf("after archive: problems %v", got)
		}
		left, _ := svc.Search(ctx, audit.Query{})
		if len(left) != 4 || left[0].Seq != 4 || left[3].Action != audit.Archived {
			t.Errorf("left after archive: %+v", left)
		}
		if _, err := st.write.ExecContext(ctx, `DELETE FROM audit_event WHERE seq = 4`); err != nil {
			t.Fatal(err)
		}
		clock.t = clock.t.Add(365 * 24 * time.Hour)
		buf.Reset()
		if _, err := svc.Archive(ctx, &buf, "x.jsonl"); err == nil || !strings.Contains(err.Error(), "record 4 deleted") {
			t.Errorf("archiving a damaged trail: %v", err)
		}
		if buf.Len() != 0 {
			t.Errorf("a damaged trail was written out: %q", buf.String())
		}
	})
}
