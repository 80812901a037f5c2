package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/education/adapters"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// RecordAssessment records a participant's newest assessment. etag, if not
// empty, must be the participant's current version.
func (s *Service) RecordAssessment(ctx context.Context, req eventstore.Request, id string, a domain.Assessment, etag string) (ParticipantView, error) {
	a, err := domain.NewAssessment(a, s.today())
	if err != nil {
		return ParticipantView{}, err
	}
	if _, err := s.execute(ctx, req, func(c *domain.Catalogue) (eventstore.Event, uint64, error) {
		p, err := lookupParticipant(c, id)
		if err != nil {
			return eventstore.Event{}, 0, err
		}
		if err := checkEtag("participant", etag, p.Version); err != nil {
			return eventstore.Event{}, 0, err
		}
		if err := p.CheckActive(); err != nil {
			return eventstore.Event{}, 0, err
		}
		return adapters.AssessmentRecorded(id, a), p.Version, nil
	}); err != nil {
		return ParticipantView{}, err
	}
	s.settle(ctx)
	return s.participant(ctx, id)
}
