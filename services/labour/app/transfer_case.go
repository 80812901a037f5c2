package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// TransferCase offers a case to another organisation; the owner keeps it
// until the receiver accepts.
func (s *Service) TransferCase(ctx context.Context, req eventstore.Request, as domain.Caller, id, to, etag string) (CaseView, error) {
	return s.caseCommand(ctx, req, as, owner, id, etag, func(c *domain.Case, _ *domain.ProcessVersion) (eventstore.Event, error) {
		if err := c.CheckTransfer(to); err != nil {
			return eventstore.Event{}, err
		}
		return adapters.CaseTransferRequested(c, to, s.now()), nil
	})
}
