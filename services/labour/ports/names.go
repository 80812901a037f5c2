package ports

import (
	"strconv"
	"strings"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// Resource names (AIP-122).
const (
	processesCollection   = "processes/"
	versionsSegment       = "/versions/"
	casesCollection       = "cases/"
	pilotsCollection      = "pilots/"
	orientationCollection = "orientationEvents/"
	participantsPrefix    = "participants/"
	offersPrefix          = "offers/"
	newestVersion         = "-"
)

func processName(id string) string { return processesCollection + id }
func processVersionName(id string, v int32) string {
	return processName(id) + versionsSegment + strconv.Itoa(int(v))
}
func caseName(id string) string        { return casesCollection + id }
func pilotName(id string) string       { return pilotsCollection + id }
func orientationName(id string) string { return orientationCollection + id }

func parseProcessName(field, name string) (string, error) {
	if id, ok := strings.CutPrefix(name, processesCollection); ok && domain.ValidSlug(id) {
		return id, nil
	}
	return "", apierr.Invalid(field, "must be a process name like processes/standard, got %q", name)
}

// parseProcessVersionName returns the process and the version, 0 for
// versions/- (the newest).
func parseProcessVersionName(field, name string, allowNewest bool) (string, int32, error) {
	p, v, ok := strings.Cut(name, versionsSegment)
	if ok {
		process, err := parseProcessName(field, p)
		if err == nil && allowNewest && v == newestVersion {
			return process, 0, nil
		}
		n, convErr := strconv.ParseInt(v, 10, 32)
		if err == nil && convErr == nil && n >= 1 && strconv.Itoa(int(n)) == v {
			return process, int32(n), nil
		}
	}
	return "", 0, apierr.Invalid(field, "must be a process version name like processes/standard/versions/2, got %q", name)
}

func parseCaseName(field, name string) (string, error) {
	if id, ok := strings.CutPrefix(name, casesCollection); ok && domain.ValidCaseID(id) {
		return id, nil
	}
	return "", apierr.Invalid(field, "must be a case name like cases/c-abcdefghijklmnop, got %q", name)
}

func parsePilotName(field, name string) (string, error) {
	if id, ok := strings.CutPrefix(name, pilotsCollection); ok && domain.ValidSlug(id) {
		return id, nil
	}
	return "", apierr.Invalid(field, "must be a pilot name like pilots/pflege-backnang, got %q", name)
}

func parseOrientationName(field, name string) (string, error) {
	if id, ok := strings.CutPrefix(name, orientationCollection); ok && domain.ValidOrientationEventID(id) {
		return id, nil
	}
	return "", apierr.Invalid(field, "must be an orientation event name like orientationEvents/e-abcdefghijklmnop, got %q", name)
}

// parseReferralTarget parses the education participant and the optional offer.
func parseReferralTarget(participantName, offerName string) (participant, offer string, err error) {
	var v apierr.Violations
	participant, ok := strings.CutPrefix(participantName, participantsPrefix)
	if !ok || !domain.ValidParticipantID(participant) {
		v.Add("participant", "must be an education participant name like participants/p-abcdefghijklmnop, got %q", participantName)
	}
	if offerName != "" {
		offer, ok = strings.CutPrefix(offerName, offersPrefix)
		if !ok || !domain.ValidOfferID(offer) {
			v.Add("offer", "must be empty or an education offer name like offers/o-abcdefghijklmnop, got %q", offerName)
		}
	}
	return participant, offer, v.Err()
}
