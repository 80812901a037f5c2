package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	gatewayv1 "github.com/integrationsplan/integrationsplan/proto/integration/gateway/v1"
)

// sse serves GET /v1/events?services=measures,education[&types=…] as
// Server-Sent Events: each event's id is its resume token, its event name
// the CloudEvents type, its data the protojson of the gateway's Event (the
// payload under "payload" with its "@type", plus service, sequence,
// subject and the CloudEvents attributes). A reconnecting client sends the
// last id as Last-Event-ID and continues without a gap or a duplicate. A
// comment line is sent every heartbeat interval while no event arrives.
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
	credential func(*http.Request) (string, bool)
}

// maxLastEventID bounds the Last-Event-ID header taken from a client.
const maxLastEventID = 512

var eventJSON = protojson.MarshalOptions{}

func (h *sse) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
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
	md := metadata.MD{}
	if auth := r.Header.Values("Authorization"); len(auth) > 0 {
		md["authorization"] = auth
	} else if h.credential != nil {
		if auth, ok := h.credential(r); ok {
			md.Set("authorization", auth)
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
	// Tells EventSource clients to wait a little before reconnecting.
	fmt.Fprintf(w, "retry: %d\n\n", 2000)
	flusher.Flush()

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
			if _, err := io.WriteString(w, ": heartbeat\n\n"); err != nil {
				return
			}
			flusher.Flush()
		case got := <-next:
			if got.err != nil {
				if st := status.Convert(got.err); st.Code() != codes.Canceled {
					// Headers are sent: the client learns it from a final
					// event and reconnects with its Last-Event-ID.
					buf.Reset()
					writeField(&buf, "event", "error")
					writeField(&buf, "data", fmt.Sprintf(`{"code":%q,"message":%s}`, st.Code().String(), strconv.Quote(st.Message())))
					buf.WriteByte('\n')
					_, _ = w.Write(buf.Bytes())
					flusher.Flush()
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
			if _, err := w.Write(buf.Bytes()); err != nil {
				return
			}
			flusher.Flush()
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
