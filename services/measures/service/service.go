// Package service wires the measures service together: NATS, event store,
// read model, use cases, gRPC and admin servers. cmd/measures runs it alone;
// the local launcher runs it beside the other services.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/integrationsplan/integrationsplan/platform/admin"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/grpcserver"
	"github.com/integrationsplan/integrationsplan/platform/natsconn"
	"github.com/integrationsplan/integrationsplan/platform/principal"
	measuresv1 "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/measures/adapters"
	"github.com/integrationsplan/integrationsplan/services/measures/adapters/derive"
	"github.com/integrationsplan/integrationsplan/services/measures/app"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
	"github.com/integrationsplan/integrationsplan/services/measures/ports"
)

// Name is the service's name in subjects, logs and metrics.
const Name = "measures"

// Config is the service's configuration; cmd/measures reads it from the
// environment and flags.
type Config struct {
	GRPCAddr        string        `conf:"default:127.0.0.1:7101,env:GRPC_ADDR,help:gRPC listen address"`
	AdminAddr       string        `conf:"default:127.0.0.1:7201,env:ADMIN_ADDR,help:metrics and pprof listen address"`
	NATSURL         string        `conf:"default:nats://127.0.0.1:7222,env:NATS_URL,help:NATS server or cluster URLs separated by commas"`
	StreamReplicas  int           `conf:"default:1,env:STREAM_REPLICAS,help:replicas of the event stream (3 in a production cluster)"`
	ExampleData     bool          `conf:"default:false,env:EXAMPLE_DATA,help:load the Beispieldaten at start"`
	DrainDelay      time.Duration `conf:"default:0s,env:DRAIN_DELAY,help:time NOT_SERVING is reported before the server stops accepting calls"`
	ShutdownTimeout time.Duration `conf:"default:10s,env:SHUTDOWN_TIMEOUT,help:bound on the wait for in-flight calls at shutdown"`
	// IndicatorSources are the services whose events derived indicators read.
	IndicatorSources string `conf:"default:education labour,env:INDICATOR_SOURCES,help:services whose event streams feed derived indicators (separated by spaces)"`
	// IndicatorConsumer names the durable consumer on each source stream.
	IndicatorConsumer string `conf:"default:measures-indicators,env:INDICATOR_CONSUMER,help:durable consumer name on each source stream; one per replica (e.g. measures-indicators-<pod>)"`
	// indicatorHooks adjust the derivation engine in tests.
	indicatorHooks func(*derive.Config)
	principal.Settings
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	if c.StreamReplicas != 1 && c.StreamReplicas != 3 && c.StreamReplicas != 5 {
		return fmt.Errorf("STREAM_REPLICAS must be 1, 3 or 5, got %d", c.StreamReplicas)
	}
	if c.NATSURL == "" {
		return errors.New("NATS_URL is required")
	}
	for _, src := range c.indicatorSources() {
		if !sourcePattern.MatchString(src) || src == Name {
			return fmt.Errorf("INDICATOR_SOURCES: %q is not another service's name", src)
		}
	}
	if c.IndicatorConsumer != "" && !consumerPattern.MatchString(c.IndicatorConsumer) {
		return fmt.Errorf("INDICATOR_CONSUMER must be letters, digits, hyphens and underscores, got %q", c.IndicatorConsumer)
	}
	_, err := c.Settings.Config()
	return err
}

var (
	sourcePattern   = regexp.MustCompile(`^[a-z][a-z0-9]{0,30}$`)
	consumerPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
)

// Service is a started measures service.
type Service struct {
	cfg      Config
	log      *slog.Logger
	nc       *nats.Conn
	follower *eventstore.Follower
	App      *app.Service
	grpc     *grpcserver.Server
	admin    *admin.Server
	// Indicators computes the derived indicators from the source streams.
	Indicators    *derive.Engine
	stopEngine    context.CancelFunc
	engineStopped chan struct{}
}

