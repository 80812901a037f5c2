package domain

import (
	"cmp"
	"math"
	"slices"
	"strconv"
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

// Outcomes of the criteria of a match, without words.
const (
	levelExact = iota
	levelBelow
	levelTooHigh
	levelReached
)

const (
	literacyIrrelevant = iota
	literacyCourse
	literacyNeeded
	literacyNotNeeded
)

const (
	reachSame = iota
	reachNeighbouring
	reachNone
)

const (
	childcareNotNeeded = iota
	childcareOffered
	childcareMissing
)

// verdict is how an offer fares on each criterion. Judging is cheap; the
// words (explain) are made only for the offers a caller reads.
type verdict struct {
	level, literacy, reach, childcare int8
	// share of the course time within the availability; -1 if unknown.
	share          float64
	deadlinePassed bool
	free           int32
}

// judge evaluates every criterion; avail is a.Availability as spans and
// today is YYYY-MM-DD.
func judge(a Assessment, avail []span, o *OfferState, n Neighbours, today string) verdict {
	var v verdict
	switch p := a.OverallLevel; {
	case o.EntryLevel > p:
		v.level = levelTooHigh
	case o.TargetLevel <= p && o.TargetLevel < C2:
		v.level = levelReached
	case o.EntryLevel == p:
		v.level = levelExact
	default:
		v.level = levelBelow
	}
	isCourse, needs := o.Kind == IntegrationCourseLiteracy || o.EntryLevel == Alpha, a.Literacy.NeedsLiteracyCourse()
	switch {
	case needs && !isCourse:
		v.literacy = literacyNeeded
	case !needs && o.Kind == IntegrationCourseLiteracy:
		v.literacy = literacyNotNeeded
	case isCourse && needs:
		v.literacy = literacyCourse
	}
	switch {
	case o.Municipality == a.Municipality:
		v.reach = reachSame
	case n.Adjacent(a.Municipality, o.Municipality):
		v.reach = reachNeighbouring
	default:
		v.reach = reachNone
	}
	v.share = -1
	if len(avail) > 0 {
		v.share = coveredShare(o.spans, avail)
	}
	switch {
	case a.NeedsChildcare && !o.Childcare:
		v.childcare = childcareMissing
	case a.NeedsChildcare:
		v.childcare = childcareOffered
	}
	v.deadlinePassed = o.RegistrationDeadline != "" && o.RegistrationDeadline < today
	v.free = o.Free()
	return v
}

// excluded reports whether a hard criterion excludes the offer.
func (v verdict) excluded() bool {
	return v.level >= levelTooHigh || v.literacy >= literacyNeeded || v.reach == reachNone ||
		v.share == 0 || v.childcare == childcareMissing || v.deadlinePassed
}

// score is the sum of the points; 0 for an excluded offer.
func (v verdict) score() int {
	if v.excluded() {
		return 0
	}
	s := pointsChildcare
	switch v.level {
	case levelExact:
		s += pointsLevelExact
	case levelBelow:
		s += pointsLevelBelow
	}
	if v.reach == reachSame {
		s += pointsSameMunicipality
	} else {
		s += pointsNeighbouring
	}
	if v.share < 0 {
		s += pointsTimesUnknown
	} else {
		s += timePoints(v.share)
	}
	if v.free > 0 {
		s += pointsFreePlaces
	}
	return s
}

func timePoints(share float64) int { return int(math.Round(pointsTimes * share)) }

// explain puts the verdict into words: the reasons for the score, or the
// reasons for the exclusion.
func (v verdict) explain(a Assessment, o *OfferState) Explanation {
	// Concatenation, not fmt: the words are made for every offer returned.
	var ok, excl []Reason
	add := func(code string, points int, description string) {
		ok = append(ok, Reason{Code: code, Description: description, Points: points})
	}
	exclude := func(code, description string) {
		excl = append(excl, Reason{Code: code, Description: description})
	}
	p := a.OverallLevel.String()
	switch v.level {
	case levelTooHigh:
		exclude("LEVEL_TOO_HIGH", "Einstiegsniveau "+o.EntryLevel.String()+" liegt über dem Niveau "+p)
	case levelReached:
		exclude("LEVEL_REACHED", "Kursziel "+o.TargetLevel.String()+" ist mit Niveau "+p+" schon erreicht")
	case levelExact:
		add("LEVEL_FITS", pointsLevelExact, "Einstiegsniveau "+p+" passt genau")
	default:
		add("LEVEL_BELOW", pointsLevelBelow, "Einstieg "+o.EntryLevel.String()+" unter dem Niveau "+p+", Ziel "+o.TargetLevel.String()+" darüber")
	}
	switch v.literacy {
	case literacyNeeded:
		exclude("LITERACY_NEEDED", "Alphabetisierung nötig, das Angebot setzt die lateinische Schrift voraus")
	case literacyNotNeeded:
		exclude("LITERACY_NOT_NEEDED", "Alphabetisierungskurs, aber keine Alphabetisierung nötig")
	case literacyCourse:
		add("LITERACY_COURSE", 0, "Angebot mit Alphabetisierung")
	}
	switch v.reach {
	case reachSame:
		add("SAME_MUNICIPALITY", pointsSameMunicipality, "im Wohnort "+o.Municipality)
	case reachNeighbouring:
		add("NEIGHBOURING_MUNICIPALITY", pointsNeighbouring, "in der Nachbarkommune "+o.Municipality)
	default:
		exclude("NOT_REACHABLE", o.Municipality+" ist weder der Wohnort "+a.Municipality+" noch eine Nachbarkommune")
	}
	switch {
	case v.share < 0:
		add("AVAILABILITY_UNKNOWN", pointsTimesUnknown, "Verfügbarkeit nicht erfasst")
	case v.share == 0:
		exclude("NO_COMMON_TIME", "keine Kurszeit liegt in der Verfügbarkeit")
	default:
		add("TIMES_FIT", timePoints(v.share), strconv.FormatFloat(100*v.share, 'f', 0, 64)+" % der Kurszeiten passen")
	}
	switch v.childcare {
	case childcareMissing:
		exclude("NO_CHILDCARE", "Kinderbetreuung nötig, aber nicht angeboten")
	case childcareOffered:
		add("CHILDCARE", pointsChildcare, "mit Kinderbetreuung")
	default:
		add("CHILDCARE_NOT_NEEDED", pointsChildcare, "keine Kinderbetreuung nötig")
	}
	if v.deadlinePassed {
		exclude("DEADLINE_PASSED", "Anmeldeschluss "+o.RegistrationDeadline+" ist vorbei")
	}
	if v.free > 0 {
		add("FREE_PLACES", pointsFreePlaces, strconv.Itoa(int(v.free))+" freie Plätze")
	} else {
		add("WAITLIST", 0, "ausgebucht: Aufnahme auf die Warteliste")
	}
	if v.excluded() {
		return Explanation{Reasons: excl, Excluded: true}
	}
	return Explanation{Score: v.score(), Reasons: ok}
}

// Match is a ranked offer.
type Match struct {
	Offer *OfferState
	Explanation
}

// Matches is the outcome of a match cut at a limit.
type Matches struct {
	// Ranked are the best offers, best first (then by start date and ID),
	// at most limit.
	Ranked []Match
	// RankedCount counts every ranked offer.
	RankedCount int
	// Excluded are excluded offers in catalogue order, at most limit.
	Excluded []Match
	// ExcludedCount counts every PLANNED or OPEN offer not ranked.
	ExcludedCount int
}

// MatchIndexed ranks the PLANNED and OPEN offers for an assessment (the
// same as the reference scan in the tests) but looks only at the
// offers the index holds for the participant's municipality, its
// neighbours and level: every other offer is excluded anyway (NOT_REACHABLE,
// LEVEL_TOO_HIGH, LEVEL_REACHED). The exclusions it lists are those near
// misses, worth explaining. Only what it returns is explained in words.
func (c *Catalogue) MatchIndexed(a Assessment, n Neighbours, today time.Time, limit int) Matches {
	if !a.OverallLevel.Valid() {
		return Matches{ExcludedCount: c.index.size}
	}
	var buckets [][]*OfferState
	for _, m := range append([]string{a.Municipality}, n[a.Municipality]...) {
		if byLevel := c.index.byPlace[m]; byLevel != nil {
			buckets = append(buckets, byLevel[a.OverallLevel])
		}
	}
	m := rank(a, buckets, n, today, limit)
	m.ExcludedCount = c.index.size - m.RankedCount
	return m
}

// rank judges the offers of the buckets and explains only the best limit
// ranked ones and the first limit excluded ones.
func rank(a Assessment, buckets [][]*OfferState, n Neighbours, today time.Time, limit int) Matches {
	day, avail := today.Format(time.DateOnly), spansOf(a.Availability)
	var ranked []scored
	var excluded []*OfferState
	for _, b := range buckets {
		for _, o := range b {
			if v := judge(a, avail, o, n, day); v.excluded() {
				excluded = append(excluded, o)
			} else {
				ranked = append(ranked, scored{o, v.score()})
			}
		}
	}
	out := Matches{RankedCount: len(ranked)}
	for _, r := range best(ranked, limit, compareScored) {
		out.Ranked = append(out.Ranked, Match{Offer: r.offer, Explanation: judge(a, avail, r.offer, n, day).explain(a, r.offer)})
	}
	for _, o := range best(excluded, limit, compareCreated) {
		out.Excluded = append(out.Excluded, Match{Offer: o, Explanation: judge(a, avail, o, n, day).explain(a, o)})
	}
	return out
}

// scored is a ranked offer with its score.
type scored struct {
	offer *OfferState
	score int
}

// compareScored orders best first, then by start date and ID.
func compareScored(x, y scored) int {
	if x.score != y.score {
		return y.score - x.score
	}
	return CompareStart(x.offer, y.offer)
}

func compareCreated(x, y *OfferState) int { return cmp.Compare(x.created, y.created) }

// best returns the first k of xs in the order of compare (a total order),
// sorted; it sorts xs only when it wants all of them. Matching reads the
// first few of many.
func best[T any](xs []T, k int, compare func(a, b T) int) []T {
	if k <= 0 {
		return nil
	}
	if k >= len(xs) {
		slices.SortFunc(xs, compare)
		return xs
	}
	top := make([]T, 0, k+1)
	for _, x := range xs {
		if len(top) == k && compare(x, top[k-1]) >= 0 {
			continue
		}
		i, _ := slices.BinarySearchFunc(top, x, compare)
		top = slices.Insert(top, i, x)
		top = top[:min(len(top), k)]
	}
	return top
}

// matchIndex holds the offers that take participants (PLANNED and OPEN) by
// municipality and by the participant levels they suit: an offer from entry
// level E to target T serves participants of levels E up to below T (up to
// C2 if T is C2), the levels the level criterion does not exclude. Each bucket keeps
// catalogue order. Offers enter the index when created, move when their
// place or levels change, and leave it for good when they start running or
// are cancelled.
type matchIndex struct {
	byPlace map[string]*[C2 + 1][]*OfferState
	// size counts the indexed offers, including those no level suits.
	size int
}

// servedLevels are the participant levels an offer is not excluded for by level.
func servedLevels(o *OfferState) (from, to Level) {
	if o.TargetLevel == C2 {
		return o.EntryLevel, C2
	}
	return o.EntryLevel, o.TargetLevel - 1
}

func (ix *matchIndex) update(o *OfferState) {
	want := o.Status == Planned || o.Status == Open
	if want == o.indexed || !o.EntryLevel.Valid() || !o.TargetLevel.Valid() {
		return
	}
	if want {
		ix.add(o)
	} else {
		ix.remove(o)
	}
}

func (ix *matchIndex) add(o *OfferState) {
	byLevel := ix.byPlace[o.Municipality]
	if byLevel == nil {
		byLevel = new([C2 + 1][]*OfferState)
		ix.byPlace[o.Municipality] = byLevel
	}
	from, to := servedLevels(o)
	for l := from; l <= to; l++ {
		i, _ := slices.BinarySearchFunc(byLevel[l], o.created, func(x *OfferState, c uint64) int { return cmp.Compare(x.created, c) })
		byLevel[l] = slices.Insert(byLevel[l], i, o)
	}
	ix.size++
	o.indexed = true
}

// remove takes o out as it was indexed: call it before changing o's place or levels.
func (ix *matchIndex) remove(o *OfferState) {
	if !o.indexed {
		return
	}
	byLevel := ix.byPlace[o.Municipality]
	from, to := servedLevels(o)
	for l := from; l <= to; l++ {
		byLevel[l] = slices.DeleteFunc(byLevel[l], func(x *OfferState) bool { return x == o })
	}
	ix.size--
	o.indexed = false
}
