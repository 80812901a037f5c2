package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/education/adapters"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// SetReferralStatus moves a referral through its lifecycle. The offer's
// version guards the append, so two changes that compete for the last seat
// cannot both take it. etag, if not empty, must be the referral's version.
// When the change freed a seat for a waiting referral, that referral is
// returned as promoted. A provider may act only on referrals to its own
// offers.
func (s *Service) SetReferralStatus(ctx context.Context, actor domain.Actor, req eventstore.Request, offerID, id string, to domain.ReferralStatus, etag string) (ReferralView, *ReferralView, error) {
	if _, err := s.execute(ctx, req, func(c *domain.Catalogue) (eventstore.Event, uint64, error) {
		o, r, err := lookupReferral(c, offerID, id)
		if err != nil {
			return eventstore.Event{}, 0, err
		}
		if err := actor.MayActFor(o.Provider, "referrals to offer "+offerID); err != nil {
			return eventstore.Event{}, 0, err
		}
		if err := checkEtag("referral", etag, r.Version); err != nil {
			return eventstore.Event{}, 0, err
		}
		change, err := o.DecideReferral(r, to)
		if err != nil {
			return eventstore.Event{}, 0, err
		}
		return adapters.ReferralStatusChanged(r, change, s.now()), o.Version, nil
	}); err != nil {
		return ReferralView{}, nil, err
	}
	s.settle(ctx)
	var v ReferralView
	var promoted *ReferralView
	err := s.view(func(c *domain.Catalogue) error {
		o, r, err := lookupReferral(c, offerID, id)
		if err != nil {
			return err
		}
		v = referralView(o, r)
		// The promotion happened in the same event, which has this version.
		for _, other := range o.Referrals() {
			if other.ID != id && other.Version == r.Version {
				pv := referralView(o, other)
				promoted = &pv
			}
		}
		return nil
	})
	return v, promoted, err
}
