package service_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	pb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
)

// sseEvent is one event as a Server-Sent Events client sees it.
type sseEvent struct {
	id, event, data string
}

// sseClient reads a text/event-stream response the way EventSource does.
type sseClient struct {
	t      *testing.T
	resp   *http.Response
	r      *bufio.Reader
	cancel context.CancelFunc
	// comments counts the comment lines (heartbeats) read.
	comments int
}

func openSSE(t *testing.T, gw *gateway, key, query, lastEventID string) (*sseClient, *http.Response) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, gw.httpURL+"/v1/events?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	c := &sseClient{t: t, resp: resp, r: bufio.NewReader(resp.Body), cancel: cancel}
	t.Cleanup(c.close)
	return c, resp
}

// close drops the connection.
func (c *sseClient) close() {
	c.cancel()
	c.resp.Body.Close()
}

// next returns the next event, counting the comments before it.
func (c *sseClient) next() sseEvent {
	c.t.Helper()
	var e sseEvent
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			c.t.Fatalf("reading the event stream: %v", err)
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if e.data != "" || e.event != "" {
				return e
			}
		case strings.HasPrefix(line, ":"):
			c.comments++
		default:
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "id":
				e.id = value
			case "event":
				e.event = value
			case "data":
				if e.data != "" {
					e.data += "\n"
				}
				e.data += value
			}
		}
	}
}

// eventData is the JSON of an event's data field.
type eventData struct {
	Service     string          `json:"service"`
	Sequence    string          `json:"sequence"` // protojson writes uint64 as a string
	Subject     string          `json:"subject"`
	ID          string          `json:"id"`
	Type        string          `json:"type"`
	Source      string          `json:"source"`
	Time        string          `json:"time"`
	ResumeToken string          `json:"resumeToken"`
	Payload     json.RawMessage `json:"payload"`
}

// TestServerSentEvents reads the measures history over SSE, drops the
// connection in the middle, lets more changes happen, and resumes with
// Last-Event-ID: every stored event arrives exactly once, in order.
func TestServerSentEvents(t *testing.T) {
	s := startSystem(t)
	gw := s.startGateway(s.config())
	s.fixture(gw)
	stored := s.lastSeq()

	// "measures:0" is the token before the first event: the whole history.
	c, resp := openSSE(t, gw, s.keys[reader], "services=measures", "measures:0")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("response %d %v", resp.StatusCode, resp.Header)
	}
	seen := map[string]bool{}
	var got []eventData
	read := func(c *sseClient, n int) sseEvent {
		t.Helper()
		var e sseEvent
		for range n {
			e = c.next()
			var d eventData
			if err := json.Unmarshal([]byte(e.data), &d); err != nil {
				t.Fatalf("data %q: %v", e.data, err)
			}
			if e.id != d.ResumeToken || e.event != d.Type || d.Service != "measures" || d.ID == "" || d.Time == "" ||
				!strings.Contains(string(d.Payload), `"@type":"type.googleapis.com/`+d.Type+`"`) {
				t.Fatalf("event %+v", e)
			}
			if seen[d.ID] {
				t.Fatalf("event %s (sequence %s) arrived twice", d.ID, d.Sequence)
			}
			seen[d.ID] = true
			got = append(got, d)
		}
		return e
	}
	// Part of the history, then the connection drops.
	last := read(c, int(stored)-1)
	c.close()

	// Meanwhile two changes.
	if _, err := gw.client.SetAdoptionStatus(s.as(backnang), setStatus("backnang", considering)); err != nil {
		t.Fatal(err)
	}
	if _, err := gw.client.SetAdoptionStatus(s.as(backnang), setStatus("backnang", pb.AdoptionStatus_ADOPTION_STATUS_ADOPTED)); err != nil {
		t.Fatal(err)
	}
	c, resp = openSSE(t, gw, s.keys[reader], "services=measures", last.id)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("resume: %d", resp.StatusCode)
	}
	read(c, 3)
	// A live one.
	live := setStatus("backnang", pb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS)
	live.ProgressPercent = proto.Int32(30)
	if _, err := gw.client.SetAdoptionStatus(s.as(backnang), live); err != nil {
		t.Fatal(err)
	}
	e := read(c, 1)
	if e.event != "integration.measures.v1.AdoptionStatusChanged" {
		t.Fatalf("live event %+v", e)
	}
	if len(got) != int(stored)+3 || uint64(len(got)) != s.lastSeq() {
		t.Fatalf("%d events, stream holds %d", len(got), s.lastSeq())
	}
	for i, d := range got {
		if want := i + 1; d.Sequence != strconv.Itoa(want) {
			t.Fatalf("event %d has sequence %s", want, d.Sequence)
		}
	}
}

func TestServerSentEventsHeartbeatAndRefusals(t *testing.T) {
	s := startSystem(t)
	cfg := s.config()
	cfg.Heartbeat = 50 * time.Millisecond
	gw := s.startGateway(cfg)
	s.fixture(gw)

	c, resp := openSSE(t, gw, s.keys[reader], "services=measures", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	// Quiet: heartbeats come; then a change arrives after them.
	time.Sleep(200 * time.Millisecond)
	if _, err := gw.client.SetAdoptionStatus(s.as(backnang), setStatus("backnang", considering)); err != nil {
		t.Fatal(err)
	}
	if e := c.next(); !strings.Contains(e.data, `"sequence":"`+strconv.Itoa(int(s.lastSeq()))+`"`) {
		t.Fatalf("event %+v", e)
	}
	if c.comments < 2 {
		t.Fatalf("%d heartbeat comments in 200ms at 50ms", c.comments)
	}

	for name, tc := range map[string]struct {
		key, query, lastID string
		status             int
	}{
		"no key":            {"", "services=measures", "", http.StatusUnauthorized},
		"unknown key":       {"ipk_guessed", "services=measures", "", http.StatusUnauthorized},
		"no events.read":    {s.keys[backnang], "services=measures", "", http.StatusForbidden},
		"no education.read": {s.keys[reader], "services=measures,education", "", http.StatusForbidden},
		"no services":       {s.keys[reader], "", "", http.StatusBadRequest},
		"unknown service":   {s.keys[reader], "services=nowhere", "", http.StatusBadRequest},
		"bad last event id": {s.keys[reader], "services=measures", "garbage", http.StatusBadRequest},
	} {
		c, resp := openSSE(t, gw, tc.key, tc.query, tc.lastID)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != tc.status || !strings.Contains(string(body), `"message"`) {
			t.Errorf("%s: %d %s", name, resp.StatusCode, body)
		}
		c.close()
	}
}
