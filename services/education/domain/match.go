package domain

import (
	"cmp"
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
	return explain(a, o, n, today.Format(time.DateOnly), true)
}

// explain is Explain for the day today (YYYY-MM-DD); without describe it
// only scores, which spares the reasons' text for offers nobody reads.
func explain(a Assessment, o *OfferState, n Neighbours, today string, describe bool) Explanation {
	var ok, excl []Reason
	score, excluded := 0, false
	add := func(code string, points int, format string, args ...any) {
		score += points
		if describe {
			ok = append(ok, Reason{Code: code, Description: fmt.Sprintf(format, args...), Points: points})
		}
	}
	exclude := func(code, format string, args ...any) {
		excluded = true
		if describe {
			excl = append(excl, Reason{Code: code, Description: fmt.Sprintf(format, args...)})
		}
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
	if o.RegistrationDeadline != "" && o.RegistrationDeadline < today {
		exclude("DEADLINE_PASSED", "Anmeldeschluss %s ist vorbei", o.RegistrationDeadline)
	}
	if free := o.Free(); free > 0 {
		add("FREE_PLACES", pointsFreePlaces, "%d freie Plätze", free)
	} else {
		add("WAITLIST", 0, "ausgebucht: Aufnahme auf die Warteliste")
	}
	if excluded {
		return Explanation{Reasons: excl, Excluded: true}
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
// catalogue order. It explains every offer of the catalogue: the plain full
// scan, kept as the reference MatchIndexed is tested and measured against.
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
	sortRanked(ranked)
	return ranked, excluded
}

func sortRanked(ranked []Match) {
	slices.SortStableFunc(ranked, func(x, y Match) int {
		if x.Score != y.Score {
			return y.Score - x.Score
		}
		return CompareStart(x.Offer, y.Offer)
	})
}

// Matches is the outcome of a match cut at a limit.
type Matches struct {
	// Ranked are the best offers, as MatchOffers ranks them, at most limit.
	Ranked []Match
	// RankedCount counts every ranked offer.
	RankedCount int
	// Excluded are excluded offers in catalogue order, at most limit.
	Excluded []Match
	// ExcludedCount counts every PLANNED or OPEN offer not ranked.
	ExcludedCount int
}

// MatchIndexed ranks the same offers as MatchOffers but looks only at the
// offers within reach, found through the index by municipality and entry
// level: an offer elsewhere or with a higher entry level is excluded anyway
// (NOT_REACHABLE, LEVEL_TOO_HIGH). The exclusions it lists are those within
// reach, the near misses worth explaining. Only what it returns is
// explained in words.
func (c *Catalogue) MatchIndexed(a Assessment, n Neighbours, today time.Time, limit int) Matches {
	var candidates []*OfferState
	for _, m := range append([]string{a.Municipality}, n[a.Municipality]...) {
		if byLevel := c.index.byPlace[m]; byLevel != nil {
			for l := Alpha; l <= a.OverallLevel && l <= C2; l++ {
				candidates = append(candidates, byLevel[l]...)
			}
		}
	}
	m := rank(a, candidates, n, today, limit)
	m.ExcludedCount = c.index.size - m.RankedCount
	return m
}

// MatchScan is MatchIndexed without the index: it scores every PLANNED and
// OPEN offer. It is the baseline the index is measured against.
func (c *Catalogue) MatchScan(a Assessment, n Neighbours, today time.Time, limit int) Matches {
	var all []*OfferState
	for _, id := range c.offerIDs {
		if o := c.offers[id]; o.Status == Planned || o.Status == Open {
			all = append(all, o)
		}
	}
	m := rank(a, all, n, today, limit)
	m.ExcludedCount = len(all) - m.RankedCount
	return m
}

// rank scores offers, sorts them and explains the first limit ranked and
// excluded ones.
func rank(a Assessment, offers []*OfferState, n Neighbours, today time.Time, limit int) Matches {
	day := today.Format(time.DateOnly)
	var ranked, excluded []Match
	for _, o := range offers {
		e := explain(a, o, n, day, false)
		if e.Excluded {
			excluded = append(excluded, Match{Offer: o, Explanation: e})
		} else {
			ranked = append(ranked, Match{Offer: o, Explanation: e})
		}
	}
	sortRanked(ranked)
	slices.SortFunc(excluded, func(x, y Match) int { return cmp.Compare(x.Offer.created, y.Offer.created) })
	out := Matches{RankedCount: len(ranked)}
	for _, m := range ranked[:min(len(ranked), limit)] {
		out.Ranked = append(out.Ranked, Match{Offer: m.Offer, Explanation: explain(a, m.Offer, n, day, true)})
	}
	for _, m := range excluded[:min(len(excluded), limit)] {
		out.Excluded = append(out.Excluded, Match{Offer: m.Offer, Explanation: explain(a, m.Offer, n, day, true)})
	}
	return out
}

// matchIndex holds the offers that take participants (PLANNED and OPEN) by
// municipality and entry level. Offers enter it when created and leave it
// for good when they start running or are cancelled.
type matchIndex struct {
	byPlace map[string]*[C2 + 1][]*OfferState
	size    int
}

func (ix *matchIndex) update(o *OfferState) {
	want := o.Status == Planned || o.Status == Open
	if want == o.indexed || !o.EntryLevel.Valid() {
		return
	}
	byLevel := ix.byPlace[o.Municipality]
	if byLevel == nil {
		byLevel = new([C2 + 1][]*OfferState)
		ix.byPlace[o.Municipality] = byLevel
	}
	if want {
		byLevel[o.EntryLevel] = append(byLevel[o.EntryLevel], o)
		ix.size++
	} else {
		byLevel[o.EntryLevel] = slices.DeleteFunc(byLevel[o.EntryLevel], func(x *OfferState) bool { return x == o })
		ix.size--
	}
	o.indexed = want
}
