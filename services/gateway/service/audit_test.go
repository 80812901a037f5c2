package service_test

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/principal"
	educationv1 "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	gatewayv1 "github.com/integrationsplan/integrationsplan/proto/integration/gateway/v1"
	"github.com/integrationsplan/integrationsplan/services/gateway/audit"
)

// education stands in for the education service (the real one is built
// elsewhere at the same time): it answers GetParticipant and counts calls,
// checking each carries the gateway's principal and the stated purpose.
type education struct {
	educationv1.UnimplementedEducationServiceServer
	calls    atomic.Int64
	purposes chan string
}

func (e *education) GetParticipant(ctx context.Context, req *educationv1.GetParticipantRequest) (*educationv1.GetParticipantResponse, error) {
	e.calls.Add(1)
	md, _ := metadata.FromIncomingContext(ctx)
	if len(md.Get(principal.MetadataKey)) != 1 || len(md.Get("authorization")) != 0 {
		return nil, context.Canceled
	}
	select {
	case e.purposes <- md.Get(audit.PurposeHeader)[0]:
	default:
	}
	return &educationv1.GetParticipantResponse{Participant: &educationv1.Participant{Name: req.GetName()}}, nil
}

func startEducation(t *testing.T) (*education, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	e := &education{purposes: make(chan string, 100)}
	educationv1.RegisterEducationServiceServer(srv, e)
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return e, lis.Addr().String()
}

// auditRecords reads every audit record of the gateway's stream.
func auditRecords(t *testing.T, s *system) []*gatewayv1.AccessRecorded {
	t.Helper()
	ctx := context.Background()
	stream, err := s.js.Stream(ctx, eventstore.StreamName(audit.Service))
	if err != nil {
		t.Fatal(err)
	}
	info, err := stream.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []*gatewayv1.AccessRecorded
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		raw, err := stream.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		env, err := eventstore.DecodeRaw(raw)
		if err != nil {
			t.Fatal(err)
		}
		rec, ok := env.Payload.(*gatewayv1.AccessRecorded)
		if !ok || env.Subject != "integration.gateway.audit."+rec.GetPartner()+".access_recorded" {
			t.Fatalf("record %s: %v", env.Subject, env.Payload)
		}
		out = append(out, rec)
	}
	return out
}

// TestAuditOfPersonalData: a call on personal data needs a purpose, and
// each one is recorded on the gateway's stream (who, what, which, why,
// when) before it reaches the service; the record holds no personal data.
func TestAuditOfPersonalData(t *testing.T) {
	s := startSystem(t)
	edu, eduAddr := startEducation(t)
	cfg := s.config()
	cfg.Backends += ";integration.education.v1=" + eduAddr
	gw := s.startGateway(cfg)
	client := educationv1.NewEducationServiceClient(gw.conn)

	// No purpose: refused before the service is called, nothing recorded.
	_, err := client.GetParticipant(s.as(caseworker), &educationv1.GetParticipantRequest{Name: "participants/p-1"})
	st := wantCode(t, err, codes.InvalidArgument)
	if edu.calls.Load() != 0 {
		t.Fatal("the service was called without a purpose")
	}
	if len(st.Details()) == 0 {
		t.Fatalf("no field violation in %v", st)
	}
	// A partner without the scope never gets to the audit.
	_, err = client.GetParticipant(s.as(reader, audit.PurposeHeader, "curious"), &educationv1.GetParticipantRequest{Name: "participants/p-1"})
	wantCode(t, err, codes.PermissionDenied)

	// Beyond ASCII, the purpose is percent-encoded.
	const purpose, sent = "Beratungsgespräch Vorgang 2024-117", "Beratungsgespr%C3%A4ch Vorgang 2024-117"
	resp, err := client.GetParticipant(s.as(caseworker, audit.PurposeHeader, sent, "x-request-id", "req-1"),
		&educationv1.GetParticipantRequest{Name: "participants/p-1"})
	if err != nil || resp.GetParticipant().GetName() != "participants/p-1" {
		t.Fatalf("%v, %v", resp, err)
	}
	if got := <-edu.purposes; got != sent {
		t.Fatalf("the service got purpose %q", got)
	}
	// A name that is no pseudonymous resource name is not copied into the record.
	if _, err := client.GetParticipant(s.as(caseworker, audit.PurposeHeader, sent),
		&educationv1.GetParticipantRequest{Name: "participants/Erika Mustermann"}); err != nil {
		t.Fatal(err)
	}
	// Over JSON/HTTP: the purpose is the X-Purpose header.
	path := "integration.education.v1.EducationService/GetParticipant"
	if resp, body := post(t, gw, path, s.keys[caseworker], `{"name":"participants/p-3"}`); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("JSON without purpose: %d %s", resp.StatusCode, body)
	}
	if resp, body := post(t, gw, path, s.keys[caseworker], `{"name":"participants/p-3"}`, "X-Purpose", sent); resp.StatusCode != http.StatusOK {
		t.Fatalf("JSON: %d %s", resp.StatusCode, body)
	}
	recs := auditRecords(t, s)
	if len(recs) != 3 || recs[2].GetPurpose() != purpose || recs[2].GetResources()[0] != "participants/p-3" {
		t.Fatalf("%d records, want 3: %v", len(recs), recs)
	}
	want := &gatewayv1.AccessRecorded{
		Partner: caseworker, Method: "/integration.education.v1.EducationService/GetParticipant",
		Resources: []string{"participants/p-1"}, Purpose: purpose, RequestId: "req-1", Scope: "education.participants.write",
	}
	got := proto.Clone(recs[0]).(*gatewayv1.AccessRecorded)
	if got.GetTime().AsTime().IsZero() {
		t.Fatal("record without time")
	}
	got.Time = nil
	if !proto.Equal(got, want) {
		t.Fatalf("record %v, want %v", got, want)
	}
	if r := recs[1].GetResources(); len(r) != 1 || r[0] != audit.NotAResourceName {
		t.Fatalf("second record names %v", r)
	}

	// Concurrent calls of one partner, through two gateways sharing the
	// stream: each is recorded once.
	other := s.startGateway(cfg)
	clients := []educationv1.EducationServiceClient{client, educationv1.NewEducationServiceClient(other.conn)}
	before := edu.calls.Load()
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			if _, err := clients[i%2].GetParticipant(s.as(caseworker, audit.PurposeHeader, "Statistik"),
				&educationv1.GetParticipantRequest{Name: "participants/p-2"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if calls, recs := edu.calls.Load()-before, len(auditRecords(t, s))-3; calls != 16 || recs != 16 {
		t.Fatalf("%d calls, %d records; want 16 each", calls, recs)
	}
}

// TestAuditStoreDownRefusesTheCall: without NATS no record can be stored,
// so the call on personal data is refused, not run unrecorded.
func TestAuditStoreDownRefusesTheCall(t *testing.T) {
	s := startSystem(t)
	edu, eduAddr := startEducation(t)
	cfg := s.config()
	cfg.Backends += ";integration.education.v1=" + eduAddr
	gw := s.startGateway(cfg)
	// The audit stream goes away (as if its cluster lost it).
	if err := s.js.DeleteStream(context.Background(), eventstore.StreamName(audit.Service)); err != nil {
		t.Fatal(err)
	}
	_, err := educationv1.NewEducationServiceClient(gw.conn).GetParticipant(s.as(caseworker, audit.PurposeHeader, "Beratung"),
		&educationv1.GetParticipantRequest{Name: "participants/p-1"})
	wantCode(t, err, codes.Unavailable)
	if edu.calls.Load() != 0 {
		t.Fatal("the call ran without its audit record")
	}
}
