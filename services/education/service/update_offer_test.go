package service_test

import (
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
)

func mask(paths ...string) *fieldmaskpb.FieldMask { return &fieldmaskpb.FieldMask{Paths: paths} }

func TestUpdateOfferBadInputChangesNothing(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	createProvider(t, h)
	c := ctx(t)
	o := openOffer(t, h, 2)
	p := participant(t, h, "Amina", "Beispiel")
	ref, err := h.client.CreateReferral(c, &pb.CreateReferralRequest{Parent: o.GetName(), Participant: p.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	setReferral(t, h, ref.GetReferral().GetName(), pb.ReferralStatus_REFERRAL_STATUS_ACCEPTED)
	cancelled, err := h.client.CreateOffer(c, &pb.CreateOfferRequest{Offer: offer(5)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.SetOfferStatus(c, &pb.SetOfferStatusRequest{Name: cancelled.GetOffer().GetName(), Status: pb.OfferStatus_OFFER_STATUS_CANCELLED}); err != nil {
		t.Fatal(err)
	}
	current, err := h.client.GetOffer(c, &pb.GetOfferRequest{Name: o.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	// update sends the offer with its name, changed by mod, and the mask.
	update := func(mod func(*pb.Offer), paths ...string) func() error {
		return func() error {
			u := &pb.Offer{Name: o.GetName()}
			mod(u)
			_, err := h.client.UpdateOffer(c, &pb.UpdateOfferRequest{Offer: u, UpdateMask: mask(paths...)})
			return err
		}
	}
	cases := []struct {
		name  string
		call  func() error
		code  codes.Code
		field string
	}{
		{"without offer", func() error {
			_, err := h.client.UpdateOffer(c, &pb.UpdateOfferRequest{UpdateMask: mask("capacity")})
			return err
		}, codes.InvalidArgument, "offer"},
		{"malformed name", func() error {
			_, err := h.client.UpdateOffer(c, &pb.UpdateOfferRequest{Offer: &pb.Offer{Name: "o-1", Capacity: 5}})
			return err
		}, codes.InvalidArgument, "offer.name"},
		{"unknown offer", func() error {
			_, err := h.client.UpdateOffer(c, &pb.UpdateOfferRequest{Offer: &pb.Offer{Name: "offers/o-aaaaaaaaaaaaaaaa", Capacity: 5}})
			return err
		}, codes.NotFound, ""},
		{"malformed request_id", func() error {
			_, err := h.client.UpdateOffer(c, &pb.UpdateOfferRequest{Offer: &pb.Offer{Name: o.GetName(), Capacity: 5}, RequestId: "1"})
			return err
		}, codes.InvalidArgument, "request_id"},
		{"unknown field in mask", update(func(u *pb.Offer) {}, "colour"), codes.InvalidArgument, "update_mask"},
		{"output-only field in mask", update(func(u *pb.Offer) { u.FreePlaces = 9 }, "free_places"), codes.InvalidArgument, "update_mask"},
		{"provider in mask", update(func(u *pb.Offer) { u.Provider = "providers/andere" }, "provider"), codes.InvalidArgument, "update_mask"},
		{"part of a field in mask", update(func(u *pb.Offer) {}, "eligibility.min_age"), codes.InvalidArgument, "update_mask"},
		{"nothing to change", update(func(u *pb.Offer) {}), codes.InvalidArgument, "update_mask"},
		{"another provider", update(func(u *pb.Offer) { u.Provider = "providers/andere"; u.Capacity = 5 }), codes.InvalidArgument, "offer.provider"},
		{"invalid level", update(func(u *pb.Offer) { u.EntryLevel = 42 }, "entry_level"), codes.InvalidArgument, "offer.entry_level"},
		{"target below entry", update(func(u *pb.Offer) { u.TargetLevel = pb.CefrLevel_CEFR_LEVEL_ALPHA }, "target_level"), codes.InvalidArgument, "offer.target_level"},
		{"end before start", update(func(u *pb.Offer) { u.EndDate = "2026-12-01" }, "end_date"), codes.InvalidArgument, "offer.end_date"},
		{"deadline after start", update(func(u *pb.Offer) { u.RegistrationDeadline = "2027-02-01" }, "registration_deadline"), codes.InvalidArgument, "offer.registration_deadline"},
		{"negative capacity", update(func(u *pb.Offer) { u.Capacity = -1 }, "capacity"), codes.InvalidArgument, "offer.capacity"},
		{"capacity below the booked seats", update(func(u *pb.Offer) { u.Capacity = 2; u.DirectBookings = 2 }, "capacity", "direct_bookings"), codes.InvalidArgument, "offer.capacity"},
		{"booked > capacity", update(func(u *pb.Offer) { u.DirectBookings = 3 }, "direct_bookings"), codes.InvalidArgument, "offer.direct_bookings"},
		{"slot ends before it starts", update(func(u *pb.Offer) {
			u.Schedule = []*pb.TimeSlot{{Weekday: pb.Weekday_WEEKDAY_MONDAY, StartTime: "12:00", EndTime: "09:00"}}
		}, "schedule"), codes.InvalidArgument, "offer.schedule[0].end_time"},
		{"no schedule", update(func(u *pb.Offer) {}, "schedule"), codes.InvalidArgument, "offer.schedule"},
		{"stale etag", update(func(u *pb.Offer) { u.Capacity = 5; u.Etag = "1" }), codes.Aborted, ""},
		{"cancelled offer", func() error {
			_, err := h.client.UpdateOffer(c, &pb.UpdateOfferRequest{Offer: &pb.Offer{Name: cancelled.GetOffer().GetName(), Capacity: 7}})
			return err
		}, codes.FailedPrecondition, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := h.lastSeq()
			wantStatus(t, tc.call(), tc.code, tc.field)
			if after := h.lastSeq(); after != before {
				t.Fatalf("the stream moved from %d to %d", before, after)
			}
		})
	}
	// A change to what the offer already is writes nothing either.
	before := h.lastSeq()
	same, err := h.client.UpdateOffer(c, &pb.UpdateOfferRequest{Offer: &pb.Offer{Name: o.GetName(), Capacity: 2, Etag: current.GetOffer().GetEtag()}})
	if err != nil {
		t.Fatal(err)
	}
	if h.lastSeq() != before || same.GetOffer().GetEtag() != current.GetOffer().GetEtag() {
		t.Fatalf("an unchanged offer was written: etag %s → %s", current.GetOffer().GetEtag(), same.GetOffer().GetEtag())
	}
}

func TestUpdateOfferChangesDetailsAndPublishes(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	createProvider(t, h)
	c := ctx(t)
	o := openOffer(t, h, 10)
	afternoon := offer(10)
	afternoon.Schedule = []*pb.TimeSlot{{Weekday: pb.Weekday_WEEKDAY_TUESDAY, StartTime: "14:00", EndTime: "17:00"}}
	other, err := h.client.CreateOffer(c, &pb.CreateOfferRequest{Offer: afternoon})
	if err != nil {
		t.Fatal(err)
	}
	if len(other.GetPossibleDuplicates()) != 0 {
		t.Fatalf("different times reported as duplicates: %v", other.GetPossibleDuplicates())
	}

	// Move the first offer to Tuesday afternoon with the mask (the title in
	// the request is not in the mask and stays): now it duplicates the other.
	before := h.lastSeq()
	moved, err := h.client.UpdateOffer(c, &pb.UpdateOfferRequest{Offer: &pb.Offer{
		Name: o.GetName(), Etag: o.GetEtag(), Title: "nicht geändert", Schedule: afternoon.GetSchedule(), Costs: "kostenfrei",
	}, UpdateMask: mask("schedule", "costs")})
	if err != nil {
		t.Fatal(err)
	}
	got := moved.GetOffer()
	if got.GetTitle() != o.GetTitle() || got.GetCosts() != "kostenfrei" || got.GetSchedule()[0].GetWeekday() != pb.Weekday_WEEKDAY_TUESDAY || got.GetEtag() == o.GetEtag() {
		t.Fatalf("updated offer %v", got)
	}
	if d := moved.GetPossibleDuplicates(); len(d) != 1 || d[0].GetOffer() != other.GetOffer().GetName() || len(d[0].GetReasons()) == 0 {
		t.Fatalf("possible duplicates %v, want %s", d, other.GetOffer().GetName())
	}
	evs := h.eventsAfter(before)
	if len(evs) != 1 || evs[0].Subject != "integration.education.offer."+strings.TrimPrefix(o.GetName(), "offers/")+".offer_changed" {
		t.Fatalf("the update wrote %v", evs)
	}
	changed := evs[0].Payload.(*pb.OfferChanged)
	if !slices.Equal(changed.GetChangedFields(), []string{"schedule", "costs"}) || changed.GetTitle() != o.GetTitle() {
		t.Fatalf("event %v", changed)
	}

	// Without a mask the fields set change: the offer moves to Waiblingen
	// and the search and the matching follow it.
	if _, err := h.client.UpdateOffer(c, &pb.UpdateOfferRequest{Offer: &pb.Offer{Name: o.GetName(), Municipality: "waiblingen", Address: "Bahnhofstraße 1"}}); err != nil {
		t.Fatal(err)
	}
	list, err := h.client.ListOffers(c, &pb.ListOffersRequest{Municipality: "waiblingen"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.GetOffers()) != 1 || list.GetOffers()[0].GetName() != o.GetName() || list.GetOffers()[0].GetAddress() != "Bahnhofstraße 1" {
		t.Fatalf("search in waiblingen: %v", list.GetOffers())
	}
	p := participant(t, h, "Amina", "Beispiel") // lives in Backnang, free on Monday mornings
	m, err := h.client.MatchOffers(c, &pb.MatchOffersRequest{Participant: p.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	for _, match := range m.GetMatches() {
		if match.GetOffer().GetName() == o.GetName() {
			t.Fatalf("the moved offer still matches: %v", match)
		}
	}

	// A restarted service replays the change.
	h.stop()
	again := start(t, h.nats, false)
	replayed, err := again.client.GetOffer(c, &pb.GetOfferRequest{Name: o.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if r := replayed.GetOffer(); r.GetMunicipality() != "waiblingen" || r.GetCosts() != "kostenfrei" || r.GetSchedule()[0].GetWeekday() != pb.Weekday_WEEKDAY_TUESDAY {
		t.Fatalf("after a restart: %v", r)
	}
}

// TestRaisingCapacityMovesTheWaitlist: seats added by a higher capacity go
// to the waiting referrals, longest waiting first, in the update's event;
// the capacity cannot drop below the seats taken.
func TestRaisingCapacityMovesTheWaitlist(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	createProvider(t, h)
	c := ctx(t)
	o := openOffer(t, h, 1)
	var refs []*pb.Referral
	for _, name := range []string{"Amina", "Omar", "Lena", "Milan"} {
		p := participant(t, h, name, "Beispiel")
		r, err := h.client.CreateReferral(c, &pb.CreateReferralRequest{Parent: o.GetName(), Participant: p.GetName()})
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, r.GetReferral())
		if len(refs) == 1 {
			setReferral(t, h, r.GetReferral().GetName(), pb.ReferralStatus_REFERRAL_STATUS_ACCEPTED)
		}
	}
	status := func(r *pb.Referral) (pb.ReferralStatus, int32) {
		t.Helper()
		list, err := h.client.ListReferrals(c, &pb.ListReferralsRequest{Parent: o.GetName()})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range list.GetReferrals() {
			if x.GetName() == r.GetName() {
				return x.GetStatus(), x.GetWaitlistPosition()
			}
		}
		t.Fatalf("referral %s not listed", r.GetName())
		return 0, 0
	}
	setCapacity := func(n int32) (*pb.UpdateOfferResponse, error) {
		return h.client.UpdateOffer(c, &pb.UpdateOfferRequest{Offer: &pb.Offer{Name: o.GetName(), Capacity: n}})
	}
	for _, r := range refs[1:] {
		if s, _ := status(r); s != pb.ReferralStatus_REFERRAL_STATUS_WAITLISTED {
			t.Fatalf("%s is %v, want WAITLISTED", r.GetName(), s)
		}
	}

	// Two more seats: Omar and Lena, the longest waiting, take them.
	before := h.lastSeq()
	resp, err := setCapacity(3)
	if err != nil {
		t.Fatal(err)
	}
	evs := h.eventsAfter(before)
	if len(evs) == 0 || evs[0].Type != "offer_changed" {
		t.Fatalf("the update wrote %v", evs)
	}
	changed := evs[0].Payload.(*pb.OfferChanged)
	if want := []string{refID(refs[1]), refID(refs[2])}; !slices.Equal(changed.GetPromotedReferralIds(), want) || len(changed.GetPromotedParticipantIds()) != 2 {
		t.Fatalf("promoted %v, want %v", changed.GetPromotedReferralIds(), want)
	}
	for _, e := range evs[1:] {
		if e.Type != "offer_full" {
			t.Fatalf("unexpected event %v", e)
		}
	}
	if got := resp.GetOffer(); got.GetFreePlaces() != 0 || got.GetBookedSeats() != 3 || got.GetStatus() != pb.OfferStatus_OFFER_STATUS_FULL {
		t.Fatalf("after raising the capacity: %d free, %d booked, %v", got.GetFreePlaces(), got.GetBookedSeats(), got.GetStatus())
	}
	for _, r := range refs[1:3] {
		if s, _ := status(r); s != pb.ReferralStatus_REFERRAL_STATUS_ACCEPTED {
			t.Fatalf("%s is %v, want ACCEPTED", r.GetName(), s)
		}
	}
	if s, pos := status(refs[3]); s != pb.ReferralStatus_REFERRAL_STATUS_WAITLISTED || pos != 1 {
		t.Fatalf("Milan is %v at %d, want WAITLISTED at 1", s, pos)
	}

	// Three seats are taken: the capacity cannot drop to two.
	before = h.lastSeq()
	_, err = setCapacity(2)
	wantStatus(t, err, codes.InvalidArgument, "offer.capacity")
	if h.lastSeq() != before {
		t.Fatal("a refused capacity was written")
	}

	// Plenty of seats: Milan gets one, one stays free.
	resp, err = setCapacity(5)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := status(refs[3]); s != pb.ReferralStatus_REFERRAL_STATUS_ACCEPTED {
		t.Fatalf("Milan is %v, want ACCEPTED", s)
	}
	if got := resp.GetOffer(); got.GetFreePlaces() != 1 || got.GetBookedSeats() != 4 || got.GetStatus() != pb.OfferStatus_OFFER_STATUS_OPEN {
		t.Fatalf("after raising the capacity again: %d free, %d booked, %v", got.GetFreePlaces(), got.GetBookedSeats(), got.GetStatus())
	}
}

func refID(r *pb.Referral) string {
	n := r.GetName()
	return n[strings.LastIndexByte(n, '/')+1:]
}
