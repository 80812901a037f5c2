// Package eventstore keeps a service's state as an append-only log of
// protobuf events in one NATS JetStream stream (DESIGN §3).
//
// Subjects are integration.<service>.<aggregate>.<id>.<event>. An append
// names the version it expects the aggregate to have (the stream sequence of
// the aggregate's last event, 0 for a new one) and fails with ErrConflict if
// another write came first. Headers carry the CloudEvents attributes, the
// trace context and Nats-Msg-Id = ce-id, so a retried publish is stored once.
package eventstore

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel"
	"google.golang.org/protobuf/proto"
)

// ExpectNew is the expected version of an aggregate without events.
const ExpectNew uint64 = 0

// ErrConflict means the aggregate changed since the expected version.
var ErrConflict = errors.New("eventstore: aggregate changed concurrently")

// Header names beyond the CloudEvents attributes.
const (
	HeaderRequestID          = "Integration-Request-Id"
	HeaderRequestFingerprint = "Integration-Request-Fingerprint"
)

// CloudEvents attribute headers (binary content mode).
const (
	headerID          = "ce-id"
	headerType        = "ce-type"
	headerSource      = "ce-source"
	headerTime        = "ce-time"
	headerSpecVersion = "ce-specversion"
	headerContentType = "content-type"
)

