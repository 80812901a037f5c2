package service_test

import (
	"fmt"
	"sync"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
)

func setReferral(t *testing.T, h *harness, name string, s pb.ReferralStatus) *pb.SetReferralStatusResponse {
	t.Helper()
	resp, err := h.client.SetReferralStatus(ctx(t), &pb.SetReferralStatusRequest{Name: name, Status: s})
	if err != nil {
		t.Fatalf("%s → %v: %v", name, s, err)
	}
	return resp
}

func freePlaces(t *testing.T, h *harness, offer string) (int32, pb.OfferStatus) {
	t.Helper()
	o, err := h.client.GetOffer(ctx(t), &pb.GetOfferRequest{Name: offer})
	if err != nil {
		t.Fatal(err)
	}
	return o.GetOffer().GetFreePlaces(), o.GetOffer().GetStatus()
}

func TestMatchReferAndWaitlist(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	createProvider(t, h)
	c := ctx(t)
	o := openOffer(t, h, 1)
	amina, omar, lena := participant(t, h, "Amina", "A"), participant(t, h, "Omar", "O"), participant(t, h, "Lena", "L")

	m, err := h.client.MatchOffers(c, &pb.MatchOffersRequest{Participant: amina.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.GetMatches()) != 1 || m.GetMatches()[0].GetOffer().GetName() != o.GetName() || m.GetMatches()[0].GetScore() != 100 {
		t.Fatalf("matches %v", m.GetMatches())
	}

	refer := func(p *pb.Participant) *pb.Referral {
		r, err := h.client.CreateReferral(c, &pb.CreateReferralRequest{Parent: o.GetName(), Participant: p.GetName()})
		if err != nil {
			t.Fatal(err)
		}
		return r.GetReferral()
	}
	ra := refer(amina)
	setReferral(t, h, ra.GetName(), pb.ReferralStatus_REFERRAL_STATUS_ACCEPTED)
	if enrolled := setReferral(t, h, ra.GetName(), pb.ReferralStatus_REFERRAL_STATUS_ENROLLED); enrolled.GetReferral().GetStatus() != pb.ReferralStatus_REFERRAL_STATUS_ENROLLED {
		t.Fatalf("enrol: %v", enrolled)
	}
	if free, st := freePlaces(t, h, o.GetName()); free != 0 || st != pb.OfferStatus_OFFER_STATUS_FULL {
		t.Fatalf("after enrolment: %d free, %v", free, st)
	}
	// The full offer puts new referrals on the waiting list in order of arrival.
	ro, rl := refer(omar), refer(lena)
	if ro.GetStatus() != pb.ReferralStatus_REFERRAL_STATUS_WAITLISTED || ro.GetWaitlistPosition() != 1 || rl.GetWaitlistPosition() != 2 {
		t.Fatalf("waitlisted %v and %v", ro, rl)
	}
	// Amina drops out: her seat goes to Omar in the same event, and a
	// derived seat_freed names both.
	before := h.lastSeq()
	dropped := setReferral(t, h, ra.GetName(), pb.ReferralStatus_REFERRAL_STATUS_DROPPED)
	evs := h.eventsAfter(before)
	if len(evs) != 2 || evs[0].Type != "referral_status_changed" || evs[1].Type != "seat_freed" {
		t.Fatalf("the drop wrote %v, want referral_status_changed and seat_freed", evs)
	}
	change := evs[0].Payload.(*pb.ReferralStatusChanged)
	freed := evs[1].Payload.(*pb.SeatFreed)
	if change.GetPromotedReferralId() == "" || freed.GetReassignedReferralId() != change.GetPromotedReferralId() ||
		freed.GetCauseSequence() != evs[0].Seq || freed.GetFreePlaces() != 0 {
		t.Fatalf("change %v, seat freed %v", change, freed)
	}
	if p := dropped.GetPromoted(); p.GetName() != ro.GetName() || p.GetStatus() != pb.ReferralStatus_REFERRAL_STATUS_ACCEPTED {
		t.Fatalf("promoted %v, want %s ACCEPTED", p, ro.GetName())
	}
	if free, _ := freePlaces(t, h, o.GetName()); free != 0 {
		t.Fatalf("%d free after the promotion", free)
	}
	list, err := h.client.ListReferrals(c, &pb.ListReferralsRequest{Parent: o.GetName(), Status: pb.ReferralStatus_REFERRAL_STATUS_WAITLISTED})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.GetReferrals()) != 1 || list.GetReferrals()[0].GetName() != rl.GetName() || list.GetReferrals()[0].GetWaitlistPosition() != 1 {
		t.Fatalf("waiting list %v", list.GetReferrals())
	}
	setReferral(t, h, ro.GetName(), pb.ReferralStatus_REFERRAL_STATUS_ENROLLED)
	setReferral(t, h, ro.GetName(), pb.ReferralStatus_REFERRAL_STATUS_COMPLETED)
	if free, _ := freePlaces(t, h, o.GetName()); free != 0 {
		t.Fatalf("a completed participant's seat was freed: %d free", free)
	}
}

