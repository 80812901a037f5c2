package domain

import (
	"fmt"
	"strconv"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// Slot is a recurring weekly time in local time, e.g. Monday 09:00–12:15.
type Slot struct {
	Day Weekday
	// Start and End are HH:MM, 24-hour.
	Start, End string
}

func (s Slot) String() string { return fmt.Sprintf("%s %s–%s", s.Day.Label(), s.Start, s.End) }

// minutes parses HH:MM into minutes after midnight.
func minutes(hhmm string) (int, bool) {
	if len(hhmm) != 5 || hhmm[2] != ':' {
		return 0, false
	}
	h, err1 := strconv.Atoi(hhmm[:2])
	m, err2 := strconv.Atoi(hhmm[3:])
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, false
	}
	return h*60 + m, true
}

// span is a valid slot in minutes after midnight, parsed once for matching.
type span struct {
	day      Weekday
	from, to int
}

// spanOf parses a valid slot.
func spanOf(s Slot) span {
	a, _ := minutes(s.Start)
	b, _ := minutes(s.End)
	return span{s.Day, a, b}
}

// spansOf parses valid slots.
func spansOf(slots []Slot) []span {
	out := make([]span, len(slots))
	for i, s := range slots {
		out[i] = spanOf(s)
	}
	return out
}

func (a span) overlap(b span) int {
	if a.day != b.day {
		return 0
	}
	return max(0, min(a.to, b.to)-max(a.from, b.from))
}

// checkSlots validates weekly slots: a known day, HH:MM times, the end after
// the start, no slot overlapping another.
func checkSlots(v *apierr.Violations, field string, slots []Slot) {
	for i, s := range slots {
		f := field + "[" + strconv.Itoa(i) + "]"
		if !s.Day.Valid() {
			v.Add(f+".weekday", "is required and must be a day of the week")
		}
		a, okA := minutes(s.Start)
		b, okB := minutes(s.End)
		if !okA {
			v.Add(f+".start_time", "must be a time HH:MM, got %q", s.Start)
		}
		if !okB {
			v.Add(f+".end_time", "must be a time HH:MM, got %q", s.End)
		}
		if okA && okB && b <= a {
			v.Add(f+".end_time", "must be after the start time %s", s.Start)
		}
		if !s.Day.Valid() || !okA || !okB || b <= a {
			continue
		}
		for j := range i {
			if o := slots[j]; o.Day.Valid() && validSpan(o) && overlapMinutes(s, o) > 0 {
				v.Add(f, "overlaps slot %d (%s)", j, o)
			}
		}
	}
}

func validSpan(s Slot) bool {
	a, okA := minutes(s.Start)
	b, okB := minutes(s.End)
	return okA && okB && a < b
}

// overlapMinutes is how many minutes two valid slots share.
func overlapMinutes(a, b Slot) int { return spanOf(a).overlap(spanOf(b)) }

// SlotsOverlap returns the pairs of slots of x and y that share time, as
// text, e.g. "Mo 09:00–12:00 / Mo 10:00–13:00".
func SlotsOverlap(x, y []Slot) []string {
	var out []string
	for _, a := range x {
		for _, b := range y {
			if overlapMinutes(a, b) > 0 {
				out = append(out, a.String()+" / "+b.String())
			}
		}
	}
	return out
}

// coveredShare is the share of the minutes of slots that lie within
// availability (0–1).
func coveredShare(slots, availability []span) float64 {
	total, covered := 0, 0
	for _, s := range slots {
		total += s.to - s.from
		for _, av := range availability {
			covered += s.overlap(av)
		}
	}
	if total == 0 {
		return 0
	}
	return min(1, float64(covered)/float64(total))
}
