// Package service wires the labour service together: NATS, event store,
// read model, personal-data store, education client, use cases, the overdue
// checker, the referral worker, the consumer of education's referral events,
// gRPC and admin servers. cmd/labour runs it alone; the local launcher can
// run it beside the other services.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/integrationsplan/integrationsplan/platform/admin"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/grpcclient"
	"github.com/integrationsplan/integrationsplan/platform/grpcserver"
	"github.com/integrationsplan/integrationsplan/platform/natsconn"
	"github.com/integrationsplan/integrationsplan/platform/principal"
	labourv1 "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/app"
	"github.com/integrationsplan/integrationsplan/services/labour/ports"
)

// Name is the service's name in subjects, logs and metrics.
const Name = "labour"

// Config is the service's configuration; cmd/labour reads it from the
// environment and flags.
type Config struct {
	GRPCAddr         string        `conf:"default:127.0.0.1:7103,env:GRPC_ADDR,help:gRPC listen address"`
	AdminAddr        string        `conf:"default:127.0.0.1:7203,env:ADMIN_ADDR,help:metrics and pprof listen address"`
	NATSURL          string        `conf:"default:nats://127.0.0.1:7222,env:NATS_URL,help:NATS server or cluster URLs separated by commas"`
	StreamReplicas   int           `conf:"default:1,env:STREAM_REPLICAS,help:replicas of the event and personal-data streams (3 in a production cluster)"`
	ExampleData      bool          `conf:"default:false,env:EXAMPLE_DATA,help:load the Beispieldaten at start"`
	EducationAddr    string        `conf:"default:127.0.0.1:7102,env:EDUCATION_ADDR,help:gRPC address of the education service for course referrals"`
	EducationTimeout time.Duration `conf:"default:5s,env:EDUCATION_TIMEOUT,help:deadline of each call to the education service"`
	ReferralRetryMin time.Duration `conf:"default:500ms,env:REFERRAL_RETRY_MIN,help:first pause before asking an unreachable education service again"`
	ReferralRetryMax time.Duration `conf:"default:1m,env:REFERRAL_RETRY_MAX,help:longest pause between attempts to reach the education service"`
	OverdueInterval  time.Duration `conf:"default:1m,env:OVERDUE_INTERVAL,help:how often cases are checked against their stage's time target"`
	// ServicePrincipalKey is labour's own secret, apart from the gateway's:
	// education verifies it, within limits, because its SERVICE_KEYS list
	// it (EducationServiceKey).
	ServicePrincipalKey string        `conf:"env:SERVICE_PRINCIPAL_KEY,mask,help:base64 key (32 bytes or more) signing the principal of labour itself on its calls to education; the SERVICE_KEYS of education must list it as service:labour[education.read education.referrals.write]=key. Empty: the calls carry none (local development)"`
	DrainDelay          time.Duration `conf:"default:0s,env:DRAIN_DELAY,help:time NOT_SERVING is reported before the server stops accepting calls"`
	ShutdownTimeout     time.Duration `conf:"default:10s,env:SHUTDOWN_TIMEOUT,help:bound on the wait for in-flight calls at shutdown"`
	principal.Settings
	// Now is the clock of the use cases and the overdue checker; nil means
	// time.Now. Tests set it to move time on.
	Now func() time.Time `conf:"-"`
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	if c.StreamReplicas != 1 && c.StreamReplicas != 3 && c.StreamReplicas != 5 {
		return fmt.Errorf("STREAM_REPLICAS must be 1, 3 or 5, got %d", c.StreamReplicas)
	}
	if c.NATSURL == "" {
		return errors.New("NATS_URL is required")
	}
	if c.EducationAddr == "" {
		return errors.New("EDUCATION_ADDR is required")
	}
	if c.EducationTimeout <= 0 {
		return errors.New("EDUCATION_TIMEOUT must be positive")
	}
	if c.ReferralRetryMin <= 0 || c.ReferralRetryMax < c.ReferralRetryMin {
		return errors.New("REFERRAL_RETRY_MIN must be positive and at most REFERRAL_RETRY_MAX")
	}
	if c.OverdueInterval <= 0 {
		return errors.New("OVERDUE_INTERVAL must be positive")
	}
	if _, err := c.educationSigner(); err != nil {
		return err
	}
	_, err := c.Settings.Config()
	return err
}

// servicePrincipalTTL is how long labour's own principal stays valid: it is
// signed afresh for each call and checked when the call arrives.
const servicePrincipalTTL = 30 * time.Second

// educationSigner signs labour's principal on its calls to education; nil
// without a SERVICE_PRINCIPAL_KEY.
func (c Config) educationSigner() (*principal.Signer, error) {
	keys, err := principal.ParseKeys(c.ServicePrincipalKey)
	if err != nil {
		return nil, fmt.Errorf("SERVICE_PRINCIPAL_KEY: %w", err)
	}
	switch len(keys) {
	case 0:
		return nil, nil
	case 1:
		return principal.NewSigner(keys[0], servicePrincipalTTL)
	}
	return nil, errors.New("SERVICE_PRINCIPAL_KEY must be one key")
}

