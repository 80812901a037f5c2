package adapters

import (
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	educationv1 "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// A capacity change that promotes waiting referrals tells each of their
// cases, under an event ID of its own so none is recorded twice or lost.
func TestOfferChangePromotionsReachTheirCases(t *testing.T) {
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	got := referralUpdates(eventstore.Envelope{ID: "e-1", Payload: &educationv1.OfferChanged{
		OfferId: "o-1", ChangedFields: []string{"capacity"},
		PromotedReferralIds: []string{"r-2", "r-3"}, PromotedParticipantIds: []string{"p-2", "p-3"},
		ChangeTime: timestamppb.New(at),
	}})
	want := []ReferralUpdate{
		{EventID: "e-1/promoted/0", ReferralID: "r-2", Participant: "p-2", Status: domain.CourseAccepted, Time: at},
		{EventID: "e-1/promoted/1", ReferralID: "r-3", Participant: "p-3", Status: domain.CourseAccepted, Time: at},
	}
	if len(got) != len(want) {
		t.Fatalf("updates %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("update %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	// A change that promotes nobody concerns no case.
	if got := referralUpdates(eventstore.Envelope{ID: "e-2", Payload: &educationv1.OfferChanged{OfferId: "o-1"}}); len(got) != 0 {
		t.Errorf("updates of a change without promotions: %+v", got)
	}
}
