// Package demo generates a deterministic synthetic Chongqing — about 7,000
// above-scale industrial firms a year with entry and exit, below-scale
// firms, titles, monthly reports 2022-02 … 2024-12, the producer price
// index and the 2024 task table — and loads it through the store's public
// methods.
//
// The platform's figures are never stored. The generator draws raw records
// (lognormal firm sizes, seasonal monthly values, industry and regional
// mixes), measures the document's figures over them exactly the way the
// statistics do (the year's above-scale set, the same firms a year earlier
// as comparable basis, SEI by industry class, 专精特新 at the year end), and
// applies exact multiplicative adjustments to groups of records until each
// figure lands in its acceptance interval; it re-measures and fails loudly
// otherwise. Same seed and scale give byte-identical data.
package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/tasks"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Options control generation.
type Options struct {
	Seed uint64
	// Scale multiplies the number of firms: 1 ≈ 7,000 above-scale firms a
	// year. Rates and shares hold at any scale; the ¥2.6 trillion output
	// level holds while N×7,000 firms above the ¥20 m line can still sum
	// to it (up to Scale 15): the excess of revenue over the line is
	// compressed, so firms get smaller and the mix shifts towards the
	// many small firms. Above that the level grows with Scale. 0 means 1.
	Scale int
	// Progress, when set, is called after each write with rows written so
	// far and the total.
	Progress func(done, total int)
	// Instance is the federation instance whose dataset to generate:
	// Chongqing's full dataset for "" or "cq", Sichuan's instrument-sharing
	// dataset for "sc" (sichuan.go).
	Instance string
}

// Summary counts what Load wrote and lists the dataset's inputs. It holds
// no computed figure: those are the platform's to compute.
type Summary struct {
	Seed            uint64
	Scale           int
	Enterprises     int         // registered enterprises
	AboveScale      map[int]int // size of each year's above-scale set
	Entrants        map[int]int // in the year's set, not in the previous year's
	Leavers         map[int]int // in the previous year's set, not in this year's
	NeverAboveScale int         // registered, never in the statistics
	Founded         int         // founded 2022–2024
	Closed          int         // closed at the start of 2023 or 2024
	Reports         int         // monthly report rows
	Titles          map[enterprise.TitleKind]int
	Granted2024     map[enterprise.TitleKind]int // titles granted in 2024, by kind
	Deflators       []sqlstore.Deflator          // price index inputs
	Targets         int                          // task-table rows, every bureau
	LevelCalibrated bool                         // output level calibrated (false only at very large Scale)
	Elapsed         time.Duration
	// Instance is the dataset's instance; Sichuan's counts what it wrote.
	Instance         string
	InstrumentUnits  int
	Instruments      int
	InstrumentOrders int

	yearRows int // enterprise-year rows, for progress
}

