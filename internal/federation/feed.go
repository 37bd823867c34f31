package federation

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"github.com/industrybrain/ibrain/internal/instruments"
)

// Record is an instrument as its home publishes it: the catalogue fields,
// the service items with their rate cards and the booking rules, so a
// peer can show and search it without asking. A Deleted record is a
// tombstone: the instrument was retired or withdrawn and peers drop it.
type Record struct {
	Home          string             `json:"home"`
	ID            int64              `json:"id"`
	GlobalID      string             `json:"global_id"`
	Deleted       bool               `json:"deleted,omitempty"`
	Unit          string             `json:"unit,omitempty"`
	UnitType      string             `json:"unit_type,omitempty"`
	Name          string             `json:"name,omitempty"`
	ClassCode     string             `json:"class_code,omitempty"`
	Subclass      string             `json:"subclass,omitempty"`
	Model         string             `json:"model,omitempty"`
	Manufacturer  string             `json:"manufacturer,omitempty"`
	Country       string             `json:"country,omitempty"`
	OriginalValue int64              `json:"original_value_fen,omitempty"`
	Location      string             `json:"location,omitempty"`
	RegionCode    string             `json:"region_code,omitempty"`
	Capabilities  string             `json:"capabilities,omitempty"`
	SampleReq     string             `json:"sample_req,omitempty"`
	Contact       string             `json:"contact,omitempty"`
	Modes         []string           `json:"modes,omitempty"`
	Status        string             `json:"status,omitempty"`
	OfflineUntil  string             `json:"offline_until,omitempty"`
	EnrolledOn    string             `json:"enrolled_on,omitempty"`
	PriceFrom     int64              `json:"price_from_fen,omitempty"`
	Items         []Item             `json:"items,omitempty"`
	Rules         *instruments.Rules `json:"rules,omitempty"`
}

// Item is a service item with its rates.
type Item struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Mode  string `json:"mode"`
	Unit  string `json:"unit"`
	Rates []Rate `json:"rates"`
}

// Rate is one rate of an item.
type Rate struct {
	Category      string `json:"category"`
	EffectiveFrom string `json:"effective_from"`
	PriceFen      int64  `json:"price_fen"`
}

// Live reports whether an instrument in status s is published: open or
// offline instruments are, every other status is a tombstone.
func Live(s instruments.Status) bool { return s == instruments.Open || s == instruments.Offline }

// RecordOf is the published record of an instrument.
func RecordOf(home string, d instruments.Detail, priceFrom int64) Record {
	r := Record{Home: home, ID: d.ID, GlobalID: instruments.GlobalID(home, d.UnitID, d.LocalID)}
	if !Live(d.Status) {
		r.Deleted = true
		return r
	}
	r.Unit, r.UnitType = d.Unit.Name, string(d.Unit.Type)
	r.Name, r.ClassCode, r.Subclass, r.Model, r.Manufacturer, r.Country = d.Name, d.ClassCode, d.Subclass, d.Model, d.Manufacturer, d.Country
	r.OriginalValue, r.Location, r.RegionCode = int64(d.OriginalValue), d.Location, d.RegionCode
	r.Capabilities, r.SampleReq, r.Contact = d.Capabilities, d.SampleReq, d.Contact
	for _, m := range d.Modes {
		r.Modes = append(r.Modes, string(m))
	}
	r.Status, r.OfflineUntil, r.EnrolledOn, r.PriceFrom = string(d.Status), d.OfflineUntil, d.EnrolledOn, priceFrom
	for _, it := range d.Items {
		x := Item{ID: it.ID, Name: it.Name, Mode: string(it.Mode), Unit: string(it.Unit), Rates: []Rate{}}
		for _, rt := range it.Rates {
			x.Rates = append(x.Rates, Rate{Category: string(rt.Category), EffectiveFrom: rt.EffectiveFrom, PriceFen: int64(rt.Price)})
		}
		r.Items = append(r.Items, x)
	}
	rules := d.Rules
	r.Rules = &rules
	return r
}

// IndexText is what mirror search matches, as local search does.
func (r Record) IndexText() string {
	return r.Name + " " + r.Model + " " + r.Manufacturer + " " + r.Subclass + " " + r.Capabilities
}

// Hash is the SHA-256 of the record's JSON (fixed field order), the unit
// of the drift check.
func (r Record) Hash() string {
	b, _ := json.Marshal(r)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Checksum sums a catalogue's record hashes by id: equal catalogues have
// equal checksums whichever order they were written in.
func Checksum(hashes map[int64]string) string {
	ids := make([]int64, 0, len(hashes))
	for id := range hashes {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	h := sha256.New()
	for _, id := range ids {
		h.Write([]byte(strconv.FormatInt(id, 10) + ":" + hashes[id] + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Availability is the coarse availability summary published with a
// record: free hours within the opening hours for each of the next days,
// so a peer can rank by availability without asking.
type Availability struct {
	From      string `json:"from"` // YYYY-MM-DD, the first day
	FreeHours []int  `json:"free_hours"`
}

// AvailabilityDays is how many days a summary covers.
const AvailabilityDays = 7

// AvailabilityOf computes the summary from the instrument's rules and its
// booked cells (unix seconds) from the local day of now on.
func AvailabilityOf(rules instruments.Rules, cells []int64, now time.Time) Availability {
	day, _ := instruments.LocalDay(now)
	a := Availability{From: day.Format(time.DateOnly), FreeHours: make([]int, AvailabilityDays)}
	openTo := rules.OpenToMinute
	if openTo == 0 {
		openTo = 24 * 60
	}
	for i := range AvailabilityDays {
		d0 := day.AddDate(0, 0, i)
		from, to := d0.Add(time.Duration(rules.OpenFromMinute)*time.Minute), d0.Add(time.Duration(openTo)*time.Minute)
		free := int(to.Sub(from) / time.Minute)
		for _, c := range cells {
			if c >= from.Unix() && c < to.Unix() {
				free -= instruments.CellMinutes
			}
		}
		a.FreeHours[i] = max(free, 0) / 60
	}
	return a
}

// Entry is one change of a feed page: the instrument's current record
// (changes to one instrument collapse into its latest) and, for a live
// one, its availability.
type Entry struct {
	Seq    int64         `json:"seq"`
	Record Record        `json:"record"`
	Avail  *Availability `json:"avail,omitempty"`
}

// Page is one page of a feed: the changes after Since up to Next, in
// order. More says another page follows.
type Page struct {
	Origin      string  `json:"origin"`
	Since       int64   `json:"since"`
	Next        int64   `json:"next"`
	More        bool    `json:"more"`
	GeneratedAt int64   `json:"generated_at"`
	Entries     []Entry `json:"entries"`
}

// CatalogueSum is a catalogue's live count and checksum.
type CatalogueSum struct {
	Origin   string `json:"origin"`
	Count    int    `json:"count"`
	Checksum string `json:"checksum"`
}
