// Package natstest starts an embedded, file-backed NATS server for tests.
package natstest

import (
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/integrationsplan/integrationsplan/platform/natsembed"
)

// Server is a running test server.
type Server struct {
	*server.Server
	// Dir is its store directory; a restart on it keeps the data.
	Dir string
}

// Start runs a server on a free loopback port with its store in a temporary
// directory; the test's cleanup shuts it down.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartIn(t, t.TempDir())
}

// StartIn runs a server whose store is dir, e.g. to restart on old data.
func StartIn(t testing.TB, dir string) *Server {
	t.Helper()
	srv, err := natsembed.Start(natsembed.Config{Host: "127.0.0.1", Port: -1, StoreDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	return &Server{Server: srv, Dir: dir}
}

// Connect opens a client connection and a JetStream context; the test's
// cleanup closes them.
func (s *Server) Connect(t testing.TB) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}
