package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// GetOffer returns one offer.
func (s *Service) GetOffer(ctx context.Context, id string) (v OfferView, err error) {
	err = s.read(ctx, func(c *domain.Catalogue) error {
		o, err := lookupOffer(c, id)
		if err == nil {
			v = offerView(o)
		}
		return err
	})
	return v, err
}
