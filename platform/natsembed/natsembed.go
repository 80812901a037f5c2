// Package natsembed runs a NATS server with JetStream inside the process, for
// the local launcher and for tests. Its file store syncs every write to disk
// before the server acknowledges it: with the server's default (a sync every
// two minutes) an acknowledged write can be lost when the machine crashes.
package natsembed

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Config says where the server listens and keeps its data.
type Config struct {
	// Host and Port of the client listener; Port -1 picks a free port.
	Host string
	Port int
	// StoreDir holds the JetStream file store.
	StoreDir string
	// ServerName names the node; it must be stable across restarts of a cluster node.
	ServerName string
	// Cluster joins this node into a cluster when ClusterPort is set.
	ClusterName string
	ClusterPort int
	// Routes are the other nodes' cluster URLs (nats-route://host:port).
	Routes []string
	// Logger receives the server's log; nil discards it.
	Logger *slog.Logger
}

// Start starts the server and waits until it accepts clients.
func Start(cfg Config) (*server.Server, error) {
	if cfg.StoreDir == "" {
		return nil, errors.New("natsembed: StoreDir is required")
	}
	opts := &server.Options{
		ServerName:   cfg.ServerName,
		Host:         cfg.Host,
		Port:         cfg.Port,
		JetStream:    true,
		StoreDir:     cfg.StoreDir,
		SyncAlways:   true,
		SyncInterval: 2 * time.Minute, // only used for metadata when SyncAlways is set
		NoSigs:       true,
		NoLog:        cfg.Logger == nil,
	}
	if cfg.ClusterPort != 0 {
		opts.Cluster = server.ClusterOpts{Name: cfg.ClusterName, Host: cfg.Host, Port: cfg.ClusterPort}
		opts.Routes = server.RoutesFromStr(strings.Join(cfg.Routes, ","))
	}
	if cfg.Port > 0 {
		// The server only logs a taken port and then never becomes ready;
		// asking first gives the caller a clear error at once.
		l, err := net.Listen("tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
		if err != nil {
			return nil, fmt.Errorf("natsembed: %w", err)
		}
		l.Close()
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("natsembed: %w", err)
	}
	if cfg.Logger != nil {
		srv.SetLoggerV2(slogAdapter{cfg.Logger.With("component", "nats-server")}, false, false, false)
	}
	srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("natsembed: server on %s:%d not ready within 30s", cfg.Host, cfg.Port)
	}
	return srv, nil
}

// slogAdapter forwards the server's log lines to slog.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Noticef(format string, v ...any) { a.l.Debug(fmt.Sprintf(format, v...)) }
func (a slogAdapter) Warnf(format string, v ...any)   { a.l.Warn(fmt.Sprintf(format, v...)) }
func (a slogAdapter) Fatalf(format string, v ...any)  { a.l.Error(fmt.Sprintf(format, v...)) }
func (a slogAdapter) Errorf(format string, v ...any)  { a.l.Error(fmt.Sprintf(format, v...)) }
func (a slogAdapter) Debugf(format string, v ...any)  { a.l.Debug(fmt.Sprintf(format, v...)) }
func (a slogAdapter) Tracef(format string, v ...any)  { a.l.Debug(fmt.Sprintf(format, v...)) }
