package domain

import "slices"

// RollUpItem is one indicator's value for a period, to be rolled up.
type RollUpItem struct {
	TopicField TopicField
	Indicator  Indicator
	Value      Value
}

// RollUpRow combines the indicators of one display name and unit in a topic
// field (or, with TopicFieldUnspecified, the whole plan).
type RollUpRow struct {
	TopicField  TopicField
	DisplayName string
	Unit        string
	RollUp      RollUp
	Indicators  int
	WithValue   int
	Has         bool
	Value       float64
	Target      float64
}

type rollUpKey struct {
	tf         TopicField
	name, unit string
	rule       RollUp
}

// RollUpIndicators combines indicators of the same display name, unit and
// roll-up rule per topic field and for the plan. AVERAGE averages values and
// targets; SUM and LATEST add them (LATEST picks the latest value within a
// period, and the levels of several indicators add up). Rows are ordered by
// topic field, then name and unit.
func RollUpIndicators(items []RollUpItem) (byTopicField, plan []RollUpRow) {
	rows := map[rollUpKey]*RollUpRow{}
	values := map[rollUpKey][]float64{}
	targets := map[rollUpKey][]float64{}
	for _, it := range items {
		for _, tf := range []TopicField{it.TopicField, TopicFieldUnspecified} {
			k := rollUpKey{tf, it.Indicator.DisplayName, it.Indicator.Unit, it.Indicator.RollUp}
			r := rows[k]
			if r == nil {
				r = &RollUpRow{TopicField: tf, DisplayName: k.name, Unit: k.unit, RollUp: k.rule}
				rows[k] = r
			}
			r.Indicators++
			targets[k] = append(targets[k], it.Indicator.Target)
			if it.Value.Has {
				r.WithValue++
				values[k] = append(values[k], it.Value.Value)
			}
		}
	}
	for k, r := range rows {
		across := RollUpSum
		if k.rule == RollUpAverage {
			across = RollUpAverage
		}
		r.Target = Combine(across, targets[k])
		if len(values[k]) > 0 {
			r.Has, r.Value = true, Combine(across, values[k])
		}
		if k.tf == TopicFieldUnspecified {
			plan = append(plan, *r)
		} else {
			byTopicField = append(byTopicField, *r)
		}
	}
	order := func(a, b RollUpRow) int {
		if a.TopicField != b.TopicField {
			return int(a.TopicField - b.TopicField)
		}
		if a.DisplayName != b.DisplayName {
			if a.DisplayName < b.DisplayName {
				return -1
			}
			return 1
		}
		if a.Unit != b.Unit {
			if a.Unit < b.Unit {
				return -1
			}
			return 1
		}
		return int(a.RollUp - b.RollUp)
	}
	slices.SortFunc(byTopicField, order)
	slices.SortFunc(plan, order)
	return byTopicField, plan
}
