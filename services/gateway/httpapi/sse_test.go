package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	gatewayv1 "github.com/integrationsplan/integrationsplan/proto/integration/gateway/v1"
)

// endless is a subscription that always has its next event ready, faster
// than any client reads.
type endless struct {
	grpc.ClientStream // only Header and Recv are called
	ctx               context.Context
	seq               uint64
}

func (e *endless) Header() (metadata.MD, error) { return metadata.MD{}, nil }

func (e *endless) Recv() (*gatewayv1.SubscribeResponse, error) {
	if err := e.ctx.Err(); err != nil {
		return nil, status.FromContextError(err).Err()
	}
	e.seq++
	return &gatewayv1.SubscribeResponse{Kind: &gatewayv1.SubscribeResponse_Event{Event: &gatewayv1.Event{
		Service: "measures", Sequence: e.seq, Subject: "integration.measures.measure.m-" + strings.Repeat("x", 1000) + ".changed",
		ResumeToken: fmt.Sprintf("measures:%d", e.seq),
	}}}, nil
}

// endlessEvents serves endless subscriptions and tells when one ends.
type endlessEvents struct{ ended chan struct{} }

func (c *endlessEvents) Subscribe(ctx context.Context, _ *gatewayv1.SubscribeRequest, _ ...grpc.CallOption) (grpc.ServerStreamingClient[gatewayv1.SubscribeResponse], error) {
	context.AfterFunc(ctx, func() { close(c.ended) })
	return &endless{ctx: ctx}, nil
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestSlowSubscriberIsDropped: a client that stops reading while events
// keep coming is dropped once a write waits longer than the timeout, and
// the log says so; its subscription ends with it.
func TestSlowSubscriberIsDropped(t *testing.T) {
	var log syncBuffer
	events := &endlessEvents{ended: make(chan struct{})}
	srv := httptest.NewServer(&sse{client: events, heartbeat: time.Hour, slowClient: 100 * time.Millisecond,
		log: slog.New(slog.NewTextHandler(&log, nil))})
	defer srv.Close()

	// A small receive window, so the server's writes block soon.
	dialer := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var err error
		if cerr := c.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		}); cerr != nil {
			return cerr
		}
		return err
	}}
	conn, err := dialer.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := fmt.Fprint(conn, "GET /v1/events?services=measures HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer k\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	// Reads nothing; the subscription must end without the client's help.
	select {
	case <-events.ended:
	case <-time.After(time.Minute):
		t.Fatal("the slow subscriber was not dropped")
	}
	// net/http cancels the request's context as soon as the write fails,
	// which ends the subscription possibly before the handler logs.
	const dropped = "Server-Sent Events subscriber dropped: it took no data for 100ms"
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(log.String(), dropped); {
		if time.Now().After(deadline) {
			t.Fatalf("log: %s", log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
