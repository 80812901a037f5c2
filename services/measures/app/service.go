// Package app holds the measures service's use cases, one per file: commands
// check a request against the read model and append an event; queries read
// the read model after bringing it up to date.
package app

import (
	"context"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/measures/adapters"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// Service runs the use cases.
type Service struct {
	store    *eventstore.Store
	follower *eventstore.Follower
	model    *adapters.ReadModel
	catalog  domain.EventCatalog
	derived  DerivedValues
	now      func() time.Time
	zone     *time.Location
	pending  *ValueMarks
}

// DerivedValues are the values of derived indicators, computed from the
// other services' events.
type DerivedValues interface {
	// Value is a derived indicator's value for a period; false if unknown.
	Value(k domain.IndicatorKey, p domain.Period) (domain.Value, bool)
	// Positions is, per source stream, the last sequence the values include.
	Positions() map[string]uint64
	// Computed is a derived indicator's values for periods with the source
	// positions they include; false until the indicator is ready (its values
	// include the streams' history).
	Computed(k domain.IndicatorKey, periods []domain.Period) ([]domain.Value, map[string]uint64, bool)
	// Changed is signalled when TakeChanged may return something.
	Changed() <-chan struct{}
	// TakeChanged returns the periods of ready indicators whose value may
	// have changed since the last call.
	TakeChanged() map[domain.IndicatorKey][]domain.Period
}

// New returns the use cases over a store whose follower feeds model; catalog
// checks the rules of derived indicators, whose values derived computes;
// marks name the values to compare with the published ones.
func New(store *eventstore.Store, follower *eventstore.Follower, model *adapters.ReadModel, catalog domain.EventCatalog, derived DerivedValues, marks *ValueMarks) *Service {
	zone, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		zone = time.UTC
	}
	return &Service{store: store, follower: follower, model: model, catalog: catalog, derived: derived, now: time.Now, zone: zone, pending: marks}
}

// Zone is the county's time zone, in which periods begin and end.
func (s *Service) Zone() *time.Location { return s.zone }

// today is the calendar day in the county, as a date at UTC midnight.
func (s *Service) today() time.Time {
	y, m, d := s.now().In(s.zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// read brings the read model up to date with the stream, then runs read on
// it and returns read's error.
func (s *Service) read(ctx context.Context, read func(*domain.Plan) error) (err error) {
	if err := s.follower.Sync(ctx); err != nil {
		return err
	}
	return s.view(read)
}

// view runs read on the read model as it is: right after a command, which
// waited until the model applied its event, no Sync is needed.
func (s *Service) view(read func(*domain.Plan) error) (err error) {
	s.model.View(func(p *domain.Plan) { err = read(p) })
	return err
}

// execute runs a command; decide is called with the plan locked for reading.
func (s *Service) execute(ctx context.Context, req eventstore.Request, decide func(*domain.Plan) (eventstore.Event, uint64, error)) (uint64, error) {
	return s.store.Execute(ctx, s.follower, req, func() (e eventstore.Event, expected uint64, err error) {
		s.model.View(func(p *domain.Plan) { e, expected, err = decide(p) })
		return e, expected, err
	})
}
