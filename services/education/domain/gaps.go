package domain

import (
	"slices"
	"strings"
)

// Supply and demand per municipality and level: the assessed participants
// living there who still wait for a place, against the free places in the
// PLANNED and OPEN offers they could attend (in the municipality or a
// neighbouring one, entry level at or below theirs, target above it or C2,
// as in matching). Both sides are kept up to date incrementally as events
// are applied, so a gap opening or closing is noticed at once.

// GapKey names a municipality and level.
type GapKey struct {
	Municipality string
	Level        Level
}

// ID is the key as one subject token, e.g. backnang_a1.
func (k GapKey) ID() string { return k.Municipality + "_" + strings.ToLower(k.Level.String()) }

// Gap is the supply and demand of one municipality and level.
type Gap struct {
	GapKey
	Waiting, Free int32
}

// Open reports whether the waiting participants outnumber the free places.
func (g Gap) Open() bool { return g.Waiting > g.Free }

// Shortfall is how many places are missing.
func (g Gap) Shortfall() int32 { return max(0, g.Waiting-g.Free) }

type gapState struct {
	waiting, free int32
	// published is the state the last gap event announced; version is the
	// gap aggregate's version.
	published bool
	version   uint64
}

func (g *gapState) view(k GapKey) Gap { return Gap{GapKey: k, Waiting: g.waiting, Free: g.free} }

func (c *Catalogue) gap(k GapKey) *gapState {
	g, ok := c.gaps[k]
	if !ok {
		g = &gapState{}
		c.gaps[k] = g
	}
	return g
}

// touchGap re-evaluates whether k's state differs from the one published.
func (c *Catalogue) touchGap(k GapKey) {
	g := c.gaps[k]
	if (g.waiting > g.free) != g.published {
		c.pendingGaps[k] = struct{}{}
	} else {
		delete(c.pendingGaps, k)
	}
}

// refreshDemand moves the participant's count to the gap it belongs to now.
func (c *Catalogue) refreshDemand(p *ParticipantState) {
	waiting := p.Waiting()
	var k GapKey
	if waiting {
		k = GapKey{Municipality: p.Assessment.Municipality, Level: p.Assessment.OverallLevel}
	}
	if waiting == p.demanding && k == p.demand {
		return
	}
	if p.demanding {
		c.gap(p.demand).waiting--
		c.touchGap(p.demand)
	}
	p.demand, p.demanding = k, waiting
	if waiting {
		c.gap(k).waiting++
		c.touchGap(k)
	}
}

// supplyKeys lists the gaps an offer's free places count in.
func (c *Catalogue) supplyKeysOf(o *OfferState) []GapKey {
	places := append([]string{o.Municipality}, c.neighbours[o.Municipality]...)
	var keys []GapKey
	from, to := servedLevels(o)
	for l := from; l <= to; l++ {
		for _, m := range places {
			keys = append(keys, GapKey{Municipality: m, Level: l})
		}
	}
	return keys
}

// refreshOffer updates the matching index and the offer's supply after a change.
func (c *Catalogue) refreshOffer(o *OfferState) {
	c.index.update(o)
	free := int32(0)
	if (o.Status == Planned || o.Status == Open) && o.Free() > 0 {
		free = o.Free()
	}
	if free == o.supplyFree {
		return
	}
	if o.supplyKeys == nil {
		o.supplyKeys = c.supplyKeysOf(o)
	}
	for _, k := range o.supplyKeys {
		c.gap(k).free += free - o.supplyFree
		c.touchGap(k)
	}
	o.supplyFree = free
}

// withdrawSupply takes o's free places out of the gaps, before its place
// or levels change; refreshOffer adds them again.
func (c *Catalogue) withdrawSupply(o *OfferState) {
	for _, k := range o.supplyKeys {
		c.gap(k).free -= o.supplyFree
		c.touchGap(k)
	}
	o.supplyFree, o.supplyKeys = 0, nil
}

// PublishGap records a stored gap event: open is the state it announced.
func (c *Catalogue) PublishGap(k GapKey, open bool, version uint64) {
	g := c.gap(k)
	g.published, g.version = open, version
	c.touchGap(k)
}

// Gaps returns the municipalities and levels with waiting participants, by
// municipality and level.
func (c *Catalogue) Gaps() []Gap {
	var out []Gap
	for k, g := range c.gaps {
		if g.waiting > 0 {
			out = append(out, g.view(k))
		}
	}
	slices.SortFunc(out, func(a, b Gap) int { return compareGapKeys(a.GapKey, b.GapKey) })
	return out
}

// GapOf returns the supply and demand of one municipality and level.
func (c *Catalogue) GapOf(k GapKey) Gap {
	if g, ok := c.gaps[k]; ok {
		return g.view(k)
	}
	return Gap{GapKey: k}
}
