package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// AcceptCaseTransfer hands a case over to the organisation it was offered to.
func (s *Service) AcceptCaseTransfer(ctx context.Context, req eventstore.Request, as domain.Caller, id, etag string) (CaseView, error) {
	return s.caseCommand(ctx, req, as, receiver, id, etag, func(c *domain.Case, _ *domain.ProcessVersion) (eventstore.Event, error) {
		if err := c.CheckAnswerTransfer(); err != nil {
			return eventstore.Event{}, err
		}
		return adapters.CaseTransferred(c, s.now()), nil
	})
}
