package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// DeclineCaseTransfer refuses a pending transfer; the owner keeps the case.
func (s *Service) DeclineCaseTransfer(ctx context.Context, req eventstore.Request, as domain.Caller, id, etag string) (CaseView, error) {
	return s.caseCommand(ctx, req, as, receiver, id, etag, func(c *domain.Case, _ *domain.ProcessVersion) (eventstore.Event, error) {
		if err := c.CheckAnswerTransfer(); err != nil {
			return eventstore.Event{}, err
		}
		return adapters.CaseTransferDeclined(c, s.now()), nil
	})
}
