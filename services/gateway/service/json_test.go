package service_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// post calls an RPC over JSON/HTTP as a partner without gRPC would.
func post(t *testing.T, gw *gateway, method, key, body string, headers ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, gw.httpURL+"/"+method, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestJSON goes through the JSON/HTTP routes: the same authentication,
// scopes, object rights and idempotency keys as over gRPC, protojson names.
func TestJSON(t *testing.T) {
	s := startSystem(t)
	cfg := s.config()
	cfg.RateLimits = "read=1/h:5,write=100/s:100,admin=100/s:100"
	gw := s.startGateway(cfg)
	s.fixture(gw)
	const list = "integration.measures.v1.MeasureService/ListMeasures"
	const set = "integration.measures.v1.MeasureService/SetAdoptionStatus"

	resp, body := post(t, gw, list, s.keys[reader], `{"topic_field":"TOPIC_FIELD_LABOUR_MARKET"}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	var listed struct {
		Measures []struct {
			Name       string `json:"name"`
			Number     string `json:"number"`
			TopicField string `json:"topicField"`
		} `json:"measures"`
	}
	if err := json.Unmarshal([]byte(body), &listed); err != nil || len(listed.Measures) != 1 ||
		listed.Measures[0].Name != m25 || listed.Measures[0].TopicField != "TOPIC_FIELD_LABOUR_MARKET" {
		t.Fatalf("%s: %v", body, err)
	}

	for name, tc := range map[string]struct {
		method, key, body string
		status            int
	}{
		"no key":         {list, "", `{}`, http.StatusUnauthorized},
		"unknown field":  {list, s.keys[reader], `{"nonsense":1}`, http.StatusBadRequest},
		"not json":       {list, s.keys[reader], `{`, http.StatusBadRequest},
		"missing scope":  {set, s.keys[reader], `{"name":"measures/m-2-5/adoptions/backnang","status":"ADOPTION_STATUS_CONSIDERING"}`, http.StatusForbidden},
		"another's":      {set, s.keys[backnang], `{"name":"measures/m-2-5/adoptions/landkreis","status":"ADOPTION_STATUS_CONSIDERING"}`, http.StatusForbidden},
		"no such rpc":    {"integration.measures.v1.MeasureService/Nothing", s.keys[reader], `{}`, http.StatusNotFound},
		"bad transition": {set, s.keys[backnang], `{"name":"measures/m-2-5/adoptions/backnang","status":"ADOPTION_STATUS_IMPLEMENTED"}`, http.StatusBadRequest},
	} {
		resp, body := post(t, gw, tc.method, tc.key, tc.body)
		if resp.StatusCode != tc.status || !strings.Contains(body, `"message"`) {
			t.Errorf("%s: %d %s", name, resp.StatusCode, body)
		}
	}

	// A retried mutation with the same Idempotency-Key has one effect.
	before := s.lastSeq()
	setBody := `{"name":"measures/m-2-5/adoptions/backnang","status":"ADOPTION_STATUS_CONSIDERING","deciding_body":"Gemeinderat","decidedOn":"2024-02-01"}`
	r1, b1 := post(t, gw, set, s.keys[backnang], setBody, "Idempotency-Key", "json-1")
	r2, b2 := post(t, gw, set, s.keys[backnang], setBody, "Idempotency-Key", "json-1")
	if r1.StatusCode != http.StatusOK || r2.StatusCode != http.StatusOK || b1 != b2 || r2.Header.Get("Idempotent-Replayed") != "true" || r1.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("%d %s / %d %s %v", r1.StatusCode, b1, r2.StatusCode, b2, r2.Header)
	}
	if after := s.lastSeq(); after != before+1 {
		t.Fatalf("two calls with one key had %d effects", after-before)
	}
	if !strings.Contains(b1, `"status":"ADOPTION_STATUS_CONSIDERING"`) {
		t.Fatalf("response %s", b1)
	}

	// The read limit (5 in the burst) counts JSON calls like gRPC calls.
	var last *http.Response
	for range 6 {
		last, body = post(t, gw, list, s.keys[reader], `{}`)
	}
	if last.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("past the limit: %d %s", last.StatusCode, body)
	}
}
