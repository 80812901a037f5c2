package derive

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// Config configures an Engine.
type Config struct {
	// Durable is the name of the engine's durable consumer on each source
	// stream. Every replica of the measures service needs its own (each keeps
	// its values in memory), e.g. measures-indicators-<pod>.
	Durable string
	// Zone decides the month of an event's time.
	Zone *time.Location
	// AckWait is how long a delivered event may stay unacknowledged before
	// the server delivers it again.
	AckWait time.Duration
	// FetchWait bounds one wait for new events; rule changes are taken up
	// between waits.
	FetchWait time.Duration
	// RetryEvery is the pause between looks for a source stream that does not
	// exist yet.
	RetryEvery time.Duration
	// Registerer receives the metrics; nil keeps them unregistered.
	Registerer prometheus.Registerer
	Log        *slog.Logger
	// DropAcks, a test hook, leaves the first deliveries of so many live
	// events unacknowledged, as a crashed or cut-off consumer would.
	DropAcks int
}

// Engine keeps the values of every derived indicator, computed from the
// source streams: at start by replaying each stream with an ordered consumer,
// then by following it with a durable consumer (at-least-once, deduplicated
// by stream sequence and by CloudEvents id). A rule defined later is
// computed from the stream's history before it follows new events.
type Engine struct {
	cfg     Config
	js      jetstream.JetStream
	catalog *Catalog
	log     *slog.Logger
	metrics *metrics

	mu      sync.RWMutex
	derived map[domain.IndicatorKey]*derived
	sources map[string]*source // by stream name
	// changed is signalled when a derivation has months whose value may
	// have changed, or became ready.
	changed chan struct{}
}

// derived is one indicator's derivation.
type derived struct {
	key domain.IndicatorKey
	d   *domain.Derivation
	// behind marks streams whose history the derivation has not seen yet.
	behind map[string]bool
	// streams are the source streams the rule reads.
	streams []string
	// dirty: months with an observation not yet taken by TakeChanged.
	dirty map[domain.MonthIndex]struct{}
}

// source is the state of one source stream; applied and the index are
// guarded by Engine.mu, seen belongs to the stream's goroutine.
type source struct {
	stream  string
	service string
	applied uint64
	// index: event type → the terms reading it.
	index map[string][]termRef
	// seen: event id → stream sequence of its first occurrence, for every
	// event up to applied. Only the first occurrence counts.
	seen map[[16]byte]uint64
	wake chan struct{}
	// available is set once the stream was found; replayed once the values
	// include the stream's history as of the start.
	available, replayed bool
}

type termRef struct {
	drv     *derived
	term    int
	filters []compiledFilter
	field   []protoreflect.FieldDescriptor
	groupBy []protoreflect.FieldDescriptor
	agg     domain.Aggregation
	// start marks the since_event_type of a MEDIAN_DAYS term.
	start bool
}

type compiledFilter struct {
	path  []protoreflect.FieldDescriptor
	op    domain.Op
	value string
}

// NewEngine returns an engine over the catalog's source services; Run starts it.
func NewEngine(js jetstream.JetStream, catalog *Catalog, cfg Config) (*Engine, error) {
	if cfg.Durable == "" {
		cfg.Durable = "measures-indicators"
	}
	if cfg.Zone == nil {
		cfg.Zone = time.UTC
	}
	if cfg.AckWait == 0 {
		cfg.AckWait = 30 * time.Second
	}
	if cfg.FetchWait == 0 {
		cfg.FetchWait = time.Second
	}
	if cfg.RetryEvery == 0 {
		cfg.RetryEvery = 2 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, js: js, catalog: catalog, log: cfg.Log, metrics: m,
		derived: map[domain.IndicatorKey]*derived{}, sources: map[string]*source{}, changed: make(chan struct{}, 1)}
	for _, svc := range catalog.Services() {
		name := eventstore.StreamName(svc)
		e.sources[name] = &source{stream: name, service: svc, index: map[string][]termRef{},
			seen: map[[16]byte]uint64{}, wake: make(chan struct{}, 1)}
		m.available.WithLabelValues(name).Set(0)
		m.lag.WithLabelValues(name).Set(0)
		for _, outcome := range []string{"counted", "ignored", "duplicate", "redelivered", "undecodable"} {
			m.events.WithLabelValues(name, outcome)
		}
	}
	return e, nil
}

