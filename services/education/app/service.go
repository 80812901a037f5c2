// Package app holds the education service's use cases, one per file:
// commands check a request against the read model and append an event;
// queries read the read model after bringing it up to date.
package app

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/education/adapters"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// Service runs the use cases.
type Service struct {
	store      *eventstore.Store
	follower   *eventstore.Follower
	model      *adapters.ReadModel
	personal   *adapters.PersonalStore
	neighbours domain.Neighbours
	now        func() time.Time
	zone       *time.Location
	log        *slog.Logger
	// derived serialises this process's publishing of derived events, so
	// concurrent commands do not race each other for the same one.
	derived sync.Mutex
}

// New returns the use cases over a store whose follower feeds model.
func New(store *eventstore.Store, follower *eventstore.Follower, model *adapters.ReadModel, personal *adapters.PersonalStore, neighbours domain.Neighbours, log *slog.Logger) *Service {
	zone, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		zone = time.UTC
	}
	return &Service{store: store, follower: follower, model: model, personal: personal, neighbours: neighbours, now: time.Now, zone: zone, log: log}
}

var errNothingPending = errors.New("no derived event pending")

// maxDerivedPerCall bounds one PublishDerived; a sweep publishes the rest.
const maxDerivedPerCall = 1000

// PublishDerived appends the derived events the read model holds pending
// (offer_full, seat_freed, gap_opened, gap_closed), one at a time, each
// with the version its aggregate must still have: if another replica
// published it first, the append conflicts, the model catches up and the
// event is no longer pending. Commands call it after their own event; the
// service calls it at start and periodically, which completes what a crash
// left pending.
func (s *Service) PublishDerived(ctx context.Context) error {
	s.derived.Lock()
	defer s.derived.Unlock()
	for range maxDerivedPerCall {
		pending := 0
		s.model.View(func(c *domain.Catalogue) { pending = c.PendingDerived() })
		if pending == 0 {
			return nil
		}
		_, err := s.execute(ctx, eventstore.Request{}, func(c *domain.Catalogue) (eventstore.Event, uint64, error) {
			d, ok := c.NextDerived()
			if !ok {
				return eventstore.Event{}, 0, errNothingPending
			}
			return adapters.DerivedEvent(d), d.Expected, nil
		})
		if errors.Is(err, errNothingPending) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// settle publishes the derived events a command caused. The command itself
// succeeded, so a failure here is only logged: the events stay pending and
// the next command or sweep publishes them.
func (s *Service) settle(ctx context.Context) {
	if err := s.PublishDerived(ctx); err != nil {
		s.log.Warn("derived events stay pending until the next sweep", "error", err)
	}
}

// today is the calendar day in the county, as a date at UTC midnight.
func (s *Service) today() time.Time {
	y, m, d := s.now().In(s.zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// read brings the read model up to date with the stream, then runs read on it.
func (s *Service) read(ctx context.Context, read func(*domain.Catalogue) error) error {
	if err := s.follower.Sync(ctx); err != nil {
		return err
	}
	return s.view(read)
}

// view runs read on the read model as it is: right after a command, which
// waited until the model applied its event, no Sync is needed.
func (s *Service) view(read func(*domain.Catalogue) error) (err error) {
	s.model.View(func(c *domain.Catalogue) { err = read(c) })
	return err
}

// execute runs a command; decide is called with the catalogue locked for reading.
func (s *Service) execute(ctx context.Context, req eventstore.Request, decide func(*domain.Catalogue) (eventstore.Event, uint64, error)) (uint64, error) {
	return s.store.Execute(ctx, s.follower, req, func() (e eventstore.Event, expected uint64, err error) {
		s.model.View(func(c *domain.Catalogue) { e, expected, err = decide(c) })
		return e, expected, err
	})
}

// Page is one page of a list.
type Page[T any] struct {
	Items     []T
	NextToken string
	TotalSize int
}
