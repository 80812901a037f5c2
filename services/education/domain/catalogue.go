package domain

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Catalogue is the state of the education service as the events describe
// it: providers, offers with their referrals, and pseudonymous participants.
// It is rebuilt from the event stream and not safe for concurrent use; the
// read model guards it.
type Catalogue struct {
	providers    map[string]*ProviderState
	providerIDs  []string // sorted
	offers       map[string]*OfferState
	offerIDs     []string // in order of creation
	participants map[string]*ParticipantState
	materials    map[string]*MaterialState

	// neighbours widen the reach of the supply in the gaps; set before the
	// first event, equal on every replica (configuration).
	neighbours Neighbours
	// index finds the offers a participant can reach (match.go).
	index matchIndex
	// Derived events not yet published (derived.go).
	pendingOffers map[string]struct{}
	gaps          map[GapKey]*gapState
	pendingGaps   map[GapKey]struct{}
}

// ProviderState is a provider with its version.
type ProviderState struct {
	Provider
	Version    uint64
	CreateTime time.Time
}

// OfferState is an offer with its lifecycle and referrals.
type OfferState struct {
	Offer
	// Status is the stored status; ShownStatus derives FULL.
	Status     OfferStatus
	Version    uint64
	CreateTime time.Time
	UpdateTime time.Time
	referrals  []*Referral // in order of arrival

	// created is the version of the offer's creation; it orders the catalogue.
	created uint64
	// notices are the derived events (offer_full, seat_freed) not yet published.
	notices []OfferNotice
	// indexed tells whether the offer is in the matching index.
	indexed bool
	// spans is the schedule parsed for matching.
	spans []span
	// supplyFree and supplyKeys are what the offer adds to the gaps.
	supplyFree int32
	supplyKeys []GapKey
}

// NewCatalogue returns an empty catalogue.
func NewCatalogue() *Catalogue {
	return &Catalogue{
		providers: map[string]*ProviderState{}, offers: map[string]*OfferState{},
		participants: map[string]*ParticipantState{}, materials: map[string]*MaterialState{},
		index: matchIndex{byPlace: map[string]*[C2 + 1][]*OfferState{}}, pendingOffers: map[string]struct{}{},
		gaps: map[GapKey]*gapState{}, pendingGaps: map[GapKey]struct{}{},
	}
}

// WithNeighbours sets the bordering municipalities the gaps count supply
// across; call it before the first event.
func (c *Catalogue) WithNeighbours(n Neighbours) *Catalogue {
	c.neighbours = n
	return c
}

// AddProvider records a created provider.
func (c *Catalogue) AddProvider(p Provider, version uint64, at time.Time) {
	c.providers[p.ID] = &ProviderState{Provider: p, Version: version, CreateTime: at}
	i, _ := slices.BinarySearch(c.providerIDs, p.ID)
	c.providerIDs = slices.Insert(c.providerIDs, i, p.ID)
}

// Provider returns a provider.
func (c *Catalogue) Provider(id string) (*ProviderState, bool) {
	p, ok := c.providers[id]
	return p, ok
}

// Providers returns every provider ordered by ID.
func (c *Catalogue) Providers() []*ProviderState {
	out := make([]*ProviderState, len(c.providerIDs))
	for i, id := range c.providerIDs {
		out[i] = c.providers[id]
	}
	return out
}

// AddOffer records a created offer, PLANNED.
func (c *Catalogue) AddOffer(o Offer, version uint64, at time.Time) {
	st := &OfferState{Offer: o, Status: Planned, Version: version, CreateTime: at, UpdateTime: at, created: version, spans: spansOf(o.Schedule)}
	c.offers[o.ID] = st
	c.offerIDs = append(c.offerIDs, o.ID)
	c.refreshOffer(st)
}

// ChangeOfferStatus records an offer's new status.
func (c *Catalogue) ChangeOfferStatus(id string, to OfferStatus, version uint64, at time.Time) {
	if o, ok := c.offers[id]; ok {
		wasFull := o.ShownStatus() == Full
		o.Status, o.Version, o.UpdateTime = to, version, at
		c.noticeFull(o, wasFull, version)
		c.refreshOffer(o)
	}
}

// Offer returns an offer.
func (c *Catalogue) Offer(id string) (*OfferState, bool) {
	o, ok := c.offers[id]
	return o, ok
}

// Offers returns every offer in order of creation.
func (c *Catalogue) Offers() []*OfferState {
	out := make([]*OfferState, len(c.offerIDs))
	for i, id := range c.offerIDs {
		out[i] = c.offers[id]
	}
	return out
}

// AddParticipant records a registered participant.
func (c *Catalogue) AddParticipant(id string, version uint64, at time.Time) {
	c.participants[id] = &ParticipantState{ID: id, Version: version, CreateTime: at}
}

// RecordAssessment records a participant's newest assessment.
func (c *Catalogue) RecordAssessment(id string, a Assessment, version uint64) {
	if p, ok := c.participants[id]; ok {
		p.Assessment, p.Version, p.assessedAt = &a, version, version
		c.refreshDemand(p)
	}
}

