package service_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	pb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/gateway/service"
)

// TestMetricsCountLimitsReplaysAndBackendCalls: after a call over the rate
// limit and a replayed idempotent mutation, the admin port's /metrics shows
// them, and the calls to the backend, labelled without any partner.
func TestMetricsCountLimitsReplaysAndBackendCalls(t *testing.T) {
	s := startSystem(t)
	cfg := s.config()
	cfg.RedisURL, cfg.RedisPrefix = redisURL(t)
	cfg.RateLimits = "read=1/h:1,write=100/s:100,admin=100/s:100"
	gw := s.startGateway(cfg)
	s.fixture(gw)

	if _, err := gw.client.ListMeasures(s.as(reader), &pb.ListMeasuresRequest{}); err != nil {
		t.Fatal(err)
	}
	_, err := gw.client.ListMeasures(s.as(reader), &pb.ListMeasuresRequest{})
	wantCode(t, err, codes.ResourceExhausted)
	for range 2 {
		if _, err := gw.client.SetAdoptionStatus(s.as(backnang, service.IdempotencyKeyHeader, "m-1"), setStatus("backnang", considering)); err != nil {
			t.Fatal(err)
		}
	}

	metrics := scrape(t, "http://"+gw.svc.AdminAddr()+"/metrics")
	for _, want := range []string{
		`integrationsplan_gateway_rate_limit_calls_total{class="read",outcome="allowed"} 1`,
		`integrationsplan_gateway_rate_limit_calls_total{class="read",outcome="limited"} 1`,
		`integrationsplan_gateway_idempotency_calls_total{outcome="first"} 1`,
		`integrationsplan_gateway_idempotency_calls_total{outcome="replayed"} 1`,
		// The first SetAdoptionStatus reached the backend, the replay did not.
		`grpc_client_handled_total{grpc_code="OK",grpc_method="SetAdoptionStatus",grpc_service="integration.measures.v1.MeasureService",grpc_type="unary"} 1`,
	} {
		if !strings.Contains(metrics, want+"\n") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for id := range s.keys {
		if strings.Contains(metrics, `"`+id+`"`) {
			t.Errorf("/metrics names partner %s", id)
		}
	}
}

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %v", url, resp.StatusCode, err)
	}
	return string(body)
}
