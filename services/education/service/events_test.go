package service_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/natstest"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	"github.com/integrationsplan/integrationsplan/services/education/adapters"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
	"github.com/integrationsplan/integrationsplan/services/education/service"
)

func types(evs []event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

// TestStatusChangesArePublished follows an offer through the status changes
// a dashboard watches: published, full, seat freed, cancelled, and the
// referral and assessment events between them.
func TestStatusChangesArePublished(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	createProvider(t, h)
	c := ctx(t)
	seq := h.lastSeq()
	created, err := h.client.CreateOffer(c, &pb.CreateOfferRequest{Offer: offer(1)})
	if err != nil {
		t.Fatal(err)
	}
	o := created.GetOffer().GetName()
	setOffer := func(s pb.OfferStatus) {
		t.Helper()
		if _, err := h.client.SetOfferStatus(c, &pb.SetOfferStatusRequest{Name: o, Status: s}); err != nil {
			t.Fatal(err)
		}
	}
	setOffer(pb.OfferStatus_OFFER_STATUS_OPEN)
	p := participant(t, h, "Amina", "A")
	ref, err := h.client.CreateReferral(c, &pb.CreateReferralRequest{Parent: o, Participant: p.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	r := ref.GetReferral().GetName()
	setReferral(t, h, r, pb.ReferralStatus_REFERRAL_STATUS_ACCEPTED)
	setReferral(t, h, r, pb.ReferralStatus_REFERRAL_STATUS_DROPPED)
	setOffer(pb.OfferStatus_OFFER_STATUS_CANCELLED)

	evs := h.eventsAfter(seq)
	want := []string{
		"offer_created", "offer_status_changed", // published, opened
		"participant_registered", "assessment_recorded",
		"referral_created", "referral_status_changed", "offer_full", // the last seat is taken
		"referral_status_changed", "seat_freed", // and freed again
		"offer_status_changed", // cancelled
	}
	got := slices.DeleteFunc(types(evs), func(s string) bool { return s == "gap_opened" || s == "gap_closed" })
	if !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	for _, e := range evs {
		switch p := e.Payload.(type) {
		case *pb.OfferFull:
			if p.GetCapacity() != 1 || p.GetCauseSequence() != e.Seq-1 {
				t.Errorf("offer_full %v at %d", p, e.Seq)
			}
		case *pb.SeatFreed:
			if p.GetFreePlaces() != 1 || p.GetReassignedReferralId() != "" || p.GetCauseSequence() != e.Seq-1 {
				t.Errorf("seat_freed %v at %d", p, e.Seq)
			}
		case *pb.OfferStatusChanged:
			if p.GetToStatus() == pb.OfferStatus_OFFER_STATUS_CANCELLED && p.GetFromStatus() != pb.OfferStatus_OFFER_STATUS_OPEN {
				t.Errorf("cancelled %v", p)
			}
		}
	}
	// The offer's etag after the command already includes the derived event.
	got2, err := h.client.GetOffer(c, &pb.GetOfferRequest{Name: o})
	if err != nil {
		t.Fatal(err)
	}
	var lastOfferEvent uint64
	for _, e := range evs {
		if strings.HasPrefix(e.Subject, "integration.education.offer."+o[len("offers/"):]+".") {
			lastOfferEvent = e.Seq
		}
	}
	if got2.GetOffer().GetEtag() != eventstore.FormatVersion(lastOfferEvent) {
		t.Fatalf("etag %s, last event of the offer %d", got2.GetOffer().GetEtag(), lastOfferEvent)
	}
}

// TestDerivedEventsArePublishedOnceAfterACrash writes a seat-taking change
// without its derived offer_full, as a replica that crashed right after its
// command would leave it, then starts two replicas at once: one of them
// publishes offer_full, and only one.
func TestDerivedEventsArePublishedOnceAfterACrash(t *testing.T) {
	ns := natstest.Start(t)
	h := start(t, ns, false)
	createProvider(t, h)
	c := ctx(t)
	o := openOffer(t, h, 1)
	p := participant(t, h, "Omar", "O")
	ref, err := h.client.CreateReferral(c, &pb.CreateReferralRequest{Parent: o.GetName(), Participant: p.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	h.stop()

	// The crashed replica's last write: PROPOSED → ACCEPTED, taking the only seat.
	_, js := ns.Connect(t)
	store, err := eventstore.Open(c, js, eventstore.Config{Service: service.Name})
	if err != nil {
		t.Fatal(err)
	}
	offerID, refID := o.GetName()[len("offers/"):], ref.GetReferral().GetName()[len(o.GetName()+"/referrals/"):]
	before := h.lastSeq()
	cause, err := store.Append(c, adapters.ReferralStatusChanged(
		&domain.Referral{ID: refID, Offer: offerID, Participant: p.GetName()[len("participants/"):]},
		domain.ReferralChange{From: domain.Proposed, To: domain.Accepted}, ref.GetReferral().GetCreateTime().AsTime(),
	), before)
	if err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	replicas := make([]*harness, 2)
	for i := range replicas {
		wg.Go(func() { replicas[i] = start(t, ns, false) })
	}
	wg.Wait()
	evs := h.eventsAfter(cause.Seq)
	if full := slices.DeleteFunc(slices.Clone(evs), func(e event) bool { return e.Type != "offer_full" }); len(full) != 1 ||
		full[0].Payload.(*pb.OfferFull).GetCauseSequence() != cause.Seq {
		t.Fatalf("after the cause %d: %v, want one offer_full", cause.Seq, evs)
	}
	// Both replicas agree, and the offer takes commands again.
	for _, r := range replicas {
		got, err := r.client.GetOffer(c, &pb.GetOfferRequest{Name: o.GetName()})
		if err != nil || got.GetOffer().GetStatus() != pb.OfferStatus_OFFER_STATUS_FULL || got.GetOffer().GetEtag() != eventstore.FormatVersion(h.lastSeq()) {
			t.Fatalf("replica sees %v %v", got, err)
		}
	}
	r := replicas[1].client
	if _, err := r.SetReferralStatus(c, &pb.SetReferralStatusRequest{Name: ref.GetReferral().GetName(), Status: pb.ReferralStatus_REFERRAL_STATUS_DROPPED}); err != nil {
		t.Fatal(err)
	}
	if last := h.eventsAfter(h.lastSeq() - 1); last[0].Type != "seat_freed" {
		t.Fatalf("last event %v", last)
	}
}

// TestSupplyGapsOpenAndClose follows one municipality and level as
// participants wait and places appear, through the report and the events.
func TestSupplyGapsOpenAndClose(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	createProvider(t, h)
	c := ctx(t)
	report := func(req *pb.GetSupplyGapReportRequest) []*pb.SupplyGap {
		t.Helper()
		resp, err := h.client.GetSupplyGapReport(c, req)
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetGaps()
	}
	gapEvents := func(after uint64) []string {
		var out []string
		for _, e := range h.eventsAfter(after) {
			switch p := e.Payload.(type) {
			case *pb.GapOpened:
				out = append(out, "opened "+p.GetMunicipality()+" "+p.GetLevel().String())
			case *pb.GapClosed:
				out = append(out, "closed "+p.GetMunicipality()+" "+p.GetLevel().String())
			}
		}
		return out
	}

	seq := h.lastSeq()
	amina := participant(t, h, "Amina", "A") // A1 in Backnang
	if got := gapEvents(seq); !slices.Equal(got, []string{"opened backnang CEFR_LEVEL_A1"}) {
		t.Fatalf("after the first assessment: %v", got)
	}
	if g := report(&pb.GetSupplyGapReportRequest{}); len(g) != 1 || g[0].GetWaitingParticipants() != 1 || g[0].GetFreePlaces() != 0 || !g[0].GetOpen() || g[0].GetShortfall() != 1 {
		t.Fatalf("report %v", g)
	}

	// An A1–B1 offer with one place in Backnang closes it.
	seq = h.lastSeq()
	o := openOffer(t, h, 1)
	if got := gapEvents(seq); !slices.Equal(got, []string{"closed backnang CEFR_LEVEL_A1"}) {
		t.Fatalf("after the offer: %v", got)
	}
	// It is also within reach of neighbouring Aspach (A1 and A2).
	if g := report(&pb.GetSupplyGapReportRequest{Municipality: "backnang", Level: pb.CefrLevel_CEFR_LEVEL_A1}); len(g) != 1 || g[0].GetOpen() || g[0].GetFreePlaces() != 1 {
		t.Fatalf("report %v", g)
	}

	// A second participant opens it again; placing one of them keeps it open
	// (one waits, no place is free); cancelling the offer changes nothing more.
	seq = h.lastSeq()
	omar := participant(t, h, "Omar", "O")
	ref, err := h.client.CreateReferral(c, &pb.CreateReferralRequest{Parent: o.GetName(), Participant: amina.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	setReferral(t, h, ref.GetReferral().GetName(), pb.ReferralStatus_REFERRAL_STATUS_ACCEPTED)
	if got := gapEvents(seq); !slices.Equal(got, []string{"opened backnang CEFR_LEVEL_A1"}) {
		t.Fatalf("after the second participant: %v", got)
	}
	if g := report(&pb.GetSupplyGapReportRequest{OpenOnly: true}); len(g) != 1 || g[0].GetWaitingParticipants() != 1 || g[0].GetFreePlaces() != 0 {
		t.Fatalf("report %v", g)
	}
	// Erasing the one still waiting closes it: an erased participant takes no place.
	seq = h.lastSeq()
	if _, err := h.client.EraseParticipant(c, &pb.EraseParticipantRequest{Name: omar.GetName()}); err != nil {
		t.Fatal(err)
	}
	if got := gapEvents(seq); !slices.Equal(got, []string{"closed backnang CEFR_LEVEL_A1"}) {
		t.Fatalf("after the erasure: %v", got)
	}
	if g := report(&pb.GetSupplyGapReportRequest{OpenOnly: true}); len(g) != 0 {
		t.Fatalf("open gaps %v", g)
	}
}
