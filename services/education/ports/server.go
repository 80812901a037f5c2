// Package ports serves the education API over gRPC: it maps requests to use
// cases and results to responses. Errors pass through as apierr values; the
// shared server maps them to status codes.
package ports

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/requestid"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	"github.com/integrationsplan/integrationsplan/services/education/adapters"
	"github.com/integrationsplan/integrationsplan/services/education/app"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// Server implements integration.education.v1.EducationService.
type Server struct {
	pb.UnimplementedEducationServiceServer
	app *app.Service
}

// NewServer returns the gRPC server of the use cases.
func NewServer(a *app.Service) *Server { return &Server{app: a} }

func (s *Server) CreateProvider(ctx context.Context, req *pb.CreateProviderRequest) (*pb.CreateProviderResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	if req.GetProvider() == nil {
		return nil, invalidMissing("provider")
	}
	p, err := s.app.CreateProvider(ctx, r, domain.Provider{
		ID: req.GetProviderId(), Kind: domain.ProviderKind(req.GetProvider().GetKind()),
		DisplayName: req.GetProvider().GetDisplayName(), Municipality: req.GetProvider().GetMunicipality(),
	})
	if err != nil {
		return nil, err
	}
	return &pb.CreateProviderResponse{Provider: providerToProto(p)}, nil
}

func (s *Server) GetProvider(ctx context.Context, req *pb.GetProviderRequest) (*pb.GetProviderResponse, error) {
	id, err := parseProviderName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	p, err := s.app.GetProvider(ctx, id)
	if err != nil {
		return nil, err
	}
	return &pb.GetProviderResponse{Provider: providerToProto(p)}, nil
}

