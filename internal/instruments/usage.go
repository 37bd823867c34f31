package instruments

import (
	"context"
	"sort"
	"strconv"

	"github.com/industrybrain/ibrain/internal/unit"
)

// Service statistics (issue 9 item 6): effective machine hours, external
// service hours, share rate, openness rate, client units and ratings per
// instrument, unit, class and district, computed from the orders, never
// stored. All hours come from the actual minutes the lab recorded, never
// from the booked slot (next-modules.md §A.1).

// UsageInstrument is what the service statistics read of an instrument.
type UsageInstrument struct {
	ID         int64
	Name       string
	UnitID     int64
	UnitName   string
	UnitType   UnitType
	ClassCode  string
	RegionCode string
	Value      unit.Fen
	Status     Status
	EnrolledOn string
	RemovedOn  string
	// Filled counts the optional catalogue fields filled in (of
	// CatalogueFields): the completeness of the platform registration.
	Filled int
}

// CatalogueFields is the number of optional catalogue fields whose
// filling makes a registration complete: model, manufacturer, country,
// purchase date, location, specifications, capabilities, sample
// requirements and contact.
const CatalogueFields = 9

// UsageOrder is one order as the service statistics read it.
type UsageOrder struct {
	ID           int64
	InstrumentID int64
	UserID       int64
	EnterpriseID int64 // the customer's firm; 0 for other users
	ClientUnitID int64 // the customer's unit (recorded, else their membership); 0 when none
	Category     Category
	Mode         Mode
	State        OrderState
	Day          string // the service day: the slot's local day, or the promised day of sample sending
	Booked       int    // minutes
	Actual       int    // minutes
	Billable     int    // minutes
	Amount       unit.Fen
	Voucher      unit.Fen
	Stars        int // the visible review's stars, 0 when none
}

// Client is the key of the customer's legal entity: their firm, their
// unit, or (for an individual the platform places nowhere) the user.
func (o UsageOrder) Client() string {
	switch {
	case o.EnterpriseID > 0:
		return "e" + strconv.FormatInt(o.EnterpriseID, 10)
	case o.ClientUnitID > 0:
		return "u" + strconv.FormatInt(o.ClientUnitID, 10)
	}
	return "p" + strconv.FormatInt(o.UserID, 10)
}

// External reports whether the order served a user outside the owning
// unit (对外服务): every category but the unit's own staff.
func (o UsageOrder) External() bool { return o.Category != Internal }

// UsageRecorded reports whether an order in state s has its actual use
// recorded, so that its hours count: usage confirmed and every state
// after it, a dispute included (the time was used; the money is what is
// disputed).
func UsageRecorded(s OrderState) bool {
	switch s {
	case UsageConfirmed, Invoiced, Paid, Rated, Closed, Disputed:
		return true
	}
	return false
}

// UsageStore is what the service statistics read.
type UsageStore interface {
	// UsageInstruments lists every instrument ever enrolled.
	UsageInstruments(ctx context.Context) ([]UsageInstrument, error)
	// UsageOrders lists the orders whose service day is in [from, to)
	// (YYYY-MM-DD).
	UsageOrders(ctx context.Context, from, to string) ([]UsageOrder, error)
	// EvalScoreStore: the entered scores of the evaluation (evalscores.go).
	EvalScoreStore
}

// UsageFigures are the service figures of a set of instruments in a year.
type UsageFigures struct {
	Key, Label       string
	Instruments      int // enrolled and live at the year's end
	OpenToSociety    int // of those, instruments that served an external user in the year
	Orders           int // orders with recorded use
	EffectiveMinutes int64
	ExternalMinutes  int64
	BookedMinutes    int64
	BillableMinutes  int64
	Income           unit.Fen
	VoucherPaid      unit.Fen
	Clients          int // distinct client entities served
	Ratings          int
	StarSum          int
	Filled           int // catalogue fields filled, over the live instruments
	clients          map[string]bool
	open             map[int64]bool
}

// EffectiveHours is the actual use in hours.
func (f UsageFigures) EffectiveHours() float64 { return float64(f.EffectiveMinutes) / 60 }

// ExternalHours is the actual use by external users in hours.
func (f UsageFigures) ExternalHours() float64 { return float64(f.ExternalMinutes) / 60 }

