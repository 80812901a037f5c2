package domain

import (
	"cmp"
	"slices"
	"strings"
)

// Derived events follow from other events: an offer became full, a seat
// was freed, a supply gap opened or closed. The catalogue computes them
// while it applies the events (so every replica computes the same), keeps
// them pending until their own event comes back from the stream, and hands
// them out one at a time with the version their aggregate must still have.
// A replica appends one only if nobody else did first, so each is stored
// once, even when several replicas try, and a crash between a command and
// its derived event leaves it pending for the next try.

// NoticeKind is the kind of an offer's derived event.
type NoticeKind int

const (
	// NoticeFull: the offer's last free place was taken.
	NoticeFull NoticeKind = iota + 1
	// NoticeSeatFreed: a referral gave up its seat.
	NoticeSeatFreed
)

// OfferNotice is a derived event of an offer, caused by the event at CauseSeq.
type OfferNotice struct {
	Kind     NoticeKind
	CauseSeq uint64
	// Referral gave up the seat; ReassignedTo took it from the waiting list.
	Referral, ReassignedTo string
	// Free places after the cause.
	Free int32
}

func (o *OfferState) addNotice(n OfferNotice) { o.notices = append(o.notices, n) }

// Notices returns the offer's pending derived events, oldest first.
func (o *OfferState) Notices() []OfferNotice { return slices.Clone(o.notices) }

// noticeFull records offer_full when the change at version made o full.
func (c *Catalogue) noticeFull(o *OfferState, wasFull bool, version uint64) {
	if !wasFull && o.ShownStatus() == Full {
		o.addNotice(OfferNotice{Kind: NoticeFull, CauseSeq: version, Free: o.Free()})
		c.pendingOffers[o.ID] = struct{}{}
	}
}

// SettleOfferNotice records the stored derived event of an offer: it is no
// longer pending, and the offer's version moves to it.
func (c *Catalogue) SettleOfferNotice(offerID string, kind NoticeKind, cause, version uint64) {
	o, ok := c.offers[offerID]
	if !ok {
		return
	}
	o.notices = slices.DeleteFunc(o.notices, func(n OfferNotice) bool { return n.Kind == kind && n.CauseSeq == cause })
	if len(o.notices) == 0 {
		delete(c.pendingOffers, offerID)
	}
	o.Version = version
}

// Derived is the next derived event to publish: an offer's notice or a
// gap's new state, and the version its aggregate must still have.
type Derived struct {
	Offer  *OfferState
	Notice OfferNotice
	Gap    *Gap
	// Expected is the aggregate's version the append must find.
	Expected uint64
}

// NextDerived returns a pending derived event, oldest cause first for each
// offer; false when none is pending.
func (c *Catalogue) NextDerived() (Derived, bool) {
	var best *OfferState
	for id := range c.pendingOffers {
		o := c.offers[id]
		if best == nil || o.notices[0].CauseSeq < best.notices[0].CauseSeq {
			best = o
		}
	}
	if best != nil {
		return Derived{Offer: best, Notice: best.notices[0], Expected: best.Version}, true
	}
	keys := make([]GapKey, 0, len(c.pendingGaps))
	for k := range c.pendingGaps {
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return Derived{}, false
	}
	k := slices.MinFunc(keys, compareGapKeys)
	g := c.gaps[k]
	gap := g.view(k)
	return Derived{Gap: &gap, Expected: g.version}, true
}

// PendingDerived counts the derived events not yet published.
func (c *Catalogue) PendingDerived() int {
	n := len(c.pendingGaps)
	for id := range c.pendingOffers {
		n += len(c.offers[id].notices)
	}
	return n
}

func compareGapKeys(a, b GapKey) int {
	if x := strings.Compare(a.Municipality, b.Municipality); x != 0 {
		return x
	}
	return cmp.Compare(a.Level, b.Level)
}
