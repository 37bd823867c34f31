package federation

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
)

// Free slots of a peer's instrument for the mirrored page's picker. The
// mirror's availability is coarse (free hours a day, as old as the
// record), so the page asks the home, the calendar's only writer, with a
// signed query; the home still checks every booking against its rules.

// FreeSlots are an instrument's free start times at its home.
type FreeSlots struct {
	Home         string  `json:"home"`
	InstrumentID int64   `json:"instrument_id"`
	Minutes      int     `json:"minutes"` // each start has at least this long free
	Starts       []int64 `json:"starts"`  // unix seconds, ascending
}

// maxFreeStarts caps the starts one answer lists.
const maxFreeStarts = 200

// FreeStartsOf lists the starts on the rules' grid, within the opening
// hours of the days from now's local day on, at least the lead time
// ahead and within the horizon, from which minutes are free of booked
// cells (unix seconds) and maintenance windows.
func FreeStartsOf(rules instruments.Rules, cells []int64, now time.Time, days, minutes int) []int64 {
	taken := make(map[int64]bool, len(cells))
	for _, c := range cells {
		taken[c] = true
	}
	g := rules.GranularityMinutes
	if g <= 0 {
		g = instruments.CellMinutes
	}
	openTo := rules.OpenToMinute
	if openTo == 0 {
		openTo = 24 * 60
	}
	earliest := now.Add(time.Duration(rules.LeadMinutes) * time.Minute)
	day, _ := instruments.LocalDay(now)
	out := []int64{}
	for i := range days {
		d0 := day.AddDate(0, 0, i)
		for m := (rules.OpenFromMinute + g - 1) / g * g; m+minutes <= openTo; m += g {
			start := d0.Add(time.Duration(m) * time.Minute)
			end := start.Add(time.Duration(minutes) * time.Minute)
			if start.Before(earliest) || rules.HorizonDays > 0 && end.After(now.Add(time.Duration(rules.HorizonDays)*24*time.Hour)) {
				continue
			}
			free := true
			for c := start; c.Before(end) && free; c = c.Add(instruments.CellMinutes * time.Minute) {
				free = !taken[c.Unix()]
			}
			for _, w := range rules.Maintenance {
				free = free && !(w.Start.Before(end) && w.End.After(start))
			}
			if free {
				out = append(out, start.Unix())
				if len(out) == maxFreeStarts {
					return out
				}
			}
		}
	}
	return out
}

// Free answers, at the home, a peer's query for an open instrument's
// free one-hour starts over the next AvailabilityDays days.
func (s *Service) Free(ctx context.Context, id int64) (FreeSlots, error) {
	if err := s.enabled(); err != nil {
		return FreeSlots{}, err
	}
	d, err := s.inst.Detail(ctx, id)
	if err != nil {
		return FreeSlots{}, err
	}
	if d.Status != instruments.Open {
		return FreeSlots{}, apperr.New(apperr.NotFound, "instruments.err.not_found")
	}
	now := s.now()
	day, _ := instruments.LocalDay(now)
	cells, err := s.store.BookedCells(ctx, []int64{id}, day, day.AddDate(0, 0, AvailabilityDays))
	if err != nil {
		return FreeSlots{}, err
	}
	return FreeSlots{Home: s.cfg.Instance, InstrumentID: id, Minutes: 60, Starts: FreeStartsOf(d.Rules, cells[id], now, AvailabilityDays, 60)}, nil
}

// RemoteFree asks an instrument's home for its free starts (signed
// query, signed answer); Unavailable when the home does not answer.
func (s *Service) RemoteFree(ctx context.Context, home string, id int64) (FreeSlots, error) {
	if err := s.enabled(); err != nil {
		return FreeSlots{}, err
	}
	p, err := s.peer(ctx, home)
	if err != nil {
		return FreeSlots{}, err
	}
	status, body, err := s.call(ctx, p, "GET", fmt.Sprintf("/api/v1/fed/instruments/%d/free", id), nil)
	if err != nil {
		return FreeSlots{}, err
	}
	if status != 200 {
		return FreeSlots{}, remoteError(status, body)
	}
	var f FreeSlots
	if err := json.Unmarshal(body, &f); err != nil || f.Home != p.ID || f.InstrumentID != id {
		return FreeSlots{}, fmt.Errorf("federation: %s: bad free-slots answer", p.ID)
	}
	return f, nil
}