// ShareRate is external ÷ effective hours (共享率), 0 without use.
func (f UsageFigures) ShareRate() float64 {
	if f.EffectiveMinutes == 0 {
		return 0
	}
	return float64(f.ExternalMinutes) / float64(f.EffectiveMinutes)
}

// OpennessRate is the share of live instruments that served an external
// user (开放率), 0 without instruments.
func (f UsageFigures) OpennessRate() float64 {
	if f.Instruments == 0 {
		return 0
	}
	return float64(f.OpenToSociety) / float64(f.Instruments)
}

// AverageRating is the mean of the visible reviews' stars, 0 without any.
func (f UsageFigures) AverageRating() float64 {
	if f.Ratings == 0 {
		return 0
	}
	return float64(f.StarSum) / float64(f.Ratings)
}

// perInstrument divides by the live instruments, 0 without any.
func (f UsageFigures) perInstrument(v float64) float64 {
	if f.Instruments == 0 {
		return 0
	}
	return v / float64(f.Instruments)
}

// Utilisation is the effective hours per live instrument against the
// reference hours of a year (Chongqing: 1,400 h), as a fraction.
func (f UsageFigures) Utilisation(referenceHours float64) float64 {
	if referenceHours <= 0 {
		return 0
	}
	return f.perInstrument(f.EffectiveHours()) / referenceHours
}

// Completeness is the share of the optional catalogue fields filled in.
func (f UsageFigures) Completeness() float64 {
	if f.Instruments == 0 {
		return 0
	}
	return float64(f.Filled) / float64(f.Instruments*CatalogueFields)
}

// UsageReport is a year's service statistics.
type UsageReport struct {
	Year           int
	ReferenceHours float64 // the utilisation reference of the configuration in force
	Total          UsageFigures
	ByUnit         []UsageFigures // every unit, by effective hours
	ByClass        []UsageFigures // every class with instruments, by code
	ByDistrict     []UsageFigures // every district with instruments, by code
	TopInstruments []UsageFigures // the most used instruments
	States         []StateCount   // the year's orders by state, every state listed
}

// StateCount is the number of a year's orders in a state.
type StateCount struct {
	State OrderState
	N     int
}

