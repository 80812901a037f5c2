package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/measures/adapters"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// CreateActor registers an actor under a new ID.
func (s *Service) CreateActor(ctx context.Context, req eventstore.Request, a domain.Actor) (ActorView, error) {
	a, err := domain.NewActor(string(a.ID), a.Kind, a.DisplayName)
	if err != nil {
		return ActorView{}, err
	}
	if _, err := s.execute(ctx, req, func(p *domain.Plan) (eventstore.Event, uint64, error) {
		if _, exists := p.Actor(a.ID); exists {
			return eventstore.Event{}, 0, apierr.AlreadyExists("actor %s exists already", a.ID)
		}
		return adapters.ActorCreated(a), eventstore.ExpectNew, nil
	}); err != nil {
		return ActorView{}, err
	}
	return s.actor(a.ID)
}
