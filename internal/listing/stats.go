package listing

import (
	"time"

	"github.com/industrybrain/ibrain/internal/unit"
)

// ListedCount counts listed companies by where they are listed.
type ListedCount struct {
	Domestic int // 境内 (A-share and Beijing boards)
	Overseas int // 境外 (Hong Kong and foreign exchanges)
	Total    int
}

func (c *ListedCount) add(b Board) {
	if b.Domestic() {
		c.Domestic++
	} else {
		c.Overseas++
	}
	c.Total++
}

// Counts is the pipeline at the end of one day: how many records stand at
// each stage or outcome.
type Counts struct {
	At         time.Time
	ByStage    map[Stage]int
	InPipeline int // reserve … registered: firms still on their way
	Listed     ListedCount
	Records    int // records with at least one event by At
}

// CountsAt counts records by their stage at the end of day at.
func CountsAt(recs []Record, at time.Time) Counts {
	c := Counts{At: at, ByStage: map[Stage]int{}}
	for _, r := range recs {
		st, ok := r.At(at)
		if !ok {
			continue
		}
		c.Records++
		c.ByStage[st.Stage]++
		switch {
		case st.Stage == StageListed:
			c.Listed.add(st.Board)
		case !st.Stage.Outcome():
			c.InPipeline++
		}
	}
	return c
}

// ListingCount counts the listings of a period.
type ListingCount struct {
	Total       int
	IPO         int
	Relocation  int
	Other       int
	Domestic    int
	Overseas    int
	DomesticIPO int // the "A-share IPOs" of official statements
}

// YearFigures are one calendar year's transitions and its year-end stock.
type YearFigures struct {
	Year int
	// Entered counts events dated in the year by stage: Entered[tutoring]
	// is the year's new tutoring filings, Entered[listed] its new listings.
	Entered  map[Stage]int
	Listings ListingCount
	// IPOProceeds sums the proceeds of the year's domestic IPOs
	// (新增境内IPO首发融资); OverseasProceeds those of overseas IPOs.
	IPOProceeds      unit.Fen
	OverseasProceeds unit.Fen
	// ProceedsGrowthPct is IPOProceeds against the previous year's, in
	// per cent; GrowthKnown is false when the previous year raised nothing.
	// For a year still running (Through set) it compares with the previous
	// year up to the same day, not with its whole year.
	ProceedsGrowthPct float64
	GrowthKnown       bool
	// Through is the last day counted when the year is not over at the
	// day the figures are taken; zero for a complete year.
	Through         time.Time
	ListedAtEnd     ListedCount
	InTutoringAtEnd int
}

// Yearly returns the figures of years from … to (inclusive), oldest first,
// counting every recorded event.
func Yearly(recs []Record, from, to int) []YearFigures {
	return YearlyThrough(recs, from, to, time.Time{})
}

// YearlyThrough is Yearly as the figures stood at the end of day through:
// later events are not counted, and the year through falls in (unless it
// is the year's last day) is marked running, its proceeds growth taken
// against the previous year up to the same day. A zero through counts
// every event.
func YearlyThrough(recs []Record, from, to int, through time.Time) []YearFigures {
	if to < from {
		return nil
	}
	running := !through.IsZero() && !through.Equal(YearEnd(through.Year()))
	var prevSamePeriod unit.Fen // the year before the running one, up to the same day
	samePeriod := time.Time{}
	if running {
		samePeriod = through.AddDate(-1, 0, 0)
	}
	byYear := map[int]*YearFigures{}
	for y := from - 1; y <= to; y++ {
		byYear[y] = &YearFigures{Year: y, Entered: map[Stage]int{}}
	}
	for _, r := range recs {
		for _, e := range r.Events {
			if !through.IsZero() && e.Date.After(through) {
				continue
			}
			if running && e.Stage == StageListed && e.Kind == KindIPO && e.Board.Domestic() &&
				e.Date.Year() == through.Year()-1 && !e.Date.After(samePeriod) {
				prevSamePeriod += e.Proceeds
			}
			yf := byYear[e.Date.Year()]
			if yf == nil {
				continue
			}
			yf.Entered[e.Stage]++
			if e.Stage != StageListed {
				continue
			}
			l := &yf.Listings
			l.Total++
			switch e.Kind {
			case KindIPO:
				l.IPO++
				if e.Board.Domestic() {
					l.DomesticIPO++
					yf.IPOProceeds += e.Proceeds
				} else {
					yf.OverseasProceeds += e.Proceeds
				}
			case KindRelocation:
				l.Relocation++
			default:
				l.Other++
			}
			if e.Board.Domestic() {
				l.Domestic++
			} else {
				l.Overseas++
			}
		}
	}
	out := make([]YearFigures, 0, to-from+1)
	for y := from; y <= to; y++ {
		yf := byYear[y]
		prev := byYear[y-1].IPOProceeds
		end := YearEnd(y)
		if !through.IsZero() && through.Before(end) {
			end = through // the stock as it stood, never counting later events
		}
		if running && y == through.Year() {
			yf.Through, prev = through, prevSamePeriod
		}
		yf.ProceedsGrowthPct, yf.GrowthKnown = GrowthPct(yf.IPOProceeds, prev)
		c := CountsAt(recs, end)
		yf.ListedAtEnd, yf.InTutoringAtEnd = c.Listed, c.ByStage[StageTutoring]
		out = append(out, *yf)
	}
	return out
}

// GrowthPct is (cur ÷ prev − 1) × 100; ok is false when prev is not
// positive.
func GrowthPct(cur, prev unit.Fen) (float64, bool) {
	if prev <= 0 {
		return 0, false
	}
	return (float64(cur)/float64(prev) - 1) * 100, true
}

// Entry is one record's state at a date, for lists.
type Entry struct {
	EnterpriseID int64
	State
}

// AtStage returns the records standing at stage (any stage when empty) at
// the end of day at, with their state, in input order.
func AtStage(recs []Record, stage Stage, at time.Time) []Entry {
	var out []Entry
	for _, r := range recs {
		st, ok := r.At(at)
		if !ok || stage != "" && st.Stage != stage {
			continue
		}
		out = append(out, Entry{EnterpriseID: r.EnterpriseID, State: st})
	}
	return out
}
