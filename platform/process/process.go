// Package process is what every binary's main does first: read the
// configuration from environment variables and flags (validated, logged
// without secrets), build the logger, set up tracing, and turn SIGINT and
// SIGTERM into a cancelled context for a graceful shutdown.
package process

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"reflect"
	"regexp"
	"strings"
	"syscall"

	"github.com/ardanlabs/conf/v3"

	"github.com/integrationsplan/integrationsplan/platform/logging"
	"github.com/integrationsplan/integrationsplan/platform/telemetry"
)

// version and revision identify the build; the image build sets them with
// -ldflags "-X github.com/integrationsplan/integrationsplan/platform/process.version=…".
var version, revision = "dev", "unknown"

// Logging is the part of every configuration that sets up the logger; embed
// it in a binary's configuration struct.
type Logging struct {
	LogFormat string `conf:"default:text,env:LOG_FORMAT,help:json or text"`
	LogLevel  string `conf:"default:info,env:LOG_LEVEL,help:debug|info|warn|error"`
}

func (l *Logging) logging() *Logging { return l }

// Config is a configuration struct embedding Logging; fields tagged
// `conf:"mask"` are not logged.
type Config interface{ logging() *Logging }

// Main parses cfg, then calls run until it returns or a signal cancels its
// context, and exits with status 1 and the error if run failed.
func Main(name string, cfg Config, run func(ctx context.Context, log *slog.Logger) error) {
	if err := start(name, cfg, run); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

func start(name string, cfg Config, run func(context.Context, *slog.Logger) error) error {
	if help, err := conf.Parse("", cfg); err != nil {
		if errors.Is(err, conf.ErrHelpWanted) {
			fmt.Println(help)
			return nil
		}
		return fmt.Errorf("%s: %w (--help lists every variable)", envName(cfg, err), err)
	}
	l := cfg.logging()
	log, err := logging.New(os.Stderr, l.LogFormat, l.LogLevel)
	if err != nil {
		return fmt.Errorf("LOG_FORMAT/LOG_LEVEL: %w", err)
	}
	log.Info("starting", "version", version, "revision", revision)
	if out, err := conf.String(cfg); err == nil {
		log.Info("configuration", "config", "\n"+out)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	shutdownTracing, exporting, err := telemetry.Setup(ctx, name)
	if err != nil {
		return err
	}
	defer func() {
		if err := shutdownTracing(context.Background()); err != nil {
			log.Warn("flushing traces", "error", err)
		}
	}()
	log.Info("tracing", "otlp_export", exporting)
	return run(ctx, log)
}

var fieldInError = regexp.MustCompile(`field (\w+)`)

// envName names the environment variable of the field conf could not parse,
// which is what an operator sets; conf's error names the Go field.
func envName(cfg any, err error) string {
	m := fieldInError.FindStringSubmatch(err.Error())
	if m == nil {
		return "configuration"
	}
	f, ok := reflect.TypeOf(cfg).Elem().FieldByName(m[1])
	if !ok {
		return m[1]
	}
	for _, part := range strings.Split(f.Tag.Get("conf"), ",") {
		if name, ok := strings.CutPrefix(part, "env:"); ok {
			return name
		}
	}
	return m[1]
}
