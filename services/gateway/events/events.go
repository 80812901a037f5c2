// Package events reads the services' event streams for dashboards: one
// JetStream ordered consumer per service and subscriber, merged into one
// sequence of events with a resume token that records, per service, the
// last sequence seen. It reads only what the streams stored: a core NATS
// subscription would also see writes a stream refused (a stale expected
// sequence), a stream consumer never does.
//
// Each subscriber has consumers of its own and pulls at its own pace, with
// at most a bounded number of events buffered: a slow subscriber holds back
// neither the others nor the services, whose writes JetStream keeps.
package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
)

// CloudEvents headers, as platform/eventstore writes them.
const (
	headerID     = "ce-id"
	headerType   = "ce-type"
	headerSource = "ce-source"
	headerTime   = "ce-time"
)

// bufferPerService bounds the events pulled ahead for one subscriber and
// service.
const bufferPerService = 64

// Event is one stored event.
type Event struct {
	Service  string
	Stream   string
	Sequence uint64
	Subject  string
	// CloudEvents attributes.
	ID, Type, Source string
	Time             time.Time
	// Data is the protobuf-encoded payload, a message of Type.
	Data []byte
	// ResumeToken continues a subscription after this event.
	ResumeToken string
}

// Source opens subscriptions to the streams of a fixed set of services.
type Source struct {
	js       jetstream.JetStream
	services []string
	log      *slog.Logger
}

// NewSource reads the streams of services (e.g. measures, education,
// labour); no other service's stream can be subscribed to.
func NewSource(js jetstream.JetStream, services []string, log *slog.Logger) (*Source, error) {
	for _, s := range services {
		if !serviceName.MatchString(s) {
			return nil, fmt.Errorf("events: %q is not a service name", s)
		}
	}
	if len(services) == 0 {
		return nil, errors.New("events: no service to read")
	}
	return &Source{js: js, services: slices.Clone(services), log: log}, nil
}

// Services are the services whose streams can be subscribed to.
func (s *Source) Services() []string { return slices.Clone(s.services) }

// Request says what to stream from where.
type Request struct {
	// Services to stream; at least one, each once.
	Services []string
	// Start is, per service, the sequence of the first event to deliver.
	Start map[string]uint64
	// Resume is, per service, the sequence of the last event seen; it
	// overrides Start. Services of Resume not in Services are ignored.
	Resume Positions
	// Types limits the events to these CloudEvents types; empty is all.
	Types []string
	// Subject limits the events to this NATS subject pattern, within the
	// requested services' subjects; empty is all.
	Subject string
	// StartTime, if set, starts each service not in Start or Resume with
	// the first event stored at or after it.
	StartTime time.Time
}

// Validate checks a request against the source's services; its errors are
// invalid-argument errors naming the field.
func (s *Source) Validate(r Request) error {
	if len(r.Services) == 0 {
		return apierr.Invalid("services", "name at least one of %s", strings.Join(s.services, ", "))
	}
	seen := map[string]bool{}
	for _, svc := range r.Services {
		if !slices.Contains(s.services, svc) {
			return apierr.Invalid("services", "%q is not one of %s", svc, strings.Join(s.services, ", "))
		}
		if seen[svc] {
			return apierr.Invalid("services", "%s is named twice", svc)
		}
		seen[svc] = true
	}
	for svc, seq := range r.Start {
		if !seen[svc] {
			return apierr.Invalid("start_sequences", "%s is not among the requested services", svc)
		}
		if seq == 0 {
			return apierr.Invalid("start_sequences", "sequences start at 1 (%s)", svc)
		}
	}
	for _, t := range r.Types {
		if t == "" || len(t) > 256 {
			return apierr.Invalid("event_types", "an event type is a full proto message name")
		}
	}
	if r.StartTime.After(time.Now()) {
		return apierr.Invalid("start_time", "%s lies in the future", r.StartTime.Format(time.RFC3339))
	}
	_, err := consumerFilters(r.Subject, r.Services)
	return err
}

// Subscription is a running subscription. Next is called from one
// goroutine at a time; Close ends it.
type Subscription struct {
	items     chan item
	positions Positions
	types     []string
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	iters     []jetstream.MessagesContext
}

type item struct {
	service string
	msg     jetstream.Msg
	err     error
}

