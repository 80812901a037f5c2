package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// CreateOrientationEvent schedules a career orientation event.
func (s *Service) CreateOrientationEvent(ctx context.Context, req eventstore.Request, e domain.OrientationEvent) (domain.OrientationEvent, error) {
	e, err := domain.NewOrientationEvent(e)
	if err != nil {
		return domain.OrientationEvent{}, err
	}
	e.ID = domain.NewOrientationEventID(req.ID)
	if _, err := s.execute(ctx, req, func(l *domain.Labour) (eventstore.Event, uint64, error) {
		return adapters.OrientationEventScheduled(e), eventstore.ExpectNew, nil
	}); err != nil {
		return domain.OrientationEvent{}, err
	}
	return s.orientationEvent(e.ID)
}

// orientationEvent reads an event from the read model as it is.
func (s *Service) orientationEvent(id string) (v domain.OrientationEvent, err error) {
	err = s.view(func(l *domain.Labour) error {
		e, ok := l.OrientationEvent(id)
		if !ok {
			return apierr.NotFound("orientation event %s not found", id)
		}
		v = orientationView(e)
		return nil
	})
	return v, err
}
