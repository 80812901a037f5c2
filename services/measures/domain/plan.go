package domain

import (
	"slices"
	"time"
)

// Plan is the state of the whole plan as the events describe it: measures,
// actors and every adoption. It is rebuilt from the event stream and not safe
// for concurrent use; the read model guards it.
type Plan struct {
	measures map[MeasureID]*MeasureState
	actors   map[ActorID]*ActorState
	order    []MeasureID // by number
	actorIDs []ActorID   // sorted

	indicators map[IndicatorKey]*IndicatorState
	// indicatorsOf lists a measure's indicators in the order they were defined.
	indicatorsOf map[MeasureID][]IndicatorKey
	// deleted indicators keep their key: their events stay in the history.
	deleted map[IndicatorKey]bool
}

// MeasureState is a measure with its history.
type MeasureState struct {
	Measure
	// Version is the sequence of the last event of the measure or its adoptions.
	Version    uint64
	CreateTime time.Time
	UpdateTime time.Time
	adoptions  map[ActorID]Adoption
	Timeline   []TimelineEntry
}

// ActorState is an actor with its version.
type ActorState struct {
	Actor
	Version    uint64
	CreateTime time.Time
}

// TimelineEntry is one change of a measure.
type TimelineEntry struct {
	Version uint64
	Time    time.Time
	// Actor, From and To are set for adoption changes.
	Actor    ActorID
	From, To Status
	Adoption Adoption
	// Created is set for the measure's creation.
	Created bool
}

// NewPlan returns an empty plan.
func NewPlan() *Plan {
	return &Plan{
		measures: map[MeasureID]*MeasureState{}, actors: map[ActorID]*ActorState{},
		indicators: map[IndicatorKey]*IndicatorState{}, indicatorsOf: map[MeasureID][]IndicatorKey{},
		deleted: map[IndicatorKey]bool{},
	}
}

// AddMeasure records a created measure.
func (p *Plan) AddMeasure(m Measure, version uint64, at time.Time) {
	id := m.ID()
	p.measures[id] = &MeasureState{
		Measure: m, Version: version, CreateTime: at, UpdateTime: at, adoptions: map[ActorID]Adoption{},
		Timeline: []TimelineEntry{{Version: version, Time: at, Created: true}},
	}
	i, _ := slices.BinarySearchFunc(p.order, m.Number, func(id MeasureID, n string) int { return CompareNumbers(id.Number(), n) })
	p.order = slices.Insert(p.order, i, id)
}

// AddActor records a created actor.
func (p *Plan) AddActor(a Actor, version uint64, at time.Time) {
	p.actors[a.ID] = &ActorState{Actor: a, Version: version, CreateTime: at}
	i, _ := slices.BinarySearch(p.actorIDs, a.ID)
	p.actorIDs = slices.Insert(p.actorIDs, i, a.ID)
}

// ChangeAdoption records an adoption's new state.
func (p *Plan) ChangeAdoption(mid MeasureID, aid ActorID, from Status, next Adoption, version uint64, at time.Time) {
	m, ok := p.measures[mid]
	if !ok {
		return
	}
	next.Version, next.UpdateTime = version, at
	m.adoptions[aid] = next
	m.Version, m.UpdateTime = version, at
	m.Timeline = append(m.Timeline, TimelineEntry{Version: version, Time: at, Actor: aid, From: from, To: next.Status, Adoption: next})
}

// Measure returns a measure.
func (p *Plan) Measure(id MeasureID) (*MeasureState, bool) {
	m, ok := p.measures[id]
	return m, ok
}

// Measures returns every measure in plan order.
func (p *Plan) Measures() []*MeasureState {
	out := make([]*MeasureState, len(p.order))
	for i, id := range p.order {
		out[i] = p.measures[id]
	}
	return out
}

// Actor returns an actor.
func (p *Plan) Actor(id ActorID) (*ActorState, bool) {
	a, ok := p.actors[id]
	return a, ok
}

