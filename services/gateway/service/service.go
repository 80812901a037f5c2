// Package service wires the gateway together: partners and keys, the
// catalog of RPCs, the backends, rate limits and idempotency (Redis or in
// process), event subscriptions and the audit on NATS, the gRPC server, the
// HTTP server (JSON and Server-Sent Events) and the admin server.
package service

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/integrationsplan/integrationsplan/platform/admin"
	"github.com/integrationsplan/integrationsplan/platform/grpcclient"
	"github.com/integrationsplan/integrationsplan/platform/grpcserver"
	"github.com/integrationsplan/integrationsplan/platform/principal"
	gatewayv1 "github.com/integrationsplan/integrationsplan/proto/integration/gateway/v1"
	"github.com/integrationsplan/integrationsplan/services/gateway/audit"
	"github.com/integrationsplan/integrationsplan/services/gateway/auth"
	"github.com/integrationsplan/integrationsplan/services/gateway/catalog"
	"github.com/integrationsplan/integrationsplan/services/gateway/dashboard"
	"github.com/integrationsplan/integrationsplan/services/gateway/events"
	"github.com/integrationsplan/integrationsplan/services/gateway/httpapi"
	"github.com/integrationsplan/integrationsplan/services/gateway/idempotency"
	"github.com/integrationsplan/integrationsplan/services/gateway/proxy"
	"github.com/integrationsplan/integrationsplan/services/gateway/ratelimit"
)

// Name is the service's name in logs and metrics.
const Name = "gateway"

// Config is the gateway's configuration; cmd/gateway reads it from the
// environment and flags.
type Config struct {
	GRPCAddr      string        `conf:"default:127.0.0.1:7443,env:GRPC_ADDR,help:gRPC listen address"`
	AdminAddr     string        `conf:"default:127.0.0.1:7280,env:ADMIN_ADDR,help:metrics and pprof listen address"`
	Backends      string        `conf:"default:integration.measures.v1=127.0.0.1:7101,env:BACKENDS,help:proto package=backend address pairs separated by semicolons or commas"`
	PartnersFile  string        `conf:"env:PARTNERS_FILE,help:YAML file of partners with scopes and key hashes (reloaded on SIGHUP)"`
	PrincipalKeys string        `conf:"env:PRINCIPAL_KEYS,mask,help:base64 keys (comma-separated) shared with the services; the first signs"`
	PrincipalTTL  time.Duration `conf:"default:30s,env:PRINCIPAL_TTL,help:lifetime of the signed principal forwarded with each call"`
	Timeout       time.Duration `conf:"default:30s,env:CALL_TIMEOUT,help:longest a forwarded unary call may take"`
	RedisURL      string        `conf:"env:REDIS_URL,mask,help:Redis for rate limits and idempotency keys; empty keeps them in process (one replica only)"`
	RedisPrefix   string        `conf:"default:integrationsplan:gateway:,env:REDIS_PREFIX,help:prefix of the gateway's Redis keys"`
	RateLimits    string        `conf:"default:read=100/s:200;write=20/s:40;admin=5/s:10;dashboard=100/s:400,env:RATE_LIMITS,help:per partner and scope class: class=rate/unit:burst separated by semicolons or commas; dashboard is the reads of the dashboard's viewers (read's limit if not given)"`
	// RateLimitFailOpen lets calls through while the rate limit store
	// fails; false refuses them (UNAVAILABLE).
	RateLimitFailOpen    bool          `conf:"default:true,env:RATE_LIMIT_FAIL_OPEN,help:let calls through while Redis is down (false refuses them)"`
	IdempotencyRetention time.Duration `conf:"default:24h,env:IDEMPOTENCY_RETENTION,help:how long a mutation's response is kept for retries with the same idempotency-key"`
	HTTPAddr             string        `conf:"default:127.0.0.1:7080,env:HTTP_ADDR,help:HTTP listen address (the staff dashboard at /, JSON/HTTP, Server-Sent Events at /v1/events)"`
	NATSURL              string        `conf:"default:nats://127.0.0.1:7222,env:NATS_URL,help:NATS server or cluster URLs separated by commas (event subscriptions and the audit stream)"`
	StreamReplicas       int           `conf:"default:1,env:STREAM_REPLICAS,help:replicas of the gateway's audit stream (3 in a production cluster)"`
	EventServices        string        `conf:"default:measures;education;labour,env:EVENT_SERVICES,help:services whose event streams can be subscribed to (separated by semicolons or commas)"`
	Heartbeat            time.Duration `conf:"default:15s,env:HEARTBEAT_INTERVAL,help:interval of heartbeats on quiet event subscriptions (gRPC and SSE)"`
	// DashboardAnonymous is the local example mode: the dashboard at /
	// is readable without a login, as DashboardPartner. Never in production.
	DashboardAnonymous  bool          `conf:"default:false,env:DASHBOARD_ANONYMOUS,help:local example mode: the dashboard is readable without login as DASHBOARD_PARTNER (never in production)"`
	DashboardPartner    string        `conf:"default:beispiel-dashboard,env:DASHBOARD_PARTNER,help:read-only partner whose rights anonymous dashboard visitors get when DASHBOARD_ANONYMOUS is set"`
	DashboardSessionKey string        `conf:"env:DASHBOARD_SESSION_KEY,mask,help:base64 key of 32 bytes sealing dashboard sessions; the same on every replica; empty makes one per start"`
	DashboardSessionTTL time.Duration `conf:"default:1h,env:DASHBOARD_SESSION_TTL,help:a dashboard session ends after this long unused (and 10h after its login at the latest)"`
	DrainDelay          time.Duration `conf:"default:0s,env:DRAIN_DELAY,help:time NOT_SERVING is reported before the server stops accepting calls"`
	ShutdownTimeout     time.Duration `conf:"default:10s,env:SHUTDOWN_TIMEOUT,help:bound on the wait for in-flight calls at shutdown"`
	// TLS on the gRPC and HTTP ports; plaintext without (the local default).
	TLSCertFile string `conf:"env:TLS_CERT_FILE,help:PEM certificate (chain) of the gRPC and HTTP ports; empty serves plaintext"`
	TLSKeyFile  string `conf:"env:TLS_KEY_FILE,help:PEM private key of TLS_CERT_FILE"`
	// TLSClientCAFile turns on mutual TLS on the gRPC port for partners
	// whose certificates the partners file lists.
	TLSClientCAFile string `conf:"env:TLS_CLIENT_CA_FILE,help:PEM CA certificates whose client certificates the gRPC port accepts (mutual TLS; partners file client_certificates)"`
}

