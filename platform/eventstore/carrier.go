package eventstore

import (
	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel/propagation"
)

// TraceCarrier carries the trace context in NATS headers under the W3C names
// as they are ("traceparent"), unlike http.Header, which would canonicalise
// them to "Traceparent". Consumers extract with it to continue a trace.
func TraceCarrier(h nats.Header) propagation.TextMapCarrier { return headerCarrier(h) }

type headerCarrier nats.Header

func (c headerCarrier) Get(key string) string {
	if v := c[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (c headerCarrier) Set(key, value string) { c[key] = []string{value} }

func (c headerCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}
