package domain

import (
	"maps"
	"math"
	"slices"
	"time"
)

// Observation is one event matched by one term of a rule, as the adapters
// read it from the event: the domain does the counting.
type Observation struct {
	Term int
	// Aggregate is the event's source aggregate (e.g. "offer/o-17"); a term
	// without group_by counts for the group remembered for it.
	Aggregate string
	Month     MonthIndex
	// Group is the value of the term's group_by field.
	Group string
	// Amount is SUM's value or COUNT_ELEMENTS' number of elements; Key is
	// COUNT_DISTINCT's value.
	Amount float64
	Key    string
	// Time is the event's time; Start marks the event starting a
	// MEDIAN_DAYS duration of its aggregate rather than a matching one.
	Time  time.Time
	Start bool
}

// Derivation accumulates the values of one derived indicator. The result
// depends only on the set of observations of each source, and on their order
// within a source aggregate for remembered groups, so a rebuild from the
// streams gives the same values. Not safe for concurrent use.
type Derivation struct {
	rule     Rule
	remember bool
	// sums: term × group × month → count or sum. Group "" is the total.
	sums map[cell]float64
	// seen: term × group → distinct key → months it occurred in (sorted).
	seen map[termGroup]map[string][]MonthIndex
	// groupOf remembers the group of a source aggregate.
	groupOf map[string]string
	groups  map[string]struct{}
	// startOf is the time of a source aggregate's first start event;
	// days: term × group × month → the durations in days (MEDIAN_DAYS).
	startOf map[string]time.Time
	days    map[cell][]float64
}

type termGroup struct {
	term  int
	group string
}

type cell struct {
	termGroup
	month MonthIndex
}

// NewDerivation starts an empty derivation of r.
func NewDerivation(r Rule) *Derivation {
	return &Derivation{
		rule: r, remember: r.remembersGroups(), sums: map[cell]float64{},
		seen: map[termGroup]map[string][]MonthIndex{}, groupOf: map[string]string{}, groups: map[string]struct{}{},
		startOf: map[string]time.Time{}, days: map[cell][]float64{},
	}
}

// Rule is the rule derived.
func (d *Derivation) Rule() Rule { return d.rule }

// Observe counts an observation.
func (d *Derivation) Observe(o Observation) {
	if o.Term < 0 || o.Term >= len(d.rule.Terms) {
		return
	}
	t := d.rule.Terms[o.Term]
	if o.Start {
		if _, ok := d.startOf[o.Aggregate]; !ok {
			d.startOf[o.Aggregate] = o.Time
		}
		return
	}
	if t.Aggregation == MedianDays {
		start, ok := d.startOf[o.Aggregate]
		if !ok {
			return // began before the history the stream keeps
		}
		o.Amount = o.Time.Sub(start).Hours() / 24
	}
	group := o.Group
	switch {
	case t.Group != "":
		group = t.Group
	case t.GroupBy == "":
		group = d.groupOf[o.Aggregate]
	}
	if t.grouped() && d.remember && group != "" {
		d.groupOf[o.Aggregate] = group
	}
	d.add(o, t, "")
	if group != "" {
		d.groups[group] = struct{}{}
		d.add(o, t, group)
	}
}

func (d *Derivation) add(o Observation, t Term, group string) {
	tg := termGroup{o.Term, group}
	switch t.Aggregation {
	case Count:
		d.sums[cell{tg, o.Month}]++
	case Sum, CountElements:
		d.sums[cell{tg, o.Month}] += o.Amount
	case MedianDays:
		d.days[cell{tg, o.Month}] = append(d.days[cell{tg, o.Month}], o.Amount)
	case CountDistinct:
		keys := d.seen[tg]
		if keys == nil {
			keys = map[string][]MonthIndex{}
			d.seen[tg] = keys
		}
		months := keys[o.Key]
		if i, found := slices.BinarySearch(months, o.Month); !found {
			keys[o.Key] = slices.Insert(months, i, o.Month)
		}
	}
}

// Value is the derived value for p: the total and, for rules with groups,
// the value per group.
func (d *Derivation) Value(p Period) Value {
	first, last := p.Months()
	in := func(m MonthIndex) bool { return (d.rule.Cumulative || m >= first) && m <= last }
	if d.rule.median() {
		return d.medianValue(p, in)
	}
	totals := map[string]float64{}
	sign := func(term int) float64 {
		if d.rule.Terms[term].Subtract {
			return -1
		}
		return 1
	}
	for c, x := range d.sums {
		if in(c.month) {
			totals[c.group] += sign(c.term) * x
		}
	}
	for tg, keys := range d.seen {
		n := 0
		for _, months := range keys {
			if slices.ContainsFunc(months, in) {
				n++
			}
		}
		totals[tg.group] += sign(tg.term) * float64(n)
	}
	v := Value{Period: p, Has: true, Value: totals[""]}
	if len(d.groups) > 0 {
		v.ByGroup = make(map[string]float64, len(d.groups))
		for g := range d.groups {
			v.ByGroup[g] = totals[g]
		}
	}
	return v
}

// medianValue is the median of the durations in p, overall and per group;
// a group without durations has no median and is left out.
func (d *Derivation) medianValue(p Period, in func(MonthIndex) bool) Value {
	byGroup := map[string][]float64{}
	for c, xs := range d.days {
		if in(c.month) {
			byGroup[c.group] = append(byGroup[c.group], xs...)
		}
	}
	total := byGroup[""]
	v := Value{Period: p, Has: len(total) > 0, Value: median(total)}
	delete(byGroup, "")
	if len(byGroup) > 0 {
		v.ByGroup = make(map[string]float64, len(byGroup))
		for g, xs := range byGroup {
			v.ByGroup[g] = median(xs)
		}
	}
	return v
}

// median of xs (sorted in place), rounded to a tenth of a day; 0 if empty.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	m := xs[len(xs)/2]
	if len(xs)%2 == 0 {
		m = (xs[len(xs)/2-1] + m) / 2
	}
	return math.Round(m*10) / 10
}

// Groups lists the groups seen, sorted.
func (d *Derivation) Groups() []string { return slices.Sorted(maps.Keys(d.groups)) }
