package adapters

import (
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

// IndicatorValueRecorded is the event of a manual value.
func IndicatorValueRecorded(k domain.IndicatorKey, v domain.ManualValue, at time.Time) eventstore.Event {
	return eventstore.Event{Aggregate: AggregateIndicator, ID: k.AggregateID(), Payload: &measuresv1.IndicatorValueRecorded{
		MeasureId: string(k.Measure), IndicatorId: string(k.ID), Period: v.Period.String(), Value: v.Value,
		Source: v.Source, AsOf: v.AsOf, RecordTime: timestamppb.New(at),
	}}
}

// IndicatorFromEvent is the indicator an event defined. Its rule was
// validated before it was written, so its filters parse.
func IndicatorFromEvent(e *measuresv1.IndicatorDefined) domain.Indicator {
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
			Field: t.GetField(), GroupBy: t.GetGroupBy(), Subtract: t.GetSubtract(),
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
			Field: t.Field, GroupBy: t.GroupBy, Subtract: t.Subtract,
		}
		for _, f := range t.Filters {
			pt.Filters = append(pt.Filters, f.String())
		}
		out.Terms = append(out.Terms, pt)
	}
	return out
}
