package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/digital"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The digital-transformation records (internal/digital): projects with
// their events, yearly maturity and recognitions. The sets are a few
// thousand rows a year, so readers take whole sets in scope and the
// domain computes every figure.

// digitalCond is the scope and filter condition over enterprise alias e,
// with its arguments, numbered from next.
func digitalCond(sc auth.Scope, f digital.RecordFilter, next int) (string, []any) {
	where, args := scopeClause(sc, "e", next)
	if f.RegionCode != "" {
		args = append(args, f.RegionCode)
		where += fmt.Sprintf(" AND e.region_code = $%d", next+len(args)-1)
	}
	if f.EnterpriseID != 0 {
		args = append(args, f.EnterpriseID)
		where += fmt.Sprintf(" AND e.id = $%d", next+len(args)-1)
	}
	return where, args
}

type digitalMeasure struct {
	Indicator string `json:"i"`
	Before    int64  `json:"b"`
	After     int64  `json:"a"`
}

func encodeMeasures(ms []digital.Measure) string {
	out := make([]digitalMeasure, len(ms))
	for i, m := range ms {
		out[i] = digitalMeasure{string(m.Indicator), m.Before, m.After}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func decodeMeasures(s string) ([]digital.Measure, error) {
	var in []digitalMeasure
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, err
	}
	var out []digital.Measure
	for _, m := range in {
		out = append(out, digital.Measure{Indicator: digital.Indicator(m.Indicator), Before: m.Before, After: m.After})
	}
	return out, nil
}

// digitalProjects reads the projects matching cond (over p and e) with
// their events, ordered by id.
func (s *Store) digitalProjects(ctx context.Context, q queryer, cond string, args []any) ([]digital.Project, error) {
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.code, p.enterprise_id, p.name, p.kind, p.cluster_code, p.scenarios, p.planned, p.demonstration,
		p.start_on, p.end_on, p.measures, p.review_state, p.review_reason, e.credit_code, e.name, e.region_code
		FROM digital_project p JOIN enterprise e ON e.id = p.enterprise_id WHERE `+cond+` ORDER BY p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: digital projects: %w", err)
	}
	var out []digital.Project
	for rows.Next() {
		var p digital.Project
		var kind, scen, start, end, measures, rstate string
		var planned int64
		var demo int
		if err := rows.Scan(&p.ID, &p.Code, &p.EnterpriseID, &p.Name, &kind, &p.ClusterCode, &scen, &planned, &demo,
			&start, &end, &measures, &rstate, &p.ReviewReason, &p.CreditCode, &p.FirmName, &p.RegionCode); err != nil {
			rows.Close()
			return nil, err
		}
		p.Kind, p.Planned, p.Demonstration, p.Review = digital.Kind(kind), unit.Fen(planned), demo == 1, review.State(rstate)
		if scen != "" {
			p.Scenarios = strings.Split(scen, ",")
		}
		p.StartOn, p.EndOn = parseDate(start), parseDate(end)
		if p.Measures, err = decodeMeasures(measures); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: digital project %d measures: %w", p.ID, err)
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]int64, len(out))
	for i, p := range out {
		ids[i] = p.ID
	}
	// Unfiltered, the events are read in key order without joins (a third
	// of the time of the joined read on SQLite); filtered, through the
	// projects the condition selects.
	evq := `SELECT v.project_id, v.stage, v.event_date, v.level, v.amount, v.note FROM digital_event v`
	if cond != "1 = 1" {
		evq += ` WHERE v.project_id IN (SELECT p.id FROM digital_project p JOIN enterprise e ON e.id = p.enterprise_id WHERE ` + cond + `)`
	}
	evs, err := q.QueryContext(ctx, evq+` ORDER BY v.project_id, v.seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: digital events: %w", err)
	}
	defer evs.Close()
	for evs.Next() {
		var id, amount int64
		var stage, date, level string
		var ev digital.Event
		if err := evs.Scan(&id, &stage, &date, &level, &amount, &ev.Note); err != nil {
			return nil, err
		}
		ev.Stage, ev.Date, ev.Level, ev.Amount = digital.Stage(stage), parseDate(date), digital.Level(level), unit.Fen(amount)
		if i, ok := slices.BinarySearch(ids, id); ok {
			out[i].Events = append(out[i].Events, ev)
		}
	}
	return out, evs.Err()
}

// DigitalProjects returns the projects of the firms in scope.
func (s *Store) DigitalProjects(ctx context.Context, sc auth.Scope, f digital.RecordFilter) ([]digital.Project, error) {
	cond, args := digitalCond(sc, f, 1)
	return s.digitalProjects(ctx, s.read, cond, args)
}

// DigitalProject returns one project; outside the scope it is not found.
func (s *Store) DigitalProject(ctx context.Context, sc auth.Scope, id int64) (digital.Project, error) {
	return s.digitalProject(ctx, s.read, sc, id)
}

func (s *Store) digitalProject(ctx context.Context, q queryer, sc auth.Scope, id int64) (digital.Project, error) {
	cond, args := digitalCond(sc, digital.RecordFilter{}, 2)
	ps, err := s.digitalProjects(ctx, q, "p.id = $1 AND "+cond, append([]any{id}, args...))
	if err != nil {
		return digital.Project{}, err
	}
	if len(ps) == 0 {
		return digital.Project{}, apperr.New(apperr.NotFound, "err.digital.project_not_found")
	}
	return ps[0], nil
}

// DigitalFirm returns a firm's registry facts; outside the scope it is not
// found.
func (s *Store) DigitalFirm(ctx context.Context, sc auth.Scope, id int64) (digital.FirmRef, error) {
	return s.digitalFirm(ctx, s.read, sc, id)
}

func (s *Store) digitalFirm(ctx context.Context, q queryer, sc auth.Scope, id int64) (digital.FirmRef, error) {
	ref := digital.FirmRef{ID: id}
	where, args := scopeClause(sc, "e", 2)
	err := q.QueryRowContext(ctx, `SELECT e.credit_code, e.name, e.region_code FROM enterprise e WHERE e.id = $1 AND `+where,
		append([]any{id}, args...)...).Scan(&ref.CreditCode, &ref.Name, &ref.RegionCode)
	if errors.Is(err, sql.ErrNoRows) {
		return ref, apperr.New(apperr.NotFound, "err.enterprise_not_found")
	}
	return ref, err
}

// DigitalFirmIDs resolves credit codes (upper case) to the firms in scope.
func (s *Store) DigitalFirmIDs(ctx context.Context, sc auth.Scope, codes []string) (map[string]int64, error) {
	norm := make([]string, len(codes))
	for i, c := range codes {
		norm[i] = strings.ToUpper(strings.TrimSpace(c))
	}
	return s.EnterpriseIDsOf(ctx, sc, norm)
}

// CreateDigitalProject stores a new project with its history. The firm
// must be in scope and the code new; an empty cluster is filled from the
// firm's industry in the catalogue of the application year.
func (s *Store) CreateDigitalProject(ctx context.Context, sc auth.Scope, p digital.Project, opts digital.WriteOptions) (digital.Project, error) {
	var out digital.Project
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.digitalFirm(ctx, tx, sc, p.EnterpriseID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM digital_project WHERE code = $1`, p.Code).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "err.digital.code_taken", p.Code)
		}
		if p.ClusterCode == "" {
			err := tx.QueryRowContext(ctx, `SELECT COALESCE(m.cluster_code, '') FROM enterprise e
				LEFT JOIN industry_map m ON m.industry_code = e.industry_code AND m.year = $2 WHERE e.id = $1`,
				p.EnterpriseID, p.AppliedOn().Year()).Scan(&p.ClusterCode)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if opts.Rules != nil {
			if err := p.Validate(opts.Rules); err != nil {
				return err
			}
		}
		ids, err := s.insertDigitalProjects(ctx, tx, []digital.Project{p}, opts.By)
		if err != nil {
			return err
		}
		// The application entered online is the review's submission.
		if _, err := tx.ExecContext(ctx, `UPDATE digital_project SET review_state = $2 WHERE id = $1`, ids[0], string(review.Submitted)); err != nil {
			return err
		}
		if err := appendReviewEventTx(ctx, tx, digitalReviewEvent(ids[0], p, review.Submit, review.Missing, review.Submitted, "", opts, s.now())); err != nil {
			return err
		}
		out, err = s.digitalProject(ctx, tx, auth.All(), ids[0])
		return err
	})
	return out, err
}

