package ports

import (
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	"github.com/integrationsplan/integrationsplan/services/education/adapters"
	"github.com/integrationsplan/integrationsplan/services/education/app"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

func providerToProto(p app.ProviderView) *pb.Provider {
	return &pb.Provider{
		Name: providerName(p.ID), Kind: pb.ProviderKind(p.Kind), DisplayName: p.DisplayName, Municipality: p.Municipality,
		CreateTime: timestamppb.New(p.CreateTime), Etag: eventstore.FormatVersion(p.Version),
	}
}

func offerToProto(o app.OfferView) *pb.Offer {
	return &pb.Offer{
		Name: offerName(o.ID), Provider: providerName(o.Provider), Title: o.Title, Kind: pb.OfferKind(o.Kind),
		EntryLevel: pb.CefrLevel(o.EntryLevel), TargetLevel: pb.CefrLevel(o.TargetLevel),
		Municipality: o.Municipality, Address: o.Address, Schedule: adapters.SlotsToProto(o.Schedule),
		StartDate: o.StartDate, EndDate: o.EndDate, RegistrationDeadline: o.RegistrationDeadline,
		Capacity: o.Capacity, DirectBookings: o.DirectBookings, BookedSeats: o.Booked, FreePlaces: o.Free,
		Childcare: o.Childcare, Eligibility: adapters.EligibilityToProto(o.Eligibility),
		SupportLanguages: o.SupportLanguages, Costs: o.Costs, Contact: o.Contact,
		Status: pb.OfferStatus(o.Status), CreateTime: timestamppb.New(o.CreateTime), UpdateTime: timestamppb.New(o.UpdateTime),
		Etag: eventstore.FormatVersion(o.Version),
	}
}

// offerFromProto reads the offer fields a caller sets; provider is parsed by the caller.
func offerFromProto(o *pb.Offer, provider string) domain.Offer {
	return domain.Offer{
		Provider: provider, Title: o.GetTitle(), Kind: domain.OfferKind(o.GetKind()),
		EntryLevel: domain.Level(o.GetEntryLevel()), TargetLevel: domain.Level(o.GetTargetLevel()),
		Municipality: o.GetMunicipality(), Address: o.GetAddress(), Schedule: adapters.SlotsFromProto(o.GetSchedule()),
		StartDate: o.GetStartDate(), EndDate: o.GetEndDate(), RegistrationDeadline: o.GetRegistrationDeadline(),
		Capacity: o.GetCapacity(), DirectBookings: o.GetDirectBookings(), Childcare: o.GetChildcare(),
		Eligibility: adapters.EligibilityFromProto(o.GetEligibility()), SupportLanguages: o.GetSupportLanguages(),
		Costs: o.GetCosts(), Contact: o.GetContact(),
	}
}

func duplicatesToProto(dups []app.DuplicateView) []*pb.DuplicateCandidate {
	var out []*pb.DuplicateCandidate
	for _, d := range dups {
		out = append(out, &pb.DuplicateCandidate{
			Offer: offerName(d.Offer.ID), Title: d.Offer.Title, Provider: providerName(d.Offer.Provider), Reasons: d.Reasons,
		})
	}
	return out
}

func participantToProto(p app.ParticipantView) *pb.Participant {
	out := &pb.Participant{
		Name: participantName(p.ID), Erased: p.Erased,
		CreateTime: timestamppb.New(p.CreateTime), Etag: eventstore.FormatVersion(p.Version),
	}
	if p.Personal != nil {
		out.PersonalData = &pb.PersonalData{
			GivenName: p.Personal.GivenName, FamilyName: p.Personal.FamilyName, BirthYear: p.Personal.BirthYear,
			Phone: p.Personal.Phone, Email: p.Personal.Email,
		}
	}
	if p.Assessment != nil {
		out.Assessment = adapters.AssessmentToProto(*p.Assessment)
	}
	return out
}

func personalFromProto(p *pb.PersonalData) domain.PersonalData {
	return domain.PersonalData{
		GivenName: p.GetGivenName(), FamilyName: p.GetFamilyName(), BirthYear: p.GetBirthYear(),
		Phone: p.GetPhone(), Email: p.GetEmail(),
	}
}

func referralToProto(r app.ReferralView) *pb.Referral {
	return &pb.Referral{
		Name: referralName(r.Offer, r.ID), Participant: participantName(r.Participant),
		Status: pb.ReferralStatus(r.Status), WaitlistPosition: int32(r.WaitlistPosition),
		CreateTime: timestamppb.New(r.CreateTime), UpdateTime: timestamppb.New(r.UpdateTime),
		Etag: eventstore.FormatVersion(r.Version),
	}
}

func reasonsToProto(rs []domain.Reason) []*pb.MatchReason {
	out := make([]*pb.MatchReason, len(rs))
	for i, r := range rs {
		out[i] = &pb.MatchReason{Code: r.Code, Description: r.Description, Points: int32(r.Points)}
	}
	return out
}

func materialToProto(m app.MaterialView) *pb.Material {
	out := &pb.Material{
		Name: materialName(m.ID), Title: m.Title, Level: pb.CefrLevel(m.Level), Topic: m.Topic,
		Format: pb.MaterialFormat(m.Format), Licence: m.Licence,
		CreateTime: timestamppb.New(m.CreateTime), UpdateTime: timestamppb.New(m.UpdateTime),
		Etag: eventstore.FormatVersion(m.Version),
	}
	if m.File != nil {
		out.Reference = &pb.Material_File{File: adapters.MaterialFileToProto(m.File)}
	} else {
		out.Reference = &pb.Material_Link{Link: m.Link}
	}
	for _, p := range m.ApprovedBy {
		out.ApprovingProviders = append(out.ApprovingProviders, providerName(p))
	}
	return out
}

// materialFromProto reads the material fields a caller sets.
func materialFromProto(m *pb.Material) domain.Material {
	return domain.Material{
		Title: m.GetTitle(), Level: domain.Level(m.GetLevel()), Topic: m.GetTopic(),
		Format: domain.MaterialFormat(m.GetFormat()), Link: m.GetLink(), File: adapters.MaterialFileFromProto(m.GetFile()),
		Licence: m.GetLicence(),
	}
}
