// Package adapters connects the education domain to NATS: it turns domain
// changes into protobuf events and events back into state, and keeps the
// personal data in an erasable store.
package adapters

import (
	"log/slog"
	"sync"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// Aggregates of the education service. Referrals belong to their offer.
const (
	AggregateProvider    = "provider"
	AggregateOffer       = "offer"
	AggregateParticipant = "participant"
)

// ProviderCreated is the event of a new provider.
func ProviderCreated(p domain.Provider) eventstore.Event {
	return eventstore.Event{Aggregate: AggregateProvider, ID: p.ID, Payload: &pb.ProviderCreated{
		ProviderId: p.ID, Kind: pb.ProviderKind(p.Kind), DisplayName: p.DisplayName, Municipality: p.Municipality,
	}}
}

// OfferCreated is the event of a new offer (published in the catalogue).
func OfferCreated(o domain.Offer) eventstore.Event {
	e := &pb.OfferCreated{
		OfferId: o.ID, ProviderId: o.Provider, Title: o.Title, Kind: pb.OfferKind(o.Kind),
		EntryLevel: pb.CefrLevel(o.EntryLevel), TargetLevel: pb.CefrLevel(o.TargetLevel),
		Municipality: o.Municipality, Address: o.Address, Schedule: SlotsToProto(o.Schedule),
		StartDate: o.StartDate, EndDate: o.EndDate, RegistrationDeadline: o.RegistrationDeadline,
		Capacity: o.Capacity, DirectBookings: o.DirectBookings, Childcare: o.Childcare,
		Eligibility: EligibilityToProto(o.Eligibility), SupportLanguages: o.SupportLanguages,
		Costs: o.Costs, Contact: o.Contact,
	}
	return eventstore.Event{Aggregate: AggregateOffer, ID: o.ID, Payload: e}
}

// OfferStatusChanged is the event of an offer's lifecycle step.
func OfferStatusChanged(id string, from, to domain.OfferStatus, at time.Time) eventstore.Event {
	return eventstore.Event{Aggregate: AggregateOffer, ID: id, Payload: &pb.OfferStatusChanged{
		OfferId: id, FromStatus: pb.OfferStatus(from), ToStatus: pb.OfferStatus(to), ChangeTime: timestamppb.New(at),
	}}
}

// ParticipantRegistered is the event of a new pseudonym; it carries nothing else.
func ParticipantRegistered(id string) eventstore.Event {
	return eventstore.Event{Aggregate: AggregateParticipant, ID: id, Payload: &pb.ParticipantRegistered{ParticipantId: id}}
}

// AssessmentRecorded is the event of an assessment.
func AssessmentRecorded(id string, a domain.Assessment) eventstore.Event {
	return eventstore.Event{Aggregate: AggregateParticipant, ID: id, Payload: &pb.AssessmentRecorded{
		ParticipantId: id, Assessment: AssessmentToProto(a),
	}}
}

// ParticipantErased is the event of an erasure.
func ParticipantErased(id string, at time.Time) eventstore.Event {
	return eventstore.Event{Aggregate: AggregateParticipant, ID: id, Payload: &pb.ParticipantErased{
		ParticipantId: id, EraseTime: timestamppb.New(at),
	}}
}

// ReferralCreated is the event of a new referral; it belongs to the offer.
func ReferralCreated(offerID, id, participant string, status domain.ReferralStatus, at time.Time) eventstore.Event {
	return eventstore.Event{Aggregate: AggregateOffer, ID: offerID, Payload: &pb.ReferralCreated{
		OfferId: offerID, ReferralId: id, ParticipantId: participant, Status: pb.ReferralStatus(status), CreateTime: timestamppb.New(at),
	}}
}

// ReferralStatusChanged is the event of a referral's step, with the
// promotion of a waiting referral when the step freed a seat.
func ReferralStatusChanged(r *domain.Referral, c domain.ReferralChange, at time.Time) eventstore.Event {
	e := &pb.ReferralStatusChanged{
		OfferId: r.Offer, ReferralId: r.ID, ParticipantId: r.Participant,
		FromStatus: pb.ReferralStatus(c.From), ToStatus: pb.ReferralStatus(c.To), ChangeTime: timestamppb.New(at),
	}
	if c.Promoted != nil {
		e.PromotedReferralId, e.PromotedParticipantId = c.Promoted.ID, c.Promoted.Participant
	}
	return eventstore.Event{Aggregate: AggregateOffer, ID: r.Offer, Payload: e}
}

// SlotsToProto converts weekly slots.
func SlotsToProto(slots []domain.Slot) []*pb.TimeSlot {
	out := make([]*pb.TimeSlot, len(slots))
	for i, s := range slots {
		out[i] = &pb.TimeSlot{Weekday: pb.Weekday(s.Day), StartTime: s.Start, EndTime: s.End}
	}
	return out
}

// SlotsFromProto converts weekly slots.
func SlotsFromProto(slots []*pb.TimeSlot) []domain.Slot {
	out := make([]domain.Slot, len(slots))
	for i, s := range slots {
		out[i] = domain.Slot{Day: domain.Weekday(s.GetWeekday()), Start: s.GetStartTime(), End: s.GetEndTime()}
	}
	return out
}

// EligibilityToProto converts eligibility.
func EligibilityToProto(e domain.Eligibility) *pb.Eligibility {
	out := &pb.Eligibility{MinAge: e.MinAge, MaxAge: e.MaxAge}
	for _, r := range e.ResidenceStatuses {
		out.ResidenceStatuses = append(out.ResidenceStatuses, pb.ResidenceStatus(r))
	}
	return out
}

// EligibilityFromProto converts eligibility.
func EligibilityFromProto(e *pb.Eligibility) domain.Eligibility {
	out := domain.Eligibility{MinAge: e.GetMinAge(), MaxAge: e.GetMaxAge()}
	for _, r := range e.GetResidenceStatuses() {
		out.ResidenceStatuses = append(out.ResidenceStatuses, domain.ResidenceStatus(r))
	}
	return out
}

// AssessmentToProto converts an assessment.
func AssessmentToProto(a domain.Assessment) *pb.Assessment {
	out := &pb.Assessment{
		OverallLevel: pb.CefrLevel(a.OverallLevel), Literacy: pb.Literacy(a.Literacy), SchoolingYears: a.SchoolingYears,
		Availability: SlotsToProto(a.Availability), NeedsChildcare: a.NeedsChildcare,
		Municipality: a.Municipality, Assessor: a.Assessor, AssessedOn: a.AssessedOn,
	}
	for _, s := range a.SkillLevels {
		out.SkillLevels = append(out.SkillLevels, &pb.SkillLevel{Skill: pb.Skill(s.Skill), Level: pb.CefrLevel(s.Level)})
	}
	return out
}

// AssessmentFromProto converts an assessment.
func AssessmentFromProto(a *pb.Assessment) domain.Assessment {
	out := domain.Assessment{
		OverallLevel: domain.Level(a.GetOverallLevel()), Literacy: domain.Literacy(a.GetLiteracy()),
		SchoolingYears: a.GetSchoolingYears(), Availability: SlotsFromProto(a.GetAvailability()),
		NeedsChildcare: a.GetNeedsChildcare(), Municipality: a.GetMunicipality(), Assessor: a.GetAssessor(), AssessedOn: a.GetAssessedOn(),
	}
	for _, s := range a.GetSkillLevels() {
		out.SkillLevels = append(out.SkillLevels, domain.SkillLevel{Skill: domain.Skill(s.GetSkill()), Level: domain.Level(s.GetLevel())})
	}
	return out
}

// ReadModel is the in-memory catalogue, fed by the event stream.
type ReadModel struct {
	log *slog.Logger
	mu  sync.RWMutex
	cat *domain.Catalogue
}

// NewReadModel returns an empty read model.
func NewReadModel(log *slog.Logger) *ReadModel {
	return &ReadModel{log: log, cat: domain.NewCatalogue()}
}

// View runs read with the catalogue locked for reading; read must not keep
// references into the catalogue.
func (r *ReadModel) View(read func(*domain.Catalogue)) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	read(r.cat)
}

