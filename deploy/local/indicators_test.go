package main

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/natstest"
	"github.com/integrationsplan/integrationsplan/platform/principal"
	edpb "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	lpb "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	mpb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	education "github.com/integrationsplan/integrationsplan/services/education/service"
)

const (
	referralsByStatus = "measures/m-1-1/indicators/vermittlungen-nach-status"
	placements        = "measures/m-2-5/indicators/vermittlungen-in-arbeit-oder-ausbildung"
)

// TestIndicatorsFollowEducationAndLabour runs the three services on one
// embedded NATS with their example data (the measures' shipped indicator
// rules among them): enrolling a participant in education and closing a
// labour case with employment move the matching indicators, visible in the
// API and as IndicatorValueChanged events on the measures stream.
func TestIndicatorsFollowEducationAndLabour(t *testing.T) {
	ns := natstest.Start(t)
	key := principal.NewKey()
	m := startReplica(t, "measures", measuresStarter(t, ns.ClientURL(), key, true), "127.0.0.1:0")
	e := startReplica(t, "education", educationStarter(t, ns.ClientURL(), key, true), "127.0.0.1:0")
	l := startReplica(t, "labour", labourStarter(t, ns.ClientURL(), key, e.addr, true), "127.0.0.1:0")
	measures := mpb.NewMeasureServiceClient(dial(t, m.addr))
	edu := edpb.NewEducationServiceClient(dial(t, e.addr))
	labour := lpb.NewLabourServiceClient(dial(t, l.addr))
	_, js := ns.Connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	year := strconv.Itoa(time.Now().Year())

	value := func(name string) *mpb.IndicatorValue {
		t.Helper()
		resp, err := measures.GetIndicatorValues(ctx, &mpb.GetIndicatorValuesRequest{Name: name, Periods: []string{year}})
		if err != nil || len(resp.GetValues()) != 1 {
			t.Fatalf("%s: %v %v", name, resp, err)
		}
		return resp.GetValues()[0]
	}
	eventually := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("not within 30s: %s", what)
			}
		}
	}
	// published is the value of the last IndicatorValueChanged of the
	// indicator for the year, or -1 if none was published.
	published := func(name string) float64 {
		t.Helper()
		parts := strings.Split(name, "/") // measures/{measure}/indicators/{indicator}
		subject := eventstore.SubjectPrefix("measures") + ".indicator_value." + parts[1] + "_" + parts[3] + "_" + year + ".indicator_value_changed"
		stream, err := js.Stream(ctx, eventstore.StreamName("measures"))
		if err != nil {
			t.Fatal(err)
		}
		msg, err := stream.GetLastMsgForSubject(ctx, subject)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return -1
		} else if err != nil {
			t.Fatal(err)
		}
		env, err := eventstore.DecodeRaw(msg)
		if err != nil {
			t.Fatal(err)
		}
		return env.Payload.(*mpb.IndicatorValueChanged).GetValue()
	}

	// The example data are loaded and counted.
	eventually("the example referrals are counted", func() bool { return value(referralsByStatus).GetByGroup()["REFERRAL_STATUS_ENROLLED"] >= 1 })
	enrolled := value(referralsByStatus).GetByGroup()["REFERRAL_STATUS_ENROLLED"]

	// Education: the example participant is referred to its best match,
	// accepted and enrolled.
	participant := "participants/" + education.ExampleParticipantID
	matches, err := edu.MatchOffers(ctx, &edpb.MatchOffersRequest{Participant: participant})
	if err != nil || len(matches.GetMatches()) == 0 {
		t.Fatalf("no match for the example participant: %v %v", matches, err)
	}
	ref, err := edu.CreateReferral(ctx, &edpb.CreateReferralRequest{Parent: matches.GetMatches()[0].GetOffer().GetName(), Participant: participant})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []edpb.ReferralStatus{edpb.ReferralStatus_REFERRAL_STATUS_ACCEPTED, edpb.ReferralStatus_REFERRAL_STATUS_ENROLLED} {
		if _, err := edu.SetReferralStatus(ctx, &edpb.SetReferralStatusRequest{Name: ref.GetReferral().GetName(), Status: st}); err != nil {
			t.Fatal(err)
		}
	}
	eventually("the enrolment moves indicator 1.1", func() bool {
		return value(referralsByStatus).GetByGroup()["REFERRAL_STATUS_ENROLLED"] == enrolled+1
	})
	eventually("1.1's change is published", func() bool {
		return published(referralsByStatus) == value(referralsByStatus).GetValue()
	})

	// Labour: a case closed with employment is a placement for 2.5.
	placed := value(placements).GetValue()
	c, err := labour.CreateCase(ctx, &lpb.CreateCaseRequest{Process: "processes/standard", Owner: "jobcenter-rems-murr", Municipality: "backnang"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := labour.CloseCase(ctx, &lpb.CloseCaseRequest{Name: c.GetCase().GetName(), Outcome: lpb.Outcome_OUTCOME_EMPLOYMENT}); err != nil {
		t.Fatal(err)
	}
	eventually("the placement moves indicator 2.5", func() bool { return value(placements).GetValue() == placed+1 })
	eventually("2.5's change is published", func() bool { return published(placements) == placed+1 })
	t.Logf("1.1 enrolled %v -> %v, 2.5 placements %v -> %v, both published as IndicatorValueChanged",
		enrolled, enrolled+1, placed, placed+1)
}
