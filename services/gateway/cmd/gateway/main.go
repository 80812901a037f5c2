// Command gateway runs the public entry to the services.
//
//	gateway                           serve (configuration: --help)
//	gateway keys create --partner ID  make an API key for a partner
//	gateway keys principal            make a key for signing principals
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/integrationsplan/integrationsplan/platform/principal"
	"github.com/integrationsplan/integrationsplan/platform/process"
	"github.com/integrationsplan/integrationsplan/services/gateway/auth"
	"github.com/integrationsplan/integrationsplan/services/gateway/service"
)

type config struct {
	service.Config
	process.Logging
}

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "keys" {
		if err := runKeys(args[1:], os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "gateway:", err)
			os.Exit(1)
		}
		return
	}
	var cfg config
	process.Main("gateway", &cfg, func(ctx context.Context, log *slog.Logger) error {
		svc, err := service.Start(ctx, cfg.Config, log)
		if err != nil {
			return err
		}
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		go func() {
			for range hup {
				if err := svc.ReloadPartners(); err != nil {
					log.Error("partners file not reloaded; the current partners stay", "error", err)
				}
			}
		}()
		return svc.Serve(ctx)
	})
}

func runKeys(args []string, out io.Writer) error {
	const usage = "usage: gateway keys create --partner ID | gateway keys principal"
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch args[0] {
	case "create":
		fs := flag.NewFlagSet("keys create", flag.ContinueOnError)
		partner := fs.String("partner", "", "partner ID as in the partners file")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *partner == "" || fs.NArg() > 0 {
			return errors.New(usage)
		}
		key, hash := auth.NewKey()
		fmt.Fprintf(out, "API key for %s (shown once; give it to the partner, store it nowhere else):\n  %s\n", *partner, key)
		fmt.Fprintf(out, "Add this line under keys: of partner %s in the partners file (at most %d keys; remove the oldest after the partner switched), then send SIGHUP:\n  - %q\n",
			*partner, auth.MaxKeysPerPartner, hash)
		return nil
	case "principal":
		fmt.Fprintf(out, "Principal signing key (set PRINCIPAL_KEYS of the gateway and every service to it; to rotate, list the new key first, then drop the old one):\n  %s\n", principal.NewKey())
		return nil
	}
	return errors.New(usage)
}
