package dashboard_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	mpb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/gateway/dashboard"
)

// TestOwnRateLimit: the dashboard's reads count in a rate limit class of
// their own, so a partner's API calls do not lock its dashboard viewers
// out, nor do the viewers use up its API reads; that class is limited
// too, and a partner cannot claim it by sending the header.
func TestOwnRateLimit(t *testing.T) {
	// Allowances that do not refill while the test runs. The live
	// connection reads once, the overview four times (measures, actors,
	// adoptions, report).
	s := startStack(t, stackOptions{rateLimits: "read=1/h:5,dashboard=1/h:9,write=100/s:200,admin=100/s:200"})
	listActors := func(kv ...string) error {
		_, err := s.measures.ListActors(s.as(viewer, kv...), &mpb.ListActorsRequest{})
		return err
	}
	for i := range 5 {
		if err := listActors(); err != nil {
			t.Fatalf("API read %d: %v", i+1, err)
		}
	}
	if err := listActors(); status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("API read beyond the allowance: %v, want RESOURCE_EXHAUSTED", err)
	}

	c := client(t)
	s.login(t, c, s.keys[viewer], "/")
	// The live connection of the session counts as the dashboard's too.
	ctx, cancel := context.WithCancel(context.Background())
	live, err := http.NewRequestWithContext(ctx, http.MethodGet, s.httpURL+"/v1/events?services=measures", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(live)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("the session's live connection with the API reads used up: %d %s", resp.StatusCode, body)
	}
	cancel()
	resp.Body.Close()
	for i := range 2 {
		resp, body := s.get(t, c, "/")
		if resp.StatusCode != 200 || !strings.Contains(body, `id="z-m-1-3--backnang"`) || strings.Contains(body, "Zu viele Abfragen") {
			t.Fatalf("page load %d with the API reads used up: %d, matrix missing or refused:\n%s", i+1, resp.StatusCode, body)
		}
	}
	if _, body := s.get(t, c, "/"); !strings.Contains(body, "Zu viele Abfragen in kurzer Zeit") {
		t.Fatalf("the dashboard's own allowance is unlimited: third page load shows\n%s", body)
	}
	// The live script's re-fetch is refused outright, so the page keeps
	// its figures and the time they are from.
	req, err := http.NewRequest(http.MethodGet, s.httpURL+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Dashboard-Live", "1")
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("live re-fetch without data: %d, want 503", resp.StatusCode)
	}

	if err := listActors(dashboard.CallMarkHeader, "erraten"); status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("API read with a made-up dashboard mark: %v, want RESOURCE_EXHAUSTED", err)
	}
}