// Define takes up an indicator definition. A derived indicator with a new or
// changed rule starts empty and is computed from the history of its streams.
func (e *Engine) Define(i domain.Indicator) {
	if i.Rule == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if old, ok := e.derived[i.Key()]; ok && old.d.Rule().Equal(*i.Rule) {
		return
	}
	drv := &derived{key: i.Key(), d: domain.NewDerivation(*i.Rule), behind: map[string]bool{}, dirty: map[domain.MonthIndex]struct{}{}}
	e.derived[i.Key()] = drv
	e.reindexLocked()
	for _, s := range i.Rule.Sources(e.catalog) {
		if src, ok := e.sources[s]; ok {
			drv.behind[s] = true
			drv.streams = append(drv.streams, s)
			select {
			case src.wake <- struct{}{}:
			default:
			}
		}
	}
}

// Undefine forgets a deleted indicator.
func (e *Engine) Undefine(k domain.IndicatorKey) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.derived[k]; ok {
		delete(e.derived, k)
		e.reindexLocked()
	}
}

// Changed is signalled when TakeChanged may have something new.
func (e *Engine) Changed() <-chan struct{} { return e.changed }

func (e *Engine) signalChanged() {
	select {
	case e.changed <- struct{}{}:
	default:
	}
}

// TakeChanged returns, per ready derived indicator, the periods whose value
// may have changed since the last call: the month, quarter and year of each
// event counted. Indicators not ready keep theirs for a later call.
func (e *Engine) TakeChanged() map[domain.IndicatorKey][]domain.Period {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[domain.IndicatorKey][]domain.Period{}
	for k, drv := range e.derived {
		if len(drv.dirty) == 0 || !e.readyLocked(drv) {
			continue
		}
		seen := map[domain.Period]bool{}
		for m := range drv.dirty {
			for _, p := range m.Periods() {
				if !seen[p] {
					seen[p] = true
					out[k] = append(out[k], p)
				}
			}
		}
		clear(drv.dirty)
	}
	return out
}

// readyLocked reports whether a derivation includes the history of each of
// its streams as of the service's start: its values are then ones the
// streams really passed through, not a replay's intermediate steps.
func (e *Engine) readyLocked(drv *derived) bool {
	if len(drv.behind) > 0 {
		return false
	}
	for _, s := range drv.streams {
		if !e.sources[s].replayed {
			return false
		}
	}
	return true
}

// Computed is a ready derived indicator's values for periods, with the
// positions of its source streams they include; false if the indicator is
// unknown or not ready.
func (e *Engine) Computed(k domain.IndicatorKey, periods []domain.Period) ([]domain.Value, map[string]uint64, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	drv, ok := e.derived[k]
	if !ok || !e.readyLocked(drv) {
		return nil, nil, false
	}
	values := make([]domain.Value, len(periods))
	for i, p := range periods {
		values[i] = drv.d.Value(p)
	}
	positions := make(map[string]uint64, len(drv.streams))
	for _, s := range drv.streams {
		positions[s] = e.sources[s].applied
	}
	return values, positions, true
}

