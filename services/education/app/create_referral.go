package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/education/adapters"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// CreateReferral refers a participant to an offer: PROPOSED while seats are
// free, WAITLISTED otherwise. etag, if not empty, must be the offer's version.
// A provider may refer participants only to its own offers.
func (s *Service) CreateReferral(ctx context.Context, actor domain.Actor, req eventstore.Request, offerID, participantID, etag string) (ReferralView, error) {
	id := domain.NewReferralID(req.ID)
	if _, err := s.execute(ctx, req, func(c *domain.Catalogue) (eventstore.Event, uint64, error) {
		o, err := lookupOffer(c, offerID)
		if err != nil {
			return eventstore.Event{}, 0, err
		}
		if err := actor.MayReferTo(o.Provider, "referrals to offer "+offerID); err != nil {
			return eventstore.Event{}, 0, err
		}
		p, err := lookupParticipant(c, participantID)
		if err != nil {
			return eventstore.Event{}, 0, err
		}
		if err := checkEtag("offer", etag, o.Version); err != nil {
			return eventstore.Event{}, 0, err
		}
		if _, exists := o.Referral(id); exists {
			return eventstore.Event{}, 0, apierr.AlreadyExists("referral %s exists already", id)
		}
		status, err := o.DecideNewReferral(p)
		if err != nil {
			return eventstore.Event{}, 0, err
		}
		return adapters.ReferralCreated(offerID, id, participantID, status, s.now()), o.Version, nil
	}); err != nil {
		return ReferralView{}, err
	}
	return s.referral(offerID, id)
}

// referral reads a referral from the read model as it is.
func (s *Service) referral(offerID, id string) (v ReferralView, err error) {
	err = s.view(func(c *domain.Catalogue) error {
		o, r, err := lookupReferral(c, offerID, id)
		if err == nil {
			v = referralView(o, r)
		}
		return err
	})
	return v, err
}

func lookupReferral(c *domain.Catalogue, offerID, id string) (*domain.OfferState, *domain.Referral, error) {
	o, err := lookupOffer(c, offerID)
	if err != nil {
		return nil, nil, err
	}
	r, ok := o.Referral(id)
	if !ok {
		return nil, nil, apierr.NotFound("referral %s of offer %s not found", id, offerID)
	}
	return o, r, nil
}
