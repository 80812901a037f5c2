package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// SetPilotOfferedPlaces sets the number of places a pilot offers.
func (s *Service) SetPilotOfferedPlaces(ctx context.Context, req eventstore.Request, id string, offered int32, etag string) (PilotView, error) {
	if err := domain.CheckOfferedPlaces(offered); err != nil {
		return PilotView{}, err
	}
	if _, err := s.execute(ctx, req, func(l *domain.Labour) (eventstore.Event, uint64, error) {
		p, ok := l.Pilot(id)
		if !ok {
			return eventstore.Event{}, 0, apierr.NotFound("pilot %s not found", id)
		}
		if err := checkEtag(etag, p.Revision, "pilot"); err != nil {
			return eventstore.Event{}, 0, err
		}
		return adapters.PilotOfferedPlacesSet(id, offered, s.now()), p.Revision, nil
	}); err != nil {
		return PilotView{}, err
	}
	return s.pilot(id)
}
