package domain

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// Pilot is a pilot project in one occupational field (measure 2.6).
type Pilot struct {
	ID       string
	Field    OccupationalField
	Title    string
	Partners []string
	Places   []string
	// OfferedPlaces is the number of places (Plätze) the pilot offers; 0
	// until stated.
	OfferedPlaces int32
	// Participants and Placements are the sums of the recorded outcomes.
	Participants int32
	Placements   int32
	// Cases are the linked cases' IDs in the order they were linked.
	Cases      []string
	Revision   uint64
	CreateTime time.Time
}

// NewPilot validates a new pilot project.
func NewPilot(p Pilot) (Pilot, error) {
	var v apierr.Violations
	checkSlug(&v, "pilot_id", p.ID)
	if !p.Field.Valid() {
		v.Add("pilot.field", "is required and must be a known occupational field")
	}
	v.Text("pilot.title", p.Title, 3, 200, false)
	if len(p.Partners) == 0 {
		v.Add("pilot.partners", "name at least one partner organisation")
	}
	for i, s := range p.Partners {
		v.Text("pilot.partners["+strconv.Itoa(i)+"]", s, 2, 200, false)
	}
	if len(p.Places) == 0 {
		v.Add("pilot.places", "name at least one municipality")
	}
	for i, s := range p.Places {
		checkSlug(&v, "pilot.places["+strconv.Itoa(i)+"]", s)
	}
	checkOfferedPlaces(&v, "pilot.offered_places", p.OfferedPlaces)
	if err := v.Err(); err != nil {
		return Pilot{}, err
	}
	p.Title = strings.TrimSpace(p.Title)
	for i := range p.Partners {
		p.Partners[i] = strings.TrimSpace(p.Partners[i])
	}
	return p, nil
}

// CheckLink checks linking a case to the pilot.
func (p *Pilot) CheckLink(caseID string) error { return checkLink(p.Cases, caseID, "pilot "+p.ID) }

func checkLink(linked []string, caseID, what string) error {
	if slices.Contains(linked, caseID) {
		return apierr.AlreadyExists("case %s is linked to %s already", caseID, what)
	}
	return nil
}

// maxOfferedPlaces bounds the places of one pilot, against typing errors.
const maxOfferedPlaces = 10000

// CheckOfferedPlaces checks a new number of offered places. Fewer places
// than are filled is allowed: the figures then show the pilot overbooked.
func CheckOfferedPlaces(n int32) error {
	var v apierr.Violations
	checkOfferedPlaces(&v, "offered_places", n)
	return v.Err()
}

func checkOfferedPlaces(v *apierr.Violations, field string, n int32) {
	if n < 0 || n > maxOfferedPlaces {
		v.Add(field, "must be between 0 and %d, got %d", maxOfferedPlaces, n)
	}
}

// maxPeriodParticipants bounds one recorded period.
const maxPeriodParticipants = 10000

// CheckOutcome checks adding a period's participants and placements.
func (p *Pilot) CheckOutcome(participants, placements int32) error {
	var v apierr.Violations
	if participants < 0 || participants > maxPeriodParticipants {
		v.Add("participants", "must be between 0 and %d, got %d", maxPeriodParticipants, participants)
	}
	if placements < 0 {
		v.Add("placements", "must not be negative, got %d", placements)
	} else if participants >= 0 && p.Placements+placements > p.Participants+participants {
		v.Add("placements", "would bring the placements to %d, more than the %d participants", p.Placements+placements, p.Participants+participants)
	}
	if participants == 0 && placements == 0 {
		v.Add("participants", "record at least one participant or placement")
	}
	return v.Err()
}
