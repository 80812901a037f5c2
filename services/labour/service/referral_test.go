package service_test

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	educationv1 "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	"github.com/integrationsplan/integrationsplan/services/labour/service"
)

const (
	participant        = "participants/p-abcdefghijklmnop"
	unknownParticipant = "participants/p-zzzzzzzzzzzzzzzz"
	bestOffer          = "offers/o-bbbbbbbbbbbbbbbb"
)

// fakeEducation is a real gRPC server speaking the education API: it ranks one
// offer first, answers the first CreateReferral calls UNAVAILABLE (as an
// overloaded or restarting service would) and knows one participant.
type fakeEducation struct {
	educationv1.UnimplementedEducationServiceServer
	mu          sync.Mutex
	unavailable int      // CreateReferral calls still to refuse with UNAVAILABLE
	requestIDs  []string // of every CreateReferral call
	srv         *grpc.Server
}

func (e *fakeEducation) MatchOffers(_ context.Context, req *educationv1.MatchOffersRequest) (*educationv1.MatchOffersResponse, error) {
	if req.GetParticipant() != participant {
		return nil, status.Error(codes.NotFound, "participant not found")
	}
	return &educationv1.MatchOffersResponse{Matches: []*educationv1.OfferMatch{{Offer: &educationv1.Offer{Name: bestOffer}, Score: 90}}}, nil
}

func (e *fakeEducation) CreateReferral(_ context.Context, req *educationv1.CreateReferralRequest) (*educationv1.CreateReferralResponse, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requestIDs = append(e.requestIDs, req.GetRequestId())
	if e.unavailable > 0 {
		e.unavailable--
		return nil, status.Error(codes.Unavailable, "try again")
	}
	if req.GetParticipant() != participant {
		return nil, status.Error(codes.NotFound, "participant not found")
	}
	return &educationv1.CreateReferralResponse{Referral: &educationv1.Referral{
		Name: req.GetParent() + "/referrals/r-cccccccccccccccc", Participant: req.GetParticipant(),
		Status: educationv1.ReferralStatus_REFERRAL_STATUS_PROPOSED,
	}}, nil
}

func (e *fakeEducation) serve(t *testing.T, addr string) {
	t.Helper()
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = grpc.NewServer()
	educationv1.RegisterEducationServiceServer(e.srv, e)
	go func() { _ = e.srv.Serve(lis) }()
	t.Cleanup(e.srv.Stop)
}

func (e *fakeEducation) calls() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.requestIDs...)
}

// toLanguageStage drives a new case to the language and qualification stage.
func toLanguageStage(t *testing.T, h *harness) *pb.Case {
	t.Helper()
	c := newCase(t, h)
	for _, items := range [][]string{{"consent", "documents"}, {"skills-test", "language-level"}, {"counselling", "decision"}, {"occupational-goal"}} {
		c = advance(t, h, complete(t, h, c, items...))
	}
	if c.GetStage() != "language-qualification" {
		t.Fatalf("stage %s", c.GetStage())
	}
	return c
}

// TestReferralWaitsForEducation asks for a course referral while education
// is down: the case shows it pending, stays usable, and the referral is
// created once education is up, under one request ID however often it was
// tried. The education side is a gRPC server implementing the education API
// in the test, so it can answer UNAVAILABLE on purpose; education_e2e_test
// runs the real service.
func TestReferralWaitsForEducation(t *testing.T) {
	addr := unusedAddr(t)
	h := startWith(t, natstest.Start(t), func(c *service.Config) { c.ExampleData, c.EducationAddr = true, addr })
	c := toLanguageStage(t, h)
	resp, err := h.client.RequestCourseReferral(ctx(t), &pb.RequestCourseReferralRequest{Name: c.GetName(), Participant: participant, Etag: c.GetEtag()})
	if err != nil {
		t.Fatal(err)
	}
	if r := resp.GetCase().GetCourseReferral(); r.GetState() != pb.ReferralState_REFERRAL_STATE_PENDING || r.GetParticipant() != participant {
		t.Fatalf("referral %v", r)
	}
	get := func() *pb.Case {
		got, err := h.client.GetCase(ctx(t), &pb.GetCaseRequest{Name: c.GetName()})
		if err != nil {
			t.Fatal(err)
		}
		return got.GetCase()
	}

	time.Sleep(300 * time.Millisecond) // several attempts against nothing
	if r := get().GetCourseReferral(); r.GetState() != pb.ReferralState_REFERRAL_STATE_PENDING {
		t.Fatalf("referral while education is down: %v", r)
	}
	// The case stays usable meanwhile.
	complete(t, h, c, "course-referral")
	_, err = h.client.RequestCourseReferral(ctx(t), &pb.RequestCourseReferralRequest{Name: c.GetName(), Participant: participant})
	wantStatus(t, err, codes.FailedPrecondition, "")

	edu := &fakeEducation{unavailable: 2}
	edu.serve(t, addr)
	eventually(t, "the referral is created", func() bool {
		return get().GetCourseReferral().GetState() == pb.ReferralState_REFERRAL_STATE_CREATED
	})
	r := get().GetCourseReferral()
	if r.GetOffer() != bestOffer || r.GetReferral() != bestOffer+"/referrals/r-cccccccccccccccc" {
		t.Fatalf("created referral %v", r)
	}
	ids := edu.calls()
	if len(ids) != 3 {
		t.Fatalf("%d CreateReferral calls, want 3 (two refused)", len(ids))
	}
	for _, id := range ids {
		if id != ids[0] || id == "" {
			t.Fatalf("retries used request IDs %v, want one", ids)
		}
	}
	if h.eventsNamed("course_offer_chosen") != 1 || h.eventsNamed("course_referral_created") != 1 {
		t.Fatal("referral events missing or doubled")
	}

	// Education refusing (participant unknown there) fails the referral for good.
	if _, err := h.client.RequestCourseReferral(ctx(t), &pb.RequestCourseReferralRequest{Name: c.GetName(), Participant: unknownParticipant, Offer: bestOffer}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the refused referral fails", func() bool {
		return get().GetCourseReferral().GetState() == pb.ReferralState_REFERRAL_STATE_FAILED
	})
	if f := get().GetCourseReferral().GetFailure(); !strings.Contains(f, "NotFound") {
		t.Fatalf("failure %q", f)
	}
}

// TestPendingReferralSurvivesRestart stops labour while education is down
// and starts it again once education is up: the new process picks the
// pending referral up from the event stream.
func TestPendingReferralSurvivesRestart(t *testing.T) {
	addr := unusedAddr(t)
	ns := natstest.Start(t)
	configure := func(c *service.Config) { c.ExampleData, c.EducationAddr = true, addr }
	h := startWith(t, ns, configure)
	c := toLanguageStage(t, h)
	if _, err := h.client.RequestCourseReferral(ctx(t), &pb.RequestCourseReferralRequest{Name: c.GetName(), Participant: participant, Offer: bestOffer}); err != nil {
		t.Fatal(err)
	}
	h.stop()

	edu := &fakeEducation{}
	edu.serve(t, addr)
	h2 := startWith(t, ns, configure)
	eventually(t, "the referral is created after the restart", func() bool {
		got, err := h2.client.GetCase(ctx(t), &pb.GetCaseRequest{Name: c.GetName()})
		if err != nil {
			t.Fatal(err)
		}
		return got.GetCase().GetCourseReferral().GetState() == pb.ReferralState_REFERRAL_STATE_CREATED
	})
	if h2.eventsNamed("course_offer_chosen") != 0 || len(edu.calls()) != 1 {
		t.Fatalf("chosen offer asked again or referral created %d times", len(edu.calls()))
	}
}