// Actors returns every actor ordered by ID.
func (p *Plan) Actors() []*ActorState {
	out := make([]*ActorState, len(p.actorIDs))
	for i, id := range p.actorIDs {
		out[i] = p.actors[id]
	}
	return out
}

// Adoption returns an actor's adoption of a measure; an actor the measure
// addresses that has not decided yet has an OFFERED one.
func (m *MeasureState) Adoption(a *ActorState) Adoption {
	if ad, ok := m.adoptions[a.ID]; ok {
		return ad
	}
	return Adoption{Status: Offered}
}

// AdoptionEntry is an adoption with its measure and actor.
type AdoptionEntry struct {
	Measure *MeasureState
	Actor   *ActorState
	Adoption
}

// Adoptions lists the adoptions of a measure, one per addressed actor, by actor ID.
func (p *Plan) Adoptions(m *MeasureState) []AdoptionEntry {
	var out []AdoptionEntry
	for _, id := range p.actorIDs {
		a := p.actors[id]
		if m.Addresses(a.Kind) {
			out = append(out, AdoptionEntry{Measure: m, Actor: a, Adoption: m.Adoption(a)})
		}
	}
	return out
}

// AddIndicator records a defined indicator.
func (p *Plan) AddIndicator(i Indicator, version uint64, at time.Time) {
	k := i.Key()
	if _, exists := p.indicators[k]; !exists {
		p.indicatorsOf[k.Measure] = append(p.indicatorsOf[k.Measure], k)
	}
	p.indicators[k] = &IndicatorState{Indicator: i, Version: version, CreateTime: at, manual: map[Period]ManualValue{}, published: map[Period]PublishedValue{}}
}

// ChangeIndicator records a changed definition; recorded and published
// values stay.
func (p *Plan) ChangeIndicator(i Indicator, version uint64) {
	if s, ok := p.indicators[i.Key()]; ok {
		s.Indicator, s.Version = i, version
	}
}

// DeleteIndicator removes an indicator; its key stays taken.
func (p *Plan) DeleteIndicator(k IndicatorKey) {
	if _, ok := p.indicators[k]; !ok {
		return
	}
	delete(p.indicators, k)
	p.indicatorsOf[k.Measure] = slices.DeleteFunc(p.indicatorsOf[k.Measure], func(o IndicatorKey) bool { return o == k })
	p.deleted[k] = true
}

// Deleted reports whether the indicator was deleted.
func (p *Plan) Deleted(k IndicatorKey) bool { return p.deleted[k] }

// PublishValue records a published value change.
func (p *Plan) PublishValue(k IndicatorKey, period Period, v PublishedValue) {
	if s, ok := p.indicators[k]; ok {
		s.published[period] = v
	}
}

// RecordValue records a manual value; a later value for the same period
// replaces the earlier one.
func (p *Plan) RecordValue(k IndicatorKey, v ManualValue, version uint64, at time.Time) {
	s, ok := p.indicators[k]
	if !ok {
		return
	}
	v.Version, v.Time = version, at
	s.manual[v.Period] = v
	s.Recorded = append(s.Recorded, v)
	s.Version = version
}

// Indicator returns an indicator.
func (p *Plan) Indicator(k IndicatorKey) (*IndicatorState, bool) {
	s, ok := p.indicators[k]
	return s, ok
}

// Indicators lists a measure's indicators in the order they were defined.
func (p *Plan) Indicators(m MeasureID) []*IndicatorState {
	keys := p.indicatorsOf[m]
	out := make([]*IndicatorState, len(keys))
	for i, k := range keys {
		out[i] = p.indicators[k]
	}
	return out
}

// AllIndicators lists every indicator, by measure in plan order.
func (p *Plan) AllIndicators() []*IndicatorState {
	var out []*IndicatorState
	for _, id := range p.order {
		out = append(out, p.Indicators(id)...)
	}
	return out
}
