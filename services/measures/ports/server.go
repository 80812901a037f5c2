// Package ports serves the measures API over gRPC: it maps requests to use
// cases and results to responses. Errors pass through as apierr values; the
// shared server maps them to status codes.
package ports

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/requestid"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/measures/app"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// Server implements integration.measures.v1.MeasureService.
type Server struct {
	pb.UnimplementedMeasureServiceServer
	app *app.Service
}

// NewServer returns the gRPC server of the use cases.
func NewServer(a *app.Service) *Server { return &Server{app: a} }

func (s *Server) ListMeasures(ctx context.Context, req *pb.ListMeasuresRequest) (*pb.ListMeasuresResponse, error) {
	f := app.MeasureFilter{
		TopicField: domain.TopicField(req.GetTopicField()), CrossCuttingArea: domain.CrossCuttingArea(req.GetCrossCuttingArea()),
		Status: domain.Status(req.GetAdoptionStatus()),
	}
	if req.GetActor() != "" {
		aid, err := parseActorName("actor", req.GetActor())
		if err != nil {
			return nil, err
		}
		f.Actor = aid
	}
	page, err := s.app.ListMeasures(ctx, f, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &pb.ListMeasuresResponse{NextPageToken: page.NextToken, TotalSize: int32(page.TotalSize)}
	for _, m := range page.Items {
		resp.Measures = append(resp.Measures, measureToProto(m))
	}
	return resp, nil
}

func (s *Server) GetMeasure(ctx context.Context, req *pb.GetMeasureRequest) (*pb.GetMeasureResponse, error) {
	id, err := parseMeasureName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	m, err := s.app.GetMeasure(ctx, id)
	if err != nil {
		return nil, err
	}
	return &pb.GetMeasureResponse{Measure: measureToProto(m)}, nil
}

func (s *Server) CreateMeasure(ctx context.Context, req *pb.CreateMeasureRequest) (*pb.CreateMeasureResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	if req.GetMeasure() == nil {
		return nil, invalidMissing("measure")
	}
	m, err := s.app.CreateMeasure(ctx, r, measureFromProto(req.GetMeasure()))
	if err != nil {
		return nil, prefixed("measure", err)
	}
	return &pb.CreateMeasureResponse{Measure: measureToProto(m)}, nil
}

func (s *Server) ListActors(ctx context.Context, req *pb.ListActorsRequest) (*pb.ListActorsResponse, error) {
	page, err := s.app.ListActors(ctx, domain.ActorKind(req.GetKind()), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &pb.ListActorsResponse{NextPageToken: page.NextToken, TotalSize: int32(page.TotalSize)}
	for _, a := range page.Items {
		resp.Actors = append(resp.Actors, actorToProto(a))
	}
	return resp, nil
}

func (s *Server) GetActor(ctx context.Context, req *pb.GetActorRequest) (*pb.GetActorResponse, error) {
	id, err := parseActorName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	a, err := s.app.GetActor(ctx, id)
	if err != nil {
		return nil, err
	}
	return &pb.GetActorResponse{Actor: actorToProto(a)}, nil
}

func (s *Server) CreateActor(ctx context.Context, req *pb.CreateActorRequest) (*pb.CreateActorResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	if req.GetActor() == nil {
		return nil, invalidMissing("actor")
	}
	a, err := s.app.CreateActor(ctx, r, domain.Actor{
		ID: domain.ActorID(req.GetActorId()), Kind: domain.ActorKind(req.GetActor().GetKind()), DisplayName: req.GetActor().GetDisplayName(),
	})
	if err != nil {
		return nil, err
	}
	return &pb.CreateActorResponse{Actor: actorToProto(a)}, nil
}

func (s *Server) SetAdoptionStatus(ctx context.Context, req *pb.SetAdoptionStatusRequest) (*pb.SetAdoptionStatusResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	mid, aid, err := parseAdoptionName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	if err := mayDecideFor(ctx, aid); err != nil {
		return nil, err
	}
	a, err := s.app.SetAdoptionStatus(ctx, r, mid, aid, domain.Decision{
		To: domain.Status(req.GetStatus()), Progress: req.ProgressPercent,
		DecidedOn: req.GetDecidedOn(), DecidingBody: req.GetDecidingBody(), Comment: req.GetComment(),
	}, req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &pb.SetAdoptionStatusResponse{Adoption: adoptionToProto(a)}, nil
}

func (s *Server) ListAdoptions(ctx context.Context, req *pb.ListAdoptionsRequest) (*pb.ListAdoptionsResponse, error) {
	var f app.AdoptionFilter
	if req.GetParent() != allMeasures {
		mid, err := parseMeasureName("parent", req.GetParent())
		if err != nil {
			return nil, err
		}
		f.Measure = mid
	}
	if req.GetActor() != "" {
		aid, err := parseActorName("actor", req.GetActor())
		if err != nil {
			return nil, err
		}
		f.Actor = aid
	}
	f.Status = domain.Status(req.GetStatus())
	page, err := s.app.ListAdoptions(ctx, f, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &pb.ListAdoptionsResponse{NextPageToken: page.NextToken, TotalSize: int32(page.TotalSize)}
	for _, a := range page.Items {
		resp.Adoptions = append(resp.Adoptions, adoptionToProto(a))
	}
	return resp, nil
}

func (s *Server) GetMeasureTimeline(ctx context.Context, req *pb.GetMeasureTimelineRequest) (*pb.GetMeasureTimelineResponse, error) {
	id, err := parseMeasureName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	page, err := s.app.MeasureTimeline(ctx, id, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &pb.GetMeasureTimelineResponse{NextPageToken: page.NextToken}
	for _, e := range page.Items {
		resp.Entries = append(resp.Entries, timelineToProto(id.Number(), e))
	}
	return resp, nil
}

func (s *Server) GetAdoptionReport(ctx context.Context, _ *pb.GetAdoptionReportRequest) (*pb.GetAdoptionReportResponse, error) {
	r, err := s.app.AdoptionReport(ctx)
	if err != nil {
		return nil, err
	}
	resp := &pb.GetAdoptionReportResponse{Plan: figuresToProto("plan", "Gesamter Plan", r.Plan)}
	for _, tf := range domain.TopicFields() {
		resp.ByTopicField = append(resp.ByTopicField, figuresToProto(pb.TopicField(tf).String(), tf.Label(), r.ByTopicField[tf]))
	}
	for _, a := range r.Actors {
		resp.ByActor = append(resp.ByActor, figuresToProto(actorName(a.ID), a.DisplayName, r.ByActor[a.ID]))
	}
	return resp, nil
}

func (s *Server) ImportPlan(ctx context.Context, req *pb.ImportPlanRequest) (*pb.ImportPlanResponse, error) {
	res, err := s.app.ImportPlan(ctx, req.GetContent(), req.GetValidateOnly())
	if err != nil {
		return nil, err
	}
	return &pb.ImportPlanResponse{
		ActorsCreated: int32(res.ActorsCreated), ActorsUnchanged: int32(res.ActorsUnchanged),
		MeasuresCreated: int32(res.MeasuresCreated), MeasuresUnchanged: int32(res.MeasuresUnchanged),
	}, nil
}
