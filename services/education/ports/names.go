package ports

import (
	"strings"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// Resource names (AIP-122).
const (
	providersCollection    = "providers/"
	offersCollection       = "offers/"
	participantsCollection = "participants/"
	materialsCollection    = "materials/"
	referralsSegment       = "/referrals/"
	allOffers              = "offers/-"
)

func providerName(id string) string        { return providersCollection + id }
func offerName(id string) string           { return offersCollection + id }
func participantName(id string) string     { return participantsCollection + id }
func referralName(offer, id string) string { return offerName(offer) + referralsSegment + id }
func materialName(id string) string        { return materialsCollection + id }

func parseMaterialName(field, name string) (string, error) {
	if id, ok := strings.CutPrefix(name, materialsCollection); ok && domain.ValidMaterialID(id) {
		return id, nil
	}
	return "", apierr.Invalid(field, "must be a material name like materials/m-abcdefghijklmnop, got %q", name)
}

func parseProviderName(field, name string) (string, error) {
	if id, ok := strings.CutPrefix(name, providersCollection); ok && domain.ValidSlug(id) {
		return id, nil
	}
	return "", apierr.Invalid(field, "must be a provider name like providers/vhs-backnang, got %q", name)
}

func parseOfferName(field, name string) (string, error) {
	if id, ok := strings.CutPrefix(name, offersCollection); ok && domain.ValidOfferID(id) {
		return id, nil
	}
	return "", apierr.Invalid(field, "must be an offer name like offers/o-abcdefghijklmnop, got %q", name)
}

func parseParticipantName(field, name string) (string, error) {
	if id, ok := strings.CutPrefix(name, participantsCollection); ok && domain.ValidParticipantID(id) {
		return id, nil
	}
	return "", apierr.Invalid(field, "must be a participant name like participants/p-abcdefghijklmnop, got %q", name)
}

func parseReferralName(field, name string) (string, string, error) {
	if o, r, ok := strings.Cut(name, referralsSegment); ok {
		if offer, err := parseOfferName(field, o); err == nil && domain.ValidReferralID(r) {
			return offer, r, nil
		}
	}
	return "", "", apierr.Invalid(field, "must be a referral name like offers/o-…/referrals/r-…, got %q", name)
}
