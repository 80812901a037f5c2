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
	"google.golang.org/grpc/status"
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
	if req.GetName() == gone {
		return nil, status.Error(codes.NotFound, "no such participant")
	}
	return &educationv1.GetParticipantResponse{Participant: &educationv1.Participant{Name: req.GetName()}}, nil
}

// gone is a participant the stand-in does not know.
const gone = "participants/p-gone"

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
	// Refused attempts are recorded with their outcome too, without
	// resources (the request was not read) or an invalid purpose.
	const method = "/integration.education.v1.EducationService/GetParticipant"
	const scope = "education.participants.write"
	wantRecs := []*gatewayv1.AccessRecorded{
		{Partner: caseworker, Method: method, Scope: scope, Outcome: "INVALID_ARGUMENT"},
		{Partner: reader, Method: method, Scope: scope, Outcome: "PERMISSION_DENIED"},
		{Partner: caseworker, Method: method, Resources: []string{"participants/p-1"}, Purpose: purpose, RequestId: "req-1", Scope: scope, Outcome: "OK"},
		{Partner: caseworker, Method: method, Resources: []string{audit.NotAResourceName}, Purpose: purpose, Scope: scope, Outcome: "OK"},
		{Partner: caseworker, Method: method, Scope: scope, Outcome: "INVALID_ARGUMENT"},
		{Partner: caseworker, Method: method, Resources: []string{"participants/p-3"}, Purpose: purpose, Scope: scope, Outcome: "OK"},
	}
	recs := auditRecords(t, s)
	if len(recs) != len(wantRecs) {
		t.Fatalf("%d records, want %d: %v", len(recs), len(wantRecs), recs)
	}
	for i, want := range wantRecs {
		got := proto.Clone(recs[i]).(*gatewayv1.AccessRecorded)
		if got.GetTime().AsTime().IsZero() {
			t.Fatalf("record %d without time", i)
		}
		got.Time = nil
		if !proto.Equal(got, want) {
			t.Errorf("record %d: %v, want %v", i, got, want)
		}
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
	if calls, recs := edu.calls.Load()-before, len(auditRecords(t, s))-len(wantRecs); calls != 16 || recs != 16 {
		t.Fatalf("%d calls, %d records; want 16 each", calls, recs)
	}
}

// TestAuditStoreDownRefusesTheCall: without the audit stream no record can
// be stored, so the caller gets no answer (the data does not leave the
// gateway unrecorded).
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
	resp, err := educationv1.NewEducationServiceClient(gw.conn).GetParticipant(s.as(caseworker, audit.PurposeHeader, "Beratung"),
		&educationv1.GetParticipantRequest{Name: "participants/p-1"})
	wantCode(t, err, codes.Unavailable)
	if resp != nil || edu.calls.Load() != 1 {
		t.Fatalf("answer %v after %d calls; want none after the one call", resp, edu.calls.Load())
	}
}
