package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Storage of the 亩均论英雄 evaluation (migration 0004): parks, the yearly
// facts departments supply, configuration versions, and runs with every
// enterprise's result.

// PutMujunParks inserts or renames parks, all or none.
func (s *Store) PutMujunParks(ctx context.Context, parks []mujun.Park) error {
	for _, p := range parks {
		if p.Code == "" || p.RegionCode == "" || p.NameZh == "" {
			return apperr.New(apperr.Invalid, "err.mujun_park_invalid", p.Code)
		}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO mujun_park (code, region_code, name_zh, name_en) VALUES ($1, $2, $3, $4)
			ON CONFLICT (code) DO UPDATE SET region_code = excluded.region_code, name_zh = excluded.name_zh, name_en = excluded.name_en`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, p := range parks {
			if _, err := st.ExecContext(ctx, p.Code, p.RegionCode, p.NameZh, p.NameEn); err != nil {
				return fmt.Errorf("sqlstore: park %s: %w", p.Code, err)
			}
		}
		return nil
	})
}

// MujunParks returns every park by code. Park names are reference data,
// not enterprise data, so they are not scoped.
func (s *Store) MujunParks(ctx context.Context) ([]mujun.Park, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT code, region_code, name_zh, name_en FROM mujun_park ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []mujun.Park
	for rows.Next() {
		var p mujun.Park
		if err := rows.Scan(&p.Code, &p.RegionCode, &p.NameZh, &p.NameEn); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// factsChunk is how many facts rows one INSERT carries (14 parameters each).
const factsChunk = 200

// PutMujunFacts writes supplied yearly facts keyed by (enterprise, year),
// replacing what was there, in one transaction. A negative amount, an
// unknown park or enterprise, or a malformed veto code rejects the whole
// batch.
func (s *Store) PutMujunFacts(ctx context.Context, facts []mujun.Supplied) error {
	for _, f := range facts {
		if err := validSupplied(f); err != nil {
			return err
		}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.putMujunFactsTx(ctx, tx, facts) })
}

// putMujunFactsTx writes validated facts inside tx.
func (s *Store) putMujunFactsTx(ctx context.Context, tx *sql.Tx, facts []mujun.Supplied) error {
	parks := map[string]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT code FROM mujun_park`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return err
		}
		parks[c] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, f := range facts {
		if f.ParkCode != "" && !parks[f.ParkCode] {
			return apperr.New(apperr.Invalid, "err.mujun_park_unknown", f.ParkCode)
		}
	}
	now := s.unix()
	const per = 14
	args := make([]any, 0, factsChunk*per)
	for start := 0; start < len(facts); start += factsChunk {
		chunk := facts[start:min(start+factsChunk, len(facts))]
		args = args[:0]
		for _, f := range chunk {
			args = append(args, f.EnterpriseID, f.Year, f.ParkCode, optInt(f.Electricity), optInt(f.Emissions), strings.Join(f.Vetoes, ","),
				optFen(f.Tax), optFen(f.Revenue), optFen(f.ValueAdded), optFen(f.RD), optKgCE(f.Energy), optInt(f.Employees), f.Source, now)
		}
		q := `INSERT INTO mujun_facts (enterprise_id, year, park_code, electricity_kwh, emissions_kg, vetoes, tax, revenue, value_added, rd_expense, energy, employees, source, updated_at) VALUES ` +
			placeholders(s.engine, len(chunk), per) +
			` ON CONFLICT (enterprise_id, year) DO UPDATE SET park_code = excluded.park_code, electricity_kwh = excluded.electricity_kwh,
			emissions_kg = excluded.emissions_kg, vetoes = excluded.vetoes, tax = excluded.tax, revenue = excluded.revenue, value_added = excluded.value_added,
			rd_expense = excluded.rd_expense, energy = excluded.energy, employees = excluded.employees, source = excluded.source, updated_at = excluded.updated_at`
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("sqlstore: mujun facts: %w", err)
		}
	}
	return nil
}

func validSupplied(f mujun.Supplied) error {
	bad := func(field string) error {
		return apperr.New(apperr.Invalid, "err.mujun_facts_invalid", f.EnterpriseID, f.Year, field)
	}
	if f.EnterpriseID <= 0 {
		return bad("enterprise_id")
	}
	if f.Year < 2000 || f.Year > 2100 {
		return bad("year")
	}
	for name, o := range map[string]mujun.Opt[int64]{"electricity_kwh": f.Electricity, "emissions_kg": f.Emissions, "employees": f.Employees,
		"tax": fenOpt(f.Tax), "revenue": fenOpt(f.Revenue), "value_added": fenOpt(f.ValueAdded), "rd": fenOpt(f.RD),
		"energy": {Value: int64(f.Energy.Value), Known: f.Energy.Known}} {
		if o.Known && o.Value < 0 {
			return bad(name)
		}
	}
	for _, v := range f.Vetoes {
		if v == "" || strings.ContainsAny(v, ", \t\n") {
			return bad("vetoes")
		}
	}
	return nil
}

func fenOpt(o mujun.Opt[unit.Fen]) mujun.Opt[int64] {
	return mujun.Opt[int64]{Value: int64(o.Value), Known: o.Known}
}

func optInt(o mujun.Opt[int64]) any {
	if !o.Known {
		return nil
	}
	return o.Value
}

func optFen(o mujun.Opt[unit.Fen]) any {
	if !o.Known {
		return nil
	}
	return int64(o.Value)
}

