package eventstore

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Projection builds a read model from events. Apply is called from one
// goroutine, in stream order, once per event; it must not fail, because the
// event's invariants were checked before it was written. The projection
// guards its own state against concurrent readers.
type Projection interface {
	Apply(Envelope)
}

// RequestRecord remembers the event a client request caused.
type RequestRecord struct {
	Seq         uint64
	Aggregate   string
	AggregateID string
	Fingerprint string
}

// Follower feeds a projection with the stream's events: first a replay of the
// whole stream, then each new event as it is stored. It lets callers wait
// until the projection has applied a given sequence.
type Follower struct {
	store *Store
	proj  Projection
	log   *slog.Logger
	cc    jetstream.ConsumeContext

	mu       sync.Mutex
	applied  uint64
	changed  chan struct{} // closed and cleared when applied advances; nil without waiters
	requests map[string]RequestRecord

	barrier barrier
}

// Follow replays the stream into proj and keeps following it. It returns
// once the projection has applied every event stored when Follow was called.
func (s *Store) Follow(ctx context.Context, proj Projection, log *slog.Logger) (*Follower, error) {
	f := &Follower{store: s, proj: proj, log: log, requests: map[string]RequestRecord{}}
	f.barrier.fetch = s.LastSeq
	last, err := s.LastSeq(ctx)
	if err != nil {
		return nil, err
	}
	cons, err := s.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{s.prefix + ".>"},
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("eventstore: consumer: %w", err)
	}
	f.cc, err = cons.Consume(f.handle, jetstream.PullMaxMessages(1000))
	if err != nil {
		return nil, fmt.Errorf("eventstore: consume: %w", err)
	}
	if err := f.WaitFor(ctx, last); err != nil {
		f.Stop()
		return nil, fmt.Errorf("eventstore: replay: %w", err)
	}
	return f, nil
}

func (f *Follower) handle(msg jetstream.Msg) {
	env, err := Decode(msg)
	if err != nil {
		// Skipping keeps the read model serving; the event stays in the stream
		// and is applied after an upgrade that knows its type.
		f.log.Error("skipping undecodable event", "subject", msg.Subject(), "error", err)
		f.store.metrics.undecodable.Inc()
	} else {
		f.proj.Apply(env)
	}
	meta, err := msg.Metadata()
	if err != nil {
		return
	}
	f.store.metrics.applied.Set(float64(meta.Sequence.Stream))
	f.store.metrics.lag.Set(float64(meta.NumPending))
	f.mu.Lock()
	f.applied = meta.Sequence.Stream
	if env.RequestID != "" {
		f.requests[env.RequestID] = RequestRecord{
			Seq: env.Seq, Aggregate: env.Aggregate, AggregateID: env.AggregateID, Fingerprint: env.RequestFingerprint,
		}
	}
	if f.changed != nil {
		close(f.changed)
		f.changed = nil
	}
	f.mu.Unlock()
}

// Applied is the sequence of the last event applied.
func (f *Follower) Applied() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.applied
}

// WaitFor returns once the projection has applied sequence seq.
func (f *Follower) WaitFor(ctx context.Context, seq uint64) error {
	for {
		f.mu.Lock()
		if f.applied >= seq {
			f.mu.Unlock()
			return nil
		}
		if f.changed == nil {
			f.changed = make(chan struct{})
		}
		ch := f.changed
		f.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("eventstore: waiting for sequence %d: %w", seq, ctx.Err())
		}
	}
}

// Sync returns once the projection has applied every event the stream held
// when Sync was called, so a read after it sees every write acknowledged
// before it, whichever replica wrote it. Concurrent calls share one request
// to the stream leader.
func (f *Follower) Sync(ctx context.Context) error {
	seq, err := f.barrier.latest(ctx)
	if err != nil {
		return err
	}
	return f.WaitFor(ctx, seq)
}

// Request returns the record of an applied client request.
func (f *Follower) Request(requestID string) (RequestRecord, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.requests[requestID]
	return r, ok
}

// Stop ends following. The projection keeps its state.
func (f *Follower) Stop() {
	if f.cc != nil {
		f.cc.Stop()
	}
}

// requestTimeout bounds one question to the stream leader.
const requestTimeout = 5 * time.Second

// barrier coalesces concurrent questions for the stream's last sequence. A
// caller joins the next round, never one already asked, so the answer always
// comes from after the call began.
type barrier struct {
	fetch func(context.Context) (uint64, error)

	mu       sync.Mutex
	inflight bool
	next     *round
}

type round struct {
	done chan struct{}
	seq  uint64
	err  error
}

func (b *barrier) latest(ctx context.Context) (uint64, error) {
	b.mu.Lock()
	if b.next == nil {
		b.next = &round{done: make(chan struct{})}
	}
	r := b.next
	if !b.inflight {
		b.startLocked()
	}
	b.mu.Unlock()
	select {
	case <-r.done:
		return r.seq, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (b *barrier) startLocked() {
	r := b.next
	b.next = nil
	b.inflight = true
	go func() {
		// The round serves several callers, so it must not die with the first one's context.
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		r.seq, r.err = b.fetch(ctx)
		cancel()
		b.mu.Lock()
		b.inflight = false
		if b.next != nil {
			b.startLocked()
		}
		b.mu.Unlock()
		close(r.done)
	}()
}
