package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"regexp"
	"strings"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// slugPattern is the shape of the IDs a caller chooses (processes, stages,
// checklist items, organisations, municipalities, pilots): lower-case
// letters, digits and single hyphens, starting with a letter.
var slugPattern = regexp.MustCompile(`^[a-z]([a-z0-9]|-[a-z0-9]){0,62}$`)

// ValidSlug reports whether s is a caller-chosen ID.
func ValidSlug(s string) bool { return len(s) <= 63 && slugPattern.MatchString(s) }

// checkSlug adds a violation unless s is a caller-chosen ID.
func checkSlug(v *apierr.Violations, field, s string) {
	if !ValidSlug(s) {
		v.Add(field, "must be lower-case letters, digits and single hyphens, start with a letter and have at most 63 characters, got %q", s)
	}
}

// Cases and orientation events get their IDs from the server. A case ID is a
// pseudonym, so it must not be derivable from anything about the person:
// random, or derived from the client's random request ID so that retries of
// one creation name the same case. Each is a prefix and 16 characters of
// lower-case base32 (one subject token).
var (
	caseIDPattern  = regexp.MustCompile(`^c-[a-z2-7]{16}$`)
	eventIDPattern = regexp.MustCompile(`^e-[a-z2-7]{16}$`)
	idEncoding     = base32.StdEncoding.WithPadding(base32.NoPadding)
)

func newID(prefix, requestID string) string {
	b := make([]byte, 10)
	if requestID == "" {
		_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	} else {
		sum := sha256.Sum256([]byte("integrationsplan/labour/" + prefix + requestID))
		copy(b, sum[:])
	}
	return prefix + strings.ToLower(idEncoding.EncodeToString(b))
}

// NewCaseID returns the pseudonym of a new case.
func NewCaseID(requestID string) string { return newID("c-", requestID) }

// NewOrientationEventID returns the ID of a new orientation event.
func NewOrientationEventID(requestID string) string { return newID("e-", requestID) }

// ValidCaseID reports whether s looks like a case ID.
func ValidCaseID(s string) bool { return caseIDPattern.MatchString(s) }

// ValidOrientationEventID reports whether s looks like an orientation event ID.
func ValidOrientationEventID(s string) bool { return eventIDPattern.MatchString(s) }

// The education service's pseudonyms, which a course referral refers to.
var (
	participantIDPattern = regexp.MustCompile(`^p-[a-z2-7]{16}$`)
	offerIDPattern       = regexp.MustCompile(`^o-[a-z2-7]{16}$`)
)

// ValidParticipantID reports whether s looks like an education participant ID.
func ValidParticipantID(s string) bool { return participantIDPattern.MatchString(s) }

// ValidOfferID reports whether s looks like an education offer ID.
func ValidOfferID(s string) bool { return offerIDPattern.MatchString(s) }
