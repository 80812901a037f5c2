package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// GetActor returns one actor.
func (s *Service) GetActor(ctx context.Context, id domain.ActorID) (v ActorView, err error) {
	err = s.read(ctx, func(p *domain.Plan) error {
		a, ok := p.Actor(id)
		if !ok {
			return apierr.NotFound("actor %s not found", id)
		}
		v = actorView(a)
		return nil
	})
	return v, err
}
