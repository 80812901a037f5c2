package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// StepBackCase moves a case back to the previous stage.
func (s *Service) StepBackCase(ctx context.Context, req eventstore.Request, as domain.Caller, id string, reason domain.StepBackReason, etag string) (CaseView, error) {
	return s.caseCommand(ctx, req, as, owner, id, etag, func(c *domain.Case, pv *domain.ProcessVersion) (eventstore.Event, error) {
		to, err := c.PreviousStage(pv, reason)
		if err != nil {
			return eventstore.Event{}, err
		}
		return adapters.CaseStageChanged(c.ID, c.Stage, to, reason, s.now()), nil
	})
}
