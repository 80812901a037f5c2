package dashboard_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	"github.com/integrationsplan/integrationsplan/platform/principal"
	edu "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	lab "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	mpb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	education "github.com/integrationsplan/integrationsplan/services/education/service"
	"github.com/integrationsplan/integrationsplan/services/gateway/auth"
	"github.com/integrationsplan/integrationsplan/services/gateway/service"
	labour "github.com/integrationsplan/integrationsplan/services/labour/service"
	measures "github.com/integrationsplan/integrationsplan/services/measures/service"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// Partners of the tests.
const (
	// viewer is the read-only dashboard credential.
	viewer = "dashboard"
	// backnang decides Backnang's adoptions.
	backnang = "backnang"
	// kreis may do everything (so it may not log in to the dashboard).
	kreis = "kreis"
	// vhs registers participants and refers them (personal data).
	vhs = "vhs"
	// jobcenter opens labour cases (personal data).
	jobcenter = "jobcenter"
)

// stack is embedded NATS, the measures and education services with their
// example data (both requiring the gateway's principal), and the gateway.
type stack struct {
	t       testing.TB
	keys    map[string]string
	httpURL string
	gateway *service.Service
	conn    *grpc.ClientConn
	// measures and education are clients of the gateway's gRPC side.
	measures  mpb.MeasureServiceClient
	education edu.EducationServiceClient
	labour    lab.LabourServiceClient
}

type stackOptions struct {
	anonymous bool
	// labour adds the labour service (with its example data) as a backend.
	labour bool
	// rateLimits replaces the generous limits of the other tests.
	rateLimits string
}

func startStack(t testing.TB, opts stackOptions) *stack {
	t.Helper()
	ns := natstest.Start(t)
	s := &stack{t: t, keys: map[string]string{}}
	principalKeys := principal.NewKey()
	var partners strings.Builder
	partners.WriteString("partners:\n")
	for _, p := range []struct{ id, scopes, actsFor string }{
		{viewer, "[measures.read, education.read, labour.read, events.read]", "{}"},
		{backnang, "[measures.read, measures.adoptions.write]", "{actor: backnang}"},
		{kreis, "[measures.read, measures.adoptions.write, measures.admin, education.read, events.read]", "{actor: landkreis}"},
		{vhs, "[education.read, education.participants.write, education.referrals.write]", "{provider: vhs-backnang}"},
		{jobcenter, "[labour.read, labour.cases.write, labour.admin, labour.pilots.write]", "{}"},
	} {
		key, hash := auth.NewKey()
		s.keys[p.id] = key
		fmt.Fprintf(&partners, "  - id: %s\n    scopes: %s\n    acts_for: %s\n    keys: [%q]\n", p.id, p.scopes, p.actsFor, hash)
	}
	partnersFile := filepath.Join(t.TempDir(), "partners.yaml")
	if err := os.WriteFile(partnersFile, []byte(partners.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	settings := principal.Settings{PrincipalKeys: principalKeys, RequirePrincipal: true}

	m, err := measures.Start(context.Background(), measures.Config{
		GRPCAddr: "127.0.0.1:0", AdminAddr: "127.0.0.1:0", NATSURL: ns.ClientURL(), StreamReplicas: 1,
		ExampleData: true, ShutdownTimeout: 5 * time.Second, Settings: settings,
	}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	serve(t, "measures", m.Serve)
	e, err := education.Start(context.Background(), education.Config{
		GRPCAddr: "127.0.0.1:0", AdminAddr: "127.0.0.1:0", NATSURL: ns.ClientURL(), StreamReplicas: 1,
		Neighbours: education.DefaultNeighbours, ExampleData: true, ShutdownTimeout: 5 * time.Second, Settings: settings,
	}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	serve(t, "education", e.Serve)
	backends := "integration.measures.v1=" + m.GRPCAddr() + ";integration.education.v1=" + e.GRPCAddr()
	if opts.labour {
		l, err := labour.Start(context.Background(), labour.Config{
			GRPCAddr: "127.0.0.1:0", AdminAddr: "127.0.0.1:0", NATSURL: ns.ClientURL(), StreamReplicas: 1, ExampleData: true,
			EducationAddr: e.GRPCAddr(), EducationTimeout: 5 * time.Second, ReferralRetryMin: 100 * time.Millisecond,
			ReferralRetryMax: time.Second, OverdueInterval: time.Minute, ShutdownTimeout: 5 * time.Second, Settings: settings,
		}, quiet)
		if err != nil {
			t.Fatal(err)
		}
		serve(t, "labour", l.Serve)
		backends += ";integration.labour.v1=" + l.GRPCAddr()
	}

	rateLimits := "read=1000/s:2000,write=100/s:200,admin=100/s:200"
	if opts.rateLimits != "" {
		rateLimits = opts.rateLimits
	}
	cfg := service.Config{
		GRPCAddr: "127.0.0.1:0", AdminAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0",
		Backends:     backends,
		PartnersFile: partnersFile, PrincipalKeys: principalKeys, PrincipalTTL: 30 * time.Second, Timeout: 10 * time.Second,
		RedisPrefix: "unused:", RateLimits: rateLimits, RateLimitFailOpen: true,
		IdempotencyRetention: time.Hour, ShutdownTimeout: 5 * time.Second, NATSURL: ns.ClientURL(), StreamReplicas: 1,
		EventServices: "measures,education,labour", Heartbeat: 2 * time.Second,
		DashboardAnonymous: opts.anonymous, DashboardPartner: viewer,
	}
	gw, err := service.Start(context.Background(), cfg, quiet)
	if err != nil {
		t.Fatal(err)
	}
	serve(t, "gateway", gw.Serve)
	s.gateway, s.httpURL = gw, "http://"+gw.HTTPAddr()
	if s.conn, err = grpc.NewClient(gw.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials())); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.conn.Close() })
	s.measures, s.education = mpb.NewMeasureServiceClient(s.conn), edu.NewEducationServiceClient(s.conn)
	s.labour = lab.NewLabourServiceClient(s.conn)
	return s
}

// serve runs a service until the test ends. Cleanups run last in, first
// out, so the gateway stops before the services and they before NATS.
func serve(t testing.TB, name string, run func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("%s: %v", name, err)
		}
	})
}

