// Command measures runs the measures service alone against a NATS server.
// `measures import FILE` imports a plan file through a running service.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // Europe/Berlin in images without zoneinfo

	"github.com/ardanlabs/conf/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/integrationsplan/integrationsplan/platform/logging"
	"github.com/integrationsplan/integrationsplan/platform/telemetry"
	measuresv1 "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/measures/service"
)

type config struct {
	service.Config
	LogFormat string `conf:"default:text,env:LOG_FORMAT,help:json or text"`
	LogLevel  string `conf:"default:info,env:LOG_LEVEL,help:debug, info, warn or error"`
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "measures:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) > 0 && args[0] == "import" {
		return runImport(args[1:])
	}
	var cfg config
	if help, err := conf.Parse("", &cfg); err != nil {
		if errors.Is(err, conf.ErrHelpWanted) {
			fmt.Println(help)
			return nil
		}
		return err
	}
	log, err := logging.New(os.Stderr, cfg.LogFormat, cfg.LogLevel)
	if err != nil {
		return err
	}
	if out, err := conf.String(&cfg); err == nil {
		log.Info("configuration", "config", "\n"+out)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	shutdownTracing, exporting, err := telemetry.Setup(ctx, service.Name)
	if err != nil {
		return err
	}
	defer shutdownTracing(context.Background())
	log.Info("tracing", "otlp_export", exporting)
	svc, err := service.Start(ctx, cfg.Config, log)
	if err != nil {
		return err
	}
	return svc.Serve(ctx)
}

// runImport sends a plan file to a running service: measures import FILE [ADDR].
func runImport(args []string) error {
	if len(args) < 1 || len(args) > 2 {
		return errors.New("usage: measures import FILE [ADDR, default 127.0.0.1:7101]")
	}
	content, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	addr := "127.0.0.1:7101"
	if len(args) == 2 {
		addr = args[1]
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := measuresv1.NewMeasureServiceClient(conn).ImportPlan(ctx, &measuresv1.ImportPlanRequest{Content: content})
	if err != nil {
		return err
	}
	slog.Info("imported", "actors_created", res.GetActorsCreated(), "actors_unchanged", res.GetActorsUnchanged(),
		"measures_created", res.GetMeasuresCreated(), "measures_unchanged", res.GetMeasuresUnchanged())
	return nil
}
