package auditweb

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/industrybrain/ibrain/internal/audit"
	"github.com/industrybrain/ibrain/internal/web"
)

// apiEvent is one record as the API shows it, hashes included so a
// client can check the chain itself.
type apiEvent struct {
	Seq      int64  `json:"seq"`
	At       string `json:"at"`
	ActorID  int64  `json:"actor_id"`
	Actor    string `json:"actor"`
	Action   string `json:"action"`
	Target   string `json:"target"`
	Outcome  string `json:"outcome"`
	IP       string `json:"ip"`
	Detail   string `json:"detail"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

type apiEvents struct {
	Events []apiEvent `json:"events"`
	// Next is the after= value of the next page; 0 on the last page.
	Next int64 `json:"next"`
}

type apiVerify struct {
	OK          bool     `json:"ok"`
	Checked     int64    `json:"checked"`
	LastSeq     int64    `json:"last_seq"`
	LastHash    string   `json:"last_hash"`
	ArchivedSeq int64    `json:"archived_seq"`
	Problems    []string `json:"problems"`
}

func toAPI(e audit.Event) apiEvent {
	return apiEvent{Seq: e.Seq, At: e.At.UTC().Format(time.RFC3339Nano), ActorID: e.ActorID, Actor: e.Actor, Action: string(e.Action),
		Target: e.Target, Outcome: e.Outcome, IP: e.IP, Detail: e.Detail, PrevHash: e.PrevHash, Hash: e.Hash}
}

// query reads the search parameters: from and to (dates, to inclusive),
// actor, action, outcome, after (a sequence number) and limit.
func query(q url.Values) (audit.Query, error) {
	var out audit.Query
	var err error
	if out.From, err = web.DateParam(q, "from", time.Time{}); err != nil {
		return out, err
	}
	if out.To, err = web.DateParam(q, "to", time.Time{}); err != nil {
		return out, err
	}
	if !out.To.IsZero() {
		out.To = out.To.AddDate(0, 0, 1)
	}
	out.Actor, out.Action, out.Outcome = q.Get("actor"), audit.Action(q.Get("action")), q.Get("outcome")
	if s := q.Get("after"); s != "" {
		if out.AfterSeq, err = strconv.ParseInt(s, 10, 64); err != nil || out.AfterSeq < 0 {
			return out, web.BadParam("after", "a sequence number")
		}
	}
	limit, err := web.IntParam(q, "limit", 100, 1, audit.MaxLimit)
	if err != nil {
		return out, err
	}
	out.Limit = limit
	return out, nil
}

// apiEvents is GET /api/v1/audit/events.
func (m *module) apiEvents(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	q, err := query(r.URL.Query())
	if err != nil {
		return err
	}
	events, err := m.svc.Search(r.Context(), q)
	if err != nil {
		return err
	}
	out := apiEvents{Events: make([]apiEvent, 0, len(events))}
	for _, e := range events {
		out.Events = append(out.Events, toAPI(e))
	}
	if len(events) == q.Limit {
		out.Next = events[len(events)-1].Seq
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiExport is GET /api/v1/audit/events.jsonl: every matching record as
// JSON lines (the export itself is recorded by the web core).
func (m *module) apiExport(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	q, err := query(r.URL.Query())
	if err != nil {
		return err
	}
	q.Limit = audit.MaxLimit
	w.Header().Set("Content-Type", "application/jsonl; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="audit.jsonl"`)
	for {
		page, err := m.svc.Search(r.Context(), q)
		if err != nil {
			return err
		}
		if err := audit.WriteJSONLines(w, page); err != nil {
			return err
		}
		if len(page) < q.Limit {
			return nil
		}
		q.AfterSeq = page[len(page)-1].Seq
	}
}

// apiVerify is GET /api/v1/audit/verify.
func (m *module) apiVerify(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	rep, err := m.svc.Verify(r.Context())
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toVerify(rep))
	return nil
}

func toVerify(rep audit.Report) apiVerify {
	out := apiVerify{OK: rep.OK(), Checked: rep.Checked, LastSeq: rep.Head.LastSeq, LastHash: rep.Head.LastHash,
		ArchivedSeq: rep.Head.ArchivedSeq, Problems: []string{}}
	for _, p := range rep.Problems {
		out.Problems = append(out.Problems, p.String())
	}
	return out
}
