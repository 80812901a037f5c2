package ports

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/principal"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// AdminScope may act for every provider.
const AdminScope = "education.admin"

// actor is who the caller acts for, as far as object-level rights go
// (domain.Actor.MayActFor decides):
//   - a principal that acts for a provider and lacks the admin scope is that
//     provider, restricted to its own offers, referrals and approvals;
//   - one that acts for another party (an organisation such as a job
//     centre, or a measures actor such as a municipality) is a referrer: it
//     may refer participants but decides nothing in a provider's name;
//   - one that acts for nobody in particular (the county's coordination
//     office) or holds the admin scope is not restricted.
//
// A call without a principal is not restricted either: the service then
// runs without principal checks (local development) or has refused it
// already (REQUIRE_PRINCIPAL).
func actor(ctx context.Context) domain.Actor {
	p, ok := principal.FromContext(ctx)
	switch {
	case !ok || p.HasScope(AdminScope):
		return domain.Unrestricted
	case p.ActsFor.Provider != "":
		return domain.Actor{Provider: p.ActsFor.Provider}
	case p.ActsFor.Organisation != "":
		return domain.Actor{Referrer: "organisation " + p.ActsFor.Organisation}
	case p.ActsFor.Actor != "":
		return domain.Actor{Referrer: "actor " + p.ActsFor.Actor}
	}
	return domain.Unrestricted
}
