// Package adapters connects the labour domain to the outside: protobuf
// events and the read model they feed, the erasable personal-data store and
// the education service's client.
package adapters

import (
	"log/slog"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// Aggregates of the labour service.
const (
	AggregateProcess     = "process"
	AggregateCase        = "case"
	AggregatePilot       = "pilot"
	AggregateOrientation = "orientation"
)

// StagesToProto converts stages for events and responses.
func StagesToProto(stages []domain.Stage) []*pb.Stage {
	out := make([]*pb.Stage, len(stages))
	for i, s := range stages {
		ps := &pb.Stage{Id: s.ID, Title: s.Title, TimeTargetDays: s.TimeTargetDays, CourseReferrals: s.CourseReferrals}
		for _, it := range s.Checklist {
			ps.Checklist = append(ps.Checklist, &pb.ChecklistItem{Id: it.ID, Title: it.Title})
		}
		out[i] = ps
	}
	return out
}

// StagesFromProto converts stages of events and requests.
func StagesFromProto(stages []*pb.Stage) []domain.Stage {
	out := make([]domain.Stage, len(stages))
	for i, s := range stages {
		ds := domain.Stage{ID: s.GetId(), Title: s.GetTitle(), TimeTargetDays: s.GetTimeTargetDays(), CourseReferrals: s.GetCourseReferrals()}
		for _, it := range s.GetChecklist() {
			ds.Checklist = append(ds.Checklist, domain.ChecklistItem{ID: it.GetId(), Title: it.GetTitle()})
		}
		out[i] = ds
	}
	return out
}

// ProcessVersionPublished is the event of a new process version.
func ProcessVersionPublished(pv *domain.ProcessVersion) eventstore.Event {
	return eventstore.Event{Aggregate: AggregateProcess, ID: pv.Process, Payload: &pb.ProcessVersionPublished{
		ProcessId: pv.Process, Version: pv.Version, Title: pv.Title, Stages: StagesToProto(pv.Stages),
		PublishTime: timestamppb.New(pv.PublishTime),
	}}
}

func caseEvent(id string, payload proto.Message) eventstore.Event {
	return eventstore.Event{Aggregate: AggregateCase, ID: id, Payload: payload}
}

// CaseOpened is the event of a new case.
func CaseOpened(c *domain.Case) eventstore.Event {
	return caseEvent(c.ID, &pb.CaseOpened{
		CaseId: c.ID, ProcessId: c.Process, Version: c.ProcessVersion, Owner: c.Owner,
		Municipality: c.Municipality, Stage: c.Stage, OpenTime: timestamppb.New(c.CreateTime),
	})
}

// ChecklistItemCompleted is the event of a ticked-off item.
func ChecklistItemCompleted(id, stage, item string, at time.Time) eventstore.Event {
	return caseEvent(id, &pb.ChecklistItemCompleted{CaseId: id, Stage: stage, Item: item, CompleteTime: timestamppb.New(at)})
}

// CaseStageChanged is the event of an advance or, with a reason, a step back.
func CaseStageChanged(id, from, to string, reason domain.StepBackReason, at time.Time) eventstore.Event {
	return caseEvent(id, &pb.CaseStageChanged{
		CaseId: id, FromStage: from, ToStage: to, StepBackReason: pb.StepBackReason(reason), ChangeTime: timestamppb.New(at),
	})
}

// CaseOverdue is the event of a case passing its stage's time target.
func CaseOverdue(id, stage string, due, at time.Time) eventstore.Event {
	return caseEvent(id, &pb.CaseOverdue{CaseId: id, Stage: stage, DueTime: timestamppb.New(due), FlagTime: timestamppb.New(at)})
}

// CaseClosed is the event of a closed case.
func CaseClosed(id, from, to string, outcome domain.Outcome, at time.Time) eventstore.Event {
	return caseEvent(id, &pb.CaseClosed{CaseId: id, FromStage: from, ToStage: to, Outcome: pb.Outcome(outcome), CloseTime: timestamppb.New(at)})
}

// CaseMigrated is the event of a case moved to another process version.
func CaseMigrated(c *domain.Case, to int32, at time.Time) eventstore.Event {
	return caseEvent(c.ID, &pb.CaseMigrated{
		CaseId: c.ID, ProcessId: c.Process, FromVersion: c.ProcessVersion, ToVersion: to, Stage: c.Stage, MigrateTime: timestamppb.New(at),
	})
}

// CaseTransferRequested is the event of a case offered to another organisation.
func CaseTransferRequested(c *domain.Case, to string, at time.Time) eventstore.Event {
	return caseEvent(c.ID, &pb.CaseTransferRequested{CaseId: c.ID, FromOwner: c.Owner, ToOwner: to, RequestTime: timestamppb.New(at)})
}

// CaseTransferred is the event of an accepted transfer.
func CaseTransferred(c *domain.Case, at time.Time) eventstore.Event {
	return caseEvent(c.ID, &pb.CaseTransferred{CaseId: c.ID, FromOwner: c.Owner, ToOwner: c.TransferTo, TransferTime: timestamppb.New(at)})
}

// CaseTransferDeclined is the event of a declined transfer.
func CaseTransferDeclined(c *domain.Case, at time.Time) eventstore.Event {
	return caseEvent(c.ID, &pb.CaseTransferDeclined{CaseId: c.ID, Owner: c.Owner, DeclinedBy: c.TransferTo, DeclineTime: timestamppb.New(at)})
}

// CasePersonalDataErased is the event of an erasure.
func CasePersonalDataErased(id string, at time.Time) eventstore.Event {
	return caseEvent(id, &pb.CasePersonalDataErased{CaseId: id, EraseTime: timestamppb.New(at)})
}

// CourseReferralRequested is the event of a referral asked of education.
func CourseReferralRequested(id string, r domain.Referral) eventstore.Event {
	return caseEvent(id, &pb.CourseReferralRequested{
		CaseId: id, ParticipantId: r.Participant, OfferId: r.Offer, EducationRequestId: r.RequestID, RequestTime: timestamppb.New(r.RequestTime),
	})
}

// CourseOfferChosen is the event of the offer education ranked first.
func CourseOfferChosen(id, offer string, at time.Time) eventstore.Event {
	return caseEvent(id, &pb.CourseOfferChosen{CaseId: id, OfferId: offer, ChooseTime: timestamppb.New(at)})
}

// CourseReferralCreated is the event of a referral education created.
func CourseReferralCreated(id, offer, referral string, status domain.CourseStatus, at time.Time) eventstore.Event {
	return caseEvent(id, &pb.CourseReferralCreated{
		CaseId: id, OfferId: offer, ReferralId: referral, Status: pb.CourseStatus(status), CreateTime: timestamppb.New(at),
	})
}

// CourseStatusChanged is the event of a new status education reported.
func CourseStatusChanged(id, referral string, status domain.CourseStatus, educationEvent string, at time.Time) eventstore.Event {
	return caseEvent(id, &pb.CourseStatusChanged{
		CaseId: id, ReferralId: referral, Status: pb.CourseStatus(status), EducationEventId: educationEvent, ChangeTime: timestamppb.New(at),
	})
}

// CourseReferralFailed is the event of a referral education refused.
func CourseReferralFailed(id, failure string, at time.Time) eventstore.Event {
	return caseEvent(id, &pb.CourseReferralFailed{CaseId: id, Failure: failure, FailTime: timestamppb.New(at)})
}

// PilotProjectCreated is the event of a new pilot project.
func PilotProjectCreated(p domain.Pilot) eventstore.Event {
	return eventstore.Event{Aggregate: AggregatePilot, ID: p.ID, Payload: &pb.PilotProjectCreated{
		PilotId: p.ID, Field: pb.OccupationalField(p.Field), Title: p.Title, Partners: p.Partners, Places: p.Places,
		OfferedPlaces: p.OfferedPlaces,
	}}
}

// PilotOfferedPlacesSet is the event of a new number of places a pilot offers.
func PilotOfferedPlacesSet(id string, offered int32, at time.Time) eventstore.Event {
	return eventstore.Event{Aggregate: AggregatePilot, ID: id, Payload: &pb.PilotOfferedPlacesSet{
		PilotId: id, OfferedPlaces: offered, SetTime: timestamppb.New(at),
	}}
}

// PilotOutcomeRecorded is the event of a period's outcome of a pilot.
func PilotOutcomeRecorded(id string, participants, placements int32, at time.Time) eventstore.Event {
	return eventstore.Event{Aggregate: AggregatePilot, ID: id, Payload: &pb.PilotOutcomeRecorded{
		PilotId: id, Participants: participants, Placements: placements, RecordTime: timestamppb.New(at),
	}}
}

// PilotCaseLinked is the event of a case linked to a pilot.
func PilotCaseLinked(id, caseID string, at time.Time) eventstore.Event {
	return eventstore.Event{Aggregate: AggregatePilot, ID: id, Payload: &pb.PilotCaseLinked{PilotId: id, CaseId: caseID, LinkTime: timestamppb.New(at)}}
}

// OrientationEventCaseLinked is the event of a case linked to an orientation event.
func OrientationEventCaseLinked(id, caseID string, at time.Time) eventstore.Event {
	return eventstore.Event{Aggregate: AggregateOrientation, ID: id, Payload: &pb.OrientationEventCaseLinked{
		EventId: id, CaseId: caseID, LinkTime: timestamppb.New(at),
	}}
}

// OrientationEventScheduled is the event of a new orientation event.
func OrientationEventScheduled(e domain.OrientationEvent) eventstore.Event {
	return eventstore.Event{Aggregate: AggregateOrientation, ID: e.ID, Payload: &pb.OrientationEventScheduled{
		EventId: e.ID, Accommodation: e.Accommodation, Municipality: e.Municipality, Date: e.Date, Partners: e.Partners, Topics: e.Topics,
	}}
}

// OrientationEventHeld is the event of a held event with its attendance.
func OrientationEventHeld(id string, attendance, followUps int32, at time.Time) eventstore.Event {
	return eventstore.Event{Aggregate: AggregateOrientation, ID: id, Payload: &pb.OrientationEventHeld{
		EventId: id, Attendance: attendance, FollowUpAppointments: followUps, RecordTime: timestamppb.New(at),
	}}
}

// ReadModel is the in-memory state, fed by the event stream.
type ReadModel struct {
	log    *slog.Logger
	mu     sync.RWMutex
	labour *domain.Labour
}

// NewReadModel returns an empty read model.
func NewReadModel(log *slog.Logger) *ReadModel {
	return &ReadModel{log: log, labour: domain.NewLabour()}
}

// View runs read with the state locked for reading; read must not keep
// references into it.
func (r *ReadModel) View(read func(*domain.Labour)) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	read(r.labour)
}

