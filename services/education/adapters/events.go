// Package adapters connects the education domain to NATS: it turns domain
// changes into protobuf events and events back into state, and keeps the
// personal data in an erasable store.
package adapters

import (
	"log/slog"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"
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
	AggregateMaterial    = "material"
	AggregateGap         = "gap"
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

// OfferChanged is the event of an offer's new details, with the waiting
// referrals the change promoted.
func OfferChanged(c domain.OfferChange, at time.Time) eventstore.Event {
	o := c.Offer
	e := &pb.OfferChanged{
		OfferId: o.ID, ChangedFields: c.Changed, Title: o.Title, Kind: pb.OfferKind(o.Kind),
		EntryLevel: pb.CefrLevel(o.EntryLevel), TargetLevel: pb.CefrLevel(o.TargetLevel),
		Municipality: o.Municipality, Address: o.Address, Schedule: SlotsToProto(o.Schedule),
		StartDate: o.StartDate, EndDate: o.EndDate, RegistrationDeadline: o.RegistrationDeadline,
		Capacity: o.Capacity, DirectBookings: o.DirectBookings, Childcare: o.Childcare,
		Eligibility: EligibilityToProto(o.Eligibility), SupportLanguages: o.SupportLanguages,
		Costs: o.Costs, Contact: o.Contact, ChangeTime: timestamppb.New(at),
	}
	for _, r := range c.Promoted {
		e.PromotedReferralIds = append(e.PromotedReferralIds, r.ID)
		e.PromotedParticipantIds = append(e.PromotedParticipantIds, r.Participant)
	}
	return eventstore.Event{Aggregate: AggregateOffer, ID: o.ID, Payload: e}
}

// offerDetails is what OfferCreated and OfferChanged both carry.
type offerDetails interface {
	GetOfferId() string
	GetTitle() string
	GetKind() pb.OfferKind
	GetEntryLevel() pb.CefrLevel
	GetTargetLevel() pb.CefrLevel
	GetMunicipality() string
	GetAddress() string
	GetSchedule() []*pb.TimeSlot
	GetStartDate() string
	GetEndDate() string
	GetRegistrationDeadline() string
	GetCapacity() int32
	GetDirectBookings() int32
	GetChildcare() bool
	GetEligibility() *pb.Eligibility
	GetSupportLanguages() []string
	GetCosts() string
	GetContact() string
}

// offerFromEvent reads an offer's details from its event; the provider is
// set by the caller.
func offerFromEvent(e offerDetails) domain.Offer {
	return domain.Offer{
		ID: e.GetOfferId(), Title: e.GetTitle(), Kind: domain.OfferKind(e.GetKind()),
		EntryLevel: domain.Level(e.GetEntryLevel()), TargetLevel: domain.Level(e.GetTargetLevel()),
		Municipality: e.GetMunicipality(), Address: e.GetAddress(), Schedule: SlotsFromProto(e.GetSchedule()),
		StartDate: e.GetStartDate(), EndDate: e.GetEndDate(), RegistrationDeadline: e.GetRegistrationDeadline(),
		Capacity: e.GetCapacity(), DirectBookings: e.GetDirectBookings(), Childcare: e.GetChildcare(),
		Eligibility: EligibilityFromProto(e.GetEligibility()), SupportLanguages: e.GetSupportLanguages(),
		Costs: e.GetCosts(), Contact: e.GetContact(),
	}
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

// DerivedEvent is the event of a derived change the catalogue computed.
func DerivedEvent(d domain.Derived) eventstore.Event {
	if d.Gap != nil {
		g := d.Gap
		var payload proto.Message
		if g.Open() {
			payload = &pb.GapOpened{Municipality: g.Municipality, Level: pb.CefrLevel(g.Level), WaitingParticipants: g.Waiting, FreePlaces: g.Free}
		} else {
			payload = &pb.GapClosed{Municipality: g.Municipality, Level: pb.CefrLevel(g.Level), WaitingParticipants: g.Waiting, FreePlaces: g.Free}
		}
		return eventstore.Event{Aggregate: AggregateGap, ID: g.ID(), Payload: payload}
	}
	o, n := d.Offer, d.Notice
	if n.Kind == domain.NoticeFull {
		return eventstore.Event{Aggregate: AggregateOffer, ID: o.ID, Payload: &pb.OfferFull{
			OfferId: o.ID, Capacity: o.Capacity, CauseSequence: n.CauseSeq,
		}}
	}
	return eventstore.Event{Aggregate: AggregateOffer, ID: o.ID, Payload: &pb.SeatFreed{
		OfferId: o.ID, ReferralId: n.Referral, ReassignedReferralId: n.ReassignedTo, FreePlaces: n.Free, CauseSequence: n.CauseSeq,
	}}
}

// MaterialCreated is the event of new teaching material.
func MaterialCreated(m domain.Material) eventstore.Event {
	e := &pb.MaterialCreated{
		MaterialId: m.ID, Title: m.Title, Level: pb.CefrLevel(m.Level), Topic: m.Topic,
		Format: pb.MaterialFormat(m.Format), Licence: m.Licence,
	}
	if m.File != nil {
		e.Reference = &pb.MaterialCreated_File{File: MaterialFileToProto(m.File)}
	} else {
		e.Reference = &pb.MaterialCreated_Link{Link: m.Link}
	}
	return eventstore.Event{Aggregate: AggregateMaterial, ID: m.ID, Payload: e}
}

// MaterialApproved is the event of a provider's approval.
func MaterialApproved(id, provider string) eventstore.Event {
	return eventstore.Event{Aggregate: AggregateMaterial, ID: id, Payload: &pb.MaterialApproved{MaterialId: id, ProviderId: provider}}
}

// MaterialFileToProto converts file metadata.
func MaterialFileToProto(f *domain.MaterialFile) *pb.MaterialFile {
	return &pb.MaterialFile{FileName: f.Name, MediaType: f.MediaType, SizeBytes: f.Size, Sha256: f.SHA256}
}

// MaterialFileFromProto converts file metadata; nil stays nil.
func MaterialFileFromProto(f *pb.MaterialFile) *domain.MaterialFile {
	if f == nil {
		return nil
	}
	return &domain.MaterialFile{Name: f.GetFileName(), MediaType: f.GetMediaType(), Size: f.GetSizeBytes(), SHA256: f.GetSha256()}
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

// NewReadModel returns an empty read model; neighbours widen the reach of
// the supply in the gaps.
func NewReadModel(log *slog.Logger, neighbours domain.Neighbours) *ReadModel {
	return &ReadModel{log: log, cat: domain.NewCatalogue().WithNeighbours(neighbours)}
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
		o := offerFromEvent(e)
		o.Provider = e.GetProviderId()
		r.cat.AddOffer(o, env.Seq, env.Time)
	case *pb.OfferChanged:
		r.cat.ChangeOffer(offerFromEvent(e), e.GetPromotedReferralIds(), env.Seq, e.GetChangeTime().AsTime())
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
	case *pb.OfferFull:
		r.cat.SettleOfferNotice(e.GetOfferId(), domain.NoticeFull, e.GetCauseSequence(), env.Seq)
	case *pb.SeatFreed:
		r.cat.SettleOfferNotice(e.GetOfferId(), domain.NoticeSeatFreed, e.GetCauseSequence(), env.Seq)
	case *pb.GapOpened:
		r.cat.PublishGap(domain.GapKey{Municipality: e.GetMunicipality(), Level: domain.Level(e.GetLevel())}, true, env.Seq)
	case *pb.GapClosed:
		r.cat.PublishGap(domain.GapKey{Municipality: e.GetMunicipality(), Level: domain.Level(e.GetLevel())}, false, env.Seq)
	case *pb.MaterialCreated:
		r.cat.AddMaterial(domain.Material{
			ID: e.GetMaterialId(), Title: e.GetTitle(), Level: domain.Level(e.GetLevel()), Topic: e.GetTopic(),
			Format: domain.MaterialFormat(e.GetFormat()), Link: e.GetLink(), File: MaterialFileFromProto(e.GetFile()),
			Licence: e.GetLicence(),
		}, env.Seq, env.Time)
	case *pb.MaterialApproved:
		r.cat.ApproveMaterial(e.GetMaterialId(), e.GetProviderId(), env.Seq, env.Time)
	default:
		r.log.Warn("ignoring event of unknown type", "type", env.Type, "seq", env.Seq)
	}
}
