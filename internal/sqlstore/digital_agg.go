package sqlstore

import (
	"context"
	"fmt"
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
	// One row per project (its approval and acceptance, at most one each
	// by the stage rules), then grouped.
	rows, err := s.read.QueryContext(ctx, `SELECT x.region_code, x.cluster_code, x.kind, `+yearOf("x.ad")+`, `+yearOf("x.cd")+`,
		COUNT(*), SUM(x.planned), SUM(x.actual)
		FROM (SELECT e.region_code, p.cluster_code, p.kind, p.planned,
			MAX(CASE WHEN v.stage = 'approved' THEN v.event_date ELSE '' END) AS ad,
			MAX(CASE WHEN v.stage = 'accepted' THEN v.event_date ELSE '' END) AS cd,
			SUM(CASE WHEN v.stage = 'accepted' THEN v.amount ELSE 0 END) AS actual
			FROM digital_project p JOIN enterprise e ON e.id = p.enterprise_id JOIN digital_event v ON v.project_id = p.id
			WHERE `+cond+`
			GROUP BY p.id, e.region_code, p.cluster_code, p.kind, p.planned) x
		GROUP BY 1, 2, 3, 4, 5`, args...)
	if err != nil {
		return a, fmt.Errorf("sqlstore: digital aggregates: %w", err)
	}
	// Cells of the same key are merged (defensive: the query groups by it).
	type key struct {
		region, cluster, kind string
		ay, cy                int
	}
	cells := map[key]int{}
	for rows.Next() {
		var k key
		var n int
		var planned, actual int64
		if err := rows.Scan(&k.region, &k.cluster, &k.kind, &k.ay, &k.cy, &n, &planned, &actual); err != nil {
			rows.Close()
			return a, err
		}
		i, ok := cells[k]
		if !ok {
			i = len(a.Projects)
			cells[k] = i
			a.Projects = append(a.Projects, digital.ProjectCell{RegionCode: k.region, ClusterCode: k.cluster, Kind: digital.Kind(k.kind), ApprovedYear: k.ay, AcceptedYear: k.cy})
		}
		c := &a.Projects[i]
		c.N += n
		c.Planned += unit.Fen(planned)
		c.Actual += unit.Fen(actual)
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

	rows, err = s.read.QueryContext(ctx, `SELECT `+yearOf("v.event_date")+`, SUM(v.amount)
		FROM digital_event v JOIN digital_project p ON p.id = v.project_id JOIN enterprise e ON e.id = p.enterprise_id
		WHERE v.stage = 'subsidised' AND `+cond+` GROUP BY 1 ORDER BY 1`, args...)
	if err != nil {
		return a, fmt.Errorf("sqlstore: digital subsidies: %w", err)
	}
	for rows.Next() {
		var ya digital.YearAmount
		var amount int64
		if err := rows.Scan(&ya.Year, &amount); err != nil {
			rows.Close()
			return a, err
		}
		ya.Amount = unit.Fen(amount)
		a.Subsidies = append(a.Subsidies, ya)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return a, err
	}

	rows, err = s.read.QueryContext(ctx, `SELECT DISTINCT p.enterprise_id, v.event_date
		FROM digital_event v JOIN digital_project p ON p.id = v.project_id JOIN enterprise e ON e.id = p.enterprise_id
		WHERE v.stage = 'accepted' AND `+cond+` ORDER BY 1, 2`, args...)
	if err != nil {
		return a, fmt.Errorf("sqlstore: digital acceptances: %w", err)
	}
	for rows.Next() {
		var fd digital.FirmDay
		var on string
		if err := rows.Scan(&fd.EnterpriseID, &on); err != nil {
			rows.Close()
			return a, err
		}
		fd.On = parseDate(on)
		a.Acceptances = append(a.Acceptances, fd)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return a, err
	}

	rows, err = s.read.QueryContext(ctx, `SELECT y FROM (
		SELECT DISTINCT `+yearOf("v.event_date")+` AS y FROM digital_event v JOIN digital_project p ON p.id = v.project_id JOIN enterprise e ON e.id = p.enterprise_id WHERE `+cond+`
		UNION SELECT DISTINCT `+yearOf("r.recognised_on")+` FROM digital_recognition r JOIN enterprise e ON e.id = r.enterprise_id WHERE `+cond+`) t
		WHERE y > 0 ORDER BY y`, args...)
	if err != nil {
		return a, fmt.Errorf("sqlstore: digital years: %w", err)
	}
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			rows.Close()
			return a, err
		}
		a.EventYears = append(a.EventYears, y)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return a, err
	}

	a.Demonstration, err = s.digitalProjects(ctx, s.read, cond+" AND p.demonstration = 1", args)
	return a, err
}

// DigitalCloudFirms counts, for each year, the firms in scope whose latest
// maturity record up to the year says 上云用数赋智.
func (s *Store) DigitalCloudFirms(ctx context.Context, sc auth.Scope, f digital.RecordFilter, years []int) (map[int]int, error) {
	cond, args := digitalCond(sc, f, 1)
	out := map[int]int{}
	for _, y := range years {
		var n int
		// The firm's latest record up to y decides.
		if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM digital_maturity m JOIN enterprise e ON e.id = m.enterprise_id
			WHERE m.cloud = 1 AND `+cond+` AND m.year = (SELECT MAX(m2.year) FROM digital_maturity m2 WHERE m2.enterprise_id = m.enterprise_id AND m2.year <= `+strconv.Itoa(y)+`)`,
			args...).Scan(&n); err != nil {
			return nil, fmt.Errorf("sqlstore: digital cloud firms: %w", err)
		}
		out[y] = n
	}
	return out, nil
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
	// The application is the first event.
	from := ` FROM digital_project p JOIN enterprise e ON e.id = p.enterprise_id
		LEFT JOIN digital_event a ON a.project_id = p.id AND a.stage = 'applied' AND a.seq = (SELECT MIN(f.seq) FROM digital_event f WHERE f.project_id = p.id)
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
