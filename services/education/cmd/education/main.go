// Command education runs the education service alone against a NATS server.
package main

import (
	"context"
	"log/slog"
	_ "time/tzdata" // Europe/Berlin in images without zoneinfo

	"github.com/integrationsplan/integrationsplan/platform/process"
	"github.com/integrationsplan/integrationsplan/services/education/service"
)

type config struct {
	service.Config
	process.Logging
}

func main() {
	var cfg config
	process.Main(service.Name, &cfg, func(ctx context.Context, log *slog.Logger) error {
		svc, err := service.Start(ctx, cfg.Config, log)
		if err != nil {
			return err
		}
		return svc.Serve(ctx)
	})
}