// Start connects to NATS, replays the event stream into the read model,
// loads example data if configured and opens the listeners.
func Start(ctx context.Context, cfg Config, log *slog.Logger) (_ *Service, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log = log.With("service", Name)
	nc, js, err := natsconn.Connect(cfg.NATSURL, Name, log)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			nc.Close()
		}
	}()
	reg := admin.NewRegistry()
	store, err := eventstore.Open(ctx, js, eventstore.Config{Service: Name, Replicas: cfg.StreamReplicas, Registerer: reg})
	if err != nil {
		return nil, err
	}
	model := adapters.NewReadModel(log)
	catalog := derive.NewCatalog(cfg.indicatorSources()...)
	zone, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return nil, fmt.Errorf("time zone: %w", err)
	}
	engineCfg := derive.Config{Durable: cfg.IndicatorConsumer, Zone: zone, Registerer: reg, Log: log}
	if cfg.indicatorHooks != nil {
		cfg.indicatorHooks(&engineCfg)
	}
	engine, err := derive.NewEngine(js, catalog, engineCfg)
	if err != nil {
		return nil, err
	}
	marks := app.NewValueMarks()
	model.OnIndicator(adapters.IndicatorHooks{
		Defined: func(i domain.Indicator) { engine.Define(i); marks.IndicatorDefined(i) },
		Deleted: engine.Undefine, ValueRecorded: marks.ValueRecorded,
	})
	began := time.Now()
	follower, err := store.Follow(ctx, model, log)
	if err != nil {
		return nil, err
	}
	log.Info("read model replayed", "events", follower.Applied(), "took", time.Since(began).Round(time.Millisecond))
	svc := &Service{cfg: cfg, log: log, nc: nc, follower: follower, App: app.New(store, follower, model, catalog, engine, marks), Indicators: engine}
	// The engine follows the source streams from now on, waiting for any
	// that do not exist yet; it never holds up the start. Value changes are
	// published beside it.
	engineCtx, stopEngine := context.WithCancel(context.Background())
	svc.stopEngine, svc.engineStopped = stopEngine, make(chan struct{})
	var running sync.WaitGroup
	running.Go(func() { engine.Run(engineCtx) })
	running.Go(func() { svc.App.PublishValueChanges(engineCtx, log) })
	go func() { defer close(svc.engineStopped); running.Wait() }()
	defer func() {
		if err != nil {
			svc.stop()
		}
	}()
	if cfg.ExampleData {
		if err := seedExampleData(ctx, svc.App, log); err != nil {
			return nil, fmt.Errorf("load example data: %w", err)
		}
	}
	unary, stream, err := cfg.Settings.Interceptors(log)
	if err != nil {
		return nil, err
	}
	svc.grpc, err = grpcserver.New(grpcserver.Config{
		Addr: cfg.GRPCAddr, Logger: log, Registry: reg, DrainDelay: cfg.DrainDelay, ShutdownTimeout: cfg.ShutdownTimeout,
		UnaryInterceptors: unary, StreamInterceptors: stream,
	}, func(r grpc.ServiceRegistrar) {
		measuresv1.RegisterMeasureServiceServer(r, ports.NewServer(svc.App))
	}, measuresv1.MeasureService_ServiceDesc.ServiceName)
	if err != nil {
		return nil, err
	}
	if svc.admin, err = admin.Listen(cfg.AdminAddr, reg, log); err != nil {
		return nil, err
	}
	return svc, nil
}

// GRPCAddr is where the gRPC API listens.
func (s *Service) GRPCAddr() string { return s.grpc.Addr() }

// AdminAddr is where metrics and pprof listen.
func (s *Service) AdminAddr() string { return s.admin.Addr() }

// Serve serves until ctx ends, then shuts down gracefully and drains NATS.
func (s *Service) Serve(ctx context.Context) error {
	s.log.Info("serving", "grpc", s.GRPCAddr(), "admin", s.AdminAddr())
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.grpc.Serve(gctx) })
	g.Go(func() error { return s.admin.Serve(gctx) })
	err := g.Wait()
	s.stop()
	s.follower.Stop()
	if drainErr := s.nc.Drain(); drainErr != nil {
		s.log.Warn("draining NATS", "error", drainErr)
	}
	s.log.Info("stopped")
	return err
}

// stop ends the derivation engine and waits for it.
func (s *Service) stop() {
	s.stopEngine()
	<-s.engineStopped
}

// DefaultIndicatorSources are the services derived indicators read when the
// configuration names none.
const DefaultIndicatorSources = "education labour"

func (c Config) indicatorSources() []string {
	if strings.TrimSpace(c.IndicatorSources) == "" {
		return strings.Fields(DefaultIndicatorSources)
	}
	return strings.Fields(c.IndicatorSources)
}
