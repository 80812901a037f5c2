// Package adapters connects the measures domain to the event store: it
// turns domain changes into protobuf events and events back into state.
package adapters

import (
	"log/slog"
	"sync"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	measuresv1 "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// Aggregates of the measures service.
const (
	AggregateMeasure   = "measure"
	AggregateActor     = "actor"
	AggregateIndicator = "indicator"
	// AggregateIndicatorValue is an indicator's value for one period.
	AggregateIndicatorValue = "indicator_value"
)

// MeasureCreated is the event of a new measure.
func MeasureCreated(m domain.Measure) eventstore.Event {
	e := &measuresv1.MeasureCreated{
		MeasureId: string(m.ID()), Number: m.Number, Title: m.Title, Description: m.Description,
		TopicField: measuresv1.TopicField(m.TopicField), Lead: m.Lead,
	}
	for _, a := range m.CrossCuttingAreas {
		e.CrossCuttingAreas = append(e.CrossCuttingAreas, measuresv1.CrossCuttingArea(a))
	}
	for _, k := range m.AddressedKinds {
		e.AddressedActorKinds = append(e.AddressedActorKinds, measuresv1.ActorKind(k))
	}
	return eventstore.Event{Aggregate: AggregateMeasure, ID: string(m.ID()), Payload: e}
}

// ActorCreated is the event of a new actor.
func ActorCreated(a domain.Actor) eventstore.Event {
	return eventstore.Event{Aggregate: AggregateActor, ID: string(a.ID), Payload: &measuresv1.ActorCreated{
		ActorId: string(a.ID), Kind: measuresv1.ActorKind(a.Kind), DisplayName: a.DisplayName,
	}}
}

// AdoptionStatusChanged is the event of an actor's decision on a measure. It
// belongs to the measure's aggregate.
func AdoptionStatusChanged(mid domain.MeasureID, aid domain.ActorID, from domain.Status, next domain.Adoption, at time.Time) eventstore.Event {
	return eventstore.Event{Aggregate: AggregateMeasure, ID: string(mid), Payload: &measuresv1.AdoptionStatusChanged{
		MeasureId: string(mid), ActorId: string(aid),
		FromStatus: measuresv1.AdoptionStatus(from), ToStatus: measuresv1.AdoptionStatus(next.Status),
		ProgressPercent: next.Progress, DecidedOn: next.DecidedOn, DecidingBody: next.DecidingBody, Comment: next.Comment,
		ChangeTime: timestamppb.New(at),
	}}
}

// ReadModel is the in-memory plan, fed by the event stream.
type ReadModel struct {
	log   *slog.Logger
	mu    sync.RWMutex
	plan  *domain.Plan
	hooks IndicatorHooks
}

// IndicatorHooks are told of indicator changes as the read model applies
// them, from the replay on. They run with the read model locked and must not
// call back into it.
type IndicatorHooks struct {
	// Defined learns every new or changed definition (the derivation engine).
	Defined func(domain.Indicator)
	// Deleted learns every deleted indicator.
	Deleted func(domain.IndicatorKey)
	// ValueRecorded learns the periods whose manual value may have changed.
	ValueRecorded func(domain.IndicatorKey, domain.Period)
}

// OnIndicator sets the hooks; call it before the follower starts.
func (r *ReadModel) OnIndicator(h IndicatorHooks) { r.hooks = h }

// NewReadModel returns an empty read model.
func NewReadModel(log *slog.Logger) *ReadModel {
	return &ReadModel{log: log, plan: domain.NewPlan()}
}

// View runs read with the plan locked for reading; read must not keep
// references into the plan.
func (r *ReadModel) View(read func(*domain.Plan)) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	read(r.plan)
}

// Apply implements eventstore.Projection.
func (r *ReadModel) Apply(env eventstore.Envelope) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch e := env.Payload.(type) {
	case *measuresv1.MeasureCreated:
		m := domain.Measure{
			Number: e.GetNumber(), Title: e.GetTitle(), Description: e.GetDescription(),
			TopicField: domain.TopicField(e.GetTopicField()), Lead: e.GetLead(),
		}
		for _, a := range e.GetCrossCuttingAreas() {
			m.CrossCuttingAreas = append(m.CrossCuttingAreas, domain.CrossCuttingArea(a))
		}
		for _, k := range e.GetAddressedActorKinds() {
			m.AddressedKinds = append(m.AddressedKinds, domain.ActorKind(k))
		}
		r.plan.AddMeasure(m, env.Seq, env.Time)
	case *measuresv1.ActorCreated:
		r.plan.AddActor(domain.Actor{ID: domain.ActorID(e.GetActorId()), Kind: domain.ActorKind(e.GetKind()), DisplayName: e.GetDisplayName()}, env.Seq, env.Time)
	case *measuresv1.AdoptionStatusChanged:
		r.plan.ChangeAdoption(domain.MeasureID(e.GetMeasureId()), domain.ActorID(e.GetActorId()), domain.Status(e.GetFromStatus()), domain.Adoption{
			Status: domain.Status(e.GetToStatus()), Progress: e.GetProgressPercent(),
			DecidedOn: e.GetDecidedOn(), DecidingBody: e.GetDecidingBody(), Comment: e.GetComment(),
		}, env.Seq, e.GetChangeTime().AsTime())
	case *measuresv1.IndicatorDefined:
		i := IndicatorFromEvent(e)
		r.plan.AddIndicator(i, env.Seq, env.Time)
		if r.hooks.Defined != nil {
			r.hooks.Defined(i)
		}
	case *measuresv1.IndicatorChanged:
		i := IndicatorFromEvent(e)
		r.plan.ChangeIndicator(i, env.Seq)
		if r.hooks.Defined != nil {
			r.hooks.Defined(i)
		}
	case *measuresv1.IndicatorDeleted:
		k := domain.IndicatorKey{Measure: domain.MeasureID(e.GetMeasureId()), ID: domain.IndicatorID(e.GetIndicatorId())}
		r.plan.DeleteIndicator(k)
		if r.hooks.Deleted != nil {
			r.hooks.Deleted(k)
		}
	case *measuresv1.IndicatorValueChanged:
		p, err := domain.ParsePeriod("period", e.GetPeriod())
		if err != nil {
			r.log.Error("skipping indicator value change with a bad period", "seq", env.Seq, "period", e.GetPeriod())
			return
		}
		r.plan.PublishValue(domain.IndicatorKey{Measure: domain.MeasureID(e.GetMeasureId()), ID: domain.IndicatorID(e.GetIndicatorId())}, p,
			domain.PublishedValue{Value: e.GetValue(), ByGroup: e.GetByGroup(), IndicatorVersion: e.GetIndicatorVersion(), Positions: e.GetSourcePositions(), Seq: env.Seq})
	case *measuresv1.IndicatorValueRecorded:
		p, err := domain.ParsePeriod("period", e.GetPeriod())
		if err != nil {
			r.log.Error("skipping indicator value with a bad period", "seq", env.Seq, "period", e.GetPeriod())
			return
		}
		k := domain.IndicatorKey{Measure: domain.MeasureID(e.GetMeasureId()), ID: domain.IndicatorID(e.GetIndicatorId())}
		r.plan.RecordValue(k, domain.ManualValue{Period: p, Value: e.GetValue(), Source: e.GetSource(), AsOf: e.GetAsOf()}, env.Seq, e.GetRecordTime().AsTime())
		if r.hooks.ValueRecorded != nil {
			r.hooks.ValueRecorded(k, p)
		}
	default:
		r.log.Warn("ignoring event of unknown type", "type", env.Type, "seq", env.Seq)
	}
}
