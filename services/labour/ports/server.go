// Package ports serves the labour API over gRPC: it maps requests to use
// cases and results to responses. Errors pass through as apierr values; the
// shared server maps them to status codes.
package ports

import (
	"context"

	"google.golang.org/protobuf/proto"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/requestid"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/app"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// Server implements integration.labour.v1.LabourService.
type Server struct {
	pb.UnimplementedLabourServiceServer
	app *app.Service
}

// NewServer returns the gRPC server of the use cases.
func NewServer(a *app.Service) *Server { return &Server{app: a} }

// caseRequest is what every case command carries.
type caseRequest interface {
	proto.Message
	GetName() string
}

// caseCall parses a case command's request ID and name, runs it and wraps
// the case.
func caseCall(req caseRequest, run func(r eventstore.Request, id string) (app.CaseView, error)) (*pb.Case, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	id, err := parseCaseName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	c, err := run(r, id)
	if err != nil {
		return nil, err
	}
	return caseToProto(c), nil
}

func (s *Server) PublishProcessVersion(ctx context.Context, req *pb.PublishProcessVersionRequest) (*pb.PublishProcessVersionResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	process, err := parseProcessName("parent", req.GetParent())
	if err != nil {
		return nil, err
	}
	v, err := s.app.PublishProcessVersion(ctx, r, process, req.GetTitle(), adapters.StagesFromProto(req.GetStages()), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &pb.PublishProcessVersionResponse{ProcessVersion: processVersionToProto(v)}, nil
}

func (s *Server) GetProcessVersion(ctx context.Context, req *pb.GetProcessVersionRequest) (*pb.GetProcessVersionResponse, error) {
	process, version, err := parseProcessVersionName("name", req.GetName(), true)
	if err != nil {
		return nil, err
	}
	v, err := s.app.GetProcessVersion(ctx, process, version)
	if err != nil {
		return nil, err
	}
	return &pb.GetProcessVersionResponse{ProcessVersion: processVersionToProto(v)}, nil
}

func (s *Server) ListProcessVersions(ctx context.Context, req *pb.ListProcessVersionsRequest) (*pb.ListProcessVersionsResponse, error) {
	process, err := parseProcessName("parent", req.GetParent())
	if err != nil {
		return nil, err
	}
	page, err := s.app.ListProcessVersions(ctx, process, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &pb.ListProcessVersionsResponse{NextPageToken: page.NextToken, TotalSize: int32(page.TotalSize)}
	for _, v := range page.Items {
		resp.ProcessVersions = append(resp.ProcessVersions, processVersionToProto(v))
	}
	return resp, nil
}

func (s *Server) CreateCase(ctx context.Context, req *pb.CreateCaseRequest) (*pb.CreateCaseResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	process, err := parseProcessName("process", req.GetProcess())
	if err != nil {
		return nil, err
	}
	c, err := s.app.CreateCase(ctx, r, caller(ctx), process, req.GetOwner(), req.GetMunicipality(), personalFromProto(req.GetPersonalData()))
	if err != nil {
		return nil, err
	}
	return &pb.CreateCaseResponse{Case: caseToProto(c)}, nil
}

func (s *Server) GetCase(ctx context.Context, req *pb.GetCaseRequest) (*pb.GetCaseResponse, error) {
	id, err := parseCaseName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	c, err := s.app.GetCase(ctx, id)
	if err != nil {
		return nil, err
	}
	return &pb.GetCaseResponse{Case: caseToProto(c)}, nil
}

func (s *Server) ListCases(ctx context.Context, req *pb.ListCasesRequest) (*pb.ListCasesResponse, error) {
	f := app.CaseFilter{Owner: req.GetOwner(), Stage: req.GetStage(), State: domain.CaseState(req.GetState()), OverdueOnly: req.GetOverdueOnly()}
	if req.GetProcess() != "" {
		p, err := parseProcessName("process", req.GetProcess())
		if err != nil {
			return nil, err
		}
		f.Process = p
	}
	page, err := s.app.ListCases(ctx, f, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &pb.ListCasesResponse{NextPageToken: page.NextToken, TotalSize: int32(page.TotalSize)}
	for _, c := range page.Items {
		resp.Cases = append(resp.Cases, caseToProto(c))
	}
	return resp, nil
}

func (s *Server) CompleteChecklistItem(ctx context.Context, req *pb.CompleteChecklistItemRequest) (*pb.CompleteChecklistItemResponse, error) {
	c, err := caseCall(req, func(r eventstore.Request, id string) (app.CaseView, error) {
		return s.app.CompleteChecklistItem(ctx, r, caller(ctx), id, req.GetItem(), req.GetEtag())
	})
	if err != nil {
		return nil, err
	}
	return &pb.CompleteChecklistItemResponse{Case: c}, nil
}

func (s *Server) AdvanceCase(ctx context.Context, req *pb.AdvanceCaseRequest) (*pb.AdvanceCaseResponse, error) {
	c, err := caseCall(req, func(r eventstore.Request, id string) (app.CaseView, error) {
		return s.app.AdvanceCase(ctx, r, caller(ctx), id, req.GetEtag())
	})
	if err != nil {
		return nil, err
	}
	return &pb.AdvanceCaseResponse{Case: c}, nil
}

func (s *Server) StepBackCase(ctx context.Context, req *pb.StepBackCaseRequest) (*pb.StepBackCaseResponse, error) {
	c, err := caseCall(req, func(r eventstore.Request, id string) (app.CaseView, error) {
		return s.app.StepBackCase(ctx, r, caller(ctx), id, domain.StepBackReason(req.GetReason()), req.GetEtag())
	})
	if err != nil {
		return nil, err
	}
	return &pb.StepBackCaseResponse{Case: c}, nil
}

func (s *Server) CloseCase(ctx context.Context, req *pb.CloseCaseRequest) (*pb.CloseCaseResponse, error) {
	c, err := caseCall(req, func(r eventstore.Request, id string) (app.CaseView, error) {
		return s.app.CloseCase(ctx, r, caller(ctx), id, domain.Outcome(req.GetOutcome()), req.GetEtag())
	})
	if err != nil {
		return nil, err
	}
	return &pb.CloseCaseResponse{Case: c}, nil
}

func (s *Server) MigrateCase(ctx context.Context, req *pb.MigrateCaseRequest) (*pb.MigrateCaseResponse, error) {
	c, err := caseCall(req, func(r eventstore.Request, id string) (app.CaseView, error) {
		process, version, err := parseProcessVersionName("process_version", req.GetProcessVersion(), false)
		if err != nil {
			return app.CaseView{}, err
		}
		return s.app.MigrateCase(ctx, r, caller(ctx), id, process, version, req.GetEtag())
	})
	if err != nil {
		return nil, err
	}
	return &pb.MigrateCaseResponse{Case: c}, nil
}

func (s *Server) TransferCase(ctx context.Context, req *pb.TransferCaseRequest) (*pb.TransferCaseResponse, error) {
	c, err := caseCall(req, func(r eventstore.Request, id string) (app.CaseView, error) {
		return s.app.TransferCase(ctx, r, caller(ctx), id, req.GetToOwner(), req.GetEtag())
	})
	if err != nil {
		return nil, err
	}
	return &pb.TransferCaseResponse{Case: c}, nil
}

func (s *Server) AcceptCaseTransfer(ctx context.Context, req *pb.AcceptCaseTransferRequest) (*pb.AcceptCaseTransferResponse, error) {
	c, err := caseCall(req, func(r eventstore.Request, id string) (app.CaseView, error) {
		return s.app.AcceptCaseTransfer(ctx, r, caller(ctx), id, req.GetEtag())
	})
	if err != nil {
		return nil, err
	}
	return &pb.AcceptCaseTransferResponse{Case: c}, nil
}

func (s *Server) DeclineCaseTransfer(ctx context.Context, req *pb.DeclineCaseTransferRequest) (*pb.DeclineCaseTransferResponse, error) {
	c, err := caseCall(req, func(r eventstore.Request, id string) (app.CaseView, error) {
		return s.app.DeclineCaseTransfer(ctx, r, caller(ctx), id, req.GetEtag())
	})
	if err != nil {
		return nil, err
	}
	return &pb.DeclineCaseTransferResponse{Case: c}, nil
}

func (s *Server) GetCasePersonalData(ctx context.Context, req *pb.GetCasePersonalDataRequest) (*pb.GetCasePersonalDataResponse, error) {
	id, err := parseCaseName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	pd, erased, err := s.app.GetCasePersonalData(ctx, caller(ctx), id)
	if err != nil {
		return nil, err
	}
	return &pb.GetCasePersonalDataResponse{PersonalData: personalToProto(pd), Erased: erased}, nil
}

func (s *Server) EraseCasePersonalData(ctx context.Context, req *pb.EraseCasePersonalDataRequest) (*pb.EraseCasePersonalDataResponse, error) {
	c, err := caseCall(req, func(r eventstore.Request, id string) (app.CaseView, error) {
		return s.app.EraseCasePersonalData(ctx, r, caller(ctx), id)
	})
	if err != nil {
		return nil, err
	}
	return &pb.EraseCasePersonalDataResponse{Case: c}, nil
}

func (s *Server) RequestCourseReferral(ctx context.Context, req *pb.RequestCourseReferralRequest) (*pb.RequestCourseReferralResponse, error) {
	c, err := caseCall(req, func(r eventstore.Request, id string) (app.CaseView, error) {
		participant, offer, err := parseReferralTarget(req.GetParticipant(), req.GetOffer())
		if err != nil {
			return app.CaseView{}, err
		}
		return s.app.RequestCourseReferral(ctx, r, caller(ctx), id, participant, offer, req.GetEtag())
	})
	if err != nil {
		return nil, err
	}
	return &pb.RequestCourseReferralResponse{Case: c}, nil
}

func (s *Server) GetFunnelReport(ctx context.Context, req *pb.GetFunnelReportRequest) (*pb.GetFunnelReportResponse, error) {
	process, err := parseProcessName("process", req.GetProcess())
	if err != nil {
		return nil, err
	}
	f, err := s.app.FunnelReport(ctx, app.FunnelFilter{
		Process: process, Version: req.GetVersion(), Owner: req.GetOwner(), Municipality: req.GetMunicipality(),
	})
	if err != nil {
		return nil, err
	}
	return funnelToProto(f), nil
}

func (s *Server) CreatePilotProject(ctx context.Context, req *pb.CreatePilotProjectRequest) (*pb.CreatePilotProjectResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	if req.GetPilot() == nil {
		return nil, invalidMissing("pilot")
	}
	p := req.GetPilot()
	created, err := s.app.CreatePilotProject(ctx, r, domain.Pilot{
		ID: req.GetPilotId(), Field: domain.OccupationalField(p.GetField()), Title: p.GetTitle(),
		Partners: p.GetPartners(), Places: p.GetPlaces(), OfferedPlaces: p.GetOfferedPlaces(),
	})
	if err != nil {
		return nil, err
	}
	return &pb.CreatePilotProjectResponse{Pilot: pilotToProto(created)}, nil
}

func (s *Server) ListPilotProjects(ctx context.Context, req *pb.ListPilotProjectsRequest) (*pb.ListPilotProjectsResponse, error) {
	page, err := s.app.ListPilotProjects(ctx, domain.OccupationalField(req.GetField()), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &pb.ListPilotProjectsResponse{NextPageToken: page.NextToken, TotalSize: int32(page.TotalSize)}
	for _, p := range page.Items {
		resp.Pilots = append(resp.Pilots, pilotToProto(p))
	}
	return resp, nil
}

func (s *Server) RecordPilotOutcome(ctx context.Context, req *pb.RecordPilotOutcomeRequest) (*pb.RecordPilotOutcomeResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	id, err := parsePilotName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	p, err := s.app.RecordPilotOutcome(ctx, r, id, req.GetParticipants(), req.GetPlacements(), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &pb.RecordPilotOutcomeResponse{Pilot: pilotToProto(p)}, nil
}

func (s *Server) SetPilotOfferedPlaces(ctx context.Context, req *pb.SetPilotOfferedPlacesRequest) (*pb.SetPilotOfferedPlacesResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	id, err := parsePilotName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	p, err := s.app.SetPilotOfferedPlaces(ctx, r, id, req.GetOfferedPlaces(), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &pb.SetPilotOfferedPlacesResponse{Pilot: pilotToProto(p)}, nil
}

func (s *Server) CreateOrientationEvent(ctx context.Context, req *pb.CreateOrientationEventRequest) (*pb.CreateOrientationEventResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	e := req.GetOrientationEvent()
	if e == nil {
		return nil, invalidMissing("orientation_event")
	}
	created, err := s.app.CreateOrientationEvent(ctx, r, domain.OrientationEvent{
		Accommodation: e.GetAccommodation(), Municipality: e.GetMunicipality(), Date: e.GetDate(),
		Partners: e.GetPartners(), Topics: e.GetTopics(),
	})
	if err != nil {
		return nil, err
	}
	return &pb.CreateOrientationEventResponse{OrientationEvent: orientationToProto(created)}, nil
}

func (s *Server) ListOrientationEvents(ctx context.Context, req *pb.ListOrientationEventsRequest) (*pb.ListOrientationEventsResponse, error) {
	page, err := s.app.ListOrientationEvents(ctx, req.GetMunicipality(), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &pb.ListOrientationEventsResponse{NextPageToken: page.NextToken, TotalSize: int32(page.TotalSize)}
	for _, e := range page.Items {
		resp.OrientationEvents = append(resp.OrientationEvents, orientationToProto(e))
	}
	return resp, nil
}

func (s *Server) RecordOrientationAttendance(ctx context.Context, req *pb.RecordOrientationAttendanceRequest) (*pb.RecordOrientationAttendanceResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	id, err := parseOrientationName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	e, err := s.app.RecordOrientationAttendance(ctx, r, id, req.GetAttendance(), req.GetFollowUpAppointments(), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &pb.RecordOrientationAttendanceResponse{OrientationEvent: orientationToProto(e)}, nil
}

func (s *Server) LinkCaseToPilot(ctx context.Context, req *pb.LinkCaseToPilotRequest) (*pb.LinkCaseToPilotResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	id, err := parsePilotName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	caseID, err := parseCaseName("case", req.GetCase())
	if err != nil {
		return nil, err
	}
	p, err := s.app.LinkCaseToPilot(ctx, r, id, caseID, req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &pb.LinkCaseToPilotResponse{Pilot: pilotToProto(p)}, nil
}

func (s *Server) LinkCaseToOrientationEvent(ctx context.Context, req *pb.LinkCaseToOrientationEventRequest) (*pb.LinkCaseToOrientationEventResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	id, err := parseOrientationName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	caseID, err := parseCaseName("case", req.GetCase())
	if err != nil {
		return nil, err
	}
	e, err := s.app.LinkCaseToOrientationEvent(ctx, r, id, caseID, req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &pb.LinkCaseToOrientationEventResponse{OrientationEvent: orientationToProto(e)}, nil
}
