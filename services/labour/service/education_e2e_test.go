package service_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	"github.com/integrationsplan/integrationsplan/platform/principal"
	educationv1 "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	educationservice "github.com/integrationsplan/integrationsplan/services/education/service"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/service"
)

// startEducation runs the real education service on addr without principal
// checks; the returned function stops it and waits until it has.
func startEducation(t *testing.T, ns *natstest.Server, addr string) (stop func()) {
	t.Helper()
	return startEducationWith(t, ns, addr, principal.Settings{})
}

// startEducationWith runs the real education service on addr with the
// principal settings principals.
func startEducationWith(t *testing.T, ns *natstest.Server, addr string, principals principal.Settings) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := educationservice.Start(ctx, educationservice.Config{
		GRPCAddr: addr, AdminAddr: "127.0.0.1:0", NATSURL: ns.ClientURL(), StreamReplicas: 1,
		Neighbours: educationservice.DefaultNeighbours, ExampleData: true, ShutdownTimeout: 5 * time.Second,
		Settings: principals,
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
	// The admin port shows the calls to education and the consumer's work.
	metrics := scrape(t, h.svc.AdminAddr())
	for _, want := range []string{
		`grpc_client_handled_total{grpc_code="OK",grpc_method="CreateReferral",grpc_service="integration.education.v1.EducationService",grpc_type="unary"}`,
		`integrationsplan_consumer_deliveries_total{consumer="labour-course-referrals",outcome="applied"}`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("labour's /metrics has no %s", want)
		}
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

// TestLabourCallsEducationInItsOwnName runs both services with education
// requiring a principal, as in production: education refuses calls without
// one or signed with a key it does not know; labour signs its own with
// SERVICE_PRINCIPAL_KEY, and while that key is wrong the referral stays
// pending, to be created under its request ID once labour has the right one.
// Labour's key is one of education's SERVICE_KEYS: it cannot sign for a
// provider, another partner, another scope or an RPC beyond its scopes.
func TestLabourCallsEducationInItsOwnName(t *testing.T) {
	ns := natstest.Start(t)
	gatewayKey, labourKey := principal.NewKey(), principal.NewKey()
	eduAddr := unusedAddr(t)
	startEducationWith(t, ns, eduAddr, principal.Settings{PrincipalKeys: gatewayKey, ServiceKeys: service.EducationServiceKey(labourKey), RequirePrincipal: true})
	exampleParticipant := "participants/" + educationservice.ExampleParticipantID

	// signedAs is an education client whose calls carry p, signed with key.
	signedAs := func(key string, p principal.Principal) educationv1.EducationServiceClient {
		keys, err := principal.ParseKeys(key)
		if err != nil {
			t.Fatal(err)
		}
		signer, err := principal.NewSigner(keys[0], time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		conn, err := grpc.NewClient(eduAddr, grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithChainUnaryInterceptor(principal.UnaryClientInterceptor(signer, func(context.Context) principal.Principal { return p })))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return educationv1.NewEducationServiceClient(conn)
	}
	unsigned, err := grpc.NewClient(eduAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unsigned.Close() })
	forgedKey := principal.NewKey()
	coordination := principal.Principal{Partner: "test", Scopes: []string{"education.read", "education.admin"}}
	match := &educationv1.MatchOffersRequest{Participant: exampleParticipant}
	if _, err := educationv1.NewEducationServiceClient(unsigned).MatchOffers(ctx(t), match); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("a call without principal: %v, want UNAUTHENTICATED", err)
	}
	if _, err := signedAs(forgedKey, coordination).MatchOffers(ctx(t), match); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("a call signed with an unknown key: %v, want UNAUTHENTICATED", err)
	}
	edu := signedAs(gatewayKey, coordination)
	referrals := func() int {
		refs, err := edu.ListReferrals(ctx(t), &educationv1.ListReferralsRequest{Parent: "offers/-", Participant: exampleParticipant})
		if err != nil {
			t.Fatal(err)
		}
		return len(refs.GetReferrals())
	}

	// Labour with a key education does not know: refused, the referral waits.
	configure := func(key string) func(*service.Config) {
		return func(c *service.Config) { c.ExampleData, c.EducationAddr, c.ServicePrincipalKey = true, eduAddr, key }
	}
	h := startWith(t, ns, configure(forgedKey))
	c := toLanguageStage(t, h)
	if _, err := h.client.RequestCourseReferral(ctx(t), &pb.RequestCourseReferralRequest{Name: c.GetName(), Participant: exampleParticipant}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // several refused attempts
	if r := referralOf2(t, h, c); r.GetState() != pb.ReferralState_REFERRAL_STATE_PENDING {
		t.Fatalf("referral with a forged principal: %v", r)
	}
	if n := referrals(); n != 0 {
		t.Fatalf("education created %d referrals for a forged principal", n)
	}
	h.stop()

	// With its own key the same referral goes through.
	h = startWith(t, ns, configure(labourKey))
	eventually(t, "education created the referral for labour's principal", func() bool {
		return referralOf2(t, h, c).GetState() == pb.ReferralState_REFERRAL_STATE_CREATED
	})
	if n := referrals(); n != 1 {
		t.Fatalf("education holds %d referrals, want 1", n)
	}

	// Labour's key cannot act as the offer's provider, to accept its own
	// referral: education refuses the principal before any rights are checked.
	referral := referralOf2(t, h, c).GetReferral()
	offer, _, _ := strings.Cut(referral, "/referrals/")
	o, err := edu.GetOffer(ctx(t), &educationv1.GetOfferRequest{Name: offer})
	if err != nil {
		t.Fatal(err)
	}
	provider := strings.TrimPrefix(o.GetOffer().GetProvider(), "providers/")
	accept := &educationv1.SetReferralStatusRequest{Name: referral, Status: educationv1.ReferralStatus_REFERRAL_STATUS_ACCEPTED}
	labourScopes := adapters.EducationPrincipal(context.Background()).Scopes
	for name, p := range map[string]principal.Principal{
		"as the provider":           {Partner: adapters.ServicePartner, Scopes: labourScopes, ActsFor: principal.ActsFor{Provider: provider}},
		"as the provider's partner": {Partner: provider, Scopes: labourScopes, ActsFor: principal.ActsFor{Provider: provider}},
		"with an admin scope":       {Partner: adapters.ServicePartner, Scopes: []string{"education.read", "education.admin"}},
	} {
		if _, err := signedAs(labourKey, p).SetReferralStatus(ctx(t), accept); status.Code(err) != codes.Unauthenticated {
			t.Errorf("labour's key %s: %v, want UNAUTHENTICATED", name, err)
		}
	}
	// Nor can it call an RPC whose scope it may not hold, e.g. read a
	// participant's personal data, while its own principal passes elsewhere.
	labourItself := signedAs(labourKey, adapters.EducationPrincipal(context.Background()))
	if _, err := labourItself.GetParticipant(ctx(t), &educationv1.GetParticipantRequest{Name: exampleParticipant}); status.Code(err) != codes.Unauthenticated {
		t.Errorf("labour's key reading a participant: %v, want UNAUTHENTICATED", err)
	}
	if _, err := labourItself.MatchOffers(ctx(t), match); err != nil {
		t.Errorf("labour's own principal: %v", err)
	}
	statusOf := func() educationv1.ReferralStatus {
		refs, err := edu.ListReferrals(ctx(t), &educationv1.ListReferralsRequest{Parent: offer, Participant: exampleParticipant})
		if err != nil || len(refs.GetReferrals()) != 1 {
			t.Fatalf("referrals of %s: %v, %v", offer, refs, err)
		}
		return refs.GetReferrals()[0].GetStatus()
	}
	if st := statusOf(); st != educationv1.ReferralStatus_REFERRAL_STATUS_PROPOSED {
		t.Fatalf("after the refused calls the referral is %v, want PROPOSED", st)
	}
	// The same principal signed by the gateway is the provider's own: accepted.
	asProvider := principal.Principal{Partner: provider, Scopes: labourScopes, ActsFor: principal.ActsFor{Provider: provider}}
	if _, err := signedAs(gatewayKey, asProvider).SetReferralStatus(ctx(t), accept); err != nil {
		t.Fatalf("the provider through the gateway: %v", err)
	}
	if st := statusOf(); st != educationv1.ReferralStatus_REFERRAL_STATUS_ACCEPTED {
		t.Fatalf("the provider accepted; the referral is %v", st)
	}
}

// scrape returns the Prometheus text of the admin server at addr.
func scrape(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
