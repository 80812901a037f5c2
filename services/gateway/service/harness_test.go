package service_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/redis/go-redis/v9"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/natstest"
	"github.com/integrationsplan/integrationsplan/platform/principal"
	gatewayv1 "github.com/integrationsplan/integrationsplan/proto/integration/gateway/v1"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/gateway/auth"
	"github.com/integrationsplan/integrationsplan/services/gateway/service"
	measures "github.com/integrationsplan/integrationsplan/services/measures/service"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// Partners of the tests: a municipality, the county's administration and
// a read-only dashboard.
const (
	backnang = "backnang"
	kreis    = "kreis"
	reader   = "reader"
	// caseworker handles education participants (personal data).
	caseworker = "caseworker"
	m25        = "measures/m-2-5"

	// auditor reads the audit of calls on personal data.
	auditor = "auditor"
)

// system is embedded NATS, the measures service requiring principals, and
// the partners' keys; gateways are started on it with startGateway.
type system struct {
	t             testing.TB
	measures      *measures.Service
	stopMeasures  func()
	principalKeys string
	partnersFile  string
	keys          map[string]string
	stream        jetstream.Stream
	natsURL       string
	js            jetstream.JetStream
}

func startSystem(t testing.TB) *system {
	t.Helper()
	ns := natstest.Start(t)
	s := &system{t: t, principalKeys: principal.NewKey(), keys: map[string]string{}, natsURL: ns.ClientURL()}
	var partners strings.Builder
	partners.WriteString("partners:\n")
	for _, p := range []struct{ id, scopes, actsFor string }{
		{backnang, "[measures.read, measures.adoptions.write]", "{actor: backnang}"},
		{kreis, "[measures.read, measures.adoptions.write, measures.admin]", "{actor: landkreis}"},
		{reader, "[measures.read, events.read]", "{}"},
		{caseworker, "[education.read, education.participants.write, events.read]", "{provider: vhs}"},
		{auditor, "[audit.read]", "{}"},
	} {
		key, hash := auth.NewKey()
		s.keys[p.id] = key
		fmt.Fprintf(&partners, "  - id: %s\n    scopes: %s\n    acts_for: %s\n    keys: [%q]\n", p.id, p.scopes, p.actsFor, hash)
	}
	s.partnersFile = filepath.Join(t.TempDir(), "partners.yaml")
	if err := os.WriteFile(s.partnersFile, []byte(partners.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := measures.Start(ctx, measures.Config{
		GRPCAddr: "127.0.0.1:0", AdminAddr: "127.0.0.1:0", NATSURL: ns.ClientURL(), StreamReplicas: 1,
		ShutdownTimeout: 5 * time.Second, Settings: principal.Settings{PrincipalKeys: s.principalKeys, RequirePrincipal: true},
	}, quiet)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Serve(ctx) }()
	var stopped atomic.Bool
	s.measures = svc
	s.stopMeasures = func() {
		if stopped.Swap(true) {
			return
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("measures: %v", err)
		}
	}
	t.Cleanup(s.stopMeasures)
	_, js := ns.Connect(t)
	s.js = js
	if s.stream, err = js.Stream(context.Background(), eventstore.StreamName(measures.Name)); err != nil {
		t.Fatal(err)
	}
	return s
}

// config is a gateway configuration for the system: in-process stores
// unless the test sets REDIS_URL.
func (s *system) config() service.Config {
	return service.Config{
		GRPCAddr: "127.0.0.1:0", AdminAddr: "127.0.0.1:0",
		Backends:      "integration.measures.v1=" + s.measures.GRPCAddr(),
		PartnersFile:  s.partnersFile,
		PrincipalKeys: s.principalKeys, PrincipalTTL: 30 * time.Second, Timeout: 10 * time.Second,
		RedisPrefix: "unused:", RateLimits: "read=100/s:200,write=100/s:200,admin=100/s:200", RateLimitFailOpen: true,
		IdempotencyRetention: 24 * time.Hour, ShutdownTimeout: 5 * time.Second,
		HTTPAddr: "127.0.0.1:0", NATSURL: s.natsURL, StreamReplicas: 1,
		EventServices: "measures,education,labour", Heartbeat: 15 * time.Second,
	}
}

// gateway is a running gateway and a client connection to it.
type gateway struct {
	svc    *service.Service
	client pb.MeasureServiceClient
	events gatewayv1.EventServiceClient
	conn   *grpc.ClientConn
	// httpURL is the HTTP side's base URL, e.g. http://127.0.0.1:34567.
	httpURL string
}

func (s *system) startGateway(cfg service.Config) *gateway {
	t := s.t
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := service.Start(ctx, cfg, quiet)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Serve(ctx) }()
	conn, err := grpc.NewClient(svc.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("gateway: %v", err)
		}
	})
	return &gateway{svc: svc, client: pb.NewMeasureServiceClient(conn), events: gatewayv1.NewEventServiceClient(conn), conn: conn,
		httpURL: "http://" + svc.HTTPAddr()}
}

// as is a context calling as partner, with optional extra metadata pairs.
func (s *system) as(partner string, kv ...string) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	s.t.Cleanup(cancel)
	return metadata.AppendToOutgoingContext(c, append([]string{"authorization", "Bearer " + s.keys[partner]}, kv...)...)
}

// fixture creates the county, Backnang and measure 2.5 through gw.
func (s *system) fixture(gw *gateway) {
	t := s.t
	t.Helper()
	for _, a := range []struct {
		id   string
		kind pb.ActorKind
	}{{"landkreis", pb.ActorKind_ACTOR_KIND_COUNTY}, {"backnang", pb.ActorKind_ACTOR_KIND_MUNICIPALITY}} {
		if _, err := gw.client.CreateActor(s.as(kreis), &pb.CreateActorRequest{ActorId: a.id, Actor: &pb.Actor{Kind: a.kind, DisplayName: a.id}}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := gw.client.CreateMeasure(s.as(kreis), &pb.CreateMeasureRequest{Measure: &pb.Measure{
		Number: "2.5", Title: "Standardprozess von der Kompetenzanalyse bis zur Arbeitsmarktintegration",
		TopicField:          pb.TopicField_TOPIC_FIELD_LABOUR_MARKET,
		AddressedActorKinds: []pb.ActorKind{pb.ActorKind_ACTOR_KIND_COUNTY, pb.ActorKind_ACTOR_KIND_MUNICIPALITY},
	}})
	if err != nil {
		t.Fatal(err)
	}
}

// lastSeq is the measures stream's last sequence.
func (s *system) lastSeq() uint64 {
	s.t.Helper()
	info, err := s.stream.Info(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	return info.State.LastSeq
}

// redisURL is the test Redis; the tests' keys start with a prefix of their
// own and are deleted afterwards.
func redisURL(t testing.TB) (url, prefix string) {
	t.Helper()
	url = os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379"
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("these tests need Redis at %s (REDIS_URL): %v", url, err)
	}
	prefix = fmt.Sprintf("test:%s:%d:", t.Name(), time.Now().UnixNano())
	t.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, "*"+prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
	})
	return url, prefix
}

// closedAddr is a loopback address nobody listens on.
func closedAddr(t testing.TB) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	return addr
}

func setStatus(actor string, s pb.AdoptionStatus) *pb.SetAdoptionStatusRequest {
	return &pb.SetAdoptionStatusRequest{Name: m25 + "/adoptions/" + actor, Status: s, DecidingBody: "Gemeinderat", DecidedOn: "2024-02-01"}
}
