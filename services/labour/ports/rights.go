package ports

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/principal"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// AdminScope may act on every organisation's cases.
const AdminScope = "labour.admin"

// caller derives the object-level rights from the gateway's principal: a
// partner acting for an organisation acts only on its own cases. A call
// without a principal is not restricted: the service then runs without
// principal checks (local development) or has refused it already
// (production).
func caller(ctx context.Context) domain.Caller {
	p, ok := principal.FromContext(ctx)
	if !ok || p.HasScope(AdminScope) {
		return domain.Internal
	}
	return domain.Caller{Organisation: p.ActsFor.Organisation}
}
