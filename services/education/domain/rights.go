package domain

import "github.com/integrationsplan/integrationsplan/platform/apierr"

// Actor is who performs a command, as far as object-level rights go. The
// ports derive it from the caller's principal; every command that touches a
// provider's objects asks MayActFor, so the rule lives here, once.
type Actor struct {
	// Provider is set when the caller acts for one provider and may act only
	// on that provider's offers, the referrals to them and approvals in its
	// name. Empty: not restricted (an administrator, the county's
	// coordination office, or rights checks off in local development).
	Provider string
}

// Unrestricted is the actor of internal callers (example data, sweeps).
var Unrestricted = Actor{}

// MayActFor refuses a provider acting on another provider's object; what
// names the object for the message, e.g. "offer o-…".
func (a Actor) MayActFor(provider, what string) error {
	if a.Provider == "" || a.Provider == provider {
		return nil
	}
	return &apierr.Error{
		Kind: apierr.KindPermissionDenied, Reason: "NOT_YOUR_PROVIDER",
		Metadata: map[string]string{"provider": provider, "acting_for": a.Provider},
		Message:  "the caller acts for provider " + a.Provider + " and may not act on " + what + " of provider " + provider,
	}
}