// digitalProjectToWrite reads a project in scope inside a write
// transaction, refusing a stale view of its history.
func (s *Store) digitalProjectToWrite(ctx context.Context, tx *sql.Tx, sc auth.Scope, id int64, opts digital.WriteOptions) (digital.Project, error) {
	p, err := s.digitalProject(ctx, tx, sc, id)
	if err != nil {
		return p, err
	}
	if opts.ExpectEvents >= 0 && opts.ExpectEvents != len(p.Events) {
		return p, apperr.New(apperr.Conflict, "err.digital.stale", opts.ExpectEvents, len(p.Events))
	}
	return p, nil
}

// digitalReviewEvent is a project's review step as the shared history keeps
// it: subject the project id, period the application year.
func digitalReviewEvent(id int64, p digital.Project, a review.Action, from, to review.State, reason string, opts digital.WriteOptions, at time.Time) review.Event {
	return review.Event{Domain: digital.ReviewDomain, Subject: strconv.FormatInt(id, 10), Period: review.Period{Year: p.AppliedOn().Year()},
		Action: a, From: from, To: to, ActorID: opts.ActorID, At: at, Reason: reason}
}

// ReviewDigitalProject decides a review step (digital.DecideReview) on the
// stored project and writes it in one transaction: the corrected fields,
// the review state and reason, the approved event and the review event.
func (s *Store) ReviewDigitalProject(ctx context.Context, sc auth.Scope, id int64, step digital.ReviewStep, opts digital.WriteOptions) (digital.Project, error) {
	var out digital.Project
	if opts.Rules == nil {
		return out, errors.New("sqlstore: digital review without rules")
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		p, err := s.digitalProjectToWrite(ctx, tx, sc, id, opts)
		if err != nil {
			return err
		}
		o, err := digital.DecideReview(p, step, opts.Rules)
		if err != nil {
			return err
		}
		np := o.Project
		if _, err := tx.ExecContext(ctx, `UPDATE digital_project SET name = $2, planned = $3, scenarios = $4, review_state = $5, review_reason = $6,
			recorded_at = $7, recorded_by = $8 WHERE id = $1`, id, np.Name, int64(np.Planned), strings.Join(np.Scenarios, ","),
			string(np.Review), np.ReviewReason, s.unix(), opts.By); err != nil {
			return err
		}
		if o.Event != nil {
			ev := *o.Event
			if err := s.insertDigitalEvents(ctx, tx, 1, func(int) (int64, int, digital.Event) { return id, len(np.Events), ev }, opts.By); err != nil {
				return err
			}
		}
		if err := appendReviewEventTx(ctx, tx, digitalReviewEvent(id, np, step.Action, o.From, o.To, step.Reason, opts, s.now())); err != nil {
			return err
		}
		out, err = s.digitalProject(ctx, tx, sc, id)
		return err
	})
	return out, err
}

