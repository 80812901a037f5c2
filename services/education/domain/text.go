package domain

import (
	"regexp"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// slugPattern is an ID chosen by a caller or derived from a place name:
// lower-case letters, digits and single hyphens, starting with a letter.
var slugPattern = regexp.MustCompile(`^[a-z]([a-z0-9]|-[a-z0-9]){0,62}$`)

// checkSlug validates an ID such as a provider or municipality ID.
func checkSlug(v *apierr.Violations, field, s string) {
	if !slugPattern.MatchString(s) {
		v.Add(field, "must be lower-case letters, digits and single hyphens, start with a letter and have at most 63 characters, got %q", s)
	}
}

// ValidSlug reports whether s is a valid provider or municipality ID.
func ValidSlug(s string) bool { return slugPattern.MatchString(s) }

// parseDate parses a YYYY-MM-DD field, recording a violation if it is malformed.
func parseDate(v *apierr.Violations, field, s string) (time.Time, bool) {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		v.Add(field, "must be a date YYYY-MM-DD, got %q", s)
		return time.Time{}, false
	}
	return d, true
}
