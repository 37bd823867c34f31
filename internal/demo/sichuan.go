package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/industrybrain/ibrain/internal/sqlstore"
)

// The federation's instances (issue 10): Chongqing (cq) is the demo's
// default and full dataset; Sichuan (sc) is a second instance of the
// instrument-sharing platform only. Sichuan's demo holds its sharing
// units (real universities and institutes by name, others generated),
// its instruments (profile sichuan in instruments.go) and a modest
// service history of academic and internal customers. It holds no
// enterprise registry, reports, titles, task tables or vouchers: those
// are Chongqing's (its districts, its firms, its policy) and a Sichuan
// instance has its own or none. The accounts are the command line's.
const (
	Chongqing = "cq"
	Sichuan   = "sc"
)

// LoadCatalogue writes only the instance's sharing units and instruments
// (opts.Instance, opts.Seed): the records the joint view counts. Loading
// it again changes nothing.
func LoadCatalogue(ctx context.Context, st *sqlstore.Store, opts Options) (int, error) {
	return loadInstruments(ctx, st, opts.Seed, profileOf(opts.Instance))
}

// loadSichuan loads Sichuan's dataset: catalogue, then service history.
func loadSichuan(ctx context.Context, st *sqlstore.Store, opts Options) (Summary, error) {
	start := time.Now()
	sum := Summary{Seed: opts.Seed, Scale: 1, Instance: Sichuan}
	if opts.Progress != nil {
		opts.Progress(0, 2)
	}
	n, err := loadInstruments(ctx, st, opts.Seed, sichuan)
	if err != nil {
		return sum, err
	}
	sum.Instruments = n
	if opts.Progress != nil {
		opts.Progress(1, 2)
	}
	units, err := st.Units(ctx)
	if err != nil {
		return sum, err
	}
	sum.InstrumentUnits = len(units)
	if sum.InstrumentOrders, err = loadInstrumentOrders(ctx, st, opts.Seed, sichuan); err != nil {
		return sum, err
	}
	if opts.Progress != nil {
		opts.Progress(2, 2)
	}
	sum.Elapsed = time.Since(start)
	return sum, nil
}

// sichuanString is the one-line summary of Sichuan's dataset.
func (s Summary) sichuanString() string {
	return fmt.Sprintf("Sichuan (sc), seed %d: %d sharing units, %d instruments (live and retired), %d service records; no enterprise registry",
		s.Seed, s.InstrumentUnits, s.Instruments, s.InstrumentOrders)
}

// Instance names a federation demo instance.
type Instance struct {
	ID, NameZH, NameEN string
}

// Instances are the federation demo's instances, Chongqing first.
func Instances() []Instance {
	return []Instance{
		{Chongqing, "重庆市科研仪器共享平台", "Chongqing instrument-sharing platform"},
		{Sichuan, "四川省科研仪器共享平台", "Sichuan instrument-sharing platform"},
	}
}

// SichuanAccountUnits are the units of Sichuan's demo accounts: the unit
// administrator's and the researcher's (both in the sichuan profile).
func SichuanAccountUnits() (admin, researcher string) { return "四川大学", "电子科技大学" }