// ComputeUsage computes a year's service statistics from the instruments
// and the orders of that year, keeping the top n instruments.
func ComputeUsage(ins []UsageInstrument, orders []UsageOrder, year, n int, referenceHours float64) UsageReport {
	end := strconv.Itoa(year) + "-12-31"
	rep := UsageReport{Year: year, ReferenceHours: referenceHours, Total: UsageFigures{Key: "total"}}
	groups := map[string]*UsageFigures{}
	get := func(key, label string) *UsageFigures {
		g := groups[key]
		if g == nil {
			g = &UsageFigures{Key: key[2:], Label: label}
			groups[key] = g
		}
		return g
	}
	byID := map[int64]UsageInstrument{}
	for _, in := range ins {
		byID[in.ID] = in
	}
	keysOf := func(in UsageInstrument) []*UsageFigures {
		return []*UsageFigures{&rep.Total, get("u:"+strconv.FormatInt(in.UnitID, 10), in.UnitName), get("c:"+in.ClassCode, ""),
			get("d:"+in.RegionCode, ""), get("i:"+strconv.FormatInt(in.ID, 10), in.Name)}
	}
	for _, in := range ins {
		if in.EnrolledOn == "" || in.EnrolledOn > end || (in.RemovedOn != "" && in.RemovedOn <= end) {
			continue
		}
		for _, g := range keysOf(in) {
			g.Instruments++
			g.Filled += in.Filled
		}
	}
	states := map[OrderState]int{}
	for _, o := range orders {
		if len(o.Day) < 4 || o.Day[:4] != end[:4] {
			continue
		}
		states[o.State]++
		in, ok := byID[o.InstrumentID]
		if !ok || !UsageRecorded(o.State) {
			continue
		}
		for _, g := range keysOf(in) {
			g.Orders++
			g.EffectiveMinutes += int64(o.Actual)
			g.BookedMinutes += int64(o.Booked)
			g.BillableMinutes += int64(o.Billable)
			g.Income += o.Amount
			g.VoucherPaid += o.Voucher
			if o.External() {
				g.ExternalMinutes += int64(o.Actual)
				if g.open == nil {
					g.open = map[int64]bool{}
				}
				g.open[o.InstrumentID] = true
			}
			if g.clients == nil {
				g.clients = map[string]bool{}
			}
			g.clients[o.Client()] = true
			if o.Stars > 0 {
				g.Ratings++
				g.StarSum += o.Stars
			}
		}
	}
	finish := func(g *UsageFigures) {
		g.Clients = len(g.clients)
		// Only instruments live at the year's end count as open.
		for id := range g.open {
			if in := byID[id]; in.EnrolledOn != "" && in.EnrolledOn <= end && (in.RemovedOn == "" || in.RemovedOn > end) {
				g.OpenToSociety++
			}
		}
		g.clients, g.open = nil, nil
	}
	finish(&rep.Total)
	var units, instrumentsUsed []UsageFigures
	for key, g := range groups {
		finish(g)
		switch key[0] {
		case 'u':
			units = append(units, *g)
		case 'c':
			rep.ByClass = append(rep.ByClass, *g)
		case 'd':
			rep.ByDistrict = append(rep.ByDistrict, *g)
		case 'i':
			if g.EffectiveMinutes > 0 {
				instrumentsUsed = append(instrumentsUsed, *g)
			}
		}
	}
	byHours := func(fs []UsageFigures) {
		sort.Slice(fs, func(i, j int) bool {
			if fs[i].EffectiveMinutes != fs[j].EffectiveMinutes {
				return fs[i].EffectiveMinutes > fs[j].EffectiveMinutes
			}
			return fs[i].Key < fs[j].Key
		})
	}
	byKey := func(fs []UsageFigures) { sort.Slice(fs, func(i, j int) bool { return fs[i].Key < fs[j].Key }) }
	byHours(units)
	byHours(instrumentsUsed)
	byKey(rep.ByClass)
	byKey(rep.ByDistrict)
	rep.ByUnit = units
	if n > 0 && len(instrumentsUsed) > n {
		instrumentsUsed = instrumentsUsed[:n]
	}
	rep.TopInstruments = instrumentsUsed
	for _, s := range OrderStates {
		rep.States = append(rep.States, StateCount{State: s, N: states[s]})
	}
	return rep
}

// Usage computes a year's service statistics with the utilisation
// reference of the evaluation configuration in force today.
func (s *Service) Usage(ctx context.Context, year, top int) (UsageReport, error) {
	cfg, err := s.evaluationConfig()
	if err != nil {
		return UsageReport{}, err
	}
	ins, err := s.store.UsageInstruments(ctx)
	if err != nil {
		return UsageReport{}, err
	}
	y := strconv.Itoa(year)
	orders, err := s.store.UsageOrders(ctx, y+"-01-01", strconv.Itoa(year+1)+"-01-01")
	if err != nil {
		return UsageReport{}, err
	}
	return ComputeUsage(ins, orders, year, top, cfg.UtilisationReferenceHours), nil
}

// Evaluations computes a year's statistics and evaluates every unit with
// the configuration in force today, ranked.
func (s *Service) Evaluations(ctx context.Context, year int) (UsageReport, EvalConfig, []Evaluation, error) {
	cfg, err := s.evaluationConfig()
	if err != nil {
		return UsageReport{}, cfg, nil, err
	}
	rep, err := s.Usage(ctx, year, 20)
	if err != nil {
		return rep, cfg, nil, err
	}
	scores, err := s.store.EvalScores(ctx, year)
	if err != nil {
		return rep, cfg, nil, err
	}
	entered := EnteredByUnit(scores)
	evs := make([]Evaluation, 0, len(rep.ByUnit))
	for _, u := range rep.ByUnit {
		evs = append(evs, EvaluateEntered(cfg, u, entered[u.Key]))
	}
	RankEvaluations(evs)
	return rep, cfg, evs, nil
}

func (s *Service) evaluationConfig() (EvalConfig, error) {
	cs, err := EvaluationConfigs()
	if err != nil {
		return EvalConfig{}, err
	}
	return EvaluationConfigOn(cs, s.now().In(Zone).Format("2006-01-02"))
}
