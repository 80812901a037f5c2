package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// GetActor returns one actor.
func (s *Service) GetActor(ctx context.Context, id domain.ActorID) (ActorView, error) {
	if err := s.follower.Sync(ctx); err != nil {
		return ActorView{}, err
	}
	return s.actor(id)
}

// actor reads an actor from the read model as it is.
func (s *Service) actor(id domain.ActorID) (v ActorView, err error) {
	err = s.view(func(p *domain.Plan) error {
		a, ok := p.Actor(id)
		if !ok {
			return apierr.NotFound("actor %s not found", id)
		}
		v = actorView(a)
		return nil
	})
	return v, err
}
