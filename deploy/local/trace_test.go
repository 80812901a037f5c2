package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/natstest"
	mpb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	measures "github.com/integrationsplan/integrationsplan/services/measures/service"
)

// TestTraceSpansGRPCCallAndEventConsumer shows one trace from a partner's
// gRPC call through the measures service (otelgrpc on the server, the event
// store injecting the W3C trace context into the event's NATS headers) to a
// JetStream consumer of the event it caused, which extracts the context
// with eventstore.TraceCarrier and continues the trace.
func TestTraceSpansGRPCCallAndEventConsumer(t *testing.T) {
	// What platform/telemetry.Setup installs, with an in-memory recorder
	// instead of the OTLP exporter.
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prevProp := otel.GetTextMapPropagator()
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	otel.SetTracerProvider(tp)
	t.Cleanup(func() {
		otel.SetTracerProvider(noop.NewTracerProvider())
		otel.SetTextMapPropagator(prevProp)
		_ = tp.Shutdown(context.Background())
	})

	ns := natstest.Start(t)
	m := startReplica(t, "measures", measuresStarter(t, ns.ClientURL(), "", false), "127.0.0.1:0")
	conn, err := grpc.NewClient(m.addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler(otelgrpc.WithTracerProvider(tp))))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// The partner's call, in a span of its own.
	callCtx, partner := tp.Tracer("partner").Start(ctx, "partner creates an actor")
	_, err = mpb.NewMeasureServiceClient(conn).CreateActor(callCtx, &mpb.CreateActorRequest{ActorId: "trace-demo", Actor: &mpb.Actor{
		Kind: mpb.ActorKind_ACTOR_KIND_MUNICIPALITY, DisplayName: "Gemeinde Trace"}})
	partner.End()
	if err != nil {
		t.Fatal(err)
	}

	// A consumer of the service's stream, as another service runs one.
	_, js := ns.Connect(t)
	cons, err := js.OrderedConsumer(ctx, eventstore.StreamName(measures.Name), jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{eventstore.SubjectPrefix(measures.Name) + ".*.trace-demo.>"},
	})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
	if err != nil {
		t.Fatalf("the event of the call: %v", err)
	}
	if msg.Headers().Get("traceparent") == "" {
		t.Fatalf("event %s carries no traceparent: %v", msg.Subject(), msg.Headers())
	}
	consumeCtx := otel.GetTextMapPropagator().Extract(ctx, eventstore.TraceCarrier(msg.Headers()))
	_, consumer := tp.Tracer("consumer").Start(consumeCtx, "consume "+msg.Subject(), trace.WithSpanKind(trace.SpanKindConsumer))
	consumer.End()

	// The server span ends just after the client has its answer.
	const method = "integration.measures.v1.MeasureService/CreateActor"
	var server sdktrace.ReadOnlySpan
	for deadline := time.Now().Add(5 * time.Second); server == nil && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, s := range rec.Ended() {
			if s.SpanKind() == trace.SpanKindServer && s.Name() == method {
				server = s
			}
		}
	}
	if server == nil {
		t.Fatalf("no server span %s among %v", method, names(rec.Ended()))
	}
	bySpanID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	for _, s := range rec.Ended() {
		bySpanID[s.SpanContext().SpanID()] = s
	}
	c := bySpanID[consumer.SpanContext().SpanID()]
	if c.SpanContext().TraceID() != server.SpanContext().TraceID() {
		t.Fatalf("consumer span in trace %s, server span in trace %s", c.SpanContext().TraceID(), server.SpanContext().TraceID())
	}
	if server.SpanContext().TraceID() != partner.SpanContext().TraceID() {
		t.Fatalf("server span in trace %s, the partner's call in %s", server.SpanContext().TraceID(), partner.SpanContext().TraceID())
	}
	// Walk from the consumer span up its parents to the server span.
	chain := []string{c.Name()}
	for s := c; s.SpanContext().SpanID() != server.SpanContext().SpanID(); {
		parent, ok := bySpanID[s.Parent().SpanID()]
		if !ok {
			t.Fatalf("the consumer span's parent chain %v ends at %s before reaching the server span", chain, s.Parent().SpanID())
		}
		s = parent
		chain = append(chain, s.Name())
	}
	for s := server; s.Parent().IsValid(); {
		parent, ok := bySpanID[s.Parent().SpanID()]
		if !ok {
			break
		}
		s = parent
		chain = append(chain, s.Name())
	}
	t.Logf("trace %s: %s", server.SpanContext().TraceID(), strings.Join(chain, " ← "))
}

func names(spans []sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name())
	}
	return out
}
