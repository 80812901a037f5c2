package proxy

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/integrationsplan/integrationsplan/platform/grpcserver"
	"github.com/integrationsplan/integrationsplan/services/gateway/catalog"
)

// backend is a health server that reports what its Check calls carried.
type backend struct {
	*health.Server
	calls chan metadata.MD
}

func (b *backend) Check(ctx context.Context, req *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	if dl, ok := ctx.Deadline(); ok {
		md = md.Copy()
		md.Set("seen-deadline", time.Until(dl).String())
	}
	b.calls <- md
	if req.GetService() == "broken" {
		return nil, status.Error(codes.FailedPrecondition, "broken on purpose")
	}
	_ = grpc.SetHeader(ctx, metadata.Pairs("from-backend", "yes"))
	return b.Server.Check(ctx, req)
}

func serve(t *testing.T, register func(*grpc.Server), opts ...grpc.ServerOption) (string, *grpc.Server) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(opts...)
	register(srv)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return lis.Addr().String(), srv
}

// TestForwarding runs the proxy in front of a gRPC health server, whose
// package stands in for a backend's: unary and server-streaming calls,
// metadata, deadlines and errors.
func TestForwarding(t *testing.T) {
	be := &backend{Server: health.NewServer(), calls: make(chan metadata.MD, 10)}
	be.SetServingStatus("measures", healthpb.HealthCheckResponse_SERVING)
	backendAddr, backendServer := serve(t, func(s *grpc.Server) { healthpb.RegisterHealthServer(s, be) })

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cat, err := catalog.Load(protoregistry.GlobalFiles, []string{"grpc.health.v1"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Dial("grpc.health.v1", backendAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	p, err := New(Config{
		Catalog: cat, Backends: []*Backend{b}, Timeout: time.Minute, Logger: log,
		Outgoing: func(_ context.Context, _ catalog.Method, in metadata.MD) (metadata.MD, error) {
			delete(in, "secret")
			in.Set("added", "by-gateway")
			return in, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	// As in the gateway, the shared server maps errors to statuses.
	mapErrors := grpc.StreamInterceptor(func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		return grpcserver.Status(log, info.FullMethod, handler(srv, ss))
	})
	proxyAddr, _ := serve(t, func(s *grpc.Server) { p.Register(s) }, mapErrors)
	conn, err := grpc.NewClient(proxyAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	client := healthpb.NewHealthClient(conn)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var header metadata.MD
	res, err := client.Check(metadata.AppendToOutgoingContext(ctx, "secret", "s3cr3t", "x-request-id", "r-1"),
		&healthpb.HealthCheckRequest{Service: "measures"}, grpc.Header(&header))
	if err != nil || res.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("Check: %v, %v", res, err)
	}
	seen := <-be.calls
	if len(seen.Get("secret")) != 0 || seen.Get("added")[0] != "by-gateway" || seen.Get("x-request-id")[0] != "r-1" {
		t.Fatalf("backend saw metadata %v", seen)
	}
	if d, err := time.ParseDuration(seen.Get("seen-deadline")[0]); err != nil || d > 5*time.Second || d < time.Second {
		t.Fatalf("backend saw deadline %v, want the caller's 5s", seen.Get("seen-deadline"))
	}
	if header.Get("from-backend")[0] != "yes" {
		t.Fatalf("response header %v", header)
	}
	_, err = client.Check(ctx, &healthpb.HealthCheckRequest{Service: "broken"})
	if st, _ := status.FromError(err); st.Code() != codes.FailedPrecondition || st.Message() != "broken on purpose" {
		t.Fatalf("error %v", err)
	}
	<-be.calls

	// Server streaming: the backend's updates arrive as they happen.
	watch, err := client.Watch(ctx, &healthpb.HealthCheckRequest{Service: "measures"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []healthpb.HealthCheckResponse_ServingStatus{healthpb.HealthCheckResponse_SERVING, healthpb.HealthCheckResponse_NOT_SERVING} {
		got, err := watch.Recv()
		if err != nil || got.GetStatus() != want {
			t.Fatalf("watch: %v, %v; want %v", got, err, want)
		}
		be.SetServingStatus("measures", healthpb.HealthCheckResponse_NOT_SERVING)
	}

	// A backend that is gone fails fast with UNAVAILABLE.
	backendServer.Stop()
	_, err = client.Check(ctx, &healthpb.HealthCheckRequest{Service: "measures"})
	if st, _ := status.FromError(err); st.Code() != codes.Unavailable || st.Message() != "the grpc.health.v1 service is unavailable; retry later" {
		t.Fatalf("backend down: %v", err)
	}
}