// insertDigitalProjects inserts projects and their events in batches and
// returns their ids in order.
func (s *Store) insertDigitalProjects(ctx context.Context, tx *sql.Tx, ps []digital.Project, by string) ([]int64, error) {
	const per = 13
	now := s.unix()
	for start := 0; start < len(ps); start += 200 {
		chunk := ps[start:min(start+200, len(ps))]
		args := make([]any, 0, len(chunk)*per)
		for _, p := range chunk {
			demo := 0
			if p.Demonstration {
				demo = 1
			}
			args = append(args, p.Code, p.EnterpriseID, p.Name, string(p.Kind), p.ClusterCode, strings.Join(p.Scenarios, ","), int64(p.Planned), demo,
				formatDate(p.StartOn), formatDate(p.EndOn), encodeMeasures(p.Measures), now, by)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO digital_project (code, enterprise_id, name, kind, cluster_code, scenarios, planned, demonstration,
			start_on, end_on, measures, recorded_at, recorded_by) VALUES `+numbered(len(chunk), per), args...); err != nil {
			return nil, fmt.Errorf("sqlstore: digital projects: %w", err)
		}
	}
	ids := make([]int64, len(ps))
	byCode := map[string]int{}
	codes := make([]any, 0, len(ps))
	for i, p := range ps {
		byCode[p.Code] = i
		codes = append(codes, p.Code)
	}
	for start := 0; start < len(codes); start += idChunk {
		chunk := codes[start:min(start+idChunk, len(codes))]
		rows, err := tx.QueryContext(ctx, `SELECT id, code FROM digital_project WHERE code IN (`+inList(1, len(chunk))+`)`, chunk...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var code string
			if err := rows.Scan(&id, &code); err != nil {
				rows.Close()
				return nil, err
			}
			ids[byCode[code]] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	type evRow struct {
		id  int64
		seq int
		ev  digital.Event
	}
	var evs []evRow
	for i, p := range ps {
		for j, ev := range p.Events {
			evs = append(evs, evRow{ids[i], j + 1, ev})
		}
	}
	return ids, s.insertDigitalEvents(ctx, tx, len(evs), func(i int) (int64, int, digital.Event) { return evs[i].id, evs[i].seq, evs[i].ev }, by)
}

func (s *Store) insertDigitalEvents(ctx context.Context, tx *sql.Tx, n int, at func(int) (int64, int, digital.Event), by string) error {
	const per = 9
	now := s.unix()
	for start := 0; start < n; start += 400 {
		end := min(start+400, n)
		args := make([]any, 0, (end-start)*per)
		for i := start; i < end; i++ {
			id, seq, ev := at(i)
			args = append(args, id, seq, string(ev.Stage), formatDate(ev.Date), string(ev.Level), int64(ev.Amount), ev.Note, now, by)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO digital_event (project_id, seq, stage, event_date, level, amount, note, recorded_at, recorded_by)
			VALUES `+numbered(end-start, per), args...); err != nil {
			return fmt.Errorf("sqlstore: digital events: %w", err)
		}
	}
	return nil
}