// reindexLocked rebuilds every source's index of terms by event type.
func (e *Engine) reindexLocked() {
	for _, src := range e.sources {
		src.index = map[string][]termRef{}
	}
	for _, drv := range e.derived {
		for ti, t := range drv.d.Rule().Terms {
			stream, err := e.catalog.Source(t.EventType)
			if err != nil {
				continue
			}
			src, ok := e.sources[stream]
			if !ok {
				continue
			}
			md, _, err := e.catalog.message(t.EventType)
			if err != nil {
				continue
			}
			ref := termRef{drv: drv, term: ti, agg: t.Aggregation}
			valid := true
			for _, f := range t.Filters {
				fds, err := resolve(md, f.Field)
				valid = valid && err == nil
				ref.filters = append(ref.filters, compiledFilter{path: fds, op: f.Op, value: f.Value})
			}
			if t.Field != "" {
				resolveField := resolve
				if t.Aggregation == domain.CountElements {
					resolveField = resolveList
				}
				fds, err := resolveField(md, t.Field)
				valid = valid && err == nil
				ref.field = fds
			}
			if t.GroupBy != "" {
				fds, err := resolve(md, t.GroupBy)
				valid = valid && err == nil
				ref.groupBy = fds
			}
			if valid {
				src.index[t.EventType] = append(src.index[t.EventType], ref)
				if t.Since != "" {
					src.index[t.Since] = append(src.index[t.Since], termRef{drv: drv, term: ti, agg: t.Aggregation, start: true})
				}
			}
		}
	}
}

// Value is a derived indicator's value for p; false if the engine does not
// know the indicator (a manual one, or not taken up yet).
func (e *Engine) Value(k domain.IndicatorKey, p domain.Period) (domain.Value, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	drv, ok := e.derived[k]
	if !ok {
		return domain.Value{Period: p}, false
	}
	return drv.d.Value(p), true
}

// Positions is, per source stream found, the last sequence the values include.
func (e *Engine) Positions() map[string]uint64 {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := map[string]uint64{}
	for name, src := range e.sources {
		if src.available {
			out[name] = src.applied
		}
	}
	return out
}

// CaughtUp reports whether every derivation reading a stream has seen its
// history up to the applied position (for tests and health).
func (e *Engine) CaughtUp(stream string) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	for _, drv := range e.derived {
		if drv.behind[stream] {
			return false
		}
	}
	return true
}

// Run follows every source stream until ctx ends. A stream that does not
// exist yet is looked for again every RetryEvery.
func (e *Engine) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, src := range e.sources {
		wg.Go(func() { e.follow(ctx, src) })
	}
	wg.Wait()
}

func (e *Engine) follow(ctx context.Context, src *source) {
	log := e.log.With("stream", src.stream)
	stream, err := e.waitForStream(ctx, src, log)
	if err != nil {
		return
	}
	for ctx.Err() == nil {
		err := e.followStream(ctx, src, stream, log)
		if ctx.Err() != nil {
			return
		}
		log.Warn("following the source stream failed; retrying", "error", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(e.cfg.RetryEvery):
		}
	}
}

