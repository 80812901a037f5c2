package service_test

import (
	"maps"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	edu "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
)

// A referral promoted from the waiting list has no status change of its own:
// the drop that freed its seat, or the offer change that raised the
// capacity, names it. Indicator 1.1 moves it from WAITLISTED to ACCEPTED,
// live, once although the first deliveries go unacknowledged; the value
// events follow, and a rebuild from the stream gives the same values.
func TestReferralPromotionsMoveReferralsByStatus(t *testing.T) {
	const (
		proposed   = "REFERRAL_STATUS_PROPOSED"
		waitlisted = "REFERRAL_STATUS_WAITLISTED"
		accepted   = "REFERRAL_STATUS_ACCEPTED"
		dropped    = "REFERRAL_STATUS_DROPPED"
	)
	ns := natstest.Start(t)
	h := startIndicators(t, ns, "measures-indicators", 3)
	education := newSource(t, ns, "education")
	jan := time.Date(2025, 1, 15, 10, 0, 0, 0, time.UTC)
	referral := func(id string, status edu.ReferralStatus) *edu.ReferralCreated {
		return &edu.ReferralCreated{OfferId: "o-1", ReferralId: id, ParticipantId: "p" + id[1:], Status: status}
	}
	education.publish("offer", "o-1", &edu.OfferCreated{OfferId: "o-1", Municipality: "backnang", Capacity: 1}, uuid.NewString(), jan)
	education.publish("offer", "o-1", referral("r-1", edu.ReferralStatus_REFERRAL_STATUS_PROPOSED), uuid.NewString(), jan)
	education.publish("offer", "o-1", &edu.ReferralStatusChanged{OfferId: "o-1", ReferralId: "r-1", ParticipantId: "p-1",
		FromStatus: edu.ReferralStatus_REFERRAL_STATUS_PROPOSED, ToStatus: edu.ReferralStatus_REFERRAL_STATUS_ACCEPTED}, uuid.NewString(), jan)
	for _, id := range []string{"r-2", "r-3", "r-4"} {
		education.publish("offer", "o-1", referral(id, edu.ReferralStatus_REFERRAL_STATUS_WAITLISTED), uuid.NewString(), jan)
	}
	settled(t, h, map[string]uint64{"INTEGRATION_EDUCATION": education.lastSeq()})
	wantValue(t, h, referralsByStatus, "2025-01", 4, map[string]float64{proposed: 0, accepted: 1, waitlisted: 3})

	// Live: r-1 drops and r-2 takes its seat; the capacity goes up by two
	// for r-3 and r-4; a later change of the title promotes no one.
	now := time.Now()
	education.publish("offer", "o-1", &edu.ReferralStatusChanged{OfferId: "o-1", ReferralId: "r-1", ParticipantId: "p-1",
		FromStatus: edu.ReferralStatus_REFERRAL_STATUS_ACCEPTED, ToStatus: edu.ReferralStatus_REFERRAL_STATUS_DROPPED,
		PromotedReferralId: "r-2", PromotedParticipantId: "p-2"}, uuid.NewString(), now)
	education.publish("offer", "o-1", &edu.OfferChanged{OfferId: "o-1", ChangedFields: []string{"capacity"}, Municipality: "backnang", Capacity: 3,
		PromotedReferralIds: []string{"r-3", "r-4"}, PromotedParticipantIds: []string{"p-3", "p-4"}}, uuid.NewString(), now)
	education.publish("offer", "o-1", &edu.OfferChanged{OfferId: "o-1", ChangedFields: []string{"title"}, Title: "Integrationskurs", Municipality: "backnang", Capacity: 3},
		uuid.NewString(), now)
	settled(t, h, map[string]uint64{"INTEGRATION_EDUCATION": education.lastSeq()})
	deadline := time.Now().Add(10 * time.Second)
	for metric(t, h, `integrationsplan_indicators_source_events_total{outcome="redelivered",service="measures",stream="INTEGRATION_EDUCATION"}`) < 3 {
		if time.Now().After(deadline) {
			t.Fatal("the unacknowledged events were not delivered again")
		}
		time.Sleep(50 * time.Millisecond)
	}

	year := strconv.Itoa(now.In(berlin(t)).Year())
	want := map[string]float64{proposed: 0, accepted: 3, waitlisted: 0, dropped: 1}
	wantValue(t, h, referralsByStatus, year, 4, want)
	wantValue(t, h, referralsByStatus, "2025", 4, map[string]float64{proposed: 0, accepted: 1, waitlisted: 3, dropped: 0})

	// The value events follow.
	subject := valueSubject("m-1-1_vermittlungen-nach-status", year)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		events := valueEvents(t, h)
		if e := last(events, subject); e != nil && e.GetValue() == 4 && maps.Equal(e.GetByGroup(), want) {
			checkChanges(t, events)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("last value event on %s: %v, want 4 %v", subject, last(events, subject), want)
		}
	}

	// A rebuild with a fresh consumer gives exactly the same values.
	live := indicatorSnapshot(t, h)
	rebuilt := startIndicators(t, ns, "measures-indicators-rebuild", 0)
	settled(t, rebuilt, map[string]uint64{"INTEGRATION_EDUCATION": education.lastSeq()})
	if got := indicatorSnapshot(t, rebuilt); got != live {
		t.Errorf("rebuild differs from the followed values:\n%s", diff(live, got))
	}
}
