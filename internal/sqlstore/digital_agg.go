package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/digital"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The cockpit's aggregates and the paged project list. The overview used
// to read every project with its history (seconds on the full records);
// these queries group in SQL and hand internal/digital a few thousand
// cells to compute the figures from (digital.Aggregates).

// yearOf is the year of an ISO date column as an integer, 0 for an empty one.
func yearOf(col string) string {
	return "CAST(CASE WHEN " + col + " = '' THEN '0' ELSE substr(" + col + ", 1, 4) END AS INTEGER)"
}

// DigitalAggregates sums the records in scope (and f) for the cockpit.
func (s *Store) DigitalAggregates(ctx context.Context, sc auth.Scope, f digital.RecordFilter) (digital.Aggregates, error) {
	var a digital.Aggregates
	cond, args := digitalCond(sc, f, 1)
	// The events summed by kind, by district and by cluster, and year:
	// three groupings of a few hundred cells each. (One grouping by all
	// three has thousands of groups and cost as much as reading the
	// records whole.)
	sums := `SUM(CASE WHEN v.stage = 'approved' THEN 1 ELSE 0 END), SUM(CASE WHEN v.stage = 'approved' THEN p.planned ELSE 0 END),
		SUM(CASE WHEN v.stage = 'accepted' THEN 1 ELSE 0 END), SUM(CASE WHEN v.stage = 'accepted' THEN v.amount ELSE 0 END),
		SUM(CASE WHEN v.stage = 'subsidised' THEN v.amount ELSE 0 END)`
	from := ` FROM digital_event v JOIN digital_project p ON p.id = v.project_id JOIN enterprise e ON e.id = p.enterprise_id WHERE `
	for _, g := range []struct {
		key, stages string
		into        *[]digital.ProjectCell
	}{
		{"p.kind", "'approved', 'accepted', 'subsidised'", &a.Kinds},
		{"e.region_code", "'approved', 'accepted'", &a.Regions},
		{"p.cluster_code", "'approved', 'accepted'", &a.Clusters},
	} {
		rows, err := s.read.QueryContext(ctx, `SELECT `+g.key+`, `+yearOf("v.event_date")+`, `+sums+from+`v.stage IN (`+g.stages+`) AND `+cond+
			` GROUP BY 1, 2 ORDER BY 1, 2`, args...)
		if err != nil {
			return a, fmt.Errorf("sqlstore: digital aggregates: %w", err)
		}
		for rows.Next() {
			var c digital.ProjectCell
			var planned, actual, subsidy int64
			if err := rows.Scan(&c.Key, &c.Year, &c.Approved, &planned, &c.Accepted, &actual, &subsidy); err != nil {
				rows.Close()
				return a, err
			}
			c.Planned, c.Actual, c.Subsidy = unit.Fen(planned), unit.Fen(actual), unit.Fen(subsidy)
			*g.into = append(*g.into, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return a, err
		}
	}
	// The years with any event; unscoped, without the joins.
	yq := `SELECT DISTINCT ` + yearOf("v.event_date") + from + cond + ` ORDER BY 1`
	if cond == "1 = 1" {
		yq = `SELECT DISTINCT ` + yearOf("v.event_date") + ` FROM digital_event v ORDER BY 1`
	}
	rows, err := s.read.QueryContext(ctx, yq, args...)
	if err != nil {
		return a, fmt.Errorf("sqlstore: digital years: %w", err)
	}
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			rows.Close()
			return a, err
		}
		if y > 0 {
			a.EventYears = append(a.EventYears, y)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return a, err
	}

	rows, err = s.read.QueryContext(ctx, `SELECT e.region_code, r.rung, r.recognised_on, COUNT(*)
		FROM digital_recognition r JOIN enterprise e ON e.id = r.enterprise_id WHERE `+cond+`
		GROUP BY e.region_code, r.rung, r.recognised_on ORDER BY r.recognised_on`, args...)
	if err != nil {
		return a, fmt.Errorf("sqlstore: digital recognition cells: %w", err)
	}
	for rows.Next() {
		var c digital.RecognitionCell
		var rung, on string
		if err := rows.Scan(&c.RegionCode, &rung, &on, &c.N); err != nil {
			rows.Close()
			return a, err
		}
		c.Rung, c.On = digital.Rung(rung), parseDate(on)
		a.Recognitions = append(a.Recognitions, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return a, err
	}

	a.Demonstration, err = s.digitalProjects(ctx, s.read, cond+" AND p.demonstration = 1", args)
	return a, err
}

// DigitalGoalCounts counts the firms in scope with a project accepted in
// each window, and for each year the firms whose latest maturity record up
// to the year says 上云用数赋智.
func (s *Store) DigitalGoalCounts(ctx context.Context, sc auth.Scope, f digital.RecordFilter, accepted []digital.Window, cloudYears []int) (map[digital.Window]int, map[int]int, error) {
	cond, args := digitalCond(sc, f, 1)
	firms := map[digital.Window]int{}
	for _, w := range accepted {
		var n int
		wargs := append(slices.Clone(args), formatDate(w.From), formatDate(w.To))
		if err := s.read.QueryRowContext(ctx, fmt.Sprintf(`SELECT COUNT(DISTINCT p.enterprise_id) FROM digital_event v JOIN digital_project p ON p.id = v.project_id
			JOIN enterprise e ON e.id = p.enterprise_id WHERE v.stage = 'accepted' AND v.event_date >= $%d AND v.event_date <= $%d AND `, len(args)+1, len(args)+2)+cond,
			wargs...).Scan(&n); err != nil {
			return nil, nil, fmt.Errorf("sqlstore: digital firms accepted: %w", err)
		}
		firms[w] = n
	}
	cloud := map[int]int{}
	for _, y := range cloudYears {
		var n int
		// The firm's latest record up to y decides.
		if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM digital_maturity m JOIN enterprise e ON e.id = m.enterprise_id
			WHERE m.cloud = 1 AND `+cond+` AND m.year = (SELECT MAX(m2.year) FROM digital_maturity m2 WHERE m2.enterprise_id = m.enterprise_id AND m2.year <= `+strconv.Itoa(y)+`)`,
			args...).Scan(&n); err != nil {
			return nil, nil, fmt.Errorf("sqlstore: digital cloud firms: %w", err)
		}
		cloud[y] = n
	}
	return firms, cloud, nil
}

// DigitalProjectPage lists the projects in scope matching q, newest
// application first, reading the histories of the page's projects only.
func (s *Store) DigitalProjectPage(ctx context.Context, sc auth.Scope, q digital.ProjectQuery) (digital.ProjectPage, error) {
	var page digital.ProjectPage
	cond, args := digitalCond(sc, digital.RecordFilter{RegionCode: q.RegionCode}, 1)
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if q.Kind != "" {
		cond += " AND p.kind = " + arg(string(q.Kind))
	}
	if q.Stage != "" {
		cond += " AND (SELECT l.stage FROM digital_event l WHERE l.project_id = p.id ORDER BY l.seq DESC LIMIT 1) = " + arg(string(q.Stage))
	}
	if q.Year != 0 {
		cond += " AND substr(COALESCE(a.event_date, ''), 1, 4) = " + arg(fmt.Sprintf("%04d", q.Year))
	}
	if text := strings.TrimSpace(q.Query); text != "" {
		// As SelectProjects: name, firm and number case-insensitively (ASCII
		// upper-casing, as SQLite's upper), the credit code as typed.
		up := arg("%" + escapeLike(strings.ToUpper(text)) + "%")
		cond += " AND (upper(p.name) LIKE " + up + " ESCAPE '\\' OR upper(e.name) LIKE " + up + " ESCAPE '\\' OR upper(p.code) LIKE " + up +
			" ESCAPE '\\' OR e.credit_code LIKE " + up + " ESCAPE '\\')"
	}
	// The application is the first event (seq 1: a history is numbered
	// from 1 and opens with it).
	from := ` FROM digital_project p JOIN enterprise e ON e.id = p.enterprise_id
		LEFT JOIN digital_event a ON a.project_id = p.id AND a.seq = 1 AND a.stage = 'applied'
		WHERE ` + cond
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*)`+from, args...).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("sqlstore: digital project count: %w", err)
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	q.Limit = min(q.Limit, digital.MaxLimit)
	if q.Offset >= page.Total {
		return page, nil
	}
	rows, err := s.read.QueryContext(ctx, `SELECT p.id`+from+` ORDER BY COALESCE(a.event_date, '') DESC, p.id DESC LIMIT `+
		strconv.Itoa(q.Limit)+` OFFSET `+strconv.Itoa(max(q.Offset, 0)), args...)
	if err != nil {
		return page, fmt.Errorf("sqlstore: digital project page: %w", err)
	}
	var ids []string
	order := map[int64]int{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return page, err
		}
		order[id] = len(ids)
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return page, err
	}
	// The ids are integers read from the database: inlined, not bound.
	ps, err := s.digitalProjects(ctx, s.read, "p.id IN ("+strings.Join(ids, ",")+")", nil)
	if err != nil {
		return page, err
	}
	page.Items = make([]digital.Project, len(ids))
	for _, p := range ps {
		page.Items[order[p.ID]] = p
	}
	return page, nil
}
