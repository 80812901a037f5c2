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
	mpb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
)

// rollingBudget bounds the rollout of all four replicas under load.
const rollingBudget = 20 * time.Second

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

// TestRollingRestartThroughGatewayFailsNoCall runs two replicas of measures
// and of education behind the gateway, and restarts each of the four
// replicas in turn (graceful stop: NOT_SERVING, drain delay, GracefulStop,
// NATS drain; then a new start on the same address, replaying the stream)
// while partners write and read through the gateway, retrying on
// UNAVAILABLE with backoff. No call may fail, every write must be readable
// through the gateway right after its acknowledgement (from either
// replica), and every acknowledged write must be stored afterwards.
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
	gw := startGateway(t, ns.ClientURL(), creds, map[string]string{
		measuresPkg:  staticTarget("measures", replicas[0].addr, replicas[1].addr),
		educationPkg: staticTarget("education", replicas[2].addr, replicas[3].addr),
	})
	setup, cancelSetup := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancelSetup()
	for _, r := range replicas {
		if err := waitWatched(setup, r.svc.AdminAddr()); err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
	}

	conn, err := grpc.NewClient(gw.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	l := &load{
		measures: mpb.NewMeasureServiceClient(conn), education: edpb.NewEducationServiceClient(conn),
		key: creds.Keys["beispiel-landkreis"], stop: make(chan struct{}),
	}
	var workers sync.WaitGroup
	for w := range 3 {
		workers.Go(func() { l.writeMeasures(w) })
		workers.Go(func() { l.writeEducation(w) })
	}
	workers.Go(l.listMeasures)
	workers.Go(l.listEducation)

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
		t.Logf("%s restarted: graceful stop took %s, back in the gateway's rotation after %s",
			r.name, stopped.Round(time.Millisecond), time.Since(stopping).Round(time.Millisecond))
		settle()
	}
	close(l.stop)
	workers.Wait()
	if rollout.Err() != nil {
		t.Fatalf("the rollout of %d replicas took longer than %s", len(replicas), rollingBudget)
	}
	took := time.Since(began)

	l.mu.Lock()
	failures := l.failures
	l.mu.Unlock()
	for _, f := range failures {
		t.Error(f)
	}
	if len(l.actors) == 0 || len(l.providers) == 0 {
		t.Fatalf("no write acknowledged: %d actors, %d providers", len(l.actors), len(l.providers))
	}

	// Every acknowledged write is stored: each replica (directly) and the
	// gateway answer it, and the lists hold exactly the acknowledged writes.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	checked := 0
	for _, r := range replicas[:2] {
		direct := mpb.NewMeasureServiceClient(dial(t, r.addr))
		for _, id := range l.actors {
			if _, err := direct.GetActor(ctx, &mpb.GetActorRequest{Name: "actors/" + id}); err != nil {
				t.Errorf("%s: acknowledged actor %s: %v", r.name, id, err)
			}
			checked++
		}
	}
	for _, r := range replicas[2:] {
		direct := edpb.NewEducationServiceClient(dial(t, r.addr))
		for _, id := range l.providers {
			if _, err := direct.GetProvider(ctx, &edpb.GetProviderRequest{Name: "providers/" + id}); err != nil {
				t.Errorf("%s: acknowledged provider %s: %v", r.name, id, err)
			}
			checked++
		}
	}
	actors, err := l.measures.ListActors(l.as(ctx), &mpb.ListActorsRequest{PageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if int(actors.GetTotalSize()) != len(l.actors) {
		t.Errorf("measures holds %d actors, %d creations were acknowledged", actors.GetTotalSize(), len(l.actors))
	}
	providers := 0
	for token := ""; ; {
		resp, err := l.education.ListProviders(l.as(ctx), &edpb.ListProvidersRequest{PageSize: 500, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		providers += len(resp.GetProviders())
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	if providers != len(l.providers) {
		t.Errorf("education holds %d providers, %d creations were acknowledged", providers, len(l.providers))
	}
	t.Logf("rolling restart of %d replicas under load in %s: %d calls through the gateway (%d writes, %d reads), %d failed, "+
		"%d UNAVAILABLE answers retried; %d acknowledged writes (%d actors, %d providers) checked on both replicas of their service (%d lookups)",
		len(replicas), took.Round(time.Millisecond), l.calls.Load(), len(l.actors)+len(l.providers), l.calls.Load()-int64(len(l.actors)+len(l.providers)),
		len(failures), l.retries.Load(), len(l.actors)+len(l.providers), len(l.actors), len(l.providers), checked)
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
	key       string
	stop      chan struct{}
	calls     atomic.Int64
	retries   atomic.Int64

	mu        sync.Mutex
	failures  []string
	actors    []string // acknowledged creations
	providers []string
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