// AppendDigitalEvent judges ev as the next step of the project and stores
// it in one transaction, so two concurrent steps are judged one after the
// other against the history each saw.
func (s *Store) AppendDigitalEvent(ctx context.Context, sc auth.Scope, id int64, ev digital.Event, opts digital.WriteOptions) (digital.Project, error) {
	var out digital.Project
	if opts.Rules == nil {
		return out, errors.New("sqlstore: digital event without rules")
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		p, err := s.digitalProjectToWrite(ctx, tx, sc, id, opts)
		if err != nil {
			return err
		}
		from := p.ReviewState()
		decision := ev.Stage == digital.StageApproved || ev.Stage == digital.StageRejected
		if decision && from == review.Returned {
			// A returned application waits for the applicant's correction.
			return apperr.New(apperr.Conflict, "review.err.transition", string(review.Accept), string(from))
		}
		np, err := p.Append(ev, opts.Rules)
		if err != nil {
			return err
		}
		if err := s.insertDigitalEvents(ctx, tx, 1, func(int) (int64, int, digital.Event) { return id, len(np.Events), ev }, opts.By); err != nil {
			return err
		}
		if ev.Stage == digital.StageApproved && from == review.Submitted {
			// Approving through the history is the review's accept.
			if _, err := tx.ExecContext(ctx, `UPDATE digital_project SET review_state = $2, review_reason = '' WHERE id = $1`, id, string(review.Accepted)); err != nil {
				return err
			}
			if err := appendReviewEventTx(ctx, tx, digitalReviewEvent(id, p, review.Accept, from, review.Accepted, ev.Note, opts, s.now())); err != nil {
				return err
			}
			np.Review = review.Accepted
		}
		out = np
		return nil
	})
	return out, err
}

