package app

import (
	"context"
	"errors"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/education/adapters"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

var errUnchanged = errors.New("offer unchanged")

// UpdateOffer changes the named fields (from domain.OfferFields) of an
// offer to their values in patch. etag, if not empty, must be the offer's
// current version; patch.Provider, if set, must be the offer's (it cannot
// change). A change that changes nothing writes nothing. Like
// CreateOffer it returns the possible duplicates of the changed offer. A
// provider may change only its own offers.
func (s *Service) UpdateOffer(ctx context.Context, actor domain.Actor, req eventstore.Request, id string, patch domain.Offer, fields []string, etag string) (OfferView, []DuplicateView, error) {
	_, err := s.execute(ctx, req, func(c *domain.Catalogue) (eventstore.Event, uint64, error) {
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
		if patch.Provider != "" && patch.Provider != o.Provider {
			return eventstore.Event{}, 0, apierr.Invalid("provider", "cannot change (the offer belongs to provider %s)", o.Provider)
		}
		change, err := o.DecideChange(o.WithFields(patch, fields))
		if err != nil {
			return eventstore.Event{}, 0, err
		}
		if len(change.Changed) == 0 {
			return eventstore.Event{}, 0, errUnchanged
		}
		return adapters.OfferChanged(change, s.now()), o.Version, nil
	})
	if err != nil && !errors.Is(err, errUnchanged) {
		return OfferView{}, nil, err
	}
	s.settle(ctx)
	return s.offerWithDuplicates(id)
}
