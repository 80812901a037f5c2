// Command education runs the education service alone against a NATS server.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Europe/Berlin in images without zoneinfo

	"github.com/ardanlabs/conf/v3"

	"github.com/integrationsplan/integrationsplan/platform/logging"
	"github.com/integrationsplan/integrationsplan/services/education/service"
)

type config struct {
	service.Config
	LogFormat string `conf:"default:text,env:LOG_FORMAT,help:json or text"`
	LogLevel  string `conf:"default:info,env:LOG_LEVEL,help:debug, info, warn or error"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "education:", err)
		os.Exit(1)
	}
}

func run() error {
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
	svc, err := service.Start(ctx, cfg.Config, log)
	if err != nil {
		return err
	}
	return svc.Serve(ctx)
}
