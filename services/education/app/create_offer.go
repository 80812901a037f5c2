package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/education/adapters"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// DuplicateView is an existing offer a new one may duplicate.
type DuplicateView struct {
	Offer   OfferView
	Reasons []string
}

// CreateOffer adds a PLANNED offer to the catalogue. Possible duplicates do
// not stop it (the plan wants them visible, not forbidden); they are
// returned with the reasons.
// A provider may create offers only for itself.
func (s *Service) CreateOffer(ctx context.Context, actor domain.Actor, req eventstore.Request, o domain.Offer) (OfferView, []DuplicateView, error) {
	o.ID = domain.NewOfferID(req.ID)
	o, err := domain.NewOffer(o)
	if err != nil {
		return OfferView{}, nil, err
	}
	if err := actor.MayActFor(o.Provider, "the offers"); err != nil {
		return OfferView{}, nil, err
	}
	if _, err := s.execute(ctx, req, func(c *domain.Catalogue) (eventstore.Event, uint64, error) {
		if _, ok := c.Provider(o.Provider); !ok {
			return eventstore.Event{}, 0, apierr.NotFound("provider %s not found", o.Provider)
		}
		if _, exists := c.Offer(o.ID); exists {
			return eventstore.Event{}, 0, apierr.AlreadyExists("offer %s exists already", o.ID)
		}
		return adapters.OfferCreated(o), eventstore.ExpectNew, nil
	}); err != nil {
		return OfferView{}, nil, err
	}
	s.settle(ctx)
	return s.offerWithDuplicates(o.ID)
}

// offerWithDuplicates returns an offer just written and the active offers
// it may duplicate.
func (s *Service) offerWithDuplicates(id string) (OfferView, []DuplicateView, error) {
	var v OfferView
	var dups []DuplicateView
	err := s.view(func(c *domain.Catalogue) error {
		o, err := lookupOffer(c, id)
		if err != nil {
			return err
		}
		v = offerView(o)
		for _, d := range c.Duplicates(o.Offer, s.neighbours) {
			dups = append(dups, DuplicateView{Offer: offerView(d.Offer), Reasons: d.Reasons})
		}
		return nil
	})
	return v, dups, err
}
