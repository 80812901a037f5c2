package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/measures/adapters"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// CreateMeasure adds a measure; its number must be new.
func (s *Service) CreateMeasure(ctx context.Context, req eventstore.Request, m domain.Measure) (MeasureView, error) {
	m, err := domain.NewMeasure(m)
	if err != nil {
		return MeasureView{}, err
	}
	if _, err := s.execute(ctx, req, func(p *domain.Plan) (eventstore.Event, uint64, error) {
		if _, exists := p.Measure(m.ID()); exists {
			return eventstore.Event{}, 0, apierr.AlreadyExists("measure %s exists already", m.Number)
		}
		return adapters.MeasureCreated(m), eventstore.ExpectNew, nil
	}); err != nil {
		return MeasureView{}, err
	}
	return s.measure(m.ID())
}
