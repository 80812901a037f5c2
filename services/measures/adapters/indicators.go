package adapters

import (
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	measuresv1 "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// IndicatorDefined is the event of a new indicator.
func IndicatorDefined(i domain.Indicator) eventstore.Event {
	return eventstore.Event{Aggregate: AggregateIndicator, ID: i.Key().AggregateID(), Payload: &measuresv1.IndicatorDefined{
		MeasureId: string(i.Measure), IndicatorId: string(i.ID), DisplayName: i.DisplayName, Description: i.Description,
		Unit: i.Unit, ActorId: string(i.Actor), BaselineValue: i.Baseline, BaselineDate: i.BaselineDate,
		TargetValue: i.Target, TargetDate: i.TargetDate, RollUp: measuresv1.IndicatorRollUp(i.RollUp), Rule: RuleToProto(i.Rule),
	}}
}

// IndicatorChanged is the event of a changed definition.
func IndicatorChanged(i domain.Indicator) eventstore.Event {
	d := IndicatorDefined(i).Payload.(*measuresv1.IndicatorDefined)
	return eventstore.Event{Aggregate: AggregateIndicator, ID: i.Key().AggregateID(), Payload: &measuresv1.IndicatorChanged{
		MeasureId: d.MeasureId, IndicatorId: d.IndicatorId, DisplayName: d.DisplayName, Description: d.Description,
		Unit: d.Unit, ActorId: d.ActorId, BaselineValue: d.BaselineValue, BaselineDate: d.BaselineDate,
		TargetValue: d.TargetValue, TargetDate: d.TargetDate, RollUp: d.RollUp, Rule: d.Rule,
	}}
}

// IndicatorDeleted is the event of a retired indicator.
func IndicatorDeleted(k domain.IndicatorKey) eventstore.Event {
	return eventstore.Event{Aggregate: AggregateIndicator, ID: k.AggregateID(), Payload: &measuresv1.IndicatorDeleted{
		MeasureId: string(k.Measure), IndicatorId: string(k.ID),
	}}
}

// ValueAggregateID is the subject token of an indicator's value for a
// period: one aggregate each, so every change appends with the expected
// sequence of the previous one.
func ValueAggregateID(k domain.IndicatorKey, p domain.Period) string {
	return k.AggregateID() + "_" + strings.ToLower(p.String())
}

// IndicatorValueChanged is the event of a changed value; previous is nil for
// the first value of the period.
func IndicatorValueChanged(k domain.IndicatorKey, c domain.Computed, previous *domain.PublishedValue, at time.Time) eventstore.Event {
	e := &measuresv1.IndicatorValueChanged{
		MeasureId: string(k.Measure), IndicatorId: string(k.ID), Period: c.Period.String(), Value: c.Value.Value,
		ByGroup: c.ByGroup, IndicatorVersion: c.IndicatorVersion, SourcePositions: c.Positions, ChangeTime: timestamppb.New(at),
	}
	if previous != nil {
		e.PreviousValue = &previous.Value
	}
	return eventstore.Event{Aggregate: AggregateIndicatorValue, ID: ValueAggregateID(k, c.Period), Payload: e}
}

// IndicatorValueRecorded is the event of a manual value.
func IndicatorValueRecorded(k domain.IndicatorKey, v domain.ManualValue, at time.Time) eventstore.Event {
	return eventstore.Event{Aggregate: AggregateIndicator, ID: k.AggregateID(), Payload: &measuresv1.IndicatorValueRecorded{
		MeasureId: string(k.Measure), IndicatorId: string(k.ID), Period: v.Period.String(), Value: v.Value,
		Source: v.Source, AsOf: v.AsOf, RecordTime: timestamppb.New(at),
	}}
}

// Definition is what IndicatorDefined and IndicatorChanged carry.
type Definition interface {
	GetMeasureId() string
	GetIndicatorId() string
	GetDisplayName() string
	GetDescription() string
	GetUnit() string
	GetActorId() string
	GetBaselineValue() float64
	GetBaselineDate() string
	GetTargetValue() float64
	GetTargetDate() string
	GetRollUp() measuresv1.IndicatorRollUp
	GetRule() *measuresv1.IndicatorRule
}

// IndicatorFromEvent is the indicator an event defined. Its rule was
// validated before it was written, so its filters parse.
func IndicatorFromEvent(e Definition) domain.Indicator {
	i := domain.Indicator{
		Measure: domain.MeasureID(e.GetMeasureId()), ID: domain.IndicatorID(e.GetIndicatorId()),
		DisplayName: e.GetDisplayName(), Description: e.GetDescription(), Unit: e.GetUnit(), Actor: domain.ActorID(e.GetActorId()),
		Baseline: e.GetBaselineValue(), BaselineDate: e.GetBaselineDate(), Target: e.GetTargetValue(), TargetDate: e.GetTargetDate(),
		RollUp: domain.RollUp(e.GetRollUp()),
	}
	if e.GetRule() != nil {
		terms, _ := domain.ParseTerms(RawTermsFromProto(e.GetRule()))
		i.Rule = &domain.Rule{Terms: terms, Cumulative: e.GetRule().GetCumulative()}
	}
	return i
}

// RawTermsFromProto reads a rule's terms as written.
func RawTermsFromProto(r *measuresv1.IndicatorRule) []domain.RawTerm {
	out := make([]domain.RawTerm, len(r.GetTerms()))
	for i, t := range r.GetTerms() {
		out[i] = domain.RawTerm{
			EventType: t.GetEventType(), Filters: t.GetFilters(), Aggregation: domain.Aggregation(t.GetAggregation()),
			Field: t.GetField(), GroupBy: t.GetGroupBy(), Group: t.GetGroup(), Subtract: t.GetSubtract(), Since: t.GetSinceEventType(),
		}
	}
	return out
}

// RuleToProto writes a rule; nil stays nil (a manual indicator).
func RuleToProto(r *domain.Rule) *measuresv1.IndicatorRule {
	if r == nil {
		return nil
	}
	out := &measuresv1.IndicatorRule{Cumulative: r.Cumulative}
	for _, t := range r.Terms {
		pt := &measuresv1.RuleTerm{
			EventType: t.EventType, Aggregation: measuresv1.RuleAggregation(t.Aggregation),
			Field: t.Field, GroupBy: t.GroupBy, Group: t.Group, Subtract: t.Subtract, SinceEventType: t.Since,
		}
		for _, f := range t.Filters {
			pt.Filters = append(pt.Filters, f.String())
		}
		out.Terms = append(out.Terms, pt)
	}
	return out
}
