package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/education/adapters"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// SetOfferStatus moves an offer through its lifecycle. etag, if not empty,
// must be the offer's current version. A provider may change only its own
// offers.
func (s *Service) SetOfferStatus(ctx context.Context, actor domain.Actor, req eventstore.Request, id string, to domain.OfferStatus, etag string) (OfferView, error) {
	if _, err := s.execute(ctx, req, func(c *domain.Catalogue) (eventstore.Event, uint64, error) {
		o, err := lookupOffer(c, id)
		if err != nil {
			return eventstore.Event{}, 0, err
		}
		if err := actor.MayActFor(o.Provider, "offer "+id); err != nil {
			return eventstore.Event{}, 0, err
		}
		if err := checkEtag("offer", etag, o.Version); err != nil {
			return eventstore.Event{}, 0, err
		}
		if err := domain.DecideOfferStatus(o.Status, to); err != nil {
			return eventstore.Event{}, 0, err
		}
		return adapters.OfferStatusChanged(id, o.Status, to, s.now()), o.Version, nil
	}); err != nil {
		return OfferView{}, err
	}
	s.settle(ctx)
	var v OfferView
	err := s.view(func(c *domain.Catalogue) error {
		o, err := lookupOffer(c, id)
		if err == nil {
			v = offerView(o)
		}
		return err
	})
	return v, err
}
