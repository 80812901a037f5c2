// Command local runs the whole system on one machine: an embedded NATS
// server with its data in INTEGRATIONSPLAN_DATA_DIR, every service and the
// gateway, with the Beispieldaten loaded. `make run` starts it.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sync/errgroup"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/integrationsplan/integrationsplan/platform/natsembed"
	"github.com/integrationsplan/integrationsplan/platform/principal"
	"github.com/integrationsplan/integrationsplan/platform/process"
	education "github.com/integrationsplan/integrationsplan/services/education/service"
	"github.com/integrationsplan/integrationsplan/services/gateway/catalog"
	gateway "github.com/integrationsplan/integrationsplan/services/gateway/service"
	labour "github.com/integrationsplan/integrationsplan/services/labour/service"
	measures "github.com/integrationsplan/integrationsplan/services/measures/service"
)

type config struct {
	DataDir       string `conf:"default:data,env:INTEGRATIONSPLAN_DATA_DIR,help:where the embedded NATS server and the example credentials are kept"`
	NATSAddr      string `conf:"default:127.0.0.1,env:NATS_HOST,help:embedded NATS listen host"`
	NATSPort      int    `conf:"default:7222,env:NATS_PORT,help:embedded NATS client port"`
	MeasuresGRPC  string `conf:"default:127.0.0.1:7101,env:MEASURES_GRPC_ADDR,help:measures gRPC listen address"`
	MeasuresAdm   string `conf:"default:127.0.0.1:7201,env:MEASURES_ADMIN_ADDR,help:measures metrics and pprof listen address"`
	EducationGRPC string `conf:"default:127.0.0.1:7102,env:EDUCATION_GRPC_ADDR,help:education gRPC listen address"`
	EducationAdm  string `conf:"default:127.0.0.1:7202,env:EDUCATION_ADMIN_ADDR,help:education metrics and pprof listen address"`
	LabourGRPC    string `conf:"default:127.0.0.1:7103,env:LABOUR_GRPC_ADDR,help:labour gRPC listen address"`
	LabourAdm     string `conf:"default:127.0.0.1:7203,env:LABOUR_ADMIN_ADDR,help:labour metrics and pprof listen address"`
	GatewayGRPC   string `conf:"default:127.0.0.1:7443,env:GATEWAY_GRPC_ADDR,help:gateway gRPC listen address"`
	GatewayAdm    string `conf:"default:127.0.0.1:7280,env:GATEWAY_ADMIN_ADDR,help:gateway metrics and pprof listen address"`
	GatewayHTTP   string `conf:"default:127.0.0.1:7080,env:GATEWAY_HTTP_ADDR,help:gateway JSON and Server-Sent Events listen address"`
	RedisURL      string `conf:"env:REDIS_URL,mask,help:Redis for the gateway's rate limits and idempotency keys; empty keeps them in process"`
	ExampleData   bool   `conf:"default:true,env:EXAMPLE_DATA,help:load the Beispieldaten"`
	process.Logging
}

func main() {
	var cfg config
	process.Main("integrationsplan", &cfg, func(ctx context.Context, log *slog.Logger) error { return run(ctx, cfg, log) })
}