// PutDigitalProjects writes whole projects keyed by code in one
// transaction: a new code is inserted, a changed project of the same firm
// replaced with its history, an equal one left alone. A code held by
// another firm, or a firm outside the scope, refuses the whole write.
func (s *Store) PutDigitalProjects(ctx context.Context, sc auth.Scope, ps []digital.Project, opts digital.WriteOptions) (digital.ImportResult, error) {
	var res digital.ImportResult
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res = digital.ImportResult{}
		if !sc.IsAll() {
			for _, p := range ps {
				if _, err := s.digitalFirm(ctx, tx, sc, p.EnterpriseID); err != nil {
					return err
				}
			}
		}
		existing := map[string]digital.Project{}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM digital_project`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			cur, err := s.digitalProjects(ctx, tx, "1 = 1", nil)
			if err != nil {
				return err
			}
			for _, p := range cur {
				existing[p.Code] = p
			}
		}
		var fresh []digital.Project
		for _, p := range ps {
			cur, ok := existing[p.Code]
			switch {
			case !ok:
				fresh = append(fresh, p)
				res.Inserted++
				continue
			case cur.EnterpriseID != p.EnterpriseID:
				return apperr.New(apperr.Conflict, "err.digital.code_taken", p.Code)
			case p.ClusterCode == "":
				// Without a cluster the stored one (filled from the
				// firm's industry) stands.
				p.ClusterCode = cur.ClusterCode
			}
			if projectEqual(cur, p) {
				res.Unchanged++
				continue
			}
			res.Updated++
			demo := 0
			if p.Demonstration {
				demo = 1
			}
			if _, err := tx.ExecContext(ctx, `UPDATE digital_project SET name = $2, kind = $3, cluster_code = $4, scenarios = $5, planned = $6,
				demonstration = $7, start_on = $8, end_on = $9, measures = $10, recorded_at = $11, recorded_by = $12 WHERE id = $1`,
				cur.ID, p.Name, string(p.Kind), p.ClusterCode, strings.Join(p.Scenarios, ","), int64(p.Planned), demo,
				formatDate(p.StartOn), formatDate(p.EndOn), encodeMeasures(p.Measures), s.unix(), opts.By); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM digital_event WHERE project_id = $1`, cur.ID); err != nil {
				return err
			}
			if err := s.insertDigitalEvents(ctx, tx, len(p.Events), func(i int) (int64, int, digital.Event) { return cur.ID, i + 1, p.Events[i] }, opts.By); err != nil {
				return err
			}
		}
		ids, err := s.insertDigitalProjects(ctx, tx, fresh, opts.By)
		if err != nil {
			return err
		}
		// An imported application not yet decided enters the review as
		// submitted, with the import as its submission in the history.
		now := s.now()
		for i, p := range fresh {
			if p.ReviewState() != review.Submitted {
				continue
			}
			if err := appendReviewEventTx(ctx, tx, digitalReviewEvent(ids[i], p, review.Submit, review.Missing, review.Submitted, "import", opts, now)); err != nil {
				return err
			}
		}
		// A project without a cluster takes its firm's, by the industry
		// code in the latest catalogue year.
		_, err = tx.ExecContext(ctx, `UPDATE digital_project SET cluster_code = COALESCE((SELECT m.cluster_code FROM enterprise e
			JOIN industry_map m ON m.industry_code = e.industry_code WHERE e.id = digital_project.enterprise_id
			AND m.year = (SELECT MAX(year) FROM industry_map)), '') WHERE cluster_code = ''`)
		return err
	})
	if err != nil {
		return digital.ImportResult{}, err
	}
	return res, nil
}

