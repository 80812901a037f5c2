package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"
	"google.golang.org/grpc/status"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	edpb "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	lpb "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	mpb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
)

// rollingBudget bounds the rollout of all eight replicas under load.
const rollingBudget = 45 * time.Second

var resolverSeq atomic.Int64

// staticTarget registers a resolver with the given addresses and returns
// its gRPC target. The gateway's backend connection (services/gateway/proxy)
// takes any gRPC target and balances round_robin over every address it
// resolves, sending calls only to replicas whose health is SERVING; in
// Kubernetes the target is dns:/// of a headless Service, here, with two
// replicas on one host and different ports, a static resolver.
func staticTarget(name string, addrs ...string) string {
	scheme := fmt.Sprintf("rolling-%s-%d", name, resolverSeq.Add(1))
	r := manual.NewBuilderWithScheme(scheme)
	var state resolver.State
	for _, a := range addrs {
		state.Addresses = append(state.Addresses, resolver.Address{Addr: a})
	}
	r.InitialState(state)
	resolver.Register(r)
	return scheme + ":///" + name
}

// TestRollingRestartThroughGatewayFailsNoCall runs two replicas of each
// service (measures, education, labour) and two gateways, and restarts each
// of the eight replicas in turn (graceful stop: NOT_SERVING, drain delay,
// GracefulStop, NATS drain; then a new start on the same address, replaying
// the stream) while partners write and read through the gateways, balanced
// over both and retrying on UNAVAILABLE with backoff. No call may fail,
// every write must be readable through a gateway right after its
// acknowledgement (from either replica), and every acknowledged write must
// be stored afterwards.
func TestRollingRestartThroughGatewayFailsNoCall(t *testing.T) {
	if testing.Short() {
		t.Skip("restarts service replicas under load")
	}
	ns := natstest.Start(t)
	creds := exampleCredentials(t)
	m := measuresStarter(t, ns.ClientURL(), creds.PrincipalKey, false)
	e := educationStarter(t, ns.ClientURL(), creds.PrincipalKey, false)
	replicas := []*replica{
		startReplica(t, "measures-0", m, "127.0.0.1:0"),
		startReplica(t, "measures-1", m, "127.0.0.1:0"),
		startReplica(t, "education-0", e, "127.0.0.1:0"),
		startReplica(t, "education-1", e, "127.0.0.1:0"),
	}
	educationTarget := staticTarget("education", replicas[2].addr, replicas[3].addr)
	l := labourStarter(t, ns.ClientURL(), creds.PrincipalKey, educationTarget, false)
	replicas = append(replicas, startReplica(t, "labour-0", l, "127.0.0.1:0"), startReplica(t, "labour-1", l, "127.0.0.1:0"))
	gw := gatewayStarter(t, ns.ClientURL(), creds, map[string]string{
		measuresPkg:  staticTarget("measures", replicas[0].addr, replicas[1].addr),
		educationPkg: educationTarget,
		labourPkg:    staticTarget("labour", replicas[4].addr, replicas[5].addr),
	})
	gateways := []*replica{startReplica(t, "gateway-0", gw, "127.0.0.1:0"), startReplica(t, "gateway-1", gw, "127.0.0.1:0")}
	setup, cancelSetup := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancelSetup()
	for _, r := range replicas {
		if err := waitWatched(setup, r.svc.AdminAddr()); err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
	}

	// Partners balance over both gateways as over a Kubernetes Service's
	// endpoints, sending calls only to a gateway whose health is SERVING.
	conn, err := grpc.NewClient(staticTarget("gateway", gateways[0].addr, gateways[1].addr),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultServiceConfig(`{"loadBalancingConfig":[{"round_robin":{}}],"healthCheckConfig":{"serviceName":""}}`))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Connect()
	replicas = append(replicas, gateways...)
	for _, g := range gateways {
		if err := waitWatched(setup, g.svc.AdminAddr()); err != nil {
			t.Fatalf("%s: %v", g.name, err)
		}
	}
	ld := &load{
		measures: mpb.NewMeasureServiceClient(conn), education: edpb.NewEducationServiceClient(conn), labour: lpb.NewLabourServiceClient(conn),
		key: creds.Keys["beispiel-landkreis"], stop: make(chan struct{}),
	}
	var workers sync.WaitGroup
	for w := range 3 {
		workers.Go(func() { ld.writeMeasures(w) })
		workers.Go(func() { ld.writeEducation(w) })
	}
	workers.Go(ld.writeLabour)
	workers.Go(ld.listMeasures)
	workers.Go(ld.listEducation)

	began := time.Now()
	rollout, cancelRollout := context.WithTimeout(context.Background(), rollingBudget)
	defer cancelRollout()
	settle := func() {
		select {
		case <-rollout.Done():
		case <-time.After(300 * time.Millisecond):
		}
	}
	settle()
	for _, r := range replicas {
		stopping := time.Now()
		if err := r.stop(); err != nil {
			t.Fatalf("stop %s: %v", r.name, err)
		}
		stopped := time.Since(stopping)
		if err := r.run(); err != nil {
			t.Fatalf("restart %s: %v", r.name, err)
		}
		if err := waitServing(rollout, r.addr); err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		// Like a rollout with maxUnavailable 0: the next replica stops only
		// once the gateway sends calls to this one again.
		if err := waitWatched(rollout, r.svc.AdminAddr()); err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		t.Logf("%s restarted: graceful stop took %s, back in rotation after %s",
			r.name, stopped.Round(time.Millisecond), time.Since(stopping).Round(time.Millisecond))
		settle()
	}
	close(ld.stop)
	workers.Wait()
	if rollout.Err() != nil {
		t.Fatalf("the rollout of %d replicas took longer than %s", len(replicas), rollingBudget)
	}
	took := time.Since(began)

	ld.mu.Lock()
	failures := ld.failures
	ld.mu.Unlock()
	for _, f := range failures {
		t.Error(f)
	}
	if len(ld.actors) == 0 || len(ld.providers) == 0 || len(ld.pilots) == 0 {
		t.Fatalf("no write acknowledged: %d actors, %d providers, %d pilots", len(ld.actors), len(ld.providers), len(ld.pilots))
	}

	// Every acknowledged write is stored: each replica (directly) and the
	// gateway answer it, and the lists hold exactly the acknowledged writes.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	checked := 0
	for _, r := range replicas[:2] {
		direct := mpb.NewMeasureServiceClient(dial(t, r.addr))
		for _, id := range ld.actors {
			if _, err := direct.GetActor(ctx, &mpb.GetActorRequest{Name: "actors/" + id}); err != nil {
				t.Errorf("%s: acknowledged actor %s: %v", r.name, id, err)
			}
			checked++
		}
	}
	for _, r := range replicas[2:4] {
		direct := edpb.NewEducationServiceClient(dial(t, r.addr))
		for _, id := range ld.providers {
			if _, err := direct.GetProvider(ctx, &edpb.GetProviderRequest{Name: "providers/" + id}); err != nil {
				t.Errorf("%s: acknowledged provider %s: %v", r.name, id, err)
			}
			checked++
		}
	}
	actors, err := ld.measures.ListActors(ld.as(ctx), &mpb.ListActorsRequest{PageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if int(actors.GetTotalSize()) != len(ld.actors) {
		t.Errorf("measures holds %d actors, %d creations were acknowledged", actors.GetTotalSize(), len(ld.actors))
	}
	providers := 0
	for token := ""; ; {
		resp, err := ld.education.ListProviders(ld.as(ctx), &edpb.ListProvidersRequest{PageSize: 500, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		providers += len(resp.GetProviders())
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	if providers != len(ld.providers) {
		t.Errorf("education holds %d providers, %d creations were acknowledged", providers, len(ld.providers))
	}
	for _, r := range replicas[4:6] {
		direct := lpb.NewLabourServiceClient(dial(t, r.addr))
		stored := map[string]bool{}
		for token := ""; ; {
			resp, err := direct.ListPilotProjects(ctx, &lpb.ListPilotProjectsRequest{PageSize: 500, PageToken: token})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range resp.GetPilots() {
				stored[p.GetName()] = true
			}
			if token = resp.GetNextPageToken(); token == "" {
				break
			}
		}
		for _, id := range ld.pilots {
			if !stored["pilots/"+id] {
				t.Errorf("%s: acknowledged pilot %s missing", r.name, id)
			}
			checked++
		}
		if len(stored) != len(ld.pilots) {
			t.Errorf("%s holds %d pilots, %d creations were acknowledged", r.name, len(stored), len(ld.pilots))
		}
	}
	writes := len(ld.actors) + len(ld.providers) + len(ld.pilots)
	t.Logf("rolling restart of %d replicas (two per service, two gateways) under load in %s: %d calls through the gateways (%d writes, %d reads), %d failed, "+
		"%d UNAVAILABLE answers retried; %d acknowledged writes (%d actors, %d providers, %d pilots) checked on both replicas of their service (%d lookups)",
		len(replicas), took.Round(time.Millisecond), ld.calls.Load(), writes, ld.calls.Load()-int64(writes),
		len(failures), ld.retries.Load(), writes, len(ld.actors), len(ld.providers), len(ld.pilots), checked)
}

func dial(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// load is partners' traffic through the gateway.
type load struct {
	measures  mpb.MeasureServiceClient
	education edpb.EducationServiceClient
	labour    lpb.LabourServiceClient
	key       string
	stop      chan struct{}
	calls     atomic.Int64
	retries   atomic.Int64

	mu        sync.Mutex
	failures  []string
	actors    []string // acknowledged creations
	providers []string
	pilots    []string
}

// as is ctx calling as the example county partner, with a request ID.
func (l *load) as(ctx context.Context) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+l.key, "x-request-id", uuid.NewString())
}

func (l *load) stopped() bool {
	select {
	case <-l.stop:
		return true
	default:
		return false
	}
}

func (l *load) fail(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.failures) < 20 {
		l.failures = append(l.failures, fmt.Sprintf(format, args...))
	}
}

// call runs one call as a partner would: retried on UNAVAILABLE with
// exponential backoff (20ms to 500ms) for at most 15s; each attempt is
// bounded by 5s. A write's retry sends the same request_id, so a write that
// was applied before its answer was lost is answered, not applied twice.
func (l *load) call(do func(ctx context.Context) error) error {
	l.calls.Add(1)
	deadline := time.Now().Add(15 * time.Second)
	backoff := 20 * time.Millisecond
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := do(l.as(ctx))
		cancel()
		if status.Code(err) != codes.Unavailable || time.Now().Add(backoff).After(deadline) {
			return err
		}
		l.retries.Add(1)
		time.Sleep(backoff)
		backoff = min(2*backoff, 500*time.Millisecond)
	}
}

// writeMeasures creates actors and reads each back through the gateway
// (from whichever replica it lands on).
func (l *load) writeMeasures(worker int) {
	for i := 0; !l.stopped(); i++ {
		id := fmt.Sprintf("rolling-%d-%d", worker, i)
		req := &mpb.CreateActorRequest{ActorId: id, RequestId: uuid.NewString(), Actor: &mpb.Actor{
			Kind: mpb.ActorKind_ACTOR_KIND_MUNICIPALITY, DisplayName: "Gemeinde " + id}}
		if err := l.call(func(ctx context.Context) error { _, err := l.measures.CreateActor(ctx, req); return err }); err != nil {
			l.fail("CreateActor %s: %v", id, err)
			continue
		}
		l.mu.Lock()
		l.actors = append(l.actors, id)
		l.mu.Unlock()
		err := l.call(func(ctx context.Context) error {
			resp, err := l.measures.GetActor(ctx, &mpb.GetActorRequest{Name: "actors/" + id})
			if err == nil && resp.GetActor().GetDisplayName() != "Gemeinde "+id {
				return fmt.Errorf("got %v", resp.GetActor())
			}
			return err
		})
		if err != nil {
			l.fail("GetActor %s after its creation: %v", id, err)
		}
	}
}

// writeEducation creates providers and reads each back.
func (l *load) writeEducation(worker int) {
	for i := 0; !l.stopped(); i++ {
		id := fmt.Sprintf("rolling-%d-%d", worker, i)
		req := &edpb.CreateProviderRequest{ProviderId: id, RequestId: uuid.NewString(), Provider: &edpb.Provider{
			Kind: edpb.ProviderKind_PROVIDER_KIND_LANGUAGE_SCHOOL, DisplayName: "Sprachschule " + id, Municipality: "backnang"}}
		if err := l.call(func(ctx context.Context) error { _, err := l.education.CreateProvider(ctx, req); return err }); err != nil {
			l.fail("CreateProvider %s: %v", id, err)
			continue
		}
		l.mu.Lock()
		l.providers = append(l.providers, id)
		l.mu.Unlock()
		err := l.call(func(ctx context.Context) error {
			resp, err := l.education.GetProvider(ctx, &edpb.GetProviderRequest{Name: "providers/" + id})
			if err == nil && resp.GetProvider().GetDisplayName() != "Sprachschule "+id {
				return fmt.Errorf("got %v", resp.GetProvider())
			}
			return err
		})
		if err != nil {
			l.fail("GetProvider %s after its creation: %v", id, err)
		}
	}
}

// writeLabour creates pilot projects; after each acknowledgement the
// gateway must list at least as many as were acknowledged so far.
func (l *load) writeLabour() {
	for i := 0; !l.stopped(); i++ {
		id := fmt.Sprintf("rolling-%d", i)
		req := &lpb.CreatePilotProjectRequest{PilotId: id, RequestId: uuid.NewString(), Pilot: &lpb.PilotProject{
			Field: lpb.OccupationalField_OCCUPATIONAL_FIELD_CRAFTS, Title: "Pilotprojekt " + id, Places: []string{"backnang"}, Partners: []string{"Handwerkskammer Region Stuttgart"}}}
		if err := l.call(func(ctx context.Context) error { _, err := l.labour.CreatePilotProject(ctx, req); return err }); err != nil {
			l.fail("CreatePilotProject %s: %v", id, err)
			continue
		}
		l.mu.Lock()
		l.pilots = append(l.pilots, id)
		acknowledged := len(l.pilots)
		l.mu.Unlock()
		err := l.call(func(ctx context.Context) error {
			resp, err := l.labour.ListPilotProjects(ctx, &lpb.ListPilotProjectsRequest{PageSize: 1})
			if err == nil && int(resp.GetTotalSize()) < acknowledged {
				return fmt.Errorf("%d pilots listed, %d acknowledged", resp.GetTotalSize(), acknowledged)
			}
			return err
		})
		if err != nil {
			l.fail("ListPilotProjects after creating %s: %v", id, err)
		}
	}
}

func (l *load) listMeasures() {
	for !l.stopped() {
		if err := l.call(func(ctx context.Context) error {
			_, err := l.measures.ListActors(ctx, &mpb.ListActorsRequest{PageSize: 10})
			return err
		}); err != nil {
			l.fail("ListActors: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (l *load) listEducation() {
	for !l.stopped() {
		if err := l.call(func(ctx context.Context) error {
			_, err := l.education.ListProviders(ctx, &edpb.ListProvidersRequest{PageSize: 10})
			return err
		}); err != nil {
			l.fail("ListProviders: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
