package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"regexp"
	"strings"
)

// Offers, referrals and participants get their IDs from the server: a
// participant's ID is a pseudonym, so it must not be derivable from anything
// about the person, and the other IDs follow suit. Each is a prefix and 16
// characters of lower-case base32 (one subject token).
var (
	offerIDPattern       = regexp.MustCompile(`^o-[a-z2-7]{16}$`)
	referralIDPattern    = regexp.MustCompile(`^r-[a-z2-7]{16}$`)
	participantIDPattern = regexp.MustCompile(`^p-[a-z2-7]{16}$`)
)

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newID is prefix and 80 bits, random or, for a retry-safe request,
// derived from the client's request ID (a random UUID): concurrent retries of
// one request then name the same aggregate, and the event store stores its
// creation once.
func newID(prefix, requestID string) string {
	b := make([]byte, 10)
	if requestID == "" {
		_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	} else {
		sum := sha256.Sum256([]byte("integrationsplan/education/" + prefix + requestID))
		copy(b, sum[:])
	}
	return prefix + strings.ToLower(idEncoding.EncodeToString(b))
}

// NewOfferID returns the ID of a new offer.
func NewOfferID(requestID string) string { return newID("o-", requestID) }

// NewReferralID returns the ID of a new referral.
func NewReferralID(requestID string) string { return newID("r-", requestID) }

// NewParticipantID returns the pseudonym of a new participant.
func NewParticipantID(requestID string) string { return newID("p-", requestID) }

// ValidOfferID reports whether s looks like an offer ID.
func ValidOfferID(s string) bool { return offerIDPattern.MatchString(s) }

// ValidReferralID reports whether s looks like a referral ID.
func ValidReferralID(s string) bool { return referralIDPattern.MatchString(s) }

// ValidParticipantID reports whether s looks like a participant ID.
func ValidParticipantID(s string) bool { return participantIDPattern.MatchString(s) }