// Apply implements eventstore.Projection.
func (r *ReadModel) Apply(env eventstore.Envelope) {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.labour
	if e, ok := env.Payload.(*pb.ProcessVersionPublished); ok {
		l.AddProcessVersion(&domain.ProcessVersion{
			Process: e.GetProcessId(), Version: e.GetVersion(), Title: e.GetTitle(),
			Stages: StagesFromProto(e.GetStages()), PublishTime: e.GetPublishTime().AsTime(),
		}, env.Seq)
		return
	}
	if r.applyPilotOrEvent(env) {
		return
	}
	if e, ok := env.Payload.(*pb.CaseOpened); ok {
		p, ok := l.Process(e.GetProcessId())
		if !ok {
			r.log.Error("case of unknown process", "seq", env.Seq)
			return
		}
		pv, ok := p.Version(e.GetVersion())
		if !ok {
			r.log.Error("case of unknown process version", "seq", env.Seq)
			return
		}
		c := domain.OpenCase(e.GetCaseId(), pv, e.GetOwner(), e.GetMunicipality(), e.GetOpenTime().AsTime())
		c.Touch(env.Seq, c.CreateTime)
		l.AddCase(c)
		return
	}
	c, ok := l.Case(env.AggregateID)
	if env.Aggregate != AggregateCase || !ok {
		r.log.Warn("ignoring event of unknown type or aggregate", "type", env.Type, "seq", env.Seq)
		return
	}
	at := env.Time
	switch e := env.Payload.(type) {
	case *pb.ChecklistItemCompleted:
		at = e.GetCompleteTime().AsTime()
		c.Complete(e.GetStage(), e.GetItem())
	case *pb.CaseStageChanged:
		at = e.GetChangeTime().AsTime()
		c.Enter(e.GetToStage(), at)
	case *pb.CaseOverdue:
		at = e.GetFlagTime().AsTime()
		c.Overdue = true
	case *pb.CaseClosed:
		at = e.GetCloseTime().AsTime()
		c.Enter(e.GetToStage(), at)
		c.State, c.Outcome, c.TransferTo = domain.Closed, domain.Outcome(e.GetOutcome()), ""
	case *pb.CaseMigrated:
		at = e.GetMigrateTime().AsTime()
		c.ProcessVersion = e.GetToVersion()
	case *pb.CaseTransferRequested:
		at = e.GetRequestTime().AsTime()
		c.TransferTo, c.TransferAt = e.GetToOwner(), at
	case *pb.CaseTransferred:
		at = e.GetTransferTime().AsTime()
		c.Owner, c.TransferTo = e.GetToOwner(), ""
	case *pb.CaseTransferDeclined:
		at = e.GetDeclineTime().AsTime()
		c.TransferTo = ""
	case *pb.CasePersonalDataErased:
		at = e.GetEraseTime().AsTime()
		c.Erased = true
	case *pb.CourseReferralRequested:
		at = e.GetRequestTime().AsTime()
		c.Referral = &domain.Referral{
			State: domain.ReferralPending, Participant: e.GetParticipantId(), Offer: e.GetOfferId(),
			RequestID: e.GetEducationRequestId(), RequestTime: at,
		}
	case *pb.CourseOfferChosen:
		at = e.GetChooseTime().AsTime()
		if c.Referral != nil {
			c.Referral.Offer = e.GetOfferId()
		}
	case *pb.CourseReferralCreated:
		at = e.GetCreateTime().AsTime()
		if c.Referral != nil {
			c.Referral.State, c.Referral.Offer, c.Referral.ID = domain.ReferralCreated, e.GetOfferId(), e.GetReferralId()
			c.Referral.CourseStatus = domain.CourseStatus(e.GetStatus())
			l.LinkReferral(e.GetReferralId(), c.ID)
		}
	case *pb.CourseStatusChanged:
		at = e.GetChangeTime().AsTime()
		if c.Referral != nil && c.Referral.ID == e.GetReferralId() {
			c.Referral.CourseStatus = domain.CourseStatus(e.GetStatus())
		}
	case *pb.CourseReferralFailed:
		at = e.GetFailTime().AsTime()
		if c.Referral != nil {
			c.Referral.State, c.Referral.Failure = domain.ReferralFailed, e.GetFailure()
		}
	default:
		r.log.Warn("ignoring event of unknown type", "type", env.Type, "seq", env.Seq)
		return
	}
	c.Touch(env.Seq, at)
}

