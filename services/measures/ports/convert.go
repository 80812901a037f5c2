package ports

import (
	"fmt"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/measures/app"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

func measureToProto(m app.MeasureView) *pb.Measure {
	out := &pb.Measure{
		Name: measureName(m.ID()), Number: m.Number, Title: m.Title, Description: m.Description,
		TopicField: pb.TopicField(m.TopicField), Lead: m.Lead, Chapter: m.Chapter(),
		CreateTime: timestamppb.New(m.CreateTime), UpdateTime: timestamppb.New(m.UpdateTime),
		Etag: eventstore.FormatVersion(m.Version),
	}
	for _, a := range m.CrossCuttingAreas {
		out.CrossCuttingAreas = append(out.CrossCuttingAreas, pb.CrossCuttingArea(a))
	}
	for _, k := range m.AddressedKinds {
		out.AddressedActorKinds = append(out.AddressedActorKinds, pb.ActorKind(k))
	}
	return out
}

func measureFromProto(m *pb.Measure) domain.Measure {
	out := domain.Measure{
		Number: m.GetNumber(), Title: m.GetTitle(), Description: m.GetDescription(),
		TopicField: domain.TopicField(m.GetTopicField()), Lead: m.GetLead(),
	}
	for _, a := range m.GetCrossCuttingAreas() {
		out.CrossCuttingAreas = append(out.CrossCuttingAreas, domain.CrossCuttingArea(a))
	}
	for _, k := range m.GetAddressedActorKinds() {
		out.AddressedKinds = append(out.AddressedKinds, domain.ActorKind(k))
	}
	return out
}

func actorToProto(a app.ActorView) *pb.Actor {
	return &pb.Actor{
		Name: actorName(a.ID), Kind: pb.ActorKind(a.Kind), DisplayName: a.DisplayName,
		CreateTime: timestamppb.New(a.CreateTime), Etag: eventstore.FormatVersion(a.Version),
	}
}

func adoptionToProto(a app.AdoptionView) *pb.Adoption {
	out := &pb.Adoption{
		Name: adoptionName(a.Measure, a.Actor), Measure: measureName(a.Measure), Actor: actorName(a.Actor),
		Status: pb.AdoptionStatus(a.Status), ProgressPercent: a.Progress,
		DecidedOn: a.DecidedOn, DecidingBody: a.DecidingBody, Comment: a.Comment,
		Etag: eventstore.FormatVersion(a.Version),
	}
	if !a.UpdateTime.IsZero() {
		out.UpdateTime = timestamppb.New(a.UpdateTime)
	}
	return out
}

func timelineToProto(measure string, e app.TimelineView) *pb.TimelineEntry {
	out := &pb.TimelineEntry{Time: timestamppb.New(e.Time), Etag: eventstore.FormatVersion(e.Version)}
	if e.Created {
		out.EventType = string((&pb.MeasureCreated{}).ProtoReflect().Descriptor().FullName())
		out.Summary = "Maßnahme " + measure + " in den Plan aufgenommen"
		return out
	}
	out.EventType = string((&pb.AdoptionStatusChanged{}).ProtoReflect().Descriptor().FullName())
	out.Actor = actorName(e.Actor)
	out.FromStatus, out.ToStatus = pb.AdoptionStatus(e.From), pb.AdoptionStatus(e.To)
	out.ProgressPercent = e.Adoption.Progress
	out.DecidedOn, out.DecidingBody, out.Comment = e.Adoption.DecidedOn, e.Adoption.DecidingBody, e.Adoption.Comment
	out.Summary = fmt.Sprintf("%s: %s → %s", e.ActorName, e.From.Label(), e.To.Label())
	if e.To == domain.InProgress {
		out.Summary += fmt.Sprintf(" (%d %%)", e.Adoption.Progress)
	}
	if e.Adoption.DecidingBody != "" {
		out.Summary += ", " + e.Adoption.DecidingBody
	}
	return out
}

func figuresToProto(group, label string, f *domain.Figures) *pb.AdoptionFigures {
	out := &pb.AdoptionFigures{
		Group: group, Label: label, Total: int32(f.Total),
		AdoptedShare: f.AdoptedShare, MeanProgressPercent: f.MeanProgress,
	}
	for _, s := range domain.Statuses() {
		out.Counts = append(out.Counts, &pb.StatusCount{Status: pb.AdoptionStatus(s), Count: int32(f.Counts[s])})
	}
	return out
}
