package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// LinkCaseToPilot links a case to a pilot project.
func (s *Service) LinkCaseToPilot(ctx context.Context, req eventstore.Request, id, caseID, etag string) (PilotView, error) {
	if _, err := s.execute(ctx, req, func(l *domain.Labour) (eventstore.Event, uint64, error) {
		p, ok := l.Pilot(id)
		if !ok {
			return eventstore.Event{}, 0, apierr.NotFound("pilot %s not found", id)
		}
		if err := checkEtag(etag, p.Revision, "pilot"); err != nil {
			return eventstore.Event{}, 0, err
		}
		if _, err := lookupCase(l, caseID); err != nil {
			return eventstore.Event{}, 0, err
		}
		if err := p.CheckLink(caseID); err != nil {
			return eventstore.Event{}, 0, err
		}
		return adapters.PilotCaseLinked(id, caseID, s.now()), p.Revision, nil
	}); err != nil {
		return PilotView{}, err
	}
	return s.pilot(id)
}