// token is what a subject token written by a service may look like.
var token = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,127}$`)

// Config names the service whose stream a Store writes.
type Config struct {
	// Service is the second subject token and names the stream, e.g. "measures".
	Service string
	// Replicas of the stream: 1 for a single server, 3 in a production cluster.
	Replicas int
	// Registerer receives the store's and its followers' metrics; nil keeps
	// them unregistered.
	Registerer prometheus.Registerer
}

// Store appends events to one service's stream.
type Store struct {
	js      jetstream.JetStream
	stream  jetstream.Stream
	service string
	prefix  string
	source  string
	now     func() time.Time
	metrics *metrics
}

// StreamName is the JetStream stream holding a service's events.
func StreamName(service string) string { return "INTEGRATION_" + strings.ToUpper(service) }

// SubjectPrefix is the subject prefix of a service's events.
func SubjectPrefix(service string) string { return "integration." + service }

// Open creates or updates the service's stream and returns a store for it.
func Open(ctx context.Context, js jetstream.JetStream, cfg Config) (*Store, error) {
	if !token.MatchString(cfg.Service) {
		return nil, fmt.Errorf("eventstore: invalid service name %q", cfg.Service)
	}
	if cfg.Replicas == 0 {
		cfg.Replicas = 1
	}
	prefix := SubjectPrefix(cfg.Service)
	stream, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        StreamName(cfg.Service),
		Description: "Domain events of the " + cfg.Service + " service (system of record)",
		Subjects:    []string{prefix + ".>"},
		Storage:     jetstream.FileStorage,
		Replicas:    cfg.Replicas,
		Retention:   jetstream.LimitsPolicy,
		Duplicates:  2 * time.Minute,
		DenyDelete:  true,
		DenyPurge:   true,
		AllowDirect: true,
	})
	if err != nil {
		return nil, fmt.Errorf("eventstore: stream %s: %w", StreamName(cfg.Service), err)
	}
	m, err := newMetrics(cfg.Service, cfg.Registerer)
	if err != nil {
		return nil, fmt.Errorf("eventstore: metrics: %w", err)
	}
	return &Store{
		js: js, stream: stream, service: cfg.Service, prefix: prefix,
		source: "/integrationsplan/" + cfg.Service, now: time.Now, metrics: m,
	}, nil
}

// Service is the name the store was opened with.
func (s *Store) Service() string { return s.service }

// Event is a change to one aggregate.
type Event struct {
	// Aggregate is the kind of aggregate, e.g. "measure".
	Aggregate string
	// ID identifies the aggregate, one subject token, e.g. "m-2-5".
	ID      string
	Payload proto.Message
}

// Subject is where the event is published.
func (s *Store) Subject(e Event) string {
	return s.prefix + "." + e.Aggregate + "." + e.ID + "." + EventName(e.Payload)
}

// AggregateFilter matches every event of one aggregate.
func (s *Store) AggregateFilter(aggregate, id string) string {
	return s.prefix + "." + aggregate + "." + id + ".>"
}

// Appended tells where an event was stored.
type Appended struct {
	// Seq is the stream sequence, the aggregate's new version.
	Seq uint64
	// Duplicate is true when an earlier publish with the same ID stored it.
	Duplicate bool
}

type appendOptions struct {
	requestID, fingerprint string
}

// AppendOption modifies an append.
type AppendOption func(*appendOptions)

// WithRequest marks the event as the effect of a client request. Its ce-id is
// derived from the request ID, so a retry within the stream's duplicate window
// is stored once; the read model remembers both beyond that window.
func WithRequest(requestID, fingerprint string) AppendOption {
	return func(o *appendOptions) { o.requestID, o.fingerprint = requestID, fingerprint }
}

// Append stores e if its aggregate is still at version expected.
func (s *Store) Append(ctx context.Context, e Event, expected uint64, opts ...AppendOption) (Appended, error) {
	var o appendOptions
	for _, opt := range opts {
		opt(&o)
	}
	if !token.MatchString(e.Aggregate) || !token.MatchString(e.ID) {
		return Appended{}, fmt.Errorf("eventstore: invalid aggregate %q/%q", e.Aggregate, e.ID)
	}
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(e.Payload)
	if err != nil {
		return Appended{}, fmt.Errorf("eventstore: marshal %T: %w", e.Payload, err)
	}
	id := uuid.NewString()
	if o.requestID != "" {
		id = uuid.NewSHA1(uuid.NameSpaceURL, []byte(s.source+"/"+e.Aggregate+"/"+e.ID+"/"+o.requestID)).String()
	}
	msg := &nats.Msg{Subject: s.Subject(e), Data: data, Header: nats.Header{}}
	msg.Header.Set(headerID, id)
	msg.Header.Set(headerType, string(e.Payload.ProtoReflect().Descriptor().FullName()))
	msg.Header.Set(headerSource, s.source)
	msg.Header.Set(headerTime, s.now().UTC().Format(time.RFC3339Nano))
	msg.Header.Set(headerSpecVersion, "1.0")
	msg.Header.Set(headerContentType, "application/protobuf")
	if o.requestID != "" {
		msg.Header.Set(HeaderRequestID, o.requestID)
		msg.Header.Set(HeaderRequestFingerprint, o.fingerprint)
	}
	otel.GetTextMapPropagator().Inject(ctx, TraceCarrier(msg.Header))

	began := time.Now()
	ack, err := s.js.PublishMsg(ctx, msg,
		jetstream.WithMsgID(id),
		jetstream.WithExpectStream(StreamName(s.service)),
		jetstream.WithExpectLastSequenceForSubject(expected, s.AggregateFilter(e.Aggregate, e.ID)),
	)
	took := time.Since(began).Seconds()
	if err != nil {
		if isWrongLastSequence(err) {
			s.metrics.appendSeconds.WithLabelValues("conflict").Observe(took)
			s.metrics.conflicts.Inc()
			return Appended{}, fmt.Errorf("%w: %s/%s expected version %d", ErrConflict, e.Aggregate, e.ID, expected)
		}
		s.metrics.appendSeconds.WithLabelValues("error").Observe(took)
		return Appended{}, fmt.Errorf("eventstore: publish %s: %w", msg.Subject, err)
	}
	s.metrics.appendSeconds.WithLabelValues("ok").Observe(took)
	return Appended{Seq: ack.Sequence, Duplicate: ack.Duplicate}, nil
}

// LastSeq is the sequence of the newest event in the stream, asked of the
// stream leader, so every write acknowledged before the call is included.
func (s *Store) LastSeq(ctx context.Context) (uint64, error) {
	info, err := s.stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("eventstore: stream info: %w", err)
	}
	return info.State.LastSeq, nil
}

func isWrongLastSequence(err error) bool {
	var jsErr jetstream.JetStreamError
	if !errors.As(err, &jsErr) || jsErr.APIError() == nil {
		return false
	}
	code := jsErr.APIError().ErrorCode
	return code == jetstream.JSErrCodeStreamWrongLastSequence || code == jetstream.JSErrCodeStreamWrongLastSequenceConstant
}

// EventName is the subject token of an event: its message name in snake case,
// e.g. AdoptionStatusChanged → adoption_status_changed.
func EventName(m proto.Message) string {
	name := string(m.ProtoReflect().Descriptor().Name())
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FormatVersion renders a version as an etag.
func FormatVersion(v uint64) string { return strconv.FormatUint(v, 10) }