func projectEqual(a, b digital.Project) bool {
	return a.Name == b.Name && a.Kind == b.Kind && a.ClusterCode == b.ClusterCode && slices.Equal(a.Scenarios, b.Scenarios) &&
		a.Planned == b.Planned && a.Demonstration == b.Demonstration && formatDate(a.StartOn) == formatDate(b.StartOn) &&
		formatDate(a.EndOn) == formatDate(b.EndOn) && slices.Equal(a.Measures, b.Measures) &&
		slices.EqualFunc(a.Events, b.Events, func(x, y digital.Event) bool {
			return x.Stage == y.Stage && formatDate(x.Date) == formatDate(y.Date) && x.Level == y.Level && x.Amount == y.Amount && x.Note == y.Note
		})
}

// DigitalMaturity returns the maturity records of the firms in scope.
func (s *Store) DigitalMaturity(ctx context.Context, sc auth.Scope, f digital.RecordFilter) ([]digital.Maturity, error) {
	return s.digitalMaturity(ctx, s.read, sc, f)
}

func (s *Store) digitalMaturity(ctx context.Context, q queryer, sc auth.Scope, f digital.RecordFilter) ([]digital.Maturity, error) {
	cond, args := digitalCond(sc, f, 1)
	rows, err := q.QueryContext(ctx, `SELECT m.enterprise_id, m.year, m.cmmm_level, m.sme_level, m.nc_rate_bp, m.cloud, m.source, m.evidence
		FROM digital_maturity m JOIN enterprise e ON e.id = m.enterprise_id WHERE `+cond+` ORDER BY m.enterprise_id, m.year`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: digital maturity: %w", err)
	}
	defer rows.Close()
	var out []digital.Maturity
	for rows.Next() {
		var m digital.Maturity
		var nc sql.NullInt64
		var cloud int
		var source string
		if err := rows.Scan(&m.EnterpriseID, &m.Year, &m.CMMM, &m.SMELevel, &nc, &cloud, &source, &m.Evidence); err != nil {
			return nil, err
		}
		if nc.Valid {
			v := nc.Int64
			m.NCRate = &v
		}
		m.Cloud, m.Source = cloud == 1, digital.Source(source)
		out = append(out, m)
	}
	return out, rows.Err()
}

// PutDigitalMaturity upserts yearly records in one transaction and marks
// the firms' cultivation profiles changed: the SME digital level is the
// 专精特新 scorecard's digitalisation input.
func (s *Store) PutDigitalMaturity(ctx context.Context, sc auth.Scope, ms []digital.Maturity, opts digital.WriteOptions) (digital.ImportResult, error) {
	var res digital.ImportResult
	for _, m := range ms {
		if err := m.Validate(); err != nil {
			return res, err
		}
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res = digital.ImportResult{}
		if !sc.IsAll() {
			for _, m := range ms {
				if _, err := s.digitalFirm(ctx, tx, sc, m.EnterpriseID); err != nil {
					return err
				}
			}
		}
		ids := make([]int64, 0, len(ms))
		const per = 10
		now := s.unix()
		for start := 0; start < len(ms); start += 300 {
			chunk := ms[start:min(start+300, len(ms))]
			args := make([]any, 0, len(chunk)*per)
			for _, m := range chunk {
				var nc any
				if m.NCRate != nil {
					nc = *m.NCRate
				}
				cloud := 0
				if m.Cloud {
					cloud = 1
				}
				args = append(args, m.EnterpriseID, m.Year, m.CMMM, m.SMELevel, nc, cloud, string(m.Source), m.Evidence, now, opts.By)
				ids = append(ids, m.EnterpriseID)
			}
			r, err := tx.ExecContext(ctx, `INSERT INTO digital_maturity (enterprise_id, year, cmmm_level, sme_level, nc_rate_bp, cloud, source, evidence, updated_at, updated_by)
				VALUES `+numbered(len(chunk), per)+` ON CONFLICT (enterprise_id, year) DO UPDATE SET cmmm_level = excluded.cmmm_level,
				sme_level = excluded.sme_level, nc_rate_bp = excluded.nc_rate_bp, cloud = excluded.cloud, source = excluded.source,
				evidence = excluded.evidence, updated_at = excluded.updated_at, updated_by = excluded.updated_by`, args...)
			if err != nil {
				return fmt.Errorf("sqlstore: digital maturity: %w", err)
			}
			n, _ := r.RowsAffected()
			res.Inserted += int(n)
		}
		return bumpProfileGeneration(ctx, tx, ids)
	})
	return res, err
}

