package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	gatewayv1 "github.com/integrationsplan/integrationsplan/proto/integration/gateway/v1"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
)

// recv returns the next event of a subscription, skipping heartbeats.
func recv(t *testing.T, sub grpc.ServerStreamingClient[gatewayv1.SubscribeResponse]) *gatewayv1.Event {
	t.Helper()
	for {
		resp, err := sub.Recv()
		if err != nil {
			t.Fatalf("subscription: %v", err)
		}
		if e := resp.GetEvent(); e != nil {
			return e
		}
	}
}

// TestSubscribe reads the measures history through the gateway, checks
// each event against the stream, then resumes from a token after a
// disconnect and sees exactly the events stored meanwhile.
func TestSubscribe(t *testing.T) {
	s := startSystem(t)
	gw := s.startGateway(s.config())
	s.fixture(gw)
	stored := s.lastSeq()

	ctx, cancel := context.WithCancel(s.as(reader))
	sub, err := gw.events.Subscribe(ctx, &gatewayv1.SubscribeRequest{Services: []string{"measures"}, StartSequences: map[string]uint64{"measures": 1}})
	if err != nil {
		t.Fatal(err)
	}
	var last *gatewayv1.Event
	for seq := uint64(1); seq <= stored; seq++ {
		e := recv(t, sub)
		raw, err := s.stream.GetMsg(context.Background(), seq)
		if err != nil {
			t.Fatal(err)
		}
		if e.GetSequence() != seq || e.GetService() != "measures" || e.GetStream() != "INTEGRATION_MEASURES" || e.GetSubject() != raw.Subject ||
			e.GetId() != raw.Header.Get("ce-id") || e.GetType() != raw.Header.Get("ce-type") || e.GetSource() != "/integrationsplan/measures" ||
			e.GetTime().AsTime().IsZero() || string(e.GetPayload().GetValue()) != string(raw.Data) {
			t.Fatalf("event %d: %v", seq, e)
		}
		if e.GetPayload().GetTypeUrl() != "type.googleapis.com/"+e.GetType() {
			t.Fatalf("type URL %q", e.GetPayload().GetTypeUrl())
		}
		if _, err := e.GetPayload().UnmarshalNew(); err != nil {
			t.Fatalf("payload: %v", err)
		}
		last = e
	}
	// A new event arrives as it is stored.
	if _, err := gw.client.SetAdoptionStatus(s.as(backnang), setStatus("backnang", considering)); err != nil {
		t.Fatal(err)
	}
	e := recv(t, sub)
	payload, err := e.GetPayload().UnmarshalNew()
	if err != nil {
		t.Fatal(err)
	}
	changed, ok := payload.(*pb.AdoptionStatusChanged)
	if !ok || e.GetSequence() != stored+1 || changed.GetToStatus() != considering {
		t.Fatalf("live event %v: %v", e, payload)
	}
	last = e
	cancel()

	// While nobody listens, two more changes; then resume.
	for _, st := range []pb.AdoptionStatus{pb.AdoptionStatus_ADOPTION_STATUS_ADOPTED, pb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS} {
		req := setStatus("backnang", st)
		if st == pb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS {
			req.ProgressPercent = proto.Int32(10)
		}
		if _, err := gw.client.SetAdoptionStatus(s.as(backnang), req); err != nil {
			t.Fatal(err)
		}
	}
	sub, err = gw.events.Subscribe(s.as(reader), &gatewayv1.SubscribeRequest{Services: []string{"measures"}, ResumeToken: last.GetResumeToken()})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []uint64{stored + 2, stored + 3} {
		if e := recv(t, sub); e.GetSequence() != want {
			t.Fatalf("resumed at %d, want %d", e.GetSequence(), want)
		}
	}
}

// TestSubscribeSeesOnlyStoredEvents: a write the stream refuses (a stale
// expected sequence) is published on the subject, so a core NATS
// subscriber would see it; a subscription through the gateway must not.
// Without a start position, the subscription begins with the next event.
func TestSubscribeSeesOnlyStoredEvents(t *testing.T) {
	s := startSystem(t)
	cfg := s.config()
	cfg.Heartbeat = 50 * time.Millisecond
	gw := s.startGateway(cfg)
	s.fixture(gw)

	sub, err := gw.events.Subscribe(s.as(reader), &gatewayv1.SubscribeRequest{Services: []string{"measures"}})
	if err != nil {
		t.Fatal(err)
	}
	// A heartbeat comes while nothing happens, and proves the
	// subscription stands before the writes below.
	if resp, err := sub.Recv(); err != nil || resp.GetHeartbeat() == nil {
		t.Fatalf("first message %v, %v; want a heartbeat", resp, err)
	}
	nc, err := nats.Connect(s.natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	refused := nats.NewMsg("integration.measures.measure.m-2-5.adoption_status_changed")
	refused.Header.Set("ce-type", "integration.measures.v1.AdoptionStatusChanged")
	refused.Header.Set(nats.ExpectedLastSubjSeqHdr, "1") // stale
	refused.Data = []byte("refused")
	if _, err := s.js.PublishMsg(context.Background(), refused); err == nil {
		t.Fatal("the stream stored a stale write")
	}
	if _, err := gw.client.SetAdoptionStatus(s.as(backnang), setStatus("backnang", considering)); err != nil {
		t.Fatal(err)
	}
	e := recv(t, sub)
	if e.GetSequence() != s.lastSeq() || string(e.GetPayload().GetValue()) == "refused" {
		t.Fatalf("got %v", e)
	}
}

func TestSubscribeIsGuarded(t *testing.T) {
	s := startSystem(t)
	gw := s.startGateway(s.config())
	s.fixture(gw)
	first := func(ctx context.Context, req *gatewayv1.SubscribeRequest) error {
		sub, err := gw.events.Subscribe(ctx, req)
		if err != nil {
			return err
		}
		_, err = sub.Recv()
		return err
	}
	measures := &gatewayv1.SubscribeRequest{Services: []string{"measures"}}
	wantCode(t, first(context.Background(), measures), codes.Unauthenticated)
	// Backnang reads measures but lacks events.read.
	st := wantCode(t, first(s.as(backnang), measures), codes.PermissionDenied)
	// The caseworker has events.read but not measures.read.
	wantCode(t, first(s.as(caseworker), measures), codes.PermissionDenied)
	// The reader has events.read and measures.read, but not education.read.
	st = wantCode(t, first(s.as(reader), &gatewayv1.SubscribeRequest{Services: []string{"measures", "education"}}), codes.PermissionDenied)
	if st.Message() != "partner reader lacks the scope education.read that the events of education require" {
		t.Fatalf("message %q", st.Message())
	}
	for name, req := range map[string]*gatewayv1.SubscribeRequest{
		"no service":         {},
		"unknown service":    {Services: []string{"gateway"}},
		"twice":              {Services: []string{"measures", "measures"}},
		"bad token":          {Services: []string{"measures"}, ResumeToken: "measures:x"},
		"start of another":   {Services: []string{"measures"}, StartSequences: map[string]uint64{"education": 1}},
		"start at sequence0": {Services: []string{"measures"}, StartSequences: map[string]uint64{"measures": 0}},
	} {
		if err := first(s.as(reader), req); status.Code(err) != codes.InvalidArgument {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A service whose stream does not exist (yet) is unavailable.
	if _, err := s.js.Stream(context.Background(), eventstore.StreamName("labour")); err == nil {
		t.Fatal("the labour stream exists in this test")
	}
	wantCode(t, first(s.as(caseworker), &gatewayv1.SubscribeRequest{Services: []string{"education"}}), codes.Unavailable)
}
