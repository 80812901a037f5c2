package domain

import (
	"strconv"
	"strings"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// OrientationEvent is a career orientation event in a shared accommodation
// (measure 2.3).
type OrientationEvent struct {
	ID            string
	Accommodation string
	Municipality  string
	Date          string // YYYY-MM-DD
	Partners      []string
	Topics        []string
	Held          bool
	Attendance    int32
	FollowUps     int32
	// Cases are the linked cases' IDs in the order they were linked.
	Cases      []string
	Revision   uint64
	CreateTime time.Time
}

// NewOrientationEvent validates a new event.
func NewOrientationEvent(e OrientationEvent) (OrientationEvent, error) {
	var v apierr.Violations
	const p = "orientation_event."
	v.Text(p+"accommodation", e.Accommodation, 2, 200, false)
	checkSlug(&v, p+"municipality", e.Municipality)
	if _, err := time.Parse(time.DateOnly, e.Date); err != nil {
		v.Add(p+"date", "must be a date YYYY-MM-DD, got %q", e.Date)
	}
	if len(e.Partners) == 0 {
		v.Add(p+"partners", "name at least one partner, e.g. the chamber or the employment agency")
	}
	for i, s := range e.Partners {
		v.Text(p+"partners["+strconv.Itoa(i)+"]", s, 2, 200, false)
	}
	for i, s := range e.Topics {
		v.Text(p+"topics["+strconv.Itoa(i)+"]", s, 2, 200, false)
	}
	if err := v.Err(); err != nil {
		return OrientationEvent{}, err
	}
	e.Accommodation = strings.TrimSpace(e.Accommodation)
	return e, nil
}

// CheckLink checks linking a case to the event.
func (e *OrientationEvent) CheckLink(caseID string) error {
	return checkLink(e.Cases, caseID, "orientation event "+e.ID)
}

// maxAttendance bounds the attendance of one event.
const maxAttendance = 1000

// CheckAttendance checks recording that the event was held; today is the
// calendar day in the county.
func (e *OrientationEvent) CheckAttendance(attendance, followUps int32, today time.Time) error {
	var v apierr.Violations
	if attendance < 0 || attendance > maxAttendance {
		v.Add("attendance", "must be between 0 and %d, got %d", maxAttendance, attendance)
	}
	if followUps < 0 || followUps > max(attendance, 0) {
		v.Add("follow_up_appointments", "must be between 0 and the attendance %d, got %d", attendance, followUps)
	}
	if err := v.Err(); err != nil {
		return err
	}
	if e.Held {
		return apierr.FailedPrecondition("ALREADY_HELD", map[string]string{"event": e.ID},
			"the attendance of event %s was recorded already", e.ID)
	}
	if day, _ := time.Parse(time.DateOnly, e.Date); day.After(today) {
		return apierr.FailedPrecondition("NOT_YET_HELD", map[string]string{"date": e.Date},
			"the event takes place on %s; record its attendance afterwards", e.Date)
	}
	return nil
}
