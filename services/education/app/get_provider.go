package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/paging"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// GetProvider returns one provider.
func (s *Service) GetProvider(ctx context.Context, id string) (ProviderView, error) {
	if err := s.follower.Sync(ctx); err != nil {
		return ProviderView{}, err
	}
	return s.provider(id)
}

func (s *Service) provider(id string) (v ProviderView, err error) {
	err = s.view(func(c *domain.Catalogue) error {
		p, ok := c.Provider(id)
		if !ok {
			return apierr.NotFound("provider %s not found", id)
		}
		v = providerView(p)
		return nil
	})
	return v, err
}

// ListProviders lists providers by ID.
func (s *Service) ListProviders(ctx context.Context, size int32, token string) (Page[ProviderView], error) {
	pg, err := paging.Parse(size, token, "providers")
	if err != nil {
		return Page[ProviderView]{}, err
	}
	var out Page[ProviderView]
	err = s.read(ctx, func(c *domain.Catalogue) error {
		var all []ProviderView
		for _, p := range c.Providers() {
			all = append(all, providerView(p))
		}
		out.TotalSize = len(all)
		out.Items, out.NextToken = paging.Cut(pg, all,
			func(p ProviderView) string { return p.ID },
			func(p ProviderView, after string) bool { return p.ID > after })
		return nil
	})
	return out, err
}
