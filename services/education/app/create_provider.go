package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/education/adapters"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// CreateProvider registers a provider under a new ID.
func (s *Service) CreateProvider(ctx context.Context, req eventstore.Request, p domain.Provider) (ProviderView, error) {
	p, err := domain.NewProvider(p)
	if err != nil {
		return ProviderView{}, err
	}
	if _, err := s.execute(ctx, req, func(c *domain.Catalogue) (eventstore.Event, uint64, error) {
		if _, exists := c.Provider(p.ID); exists {
			return eventstore.Event{}, 0, apierr.AlreadyExists("provider %s exists already", p.ID)
		}
		return adapters.ProviderCreated(p), eventstore.ExpectNew, nil
	}); err != nil {
		return ProviderView{}, err
	}
	return s.provider(p.ID)
}
