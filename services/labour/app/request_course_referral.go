package app

import (
	"context"

	"github.com/google/uuid"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// RequestCourseReferral records that the case wants a course referral from
// education, PENDING until the referral worker has settled it with
// education. offer may be empty for education's best match.
func (s *Service) RequestCourseReferral(ctx context.Context, req eventstore.Request, as domain.Caller, id, participant, offer, etag string) (CaseView, error) {
	if !domain.ValidParticipantID(participant) || (offer != "" && !domain.ValidOfferID(offer)) {
		return CaseView{}, apierr.Invalid("participant", "must be an education participant pseudonym, with an optional offer ID")
	}
	view, err := s.caseCommand(ctx, req, as, owner, id, etag, func(c *domain.Case, pv *domain.ProcessVersion) (eventstore.Event, error) {
		if err := c.CheckReferral(pv); err != nil {
			return eventstore.Event{}, err
		}
		return adapters.CourseReferralRequested(c.ID, domain.Referral{
			Participant: participant, Offer: offer, RequestID: uuid.NewString(), RequestTime: s.now(),
		}), nil
	})
	if err == nil {
		s.wakeReferrals()
	}
	return view, err
}
