package service_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	gatewayv1 "github.com/integrationsplan/integrationsplan/proto/integration/gateway/v1"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/gateway/service"
)

// filterSystem is a system with a measures history of actors, a measure
// and adoption changes, and that history as the stream holds it (by
// sequence, [0] unused).
func filterSystem(t *testing.T, configure ...func(*service.Config)) (*system, *gateway, []*jetstream.RawStreamMsg) {
	s := startSystem(t)
	cfg := s.config()
	for _, c := range configure {
		c(&cfg)
	}
	gw := s.startGateway(cfg)
	s.fixture(gw)
	for _, st := range []pb.AdoptionStatus{considering, pb.AdoptionStatus_ADOPTION_STATUS_ADOPTED} {
		if _, err := gw.client.SetAdoptionStatus(s.as(backnang), setStatus("backnang", st)); err != nil {
			t.Fatal(err)
		}
	}
	stored := s.lastSeq()
	msgs := make([]*jetstream.RawStreamMsg, stored+1)
	for seq := uint64(1); seq <= stored; seq++ {
		m, err := s.stream.GetMsg(context.Background(), seq)
		if err != nil {
			t.Fatal(err)
		}
		msgs[seq] = m
	}
	return s, gw, msgs
}

// matching are the sequences of msgs from first on whose subject starts
// with prefix.
func matching(msgs []*jetstream.RawStreamMsg, first uint64, prefix string) []uint64 {
	var seqs []uint64
	for seq := first; seq < uint64(len(msgs)); seq++ {
		if strings.HasPrefix(msgs[seq].Subject, prefix) {
			seqs = append(seqs, seq)
		}
	}
	return seqs
}

// firstAtOrAfter is the sequence of the first message stored at or after at.
func firstAtOrAfter(t *testing.T, msgs []*jetstream.RawStreamMsg, at time.Time) uint64 {
	t.Helper()
	for seq := 1; seq < len(msgs); seq++ {
		if !msgs[seq].Time.Before(at) {
			return uint64(seq)
		}
	}
	t.Fatal("no message at or after", at)
	return 0
}