// backends parses Backends into package → address.
func (c Config) backends() (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.FieldsFunc(c.Backends, func(r rune) bool { return r == ';' || r == ',' }) {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		pkg, addr, ok := strings.Cut(pair, "=")
		if !ok || !strings.HasPrefix(pkg, catalog.PackagePrefix) || addr == "" {
			return nil, fmt.Errorf("BACKENDS: %q is not package=address with a package integration.*", pair)
		}
		out[pkg] = addr
	}
	if len(out) == 0 {
		return nil, errors.New("BACKENDS names no backend")
	}
	return out, nil
}

// eventServices parses EventServices.
func (c Config) eventServices() []string {
	var out []string
	for _, s := range strings.FieldsFunc(c.EventServices, func(r rune) bool { return r == ';' || r == ',' }) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// withDefaults fills the newer settings a program may leave unset when it
// builds a Config itself (the local launcher) with the defaults of their
// tags; cmd/gateway always sets them.
func (c Config) withDefaults() Config {
	if c.HTTPAddr == "" {
		c.HTTPAddr = "127.0.0.1:7080"
	}
	if c.NATSURL == "" {
		c.NATSURL = "nats://127.0.0.1:7222"
	}
	if c.StreamReplicas == 0 {
		c.StreamReplicas = 1
	}
	if c.EventServices == "" {
		c.EventServices = "measures;education;labour"
	}
	if c.Heartbeat == 0 {
		c.Heartbeat = 15 * time.Second
	}
	if c.DashboardPartner == "" {
		c.DashboardPartner = "beispiel-dashboard"
	}
	if c.DashboardSessionTTL == 0 {
		c.DashboardSessionTTL = time.Hour
	}
	return c
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	if err := c.validateTLS(); err != nil {
		return err
	}
	if c.NATSURL == "" {
		return errors.New("NATS_URL is required (event subscriptions and the audit of personal data need it)")
	}
	if c.StreamReplicas != 1 && c.StreamReplicas != 3 && c.StreamReplicas != 5 {
		return fmt.Errorf("STREAM_REPLICAS must be 1, 3 or 5, got %d", c.StreamReplicas)
	}
	if c.Heartbeat <= 0 {
		return errors.New("HEARTBEAT_INTERVAL must be positive")
	}
	if c.HTTPAddr == "" {
		return errors.New("HTTP_ADDR is required")
	}
	if len(c.eventServices()) == 0 {
		return errors.New("EVENT_SERVICES names no service")
	}
	if c.PartnersFile == "" {
		return errors.New("PARTNERS_FILE is required")
	}
	if _, err := dashboard.ParseSessionKey(c.DashboardSessionKey); err != nil {
		return fmt.Errorf("DASHBOARD_SESSION_KEY: %w", err)
	}
	if c.DashboardSessionTTL <= 0 || c.DashboardSessionTTL > 10*time.Hour {
		return errors.New("DASHBOARD_SESSION_TTL must be positive and at most 10h")
	}
	keys, err := principal.ParseKeys(c.PrincipalKeys)
	if err != nil {
		return fmt.Errorf("PRINCIPAL_KEYS: %w", err)
	}
	if len(keys) == 0 {
		return errors.New("PRINCIPAL_KEYS is required (`gateway keys principal` makes one)")
	}
	if c.PrincipalTTL <= 0 || c.Timeout <= 0 || c.IdempotencyRetention <= 0 {
		return errors.New("PRINCIPAL_TTL, CALL_TIMEOUT and IDEMPOTENCY_RETENTION must be positive")
	}
	if _, err := ratelimit.ParseLimits(c.RateLimits); err != nil {
		return fmt.Errorf("RATE_LIMITS: %w", err)
	}
	_, err = c.backends()
	return err
}

// Service is a started gateway.
type Service struct {
	log      *slog.Logger
	partners *auth.Keyring
	backends []*proxy.Backend
	// forwarded names the proto services each backend package serves.
	forwarded map[string][]string
	rdb       *redis.Client
	nc        *nats.Conn
	grpc      *grpcserver.Server
	admin     *admin.Server
	// self is the HTTP side's connection to the gateway's own gRPC endpoint.
	self *grpc.ClientConn
	http *http.Server
	lis  net.Listener
	// stopping ends the event subscriptions at shutdown.
	stopping context.Context
	stop     context.CancelFunc
}

// Start loads the partners, prepares the backends and the Redis or
// in-process stores, and opens the listeners.
func Start(ctx context.Context, cfg Config, log *slog.Logger) (_ *Service, err error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log = log.With("service", Name)
	s := &Service{log: log}
	s.stopping, s.stop = context.WithCancel(context.Background())
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if s.partners, err = auth.Open(cfg.PartnersFile); err != nil {
		return nil, fmt.Errorf("PARTNERS_FILE: %w", err)
	}
	keys, _ := principal.ParseKeys(cfg.PrincipalKeys)
	signer, err := principal.NewSigner(keys[0], cfg.PrincipalTTL)
	if err != nil {
		return nil, err
	}
	reg := admin.NewRegistry()
	// The backends' calls as the gateway sees them (latency included), and
	// the trace continuing into them.
	instrumentation, err := grpcclient.Instrumentation(reg)
	if err != nil {
		return nil, err
	}
	addrs, _ := cfg.backends()
	packages := make([]string, 0, len(addrs))
	for pkg, addr := range addrs {
		b, err := proxy.Dial(pkg, addr, instrumentation...)
		if err != nil {
			return nil, err
		}
		s.backends = append(s.backends, b)
		packages = append(packages, pkg)
	}
	slices.Sort(packages)
	cat, err := catalog.Load(protoregistry.GlobalFiles, packages)
	if err != nil {
		return nil, err
	}
	s.forwarded = map[string][]string{}
	for _, sd := range cat.Services {
		pkg := string(sd.ParentFile().Package())
		s.forwarded[pkg] = append(s.forwarded[pkg], string(sd.FullName()))
	}
	own, err := catalog.Load(protoregistry.GlobalFiles, []string{catalog.GatewayPackage})
	if err != nil {
		return nil, err
	}

	s.nc, err = nats.Connect(cfg.NATSURL, nats.Name(Name), nats.MaxReconnects(-1),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil { // nil when the connection is closed on purpose
				log.Warn("NATS disconnected", "error", err)
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) { log.Info("NATS reconnected", "url", c.ConnectedUrlRedacted()) }))
	if err != nil {
		return nil, fmt.Errorf("connect to NATS at %s: %w", cfg.NATSURL, err)
	}
	js, err := jetstream.New(s.nc)
	if err != nil {
		return nil, err
	}
	source, err := events.NewSource(js, cfg.eventServices(), log)
	if err != nil {
		return nil, fmt.Errorf("EVENT_SERVICES: %w", err)
	}
	recorder, err := audit.Open(ctx, js, cfg.StreamReplicas, cfg.Timeout+recordTimeout) // a record is stored after its call
	if err != nil {
		return nil, fmt.Errorf("audit stream: %w", err)
	}

	var limitStore ratelimit.Store
	var idemStore idempotency.Store
	if cfg.RedisURL == "" {
		log.Warn("no REDIS_URL: rate limits and idempotency keys are kept in this process; run a single replica only")
		limitStore, idemStore = ratelimit.NewMemory(), idempotency.NewMemory()
	} else {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, errors.New("REDIS_URL is not a redis:// or rediss:// URL")
		}
		// Fail fast while Redis is down: every call waits for it.
		opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout, opts.MaxRetries = time.Second, time.Second, time.Second, 1
		s.rdb = redis.NewClient(opts)
		if err := s.rdb.Ping(ctx).Err(); err != nil {
			log.Warn("Redis does not answer yet; rate limits fail as configured and idempotent mutations are refused until it does",
				"addr", opts.Addr, "error", err)
		}
		log.Info("rate limits and idempotency keys in Redis", "addr", opts.Addr, "prefix", cfg.RedisPrefix)
		limitStore = ratelimit.NewRedis(s.rdb, cfg.RedisPrefix+"ratelimit:")
		idemStore = idempotency.NewRedis(s.rdb, cfg.RedisPrefix+"idempotency:")
	}
	limits, _ := ratelimit.ParseLimits(cfg.RateLimits)
	// The dashboard's reads have an allowance of their own: read's size
	// unless configured (a class without a limit would be unlimited).
	if _, ok := limits[catalog.ClassDashboard]; !ok {
		if read, ok := limits[catalog.ClassRead]; ok {
			limits[catalog.ClassDashboard] = read
		}
	}
	g := &guard{
		catalog:  cat,
		own:      own,
		audit:    recorder,
		log:      log,
		partners: s.partners,
		limiter:  ratelimit.New(limitStore, limits, cfg.RateLimitFailOpen, log),
		tokens:   newTokens(signer, cfg.PrincipalTTL),
		idem:     idempotency.NewGuard(idemStore, cfg.IdempotencyRetention, cfg.Timeout+10*time.Second, log),
		// Only this process's dashboard knows it.
		dashboardMark: rand.Text(),
	}
	if err := errors.Join(reg.Register(g.limiter.Collector()), reg.Register(g.idem.Collector())); err != nil {
		return nil, err
	}
	px, err := proxy.New(proxy.Config{
		Catalog: cat, Backends: s.backends, Outgoing: g.outgoing,
		// The audit comes first: a replayed response discloses data too.
		Wrap:    func(next proxy.Invoke) proxy.Invoke { return g.audited(g.idempotent(next)) },
		Timeout: cfg.Timeout, Logger: log,
	})
	if err != nil {
		return nil, err
	}
	serverTLS, err := cfg.serverTLS()
	if err != nil {
		return nil, err
	}
	selfCreds := insecure.NewCredentials()
	var grpcCreds credentials.TransportCredentials
	if serverTLS != nil {
		grpcCreds, selfCreds = credentials.NewTLS(serverTLS), credentials.NewTLS(selfTLS(serverTLS))
	}
	s.grpc, err = grpcserver.New(grpcserver.Config{
		Credentials: grpcCreds,
		Addr:        cfg.GRPCAddr, Logger: log, Registry: reg, DrainDelay: cfg.DrainDelay, ShutdownTimeout: cfg.ShutdownTimeout,
		UnaryInterceptors:  []grpc.UnaryServerInterceptor{g.unary},
		StreamInterceptors: []grpc.StreamServerInterceptor{g.stream},
	}, func(r grpc.ServiceRegistrar) {
		px.Register(r)
		gatewayv1.RegisterEventServiceServer(r, &eventServer{source: source, heartbeat: cfg.Heartbeat, stopping: s.stopping})
		gatewayv1.RegisterAuditServiceServer(r, &auditServer{recorder: recorder})
	}, gatewayv1.EventService_ServiceDesc.ServiceName, gatewayv1.AuditService_ServiceDesc.ServiceName)
	if err != nil {
		return nil, err
	}
	if s.self, err = grpc.NewClient(s.grpc.Addr(), grpc.WithTransportCredentials(selfCreds)); err != nil {
		return nil, err
	}
	dash, err := s.dashboard(cfg, packages, g.dashboardMark)
	if err != nil {
		return nil, err
	}
	handler, err := httpapi.New(s.stopping, httpapi.Config{Conn: s.self, Packages: packages, Heartbeat: cfg.Heartbeat, Logger: log,
		Pages: dash.Register, Credential: dash.EventCredential})
	if err != nil {
		return nil, err
	}
	if s.lis, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
		return nil, fmt.Errorf("HTTP_ADDR: listen on %s: %w", cfg.HTTPAddr, err)
	}
	if serverTLS != nil {
		// HTTP callers authenticate with API keys only: their calls reach
		// the gRPC side over the gateway's own connection, which carries no
		// client certificate of theirs.
		httpTLS := serverTLS.Clone()
		httpTLS.ClientAuth, httpTLS.ClientCAs = tls.NoClientCert, nil
		s.lis = tls.NewListener(s.lis, httpTLS)
	}
	s.http = &http.Server{
		Handler: handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		// Requests end with the gateway, so shutting down does not wait
		// for event streams.
		BaseContext: func(net.Listener) context.Context { return s.stopping },
		ErrorLog:    slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if s.admin, err = admin.Listen(cfg.AdminAddr, reg, log); err != nil {
		return nil, err
	}
	return s, nil
}