func run(ctx context.Context, cfg config, log *slog.Logger) error {
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return fmt.Errorf("INTEGRATIONSPLAN_DATA_DIR: %w", err)
	}
	ns, err := natsembed.Start(natsembed.Config{
		Host: cfg.NATSAddr, Port: cfg.NATSPort, StoreDir: filepath.Join(dataDir, "nats"), ServerName: "local", Logger: log,
	})
	if err != nil {
		return fmt.Errorf("embedded NATS on %s:%d (set NATS_PORT to use another port): %w", cfg.NATSAddr, cfg.NATSPort, err)
	}
	defer func() { ns.Shutdown(); ns.WaitForShutdown() }()
	natsURL := ns.ClientURL()

	backends := map[string]string{
		"integration.measures.v1": cfg.MeasuresGRPC, "integration.education.v1": cfg.EducationGRPC, "integration.labour.v1": cfg.LabourGRPC,
	}
	packages := make([]string, 0, len(backends))
	var backendList []string
	for pkg, addr := range backends {
		packages = append(packages, pkg)
		backendList = append(backendList, pkg+"="+addr)
	}
	// The example partners get their scopes from every RPC they may call,
	// the gateway's own (event subscriptions) included.
	cat, err := catalog.Load(protoregistry.GlobalFiles, append(packages, catalog.GatewayPackage))
	if err != nil {
		return err
	}
	creds, err := ensureCredentials(filepath.Join(dataDir, "gateway"), cat)
	if err != nil {
		return fmt.Errorf("example credentials: %w", err)
	}
	// Locally the services also take calls without a principal (direct
	// grpcurl); through the gateway they check the one it signs.
	principals := principal.Settings{PrincipalKeys: creds.PrincipalKey}

	var mc measures.Config
	var ec education.Config
	var lc labour.Config
	var gc gateway.Config
	for _, c := range []any{&mc, &ec, &lc, &gc} {
		if err := process.Defaults(c); err != nil {
			return err
		}
	}
	mc.GRPCAddr, mc.AdminAddr, mc.NATSURL, mc.ExampleData, mc.Settings = cfg.MeasuresGRPC, cfg.MeasuresAdm, natsURL, cfg.ExampleData, principals
	ec.GRPCAddr, ec.AdminAddr, ec.NATSURL, ec.ExampleData, ec.Settings = cfg.EducationGRPC, cfg.EducationAdm, natsURL, cfg.ExampleData, principals
	lc.GRPCAddr, lc.AdminAddr, lc.NATSURL, lc.ExampleData, lc.Settings = cfg.LabourGRPC, cfg.LabourAdm, natsURL, cfg.ExampleData, principals
	lc.EducationAddr = cfg.EducationGRPC
	// Labour calls education in its own name, signed with a key of its own
	// that education accepts only for labour's partner and scopes; a fresh
	// one per launch will do, as its principals live seconds.
	labourKey := principal.NewKey()
	lc.ServicePrincipalKey = labourKey
	ec.ServiceKeys = labour.EducationServiceKey(labourKey)
	gc.GRPCAddr, gc.AdminAddr, gc.HTTPAddr, gc.NATSURL = cfg.GatewayGRPC, cfg.GatewayAdm, cfg.GatewayHTTP, natsURL
	gc.Backends, gc.PartnersFile, gc.PrincipalKeys = strings.Join(backendList, ";"), creds.PartnersFile, creds.PrincipalKey
	gc.RedisURL, gc.RedisPrefix = cfg.RedisURL, "integrationsplan:local:"
	gc.EventServices = "measures;education;labour"
	gc.DashboardAnonymous = true // local example mode: the dashboard reads without login

	m, err := measures.Start(ctx, mc, log)
	if err != nil {
		return err
	}
	e, err := education.Start(ctx, ec, log)
	if err != nil {
		return err
	}
	l, err := labour.Start(ctx, lc, log)
	if err != nil {
		return err
	}
	g, err := gateway.Start(ctx, gc, log)
	if err != nil {
		return err
	}

	fmt.Printf(`
Integrationsplan läuft (Beispieldaten: %v). Daten: %s

  gateway gRPC        %s      the public entry: API key required
  dashboard           http://%s/   (German; example mode without login)
  gateway HTTP        JSON (POST /<service>/<method>) and /v1/events (SSE) on the same port
  measures gRPC       %s      direct, for development
  education gRPC      %s      direct, for development
  labour gRPC         %s      direct, for development
  NATS (embedded)     %s
  metrics             http://%s/metrics  http://%s/metrics
                      http://%s/metrics  http://%s/metrics

Example API keys (Beispieldaten, kept in %s):
  beispiel-landkreis  (all scopes)                 %s
  beispiel-backnang   (reads, its own adoptions)   %s
  beispiel-dashboard  (reads only)                 %s
  beispiel-datenschutz (audit of personal data)    %s

Try:
  grpcurl -plaintext -H 'authorization: Bearer %s' %s list
  grpcurl -plaintext -H 'authorization: Bearer %s' -d '{"parent":"measures/m-1-3"}' %s integration.measures.v1.MeasureService/ListAdoptions
  nats sub 'integration.>' --stream INTEGRATION_MEASURES --new --server %s

Ctrl-C stops everything gracefully.

`, cfg.ExampleData, dataDir, g.GRPCAddr(), cfg.GatewayHTTP, m.GRPCAddr(), e.GRPCAddr(), l.GRPCAddr(), natsURL,
		m.AdminAddr(), e.AdminAddr(), l.AdminAddr(), g.AdminAddr(), filepath.Join(dataDir, "gateway"),
		creds.Keys["beispiel-landkreis"], creds.Keys["beispiel-backnang"], creds.Keys["beispiel-dashboard"], creds.Keys["beispiel-datenschutz"],
		creds.Keys["beispiel-dashboard"], g.GRPCAddr(), creds.Keys["beispiel-dashboard"], g.GRPCAddr(), natsURL)

	group, gctx := errgroup.WithContext(ctx)
	group.Go(func() error { return g.Serve(gctx) })
	group.Go(func() error { return m.Serve(gctx) })
	group.Go(func() error { return e.Serve(gctx) })
	group.Go(func() error { return l.Serve(gctx) })
	return group.Wait()
}
