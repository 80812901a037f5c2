package domain

import (
	"slices"
	"strings"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// Status is an actor's decision on a measure (Umsetzungsstand).
type Status int32

const (
	StatusUnspecified Status = iota
	Offered
	Considering
	Adopted
	Declined
	InProgress
	Paused
	Implemented
)

var statusNames = map[Status]string{
	Offered: "OFFERED", Considering: "CONSIDERING", Adopted: "ADOPTED", Declined: "DECLINED",
	InProgress: "IN_PROGRESS", Paused: "PAUSED", Implemented: "IMPLEMENTED",
}

var statusLabels = map[Status]string{
	Offered: "Angeboten", Considering: "In Prüfung", Adopted: "Beschlossen", Declined: "Abgelehnt",
	InProgress: "In Umsetzung", Paused: "Pausiert", Implemented: "Umgesetzt",
}

// Statuses lists every status in lifecycle order.
func Statuses() []Status {
	return []Status{Offered, Considering, Adopted, Declined, InProgress, Paused, Implemented}
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { _, ok := statusNames[s]; return ok }

// String is the API name, e.g. IN_PROGRESS.
func (s Status) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return "UNSPECIFIED"
}

// Label is the German name.
func (s Status) Label() string { return statusLabels[s] }

// Taken reports whether the actor has adopted the measure (whatever came of it since).
func (s Status) Taken() bool {
	return s == Adopted || s == InProgress || s == Paused || s == Implemented
}

// transitions is the adoption state machine. IN_PROGRESS → IN_PROGRESS
// reports progress.
var transitions = map[Status][]Status{
	Offered:     {Considering},
	Considering: {Adopted, Declined},
	Declined:    {Considering},
	Adopted:     {InProgress},
	InProgress:  {InProgress, Paused, Implemented},
	Paused:      {InProgress},
}

// CanTransition reports whether an adoption may move from one status to another.
func CanTransition(from, to Status) bool { return slices.Contains(transitions[from], to) }

// PlanAdopted is the day the county council adopted the plan; no decision on
// one of its measures can be older.
var PlanAdopted = time.Date(2017, 5, 8, 0, 0, 0, 0, time.UTC)

// Adoption is one actor's state on one measure.
type Adoption struct {
	Status       Status
	Progress     int32
	DecidedOn    string
	DecidingBody string
	Comment      string
	// Version is the sequence of its last change, 0 if it never changed.
	Version    uint64
	UpdateTime time.Time
}

// Decision asks to move an adoption to a new status.
type Decision struct {
	To           Status
	Progress     *int32
	DecidedOn    string
	DecidingBody string
	Comment      string
}

// Decide validates the decision against the adoption's current state and
// returns the adoption it leads to. today is the calendar day in the
// county's time zone; it is the default and the upper bound of DecidedOn.
func (a Adoption) Decide(d Decision, today time.Time) (Adoption, error) {
	var v apierr.Violations
	if !d.To.Valid() || d.To == Offered {
		v.Add("status", "must be a status an actor can decide on (CONSIDERING, ADOPTED, DECLINED, IN_PROGRESS, PAUSED or IMPLEMENTED)")
	}
	switch {
	case d.To == InProgress && d.Progress == nil:
		v.Add("progress_percent", "is required for IN_PROGRESS")
	case d.To == InProgress && (*d.Progress < 0 || *d.Progress > 100):
		v.Add("progress_percent", "must be between 0 and 100, got %d", *d.Progress)
	case d.To != InProgress && d.Progress != nil:
		v.Add("progress_percent", "is only set for IN_PROGRESS (PAUSED keeps the last progress, IMPLEMENTED is 100)")
	}
	decidedOn := d.DecidedOn
	if decidedOn == "" {
		decidedOn = today.Format(time.DateOnly)
	} else if day, err := time.Parse(time.DateOnly, decidedOn); err != nil {
		v.Add("decided_on", "must be a date YYYY-MM-DD, got %q", decidedOn)
	} else if day.Before(PlanAdopted) {
		v.Add("decided_on", "must not be before the plan was adopted on %s", PlanAdopted.Format(time.DateOnly))
	} else if day.After(today) {
		v.Add("decided_on", "must not be in the future")
	}
	if (d.To == Adopted || d.To == Declined) && strings.TrimSpace(d.DecidingBody) == "" {
		v.Add("deciding_body", "is required for %s: name the body that decided, e.g. Gemeinderat", d.To)
	}
	v.Text("deciding_body", d.DecidingBody, 0, 200, false)
	v.Text("comment", d.Comment, 0, 1000, true)
	if err := v.Err(); err != nil {
		return Adoption{}, err
	}
	if !CanTransition(a.Status, d.To) {
		return Adoption{}, apierr.FailedPrecondition("INVALID_TRANSITION",
			map[string]string{"from": a.Status.String(), "to": d.To.String()},
			"an adoption cannot move from %s to %s (allowed from %s: %v)", a.Status, d.To, a.Status, transitions[a.Status])
	}
	next := Adoption{Status: d.To, DecidedOn: decidedOn, DecidingBody: d.DecidingBody, Comment: d.Comment}
	switch d.To {
	case InProgress:
		next.Progress = *d.Progress
	case Paused:
		next.Progress = a.Progress
	case Implemented:
		next.Progress = 100
	}
	return next, nil
}