// dashboard prepares the staff dashboard on the HTTP port. It reads
// through the gateway's own gRPC endpoint with the viewer's key; in local
// example mode anonymous visitors read with a key bound to
// DashboardPartner in this process only. Its calls carry mark, so the
// guard counts them in the dashboard's rate limit class.
func (s *Service) dashboard(cfg Config, packages []string, mark string) (*dashboard.Dashboard, error) {
	sessionKey, _ := dashboard.ParseSessionKey(cfg.DashboardSessionKey)
	dc := dashboard.Config{
		Conn: s.self, Packages: packages, EventServices: cfg.eventServices(),
		Authenticate: func(key string) (*auth.Partner, error) {
			return s.partners.Authenticate(metadata.Pairs("authorization", "Bearer "+key))
		},
		SessionKey: sessionKey, SessionTTL: cfg.DashboardSessionTTL, Logger: s.log, CallMark: mark,
	}
	if cfg.DashboardAnonymous {
		key, err := s.partners.Bind(cfg.DashboardPartner)
		if err != nil {
			return nil, fmt.Errorf("DASHBOARD_PARTNER: %w", err)
		}
		dc.AnonymousKey = key
		s.log.Warn("the dashboard is readable without login (DASHBOARD_ANONYMOUS, local example mode)", "partner", cfg.DashboardPartner)
	}
	if cfg.DashboardSessionKey == "" {
		s.log.Info("dashboard sessions end when the gateway restarts (no DASHBOARD_SESSION_KEY)")
	}
	return dashboard.New(dc)
}

