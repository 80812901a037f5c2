package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/measures/adapters"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// CreateIndicator defines an indicator of a measure. A derived indicator's
// values are computed from the history of its source streams on.
func (s *Service) CreateIndicator(ctx context.Context, req eventstore.Request, i domain.Indicator) (IndicatorView, error) {
	i, err := domain.NewIndicator(i, s.catalog)
	if err != nil {
		return IndicatorView{}, err
	}
	if _, err := s.execute(ctx, req, func(p *domain.Plan) (eventstore.Event, uint64, error) {
		m, ok := p.Measure(i.Measure)
		if !ok {
			return eventstore.Event{}, 0, apierr.NotFound("measure %s not found", i.Measure.Number())
		}
		if i.Actor != "" {
			a, ok := p.Actor(i.Actor)
			if !ok {
				return eventstore.Event{}, 0, apierr.NotFound("actor %s not found", i.Actor)
			}
			if !m.Addresses(a.Kind) {
				return eventstore.Event{}, 0, apierr.Invalid("actor", "measure %s is not offered to %s (kind %s), so it has no indicator of its own", m.Number, a.ID, a.Kind.Label())
			}
		}
		if p.Deleted(i.Key()) {
			return eventstore.Event{}, 0, apierr.AlreadyExists("indicator %s of measure %s was deleted; its ID stays with its history, choose another", i.ID, m.Number)
		}
		if _, exists := p.Indicator(i.Key()); exists {
			return eventstore.Event{}, 0, apierr.AlreadyExists("indicator %s of measure %s exists already", i.ID, m.Number)
		}
		return adapters.IndicatorDefined(i), eventstore.ExpectNew, nil
	}); err != nil {
		return IndicatorView{}, err
	}
	return s.indicator(i.Key())
}
