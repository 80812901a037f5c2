package service_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/integrationsplan/integrationsplan/platform/principal"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/gateway/service"
)

const considering = pb.AdoptionStatus_ADOPTION_STATUS_CONSIDERING

func wantCode(t *testing.T, err error, code codes.Code) *status.Status {
	t.Helper()
	st, _ := status.FromError(err)
	if st.Code() != code {
		t.Fatalf("got %v %q, want %v", st.Code(), st.Message(), code)
	}
	return st
}

// TestAuthenticationScopesAndObjectRights goes through the gateway as the
// partners would.
func TestAuthenticationScopesAndObjectRights(t *testing.T) {
	s := startSystem(t)
	gw := s.startGateway(s.config())
	s.fixture(gw)

	// Probes need no key.
	hc, err := healthpb.NewHealthClient(gw.conn).Check(context.Background(), &healthpb.HealthCheckRequest{})
	if err != nil || hc.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health: %v, %v", hc, err)
	}
	before := s.lastSeq()
	_, err = gw.client.ListMeasures(context.Background(), &pb.ListMeasuresRequest{})
	wantCode(t, err, codes.Unauthenticated)
	bad := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer ipk_guessed")
	_, err = gw.client.ListMeasures(bad, &pb.ListMeasuresRequest{})
	wantCode(t, err, codes.Unauthenticated)
	// The dashboard may read but not write.
	if _, err := gw.client.ListMeasures(s.as(reader), &pb.ListMeasuresRequest{}); err != nil {
		t.Fatal(err)
	}
	_, err = gw.client.SetAdoptionStatus(s.as(reader), setStatus("backnang", considering))
	wantCode(t, err, codes.PermissionDenied)
	// Backnang may not change the county's adoption, not even with a
	// principal of its own making (the gateway strips it).
	forged, err := principal.NewSigner(mustKey(t, s.principalKeys), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	token, _ := forged.Sign(principal.Principal{Partner: backnang, Scopes: []string{"measures.admin"}}, "/integration.measures.v1.MeasureService/SetAdoptionStatus")
	_, err = gw.client.SetAdoptionStatus(s.as(backnang, principal.MetadataKey, token), setStatus("landkreis", considering))
	wantCode(t, err, codes.PermissionDenied)
	_, err = gw.client.CreateMeasure(s.as(backnang), &pb.CreateMeasureRequest{})
	wantCode(t, err, codes.PermissionDenied)
	if after := s.lastSeq(); after != before {
		t.Fatalf("refused calls moved the stream from %d to %d", before, after)
	}

	resp, err := gw.client.SetAdoptionStatus(s.as(backnang), setStatus("backnang", considering))
	if err != nil {
		t.Fatalf("own adoption: %v", err)
	}
	if resp.GetAdoption().GetStatus() != considering {
		t.Fatalf("response %v", resp)
	}
	// The backend's errors pass through with their details.
	_, err = gw.client.SetAdoptionStatus(s.as(backnang), setStatus("backnang", pb.AdoptionStatus_ADOPTION_STATUS_IMPLEMENTED))
	st := wantCode(t, err, codes.FailedPrecondition)
	if len(st.Details()) == 0 {
		t.Fatal("the backend's error details were lost")
	}
}

func mustKey(t *testing.T, keys string) []byte {
	t.Helper()
	k, err := principal.ParseKeys(keys)
	if err != nil {
		t.Fatal(err)
	}
	return k[0]
}