// TestCapacityHoldsUnderConcurrentAcceptance accepts many referrals at once:
// the offer's version guards its seats, so exactly capacity of them get one
// and the rest go on the waiting list.
func TestCapacityHoldsUnderConcurrentAcceptance(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	createProvider(t, h)
	c := ctx(t)
	const capacity, n = 3, 12
	o := openOffer(t, h, capacity)
	var names []string
	for i := range n {
		p := participant(t, h, fmt.Sprintf("Person%d", i), "Test")
		r, err := h.client.CreateReferral(c, &pb.CreateReferralRequest{Parent: o.GetName(), Participant: p.GetName()})
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, r.GetReferral().GetName())
	}
	var wg sync.WaitGroup
	results := make(chan pb.ReferralStatus, n)
	for _, name := range names {
		wg.Go(func() {
			resp, err := h.client.SetReferralStatus(c, &pb.SetReferralStatusRequest{Name: name, Status: pb.ReferralStatus_REFERRAL_STATUS_ACCEPTED})
			if err != nil {
				t.Errorf("accept %s: %v", name, status.Convert(err).Message())
				return
			}
			results <- resp.GetReferral().GetStatus()
		})
	}
	wg.Wait()
	close(results)
	count := map[pb.ReferralStatus]int{}
	for s := range results {
		count[s]++
	}
	if count[pb.ReferralStatus_REFERRAL_STATUS_ACCEPTED] != capacity || count[pb.ReferralStatus_REFERRAL_STATUS_WAITLISTED] != n-capacity {
		t.Fatalf("outcomes %v, want %d ACCEPTED and %d WAITLISTED", count, capacity, n-capacity)
	}
	got, err := h.client.GetOffer(c, &pb.GetOfferRequest{Name: o.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetOffer().GetBookedSeats() != capacity || got.GetOffer().GetFreePlaces() != 0 {
		t.Fatalf("offer %v", got.GetOffer())
	}
}

func TestRetriedCreationsActOnce(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	createProvider(t, h)
	c := ctx(t)
	req := &pb.CreateOfferRequest{Offer: offer(4), RequestId: "5d2c1b0a-9f8e-4d7c-b6a5-0123456789ab"}
	first, err := h.client.CreateOffer(c, req)
	if err != nil {
		t.Fatal(err)
	}
	seq := h.lastSeq()
	again, err := h.client.CreateOffer(c, req)
	if err != nil || again.GetOffer().GetName() != first.GetOffer().GetName() || h.lastSeq() != seq {
		t.Fatalf("retry: %v %v, stream %d → %d", again, err, seq, h.lastSeq())
	}
	reg := &pb.RegisterParticipantRequest{PersonalData: &pb.PersonalData{GivenName: "Rita", FamilyName: "Retry", BirthYear: 1980}, RequestId: "0b7e3d1c-2a4f-4e5d-8c9b-aabbccddeeff"}
	p1, err := h.client.RegisterParticipant(c, reg)
	if err != nil {
		t.Fatal(err)
	}
	seq = h.lastSeq()
	p2, err := h.client.RegisterParticipant(c, reg)
	if err != nil || p2.GetParticipant().GetName() != p1.GetParticipant().GetName() || h.lastSeq() != seq {
		t.Fatalf("retry: %v %v", p2, err)
	}
	if p2.GetParticipant().GetPersonalData().GetGivenName() != "Rita" {
		t.Fatalf("personal data after a retry: %v", p2.GetParticipant().GetPersonalData())
	}
	_, err = h.client.RegisterParticipant(c, &pb.RegisterParticipantRequest{PersonalData: &pb.PersonalData{GivenName: "Other", FamilyName: "Person", BirthYear: 1981}, RequestId: reg.GetRequestId()})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("reused request ID with other data: %v", err)
	}
}