// GRPCAddr is where the gateway listens for partners.
func (s *Service) GRPCAddr() string { return s.grpc.Addr() }

// HTTPAddr is where JSON/HTTP and Server-Sent Events listen.
func (s *Service) HTTPAddr() string { return s.lis.Addr().String() }

// AdminAddr is where metrics and pprof listen.
func (s *Service) AdminAddr() string { return s.admin.Addr() }

// ReloadPartners reads the partners file again (key rotation); on error the
// current partners stay.
func (s *Service) ReloadPartners() error {
	if err := s.partners.Reload(); err != nil {
		return err
	}
	s.log.Info("partners reloaded")
	return nil
}

// Serve serves until ctx ends, then shuts down gracefully.
func (s *Service) Serve(ctx context.Context) error {
	attrs := []any{"grpc", s.GRPCAddr(), "http", s.HTTPAddr(), "admin", s.AdminAddr()}
	for _, b := range s.backends {
		attrs = append(attrs, b.Package, b.Addr)
	}
	s.log.Info("serving", attrs...)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.grpc.Serve(gctx) })
	g.Go(func() error { return s.admin.Serve(gctx) })
	// Each forwarded service's health follows its backend: a client or a
	// probe asking for integration.measures.v1.MeasureService learns
	// whether the gateway can reach measures right now.
	for _, b := range s.backends {
		g.Go(func() error {
			b.Watch(gctx, func(available bool) {
				for _, name := range s.forwarded[b.Package] {
					s.grpc.SetDependentServing(name, available)
				}
			})
			return nil
		})
	}
	g.Go(func() error {
		if err := s.http.Serve(s.lis); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		s.stop() // ends subscriptions and SSE streams
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return s.http.Shutdown(shutdownCtx)
	})
	err := g.Wait()
	s.close()
	s.log.Info("stopped")
	return err
}

func (s *Service) close() {
	s.stop()
	if s.lis != nil {
		_ = s.lis.Close()
	}
	if s.self != nil {
		_ = s.self.Close()
	}
	if s.nc != nil {
		if err := s.nc.Drain(); err != nil {
			s.log.Warn("draining NATS", "error", err)
		}
	}
	for _, b := range s.backends {
		_ = b.Close()
	}
	if s.rdb != nil {
		_ = s.rdb.Close()
	}
}
