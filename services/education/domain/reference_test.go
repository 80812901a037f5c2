package domain

// The references the matcher is tested and measured against: every offer
// of the catalogue explained in words, one by one, and the same scoring as
// the index over every offer (the benchmark's baseline). Production code ranks
// through MatchIndexed; this lives with the tests so that it is not
// mistaken for a second way to match.

import (
	"slices"
	"time"
)

// Explain scores an offer for an assessed participant. Hard criteria
// exclude: the level (entry above the participant's, or target already
// reached), literacy, reach, common times, childcare, the registration
// deadline. The rest adds points.
func Explain(a Assessment, o *OfferState, n Neighbours, today time.Time) Explanation {
	return judge(a, spansOf(a.Availability), o, n, today.Format(time.DateOnly)).explain(a, o)
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

// MatchScan is MatchIndexed without the index: it judges every PLANNED and
// OPEN offer. It is the baseline the index is measured against.
func (c *Catalogue) MatchScan(a Assessment, n Neighbours, today time.Time, limit int) Matches {
	var all []*OfferState
	for _, id := range c.offerIDs {
		if o := c.offers[id]; o.Status == Planned || o.Status == Open {
			all = append(all, o)
		}
	}
	m := rank(a, [][]*OfferState{all}, n, today, limit)
	m.ExcludedCount = len(all) - m.RankedCount
	return m
}
