package domain

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// Eligibility says who may attend an offer; zero values do not restrict.
type Eligibility struct {
	MinAge, MaxAge    int32
	ResidenceStatuses []ResidenceStatus
}

// Offer is an education or language offer as its provider describes it.
type Offer struct {
	ID                   string
	Provider             string
	Title                string
	Kind                 OfferKind
	EntryLevel           Level
	TargetLevel          Level
	Municipality         string
	Address              string
	Schedule             []Slot
	StartDate            string
	EndDate              string
	RegistrationDeadline string
	Capacity             int32
	// DirectBookings are seats booked with the provider outside referrals.
	DirectBookings   int32
	Childcare        bool
	Eligibility      Eligibility
	SupportLanguages []string
	Costs            string
	Contact          string
}

// MaxCapacity bounds the seats of one offer.
const MaxCapacity = 1000

var languagePattern = regexp.MustCompile(`^[a-z]{2}$`)

// NewOffer validates an offer; field names are relative to the offer in the
// request (the port prefixes "offer."). ID and provider are set by the caller.
func NewOffer(o Offer) (Offer, error) {
	var v apierr.Violations
	v.Text("title", o.Title, 3, 200, false)
	if !o.Kind.Valid() {
		v.Add("kind", "is required and must be a known kind of offer")
	}
	if !o.EntryLevel.Valid() {
		v.Add("entry_level", "is required and must be a CEFR level (ALPHA, A1 … C2)")
	}
	if !o.TargetLevel.Valid() {
		v.Add("target_level", "is required and must be a CEFR level (ALPHA, A1 … C2)")
	} else if o.EntryLevel.Valid() && o.TargetLevel < o.EntryLevel {
		v.Add("target_level", "must not be below the entry level %s, got %s", o.EntryLevel, o.TargetLevel)
	}
	checkSlug(&v, "municipality", o.Municipality)
	v.Text("address", o.Address, 0, 300, false)
	if len(o.Schedule) == 0 {
		v.Add("schedule", "name at least one weekly time slot")
	}
	checkSlots(&v, "schedule", o.Schedule)
	start, okStart := parseDate(&v, "start_date", o.StartDate)
	end, okEnd := parseDate(&v, "end_date", o.EndDate)
	if okStart && okEnd && end.Before(start) {
		v.Add("end_date", "must not be before the start date %s", o.StartDate)
	}
	if o.RegistrationDeadline != "" {
		if d, ok := parseDate(&v, "registration_deadline", o.RegistrationDeadline); ok && okStart && d.After(start) {
			v.Add("registration_deadline", "must not be after the start date %s", o.StartDate)
		}
	}
	switch {
	case o.Capacity < 1 || o.Capacity > MaxCapacity:
		v.Add("capacity", "must be between 1 and %d, got %d", MaxCapacity, o.Capacity)
	case o.DirectBookings > o.Capacity:
		v.Add("direct_bookings", "must not exceed the capacity %d, got %d", o.Capacity, o.DirectBookings)
	}
	if o.DirectBookings < 0 {
		v.Add("direct_bookings", "must not be negative, got %d", o.DirectBookings)
	}
	checkEligibility(&v, o.Eligibility)
	for i, l := range o.SupportLanguages {
		f := "support_languages[" + strconv.Itoa(i) + "]"
		if !languagePattern.MatchString(l) {
			v.Add(f, "must be an ISO 639-1 code such as ar or uk, got %q", l)
		} else if slices.Index(o.SupportLanguages, l) < i {
			v.Add(f, "%s is listed twice", l)
		}
	}
	v.Text("costs", o.Costs, 0, 200, false)
	v.Text("contact", o.Contact, 0, 200, false)
	if err := v.Err(); err != nil {
		return Offer{}, err
	}
	o.Title, o.Address = strings.TrimSpace(o.Title), strings.TrimSpace(o.Address)
	o.Costs, o.Contact = strings.TrimSpace(o.Costs), strings.TrimSpace(o.Contact)
	return o, nil
}

func checkEligibility(v *apierr.Violations, e Eligibility) {
	if e.MinAge < 0 || e.MinAge > 120 {
		v.Add("eligibility.min_age", "must be between 0 and 120, got %d", e.MinAge)
	}
	if e.MaxAge < 0 || e.MaxAge > 120 {
		v.Add("eligibility.max_age", "must be between 0 and 120, got %d", e.MaxAge)
	} else if e.MaxAge != 0 && e.MaxAge < e.MinAge {
		v.Add("eligibility.max_age", "must not be below the minimum age %d", e.MinAge)
	}
	for i, r := range e.ResidenceStatuses {
		f := "eligibility.residence_statuses[" + strconv.Itoa(i) + "]"
		if !r.Valid() {
			v.Add(f, "unknown residence status %d", r)
		} else if slices.Index(e.ResidenceStatuses, r) < i {
			v.Add(f, "is listed twice")
		}
	}
}

// dates returns the offer's start and end; the offer must be valid.
func (o Offer) dates() (time.Time, time.Time) {
	s, _ := time.Parse(time.DateOnly, o.StartDate)
	e, _ := time.Parse(time.DateOnly, o.EndDate)
	return s, e
}

// OfferStatus is where an offer is in its lifecycle. Full is never stored:
// an Open offer without free places shows as Full.
type OfferStatus int32

const (
	OfferStatusUnspecified OfferStatus = iota
	Planned
	Open
	Full
	Running
	Finished
	Cancelled
)

var offerStatusNames = map[OfferStatus]string{
	Planned: "PLANNED", Open: "OPEN", Full: "FULL", Running: "RUNNING", Finished: "FINISHED", Cancelled: "CANCELLED",
}

// Valid reports whether s is a known status.
func (s OfferStatus) Valid() bool { _, ok := offerStatusNames[s]; return ok }

// String is the API name, e.g. OPEN.
func (s OfferStatus) String() string {
	if n, ok := offerStatusNames[s]; ok {
		return n
	}
	return "UNSPECIFIED"
}

// offerTransitions is the offer state machine over stored statuses.
var offerTransitions = map[OfferStatus][]OfferStatus{
	Planned: {Open, Cancelled},
	Open:    {Running, Cancelled},
	Running: {Finished, Cancelled},
}

// CanTransitionOffer reports whether an offer may move from one stored status to another.
func CanTransitionOffer(from, to OfferStatus) bool {
	return slices.Contains(offerTransitions[from], to)
}

// Active reports whether an offer in status s still takes participants.
func (s OfferStatus) Active() bool { return s == Planned || s == Open || s == Running }

// DecideOfferStatus validates a status change of an offer in status from.
func DecideOfferStatus(from, to OfferStatus) error {
	if to != Open && to != Running && to != Finished && to != Cancelled {
		return apierr.Invalid("status", "must be OPEN, RUNNING, FINISHED or CANCELLED (FULL follows from the free places)")
	}
	if !CanTransitionOffer(from, to) {
		return apierr.FailedPrecondition("INVALID_TRANSITION",
			map[string]string{"from": from.String(), "to": to.String()},
			"an offer cannot move from %s to %s (allowed from %s: %v)", from, to, from, offerTransitions[from])
	}
	return nil
}
