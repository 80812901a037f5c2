// Package service wires the education service together: NATS, event store,
// personal-data store, read model, use cases, gRPC and admin servers.
// cmd/education runs it alone; the local launcher can run it beside the
// other services.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/integrationsplan/integrationsplan/platform/admin"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/grpcserver"
	"github.com/integrationsplan/integrationsplan/platform/natsconn"
	"github.com/integrationsplan/integrationsplan/platform/principal"
	educationv1 "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	"github.com/integrationsplan/integrationsplan/services/education/adapters"
	"github.com/integrationsplan/integrationsplan/services/education/app"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
	"github.com/integrationsplan/integrationsplan/services/education/ports"
)

// Name is the service's name in subjects, logs and metrics.
const Name = "education"

// DefaultNeighbours are some bordering municipalities of the Rems-Murr-Kreis;
// keep it equal to the default of Config.Neighbours.
const DefaultNeighbours = "backnang=aspach+oppenweiler+burgstetten;waiblingen=fellbach+korb+remseck-am-neckar;schorndorf=winterbach+urbach"

// Config is the service's configuration; cmd/education reads it from the
// environment and flags.
type Config struct {
	GRPCAddr        string        `conf:"default:127.0.0.1:7102,env:GRPC_ADDR,help:gRPC listen address"`
	AdminAddr       string        `conf:"default:127.0.0.1:7202,env:ADMIN_ADDR,help:metrics and pprof listen address"`
	NATSURL         string        `conf:"default:nats://127.0.0.1:7222,env:NATS_URL,help:NATS server or cluster URLs (comma-separated)"`
	StreamReplicas  int           `conf:"default:1,env:STREAM_REPLICAS,help:replicas of the event and personal-data streams (3 in a production cluster)"`
	Neighbours      string        `conf:"default:backnang=aspach+oppenweiler+burgstetten;waiblingen=fellbach+korb+remseck-am-neckar;schorndorf=winterbach+urbach,env:NEIGHBOURS,help:bordering municipalities for duplicates and reach: a=b+c;d=e"`
	ExampleData     bool          `conf:"default:false,env:EXAMPLE_DATA,help:load the Beispieldaten at start"`
	DrainDelay      time.Duration `conf:"default:0s,env:DRAIN_DELAY,help:time NOT_SERVING is reported before the server stops accepting calls"`
	ShutdownTimeout time.Duration `conf:"default:10s,env:SHUTDOWN_TIMEOUT,help:bound on the wait for in-flight calls at shutdown"`
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
	if _, err := domain.ParseNeighbours(c.Neighbours); err != nil {
		return fmt.Errorf("NEIGHBOURS: %w", err)
	}
	_, err := c.Settings.Config()
	return err
}

// Service is a started education service.
type Service struct {
	cfg      Config
	log      *slog.Logger
	nc       *nats.Conn
	follower *eventstore.Follower
	App      *app.Service
	grpc     *grpcserver.Server
	admin    *admin.Server
}

// Start connects to NATS, replays the event stream into the read model,
// loads example data if configured and opens the listeners.
func Start(ctx context.Context, cfg Config, log *slog.Logger) (_ *Service, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	neighbours, _ := domain.ParseNeighbours(cfg.Neighbours)
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
	store, err := eventstore.Open(ctx, js, eventstore.Config{Service: Name, Replicas: cfg.StreamReplicas})
	if err != nil {
		return nil, err
	}
	personal, err := adapters.OpenPersonalStore(ctx, js, cfg.StreamReplicas)
	if err != nil {
		return nil, err
	}
	model := adapters.NewReadModel(log, neighbours)
	began := time.Now()
	follower, err := store.Follow(ctx, model, log)
	if err != nil {
		return nil, err
	}
	log.Info("read model replayed", "events", follower.Applied(), "took", time.Since(began).Round(time.Millisecond))
	svc := &Service{cfg: cfg, log: log, nc: nc, follower: follower, App: app.New(store, follower, model, personal, neighbours, log)}
	// Derived events a crash left pending (DESIGN: published once, by
	// whichever replica gets there first).
	if err := svc.App.PublishDerived(ctx); err != nil {
		log.Warn("derived events stay pending until the next sweep", "error", err)
	}
	if cfg.ExampleData {
		if err := seedExampleData(ctx, svc.App, log); err != nil {
			return nil, fmt.Errorf("load example data: %w", err)
		}
	}
	reg := admin.NewRegistry()
	unary, stream, err := cfg.Settings.Interceptors(log)
	if err != nil {
		return nil, err
	}
	svc.grpc, err = grpcserver.New(grpcserver.Config{
		Addr: cfg.GRPCAddr, Logger: log, Registry: reg, DrainDelay: cfg.DrainDelay, ShutdownTimeout: cfg.ShutdownTimeout,
		UnaryInterceptors: unary, StreamInterceptors: stream,
	}, func(r grpc.ServiceRegistrar) {
		educationv1.RegisterEducationServiceServer(r, ports.NewServer(svc.App))
	}, educationv1.EducationService_ServiceDesc.ServiceName)
	if err != nil {
		return nil, err
	}
	if svc.admin, err = admin.Listen(cfg.AdminAddr, reg, log); err != nil {
		return nil, err
	}
	return svc, nil
}

// sweepInterval is how often the service publishes derived events that are
// still pending, e.g. because another replica crashed after its command.
const sweepInterval = 15 * time.Second

func (s *Service) sweep(ctx context.Context) {
	t := time.NewTicker(sweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.App.PublishDerived(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("sweep: derived events stay pending", "error", err)
			}
		}
	}
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
	g.Go(func() error { s.sweep(gctx); return nil })
	err := g.Wait()
	s.follower.Stop()
	if drainErr := s.nc.Drain(); drainErr != nil {
		s.log.Warn("draining NATS", "error", drainErr)
	}
	s.log.Info("stopped")
	return err
}
