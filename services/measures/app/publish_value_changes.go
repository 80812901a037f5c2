package app

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"sync"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/measures/adapters"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// ValueMarks are the indicators and periods whose value may have changed
// and was not compared with the published one yet. The read model's hooks
// fill them from the replay on, before the use cases exist.
type ValueMarks struct {
	mu   sync.Mutex
	keys map[domain.IndicatorKey]*marked
	wake chan struct{}
}

// marked are the periods of one indicator to compare.
type marked struct {
	periods map[domain.Period]struct{}
	// all adds every period with a published or recorded value.
	all bool
}

// NewValueMarks returns empty marks.
func NewValueMarks() *ValueMarks {
	return &ValueMarks{keys: map[domain.IndicatorKey]*marked{}, wake: make(chan struct{}, 1)}
}

// mark adds periods of k, and with all every period it has a value for.
func (p *ValueMarks) mark(k domain.IndicatorKey, periods []domain.Period, all, wake bool) {
	p.mu.Lock()
	m := p.keys[k]
	if m == nil {
		m = &marked{periods: map[domain.Period]struct{}{}}
		p.keys[k] = m
	}
	m.all = m.all || all
	for _, q := range periods {
		m.periods[q] = struct{}{}
	}
	p.mu.Unlock()
	if wake {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

func (p *ValueMarks) take() map[domain.IndicatorKey]*marked {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.keys
	p.keys = map[domain.IndicatorKey]*marked{}
	return out
}

// IndicatorDefined marks every period of a new or changed indicator.
func (p *ValueMarks) IndicatorDefined(i domain.Indicator) { p.mark(i.Key(), nil, true, true) }

// ValueRecorded marks a recorded period and the periods containing it.
func (p *ValueMarks) ValueRecorded(k domain.IndicatorKey, period domain.Period) {
	p.mark(k, period.Enclosing(), false, true)
}

// PublishValueChanges publishes IndicatorValueChanged events until ctx ends:
// whenever a derived value moved or a manual one was recorded, each marked
// period's value is compared with the last published one and, if it
// changed, appended with the expected sequence of that one. Every indicator
// is compared once at the start, which publishes what changed while the
// service was down.
func (s *Service) PublishValueChanges(ctx context.Context, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.pending.wake:
		case <-s.derived.Changed():
		}
		for k, periods := range s.derived.TakeChanged() {
			s.pending.mark(k, periods, false, false)
		}
		for k, m := range s.pending.take() {
			err := s.publishChanges(ctx, k, m)
			if ctx.Err() != nil {
				return
			}
			if errors.Is(err, errNotReady) {
				// The engine signals Changed once it is ready.
				s.pending.mark(k, setToList(m.periods), m.all, false)
				continue
			}
			if err != nil {
				log.Warn("publishing indicator value changes failed; retrying", "indicator", k.AggregateID(), "error", err)
				time.AfterFunc(time.Second, func() { s.pending.mark(k, setToList(m.periods), m.all, true) })
			}
		}
	}
}

var (
	errNotReady  = errors.New("derived values not ready")
	errUnchanged = errors.New("value unchanged")
)

func setToList(set map[domain.Period]struct{}) []domain.Period {
	out := make([]domain.Period, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	return out
}

// publishChanges compares the marked periods of k and publishes those that
// changed.
func (s *Service) publishChanges(ctx context.Context, k domain.IndicatorKey, m *marked) error {
	var periods []domain.Period
	var changed []domain.Computed
	err := s.view(func(p *domain.Plan) error {
		st, ok := p.Indicator(k)
		if !ok {
			return nil // deleted
		}
		set := maps.Clone(m.periods)
		if m.all {
			for _, q := range st.PublishedPeriods() {
				set[q] = struct{}{}
			}
			for _, r := range st.Recorded {
				for _, q := range r.Period.Enclosing() {
					set[q] = struct{}{}
				}
			}
		}
		periods = st.Affected(setToList(set))
		computed, err := s.compute(st, periods)
		if err != nil {
			return err
		}
		for i, c := range computed {
			if c.Publishes(st.Published(periods[i])) {
				changed = append(changed, c)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range changed {
		if err := s.publishChange(ctx, k, c.Period); err != nil && !errors.Is(err, errUnchanged) {
			return err
		}
	}
	return nil
}

// publishChange appends the change of one period if the value still
// differs from the published one when the command decides.
func (s *Service) publishChange(ctx context.Context, k domain.IndicatorKey, period domain.Period) error {
	_, err := s.execute(ctx, eventstore.Request{}, func(p *domain.Plan) (eventstore.Event, uint64, error) {
		st, ok := p.Indicator(k)
		if !ok {
			return eventstore.Event{}, 0, errUnchanged
		}
		computed, err := s.compute(st, []domain.Period{period})
		if err != nil {
			return eventstore.Event{}, 0, err
		}
		published := st.Published(period)
		if !computed[0].Publishes(published) {
			return eventstore.Event{}, 0, errUnchanged
		}
		var expected uint64
		if published != nil {
			expected = published.Seq
		}
		return adapters.IndicatorValueChanged(k, computed[0], published, s.now()), expected, nil
	})
	return err
}

// compute is an indicator's values for periods with what they were computed
// from, or errNotReady.
func (s *Service) compute(st *domain.IndicatorState, periods []domain.Period) ([]domain.Computed, error) {
	out := make([]domain.Computed, len(periods))
	if !st.Derived() {
		for i, p := range periods {
			out[i] = domain.Computed{Value: st.ManualValueFor(p), IndicatorVersion: st.Version}
		}
		return out, nil
	}
	values, positions, ok := s.derived.Computed(st.Key(), periods)
	if !ok {
		return nil, errNotReady
	}
	for i, v := range values {
		out[i] = domain.Computed{Value: v, IndicatorVersion: st.Version, Positions: positions}
	}
	return out, nil
}