// EraseParticipant records that a participant's personal data is gone.
func (c *Catalogue) EraseParticipant(id string, version uint64) {
	if p, ok := c.participants[id]; ok {
		p.Erased, p.Version = true, version
		c.refreshDemand(p)
	}
}

// Participant returns a participant.
func (c *Catalogue) Participant(id string) (*ParticipantState, bool) {
	p, ok := c.participants[id]
	return p, ok
}

// AddReferral records a new referral of an offer.
func (c *Catalogue) AddReferral(offerID, id, participant string, status ReferralStatus, version uint64, at time.Time) {
	o, ok := c.offers[offerID]
	if !ok {
		return
	}
	r := &Referral{ID: id, Offer: offerID, Participant: participant, Status: status, CreatedVersion: version, Version: version, CreateTime: at, UpdateTime: at}
	if status == Waitlisted {
		r.WaitSince = version
	}
	o.referrals = append(o.referrals, r)
	o.Version, o.UpdateTime = version, at
}

// ChangeReferral records a referral's new status and, if the change freed a
// seat for a waiting referral, that referral's promotion to ACCEPTED.
func (c *Catalogue) ChangeReferral(offerID, id string, to ReferralStatus, promoted string, version uint64, at time.Time) {
	o, ok := c.offers[offerID]
	if !ok {
		return
	}
	wasFull := o.ShownStatus() == Full
	from := c.setReferral(o, id, to, version, at)
	if promoted != "" {
		c.setReferral(o, promoted, Accepted, version, at)
	}
	o.Version, o.UpdateTime = version, at
	if from.HoldsSeat() && !to.HoldsSeat() && o.Status.Active() {
		o.addNotice(OfferNotice{Kind: NoticeSeatFreed, CauseSeq: version, Referral: id, ReassignedTo: promoted, Free: o.Free()})
		c.pendingOffers[o.ID] = struct{}{}
	}
	c.noticeFull(o, wasFull, version)
	c.refreshOffer(o)
}

// setReferral records a referral's new status and returns the old one.
func (c *Catalogue) setReferral(o *OfferState, id string, to ReferralStatus, version uint64, at time.Time) (from ReferralStatus) {
	r, ok := o.Referral(id)
	if !ok {
		return ReferralStatusUnspecified
	}
	from = r.Status
	r.Status, r.Version, r.UpdateTime = to, version, at
	if to == Waitlisted {
		r.WaitSince = version
	}
	if p, ok := c.participants[r.Participant]; ok {
		p.referralChanged(from, to, version)
		c.refreshDemand(p)
	}
	return from
}

// ChangeOffer records an offer's new details and the waiting referrals the
// change promoted to ACCEPTED. The offer moves in the matching index and the
// supply of the gaps.
func (c *Catalogue) ChangeOffer(next Offer, promoted []string, version uint64, at time.Time) {
	o, ok := c.offers[next.ID]
	if !ok {
		return
	}
	wasFull := o.ShownStatus() == Full
	c.index.remove(o)
	c.withdrawSupply(o)
	next.Provider = o.Provider
	o.Offer, o.spans = next, spansOf(next.Schedule)
	for _, id := range promoted {
		c.setReferral(o, id, Accepted, version, at)
	}
	o.Version, o.UpdateTime = version, at
	c.noticeFull(o, wasFull, version)
	c.refreshOffer(o)
}

// Booked is the number of booked seats: direct bookings and referrals holding a seat.
func (o *OfferState) Booked() int32 {
	n := o.DirectBookings
	for _, r := range o.referrals {
		if r.Status.HoldsSeat() {
			n++
		}
	}
	return n
}

// Free is the number of free places.
func (o *OfferState) Free() int32 { return o.Capacity - o.Booked() }

// ShownStatus is the status callers see: an OPEN offer without free places is FULL.
func (o *OfferState) ShownStatus() OfferStatus {
	if o.Status == Open && o.Free() <= 0 {
		return Full
	}
	return o.Status
}

// Referral returns one of the offer's referrals.
func (o *OfferState) Referral(id string) (*Referral, bool) {
	for _, r := range o.referrals {
		if r.ID == id {
			return r, true
		}
	}
	return nil, false
}

// Referrals returns the offer's referrals in order of arrival.
func (o *OfferState) Referrals() []*Referral { return slices.Clone(o.referrals) }

// Waitlist returns the waiting referrals, longest waiting first.
func (o *OfferState) Waitlist() []*Referral {
	var w []*Referral
	for _, r := range o.referrals {
		if r.Status == Waitlisted {
			w = append(w, r)
		}
	}
	slices.SortFunc(w, func(a, b *Referral) int { return cmp.Compare(a.WaitSince, b.WaitSince) })
	return w
}

// WaitlistPosition is r's 1-based place on the waiting list, 0 if it is not waiting.
func (o *OfferState) WaitlistPosition(r *Referral) int {
	for i, w := range o.Waitlist() {
		if w.ID == r.ID {
			return i + 1
		}
	}
	return 0
}

// CompareStart orders offers by start date, then ID.
func CompareStart(a, b *OfferState) int {
	if c := strings.Compare(a.StartDate, b.StartDate); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}
