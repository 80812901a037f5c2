package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// CloseCase closes a case with an outcome; it moves to the closing stage.
func (s *Service) CloseCase(ctx context.Context, req eventstore.Request, as domain.Caller, id string, outcome domain.Outcome, etag string) (CaseView, error) {
	return s.caseCommand(ctx, req, as, owner, id, etag, func(c *domain.Case, pv *domain.ProcessVersion) (eventstore.Event, error) {
		if err := c.CheckClose(outcome); err != nil {
			return eventstore.Event{}, err
		}
		return adapters.CaseClosed(c.ID, c.Stage, pv.Closing().ID, outcome, s.now()), nil
	})
}
