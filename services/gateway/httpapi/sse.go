package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/grpcserver"
	gatewayv1 "github.com/integrationsplan/integrationsplan/proto/integration/gateway/v1"
)

// sse serves GET /v1/events?services=measures,education as Server-Sent
// Events. Optional query parameters, those of SubscribeRequest:
//
//   - types=<CloudEvents type>,… : only events of these types;
//   - subject=<pattern> : only events whose subject matches the NATS
//     pattern, e.g. integration.measures.measure.*.adoption_status_changed;
//   - start_time=<RFC 3339 time> : each service starts with the first
//     event stored at or after it (a reconnect keeps the URL, so the
//     Last-Event-ID continues where it stopped).
//
// A refused request gets the HTTP status of its gRPC code and a JSON body
// naming the bad field. Otherwise each event's id is its resume token, its
// event name the CloudEvents type, its data the protojson of the gateway's
// Event (the payload under "payload" with its "@type", plus service,
// sequence, subject and the CloudEvents attributes). A reconnecting client
// sends the last id as Last-Event-ID and continues without a gap or a
// duplicate. A comment line is sent every heartbeat interval while no
// event arrives; a client that takes no data for the slow-client timeout
// (30 s) is dropped, and the log says so.
//
// A client that cannot set Last-Event-ID (a new EventSource after the old
// one gave up) passes it as the query parameter lastEventId; the header
// wins when both are sent, since EventSource updates only the header.
type sse struct {
	client    gatewayv1.EventServiceClient
	heartbeat time.Duration
	log       *slog.Logger
	// credential authorizes a request without an Authorization header
	// (the dashboard's session); nil for none.
	credential func(*http.Request) (metadata.MD, bool)
	// slowClient is how long a subscriber may take no data before it is
	// dropped.
	slowClient time.Duration
}

// maxLastEventID bounds the Last-Event-ID header taken from a client.
const maxLastEventID = 512

var eventJSON = protojson.MarshalOptions{}

func (h *sse) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, ok := w.(http.Flusher); !ok {
		http.Error(w, "streaming is not supported on this connection", http.StatusInternalServerError)
		return
	}
	q := r.URL.Query()
	req := &gatewayv1.SubscribeRequest{ResumeToken: r.Header.Get("Last-Event-ID")}
	if req.ResumeToken == "" {
		req.ResumeToken = q.Get("lastEventId")
	}
	if len(req.ResumeToken) > maxLastEventID {
		writeError(w, status.New(codes.InvalidArgument, "Last-Event-ID is too long"))
		return
	}
	for _, s := range strings.Split(q.Get("services"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			req.Services = append(req.Services, s)
		}
	}
	for _, t := range strings.Split(q.Get("types"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			req.EventTypes = append(req.EventTypes, t)
		}
	}
	req.SubjectFilter = q.Get("subject")
	if v := q.Get("start_time"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			writeError(w, status.Convert(grpcserver.Status(h.log, "", apierr.Invalid("start_time", "%q is not an RFC 3339 time such as 2026-05-08T09:00:00Z", v))))
			return
		}
		req.StartTime = timestamppb.New(t)
	}
	md := metadata.MD{}
	if auth := r.Header.Values("Authorization"); len(auth) > 0 {
		md["authorization"] = auth
	} else if h.credential != nil {
		if cred, ok := h.credential(r); ok {
			md = cred
		}
	}
	if id := r.Header.Get("X-Request-Id"); id != "" {
		md.Set("x-request-id", id)
	}
	ctx, cancel := context.WithCancel(metadata.NewOutgoingContext(r.Context(), md))
	defer cancel()
	stream, err := h.client.Subscribe(ctx, req)
	if err != nil {
		writeError(w, status.Convert(err))
		return
	}
	// The gateway sends the header once the subscription stands; a refusal
	// (no key, a missing scope, a bad request) ends the call without one.
	header, err := stream.Header()
	if err == nil && header == nil {
		_, err = stream.Recv()
		if err == nil {
			err = status.Error(codes.Internal, "the subscription sent an event before its header")
		}
	}
	if err != nil {
		writeError(w, status.Convert(err))
		return
	}

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no") // no buffering in a reverse proxy
	w.WriteHeader(http.StatusOK)
	// send writes and flushes; a client that takes nothing for
	// h.slowClient is dropped rather than kept blocking a goroutine, a
	// connection and its subscription.
	rc := http.NewResponseController(w)
	send := func(b []byte) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(h.slowClient))
		_, err := w.Write(b)
		if err == nil {
			err = rc.Flush()
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			h.log.Warn("Server-Sent Events subscriber dropped: it took no data for "+h.slowClient.String()+"; it may resume with its Last-Event-ID",
				"request_id", r.Header.Get("X-Request-Id"))
		}
		return err == nil
	}
	// Tells EventSource clients to wait a little before reconnecting.
	if !send(fmt.Appendf(nil, "retry: %d\n\n", 2000)) {
		return
	}

	type received struct {
		resp *gatewayv1.SubscribeResponse
		err  error
	}
	// One message at a time: the subscription pulls the next event only
	// after this one is written, so a slow client holds back only itself.
	next := make(chan received)
	go func() {
		for {
			resp, err := stream.Recv()
			select {
			case next <- received{resp, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	ticker := time.NewTicker(h.heartbeat)
	defer ticker.Stop()
	var buf bytes.Buffer
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			if !send([]byte(": heartbeat\n\n")) {
				return
			}
		case got := <-next:
			if got.err != nil {
				if st := status.Convert(got.err); st.Code() != codes.Canceled {
					// Headers are sent: the client learns it from a final
					// event and reconnects with its Last-Event-ID.
					buf.Reset()
					writeField(&buf, "event", "error")
					writeField(&buf, "data", fmt.Sprintf(`{"code":%q,"message":%s}`, st.Code().String(), strconv.Quote(st.Message())))
					buf.WriteByte('\n')
					send(buf.Bytes())
				}
				return
			}
			e := got.resp.GetEvent()
			if e == nil {
				continue // the gRPC heartbeat; this side has its own
			}
			data, err := eventJSON.Marshal(e)
			if err != nil {
				// The payload's type is not linked into this gateway (a newer
				// service): the event goes out without it.
				h.log.Warn("event payload not rendered as JSON", "type", e.GetType(), "error", err)
				e.Payload = nil
				if data, err = eventJSON.Marshal(e); err != nil {
					return
				}
			}
			buf.Reset()
			writeField(&buf, "id", e.GetResumeToken())
			writeField(&buf, "event", e.GetType())
			writeField(&buf, "data", string(data))
			buf.WriteByte('\n')
			if !send(buf.Bytes()) {
				return
			}
			ticker.Reset(h.heartbeat)
		}
	}
}

// writeField writes one SSE field; a value with line breaks becomes
// several lines of the same field, as the format requires.
func writeField(buf *bytes.Buffer, name, value string) {
	for line := range strings.SplitSeq(strings.ReplaceAll(value, "\r\n", "\n"), "\n") {
		buf.WriteString(name)
		buf.WriteString(": ")
		buf.WriteString(strings.ReplaceAll(line, "\r", ""))
		buf.WriteByte('\n')
	}
}

// writeError answers a refused subscription with the HTTP status of its
// gRPC code and a JSON body like grpc-gateway's.
func writeError(w http.ResponseWriter, st *status.Status) {
	body, err := protojson.Marshal(st.Proto())
	if err != nil {
		body = []byte(`{"message":"internal error"}`)
	}
	if st.Code() == codes.Unauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="integrationsplan"`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(runtime.HTTPStatusFromCode(st.Code()))
	_, _ = w.Write(body)
}