// DigitalRecognitions returns the recognitions of the firms in scope,
// oldest first.
func (s *Store) DigitalRecognitions(ctx context.Context, sc auth.Scope, f digital.RecordFilter) ([]digital.Recognition, error) {
	return s.digitalRecognitions(ctx, s.read, sc, f)
}

func (s *Store) digitalRecognitions(ctx context.Context, q queryer, sc auth.Scope, f digital.RecordFilter) ([]digital.Recognition, error) {
	cond, args := digitalCond(sc, f, 1)
	rows, err := q.QueryContext(ctx, `SELECT r.id, r.enterprise_id, r.rung, r.name, r.recognised_on, r.batch, r.future_type, r.note,
		e.credit_code, e.name, e.region_code
		FROM digital_recognition r JOIN enterprise e ON e.id = r.enterprise_id WHERE `+cond+` ORDER BY r.recognised_on, r.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: digital recognitions: %w", err)
	}
	defer rows.Close()
	var out []digital.Recognition
	for rows.Next() {
		var r digital.Recognition
		var rung, on, ft string
		if err := rows.Scan(&r.ID, &r.EnterpriseID, &rung, &r.Name, &on, &r.Batch, &ft, &r.Note, &r.CreditCode, &r.FirmName, &r.RegionCode); err != nil {
			return nil, err
		}
		r.Rung, r.RecognisedOn, r.FutureType = digital.Rung(rung), parseDate(on), digital.FutureType(ft)
		out = append(out, r)
	}
	return out, rows.Err()
}

// AddDigitalRecognitions stores recognitions in one transaction. One
// recognition entered online that is already stored (same firm, rung and
// name) is a conflict; a bulk load skips those already stored, so loading
// the same records again changes nothing.
func (s *Store) AddDigitalRecognitions(ctx context.Context, sc auth.Scope, rs []digital.Recognition, opts digital.WriteOptions) ([]digital.Recognition, error) {
	for _, r := range rs {
		if err := r.Validate(); err != nil {
			return nil, err
		}
	}
	out := slices.Clone(rs)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		firms := map[int64]digital.FirmRef{}
		for i, r := range rs {
			ref, ok := firms[r.EnterpriseID]
			if !ok {
				var err error
				if ref, err = s.digitalFirm(ctx, tx, sc, r.EnterpriseID); err != nil {
					return err
				}
				firms[r.EnterpriseID] = ref
			}
			out[i].CreditCode, out[i].FirmName, out[i].RegionCode = ref.CreditCode, ref.Name, ref.RegionCode
		}
		if len(rs) == 1 {
			// Online entry: a clear conflict and the new id.
			r := rs[0]
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM digital_recognition WHERE enterprise_id = $1 AND rung = $2 AND name = $3`,
				r.EnterpriseID, string(r.Rung), r.Name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return apperr.New(apperr.Conflict, "err.digital.recognition_exists", r.Name)
			}
			return tx.QueryRowContext(ctx, `INSERT INTO digital_recognition (enterprise_id, rung, name, recognised_on, batch, future_type, note, recorded_at, recorded_by)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, r.EnterpriseID, string(r.Rung), r.Name, formatDate(r.RecognisedOn),
				r.Batch, string(r.FutureType), r.Note, s.unix(), opts.By).Scan(&out[0].ID)
		}
		const per = 9
		now := s.unix()
		for start := 0; start < len(rs); start += 300 {
			chunk := rs[start:min(start+300, len(rs))]
			args := make([]any, 0, len(chunk)*per)
			for _, r := range chunk {
				args = append(args, r.EnterpriseID, string(r.Rung), r.Name, formatDate(r.RecognisedOn), r.Batch, string(r.FutureType), r.Note, now, opts.By)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO digital_recognition (enterprise_id, rung, name, recognised_on, batch, future_type, note, recorded_at, recorded_by)
				VALUES `+numbered(len(chunk), per)+` ON CONFLICT (enterprise_id, rung, name) DO NOTHING`, args...); err != nil {
				return fmt.Errorf("sqlstore: digital recognitions: %w", err)
			}
		}
		return nil
	})
	return out, err
}

