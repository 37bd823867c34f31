package instruments

import (
	"fmt"
	"strings"
	"time"
)

// CalEvent is one booking in an iCalendar feed.
type CalEvent struct {
	UID        string
	Start, End time.Time
	Summary    string
	Cancelled  bool
	Tentative  bool
	Stamp      time.Time
}

// FeedEvent is an order as a feed shows it: rejected, cancelled and
// voided orders stay in the feed as STATUS:CANCELLED, so a subscribed
// calendar removes them; submitted ones are tentative.
func FeedEvent(prefix string, o Order, summary string) CalEvent {
	return CalEvent{UID: fmt.Sprintf("order-%d@%s", o.ID, prefix), Start: o.Start, End: o.End, Summary: summary,
		Cancelled: Releases(o.State) || o.State == NoShow, Tentative: o.State == Submitted, Stamp: o.CreatedAt}
}

// ICalendar renders events as an RFC 5545 calendar: CRLF line ends, UTC
// times, text escaped and lines folded at 75 octets.
func ICalendar(name string, events []CalEvent) string {
	var b strings.Builder
	line := func(s string) {
		for len(s) > 75 {
			cut := 75
			for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
				cut--
			}
			b.WriteString(s[:cut] + "\r\n")
			s = " " + s[cut:]
		}
		b.WriteString(s + "\r\n")
	}
	esc := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`)
	utc := func(t time.Time) string { return t.UTC().Format("20060102T150405Z") }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//ibrain//instruments//EN")
	line("CALSCALE:GREGORIAN")
	line("X-WR-CALNAME:" + esc.Replace(name))
	for _, e := range events {
		if e.Start.IsZero() {
			continue
		}
		status := "CONFIRMED"
		if e.Cancelled {
			status = "CANCELLED"
		} else if e.Tentative {
			status = "TENTATIVE"
		}
		line("BEGIN:VEVENT")
		line("UID:" + e.UID)
		line("DTSTAMP:" + utc(e.Stamp))
		line("DTSTART:" + utc(e.Start))
		line("DTEND:" + utc(e.End))
		line("SUMMARY:" + esc.Replace(e.Summary))
		line("STATUS:" + status)
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.String()
}