func (e *Engine) waitForStream(ctx context.Context, src *source, log *slog.Logger) (jetstream.Stream, error) {
	for logged := false; ; {
		stream, err := e.js.Stream(ctx, src.stream)
		if err == nil {
			e.mu.Lock()
			src.available = true
			e.mu.Unlock()
			e.metrics.available.WithLabelValues(src.stream).Set(1)
			return stream, nil
		}
		if !logged && errors.Is(err, jetstream.ErrStreamNotFound) {
			log.Info("source stream does not exist yet; waiting for it")
			logged = true
		} else if !errors.Is(err, jetstream.ErrStreamNotFound) && ctx.Err() == nil {
			log.Warn("looking up the source stream", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(e.cfg.RetryEvery):
		}
	}
}

// followStream replays the stream up to its current end, then follows it
// with the durable consumer.
func (e *Engine) followStream(ctx context.Context, src *source, stream jetstream.Stream, log *slog.Logger) error {
	info, err := stream.Info(ctx)
	if err != nil {
		return err
	}
	e.mu.RLock()
	applied := src.applied
	e.mu.RUnlock()
	if last := info.State.LastSeq; last > applied {
		began := time.Now()
		targets := e.liveFor(src)
		if applied == 0 {
			// The first replay computes every derivation from the start.
			targets = e.behindOn(src)
		}
		if err := e.replay(ctx, src, stream, applied+1, last, targets, true); err != nil {
			return err
		}
		if applied == 0 {
			e.mu.Lock()
			for drv := range targets {
				delete(drv.behind, src.stream)
			}
			e.mu.Unlock()
		}
		log.Info("indicator sources replayed", "events", last-applied, "took", time.Since(began).Round(time.Millisecond))
	}
	e.mu.Lock()
	src.replayed = true
	e.mu.Unlock()
	e.signalChanged()
	cons, err := e.durable(ctx, src, stream, log)
	if err != nil {
		return err
	}
	dropped := 0
	for ctx.Err() == nil {
		if err := e.catchUp(ctx, src, stream); err != nil {
			return err
		}
		batch, err := cons.Fetch(500, jetstream.FetchMaxWait(e.cfg.FetchWait))
		if err != nil {
			return err
		}
		n := 0
		for msg := range batch.Messages() {
			n++
			meta, err := msg.Metadata()
			if err != nil {
				continue
			}
			seq := meta.Sequence.Stream
			e.mu.RLock()
			applied := src.applied
			e.mu.RUnlock()
			if seq <= applied {
				// Delivered again (an acknowledgement was lost, or the
				// consumer started behind): applied already.
				e.metrics.events.WithLabelValues(src.stream, "redelivered").Inc()
				_ = msg.Ack()
				continue
			}
			if seq > applied+1 {
				// The consumer skipped events (e.g. it was recreated): read
				// them from the stream first.
				if err := e.replay(ctx, src, stream, applied+1, seq-1, e.liveFor(src), true); err != nil {
					return err
				}
			}
			e.mu.Lock()
			e.apply(src, msg.Subject(), seq, msg.Headers(), msg.Data(), meta.Timestamp, nil, true)
			e.mu.Unlock()
			e.metrics.lag.WithLabelValues(src.stream).Set(float64(meta.NumPending))
			if dropped < e.cfg.DropAcks {
				dropped++
				continue
			}
			_ = msg.Ack()
		}
		if err := batch.Error(); err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, jetstream.ErrNoMessages) {
			return err
		}
		if n == 0 {
			e.refreshLag(ctx, src, cons)
		}
	}
	return ctx.Err()
}

// durable returns the engine's durable consumer, positioned after the
// events the values already include. A consumer behind that position (the
// service restarted and replayed) is recreated at it, so the server does not
// deliver the whole history again only to have it skipped.
func (e *Engine) durable(ctx context.Context, src *source, stream jetstream.Stream, log *slog.Logger) (jetstream.Consumer, error) {
	e.mu.RLock()
	applied := src.applied
	e.mu.RUnlock()
	cfg := jetstream.ConsumerConfig{
		Durable:           e.cfg.Durable,
		Description:       "measures: derived indicators",
		FilterSubject:     eventstore.SubjectPrefix(src.service) + ".>",
		AckPolicy:         jetstream.AckExplicitPolicy,
		AckWait:           e.cfg.AckWait,
		MaxAckPending:     1000,
		DeliverPolicy:     jetstream.DeliverAllPolicy,
		InactiveThreshold: 7 * 24 * time.Hour, // a replica gone for good
	}
	if applied > 0 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, applied+1
	}
	if existing, err := stream.Consumer(ctx, e.cfg.Durable); err == nil {
		info := existing.CachedInfo()
		if info.AckFloor.Stream >= applied {
			return stream.CreateOrUpdateConsumer(ctx, keepPosition(cfg, info.Config))
		}
		log.Info("durable consumer behind the replayed position; recreating it", "ack_floor", info.AckFloor.Stream, "applied", applied)
		if err := stream.DeleteConsumer(ctx, e.cfg.Durable); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
			return nil, err
		}
	} else if !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return nil, err
	}
	return stream.CreateOrUpdateConsumer(ctx, cfg)
}