// CountDigitalMeasure computes a task-table measure of year from the
// records in scope (stats.DigitalCounter): the projects approved in the
// year, or the recognitions of a rung dated in it, counted in SQL as
// digital.CountMeasure counts the records (a project is approved at most
// once). Reading every project with its history here cost the task
// table seconds at 10×.
func (s *Store) CountDigitalMeasure(ctx context.Context, sc auth.Scope, measure string, year int) (int, bool, error) {
	if sc.IsAll() {
		// City-wide, the count is a range of one index (migration 0042):
		// every project and recognition has its enterprise (foreign key),
		// so the joins, a lookup per row, would add nothing.
		from, to := fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)
		var q string
		args := []any{from, to}
		if measure == digital.MeasureRenovationProjects {
			q = `SELECT COUNT(*) FROM digital_event WHERE stage = 'approved' AND event_date >= $1 AND event_date <= $2`
		} else if rung, ok := digital.MeasureRung(measure); ok {
			q, args = `SELECT COUNT(*) FROM digital_recognition WHERE rung = $3 AND recognised_on >= $1 AND recognised_on <= $2`, append(args, string(rung))
		} else {
			return 0, false, nil
		}
		var n int
		if err := s.read.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			return 0, false, fmt.Errorf("sqlstore: digital measure %s: %w", measure, err)
		}
		return n, true, nil
	}
	by, ok, err := s.CountDigitalMeasureByRegion(ctx, sc, measure, year)
	n := 0
	for _, v := range by {
		n += v
	}
	return n, ok, err
}

// CountDigitalMeasureByRegion is CountDigitalMeasure for every region in
// scope, in one grouped query (stats.RegionDigitalCounter).
func (s *Store) CountDigitalMeasureByRegion(ctx context.Context, sc auth.Scope, measure string, year int) (map[string]int, bool, error) {
	cond, args := digitalCond(sc, digital.RecordFilter{}, 3)
	args = append([]any{fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)}, args...)
	var q string
	if measure == digital.MeasureRenovationProjects {
		q = `SELECT e.region_code, COUNT(*) FROM digital_event v JOIN digital_project p ON p.id = v.project_id JOIN enterprise e ON e.id = p.enterprise_id
			WHERE v.stage = 'approved' AND v.event_date >= $1 AND v.event_date <= $2 AND ` + cond + ` GROUP BY e.region_code`
	} else if rung, ok := digital.MeasureRung(measure); ok {
		args = append(args, string(rung))
		q = fmt.Sprintf(`SELECT e.region_code, COUNT(*) FROM digital_recognition r JOIN enterprise e ON e.id = r.enterprise_id
			WHERE r.recognised_on >= $1 AND r.recognised_on <= $2 AND r.rung = $%d AND `, len(args)) + cond + ` GROUP BY e.region_code`
	} else {
		return nil, false, nil
	}
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, false, fmt.Errorf("sqlstore: digital measure %s: %w", measure, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var rc string
		var n int
		if err := rows.Scan(&rc, &n); err != nil {
			return nil, false, err
		}
		out[rc] = n
	}
	return out, true, rows.Err()
}
