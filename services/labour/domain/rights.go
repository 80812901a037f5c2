package domain

import "github.com/integrationsplan/integrationsplan/platform/apierr"

// Caller is who runs a command, as far as object-level rights go. The ports
// derive it from the caller's principal; the rule lives here, once.
type Caller struct {
	// Organisation is set when the caller acts for one organisation and may
	// act only on its own cases (and answer transfers offered to it). Empty:
	// not restricted (an administrator, or rights checks off in local
	// development).
	Organisation string
}

// Internal is the caller of the service's own work (example data, checks).
var Internal = Caller{}

// MayActFor refuses an organisation acting for another; what names the
// object for the message, e.g. "case c-…".
func (c Caller) MayActFor(organisation, what string) error {
	if c.Organisation == "" || c.Organisation == organisation {
		return nil
	}
	return &apierr.Error{
		Kind: apierr.KindPermissionDenied, Reason: "NOT_YOUR_CASE",
		Metadata: map[string]string{"organisation": organisation, "acting_for": c.Organisation},
		Message:  "the caller acts for " + c.Organisation + " and may not act on " + what + " of " + organisation,
	}
}