// Apply implements eventstore.Projection.
func (r *ReadModel) Apply(env eventstore.Envelope) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch e := env.Payload.(type) {
	case *pb.ProviderCreated:
		r.cat.AddProvider(domain.Provider{
			ID: e.GetProviderId(), Kind: domain.ProviderKind(e.GetKind()), DisplayName: e.GetDisplayName(), Municipality: e.GetMunicipality(),
		}, env.Seq, env.Time)
	case *pb.OfferCreated:
		r.cat.AddOffer(domain.Offer{
			ID: e.GetOfferId(), Provider: e.GetProviderId(), Title: e.GetTitle(), Kind: domain.OfferKind(e.GetKind()),
			EntryLevel: domain.Level(e.GetEntryLevel()), TargetLevel: domain.Level(e.GetTargetLevel()),
			Municipality: e.GetMunicipality(), Address: e.GetAddress(), Schedule: SlotsFromProto(e.GetSchedule()),
			StartDate: e.GetStartDate(), EndDate: e.GetEndDate(), RegistrationDeadline: e.GetRegistrationDeadline(),
			Capacity: e.GetCapacity(), DirectBookings: e.GetDirectBookings(), Childcare: e.GetChildcare(),
			Eligibility: EligibilityFromProto(e.GetEligibility()), SupportLanguages: e.GetSupportLanguages(),
			Costs: e.GetCosts(), Contact: e.GetContact(),
		}, env.Seq, env.Time)
	case *pb.OfferStatusChanged:
		r.cat.ChangeOfferStatus(e.GetOfferId(), domain.OfferStatus(e.GetToStatus()), env.Seq, e.GetChangeTime().AsTime())
	case *pb.ParticipantRegistered:
		r.cat.AddParticipant(e.GetParticipantId(), env.Seq, env.Time)
	case *pb.AssessmentRecorded:
		r.cat.RecordAssessment(e.GetParticipantId(), AssessmentFromProto(e.GetAssessment()), env.Seq)
	case *pb.ParticipantErased:
		r.cat.EraseParticipant(e.GetParticipantId(), env.Seq)
	case *pb.ReferralCreated:
		r.cat.AddReferral(e.GetOfferId(), e.GetReferralId(), e.GetParticipantId(), domain.ReferralStatus(e.GetStatus()), env.Seq, e.GetCreateTime().AsTime())
	case *pb.ReferralStatusChanged:
		r.cat.ChangeReferral(e.GetOfferId(), e.GetReferralId(), domain.ReferralStatus(e.GetToStatus()), e.GetPromotedReferralId(), env.Seq, e.GetChangeTime().AsTime())
	default:
		r.log.Warn("ignoring event of unknown type", "type", env.Type, "seq", env.Seq)
	}
}
