package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// FollowCourse records a referral status education reported on the case
// the referral belongs to. It is idempotent: the education event's ID is
// the request ID, so a redelivered event is recorded once. Updates of
// referrals no case asked for are ignored.
func (s *Service) FollowCourse(ctx context.Context, u adapters.ReferralUpdate) error {
	req := eventstore.Request{ID: "education-event/" + u.EventID, Fingerprint: "education-event"}
	_, err := s.execute(ctx, req, func(l *domain.Labour) (eventstore.Event, uint64, error) {
		c, ok := l.CaseByReferral(u.ReferralID)
		if !ok {
			if l.HasPendingReferral(u.Participant) {
				// Education created it, the referral worker has yet to record it.
				return eventstore.Event{}, 0, adapters.ErrNotYet
			}
			return eventstore.Event{}, 0, errNothingToDo
		}
		if r := c.Referral; r.ID != u.ReferralID || r.CourseStatus == u.Status {
			return eventstore.Event{}, 0, errNothingToDo
		}
		return adapters.CourseStatusChanged(c.ID, u.ReferralID, u.Status, u.EventID, u.Time), c.Revision, nil
	})
	if err == errNothingToDo {
		return nil
	}
	return err
}