// String renders a one-line summary for the command line.
func (s Summary) String() string {
	if s.Instance == Sichuan {
		return s.sichuanString()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d, scale %d: %d enterprises (above scale", s.Seed, s.Scale, s.Enterprises)
	for y := firstYear; y <= lastYear; y++ {
		fmt.Fprintf(&b, " %d: %d", y, s.AboveScale[y])
		if y > firstYear {
			fmt.Fprintf(&b, " [+%d −%d]", s.Entrants[y], s.Leavers[y])
		}
		if y < lastYear {
			b.WriteString(",")
		}
	}
	fmt.Fprintf(&b, "; never above scale %d), %d monthly reports, titles", s.NeverAboveScale, s.Reports)
	for _, k := range enterprise.TitleKinds {
		if n := s.Titles[k]; n > 0 {
			fmt.Fprintf(&b, " %s %d", k, n)
		}
	}
	b.WriteString("; granted in 2024")
	for _, k := range enterprise.TitleKinds {
		if n := s.Granted2024[k]; n > 0 {
			fmt.Fprintf(&b, " %s %d", k, n)
		}
	}
	fmt.Fprintf(&b, ", %d targets, PPI", s.Targets)
	for _, d := range s.Deflators {
		fmt.Fprintf(&b, " %d: %.1f", d.Year, float64(d.IndexE4)/1e4)
	}
	if !s.LevelCalibrated {
		b.WriteString(" (output level not calibrated at this scale)")
	}
	return b.String()
}

// taskTables are every bureau's task table (internal/tasks/tables.json),
// loaded as targets: inputs the platform tracks progress against.
func taskTables() (*tasks.Tables, error) { return tasks.BuiltinTables() }

func deflators() []sqlstore.Deflator {
	var out []sqlstore.Deflator
	for y := firstYear; y <= lastYear; y++ {
		out = append(out, sqlstore.Deflator{Series: stats.DeflatorSeries, Year: y, Month: 0, IndexE4: ppiE4[y]})
	}
	return out
}

// Batch sizes for the store: enterprise rows per transaction, and report
// rows per call. The report batches defer their summaries, which are
// rebuilt once per year after its last batch.
const (
	enterpriseBatch = 4_000
	reportBatch     = 400_000
)

// Load generates the dataset and writes it to st, which must be migrated
// and hold the reference data (refdata.Sync). Loading the same seed and
// scale again changes nothing.
func Load(ctx context.Context, st *sqlstore.Store, opts Options) (Summary, error) {
	switch opts.Instance {
	case Sichuan:
		return loadSichuan(ctx, st, opts)
	case "", Chongqing:
	default:
		return Summary{}, fmt.Errorf("demo: no dataset for instance %q (cq or sc)", opts.Instance)
	}
	start := time.Now()
	ds, err := generate(opts)
	if err != nil {
		return Summary{}, err
	}
	sum := ds.summary()
	total := sum.yearRows + len(ds.titleRows(nil)) + sum.Reports
	done := 0
	progress := func(n int) {
		done += n
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
	}
	progress(0)

	// Enterprises with their yearly status, a few thousand firms per
	// transaction.
	for i := 0; i < len(ds.firms); i += enterpriseBatch {
		chunk := ds.enterpriseRows(ds.firms[i:min(i+enterpriseBatch, len(ds.firms))])
		if _, err := st.UpsertEnterprises(ctx, chunk); err != nil {
			return sum, fmt.Errorf("demo: enterprises: %w", err)
		}
		progress(len(chunk))
	}
	ids, err := st.EnterpriseIDs(ctx)
	if err != nil {
		return sum, err
	}
	idOf := make([]int64, len(ds.firms))
	for i, f := range ds.firms {
		id, ok := ids[f.code]
		if !ok {
			return sum, fmt.Errorf("demo: enterprise %s was not stored", f.code)
		}
		idOf[i] = id
	}
	// Titles before reports, so no summary is rebuilt for them.
	titles := ds.titleRows(idOf)
	if err := st.PutTitles(ctx, titles); err != nil {
		return sum, fmt.Errorf("demo: titles: %w", err)
	}
	progress(len(titles))
	// Synthetic personal data (legal representative, contact person and
	// phone), masked for roles without personal.read.
	if err := st.PutContacts(ctx, ds.contacts(idOf)); err != nil {
		return sum, fmt.Errorf("demo: contacts: %w", err)
	}
	if err := st.PutDeflators(ctx, deflators()); err != nil {
		return sum, fmt.Errorf("demo: deflators: %w", err)
	}
	tables, err := taskTables()
	if err != nil {
		return sum, err
	}
	if err := st.PutTargets(ctx, tables.Targets()); err != nil {
		return sum, fmt.Errorf("demo: targets: %w", err)
	}
	// Reports year by year, oldest first, so each year's summaries are
	// built once, on top of the previous year's reports (their basis).
	buf := make([]report.Monthly, 0, min(reportBatch+12, sum.Reports+12))
	for t := 1; t < nYears; t++ {
		flush := func() error {
			if len(buf) == 0 {
				return nil
			}
			if _, err := st.ImportReports(ctx, buf, sqlstore.WriteOptions{DeferSummaries: true}); err != nil {
				return fmt.Errorf("demo: reports %d: %w", baseYear+t, err)
			}
			progress(len(buf))
			buf = buf[:0]
			return nil
		}
		for i, f := range ds.firms {
			buf = ds.monthly(f, t, idOf[i], buf)
			if len(buf) >= reportBatch {
				if err := flush(); err != nil {
					return sum, err
				}
			}
		}
		if err := flush(); err != nil {
			return sum, err
		}
		// The year's batches deferred their summaries: one rebuild of the
		// year, on top of the previous year's reports (its basis).
		if err := st.RefreshAggregates(ctx, []int{baseYear + t}); err != nil {
			return sum, fmt.Errorf("demo: summaries %d: %w", baseYear+t, err)
		}
	}
	if err := loadMujun(ctx, st, ds, idOf); err != nil {
		return sum, err
	}
	if err := loadGoals(ctx, st, ds, idOf); err != nil {
		return sum, err
	}
	if err := loadListing(ctx, st, ds, idOf); err != nil {
		return sum, err
	}
	if err := loadReporting(ctx, st, ds, idOf); err != nil {
		return sum, err
	}
	cat, err := indicator.Builtin()
	if err != nil {
		return sum, err
	}
	if err := loadDepartmental(ctx, st, ds, tables, cat); err != nil {
		return sum, err
	}
	if _, err := loadInstruments(ctx, st, opts.Seed, chongqing); err != nil {
		return sum, err
	}
	if _, err := loadInstrumentOrders(ctx, st, opts.Seed, chongqing); err != nil {
		return sum, err
	}
	// Digital transformation (digital.go): projects, recognitions, maturity.
	if err := loadDigital(ctx, st, ds, idOf); err != nil {
		return sum, err
	}
	// Profile facts for the title rules (cultivation.go), last: they read
	// the finished dataset and change nothing in it.
	if _, err := ds.loadCultivation(ctx, st, idOf); err != nil {
		return sum, err
	}
	if err := st.Vacuum(ctx); err != nil {
		return sum, err
	}
	sum.Elapsed = time.Since(start)
	return sum, nil
}

// enterpriseRows returns one row per enterprise and year it exists in,
// grouped by enterprise.
func (ds *dataset) enterpriseRows(firms []*firm) []sqlstore.EnterpriseWithYear {
	var out []sqlstore.EnterpriseWithYear
	for _, f := range firms {
		e := enterprise.Enterprise{CreditCode: f.code, Name: f.name, RegionCode: f.region, IndustryCode: f.class, Founded: f.founded, LandArea: f.land}
		for t := 1; t < nYears; t++ {
			if !f.exists(t) {
				continue
			}
			y := &enterprise.Year{Year: baseYear + t, AboveScale: f.above[t], Employees: f.empOf[t], Revenue: unit.Fen(f.basis[t]), Size: f.sizeOf[t]}
			out = append(out, sqlstore.EnterpriseWithYear{Enterprise: e, Year: y})
		}
	}
	return out
}

// titleRows returns every title with its enterprise id (firm index + 1
// when ids is nil).
func (ds *dataset) titleRows(ids []int64) []enterprise.Title {
	var out []enterprise.Title
	for i, f := range ds.firms {
		id := int64(i + 1)
		if ids != nil {
			id = ids[i]
		}
		for _, t := range f.titles {
			t.EnterpriseID = id
			out = append(out, t)
		}
	}
	return out
}

func (ds *dataset) summary() Summary {
	s := Summary{Seed: ds.opts.Seed, Scale: ds.opts.Scale, Enterprises: len(ds.firms), LevelCalibrated: ds.levelOK,
		AboveScale: map[int]int{}, Entrants: map[int]int{}, Leavers: map[int]int{},
		Titles: map[enterprise.TitleKind]int{}, Granted2024: map[enterprise.TitleKind]int{},
		Deflators: deflators()}
	if tables, err := taskTables(); err == nil {
		s.Targets = len(tables.Targets())
	}
	for _, f := range ds.firms {
		ever := false
		for t := 1; t < nYears; t++ {
			y := baseYear + t
			if f.exists(t) {
				s.yearRows++
			}
			if f.inSet(t) {
				s.AboveScale[y]++
				ever = true
			}
			if t > 1 && f.inSet(t) && !f.inSet(t-1) {
				s.Entrants[y]++
			}
			if t > 1 && !f.inSet(t) && f.inSet(t-1) {
				s.Leavers[y]++
			}
			if f.hasRep[t] {
				s.Reports += 13 - f.first[t]
			}
		}
		if !ever {
			s.NeverAboveScale++
		}
		if fy := f.foundedYear(); fy >= firstYear {
			s.Founded++
		}
		if f.closed != 0 {
			s.Closed++
		}
		for _, t := range f.titles {
			s.Titles[t.Kind]++
			if t.GrantedOn.Year() == 2024 {
				s.Granted2024[t.Kind]++
			}
		}
	}
	return s
}