// as is a context calling the gateway as partner.
func (s *stack) as(partner string, kv ...string) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	s.t.Cleanup(cancel)
	return metadata.AppendToOutgoingContext(ctx, append([]string{"authorization", "Bearer " + s.keys[partner]}, kv...)...)
}

// client is an HTTP client with a cookie jar that does not follow
// redirects, so tests see them.
func client(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// login posts the login form as a browser on the same site would.
func (s *stack) login(t testing.TB, c *http.Client, key, next string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.httpURL+"/anmelden",
		strings.NewReader(url.Values{"schluessel": {key}, "weiter": {next}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.httpURL)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// get fetches a path and returns the response and its body.
func (s *stack) get(t testing.TB, c *http.Client, path string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(s.httpURL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// dropProxy forwards TCP connections to a target and can drop them all,
// as a failing network or a restarting load balancer would.
type dropProxy struct {
	lis    net.Listener
	target string
	mu     sync.Mutex
	conns  map[net.Conn]bool
	// refuse makes new connections close at once while set.
	refuse bool
}

func startProxy(t testing.TB, target string) *dropProxy {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &dropProxy{lis: lis, target: target, conns: map[net.Conn]bool{}}
	go p.accept()
	t.Cleanup(func() {
		lis.Close()
		p.drop(false)
	})
	return p
}

func (p *dropProxy) URL() string { return "http://" + p.lis.Addr().String() }

func (p *dropProxy) accept() {
	for {
		in, err := p.lis.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		refuse := p.refuse
		p.mu.Unlock()
		if refuse {
			in.Close()
			continue
		}
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			in.Close()
			continue
		}
		p.mu.Lock()
		p.conns[in], p.conns[out] = true, true
		p.mu.Unlock()
		go p.pipe(in, out)
		go p.pipe(out, in)
	}
}

func (p *dropProxy) pipe(dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}

// drop closes every open connection; refuse keeps refusing new ones until
// allow is called.
func (p *dropProxy) drop(refuse bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refuse = refuse
	for c := range p.conns {
		c.Close()
	}
}

func (p *dropProxy) allow() {
	p.mu.Lock()
	p.refuse = false
	p.mu.Unlock()
}
