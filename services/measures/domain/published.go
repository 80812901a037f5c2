package domain

import "maps"

// PublishedValue is the last IndicatorValueChanged event of an indicator and
// period: the value the outside world knows.
type PublishedValue struct {
	Value   float64
	ByGroup map[string]float64
	// IndicatorVersion and Positions are what the value was computed from.
	IndicatorVersion uint64
	Positions        map[string]uint64
	// Seq is the event's sequence, the expected version of the next one.
	Seq uint64
}

// Computed is an indicator's value for a period with what it was computed
// from: the indicator's version and, for a derived one, the position in each
// source stream.
type Computed struct {
	Value
	IndicatorVersion uint64
	Positions        map[string]uint64
}

// Publishes reports whether c is a change to publish over the published
// value (nil: none yet). Values only move forward: a value computed from an
// older definition, or from fewer events of a source stream, than the
// published one (a replica behind, a service still replaying) is never
// published, so restarts and replicas cannot publish a change twice or undo
// one.
func (c Computed) Publishes(published *PublishedValue) bool {
	if !c.Has {
		return false
	}
	if published == nil {
		return true
	}
	if c.IndicatorVersion < published.IndicatorVersion {
		return false
	}
	for stream, seq := range c.Positions {
		if seq < published.Positions[stream] {
			return false
		}
	}
	return c.Value.Value != published.Value || !maps.Equal(c.ByGroup, published.ByGroup)
}

// Periods are the month, quarter and year that contain m: the periods whose
// value an event of month m changes.
func (m MonthIndex) Periods() []Period {
	p := m.Period()
	return []Period{p, {Kind: Quarter, Year: p.Year, N: (p.N + 2) / 3}, {Kind: Year, Year: p.Year}}
}

// Enclosing lists p and the longer periods containing it.
func (p Period) Enclosing() []Period {
	switch p.Kind {
	case Month:
		return MonthIndex(p.Year*12 + p.N - 1).Periods()
	case Quarter:
		return []Period{p, {Kind: Year, Year: p.Year}}
	}
	return []Period{p}
}
