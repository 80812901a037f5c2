package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// CompleteChecklistItem ticks off an item of the case's current stage.
func (s *Service) CompleteChecklistItem(ctx context.Context, req eventstore.Request, as domain.Caller, id, item, etag string) (CaseView, error) {
	return s.caseCommand(ctx, req, as, owner, id, etag, func(c *domain.Case, pv *domain.ProcessVersion) (eventstore.Event, error) {
		if err := c.CheckComplete(pv, item); err != nil {
			return eventstore.Event{}, err
		}
		return adapters.ChecklistItemCompleted(c.ID, c.Stage, item, s.now()), nil
	})
}