// keepPosition leaves the fields of an existing consumer that cannot change.
func keepPosition(cfg, existing jetstream.ConsumerConfig) jetstream.ConsumerConfig {
	cfg.DeliverPolicy, cfg.OptStartSeq, cfg.OptStartTime = existing.DeliverPolicy, existing.OptStartSeq, existing.OptStartTime
	return cfg
}

func (e *Engine) refreshLag(ctx context.Context, src *source, cons jetstream.Consumer) {
	ictx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if info, err := cons.Info(ictx); err == nil {
		e.metrics.lag.WithLabelValues(src.stream).Set(float64(info.NumPending))
	}
}

// liveFor lists the derivations reading src that are caught up with it.
func (e *Engine) liveFor(src *source) map[*derived]bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := map[*derived]bool{}
	for _, refs := range src.index {
		for _, r := range refs {
			if !r.drv.behind[src.stream] {
				out[r.drv] = true
			}
		}
	}
	return out
}

// behindOn lists the derivations that have not seen src's history yet.
func (e *Engine) behindOn(src *source) map[*derived]bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := map[*derived]bool{}
	for _, drv := range e.derived {
		if drv.behind[src.stream] {
			out[drv] = true
		}
	}
	return out
}

// catchUp computes derivations that are behind on src from the stream's
// history up to the applied position.
func (e *Engine) catchUp(ctx context.Context, src *source, stream jetstream.Stream) error {
	e.mu.RLock()
	applied := src.applied
	e.mu.RUnlock()
	targets := e.behindOn(src)
	if len(targets) == 0 {
		return nil
	}
	if applied > 0 {
		if err := e.replay(ctx, src, stream, 1, applied, targets, false); err != nil {
			return err
		}
	}
	e.mu.Lock()
	for drv := range targets {
		delete(drv.behind, src.stream)
	}
	e.mu.Unlock()
	e.signalChanged()
	return nil
}

// replay reads the stream from sequence from to to with an ordered consumer
// and applies each event to targets. advance moves the applied position on
// (and records event ids); otherwise the events were applied before and
// only derivations catching up see them.
func (e *Engine) replay(ctx context.Context, src *source, stream jetstream.Stream, from, to uint64, targets map[*derived]bool, advance bool) error {
	cfg := jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{eventstore.SubjectPrefix(src.service) + ".>"},
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	}
	if from > 1 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, from
	}
	cons, err := stream.OrderedConsumer(ctx, cfg)
	if err != nil {
		return fmt.Errorf("replay consumer: %w", err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(1000))
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	defer it.Stop()
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	for {
		msg, err := it.Next()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("replay: %w", err)
		}
		meta, err := msg.Metadata()
		if err != nil {
			return fmt.Errorf("replay: %w", err)
		}
		seq := meta.Sequence.Stream
		if seq > to {
			return nil
		}
		e.mu.Lock()
		e.apply(src, msg.Subject(), seq, msg.Headers(), msg.Data(), meta.Timestamp, targets, advance)
		e.mu.Unlock()
		if advance && (seq%1024 == 0 || seq == to) {
			e.metrics.lag.WithLabelValues(src.stream).Set(float64(meta.NumPending))
		}
		if seq == to {
			return nil
		}
	}
}

// Header names of the CloudEvents attributes the engine reads.
const (
	headerID   = "ce-id"
	headerType = "ce-type"
	headerTime = "ce-time"
)

