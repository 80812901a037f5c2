package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/integrationsplan/integrationsplan/platform/principal"
	"github.com/integrationsplan/integrationsplan/platform/process"
	education "github.com/integrationsplan/integrationsplan/services/education/service"
	"github.com/integrationsplan/integrationsplan/services/gateway/catalog"
	gateway "github.com/integrationsplan/integrationsplan/services/gateway/service"
	labour "github.com/integrationsplan/integrationsplan/services/labour/service"
	measures "github.com/integrationsplan/integrationsplan/services/measures/service"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const (
	measuresPkg  = "integration.measures.v1"
	educationPkg = "integration.education.v1"
	labourPkg    = "integration.labour.v1"
)

// server is a started service or gateway.
type server interface {
	GRPCAddr() string
	AdminAddr() string
	Serve(context.Context) error
}

// starter starts one replica of a service listening on addr.
type starter func(ctx context.Context, addr string) (server, error)

// measuresStarter starts measures replicas on the NATS server at natsURL,
// with the Beispieldaten if example; they verify the gateway's principal
// with key (and, as with `make run`, also take direct calls without one).
func measuresStarter(t testing.TB, natsURL, key string, example bool) starter {
	return func(ctx context.Context, addr string) (server, error) {
		var c measures.Config
		if err := process.Defaults(&c); err != nil {
			t.Fatal(err)
		}
		c.GRPCAddr, c.AdminAddr, c.NATSURL, c.ExampleData = addr, "127.0.0.1:0", natsURL, example
		c.DrainDelay, c.ShutdownTimeout = 300*time.Millisecond, 5*time.Second
		c.Settings = principal.Settings{PrincipalKeys: key}
		return measures.Start(ctx, c, quiet)
	}
}

// educationStarter is measuresStarter for education.
func educationStarter(t testing.TB, natsURL, key string, example bool) starter {
	return func(ctx context.Context, addr string) (server, error) {
		var c education.Config
		if err := process.Defaults(&c); err != nil {
			t.Fatal(err)
		}
		c.GRPCAddr, c.AdminAddr, c.NATSURL, c.ExampleData = addr, "127.0.0.1:0", natsURL, example
		c.DrainDelay, c.ShutdownTimeout = 300*time.Millisecond, 5*time.Second
		c.Settings = principal.Settings{PrincipalKeys: key}
		return education.Start(ctx, c, quiet)
	}
}

// labourStarter is measuresStarter for labour; its education client
// targets educationTarget.
func labourStarter(t testing.TB, natsURL, key, educationTarget string, example bool) starter {
	return func(ctx context.Context, addr string) (server, error) {
		var c labour.Config
		if err := process.Defaults(&c); err != nil {
			t.Fatal(err)
		}
		c.GRPCAddr, c.AdminAddr, c.NATSURL, c.EducationAddr, c.ExampleData = addr, "127.0.0.1:0", natsURL, educationTarget, example
		c.DrainDelay, c.ShutdownTimeout = 300*time.Millisecond, 5*time.Second
		c.Settings = principal.Settings{PrincipalKeys: key}
		return labour.Start(ctx, c, quiet)
	}
}

// replica is one running replica; stop ends it gracefully (context cancel:
// health NOT_SERVING, the drain delay, GracefulStop, NATS drain).
type replica struct {
	name   string
	start  starter
	addr   string
	svc    server
	cancel context.CancelFunc
	done   chan error
}

func startReplica(t testing.TB, name string, start starter, addr string) *replica {
	t.Helper()
	r := &replica{name: name, start: start, addr: addr}
	if err := r.run(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := r.stop(); err != nil {
			t.Errorf("stop %s: %v", name, err)
		}
	})
	return r
}

// run starts the replica on its address (port 0 the first time).
func (r *replica) run() error {
	startCtx, cancelStart := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancelStart()
	svc, err := r.start(startCtx, r.addr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.svc, r.cancel, r.done, r.addr = svc, cancel, make(chan error, 1), svc.GRPCAddr()
	go func() { r.done <- svc.Serve(ctx) }()
	return nil
}

func (r *replica) stop() error {
	if r.cancel == nil {
		return nil
	}
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		return err
	case <-time.After(15 * time.Second):
		return fmt.Errorf("%s did not stop within 15s", r.name)
	}
}

// waitServing waits until addr's health reports SERVING.
func waitServing(ctx context.Context, addr string) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	h := healthpb.NewHealthClient(conn)
	for {
		resp, err := h.Check(ctx, &healthpb.HealthCheckRequest{})
		if err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not SERVING: %v (last: %v)", addr, ctx.Err(), err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

var healthWatches = regexp.MustCompile(`(?m)^grpc_server_started_total\{[^}]*grpc_method="Watch"[^}]*grpc_service="grpc.health.v1.Health"[^}]*\} (\d+)`)

// waitWatched waits until a client (the gateway's round_robin with health
// checking) watches the replica's health: the gateway then has a
// connection to it and sends it calls once it is SERVING.
func waitWatched(ctx context.Context, adminAddr string) error {
	for {
		if n, err := healthWatchCount(ctx, adminAddr); err == nil && n > 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("nobody watches the health of the replica with admin %s: %w", adminAddr, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func healthWatchCount(ctx context.Context, adminAddr string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+adminAddr+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	m := healthWatches.FindSubmatch(body)
	if m == nil {
		return 0, fmt.Errorf("no health Watch counter in %s/metrics", adminAddr)
	}
	return strconv.Atoi(string(m[1]))
}

// exampleCredentials are the launcher's example partners for measures,
// education and labour, made in a temporary directory.
func exampleCredentials(t testing.TB) credentials {
	t.Helper()
	cat, err := catalog.Load(protoregistry.GlobalFiles, []string{measuresPkg, educationPkg, labourPkg, catalog.GatewayPackage})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := makeCredentials(t.TempDir(), cat)
	if err != nil {
		t.Fatal(err)
	}
	return creds
}

// startGateway starts a gateway forwarding to the given backend targets
// (package → gRPC target).
func startGateway(t testing.TB, natsURL string, creds credentials, backends map[string]string) *replica {
	t.Helper()
	return startReplica(t, "gateway", gatewayStarter(t, natsURL, creds, backends), "127.0.0.1:0")
}

// gatewayStarter starts gateway replicas forwarding to the given backend
// targets (package → gRPC target).
func gatewayStarter(t testing.TB, natsURL string, creds credentials, backends map[string]string) starter {
	return func(ctx context.Context, addr string) (server, error) {
		var c gateway.Config
		if err := process.Defaults(&c); err != nil {
			t.Fatal(err)
		}
		c.GRPCAddr, c.AdminAddr, c.HTTPAddr, c.NATSURL = addr, "127.0.0.1:0", "127.0.0.1:0", natsURL
		c.Backends = ""
		for pkg, target := range backends {
			c.Backends += pkg + "=" + target + ";"
		}
		c.PartnersFile, c.PrincipalKeys = creds.PartnersFile, creds.PrincipalKey
		c.RateLimits = "read=100000/s:100000;write=100000/s:100000;admin=100000/s:100000"
		c.EventServices = "measures;education"
		c.Timeout, c.DrainDelay, c.ShutdownTimeout = 10*time.Second, 300*time.Millisecond, 5*time.Second
		return gateway.Start(ctx, c, quiet)
	}
}
