package domain

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Reason explains one part of a match: the points it adds, or why the offer
// was excluded (0 points).
type Reason struct {
	Code        string
	Description string
	Points      int
}

// Points of each criterion; a perfect match scores 100.
const (
	pointsLevelExact       = 40
	pointsLevelBelow       = 25
	pointsSameMunicipality = 25
	pointsNeighbouring     = 10
	pointsTimes            = 20
	pointsTimesUnknown     = 10
	pointsChildcare        = 10
	pointsFreePlaces       = 5
)

// Explanation is the outcome of matching one offer: a score with its
// reasons, or the reasons it was excluded.
type Explanation struct {
	Score    int
	Reasons  []Reason
	Excluded bool
}

// Explain scores an offer for an assessed participant. Hard criteria
// exclude: the level (entry above the participant's, or target already
// reached), literacy, reach, common times, childcare, the registration
// deadline. The rest adds points.
func Explain(a Assessment, o *OfferState, n Neighbours, today time.Time) Explanation {
	var ok, excl []Reason
	add := func(code string, points int, format string, args ...any) {
		ok = append(ok, Reason{Code: code, Description: fmt.Sprintf(format, args...), Points: points})
	}
	exclude := func(code, format string, args ...any) {
		excl = append(excl, Reason{Code: code, Description: fmt.Sprintf(format, args...)})
	}

	switch p := a.OverallLevel; {
	case o.EntryLevel > p:
		exclude("LEVEL_TOO_HIGH", "Einstiegsniveau %s liegt über dem Niveau %s", o.EntryLevel, p)
	case o.TargetLevel <= p && o.TargetLevel < C2:
		exclude("LEVEL_REACHED", "Kursziel %s ist mit Niveau %s schon erreicht", o.TargetLevel, p)
	case o.EntryLevel == p:
		add("LEVEL_FITS", pointsLevelExact, "Einstiegsniveau %s passt genau", p)
	default:
		add("LEVEL_BELOW", pointsLevelBelow, "Einstieg %s unter dem Niveau %s, Ziel %s darüber", o.EntryLevel, p, o.TargetLevel)
	}
	literacyCourse := o.Kind == IntegrationCourseLiteracy || o.EntryLevel == Alpha
	switch {
	case a.Literacy.NeedsLiteracyCourse() && !literacyCourse:
		exclude("LITERACY_NEEDED", "Alphabetisierung nötig, das Angebot setzt die lateinische Schrift voraus")
	case !a.Literacy.NeedsLiteracyCourse() && o.Kind == IntegrationCourseLiteracy:
		exclude("LITERACY_NOT_NEEDED", "Alphabetisierungskurs, aber keine Alphabetisierung nötig")
	case literacyCourse && a.Literacy.NeedsLiteracyCourse():
		add("LITERACY_COURSE", 0, "Angebot mit Alphabetisierung")
	}
	switch {
	case o.Municipality == a.Municipality:
		add("SAME_MUNICIPALITY", pointsSameMunicipality, "im Wohnort %s", o.Municipality)
	case n.Adjacent(a.Municipality, o.Municipality):
		add("NEIGHBOURING_MUNICIPALITY", pointsNeighbouring, "in der Nachbarkommune %s", o.Municipality)
	default:
		exclude("NOT_REACHABLE", "%s ist weder der Wohnort %s noch eine Nachbarkommune", o.Municipality, a.Municipality)
	}
	if len(a.Availability) == 0 {
		add("AVAILABILITY_UNKNOWN", pointsTimesUnknown, "Verfügbarkeit nicht erfasst")
	} else if share := coveredShare(o.Schedule, a.Availability); share == 0 {
		exclude("NO_COMMON_TIME", "keine Kurszeit liegt in der Verfügbarkeit")
	} else {
		add("TIMES_FIT", int(math.Round(pointsTimes*share)), "%.0f %% der Kurszeiten passen", 100*share)
	}
	switch {
	case a.NeedsChildcare && !o.Childcare:
		exclude("NO_CHILDCARE", "Kinderbetreuung nötig, aber nicht angeboten")
	case a.NeedsChildcare:
		add("CHILDCARE", pointsChildcare, "mit Kinderbetreuung")
	default:
		add("CHILDCARE_NOT_NEEDED", pointsChildcare, "keine Kinderbetreuung nötig")
	}
	if o.RegistrationDeadline != "" && o.RegistrationDeadline < today.Format(time.DateOnly) {
		exclude("DEADLINE_PASSED", "Anmeldeschluss %s ist vorbei", o.RegistrationDeadline)
	}
	if free := o.Free(); free > 0 {
		add("FREE_PLACES", pointsFreePlaces, "%d freie Plätze", free)
	} else {
		add("WAITLIST", 0, "ausgebucht: Aufnahme auf die Warteliste")
	}
	if len(excl) > 0 {
		return Explanation{Reasons: excl, Excluded: true}
	}
	score := 0
	for _, r := range ok {
		score += r.Points
	}
	return Explanation{Score: score, Reasons: ok}
}

// Match is a ranked offer.
type Match struct {
	Offer *OfferState
	Explanation
}

// MatchOffers ranks the PLANNED and OPEN offers for an assessment, best
// first (then by start date and ID), and lists the excluded ones in
// catalogue order.
func (c *Catalogue) MatchOffers(a Assessment, n Neighbours, today time.Time) (ranked, excluded []Match) {
	for _, o := range c.Offers() {
		if o.Status != Planned && o.Status != Open {
			continue
		}
		e := Explain(a, o, n, today)
		if e.Excluded {
			excluded = append(excluded, Match{Offer: o, Explanation: e})
		} else {
			ranked = append(ranked, Match{Offer: o, Explanation: e})
		}
	}
	slices.SortStableFunc(ranked, func(x, y Match) int {
		if x.Score != y.Score {
			return y.Score - x.Score
		}
		return CompareStart(x.Offer, y.Offer)
	})
	return ranked, excluded
}