// Subscribe opens an ordered consumer per requested service, each starting
// at its position. A service whose stream does not exist is UNAVAILABLE.
func (s *Source) Subscribe(ctx context.Context, r Request) (_ *Subscription, err error) {
	if err := s.Validate(r); err != nil {
		return nil, err
	}
	filters, err := consumerFilters(r.Subject, r.Services)
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	sub := &Subscription{
		items:     make(chan item, bufferPerService),
		positions: Positions{},
		types:     slices.Clone(r.Types),
		cancel:    cancel,
	}
	defer func() {
		if err != nil {
			sub.Close()
		}
	}()
	for _, svc := range r.Services {
		stream, err := s.js.Stream(ctx, eventstore.StreamName(svc))
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return nil, &apierr.Error{Kind: apierr.KindUnavailable, RetryAfter: 5 * time.Second,
				Message: fmt.Sprintf("the %s service has not stored any events yet; retry later", svc)}
		}
		if err != nil {
			return nil, s.unavailable(svc, err)
		}
		cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{filters[svc]}, DeliverPolicy: jetstream.DeliverByStartSequencePolicy}
		switch last, resumed := r.Resume[svc]; {
		case resumed:
			cfg.OptStartSeq = last + 1
		case r.Start[svc] > 0:
			cfg.OptStartSeq = r.Start[svc]
		case !r.StartTime.IsZero():
			// No position is pinned until the service's first event: a
			// token without the service resumes it from the same time,
			// which the resumed request repeats.
			cfg.DeliverPolicy, cfg.OptStartTime = jetstream.DeliverByStartTimePolicy, &r.StartTime
		default:
			// From the next new event: an explicit sequence, so the first
			// resume token already pins the position.
			cfg.OptStartSeq = stream.CachedInfo().State.LastSeq + 1
		}
		if cfg.OptStartSeq > 0 {
			sub.positions[svc] = cfg.OptStartSeq - 1
		}
		cons, err := stream.OrderedConsumer(ctx, cfg)
		if err != nil {
			return nil, s.unavailable(svc, err)
		}
		it, err := cons.Messages(jetstream.PullMaxMessages(bufferPerService))
		if err != nil {
			return nil, s.unavailable(svc, err)
		}
		sub.iters = append(sub.iters, it)
		sub.wg.Go(func() { sub.pump(runCtx, svc, it) })
	}
	return sub, nil
}

func (s *Source) unavailable(svc string, err error) error {
	s.log.Warn("event stream cannot be read", "service", svc, "error", err)
	return &apierr.Error{Kind: apierr.KindUnavailable, RetryAfter: time.Second,
		Message: fmt.Sprintf("the events of %s cannot be read right now; retry later", svc)}
}

// pump moves one service's messages into the subscription, blocking while
// the subscriber is behind.
func (sub *Subscription) pump(ctx context.Context, svc string, it jetstream.MessagesContext) {
	for {
		msg, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				select {
				case sub.items <- item{service: svc, err: err}:
				case <-ctx.Done():
				}
			}
			return
		}
		select {
		case sub.items <- item{service: svc, msg: msg}:
		case <-ctx.Done():
			return
		}
	}
}

// ErrInterrupted means a stream could not be read further; resume with the
// last token.
var ErrInterrupted = errors.New("events: stream interrupted")

// Next returns the next event of any subscribed service, waiting until one
// is stored or ctx ends (then ctx's error).
func (sub *Subscription) Next(ctx context.Context) (Event, error) {
	for {
		var it item
		select {
		case it = <-sub.items:
		case <-ctx.Done():
			return Event{}, ctx.Err()
		}
		if it.err != nil {
			return Event{}, fmt.Errorf("%w: %s: %v", ErrInterrupted, it.service, it.err)
		}
		meta, err := it.msg.Metadata()
		if err != nil {
			return Event{}, fmt.Errorf("%w: %s: %v", ErrInterrupted, it.service, err)
		}
		if meta.Sequence.Stream <= sub.positions[it.service] {
			continue // never hand out an event twice
		}
		sub.positions[it.service] = meta.Sequence.Stream
		h := it.msg.Headers()
		e := Event{
			Service: it.service, Stream: eventstore.StreamName(it.service), Sequence: meta.Sequence.Stream,
			Subject: it.msg.Subject(), ID: h.Get(headerID), Type: h.Get(headerType), Source: h.Get(headerSource),
			Data: it.msg.Data(), ResumeToken: FormatToken(sub.positions),
		}
		if len(sub.types) > 0 && !slices.Contains(sub.types, e.Type) {
			continue
		}
		if t, err := time.Parse(time.RFC3339Nano, h.Get(headerTime)); err == nil {
			e.Time = t
		}
		return e, nil
	}
}

// Positions is a copy of the last sequence seen per service.
func (sub *Subscription) Positions() Positions {
	p := Positions{}
	for k, v := range sub.positions {
		p[k] = v
	}
	return p
}

// Close stops the consumers.
func (sub *Subscription) Close() {
	sub.cancel()
	for _, it := range sub.iters {
		it.Stop()
	}
	sub.wg.Wait()
}
