package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// RecordOrientationAttendance records that an event was held, once.
func (s *Service) RecordOrientationAttendance(ctx context.Context, req eventstore.Request, id string, attendance, followUps int32, etag string) (domain.OrientationEvent, error) {
	if _, err := s.execute(ctx, req, func(l *domain.Labour) (eventstore.Event, uint64, error) {
		e, ok := l.OrientationEvent(id)
		if !ok {
			return eventstore.Event{}, 0, apierr.NotFound("orientation event %s not found", id)
		}
		if err := checkEtag(etag, e.Revision, "orientation event"); err != nil {
			return eventstore.Event{}, 0, err
		}
		if err := e.CheckAttendance(attendance, followUps, s.today()); err != nil {
			return eventstore.Event{}, 0, err
		}
		return adapters.OrientationEventHeld(id, attendance, followUps, s.now()), e.Revision, nil
	}); err != nil {
		return domain.OrientationEvent{}, err
	}
	return s.orientationEvent(id)
}