// TestBackendDownIsUnavailable: with measures down, its calls get
// UNAVAILABLE and the gateway's health for measures' service says
// NOT_SERVING, while the gateway itself stays SERVING.
func TestBackendDownIsUnavailable(t *testing.T) {
	s := startSystem(t)
	gw := s.startGateway(s.config())
	if _, err := gw.client.ListMeasures(s.as(reader), &pb.ListMeasuresRequest{}); err != nil {
		t.Fatal(err)
	}
	health := healthpb.NewHealthClient(gw.conn)
	backendHealth := func(want healthpb.HealthCheckResponse_ServingStatus) {
		t.Helper()
		var got healthpb.HealthCheckResponse_ServingStatus
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			resp, err := health.Check(context.Background(), &healthpb.HealthCheckRequest{Service: "integration.measures.v1.MeasureService"})
			if err != nil {
				t.Fatal(err)
			}
			if got = resp.GetStatus(); got == want {
				return
			}
		}
		t.Fatalf("the gateway's health for the measures service is %v, want %v", got, want)
	}
	backendHealth(healthpb.HealthCheckResponse_SERVING)
	s.stopMeasures()
	_, err := gw.client.ListMeasures(s.as(reader), &pb.ListMeasuresRequest{})
	st := wantCode(t, err, codes.Unavailable)
	if st.Message() != "the integration.measures.v1 service is unavailable; retry later" {
		t.Fatalf("message %q", st.Message())
	}
	backendHealth(healthpb.HealthCheckResponse_NOT_SERVING)
	if resp, err := health.Check(context.Background(), &healthpb.HealthCheckRequest{}); err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("the gateway's own health: %v %v", resp, err)
	}
}

