// Command local runs the whole system on one machine: an embedded NATS
// server with its data in INTEGRATIONSPLAN_DATA_DIR and every service, with
// the Beispieldaten loaded. `make run` starts it.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/integrationsplan/integrationsplan/platform/natsembed"
	"github.com/integrationsplan/integrationsplan/platform/process"
	measures "github.com/integrationsplan/integrationsplan/services/measures/service"
)

type config struct {
	DataDir      string `conf:"default:data,env:INTEGRATIONSPLAN_DATA_DIR,help:where the embedded NATS server keeps the event streams"`
	NATSAddr     string `conf:"default:127.0.0.1,env:NATS_HOST,help:embedded NATS listen host"`
	NATSPort     int    `conf:"default:7222,env:NATS_PORT,help:embedded NATS client port"`
	MeasuresGRPC string `conf:"default:127.0.0.1:7101,env:MEASURES_GRPC_ADDR,help:measures gRPC listen address"`
	MeasuresAdm  string `conf:"default:127.0.0.1:7201,env:MEASURES_ADMIN_ADDR,help:measures metrics and pprof listen address"`
	ExampleData  bool   `conf:"default:true,env:EXAMPLE_DATA,help:load the Beispieldaten"`
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

	m, err := measures.Start(ctx, measures.Config{
		GRPCAddr: cfg.MeasuresGRPC, AdminAddr: cfg.MeasuresAdm, NATSURL: natsURL, StreamReplicas: 1,
		ExampleData: cfg.ExampleData, ShutdownTimeout: 10 * time.Second,
	}, log)
	if err != nil {
		return err
	}

	fmt.Printf(`
Integrationsplan läuft (Beispieldaten: %v). Daten: %s

  NATS (embedded)     %s      nats sub 'integration.>' --server %s
  measures gRPC       %s
  measures admin      http://%s/metrics

Try:
  grpcurl -plaintext %s list
  grpcurl -plaintext -d '{"parent":"measures/m-1-3"}' %s integration.measures.v1.MeasureService/ListAdoptions

Ctrl-C stops everything gracefully.

`, cfg.ExampleData, dataDir, natsURL, natsURL, m.GRPCAddr(), m.AdminAddr(), m.GRPCAddr(), m.GRPCAddr())

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return m.Serve(gctx) })
	return g.Wait()
}
