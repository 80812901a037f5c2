package domain

import (
	"fmt"
	"slices"
	"time"
)

// ImplementationReport is the Umsetzungsbericht of a period: per topic field
// and measure the adoption status by actor at the end of the period, the
// indicators' targets and actual values, and what changed in the period.
type ImplementationReport struct {
	Period Period
	// From and To bound the period (To exclusive), in the county's zone.
	From, To time.Time
	Fields   []ReportField
	// RollUp is the plan-wide roll-up of the indicators.
	RollUp []RollUpRow
}

// ReportField is one topic field of the report.
type ReportField struct {
	TopicField TopicField
	Measures   []ReportMeasure
}

// ReportMeasure is one measure of the report.
type ReportMeasure struct {
	Number, Title string
	Adoptions     []ReportAdoption
	Indicators    []ReportIndicator
	Changes       []ReportChange
}

// ReportAdoption is an actor's status at the end of the period.
type ReportAdoption struct {
	Actor    ActorID
	Name     string
	Status   Status
	Progress int32
}

// ReportIndicator is an indicator's target and actual value.
type ReportIndicator struct {
	Indicator
	ActorName string
	Value     Value
}

// ReportChange is something that happened to a measure in the period.
type ReportChange struct {
	Time time.Time
	Text string
}

// NewImplementationReport builds the report of period p from the plan;
// valueOf gives an indicator's value for the period.
func NewImplementationReport(plan *Plan, p Period, zone *time.Location, valueOf func(*IndicatorState, Period) Value) ImplementationReport {
	r := ImplementationReport{Period: p, From: p.Start(zone), To: p.End(zone)}
	in := func(t time.Time) bool { return !t.Before(r.From) && t.Before(r.To) }
	var items []RollUpItem
	for _, tf := range TopicFields() {
		f := ReportField{TopicField: tf}
		for _, m := range plan.Measures() {
			if m.TopicField != tf || !m.CreateTime.Before(r.To) {
				continue
			}
			rm := ReportMeasure{Number: m.Number, Title: m.Title}
			for _, e := range plan.Adoptions(m) {
				a := ReportAdoption{Actor: e.Actor.ID, Name: e.Actor.DisplayName, Status: Offered}
				for _, t := range m.Timeline {
					if t.Actor == e.Actor.ID && t.Time.Before(r.To) {
						a.Status, a.Progress = t.To, t.Adoption.Progress
					}
				}
				rm.Adoptions = append(rm.Adoptions, a)
			}
			for _, t := range m.Timeline {
				if !in(t.Time) {
					continue
				}
				if t.Created {
					rm.Changes = append(rm.Changes, ReportChange{Time: t.Time, Text: "Maßnahme in den Plan aufgenommen"})
					continue
				}
				text := fmt.Sprintf("%s: %s → %s", actorName(plan, t.Actor), t.From.Label(), t.To.Label())
				if t.To == InProgress {
					text += fmt.Sprintf(" (%d %%)", t.Adoption.Progress)
				}
				rm.Changes = append(rm.Changes, ReportChange{Time: t.Time, Text: text})
			}
			for _, st := range plan.Indicators(m.ID()) {
				ri := ReportIndicator{Indicator: st.Indicator, Value: valueOf(st, p)}
				if st.Actor != "" {
					ri.ActorName = actorName(plan, st.Actor)
				}
				rm.Indicators = append(rm.Indicators, ri)
				items = append(items, RollUpItem{TopicField: tf, Indicator: st.Indicator, Value: ri.Value})
				if in(st.CreateTime) {
					rm.Changes = append(rm.Changes, ReportChange{Time: st.CreateTime, Text: "Indikator „" + st.DisplayName + "“ festgelegt"})
				}
				for _, v := range st.Recorded {
					if in(v.Time) {
						rm.Changes = append(rm.Changes, ReportChange{Time: v.Time,
							Text: fmt.Sprintf("Wert für „%s“ (%s): %s %s, Quelle: %s, Stand %s", st.DisplayName, v.Period.Label(), FormatNumber(v.Value), st.Unit, v.Source, v.AsOf)})
					}
				}
			}
			slices.SortStableFunc(rm.Changes, func(a, b ReportChange) int { return a.Time.Compare(b.Time) })
			f.Measures = append(f.Measures, rm)
		}
		r.Fields = append(r.Fields, f)
	}
	_, r.RollUp = RollUpIndicators(items)
	return r
}

func actorName(p *Plan, id ActorID) string {
	if a, ok := p.Actor(id); ok {
		return a.DisplayName
	}
	return string(id)
}
