// Command measures runs the measures service alone against a NATS server.
// `measures import FILE [ADDR]` imports a plan file through a running service.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"
	_ "time/tzdata" // Europe/Berlin in images without zoneinfo

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/integrationsplan/integrationsplan/platform/process"
	measuresv1 "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/measures/service"
)

type config struct {
	service.Config
	process.Logging
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "import" {
		if err := runImport(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "measures import:", err)
			os.Exit(1)
		}
		return
	}
	var cfg config
	process.Main(service.Name, &cfg, func(ctx context.Context, log *slog.Logger) error {
		svc, err := service.Start(ctx, cfg.Config, log)
		if err != nil {
			return err
		}
		return svc.Serve(ctx)
	})
}

// runImport sends a plan file to a running service.
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
	fmt.Printf("actors: %d created, %d unchanged; measures: %d created, %d unchanged\n",
		res.GetActorsCreated(), res.GetActorsUnchanged(), res.GetMeasuresCreated(), res.GetMeasuresUnchanged())
	return nil
}