// applyPilotOrEvent applies the events of pilots and orientation events.
func (r *ReadModel) applyPilotOrEvent(env eventstore.Envelope) bool {
	l := r.labour
	switch e := env.Payload.(type) {
	case *pb.PilotProjectCreated:
		l.AddPilot(&domain.Pilot{
			ID: e.GetPilotId(), Field: domain.OccupationalField(e.GetField()), Title: e.GetTitle(),
			Partners: e.GetPartners(), Places: e.GetPlaces(), OfferedPlaces: e.GetOfferedPlaces(), Revision: env.Seq, CreateTime: env.Time,
		})
	case *pb.PilotOfferedPlacesSet:
		if p, ok := l.Pilot(e.GetPilotId()); ok {
			p.OfferedPlaces, p.Revision = e.GetOfferedPlaces(), env.Seq
		}
	case *pb.PilotOutcomeRecorded:
		if p, ok := l.Pilot(e.GetPilotId()); ok {
			p.Participants += e.GetParticipants()
			p.Placements += e.GetPlacements()
			p.Revision = env.Seq
		}
	case *pb.PilotCaseLinked:
		if p, ok := l.Pilot(e.GetPilotId()); ok {
			p.Cases = append(p.Cases, e.GetCaseId())
			p.Revision = env.Seq
		}
	case *pb.OrientationEventCaseLinked:
		if o, ok := l.OrientationEvent(e.GetEventId()); ok {
			o.Cases = append(o.Cases, e.GetCaseId())
			o.Revision = env.Seq
		}
	case *pb.OrientationEventScheduled:
		l.AddOrientationEvent(&domain.OrientationEvent{
			ID: e.GetEventId(), Accommodation: e.GetAccommodation(), Municipality: e.GetMunicipality(), Date: e.GetDate(),
			Partners: e.GetPartners(), Topics: e.GetTopics(), Revision: env.Seq, CreateTime: env.Time,
		})
	case *pb.OrientationEventHeld:
		if o, ok := l.OrientationEvent(e.GetEventId()); ok {
			o.Held, o.Attendance, o.FollowUps, o.Revision = true, e.GetAttendance(), e.GetFollowUpAppointments(), env.Seq
		}
	default:
		return false
	}
	return true
}
