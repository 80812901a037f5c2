package ports

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/principal"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// AdminScope may act for every provider.
const AdminScope = "education.admin"

// actor is who the caller acts for, as far as object-level rights go: a
// principal that acts for a provider and lacks the admin scope is that
// provider, restricted to its own offers, referrals and approvals
// (domain.Actor.MayActFor decides). A call without a principal is not
// restricted: the service then runs without principal checks (local
// development) or has refused it already (REQUIRE_PRINCIPAL).
func actor(ctx context.Context) domain.Actor {
	p, ok := principal.FromContext(ctx)
	if !ok || p.HasScope(AdminScope) {
		return domain.Unrestricted
	}
	return domain.Actor{Provider: p.ActsFor.Provider}
}