// TestRateLimitIsSharedByGateways: two gateways on one Redis count one
// allowance per partner and scope class.
func TestRateLimitIsSharedByGateways(t *testing.T) {
	url, prefix := redisURL(t)
	s := startSystem(t)
	cfg := s.config()
	cfg.RedisURL, cfg.RedisPrefix = url, prefix
	cfg.RateLimits = "read=1/h:3,write=100/s:100,admin=100/s:100"
	a, b := s.startGateway(cfg), s.startGateway(cfg)
	for i, gw := range []*gateway{a, b, a} {
		if _, err := gw.client.ListMeasures(s.as(reader), &pb.ListMeasuresRequest{}); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	_, err := b.client.ListMeasures(s.as(reader), &pb.ListMeasuresRequest{})
	st := wantCode(t, err, codes.ResourceExhausted)
	var retry *errdetails.RetryInfo
	for _, d := range st.Details() {
		if r, ok := d.(*errdetails.RetryInfo); ok {
			retry = r
		}
	}
	if retry == nil || retry.GetRetryDelay().AsDuration() <= 0 {
		t.Fatalf("no retry delay in %v", st.Details())
	}
	// Another partner and another class have their own allowance.
	if _, err := b.client.ListMeasures(s.as(backnang), &pb.ListMeasuresRequest{}); err != nil {
		t.Fatal(err)
	}
}

// TestIdempotentRetries: a retry replays the first response, another
// request under the same key is refused, and concurrent retries have one
// effect. Once with Redis, once in process.
func TestIdempotentRetries(t *testing.T) {
	for _, store := range []string{"redis", "memory"} {
		t.Run(store, func(t *testing.T) {
			s := startSystem(t)
			cfg := s.config()
			if store == "redis" {
				cfg.RedisURL, cfg.RedisPrefix = redisURL(t)
			}
			gw := s.startGateway(cfg)
			s.fixture(gw)

			before := s.lastSeq()
			var first, second metadata.MD
			r1, err := gw.client.SetAdoptionStatus(s.as(backnang, service.IdempotencyKeyHeader, "k-1"), setStatus("backnang", considering), grpc.Header(&first))
			if err != nil {
				t.Fatal(err)
			}
			r2, err := gw.client.SetAdoptionStatus(s.as(backnang, service.IdempotencyKeyHeader, "k-1"), setStatus("backnang", considering), grpc.Header(&second))
			if err != nil {
				t.Fatal(err)
			}
			if r1.GetAdoption().GetEtag() != r2.GetAdoption().GetEtag() || len(first.Get(service.ReplayedHeader)) != 0 || second.Get(service.ReplayedHeader)[0] != "true" {
				t.Fatalf("retry: %v / %v, headers %v / %v", r1, r2, first, second)
			}
			if after := s.lastSeq(); after != before+1 {
				t.Fatalf("the retry had an effect: stream %d → %d", before, after)
			}
			_, err = gw.client.SetAdoptionStatus(s.as(backnang, service.IdempotencyKeyHeader, "k-1"), setStatus("backnang", pb.AdoptionStatus_ADOPTION_STATUS_ADOPTED))
			wantCode(t, err, codes.InvalidArgument)
			// Keys are per partner: the county's k-1 is its own.
			if _, err := gw.client.SetAdoptionStatus(s.as(kreis, service.IdempotencyKeyHeader, "k-1"), setStatus("landkreis", considering)); err != nil {
				t.Fatal(err)
			}

			// Concurrent retries of one mutation: exactly one effect; the
			// others get the same response or a conflict.
			before = s.lastSeq()
			const n = 8
			var wg sync.WaitGroup
			etags := make(chan string, n)
			for range n {
				wg.Go(func() {
					r, err := gw.client.SetAdoptionStatus(s.as(backnang, service.IdempotencyKeyHeader, "k-2"), setStatus("backnang", pb.AdoptionStatus_ADOPTION_STATUS_ADOPTED))
					if err != nil {
						if st, _ := status.FromError(err); st.Code() != codes.Aborted {
							t.Errorf("concurrent retry: %v", err)
						}
						return
					}
					etags <- r.GetAdoption().GetEtag()
				})
			}
			wg.Wait()
			close(etags)
			seen := map[string]bool{}
			for e := range etags {
				seen[e] = true
			}
			if len(seen) != 1 {
				t.Fatalf("successful retries saw etags %v, want one", seen)
			}
			if after := s.lastSeq(); after != before+1 {
				t.Fatalf("%d concurrent retries had %d effects", n, after-before)
			}
		})
	}
}

// TestRedisDown: rate limits fail open or closed as configured; an
// idempotent mutation is refused rather than risk a double effect.
func TestRedisDown(t *testing.T) {
	s := startSystem(t)
	cfg := s.config()
	cfg.RedisURL = "redis://" + closedAddr(t)
	open := s.startGateway(cfg)
	cfg.RateLimitFailOpen = false
	closed := s.startGateway(cfg)
	s.fixture(open)

	if _, err := open.client.ListMeasures(s.as(reader), &pb.ListMeasuresRequest{}); err != nil {
		t.Fatalf("fail open: %v", err)
	}
	_, err := closed.client.ListMeasures(s.as(reader), &pb.ListMeasuresRequest{})
	wantCode(t, err, codes.Unavailable)
	before := s.lastSeq()
	_, err = open.client.SetAdoptionStatus(s.as(backnang, service.IdempotencyKeyHeader, "k-1"), setStatus("backnang", considering))
	wantCode(t, err, codes.Unavailable)
	if after := s.lastSeq(); after != before {
		t.Fatal("a mutation ran without its idempotency key checked")
	}
}

func TestConfigIsValidated(t *testing.T) {
	s := startSystem(t)
	for name, mod := range map[string]func(*service.Config){
		"no partners file":  func(c *service.Config) { c.PartnersFile = "" },
		"no principal key":  func(c *service.Config) { c.PrincipalKeys = "" },
		"short key":         func(c *service.Config) { c.PrincipalKeys = "c2hvcnQ=" },
		"bad rate limits":   func(c *service.Config) { c.RateLimits = "read=fast" },
		"bad backend":       func(c *service.Config) { c.Backends = "measures=127.0.0.1:7101" },
		"unlinked package":  func(c *service.Config) { c.Backends = "integration.nowhere.v1=127.0.0.1:7101" },
		"bad redis url":     func(c *service.Config) { c.RedisURL = "http://127.0.0.1" },
		"missing partners":  func(c *service.Config) { c.PartnersFile = s.partnersFile + ".missing" },
		"zero call timeout": func(c *service.Config) { c.Timeout = 0 },
		"nats down":         func(c *service.Config) { c.NATSURL = "nats://" + closedAddr(t) },
		"no event services": func(c *service.Config) { c.EventServices = ";" },
		"bad event service": func(c *service.Config) { c.EventServices = "Measures" },
		"negative beat":     func(c *service.Config) { c.Heartbeat = -time.Second },
		"two replicas":      func(c *service.Config) { c.StreamReplicas = 2 },
	} {
		cfg := s.config()
		mod(&cfg)
		if svc, err := service.Start(context.Background(), cfg, quiet); err == nil {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_ = svc.Serve(ctx)
			t.Errorf("%s: started", name)
		}
	}
}
