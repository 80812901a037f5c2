package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// AdvanceCase moves a case to the next stage once its checklist is complete.
func (s *Service) AdvanceCase(ctx context.Context, req eventstore.Request, as domain.Caller, id, etag string) (CaseView, error) {
	return s.caseCommand(ctx, req, as, owner, id, etag, func(c *domain.Case, pv *domain.ProcessVersion) (eventstore.Event, error) {
		to, err := c.NextStage(pv)
		if err != nil {
			return eventstore.Event{}, err
		}
		return adapters.CaseStageChanged(c.ID, c.Stage, to, domain.StepBackReasonUnspecified, s.now()), nil
	})
}
