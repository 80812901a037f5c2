package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// CreatePilotProject creates a pilot project under a new ID.
func (s *Service) CreatePilotProject(ctx context.Context, req eventstore.Request, p domain.Pilot) (PilotView, error) {
	p, err := domain.NewPilot(p)
	if err != nil {
		return PilotView{}, err
	}
	if _, err := s.execute(ctx, req, func(l *domain.Labour) (eventstore.Event, uint64, error) {
		if _, exists := l.Pilot(p.ID); exists {
			return eventstore.Event{}, 0, apierr.AlreadyExists("pilot %s exists already", p.ID)
		}
		return adapters.PilotProjectCreated(p), eventstore.ExpectNew, nil
	}); err != nil {
		return PilotView{}, err
	}
	return s.pilot(p.ID)
}

// pilot reads a pilot from the read model as it is.
func (s *Service) pilot(id string) (v PilotView, err error) {
	err = s.view(func(l *domain.Labour) error {
		p, ok := l.Pilot(id)
		if !ok {
			return apierr.NotFound("pilot %s not found", id)
		}
		v = pilotView(l, p)
		return nil
	})
	return v, err
}
