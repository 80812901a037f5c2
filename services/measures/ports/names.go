package ports

import (
	"strings"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// Resource names (AIP-122).
const (
	measuresCollection = "measures/"
	actorsCollection   = "actors/"
	adoptionsSegment   = "/adoptions/"
	allMeasures        = "measures/-"
)

func measureName(id domain.MeasureID) string { return measuresCollection + string(id) }
func actorName(id domain.ActorID) string     { return actorsCollection + string(id) }
func adoptionName(m domain.MeasureID, a domain.ActorID) string {
	return measureName(m) + adoptionsSegment + string(a)
}

func parseMeasureName(field, name string) (domain.MeasureID, error) {
	id, ok := strings.CutPrefix(name, measuresCollection)
	if ok {
		if mid, valid := domain.ParseMeasureID(id); valid {
			return mid, nil
		}
	}
	return "", apierr.Invalid(field, "must be a measure name like measures/m-2-5, got %q", name)
}

func parseActorName(field, name string) (domain.ActorID, error) {
	id, ok := strings.CutPrefix(name, actorsCollection)
	if ok {
		if aid, err := domain.ParseActorID(id); err == nil {
			return aid, nil
		}
	}
	return "", apierr.Invalid(field, "must be an actor name like actors/backnang, got %q", name)
}

func parseAdoptionName(field, name string) (domain.MeasureID, domain.ActorID, error) {
	m, a, ok := strings.Cut(name, adoptionsSegment)
	if ok {
		mid, err1 := parseMeasureName(field, m)
		aid, err2 := parseActorName(field, actorsCollection+a)
		if err1 == nil && err2 == nil {
			return mid, aid, nil
		}
	}
	return "", "", apierr.Invalid(field, "must be an adoption name like measures/m-2-5/adoptions/backnang, got %q", name)
}
