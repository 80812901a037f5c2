package service_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	educationv1 "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	educationservice "github.com/integrationsplan/integrationsplan/services/education/service"
	"github.com/integrationsplan/integrationsplan/services/labour/service"
)

// startEducation runs the real education service on addr; the returned
// function stops it and waits until it has.
func startEducation(t *testing.T, ns *natstest.Server, addr string) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := educationservice.Start(ctx, educationservice.Config{
		GRPCAddr: addr, AdminAddr: "127.0.0.1:0", NATSURL: ns.ClientURL(), StreamReplicas: 1,
		Neighbours: educationservice.DefaultNeighbours, ExampleData: true, ShutdownTimeout: 5 * time.Second,
	}, quiet)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Serve(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("education: %v", err)
		}
	}
	t.Cleanup(stop)
	return stop
}

// TestLabourAndEducationTogether runs both services on one embedded NATS:
// a case gets a course referral from education; with education stopped a
// second referral stays pending, and it is created once education is back.
func TestLabourAndEducationTogether(t *testing.T) {
	ns := natstest.Start(t)
	eduAddr := unusedAddr(t)
	stopEducation := startEducation(t, ns, eduAddr)
	h := startWith(t, ns, func(c *service.Config) { c.ExampleData, c.EducationAddr = true, eduAddr })
	exampleParticipant := "participants/" + educationservice.ExampleParticipantID

	conn, err := grpc.NewClient(eduAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	edu := educationv1.NewEducationServiceClient(conn)
	matches, err := edu.MatchOffers(ctx(t), &educationv1.MatchOffersRequest{Participant: exampleParticipant})
	if err != nil || len(matches.GetMatches()) == 0 {
		t.Fatalf("the Beispieldaten offer the participant no course: %v %v", matches, err)
	}
	best := matches.GetMatches()[0].GetOffer().GetName()
	// The second referral names an offer itself: one education ranks out
	// (the counsellor knows better, e.g. childcare is arranged) but that
	// still takes referrals.
	var chosen string
	for _, x := range matches.GetExcluded() {
		o, err := edu.GetOffer(ctx(t), &educationv1.GetOfferRequest{Name: x.GetOffer()})
		if err != nil {
			t.Fatal(err)
		}
		if st := o.GetOffer().GetStatus(); st == educationv1.OfferStatus_OFFER_STATUS_OPEN || st == educationv1.OfferStatus_OFFER_STATUS_PLANNED {
			chosen = x.GetOffer()
			break
		}
	}
	if chosen == "" {
		t.Fatal("the Beispieldaten have no second offer taking referrals")
	}
	referralOf := func(c *pb.Case) *pb.CourseReferral {
		got, err := h.client.GetCase(ctx(t), &pb.GetCaseRequest{Name: c.GetName()})
		if err != nil {
			t.Fatal(err)
		}
		return got.GetCase().GetCourseReferral()
	}
	created := func(c *pb.Case) func() bool {
		return func() bool { return referralOf(c).GetState() == pb.ReferralState_REFERRAL_STATE_CREATED }
	}

	// The best match, chosen by education.
	first := toLanguageStage(t, h)
	if _, err := h.client.RequestCourseReferral(ctx(t), &pb.RequestCourseReferralRequest{Name: first.GetName(), Participant: exampleParticipant}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "education created the first referral", created(first))
	if got := referralOf(first).GetOffer(); got != best || referralOf(first).GetCourseStatus() != pb.CourseStatus_COURSE_STATUS_PROPOSED {
		t.Fatalf("referred to %s (%v), want the best match %s, PROPOSED", got, referralOf(first).GetCourseStatus(), best)
	}
	// The provider accepts and enrols; the case follows through education's events.
	for _, st := range []educationv1.ReferralStatus{educationv1.ReferralStatus_REFERRAL_STATUS_ACCEPTED, educationv1.ReferralStatus_REFERRAL_STATUS_ENROLLED} {
		if _, err := edu.SetReferralStatus(ctx(t), &educationv1.SetReferralStatusRequest{Name: referralOf(first).GetReferral(), Status: st}); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the case follows its referral to enrolment", func() bool {
		return referralOf(first).GetCourseStatus() == pb.CourseStatus_COURSE_STATUS_ENROLLED
	})

	// Education stops; the second referral waits.
	stopEducation()
	second := toLanguageStage(t, h)
	if _, err := h.client.RequestCourseReferral(ctx(t), &pb.RequestCourseReferralRequest{
		Name: second.GetName(), Participant: exampleParticipant, Offer: chosen,
	}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if r := referralOf(second); r.GetState() != pb.ReferralState_REFERRAL_STATE_PENDING {
		t.Fatalf("referral while education is stopped: %v", r)
	}

	startEducation(t, ns, eduAddr)
	eventually(t, "education created the second referral after its restart", created(second))
	refs, err := edu.ListReferrals(ctx(t), &educationv1.ListReferralsRequest{Parent: "offers/-", Participant: exampleParticipant})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, r := range refs.GetReferrals() {
		names[r.GetName()] = true
	}
	if len(refs.GetReferrals()) != 2 || !names[referralOf(first).GetReferral()] || !names[referralOf(second).GetReferral()] {
		t.Fatalf("education holds %v; labour shows %s and %s", refs.GetReferrals(), referralOf(first).GetReferral(), referralOf(second).GetReferral())
	}
	if n := h.eventsNamed("course_status_changed"); n != 2 {
		t.Fatalf("%d course status events, want 2 (accepted, enrolled)", n)
	}
	// A restart of labour resumes the durable consumer: nothing is recorded twice.
	h.stop()
	h2 := startWith(t, ns, func(c *service.Config) { c.ExampleData, c.EducationAddr = true, eduAddr })
	if _, err := edu.SetReferralStatus(ctx(t), &educationv1.SetReferralStatusRequest{
		Name: referralOf2(t, h2, first).GetReferral(), Status: educationv1.ReferralStatus_REFERRAL_STATUS_COMPLETED,
	}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the restarted service follows the completion", func() bool {
		return referralOf2(t, h2, first).GetCourseStatus() == pb.CourseStatus_COURSE_STATUS_COMPLETED
	})
	if n := h2.eventsNamed("course_status_changed"); n != 3 {
		t.Fatalf("%d course status events after the restart, want 3", n)
	}
}

func referralOf2(t *testing.T, h *harness, c *pb.Case) *pb.CourseReferral {
	t.Helper()
	got, err := h.client.GetCase(ctx(t), &pb.GetCaseRequest{Name: c.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	return got.GetCase().GetCourseReferral()
}
