package eventstore_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/natstest"
)

// The trace context of the command travels in the event's headers, so a
// consumer can continue the trace.
func TestAppendCarriesTraceContext(t *testing.T) {
	otel.SetTextMapPropagator(propagation.TraceContext{})
	tp := sdktrace.NewTracerProvider()
	ctx, span := tp.Tracer("test").Start(context.Background(), "command")
	defer span.End()

	st := openStore(t, natstest.Start(t))
	if _, err := st.Append(ctx, note("note", "n-1", "x"), eventstore.ExpectNew); err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	f, err := st.Follow(context.Background(), rec, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Stop()
	if rec.events[0].Header.Get("traceparent") == "" {
		t.Fatalf("no traceparent header in %v", rec.events[0].Header)
	}
	carrier := eventstore.TraceCarrier(rec.events[0].Header)
	got := otel.GetTextMapPropagator().Extract(context.Background(), carrier)
	if sc := spanContextOf(got); sc.TraceID() != span.SpanContext().TraceID() || sc.SpanID() != span.SpanContext().SpanID() {
		t.Fatalf("event carries trace %v span %v, command had %v %v", sc.TraceID(), sc.SpanID(), span.SpanContext().TraceID(), span.SpanContext().SpanID())
	}
}

func spanContextOf(ctx context.Context) trace.SpanContext { return trace.SpanContextFromContext(ctx) }
