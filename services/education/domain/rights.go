package domain

import "github.com/integrationsplan/integrationsplan/platform/apierr"

// Actor is who performs a command, as far as object-level rights go. The
// ports derive it from the caller's principal; every command that touches a
// provider's objects asks MayActFor (or, to refer a participant, MayReferTo),
// so the rule lives here, once.
type Actor struct {
	// Provider is set when the caller acts for one provider and may act only
	// on that provider's offers, the referrals to them and approvals in its
	// name.
	Provider string
	// Referrer is set when the caller acts for another party (a job centre,
	// a municipality, the labour service for a case's organisation), named
	// here for messages, e.g. "organisation jobcenter": it may refer
	// participants to any offer, but decides nothing in a provider's name
	// (accepting, enrolling, declining, changing offers, approving).
	Referrer string
}

// Unrestricted is the actor of internal callers (example data, sweeps) and
// of callers acting for nobody in particular: an administrator, the
// county's coordination office, or any caller when rights checks are off
// in local development.
var Unrestricted = Actor{}

// MayActFor refuses a provider acting on another provider's object, and a
// referrer acting on any provider's; what names the object for the
// message, e.g. "offer o-…".
func (a Actor) MayActFor(provider, what string) error {
	switch {
	case a.Referrer != "":
		return &apierr.Error{
			Kind: apierr.KindPermissionDenied, Reason: "NOT_A_PROVIDER",
			Metadata: map[string]string{"provider": provider, "acting_for": a.Referrer},
			Message:  "the caller acts for " + a.Referrer + ", not for provider " + provider + ", and may not act on " + what,
		}
	case a.Provider == "" || a.Provider == provider:
		return nil
	}
	return &apierr.Error{
		Kind: apierr.KindPermissionDenied, Reason: "NOT_YOUR_PROVIDER",
		Metadata: map[string]string{"provider": provider, "acting_for": a.Provider},
		Message:  "the caller acts for provider " + a.Provider + " and may not act on " + what + " of provider " + provider,
	}
}

// MayReferTo says whether the actor may refer a participant to an offer of
// provider: a referrer to any, a provider to its own.
func (a Actor) MayReferTo(provider, what string) error {
	if a.Referrer != "" {
		return nil
	}
	return a.MayActFor(provider, what)
}