func TestSubscribeSubjectFilter(t *testing.T) {
	s, gw, msgs := filterSystem(t)
	actors := matching(msgs, 1, "integration.measures.actor.")
	if len(actors) == 0 || len(actors) == len(msgs)-1 {
		t.Fatalf("the fixture needs actors and other events: %d of %d", len(actors), len(msgs)-1)
	}
	sub, err := gw.events.Subscribe(s.as(reader), &gatewayv1.SubscribeRequest{Services: []string{"measures"},
		StartSequences: map[string]uint64{"measures": 1}, SubjectFilter: "integration.*.actor.*.>"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range actors {
		if e := recv(t, sub); e.GetSequence() != want || e.GetSubject() != msgs[want].Subject {
			t.Fatalf("got %d %s, want %d %s", e.GetSequence(), e.GetSubject(), want, msgs[want].Subject)
		}
	}
	// Live: an adoption change passes by, the next actor arrives.
	progress := setStatus("backnang", pb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS)
	progress.ProgressPercent = proto.Int32(10)
	if _, err := gw.client.SetAdoptionStatus(s.as(backnang), progress); err != nil {
		t.Fatal(err)
	}
	if _, err := gw.client.CreateActor(s.as(kreis), &pb.CreateActorRequest{ActorId: "waiblingen",
		Actor: &pb.Actor{Kind: pb.ActorKind_ACTOR_KIND_MUNICIPALITY, DisplayName: "Waiblingen"}}); err != nil {
		t.Fatal(err)
	}
	if e := recv(t, sub); e.GetSequence() != s.lastSeq() || !strings.HasPrefix(e.GetSubject(), "integration.measures.actor.waiblingen.") {
		t.Fatalf("live event %d %s, stream ends at %d", e.GetSequence(), e.GetSubject(), s.lastSeq())
	}
}

func TestSubscribeFromTime(t *testing.T) {
	s, gw, msgs := filterSystem(t)
	// From the time the first adoption change was stored.
	changes := matching(msgs, 1, "integration.measures.measure.")
	from := msgs[changes[len(changes)-2]].Time
	first := firstAtOrAfter(t, msgs, from)
	if first == 1 {
		t.Fatal("the start time should leave earlier events out")
	}
	req := &gatewayv1.SubscribeRequest{Services: []string{"measures"}, StartTime: timestamppb.New(from)}
	ctx, cancel := context.WithCancel(s.as(reader))
	sub, err := gw.events.Subscribe(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	e := recv(t, sub)
	if e.GetSequence() != first {
		t.Fatalf("started at %d, want %d", e.GetSequence(), first)
	}
	cancel()
	// Resumed with the same request, the token wins over the time.
	req.ResumeToken = e.GetResumeToken()
	if sub, err = gw.events.Subscribe(s.as(reader), req); err != nil {
		t.Fatal(err)
	}
	for seq := first + 1; seq < uint64(len(msgs)); seq++ {
		if e := recv(t, sub); e.GetSequence() != seq {
			t.Fatalf("resumed with %d, want %d", e.GetSequence(), seq)
		}
	}

	// Both filters at once: the measure's events since the time.
	sub, err = gw.events.Subscribe(s.as(reader), &gatewayv1.SubscribeRequest{Services: []string{"measures"},
		StartTime: timestamppb.New(from), SubjectFilter: "integration.measures.measure.*.>"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range matching(msgs, first, "integration.measures.measure.") {
		if e := recv(t, sub); e.GetSequence() != want {
			t.Fatalf("got %d, want %d", e.GetSequence(), want)
		}
	}
}

func TestSubscribeFiltersAreValidated(t *testing.T) {
	s := startSystem(t)
	gw := s.startGateway(s.config())
	s.fixture(gw)
	first := func(partner string, req *gatewayv1.SubscribeRequest) error {
		sub, err := gw.events.Subscribe(s.as(partner), req)
		if err != nil {
			return err
		}
		_, err = sub.Recv()
		return err
	}
	measures := []string{"measures"}
	for name, tc := range map[string]struct {
		req   *gatewayv1.SubscribeRequest
		field string
	}{
		"another service":     {&gatewayv1.SubscribeRequest{Services: measures, SubjectFilter: "integration.education.>"}, "subject_filter"},
		"beyond the events":   {&gatewayv1.SubscribeRequest{Services: measures, SubjectFilter: ">"}, "subject_filter"},
		"not a subject":       {&gatewayv1.SubscribeRequest{Services: measures, SubjectFilter: "integration.*.measure.m*.>"}, "subject_filter"},
		"in the future":       {&gatewayv1.SubscribeRequest{Services: measures, StartTime: timestamppb.New(time.Now().Add(time.Hour))}, "start_time"},
		"not a valid time":    {&gatewayv1.SubscribeRequest{Services: measures, StartTime: &timestamppb.Timestamp{Seconds: 1 << 62}}, "start_time"},
		"negative fraction":   {&gatewayv1.SubscribeRequest{Services: measures, StartTime: &timestamppb.Timestamp{Nanos: -1}}, "start_time"},
		"filter and scope ok": {&gatewayv1.SubscribeRequest{Services: measures, SubjectFilter: "integration.measures.measure.*.*"}, ""},
	} {
		err := first(reader, tc.req)
		if tc.field == "" {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		t.Run(name, func(t *testing.T) { wantViolation(t, err, tc.field) })
	}
	// A wildcard filter reaches no further than the caller's scopes: the
	// reader lacks education.read.
	wantCode(t, first(reader, &gatewayv1.SubscribeRequest{Services: []string{"measures", "education"}, SubjectFilter: "integration.*.>"}),
		codes.PermissionDenied)
}

func TestServerSentEventsFilters(t *testing.T) {
	s, gw, msgs := filterSystem(t)
	changes := matching(msgs, 1, "integration.measures.measure.")
	from := msgs[changes[len(changes)-1]].Time
	first := firstAtOrAfter(t, msgs, from)
	query := url.Values{"services": {"measures"}, "subject": {"integration.measures.measure.*.>"},
		"start_time": {from.Format(time.RFC3339Nano)}}
	c, resp := openSSE(t, gw, s.keys[reader], query.Encode(), "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range matching(msgs, first, "integration.measures.measure.") {
		if e := c.next(); !strings.Contains(e.data, `"sequence":"`+strconv.FormatUint(want, 10)+`"`) {
			t.Fatalf("want sequence %d, got %+v", want, e)
		}
	}

	for name, tc := range map[string]struct{ query, field string }{
		"bad subject":     {"services=measures&subject=integration.labour.%3E", "subject_filter"},
		"bad time":        {"services=measures&start_time=yesterday", "start_time"},
		"time in future":  {"services=measures&start_time=" + url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339)), "start_time"},
		"time without TZ": {"services=measures&start_time=2026-05-08T09:00:00", "start_time"},
	} {
		c, resp := openSSE(t, gw, s.keys[reader], tc.query, "")
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"field":"`+tc.field+`"`) {
			t.Errorf("%s: %d %s", name, resp.StatusCode, body)
		}
		c.close()
	}
}

// TestSlowSubscriberHoldsBackOnlyItself: one subscriber on the same
// connection reads nothing while far more events are stored than the
// gateway buffers per subscriber (64) and gRPC's flow-control window
// holds; the writes and the other subscriber go on, and the slow one
// later gets every event, in order, from the stream.
func TestSlowSubscriberHoldsBackOnlyItself(t *testing.T) {
	s, gw, _ := filterSystem(t, func(cfg *service.Config) {
		// The writes are not what this test is about: far above the burst.
		cfg.RateLimits = "read=10000/s:10000,write=10000/s:10000,admin=100/s:200"
	})
	from := s.lastSeq() + 1
	req := &gatewayv1.SubscribeRequest{Services: []string{"measures"}, SubjectFilter: "integration.measures.measure.*.>"}
	slow, err := gw.events.Subscribe(s.as(reader), req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := slow.Header(); err != nil { // the subscription stands
		t.Fatal(err)
	}
	fast, err := gw.events.Subscribe(s.as(reader), req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fast.Header(); err != nil {
		t.Fatal(err)
	}
	const writes = 400
	for i := range writes {
		progress := setStatus("backnang", pb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS)
		progress.ProgressPercent = proto.Int32(int32(i % 100))
		if _, err := gw.client.SetAdoptionStatus(s.as(backnang), progress); err != nil {
			t.Fatalf("write %d while a subscriber lags: %v", i, err)
		}
		if e := recv(t, fast); e.GetSequence() != from+uint64(i) {
			t.Fatalf("the reading subscriber got %d, want %d", e.GetSequence(), from+uint64(i))
		}
	}
	for seq := from; seq < from+writes; seq++ {
		if e := recv(t, slow); e.GetSequence() != seq {
			t.Fatalf("the slow subscriber got %d, want %d", e.GetSequence(), seq)
		}
	}
}