func (s *Server) ListProviders(ctx context.Context, req *pb.ListProvidersRequest) (*pb.ListProvidersResponse, error) {
	page, err := s.app.ListProviders(ctx, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &pb.ListProvidersResponse{NextPageToken: page.NextToken, TotalSize: int32(page.TotalSize)}
	for _, p := range page.Items {
		resp.Providers = append(resp.Providers, providerToProto(p))
	}
	return resp, nil
}

func (s *Server) CreateOffer(ctx context.Context, req *pb.CreateOfferRequest) (*pb.CreateOfferResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	if req.GetOffer() == nil {
		return nil, invalidMissing("offer")
	}
	provider, err := parseProviderName("offer.provider", req.GetOffer().GetProvider())
	if err != nil {
		return nil, err
	}
	o, dups, err := s.app.CreateOffer(ctx, actor(ctx), r, offerFromProto(req.GetOffer(), provider))
	if err != nil {
		return nil, prefixed("offer", err)
	}
	return &pb.CreateOfferResponse{Offer: offerToProto(o), PossibleDuplicates: duplicatesToProto(dups)}, nil
}

func (s *Server) GetOffer(ctx context.Context, req *pb.GetOfferRequest) (*pb.GetOfferResponse, error) {
	id, err := parseOfferName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	o, err := s.app.GetOffer(ctx, id)
	if err != nil {
		return nil, err
	}
	return &pb.GetOfferResponse{Offer: offerToProto(o)}, nil
}

func (s *Server) ListOffers(ctx context.Context, req *pb.ListOffersRequest) (*pb.ListOffersResponse, error) {
	f := app.OfferFilter{
		Municipality: req.GetMunicipality(), EntryLevel: domain.Level(req.GetEntryLevel()), Kind: domain.OfferKind(req.GetKind()),
		Childcare: req.GetChildcare(), HasFreePlaces: req.GetHasFreePlaces(), Status: domain.OfferStatus(req.GetStatus()),
		StartsFrom: req.GetStartsFrom(), StartsUntil: req.GetStartsUntil(), Order: app.OfferOrder(req.GetOrderBy()),
	}
	if req.GetProvider() != "" {
		p, err := parseProviderName("provider", req.GetProvider())
		if err != nil {
			return nil, err
		}
		f.Provider = p
	}
	page, err := s.app.ListOffers(ctx, f, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &pb.ListOffersResponse{NextPageToken: page.NextToken, TotalSize: int32(page.TotalSize)}
	for _, o := range page.Items {
		resp.Offers = append(resp.Offers, offerToProto(o))
	}
	return resp, nil
}

func (s *Server) UpdateOffer(ctx context.Context, req *pb.UpdateOfferRequest) (*pb.UpdateOfferResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	if req.GetOffer() == nil {
		return nil, invalidMissing("offer")
	}
	id, err := parseOfferName("offer.name", req.GetOffer().GetName())
	if err != nil {
		return nil, err
	}
	fields, err := updateFields(req)
	if err != nil {
		return nil, err
	}
	var provider string
	if req.GetOffer().GetProvider() != "" {
		if provider, err = parseProviderName("offer.provider", req.GetOffer().GetProvider()); err != nil {
			return nil, err
		}
	}
	o, dups, err := s.app.UpdateOffer(ctx, actor(ctx), r, id, offerFromProto(req.GetOffer(), provider), fields, req.GetOffer().GetEtag())
	if err != nil {
		return nil, prefixed("offer", err)
	}
	return &pb.UpdateOfferResponse{Offer: offerToProto(o), PossibleDuplicates: duplicatesToProto(dups)}, nil
}

func (s *Server) SetOfferStatus(ctx context.Context, req *pb.SetOfferStatusRequest) (*pb.SetOfferStatusResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	id, err := parseOfferName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	o, err := s.app.SetOfferStatus(ctx, actor(ctx), r, id, domain.OfferStatus(req.GetStatus()), req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &pb.SetOfferStatusResponse{Offer: offerToProto(o)}, nil
}

func (s *Server) GetDuplicateReport(ctx context.Context, req *pb.GetDuplicateReportRequest) (*pb.GetDuplicateReportResponse, error) {
	pairs, err := s.app.DuplicateReport(ctx, req.GetMunicipality())
	if err != nil {
		return nil, err
	}
	resp := &pb.GetDuplicateReportResponse{}
	for _, p := range pairs {
		resp.Pairs = append(resp.Pairs, &pb.DuplicatePair{Offer: offerName(p.First), OtherOffer: offerName(p.Second), Reasons: p.Reasons})
	}
	return resp, nil
}

func (s *Server) RegisterParticipant(ctx context.Context, req *pb.RegisterParticipantRequest) (*pb.RegisterParticipantResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	if req.GetPersonalData() == nil {
		return nil, invalidMissing("personal_data")
	}
	p, err := s.app.RegisterParticipant(ctx, r, personalFromProto(req.GetPersonalData()))
	if err != nil {
		return nil, prefixed("personal_data", err)
	}
	return &pb.RegisterParticipantResponse{Participant: participantToProto(p)}, nil
}

func (s *Server) GetParticipant(ctx context.Context, req *pb.GetParticipantRequest) (*pb.GetParticipantResponse, error) {
	id, err := parseParticipantName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	p, err := s.app.GetParticipant(ctx, id)
	if err != nil {
		return nil, err
	}
	return &pb.GetParticipantResponse{Participant: participantToProto(p)}, nil
}

func (s *Server) RecordAssessment(ctx context.Context, req *pb.RecordAssessmentRequest) (*pb.RecordAssessmentResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	id, err := parseParticipantName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	if req.GetAssessment() == nil {
		return nil, invalidMissing("assessment")
	}
	p, err := s.app.RecordAssessment(ctx, r, id, adapters.AssessmentFromProto(req.GetAssessment()), req.GetEtag())
	if err != nil {
		return nil, prefixed("assessment", err)
	}
	return &pb.RecordAssessmentResponse{Participant: participantToProto(p)}, nil
}

func (s *Server) EraseParticipant(ctx context.Context, req *pb.EraseParticipantRequest) (*pb.EraseParticipantResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	id, err := parseParticipantName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	p, err := s.app.EraseParticipant(ctx, r, id)
	if err != nil {
		return nil, err
	}
	return &pb.EraseParticipantResponse{Participant: participantToProto(p)}, nil
}

func (s *Server) MatchOffers(ctx context.Context, req *pb.MatchOffersRequest) (*pb.MatchOffersResponse, error) {
	id, err := parseParticipantName("participant", req.GetParticipant())
	if err != nil {
		return nil, err
	}
	m, err := s.app.MatchOffers(ctx, id, req.GetLimit())
	if err != nil {
		return nil, err
	}
	resp := &pb.MatchOffersResponse{ExcludedCount: int32(m.ExcludedCount)}
	for _, r := range m.Ranked {
		resp.Matches = append(resp.Matches, &pb.OfferMatch{Offer: offerToProto(r.Offer), Score: int32(r.Score), Reasons: reasonsToProto(r.Reasons)})
	}
	for _, e := range m.Excluded {
		resp.Excluded = append(resp.Excluded, &pb.ExcludedOffer{Offer: offerName(e.Offer.ID), Title: e.Offer.Title, Reasons: reasonsToProto(e.Reasons)})
	}
	return resp, nil
}

func (s *Server) CreateReferral(ctx context.Context, req *pb.CreateReferralRequest) (*pb.CreateReferralResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	offer, err := parseOfferName("parent", req.GetParent())
	if err != nil {
		return nil, err
	}
	participant, err := parseParticipantName("participant", req.GetParticipant())
	if err != nil {
		return nil, err
	}
	ref, err := s.app.CreateReferral(ctx, actor(ctx), r, offer, participant, req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &pb.CreateReferralResponse{Referral: referralToProto(ref)}, nil
}

func (s *Server) SetReferralStatus(ctx context.Context, req *pb.SetReferralStatusRequest) (*pb.SetReferralStatusResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	offer, id, err := parseReferralName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	ref, promoted, err := s.app.SetReferralStatus(ctx, actor(ctx), r, offer, id, domain.ReferralStatus(req.GetStatus()), req.GetEtag())
	if err != nil {
		return nil, err
	}
	resp := &pb.SetReferralStatusResponse{Referral: referralToProto(ref)}
	if promoted != nil {
		resp.Promoted = referralToProto(*promoted)
	}
	return resp, nil
}

func (s *Server) ListReferrals(ctx context.Context, req *pb.ListReferralsRequest) (*pb.ListReferralsResponse, error) {
	var f app.ReferralFilter
	if req.GetParent() != allOffers {
		offer, err := parseOfferName("parent", req.GetParent())
		if err != nil {
			return nil, err
		}
		f.Offer = offer
	}
	if req.GetParticipant() != "" {
		p, err := parseParticipantName("participant", req.GetParticipant())
		if err != nil {
			return nil, err
		}
		f.Participant = p
	}
	f.Status = domain.ReferralStatus(req.GetStatus())
	page, err := s.app.ListReferrals(ctx, f, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &pb.ListReferralsResponse{NextPageToken: page.NextToken, TotalSize: int32(page.TotalSize)}
	for _, r := range page.Items {
		resp.Referrals = append(resp.Referrals, referralToProto(r))
	}
	return resp, nil
}

func (s *Server) GetSupplyGapReport(ctx context.Context, req *pb.GetSupplyGapReportRequest) (*pb.GetSupplyGapReportResponse, error) {
	gaps, err := s.app.SupplyGapReport(ctx, app.GapFilter{
		Municipality: req.GetMunicipality(), Level: domain.Level(req.GetLevel()), OpenOnly: req.GetOpenOnly(),
	})
	if err != nil {
		return nil, err
	}
	resp := &pb.GetSupplyGapReportResponse{}
	for _, g := range gaps {
		resp.Gaps = append(resp.Gaps, &pb.SupplyGap{
			Municipality: g.Municipality, Level: pb.CefrLevel(g.Level), WaitingParticipants: g.Waiting,
			FreePlaces: g.Free, Shortfall: g.Shortfall(), Open: g.Open(),
		})
	}
	return resp, nil
}

func (s *Server) CreateMaterial(ctx context.Context, req *pb.CreateMaterialRequest) (*pb.CreateMaterialResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	if req.GetMaterial() == nil {
		return nil, invalidMissing("material")
	}
	m, err := s.app.CreateMaterial(ctx, r, materialFromProto(req.GetMaterial()))
	if err != nil {
		return nil, prefixed("material", err)
	}
	return &pb.CreateMaterialResponse{Material: materialToProto(m)}, nil
}

func (s *Server) GetMaterial(ctx context.Context, req *pb.GetMaterialRequest) (*pb.GetMaterialResponse, error) {
	id, err := parseMaterialName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	m, err := s.app.GetMaterial(ctx, id)
	if err != nil {
		return nil, err
	}
	return &pb.GetMaterialResponse{Material: materialToProto(m)}, nil
}

func (s *Server) ListMaterials(ctx context.Context, req *pb.ListMaterialsRequest) (*pb.ListMaterialsResponse, error) {
	f := app.MaterialFilter{
		Level: domain.Level(req.GetLevel()), Topic: req.GetTopic(), Format: domain.MaterialFormat(req.GetFormat()),
		ApprovedOnly: req.GetApprovedOnly(),
	}
	if req.GetApprovedBy() != "" {
		p, err := parseProviderName("approved_by", req.GetApprovedBy())
		if err != nil {
			return nil, err
		}
		f.ApprovedBy = p
	}
	page, err := s.app.ListMaterials(ctx, f, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &pb.ListMaterialsResponse{NextPageToken: page.NextToken, TotalSize: int32(page.TotalSize)}
	for _, m := range page.Items {
		resp.Materials = append(resp.Materials, materialToProto(m))
	}
	return resp, nil
}

func (s *Server) ApproveMaterial(ctx context.Context, req *pb.ApproveMaterialRequest) (*pb.ApproveMaterialResponse, error) {
	r, err := requestid.From(req)
	if err != nil {
		return nil, err
	}
	id, err := parseMaterialName("name", req.GetName())
	if err != nil {
		return nil, err
	}
	provider, err := parseProviderName("provider", req.GetProvider())
	if err != nil {
		return nil, err
	}
	m, err := s.app.ApproveMaterial(ctx, actor(ctx), r, id, provider, req.GetEtag())
	if err != nil {
		return nil, err
	}
	return &pb.ApproveMaterialResponse{Material: materialToProto(m)}, nil
}
