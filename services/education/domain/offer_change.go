package domain

import (
	"slices"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// OfferFields are the fields of an offer a caller may change, by their API
// names; the provider and what the service derives are not among them.
var OfferFields = []string{
	"title", "kind", "entry_level", "target_level", "municipality", "address", "schedule",
	"start_date", "end_date", "registration_deadline", "capacity", "direct_bookings",
	"childcare", "eligibility", "support_languages", "costs", "contact",
}

// WithFields returns o with the named fields (from OfferFields) taken from patch.
func (o Offer) WithFields(patch Offer, fields []string) Offer {
	for _, f := range fields {
		switch f {
		case "title":
			o.Title = patch.Title
		case "kind":
			o.Kind = patch.Kind
		case "entry_level":
			o.EntryLevel = patch.EntryLevel
		case "target_level":
			o.TargetLevel = patch.TargetLevel
		case "municipality":
			o.Municipality = patch.Municipality
		case "address":
			o.Address = patch.Address
		case "schedule":
			o.Schedule = patch.Schedule
		case "start_date":
			o.StartDate = patch.StartDate
		case "end_date":
			o.EndDate = patch.EndDate
		case "registration_deadline":
			o.RegistrationDeadline = patch.RegistrationDeadline
		case "capacity":
			o.Capacity = patch.Capacity
		case "direct_bookings":
			o.DirectBookings = patch.DirectBookings
		case "childcare":
			o.Childcare = patch.Childcare
		case "eligibility":
			o.Eligibility = patch.Eligibility
		case "support_languages":
			o.SupportLanguages = patch.SupportLanguages
		case "costs":
			o.Costs = patch.Costs
		case "contact":
			o.Contact = patch.Contact
		}
	}
	return o
}

// changedFields names the fields (from OfferFields) in which a and b differ.
func changedFields(a, b Offer) []string {
	same := map[string]bool{
		"title": a.Title == b.Title, "kind": a.Kind == b.Kind,
		"entry_level": a.EntryLevel == b.EntryLevel, "target_level": a.TargetLevel == b.TargetLevel,
		"municipality": a.Municipality == b.Municipality, "address": a.Address == b.Address,
		"schedule":   slices.Equal(a.Schedule, b.Schedule),
		"start_date": a.StartDate == b.StartDate, "end_date": a.EndDate == b.EndDate,
		"registration_deadline": a.RegistrationDeadline == b.RegistrationDeadline,
		"capacity":              a.Capacity == b.Capacity, "direct_bookings": a.DirectBookings == b.DirectBookings,
		"childcare": a.Childcare == b.Childcare,
		"eligibility": a.Eligibility.MinAge == b.Eligibility.MinAge && a.Eligibility.MaxAge == b.Eligibility.MaxAge &&
			slices.Equal(a.Eligibility.ResidenceStatuses, b.Eligibility.ResidenceStatuses),
		"support_languages": slices.Equal(a.SupportLanguages, b.SupportLanguages),
		"costs":             a.Costs == b.Costs, "contact": a.Contact == b.Contact,
	}
	var out []string
	for _, f := range OfferFields {
		if !same[f] {
			out = append(out, f)
		}
	}
	return out
}

// OfferChange is a validated change of an offer's details.
type OfferChange struct {
	// Offer is the offer as it will be.
	Offer Offer
	// Changed names the changed fields; empty when nothing changes.
	Changed []string
	// Promoted are the waiting referrals that get the seats the change
	// freed, longest waiting first.
	Promoted []*Referral
}

// DecideChange validates new details of offer o. They are checked like a
// new offer's (field names relative to the offer), the seats already booked
// by referrals must still fit, and only an offer that still takes
// participants changes. Seats the change frees go to the waiting list the
// way a seat freed by a referral does.
func (o *OfferState) DecideChange(next Offer) (OfferChange, error) {
	if !o.Status.Active() {
		return OfferChange{}, apierr.FailedPrecondition("OFFER_CLOSED", map[string]string{"offer_status": o.Status.String()},
			"offer %s is %s and cannot change", o.ID, o.Status)
	}
	next.ID, next.Provider = o.ID, o.Provider
	next, err := NewOffer(next)
	if err != nil {
		return OfferChange{}, err
	}
	byReferrals := o.Booked() - o.DirectBookings
	if booked := byReferrals + next.DirectBookings; next.Capacity < booked {
		return OfferChange{}, apierr.Invalid("capacity", "must not be below the %d booked seats (%d direct bookings, %d by referrals), got %d",
			booked, next.DirectBookings, byReferrals, next.Capacity)
	}
	c := OfferChange{Offer: next, Changed: changedFields(o.Offer, next)}
	if free := next.Capacity - byReferrals - next.DirectBookings; free > 0 {
		w := o.Waitlist()
		c.Promoted = w[:min(int(free), len(w))]
	}
	return c, nil
}
