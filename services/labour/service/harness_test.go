package service_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/natstest"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	"github.com/integrationsplan/integrationsplan/services/labour/service"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// harness is a labour service on free ports against an embedded NATS
// server, and a gRPC client for it.
type harness struct {
	t      testing.TB
	nats   *natstest.Server
	svc    *service.Service
	client pb.LabourServiceClient
	stream jetstream.Stream
	js     jetstream.JetStream
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
		GRPCAddr: "127.0.0.1:0", AdminAddr: "127.0.0.1:0", NATSURL: ns.ClientURL(), StreamReplicas: 1,
		EducationAddr: unusedAddr(t), EducationTimeout: 2 * time.Second,
		ReferralRetryMin: 20 * time.Millisecond, ReferralRetryMax: 200 * time.Millisecond,
		OverdueInterval: time.Hour, ShutdownTimeout: 5 * time.Second,
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
	h := &harness{t: t, nats: ns, svc: svc, client: pb.NewLabourServiceClient(conn), stream: stream, js: js}
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

// unusedAddr is a loopback address nothing listens on (for now).
func unusedAddr(t testing.TB) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	return addr
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

// events returns every stored event's subject and payload bytes.
func (h *harness) events() []*jetstream.RawStreamMsg {
	h.t.Helper()
	var out []*jetstream.RawStreamMsg
	for seq := uint64(1); seq <= h.lastSeq(); seq++ {
		m, err := h.stream.GetMsg(context.Background(), seq)
		if err != nil {
			h.t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// eventsNamed counts stored events of one kind (the subject's last token).
func (h *harness) eventsNamed(name string) int {
	n := 0
	for _, m := range h.events() {
		if len(m.Subject) > len(name) && m.Subject[len(m.Subject)-len(name)-1:] == "."+name {
			n++
		}
	}
	return n
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// eventually polls cond until it holds or ten seconds passed.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// wantStatus checks the code and, for INVALID_ARGUMENT, that a field
// violation names field.
func wantStatus(t *testing.T, err error, code codes.Code, field string) *status.Status {
	t.Helper()
	st, _ := status.FromError(err)
	if st.Code() != code {
		t.Fatalf("got %v %q, want %v", st.Code(), st.Message(), code)
	}
	if field == "" {
		return st
	}
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				if v.GetField() == field {
					return st
				}
			}
			t.Fatalf("field violations %v do not name %q", br.GetFieldViolations(), field)
		}
	}
	t.Fatalf("no BadRequest details naming %q in %v", field, st.Details())
	return st
}

// errorInfo returns the ErrorInfo detail of an error status.
func errorInfo(t *testing.T, err error) *errdetails.ErrorInfo {
	t.Helper()
	st, _ := status.FromError(err)
	for _, d := range st.Details() {
		if ei, ok := d.(*errdetails.ErrorInfo); ok {
			return ei
		}
	}
	t.Fatalf("no ErrorInfo in %v", err)
	return nil
}
