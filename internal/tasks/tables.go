// Package tasks holds every bureau's task table (任务表) as data and the
// departmental indicators (部门填报) that fill their rows: a department's
// users enter or upload a yearly value, the city reviews it (return with a
// reason, or accept), only accepted values count, and a published year is
// locked so that a later change is a revision with its history.
//
// A task table is a row of tables.json — a department, a year, a source
// name and rows of indicator, comparator and value — so a further bureau's
// table is an edit of that file (and of the indicator catalogue when its
// indicators are new), not of code.
package tasks

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/target"
)

//go:embed tables.json
var tablesJSON []byte

// Table is one bureau's task table of one year.
type Table struct {
	Code       string `json:"code"` // URL-safe, e.g. "mfg-2024"
	NameZh     string `json:"name_zh"`
	NameEn     string `json:"name_en"`
	Department string `json:"department"` // the bureau that owns the table
	Year       int    `json:"year"`
	// Source names the table on every target row it writes, as the
	// cultivation goals do for the allocations they add to it.
	Source string `json:"source"`
	// Scoreboard marks the table the city's 数读 panel pairs with the
	// previous year's results.
	Scoreboard bool  `json:"scoreboard"`
	Rows       []Row `json:"rows"`
}

// Row is one city-level target of a table.
type Row struct {
	Indicator  string            `json:"indicator"`
	Comparator target.Comparator `json:"comparator"`
	Value      float64           `json:"value"`
}

// Tables is a set of task tables, in display order.
type Tables struct {
	Version string  `json:"version"`
	Tables  []Table `json:"tables"`
}

var codePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,40}$`)

// ParseTables reads task tables and checks them against the indicator
// catalogue: unique codes and sources, every row's indicator known, a
// known comparator, no indicator twice in a year (a target is keyed by
// indicator, scope and year).
func ParseTables(data []byte, cat *indicator.Catalogue) (*Tables, error) {
	var ts Tables
	if err := json.Unmarshal(data, &ts); err != nil {
		return nil, fmt.Errorf("tasks: tables: %w", err)
	}
	codes, sources := map[string]bool{}, map[string]bool{}
	type yearInd struct {
		year int
		code string
	}
	seen := map[yearInd]string{}
	for _, t := range ts.Tables {
		bad := func(format string, a ...any) error {
			return fmt.Errorf("tasks: table %s: "+format, append([]any{t.Code}, a...)...)
		}
		if !codePattern.MatchString(t.Code) {
			return nil, bad("code is not 2–41 characters of a-z, 0-9 and '-'")
		}
		if codes[t.Code] || sources[t.Source] {
			return nil, bad("code or source repeated")
		}
		codes[t.Code], sources[t.Source] = true, true
		if t.NameZh == "" || t.NameEn == "" || t.Department == "" || t.Source == "" {
			return nil, bad("name_zh, name_en, department and source are required")
		}
		if t.Year < 2000 || t.Year > 2100 {
			return nil, bad("year %d out of range", t.Year)
		}
		if len(t.Rows) == 0 {
			return nil, bad("no rows")
		}
		for _, r := range t.Rows {
			if _, ok := cat.ByCode(r.Indicator); !ok {
				return nil, bad("indicator %s is not in the catalogue", r.Indicator)
			}
			switch r.Comparator {
			case target.AtLeast, target.AtMost, target.About:
			default:
				return nil, bad("indicator %s: comparator %q is not >=, <= or ~", r.Indicator, r.Comparator)
			}
			k := yearInd{t.Year, r.Indicator}
			if other, ok := seen[k]; ok {
				return nil, bad("indicator %s is already a %d target of table %s", r.Indicator, t.Year, other)
			}
			seen[k] = t.Code
		}
	}
	return &ts, nil
}

// BuiltinTables returns the embedded task tables checked against the
// built-in indicator catalogue.
func BuiltinTables() (*Tables, error) {
	cat, err := indicator.Builtin()
	if err != nil {
		return nil, err
	}
	return ParseTables(tablesJSON, cat)
}

// ByCode returns a table by its code.
func (ts *Tables) ByCode(code string) (Table, bool) {
	for _, t := range ts.Tables {
		if t.Code == code {
			return t, true
		}
	}
	return Table{}, false
}

// BySource returns the table whose rows carry source.
func (ts *Tables) BySource(source string) (Table, bool) {
	for _, t := range ts.Tables {
		if t.Source == source {
			return t, true
		}
	}
	return Table{}, false
}

// Targets are the tables' rows as city targets, the form the store and the
// statistics engine keep them in.
func (ts *Tables) Targets() []target.Target {
	var out []target.Target
	for _, t := range ts.Tables {
		for _, r := range t.Rows {
			out = append(out, target.Target{IndicatorCode: r.Indicator, ScopeKind: target.ScopeCity, Year: t.Year,
				Comparator: r.Comparator, Value: r.Value, Source: t.Source})
		}
	}
	return out
}

// OnScoreboard reports whether targets of source belong on the 数读 panel:
// those of a table marked for it, and those of no table known here.
func (ts *Tables) OnScoreboard(source string) bool {
	if ts == nil {
		return true
	}
	t, ok := ts.BySource(source)
	return !ok || t.Scoreboard
}

// Sync is one task table as a deployment writes it to the target table
// at start: its code, the file's version, a digest of its content and its
// rows as targets. The store writes a table again only when its version or
// digest differs from what it wrote last, so a start is idempotent and a
// new tables.json reaches every deployment without the demo.
type Sync struct {
	Code, Version, Digest, Source string
	Year                          int
	Targets                       []target.Target
}

// Syncs are the tables as Sync values, in order.
func (ts *Tables) Syncs() []Sync {
	out := make([]Sync, 0, len(ts.Tables))
	for _, t := range ts.Tables {
		one := Tables{Version: ts.Version, Tables: []Table{t}}
		data, _ := json.Marshal(t) // plain data: cannot fail
		sum := sha256.Sum256(data)
		out = append(out, Sync{Code: t.Code, Version: ts.Version, Digest: hex.EncodeToString(sum[:]), Source: t.Source, Year: t.Year, Targets: one.Targets()})
	}
	return out
}
