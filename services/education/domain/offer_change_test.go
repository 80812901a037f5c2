package domain_test

import (
	"slices"
	"testing"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// offerWithWaitlist is an open offer of capacity 2 with one direct
// booking, one accepted referral and three waiting ones (w1 first).
func offerWithWaitlist(t *testing.T) (*domain.Catalogue, *domain.OfferState) {
	t.Helper()
	c := domain.NewCatalogue()
	o := validOffer()
	o.DirectBookings = 1
	c.AddOffer(o, 1, today)
	c.ChangeOfferStatus(o.ID, domain.Open, 2, today)
	seq := uint64(2)
	for _, r := range []struct {
		id     string
		status domain.ReferralStatus
	}{{"a", domain.Accepted}, {"w1", domain.Waitlisted}, {"w2", domain.Waitlisted}, {"w3", domain.Waitlisted}} {
		seq++
		c.AddParticipant("p-"+r.id, seq, today)
		seq++
		c.AddReferral(o.ID, r.id, "p-"+r.id, r.status, seq, today)
	}
	st, _ := c.Offer(o.ID)
	return c, st
}

func TestDecideChange(t *testing.T) {
	_, o := offerWithWaitlist(t)
	with := func(mod func(*domain.Offer)) domain.Offer {
		next := o.Offer
		next.Schedule = slices.Clone(next.Schedule)
		mod(&next)
		return next
	}
	invalid := []struct {
		name  string
		next  domain.Offer
		field string
	}{
		{"capacity below the booked seats", with(func(x *domain.Offer) { x.Capacity = 1 }), "capacity"},
		{"direct bookings crowd out a referral", with(func(x *domain.Offer) { x.DirectBookings = 2 }), "capacity"},
		{"end before start", with(func(x *domain.Offer) { x.EndDate = "2027-01-01" }), "end_date"},
		{"unknown level", with(func(x *domain.Offer) { x.EntryLevel = 42 }), "entry_level"},
		{"no schedule", with(func(x *domain.Offer) { x.Schedule = nil }), "schedule"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			_, err := o.DecideChange(tc.next)
			if got := fields(t, err); !slices.Contains(got, tc.field) {
				t.Fatalf("fields %v, want %s", got, tc.field)
			}
		})
	}

	change, err := o.DecideChange(with(func(x *domain.Offer) { x.Capacity = 4; x.Costs = "kostenfrei" }))
	if err != nil {
		t.Fatal(err)
	}
	var promoted []string
	for _, r := range change.Promoted {
		promoted = append(promoted, r.ID)
	}
	if !slices.Equal(change.Changed, []string{"capacity", "costs"}) || !slices.Equal(promoted, []string{"w1", "w2"}) {
		t.Fatalf("changed %v, promoted %v; want [capacity costs], [w1 w2]", change.Changed, promoted)
	}
	if same, err := o.DecideChange(o.Offer); err != nil || len(same.Changed) != 0 || len(same.Promoted) != 0 {
		t.Fatalf("no change: %+v, %v", same, err)
	}
}

// TestChangeOfferPromotesAndRefusesClosedOffers: applying a change moves
// the promoted referrals to ACCEPTED and counts their seats; a cancelled
// offer cannot change.
func TestChangeOfferPromotesAndRefusesClosedOffers(t *testing.T) {
	c, o := offerWithWaitlist(t)
	next := o.Offer
	next.Capacity = 4
	c.ChangeOffer(next, []string{"w1", "w2"}, 100, today)
	if o.Free() != 0 || o.Booked() != 4 || o.ShownStatus() != domain.Full || o.Version != 100 {
		t.Fatalf("after the change: %d free, %d booked, %v, version %d", o.Free(), o.Booked(), o.ShownStatus(), o.Version)
	}
	if w := o.Waitlist(); len(w) != 1 || w[0].ID != "w3" || o.WaitlistPosition(w[0]) != 1 {
		t.Fatalf("waiting list %v", w)
	}
	c.ChangeOfferStatus(o.ID, domain.Cancelled, 101, today)
	_, err := o.DecideChange(next)
	if e, ok := apierr.As(err); !ok || e.Kind != apierr.KindFailedPrecondition {
		t.Fatalf("change of a cancelled offer: %v", err)
	}
}
