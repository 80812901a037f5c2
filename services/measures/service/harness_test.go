package service_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/natstest"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/measures/service"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// harness is a measures service on free ports against an embedded NATS
// server, and a gRPC client for it.
type harness struct {
	t      testing.TB
	nats   *natstest.Server
	svc    *service.Service
	conn   *grpc.ClientConn
	client pb.MeasureServiceClient
	stream jetstream.Stream
	stop   func()
}

func start(t testing.TB, ns *natstest.Server, exampleData bool) *harness {
	t.Helper()
	return startWith(t, ns, func(c *service.Config) { c.ExampleData = exampleData })
}

// startWith starts the service with a configuration that configure adjusts.
func startWith(t testing.TB, ns *natstest.Server, configure func(*service.Config)) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cfg := service.Config{
		GRPCAddr: "127.0.0.1:0", AdminAddr: "127.0.0.1:0", NATSURL: ns.ClientURL(),
		StreamReplicas: 1, ShutdownTimeout: 5 * time.Second,
	}
	configure(&cfg)
	svc, err := service.Start(ctx, cfg, quiet)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Serve(ctx) }()
	conn, err := grpc.NewClient(svc.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	_, js := ns.Connect(t)
	stream, err := js.Stream(context.Background(), eventstore.StreamName(service.Name))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, nats: ns, svc: svc, conn: conn, client: pb.NewMeasureServiceClient(conn), stream: stream}
	stopped := false
	h.stop = func() {
		if stopped {
			return
		}
		stopped = true
		conn.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
	t.Cleanup(h.stop)
	return h
}

// lastSeq is the stream's last sequence, read from the server.
func (h *harness) lastSeq() uint64 {
	h.t.Helper()
	info, err := h.stream.Info(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return info.State.LastSeq
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}
