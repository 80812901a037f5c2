package service_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
)

func TestAdminServesMetricsAndPprof(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	fixture(t, h)
	_, _ = h.client.CreateMeasure(ctx(t), &pb.CreateMeasureRequest{Measure: measure25()}) // a conflict to count
	body := get(t, "http://"+h.svc.AdminAddr()+"/metrics")
	for _, want := range []string{
		`integrationsplan_eventstore_append_seconds_count{outcome="ok",service="measures"} 4`,
		`integrationsplan_readmodel_applied_sequence{service="measures"} 4`,
		`integrationsplan_readmodel_lag_events{service="measures"} 0`,
		`grpc_server_handled_total{grpc_code="AlreadyExists",grpc_method="CreateMeasure",grpc_service="integration.measures.v1.MeasureService",grpc_type="unary"} 1`,
		`grpc_server_handling_seconds_bucket`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if !strings.Contains(get(t, "http://"+h.svc.AdminAddr()+"/debug/pprof/"), "goroutine") {
		t.Error("pprof index missing on the admin port")
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}