// apply counts one event, with e.mu held. targets limits the derivations
// (nil: all caught up with src). advance records the event id and moves the
// applied position.
func (e *Engine) apply(src *source, subject string, seq uint64, h map[string][]string, data []byte, stored time.Time, targets map[*derived]bool, advance bool) {
	id := eventKey(first(h, headerID), src.stream, seq)
	if advance {
		if _, dup := src.seen[id]; !dup {
			src.seen[id] = seq
		}
		src.applied = seq
		e.metrics.applied.WithLabelValues(src.stream).Set(float64(seq))
	}
	if src.seen[id] != seq {
		// The same event stored twice (a publisher retried after the
		// stream's duplicate window): it counts once.
		if advance {
			e.metrics.events.WithLabelValues(src.stream, "duplicate").Inc()
		}
		return
	}
	eventType := first(h, headerType)
	refs := src.index[eventType]
	if len(refs) == 0 {
		if advance {
			e.metrics.events.WithLabelValues(src.stream, "ignored").Inc()
		}
		return
	}
	mt, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(eventType))
	if err != nil {
		return
	}
	msg := mt.New()
	if err := proto.Unmarshal(data, msg.Interface()); err != nil {
		e.metrics.events.WithLabelValues(src.stream, "undecodable").Inc()
		e.log.Error("skipping undecodable source event", "stream", src.stream, "seq", seq, "type", eventType)
		return
	}
	at := stored
	if t, err := time.Parse(time.RFC3339Nano, first(h, headerTime)); err == nil {
		at = t
	}
	month := domain.MonthOf(at.In(e.cfg.Zone))
	aggregate := aggregateOf(subject)
	counted := false
	for _, r := range refs {
		if r.drv.behind[src.stream] && targets == nil || targets != nil && !targets[r.drv] {
			continue
		}
		if r.start {
			r.drv.d.Observe(domain.Observation{Term: r.term, Aggregate: aggregate, Time: at, Start: true})
			counted = true
			continue
		}
		if !matches(msg, r.filters) {
			continue
		}
		o := domain.Observation{Term: r.term, Aggregate: aggregate, Month: month, Time: at}
		if r.groupBy != nil {
			o.Group, _ = value(msg, r.groupBy)
		}
		switch r.agg {
		case domain.Sum:
			_, o.Amount = value(msg, r.field)
		case domain.CountDistinct:
			o.Key, _ = value(msg, r.field)
		case domain.CountElements:
			o.Amount = float64(elements(msg, r.field))
		}
		r.drv.d.Observe(o)
		r.drv.dirty[month] = struct{}{}
		counted = true
	}
	if counted {
		e.signalChanged()
	}
	if advance {
		if counted {
			e.metrics.events.WithLabelValues(src.stream, "counted").Inc()
		} else {
			e.metrics.events.WithLabelValues(src.stream, "ignored").Inc()
		}
	}
}

func matches(m protoreflect.Message, filters []compiledFilter) bool {
	for _, f := range filters {
		switch f.op {
		case domain.OpSet, domain.OpNotSet:
			if present(m, f.path) != (f.op == domain.OpSet) {
				return false
			}
		default:
			if v, _ := value(m, f.path); (v == f.value) != (f.op == domain.OpEqual) {
				return false
			}
		}
	}
	return true
}

// aggregateOf is "<aggregate>/<id>" of integration.<service>.<aggregate>.<id>.<event>.
func aggregateOf(subject string) string {
	parts := strings.SplitN(subject, ".", 5)
	if len(parts) < 4 {
		return subject
	}
	return parts[2] + "/" + parts[3]
}

func first(h map[string][]string, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// eventKey is the 16-byte form of an event id: the UUID itself, else a hash
// of it. An event without id is keyed by its position, so it counts once.
func eventKey(id, stream string, seq uint64) [16]byte {
	if u, err := uuid.Parse(id); err == nil && id != "" {
		return u
	}
	if id == "" {
		id = fmt.Sprintf("%s/%d", stream, seq)
	}
	sum := sha256.Sum256([]byte(id))
	var k [16]byte
	copy(k[:], sum[:16])
	return k
}