// EducationServiceKey is the entry of education's SERVICE_KEYS that accepts
// the principals labour signs with key: its own partner, the scopes its
// education client uses, acting for no provider.
func EducationServiceKey(key string) string {
	p := adapters.EducationPrincipal(context.Background())
	return principal.FormatServiceKey(p.Partner, p.Scopes, key)
}

// Service is a started labour service.
type Service struct {
	cfg       Config
	log       *slog.Logger
	nc        *nats.Conn
	js        jetstream.JetStream
	education *grpc.ClientConn
	follower  *eventstore.Follower
	following *adapters.FollowMetrics
	App       *app.Service
	grpc      *grpcserver.Server
	admin     *admin.Server
}

// Start connects to NATS, replays the event stream into the read model,
// loads example data if configured and opens the listeners. The education
// service need not be up: referrals wait for it.
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
	personal, err := adapters.OpenPersonalStore(ctx, js, cfg.StreamReplicas)
	if err != nil {
		return nil, err
	}
	// The connection is lazy: education may start later or restart at any
	// time. Its reconnect backoff is capped like the referral retries, so a
	// restarted education is used within that bound, not gRPC's two minutes.
	instrumentation, err := grpcclient.Instrumentation(reg)
	if err != nil {
		return nil, err
	}
	dial := append(instrumentation, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: cfg.ReferralRetryMin, Multiplier: 1.6, Jitter: 0.2, MaxDelay: cfg.ReferralRetryMax},
			MinConnectTimeout: cfg.EducationTimeout,
		}))
	signer, err := cfg.educationSigner()
	if err != nil {
		return nil, err
	}
	if signer != nil {
		dial = append(dial, grpc.WithChainUnaryInterceptor(principal.UnaryClientInterceptor(signer, adapters.EducationPrincipal)))
	} else {
		log.Warn("no SERVICE_PRINCIPAL_KEY: calls to education carry no principal; an education that requires one refuses them and referrals stay pending")
	}
	conn, err := grpc.NewClient(cfg.EducationAddr, dial...)
	if err != nil {
		return nil, fmt.Errorf("education client for %s: %w", cfg.EducationAddr, err)
	}
	defer func() {
		if err != nil {
			conn.Close()
		}
	}()
	model := adapters.NewReadModel(log)
	began := time.Now()
	follower, err := store.Follow(ctx, model, log)
	if err != nil {
		return nil, err
	}
	log.Info("read model replayed", "events", follower.Applied(), "took", time.Since(began).Round(time.Millisecond))
	following, err := adapters.NewFollowMetrics(reg)
	if err != nil {
		return nil, err
	}
	svc := &Service{cfg: cfg, log: log, nc: nc, js: js, education: conn, follower: follower, following: following, App: app.New(app.Deps{
		Store: store, Follower: follower, Model: model, Personal: personal,
		Education: adapters.NewEducationClient(conn, cfg.EducationTimeout), Log: log, Now: cfg.Now,
	})}
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
		labourv1.RegisterLabourServiceServer(r, ports.NewServer(svc.App))
	}, labourv1.LabourService_ServiceDesc.ServiceName)
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
	s.log.Info("serving", "grpc", s.GRPCAddr(), "admin", s.AdminAddr(), "education", s.cfg.EducationAddr)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.grpc.Serve(gctx) })
	g.Go(func() error { return s.admin.Serve(gctx) })
	g.Go(func() error { s.checkOverdue(gctx); return nil })
	g.Go(func() error {
		s.App.SettleReferrals(gctx, app.Backoff{Min: s.cfg.ReferralRetryMin, Max: s.cfg.ReferralRetryMax})
		return nil
	})
	g.Go(func() error { adapters.FollowEducation(gctx, s.js, s.log, s.following, s.App.FollowCourse); return nil })
	err := g.Wait()
	s.follower.Stop()
	if closeErr := s.education.Close(); closeErr != nil {
		s.log.Warn("closing the education connection", "error", closeErr)
	}
	if drainErr := s.nc.Drain(); drainErr != nil {
		s.log.Warn("draining NATS", "error", drainErr)
	}
	s.log.Info("stopped")
	return err
}

// checkOverdue flags overdue cases at start and then every interval.
func (s *Service) checkOverdue(ctx context.Context) {
	t := time.NewTicker(s.cfg.OverdueInterval)
	defer t.Stop()
	for {
		n, err := s.App.FlagOverdue(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			s.log.Warn("overdue check failed; next try at the next interval", "error", err)
		case n > 0:
			s.log.Info("cases flagged overdue", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
