package grpcclient_test

import (
	"context"
	"net"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/integrationsplan/integrationsplan/platform/grpcclient"
)

func TestCallsAreCountedPerMethodAndCode(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)

	reg := prometheus.NewRegistry()
	var clients []healthpb.HealthClient
	for range 2 { // two clients of one process share the metrics
		opts, err := grpcclient.Instrumentation(reg)
		if err != nil {
			t.Fatal(err)
		}
		conn, err := grpc.NewClient(lis.Addr().String(), append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		clients = append(clients, healthpb.NewHealthClient(conn))
	}
	for _, c := range clients {
		if _, err := c.Check(context.Background(), &healthpb.HealthCheckRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := clients[0].Check(context.Background(), &healthpb.HealthCheckRequest{Service: "unknown"}); err == nil {
		t.Fatal("unknown service answered")
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "grpc_client_handled_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			counts[labels["grpc_method"]+" "+labels["grpc_code"]] += m.GetCounter().GetValue()
		}
	}
	if counts["Check OK"] != 2 || counts["Check NotFound"] != 1 {
		t.Errorf("grpc_client_handled_total by method and code: %v, want Check OK 2 and Check NotFound 1", counts)
	}
	if n := testutil.CollectAndCount(reg, "grpc_client_handling_seconds"); n == 0 {
		t.Error("no client handling-time histogram")
	}
}
