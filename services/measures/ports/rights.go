package ports

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/principal"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// AdminScope may act on every actor's behalf.
const AdminScope = "measures.admin"

// mayDecideFor checks the object-level right to record actor's decisions:
// a partner may only change the adoptions of the actor it acts for, unless
// it holds the admin scope. A call without a principal passes: the service
// then runs without principal checks (local development) or has refused it
// already (production).
func mayDecideFor(ctx context.Context, actor domain.ActorID) error {
	p, ok := principal.FromContext(ctx)
	if !ok || p.HasScope(AdminScope) || p.ActsFor.Actor == string(actor) {
		return nil
	}
	return &apierr.Error{
		Kind: apierr.KindPermissionDenied, Reason: "NOT_YOUR_ADOPTION", Metadata: map[string]string{"actor": string(actor)},
		Message: "partner " + p.Partner + " may only change the adoptions of the actor it acts for, not those of " + string(actor),
	}
}

// mayActForAll checks the right to record values of an indicator of the
// measure as a whole: a partner acting for one actor may not, unless it holds
// the admin scope. Without a principal the call passes, as for mayDecideFor.
func mayActForAll(ctx context.Context) error {
	p, ok := principal.FromContext(ctx)
	if !ok || p.HasScope(AdminScope) || p.ActsFor.Actor == "" {
		return nil
	}
	return &apierr.Error{
		Kind: apierr.KindPermissionDenied, Reason: "NOT_YOUR_INDICATOR",
		Message: "partner " + p.Partner + " acts for " + p.ActsFor.Actor + " and may only record values of that actor's own indicators",
	}
}
