// Package grpcserver is the gRPC bootstrap every service shares: interceptors
// (panic recovery, error mapping, logging, metrics, tracing), health and
// reflection, keepalive, and a graceful shutdown.
package grpcserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"
)

// Config configures a server.
type Config struct {
	// Addr to listen on, e.g. 127.0.0.1:7101; port 0 picks a free one.
	Addr   string
	Logger *slog.Logger
	// Registry receives the gRPC server metrics.
	Registry prometheus.Registerer
	// DrainDelay is how long the server reports NOT_SERVING before it stops
	// accepting calls, so load balancers can take it out of rotation.
	DrainDelay time.Duration
	// ShutdownTimeout bounds the wait for in-flight calls.
	ShutdownTimeout time.Duration
	// UnaryInterceptors and StreamInterceptors run after the shared ones,
	// just before the handler (e.g. verifying the caller's principal); the
	// apierr errors they return are mapped like the handler's.
	UnaryInterceptors  []grpc.UnaryServerInterceptor
	StreamInterceptors []grpc.StreamServerInterceptor
	// Credentials secure the connections (e.g. TLS); nil serves plaintext.
	Credentials credentials.TransportCredentials
}

// Server is a gRPC server with health and reflection.
type Server struct {
	cfg    Config
	grpc   *grpc.Server
	health *health.Server
	lis    net.Listener
	names  []string

	mu        sync.Mutex
	stopping  bool            // not (yet or any more) serving
	dependent map[string]bool // SetDependentServing's last word per service
}

// Registrar registers a service implementation on the server.
type Registrar func(grpc.ServiceRegistrar)

// New listens on cfg.Addr and registers the services; serviceNames are their
// full names, reported in health.
func New(cfg Config, register Registrar, serviceNames ...string) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 10 * time.Second
	}
	metrics := grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram())
	if cfg.Registry != nil {
		if err := cfg.Registry.Register(metrics); err != nil {
			return nil, fmt.Errorf("grpcserver: register metrics: %w", err)
		}
	}
	log := cfg.Logger
	panicked := recovery.WithRecoveryHandler(func(p any) error {
		log.Error("panic in handler", "panic", p, "stack", string(debug.Stack()))
		return status.Error(codes.Internal, "internal error")
	})
	// Successful calls are logged at debug level; failures at info and above.
	logOpts := []logging.Option{logging.WithLogOnEvents(logging.FinishCall), logging.WithLevels(callLevel)}
	opts := []grpc.ServerOption{
		grpc.StatsHandler(otelgrpc.NewServerHandler()),
		grpc.ChainUnaryInterceptor(append([]grpc.UnaryServerInterceptor{
			metrics.UnaryServerInterceptor(),
			logging.UnaryServerInterceptor(interceptorLogger(log), logOpts...),
			unaryErrors(log),
			recovery.UnaryServerInterceptor(panicked),
		}, cfg.UnaryInterceptors...)...),
		grpc.ChainStreamInterceptor(append([]grpc.StreamServerInterceptor{
			metrics.StreamServerInterceptor(),
			logging.StreamServerInterceptor(interceptorLogger(log), logOpts...),
			streamErrors(log),
			recovery.StreamServerInterceptor(panicked),
		}, cfg.StreamInterceptors...)...),
		// Reusing handler goroutines saves growing a fresh stack per call.
		grpc.NumStreamWorkers(uint32(runtime.GOMAXPROCS(0))),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionIdle: 5 * time.Minute, Time: time.Minute, Timeout: 20 * time.Second}),
	}
	if cfg.Credentials != nil {
		opts = append(opts, grpc.Creds(cfg.Credentials))
	}
	srv := grpc.NewServer(opts...)
	register(srv)
	hs := health.NewServer()
	healthpb.RegisterHealthServer(srv, hs)
	reflection.Register(srv)
	metrics.InitializeMetrics(srv)

	lis, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("grpcserver: listen on %s: %w", cfg.Addr, err)
	}
	return &Server{cfg: cfg, grpc: srv, health: hs, lis: lis, names: serviceNames, dependent: map[string]bool{}, stopping: true}, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.lis.Addr().String() }

// Serve reports SERVING and serves until ctx ends, then shuts down
// gracefully: NOT_SERVING, the drain delay, GracefulStop bounded by the
// shutdown timeout.
func (s *Server) Serve(ctx context.Context) error {
	s.setServing(healthpb.HealthCheckResponse_SERVING)
	errc := make(chan error, 1)
	go func() { errc <- s.grpc.Serve(s.lis) }()
	select {
	case err := <-errc:
		return fmt.Errorf("grpcserver: %w", err)
	case <-ctx.Done():
	}
	s.setServing(healthpb.HealthCheckResponse_NOT_SERVING)
	time.Sleep(s.cfg.DrainDelay)
	stopped := make(chan struct{})
	go func() { s.grpc.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(s.cfg.ShutdownTimeout):
		s.cfg.Logger.Warn("in-flight calls did not finish in time; stopping hard", "timeout", s.cfg.ShutdownTimeout)
		s.grpc.Stop()
	}
	if err := <-errc; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return fmt.Errorf("grpcserver: %w", err)
	}
	return nil
}

func (s *Server) setServing(st healthpb.HealthCheckResponse_ServingStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopping = st != healthpb.HealthCheckResponse_SERVING
	s.health.SetServingStatus("", st)
	for _, n := range s.names {
		s.health.SetServingStatus(n, st)
	}
	for n, serving := range s.dependent {
		s.health.SetServingStatus(n, s.dependentStatus(serving))
	}
}

// SetDependentServing reports the health of a service this server serves
// only while something it depends on is available (the gateway: a
// backend's services while the backend is reachable). Once the server
// shuts down, every service reports NOT_SERVING whatever is set here.
func (s *Server) SetDependentServing(name string, serving bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dependent[name] = serving
	s.health.SetServingStatus(name, s.dependentStatus(serving))
}

func (s *Server) dependentStatus(serving bool) healthpb.HealthCheckResponse_ServingStatus {
	if serving && !s.stopping {
		return healthpb.HealthCheckResponse_SERVING
	}
	return healthpb.HealthCheckResponse_NOT_SERVING
}

func callLevel(code codes.Code) logging.Level {
	if code == codes.OK {
		return logging.LevelDebug
	}
	return logging.DefaultServerCodeToLevel(code)
}

func interceptorLogger(l *slog.Logger) logging.Logger {
	return logging.LoggerFunc(func(ctx context.Context, lvl logging.Level, msg string, fields ...any) {
		l.Log(ctx, slog.Level(lvl), msg, fields...)
	})
}
