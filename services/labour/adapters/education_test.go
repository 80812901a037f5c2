package adapters_test

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/integrationsplan/integrationsplan/platform/grpcserver"
	"github.com/integrationsplan/integrationsplan/platform/principal"
	educationv1 "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
)

// education records the principal of each call; it requires one, verified
// with its key, as education does in production.
type education struct {
	educationv1.UnimplementedEducationServiceServer
	mu      sync.Mutex
	callers []principal.Principal
}

func (e *education) record(ctx context.Context) {
	p, _ := principal.FromContext(ctx)
	e.mu.Lock()
	e.callers = append(e.callers, p)
	e.mu.Unlock()
}

func (e *education) seen() []principal.Principal {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]principal.Principal(nil), e.callers...)
}

func (e *education) MatchOffers(ctx context.Context, _ *educationv1.MatchOffersRequest) (*educationv1.MatchOffersResponse, error) {
	e.record(ctx)
	return &educationv1.MatchOffersResponse{Matches: []*educationv1.OfferMatch{{Offer: &educationv1.Offer{Name: "offers/o-bbbbbbbbbbbbbbbb"}}}}, nil
}

func (e *education) CreateReferral(ctx context.Context, req *educationv1.CreateReferralRequest) (*educationv1.CreateReferralResponse, error) {
	e.record(ctx)
	return nil, status.Error(codes.PermissionDenied, "not your provider")
}

func key(t *testing.T) (string, *principal.Signer) {
	t.Helper()
	k := principal.NewKey()
	keys, err := principal.ParseKeys(k)
	if err != nil {
		t.Fatal(err)
	}
	s, err := principal.NewSigner(keys[0], time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return k, s
}

// TestEducationClientCallsInLaboursName: every call carries a principal of
// labour acting for the case's owner; a key education does not know is worth
// a retry (the key is being rolled out), a refusal by education is not.
func TestEducationClientCallsInLaboursName(t *testing.T) {
	known, signer := key(t)
	_, stranger := key(t)
	keys, _ := principal.ParseKeys(known)
	verifier, err := principal.NewVerifier(keys)
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	edu := &education{}
	// As grpcserver does: the refusal's apierr error becomes its gRPC status.
	toStatus := func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		resp, err := handler(ctx, req)
		return resp, grpcserver.Status(slog.New(slog.DiscardHandler), info.FullMethod, err)
	}
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(toStatus, principal.UnaryServerInterceptor(principal.Config{Verifier: verifier, Required: true})))
	educationv1.RegisterEducationServiceServer(srv, edu)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	client := func(s *principal.Signer) *adapters.EducationClient {
		conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithChainUnaryInterceptor(principal.UnaryClientInterceptor(s, adapters.EducationPrincipal)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return adapters.NewEducationClient(conn, 5*time.Second)
	}
	ctx := context.Background()

	labour := client(signer)
	if offer, err := labour.BestOffer(ctx, "jobcenter-rems-murr", "p-abcdefghijklmnop"); err != nil || offer != "o-bbbbbbbbbbbbbbbb" {
		t.Fatalf("BestOffer: %q, %v", offer, err)
	}
	_, _, err = labour.CreateReferral(ctx, "ihk-region-stuttgart", "o-bbbbbbbbbbbbbbbb", "p-abcdefghijklmnop", "0b6a1c52-7f13-4c4e-9d55-6a1f0e2b3c4d")
	if !adapters.IsRefused(err) {
		t.Fatalf("education's PERMISSION_DENIED: %v, want a refusal", err)
	}
	want := []struct{ owner, scope string }{{"jobcenter-rems-murr", "education.read"}, {"ihk-region-stuttgart", "education.referrals.write"}}
	callers := edu.seen()
	if len(callers) != len(want) {
		t.Fatalf("education saw %d calls, want %d", len(callers), len(want))
	}
	for i, w := range want {
		p := callers[i]
		if p.Partner != adapters.ServicePartner || p.ActsFor.Organisation != w.owner || p.ActsFor.Provider != "" || !p.HasScope(w.scope) {
			t.Errorf("call %d: principal %+v, want %s acting for %s with %s", i, p, adapters.ServicePartner, w.owner, w.scope)
		}
	}

	_, err = client(stranger).BestOffer(ctx, "jobcenter-rems-murr", "p-abcdefghijklmnop")
	if status.Code(err) != codes.Unauthenticated || adapters.IsRefused(err) {
		t.Fatalf("a principal signed with an unknown key: %v, want UNAUTHENTICATED to retry", err)
	}
	if len(edu.seen()) != len(want) {
		t.Fatal("education ran a call with a forged principal")
	}
}