func optKgCE(o mujun.Opt[unit.KgCE]) any {
	if !o.Known {
		return nil
	}
	return int64(o.Value)
}

func nullOpt(n sql.NullInt64) mujun.Opt[int64] {
	return mujun.Opt[int64]{Value: n.Int64, Known: n.Valid}
}

// MujunFacts returns the supplied facts of year for enterprises in scope,
// by enterprise.
func (s *Store) MujunFacts(ctx context.Context, sc auth.Scope, year int) ([]mujun.Supplied, error) {
	where, args := scopeClause(sc, "e", 2)
	rows, err := s.read.QueryContext(ctx, `SELECT f.enterprise_id, f.year, f.park_code, f.electricity_kwh, f.emissions_kg, f.vetoes,
		f.tax, f.revenue, f.value_added, f.rd_expense, f.energy, f.employees, f.source
		FROM mujun_facts f JOIN enterprise e ON e.id = f.enterprise_id WHERE f.year = $1 AND `+where+` ORDER BY f.enterprise_id`,
		append([]any{year}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: mujun facts: %w", err)
	}
	defer rows.Close()
	var out []mujun.Supplied
	for rows.Next() {
		f, err := scanSupplied(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// suppliedCols are the mujun_facts columns scanSupplied reads, for the
// table aliased f.
const suppliedCols = `f.enterprise_id, f.year, f.park_code, f.electricity_kwh, f.emissions_kg, f.vetoes,
	f.tax, f.revenue, f.value_added, f.rd_expense, f.energy, f.employees, f.source`

func scanSupplied(rows *sql.Rows) (mujun.Supplied, error) {
	var f mujun.Supplied
	var el, em, tax, rev, va, rd, en, emp sql.NullInt64
	var vetoes string
	if err := rows.Scan(&f.EnterpriseID, &f.Year, &f.ParkCode, &el, &em, &vetoes, &tax, &rev, &va, &rd, &en, &emp, &f.Source); err != nil {
		return f, err
	}
	f.Electricity, f.Emissions, f.Employees = nullOpt(el), nullOpt(em), nullOpt(emp)
	fen := func(n sql.NullInt64) mujun.Opt[unit.Fen] {
		return mujun.Opt[unit.Fen]{Value: unit.Fen(n.Int64), Known: n.Valid}
	}
	f.Tax, f.Revenue, f.ValueAdded, f.RD = fen(tax), fen(rev), fen(va), fen(rd)
	f.Energy = mujun.Opt[unit.KgCE]{Value: unit.KgCE(en.Int64), Known: en.Valid}
	if vetoes != "" {
		f.Vetoes = strings.Split(vetoes, ",")
	}
	return f, nil
}

// MujunSources returns what the registry and December's reports hold for
// every enterprise in scope that has a statistical status in year (above
// or below scale), by enterprise.
func (s *Store) MujunSources(ctx context.Context, sc auth.Scope, year int) ([]mujun.Registered, error) {
	where, args := scopeClause(sc, "e", 2)
	rows, err := s.read.QueryContext(ctx, `SELECT e.id, e.region_code, e.land_mu100, e.founded, COALESCE(m.section, ''), ey.above_scale,
		r.enterprise_id, r.tax, r.value_added, r.revenue, r.rd_expense, r.energy, r.employees
		FROM enterprise e
		JOIN enterprise_year ey ON ey.enterprise_id = e.id AND ey.year = $1
		LEFT JOIN industry_map m ON m.year = ey.year AND m.industry_code = e.industry_code
		LEFT JOIN monthly_report r ON r.enterprise_id = e.id AND r.year = ey.year AND r.month = 12
		WHERE `+where+` ORDER BY e.id`, append([]any{year}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: mujun sources: %w", err)
	}
	defer rows.Close()
	var out []mujun.Registered
	for rows.Next() {
		var g mujun.Registered
		var land int64
		var founded string
		var above int
		var rid, tax, va, rev, rd, en, emp sql.NullInt64
		if err := rows.Scan(&g.EnterpriseID, &g.RegionCode, &land, &founded, &g.Section, &above, &rid, &tax, &va, &rev, &rd, &en, &emp); err != nil {
			return nil, err
		}
		g.Land, g.Founded, g.AboveScale = unit.Mu100(land), parseDate(founded), above == 1
		if rid.Valid {
			g.December = &mujun.Annual{Tax: unit.Fen(tax.Int64), ValueAdded: unit.Fen(va.Int64), Revenue: unit.Fen(rev.Int64),
				RD: unit.Fen(rd.Int64), Energy: unit.KgCE(en.Int64), Employees: emp.Int64}
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// ---- configurations ----

// PutMujunConfig validates and stores a configuration as a new version of
// its id and returns it with the version it got.
func (s *Store) PutMujunConfig(ctx context.Context, cfg mujun.Config, opt mujun.ConfigOptions) (mujun.Config, error) {
	// A shipped configuration seeded again (KeepVersion, already stored)
	// changes nothing, and leaves the data generation alone.
	err := s.refTx(ctx, func(tx *sql.Tx) (bool, error) {
		var top sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(version) FROM mujun_config WHERE id = $1`, cfg.ID).Scan(&top); err != nil {
			return false, err
		}
		if opt.KeepVersion {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM mujun_config WHERE id = $1 AND version = $2`, cfg.ID, cfg.Version).Scan(&n); err != nil {
				return false, err
			}
			if n > 0 {
				return false, nil
			}
		} else {
			cfg.Version = int(top.Int64) + 1
		}
		if err := cfg.Validate(); err != nil {
			return false, err
		}
		body, err := json.Marshal(cfg)
		if err != nil {
			return false, err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO mujun_config (id, version, year, evaluating_unit, effective_from, effective_to, body, builtin, created_at, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, cfg.ID, cfg.Version, cfg.Year, cfg.EvaluatingUnit, cfg.EffectiveFrom, cfg.EffectiveTo,
			string(body), boolInt(opt.Builtin), s.unix(), opt.By)
		return err == nil, err
	})
	if err != nil {
		return mujun.Config{}, err
	}
	return cfg, nil
}

// SeedMujunBuiltins stores the shipped configurations that are not stored
// yet, under their own versions. Running it again changes nothing.
func (s *Store) SeedMujunBuiltins(ctx context.Context) error {
	for _, name := range mujun.BuiltinNames() {
		cfg, err := mujun.Builtin(name)
		if err != nil {
			return err
		}
		if _, err := s.PutMujunConfig(ctx, cfg, mujun.ConfigOptions{By: "builtin", KeepVersion: true, Builtin: true}); err != nil {
			return fmt.Errorf("sqlstore: seed %s: %w", name, err)
		}
	}
	return nil
}

// MujunConfigs lists every stored version, by id then version.
func (s *Store) MujunConfigs(ctx context.Context) ([]mujun.ConfigInfo, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, version, year, evaluating_unit, effective_from, effective_to, builtin, created_at, created_by
		FROM mujun_config ORDER BY id, version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []mujun.ConfigInfo
	for rows.Next() {
		var c mujun.ConfigInfo
		var b int
		var at int64
		if err := rows.Scan(&c.ID, &c.Version, &c.Year, &c.EvaluatingUnit, &c.EffectiveFrom, &c.EffectiveTo, &b, &at, &c.CreatedBy); err != nil {
			return nil, err
		}
		c.Builtin, c.CreatedAt = b == 1, time.Unix(at, 0).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// MujunConfig returns one version of a configuration; version 0 is the
// highest.
func (s *Store) MujunConfig(ctx context.Context, id string, version int) (mujun.Config, mujun.ConfigInfo, error) {
	q := `SELECT id, version, year, evaluating_unit, effective_from, effective_to, builtin, created_at, created_by, body FROM mujun_config WHERE id = $1 AND version = $2`
	args := []any{id, version}
	if version == 0 {
		q = `SELECT id, version, year, evaluating_unit, effective_from, effective_to, builtin, created_at, created_by, body FROM mujun_config WHERE id = $1 ORDER BY version DESC LIMIT 1`
		args = args[:1]
	}
	var c mujun.ConfigInfo
	var b int
	var at int64
	var body string
	err := s.read.QueryRowContext(ctx, q, args...).Scan(&c.ID, &c.Version, &c.Year, &c.EvaluatingUnit, &c.EffectiveFrom, &c.EffectiveTo, &b, &at, &c.CreatedBy, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return mujun.Config{}, c, apperr.New(apperr.NotFound, "err.mujun_config_not_found", id)
	}
	if err != nil {
		return mujun.Config{}, c, err
	}
	c.Builtin, c.CreatedAt = b == 1, time.Unix(at, 0).UTC()
	var cfg mujun.Config
	if err := json.Unmarshal([]byte(body), &cfg); err != nil {
		return mujun.Config{}, c, fmt.Errorf("sqlstore: stored configuration %s v%d: %w", id, c.Version, err)
	}
	return cfg, c, nil
}

// ---- runs ----

// runSummary is the JSON kept in mujun_run.summary: everything of a
// RunResult except the configuration (config_body) and the enterprises
// (mujun_result rows).
type runSummary struct {
	Skipped        []mujun.Skipped      `json:"skipped,omitempty"`
	Groups         []mujun.GroupResult  `json:"groups"`
	Total          mujun.Aggregate      `json:"total"`
	Regions        []mujun.Aggregate    `json:"regions"`
	RegionsByGroup []mujun.Aggregate    `json:"regions_by_group"`
	Parks          []mujun.Aggregate    `json:"parks"`
	Counts         mujun.AssembleCounts `json:"counts"`
}

// resultDetail is the JSON kept in mujun_result.detail. Since migration
// 0015 indicators are kept positionally (Ind, see storedIndicator) and
// policy texts once per run; Indicators holds rows saved before.
type resultDetail struct {
	Ind        []storedIndicator       `json:"ind,omitempty"`
	Indicators []mujun.IndicatorResult `json:"indicators,omitempty"`
	Vetoes     []string                `json:"vetoes,omitempty"`
	Policies   []storedPolicy          `json:"policies,omitempty"`
}

// decode reads a stored detail. The indicators, most of its bytes, are
// read by decodePlain when the array has the form saveMujunRun writes,
// and the rest (policies, vetoes) by encoding/json; any other form is
// decoded by encoding/json whole. Validating and walking the indicator
// array generically was a quarter of a 亩均 results page's CPU.
func (d *resultDetail) decode(b []byte) error {
	const head = `{"ind":`
	if bytes.HasPrefix(b, []byte(head)) {
		if ind, n, ok := plainIndicators(b[len(head):]); ok {
			var tail []byte
			switch rest := b[len(head)+n:]; {
			case len(rest) == 1 && rest[0] == '}':
				tail = []byte(`{}`)
			case len(rest) > 1 && rest[0] == ',':
				// A comma must be followed by a member: `{"ind":[…],}`
				// is not JSON though `{}` is.
				if more := bytes.TrimLeft(rest[1:], " \t\r\n"); len(more) > 0 && more[0] != '}' {
					tail = append([]byte{'{'}, rest[1:]...)
				}
			}
			var out resultDetail
			if tail != nil && json.Unmarshal(tail, &out) == nil && out.Ind == nil {
				out.Ind = ind
				*d = out
				return nil
			}
		}
	}
	*d = resultDetail{}
	return json.Unmarshal(b, d)
}

// plainIndicators reads a JSON array of stored indicators at the start of
// b, each in decodePlain's form, and returns them with the array's length
// in bytes; ok is false for anything else.
func plainIndicators(b []byte) (ind []storedIndicator, n int, ok bool) {
	if len(b) < 2 || b[0] != '[' {
		return nil, 0, false
	}
	if b[1] == ']' {
		return []storedIndicator{}, 2, true
	}
	i := 1
	for {
		if i >= len(b) || b[i] != '[' {
			return nil, 0, false
		}
		// The element's end: the first ']' outside a string. The plain
		// form has no escapes, so a backslash sends b to the generic path.
		end, inString := -1, false
		for j := i + 1; j < len(b) && end < 0; j++ {
			switch c := b[j]; {
			case c == '\\', !inString && c == '[':
				return nil, 0, false
			case c == '"':
				inString = !inString
			case c == ']' && !inString:
				end = j
			}
		}
		if end < 0 {
			return nil, 0, false
		}
		var si storedIndicator
		if !si.decodePlain(b[i : end+1]) {
			return nil, 0, false
		}
		ind = append(ind, si)
		i = end + 1
		switch {
		case i < len(b) && b[i] == ',':
			i++
		case i < len(b) && b[i] == ']':
			return ind, i + 1, true
		default:
			return nil, 0, false
		}
	}
}

// storedIndicator is an indicator result as a JSON array — code, weight,
// value, missing, benchmark, raw score, capped score, score, filled — so
// ninety thousand rows do not repeat the field names of six indicators.
type storedIndicator mujun.IndicatorResult

func (si storedIndicator) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{si.Code, si.Weight, si.Value, si.Missing, si.Benchmark, si.RawScore, si.CappedScore, si.Score, si.Filled})
}

func (si *storedIndicator) UnmarshalJSON(b []byte) error {
	if si.decodePlain(b) {
		return nil
	}
	var code, filled string
	fields := []any{&code, &si.Weight, &si.Value, &si.Missing, &si.Benchmark, &si.RawScore, &si.CappedScore, &si.Score, &filled}
	if err := json.Unmarshal(b, &fields); err != nil {
		return fmt.Errorf("sqlstore: stored indicator: %w", err)
	}
	if len(fields) != 9 {
		return fmt.Errorf("sqlstore: stored indicator has %d fields, want 9", len(fields))
	}
	si.Code, si.Filled = mujun.IndicatorCode(code), mujun.MissingRule(filled)
	return nil
}

// decodePlain reads the array as MarshalJSON writes it (no spaces, strings
// without escapes or commas) and reports whether b had that form; for
// anything else the caller decodes generically. A 亩均 page decodes a few
// hundred indicators, and json.Unmarshal per indicator (validating bytes
// the detail's decoder had already validated, then filling through
// reflection) was a seventh of that page's CPU.
func (si *storedIndicator) decodePlain(b []byte) bool {
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return false
	}
	var parts [9][]byte
	rest := b[1 : len(b)-1]
	for i := range parts {
		j := bytes.IndexByte(rest, ',')
		if (j < 0) != (i == len(parts)-1) {
			return false
		}
		if j < 0 {
			j = len(rest)
		}
		parts[i], rest = rest[:j], rest[min(j+1, len(rest)):]
	}
	// A string cut at a comma inside it leaves a part that is not a whole
	// quoted string: a quote inside one is always escaped.
	str := func(p []byte) (string, bool) {
		if len(p) < 2 || p[0] != '"' || p[len(p)-1] != '"' || bytes.ContainsAny(p[1:len(p)-1], `"\`) {
			return "", false
		}
		return string(p[1 : len(p)-1]), true
	}
	num := func(p []byte, dst *float64) bool {
		// JSON's number characters only: ParseFloat would also take "Inf"
		// or "0x1p3".
		if len(p) == 0 {
			return false
		}
		for _, c := range p {
			if !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
				return false
			}
		}
		v, err := strconv.ParseFloat(string(p), 64)
		*dst = v
		return err == nil
	}
	code, ok1 := str(parts[0])
	filled, ok2 := str(parts[8])
	var missing bool
	switch string(parts[3]) {
	case "true":
		missing = true
	case "false":
	default:
		return false
	}
	var out storedIndicator
	if !ok1 || !ok2 || !num(parts[1], &out.Weight) || !num(parts[2], &out.Value) || !num(parts[4], &out.Benchmark) ||
		!num(parts[5], &out.RawScore) || !num(parts[6], &out.CappedScore) || !num(parts[7], &out.Score) {
		return false
	}
	out.Code, out.Missing, out.Filled = mujun.IndicatorCode(code), missing, mujun.MissingRule(filled)
	*si = out
	return true
}

// storeIndicators converts for storage.
func storeIndicators(in []mujun.IndicatorResult) []storedIndicator {
	if len(in) == 0 {
		return nil
	}
	out := make([]storedIndicator, len(in))
	for i := range in {
		out[i] = storedIndicator(in[i])
	}
	return out
}

// storedPolicy is an applied policy as kept in a result's detail: its text
// is an index into the run's policy_texts (migration 0015), the same few
// texts being applied to thousands of firms; Text is set in rows saved
// before.
type storedPolicy struct {
	Kind      mujun.PolicyKind    `json:"kind"`
	RateFen   int64               `json:"rate_fen,omitempty"`
	ReliefPct float64             `json:"relief_pct,omitempty"`
	AmountFen mujun.Opt[unit.Fen] `json:"amount_fen,omitzero"`
	TextRef   *int                `json:"t,omitempty"`
	Text      *mujun.Text         `json:"text,omitempty"`
}

// policyTextTable collects the distinct policy texts of a run.
type policyTextTable struct {
	texts []mujun.Text
	index map[mujun.Text]int
}

// ref returns the index of t, adding it when new.
func (pt *policyTextTable) ref(t mujun.Text) int {
	if i, ok := pt.index[t]; ok {
		return i
	}
	if pt.index == nil {
		pt.index = map[mujun.Text]int{}
	}
	pt.index[t] = len(pt.texts)
	pt.texts = append(pt.texts, t)
	return pt.index[t]
}

// storePolicies is ps with their texts moved into pt.
func storePolicies(ps []mujun.AppliedPolicy, pt *policyTextTable) []storedPolicy {
	if len(ps) == 0 {
		return nil
	}
	out := make([]storedPolicy, len(ps))
	for i, p := range ps {
		ref := pt.ref(p.Text)
		out[i] = storedPolicy{Kind: p.Kind, RateFen: p.RateFen, ReliefPct: p.ReliefPct, AmountFen: p.AmountFen, TextRef: &ref}
	}
	return out
}

// policyTexts decodes runs' policy_texts, once per distinct document, for
// the rows of one query.
type policyTexts struct {
	raw   string
	texts []mujun.Text
}

// load returns the texts of the document raw.
func (pt *policyTexts) load(raw string) ([]mujun.Text, error) {
	if pt.texts != nil && raw == pt.raw {
		return pt.texts, nil
	}
	var texts []mujun.Text
	if err := json.Unmarshal([]byte(raw), &texts); err != nil {
		return nil, fmt.Errorf("sqlstore: run policy texts: %w", err)
	}
	if texts == nil {
		texts = []mujun.Text{}
	}
	pt.raw, pt.texts = raw, texts
	return texts, nil
}

// appliedPolicies restores the policies of a detail with the run's texts.
func appliedPolicies(ps []storedPolicy, texts []mujun.Text) ([]mujun.AppliedPolicy, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	out := make([]mujun.AppliedPolicy, len(ps))
	for i, p := range ps {
		out[i] = mujun.AppliedPolicy{Kind: p.Kind, RateFen: p.RateFen, ReliefPct: p.ReliefPct, AmountFen: p.AmountFen}
		switch {
		case p.TextRef != nil && *p.TextRef >= 0 && *p.TextRef < len(texts):
			out[i].Text = texts[*p.TextRef]
		case p.Text != nil:
			out[i].Text = *p.Text
		default:
			return nil, fmt.Errorf("sqlstore: policy %s refers to text %v of %d", p.Kind, p.TextRef, len(texts))
		}
	}
	return out, nil
}

// resultChunk rows of 17 parameters per INSERT.
const resultChunk = 200

// SaveMujunRun stores a run and every enterprise result in one
// transaction: a failure at any row leaves no trace of the run. The read
// columns (ranking order, aggregates, group results) and the class changes
// against the run the pages compare it with are written in the same
// transaction: runs are immutable, so what is derived from them is too.
func (s *Store) SaveMujunRun(ctx context.Context, res mujun.RunResult, meta mujun.RunMeta) (int64, error) {
	var known map[int64]*mujun.RunResult
	if meta.Prior != nil {
		known = map[int64]*mujun.RunResult{meta.PriorRunID: meta.Prior}
	}
	return s.saveMujunRun(ctx, res, meta, known)
}

// saveMujunRun is SaveMujunRun with runs the caller already read (by id),
// so the diff against them needs no second read.
func (s *Store) saveMujunRun(ctx context.Context, res mujun.RunResult, meta mujun.RunMeta, known map[int64]*mujun.RunResult) (int64, error) {
	cfgBody, err := json.Marshal(res.Config)
	if err != nil {
		return 0, err
	}
	sum, err := json.Marshal(runSummary{Skipped: res.Skipped, Groups: res.Groups, Total: res.Total, Regions: res.Regions,
		RegionsByGroup: res.RegionsByGroup, Parks: res.Parks, Counts: meta.Counts})
	if err != nil {
		return 0, err
	}
	groupsBody, countsBody, err := runReadBodies(&res, meta.Counts)
	if err != nil {
		return 0, err
	}
	// The diff is computed before the write transaction so the writer is
	// held only for the inserts.
	base, err := s.mujunDiffBase(ctx, res.Year, meta.PriorRunID)
	if err != nil {
		return 0, err
	}
	var changes []mujun.ClassChange
	if base != 0 {
		old := known[base]
		if old == nil {
			o, _, err := s.MujunRunResult(ctx, auth.All(), base)
			if err != nil {
				return 0, err
			}
			old = &o
		}
		changes = mujun.Diff(*old, res)
	}
	ord := rankingOrder(res.Enterprises)
	// The details, with the run's distinct policy texts collected first:
	// they go into the run's row, inserted before the results.
	var texts policyTextTable
	details := make([]string, len(res.Enterprises))
	for i := range res.Enterprises {
		e := &res.Enterprises[i]
		d, err := json.Marshal(resultDetail{Ind: storeIndicators(e.Indicators), Vetoes: e.Vetoes, Policies: storePolicies(e.Policies, &texts)})
		if err != nil {
			return 0, err
		}
		details[i] = string(d)
	}
	textsBody, err := json.Marshal(append([]mujun.Text{}, texts.texts...))
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO mujun_run (config_id, config_version, config_body, year, evaluating_unit, prior_run_id, enterprises, skipped, summary, note, created_at, created_by,
			groups_body, counts_body, derived, policy_texts)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15) RETURNING id`,
			res.ConfigID, res.ConfigVersion, string(cfgBody), res.Year, res.EvaluatingUnit, meta.PriorRunID, len(res.Enterprises), len(res.Skipped),
			string(sum), meta.Note, s.unix(), meta.By, groupsBody, countsBody, string(textsBody)).Scan(&id); err != nil {
			return fmt.Errorf("sqlstore: insert run: %w", err)
		}
		const per = 17
		args := make([]any, 0, resultChunk*per)
		for start := 0; start < len(res.Enterprises); start += resultChunk {
			chunk := res.Enterprises[start:min(start+resultChunk, len(res.Enterprises))]
			args = args[:0]
			for i := range chunk {
				e := &chunk[i]
				args = append(args, id, e.EnterpriseID, e.RegionCode, e.ParkCode, string(e.Group), string(e.Exempt), e.Subtotal, e.Deducted, e.Score,
					e.ReweightFactor, e.Rank, e.RegionRank, e.Class, string(e.ClassBy), e.ConsecutiveYears, details[start+i], ord[start+i])
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO mujun_result (run_id, enterprise_id, region_code, park_code, grp, exempt, subtotal, deducted, score,
				reweight, rank, region_rank, class, class_by, consecutive_years, detail, ord) VALUES `+placeholders(s.engine, len(chunk), per), args...); err != nil {
				return fmt.Errorf("sqlstore: insert run results: %w", err)
			}
		}
		if err := s.insertMujunResultCounts(ctx, tx, id, res.Enterprises); err != nil {
			return err
		}
		if err := s.insertMujunAggregates(ctx, tx, id, &res); err != nil {
			return err
		}
		if err := s.insertMujunBenchmarks(ctx, tx, id, &res, meta.PriorRunID); err != nil {
			return err
		}
		if base != 0 {
			if _, err := s.insertMujunDiff(ctx, tx, base, id, changes); err != nil {
				return err
			}
		}
		// A run adds a result per firm: at ten times the demo the table
		// had 245,000 rows its statistics had never counted.
		return s.analyzeGrown(ctx, tx, len(res.Enterprises), "mujun_result")
	})
	return id, err
}

const runColumns = `id, config_id, config_version, year, evaluating_unit, prior_run_id, enterprises, skipped, note, created_at, created_by`

func scanRun(sc interface{ Scan(...any) error }) (mujun.RunInfo, error) {
	var r mujun.RunInfo
	var at int64
	err := sc.Scan(&r.ID, &r.ConfigID, &r.ConfigVersion, &r.Year, &r.EvaluatingUnit, &r.PriorRunID, &r.Enterprises, &r.Skipped, &r.Note, &at, &r.CreatedBy)
	r.CreatedAt = time.Unix(at, 0).UTC()
	return r, err
}

// MujunRuns lists every run, newest first. Run records are not
// enterprise data; their results are scoped.
func (s *Store) MujunRuns(ctx context.Context) ([]mujun.RunInfo, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+runColumns+` FROM mujun_run ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []mujun.RunInfo
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// MujunRunInfo returns one run's record.
func (s *Store) MujunRunInfo(ctx context.Context, id int64) (mujun.RunInfo, error) {
	r, err := scanRun(s.read.QueryRowContext(ctx, `SELECT `+runColumns+` FROM mujun_run WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.New(apperr.NotFound, "err.mujun_run_not_found", id)
	}
	return r, err
}

// LatestMujunRun returns the newest run of year for the evaluating unit;
// ok is false when there is none.
func (s *Store) LatestMujunRun(ctx context.Context, year int, evaluatingUnit string) (mujun.RunInfo, bool, error) {
	r, err := scanRun(s.read.QueryRowContext(ctx, `SELECT `+runColumns+` FROM mujun_run WHERE year = $1 AND evaluating_unit = $2 ORDER BY id DESC LIMIT 1`, year, evaluatingUnit))
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

// MujunRunSummary reads a run back as the engine's result without the
// enterprises: configuration, benchmarks and aggregates. For a scope narrower than the city the aggregates
// are cut to the scope too: a district sees its own district and parks
// only, and no city total or city-wide class counts; an enterprise sees
// none. Group benchmarks (the method's yardsticks) stay.
func (s *Store) MujunRunSummary(ctx context.Context, sc auth.Scope, id int64) (mujun.RunResult, mujun.RunInfo, error) {
	var res mujun.RunResult
	var cfgBody, sumBody string
	var at int64
	var run mujun.RunInfo
	err := s.read.QueryRowContext(ctx, `SELECT `+runColumns+`, config_body, summary FROM mujun_run WHERE id = $1`, id).
		Scan(&run.ID, &run.ConfigID, &run.ConfigVersion, &run.Year, &run.EvaluatingUnit, &run.PriorRunID, &run.Enterprises, &run.Skipped, &run.Note, &at, &run.CreatedBy, &cfgBody, &sumBody)
	if errors.Is(err, sql.ErrNoRows) {
		return res, run, apperr.New(apperr.NotFound, "err.mujun_run_not_found", id)
	}
	if err != nil {
		return res, run, err
	}
	run.CreatedAt = time.Unix(at, 0).UTC()
	var sum runSummary
	if err := json.Unmarshal([]byte(cfgBody), &res.Config); err != nil {
		return res, run, fmt.Errorf("sqlstore: run %d configuration: %w", id, err)
	}
	if err := json.Unmarshal([]byte(sumBody), &sum); err != nil {
		return res, run, fmt.Errorf("sqlstore: run %d summary: %w", id, err)
	}
	run.Counts = sum.Counts
	res.ConfigID, res.ConfigVersion, res.Year, res.EvaluatingUnit = run.ConfigID, run.ConfigVersion, run.Year, run.EvaluatingUnit
	res.Groups, res.Total, res.Regions, res.RegionsByGroup, res.Parks, res.Skipped = sum.Groups, sum.Total, sum.Regions, sum.RegionsByGroup, sum.Parks, sum.Skipped
	if !sc.IsAll() {
		keep := func(list []mujun.Aggregate) []mujun.Aggregate {
			var out []mujun.Aggregate
			for _, a := range list {
				if sc.RegionCode != "" && a.RegionCode == sc.RegionCode {
					out = append(out, a)
				}
			}
			return out
		}
		res.Regions, res.RegionsByGroup, res.Parks = keep(res.Regions), keep(res.RegionsByGroup), keep(res.Parks)
		res.Total = mujun.Aggregate{}
		res.Skipped = nil
		for i := range res.Groups {
			g := &res.Groups[i]
			g.Firms, g.Rated, g.Exempt, g.Stats, g.Classes = 0, 0, 0, nil, nil
		}
	}
	return res, run, nil
}

// MujunRunResult reads a run back as the engine's result, for the
// enterprises in scope, with the aggregates cut to the scope as in
// MujunRunSummary.
func (s *Store) MujunRunResult(ctx context.Context, sc auth.Scope, id int64) (mujun.RunResult, mujun.RunInfo, error) {
	res, run, err := s.MujunRunSummary(ctx, sc, id)
	if err != nil {
		return res, run, err
	}
	texts, err := s.runPolicyTexts(ctx, id)
	if err != nil {
		return res, run, err
	}
	where, args := scopeClause(sc, "e", 2)
	rows, err := s.read.QueryContext(ctx, `SELECT `+resultColumns+` FROM mujun_result r JOIN enterprise e ON e.id = r.enterprise_id
		WHERE r.run_id = $1 AND `+where+` ORDER BY r.enterprise_id`, append([]any{id}, args...)...)
	if err != nil {
		return res, run, err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanResult(rows, texts)
		if err != nil {
			return res, run, err
		}
		res.Enterprises = append(res.Enterprises, e)
	}
	return res, run, rows.Err()
}

// resultColumns are a result's own columns (mujun_result as r). The
// run's policy texts, which the details index, are read once per run
// (runPolicyTexts) or, across runs, as one more column.
const resultColumns = `r.enterprise_id, r.region_code, r.park_code, r.grp, r.exempt, r.subtotal, r.deducted, r.score, r.reweight, r.rank, r.region_rank,
	r.class, r.class_by, r.consecutive_years, r.detail`

// scanResult scans resultColumns and extra; textsOf gives the policy
// texts of the row's run, asked only when the row applied a policy.
func scanResult(sc interface{ Scan(...any) error }, textsOf func() ([]mujun.Text, error), extra ...any) (mujun.EnterpriseResult, error) {
	var e mujun.EnterpriseResult
	var grp, exempt, classBy string
	var detail []byte
	dest := append([]any{&e.EnterpriseID, &e.RegionCode, &e.ParkCode, &grp, &exempt, &e.Subtotal, &e.Deducted, &e.Score, &e.ReweightFactor,
		&e.Rank, &e.RegionRank, &e.Class, &classBy, &e.ConsecutiveYears, &detail}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return e, err
	}
	e.Group, e.Exempt, e.ClassBy = mujun.Group(grp), mujun.ExemptReason(exempt), mujun.ClassSource(classBy)
	var d resultDetail
	if err := d.decode(detail); err != nil {
		return e, fmt.Errorf("sqlstore: result detail of %d: %w", e.EnterpriseID, err)
	}
	e.Indicators, e.Vetoes = d.Indicators, d.Vetoes
	if d.Ind != nil {
		e.Indicators = make([]mujun.IndicatorResult, len(d.Ind))
		for i := range d.Ind {
			e.Indicators[i] = mujun.IndicatorResult(d.Ind[i])
		}
	}
	if len(d.Policies) > 0 {
		ts, err := textsOf()
		if err != nil {
			return e, err
		}
		if e.Policies, err = appliedPolicies(d.Policies, ts); err != nil {
			return e, fmt.Errorf("sqlstore: result detail of %d: %w", e.EnterpriseID, err)
		}
	}
	return e, nil
}

// runPolicyTexts reads and decodes the policy texts of run id, for the
// results of that run alone.
func (s *Store) runPolicyTexts(ctx context.Context, id int64) (func() ([]mujun.Text, error), error) {
	var raw string
	if err := s.read.QueryRowContext(ctx, `SELECT policy_texts FROM mujun_run WHERE id = $1`, id).Scan(&raw); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlstore: run %d policy texts: %w", id, err)
	}
	var pt policyTexts
	return func() ([]mujun.Text, error) { return pt.load(raw) }, nil
}

// MujunResults returns a run's results in scope, ranked: group (above
// scale first), rated firms by rank, then exempt firms, ties by id.
func (s *Store) MujunResults(ctx context.Context, sc auth.Scope, runID int64, f mujun.ResultFilter) (mujun.ResultPage, error) {
	var page mujun.ResultPage
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 5000)
	where, args := scopeClause(sc, "e", 1)
	conds := []string{where}
	add := func(col string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf("%s = $%d", col, len(args)))
	}
	add("r.run_id", runID)
	if f.RegionCode != "" {
		add("r.region_code", f.RegionCode)
	}
	if f.ParkCode != "" {
		add("r.park_code", f.ParkCode)
	}
	if f.Class != "" {
		add("r.class", f.Class)
	}
	if f.Group != "" {
		add("r.grp", string(f.Group))
	}
	from := ` FROM mujun_result r JOIN enterprise e ON e.id = r.enterprise_id WHERE ` + strings.Join(conds, " AND ")
	// The city's totals are kept with the run (mujun_result_count):
	// counting the run's index entries was half of a page's CPU. A
	// narrower scope is the firms' current district (the join), which
	// counts by the run's districts do not answer.
	var err error
	if sc.IsAll() {
		page.Total, err = s.mujunResultTotal(ctx, runID, f)
	} else {
		err = s.read.QueryRowContext(ctx, `SELECT COUNT(*)`+from, args...).Scan(&page.Total)
	}
	if err != nil {
		return page, fmt.Errorf("sqlstore: count results: %w", err)
	}
	texts, err := s.runPolicyTexts(ctx, runID)
	if err != nil {
		return page, err
	}
	// ord is the ranking order (see rankingOrder), so the page is a range of
	// the (run_id, ord) index rather than a sort of the whole run.
	rows, err := s.read.QueryContext(ctx, `SELECT `+resultColumns+`, e.name, e.credit_code`+from+
		` ORDER BY r.ord`+pageClause(f.Limit, f.Offset), args...)
	if err != nil {
		return page, fmt.Errorf("sqlstore: results: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var it mujun.ResultItem
		e, err := scanResult(rows, texts, &it.Name, &it.CreditCode)
		if err != nil {
			return page, err
		}
		it.EnterpriseResult = e
		page.Items = append(page.Items, it)
	}
	return page, rows.Err()
}

// MujunEnterpriseResults returns an enterprise's result in every run that
// evaluated it, newest run first, if the enterprise is in scope.
func (s *Store) MujunEnterpriseResults(ctx context.Context, sc auth.Scope, enterpriseID int64) ([]mujun.EnterpriseRun, error) {
	where, args := scopeClause(sc, "e", 2)
	rows, err := s.read.QueryContext(ctx, `SELECT `+resultColumns+`, u.policy_texts, u.id, u.config_id, u.config_version, u.year, u.evaluating_unit, u.prior_run_id, u.enterprises, u.skipped, u.note, u.created_at, u.created_by
		FROM mujun_result r JOIN enterprise e ON e.id = r.enterprise_id JOIN mujun_run u ON u.id = r.run_id
		WHERE r.enterprise_id = $1 AND `+where+` ORDER BY u.id DESC`, append([]any{enterpriseID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []mujun.EnterpriseRun
	var texts policyTexts
	var textsRaw string
	textsOf := func() ([]mujun.Text, error) { return texts.load(textsRaw) }
	for rows.Next() {
		var er mujun.EnterpriseRun
		var at int64
		ru := &er.Run
		e, err := scanResult(rows, textsOf, &textsRaw, &ru.ID, &ru.ConfigID, &ru.ConfigVersion, &ru.Year, &ru.EvaluatingUnit, &ru.PriorRunID, &ru.Enterprises, &ru.Skipped, &ru.Note, &at, &ru.CreatedBy)
		if err != nil {
			return nil, err
		}
		ru.CreatedAt = time.Unix(at, 0).UTC()
		er.Result = e
		out = append(out, er)
	}
	return out, rows.Err()
}

// MujunRunYears returns, for each year with a run of the evaluating unit,
// the newest run's id, by year.
func (s *Store) MujunRunYears(ctx context.Context, evaluatingUnit string) (map[int]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT year, MAX(id) FROM mujun_run WHERE evaluating_unit = $1 GROUP BY year`, evaluatingUnit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]int64{}
	for rows.Next() {
		var y int
		var id int64
		if err := rows.Scan(&y, &id); err != nil {
			return nil, err
		}
		out[y] = id
	}
	return out, rows.Err()
}
