package ports

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/app"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

func timestamp(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func processVersionToProto(v app.ProcessVersionView) *pb.ProcessVersion {
	return &pb.ProcessVersion{
		Name: processVersionName(v.Process, v.Version), Title: v.Title, Stages: adapters.StagesToProto(v.Stages),
		PublishTime: timestamp(v.PublishTime), Etag: eventstore.FormatVersion(v.Revision),
	}
}

func caseToProto(c app.CaseView) *pb.Case {
	out := &pb.Case{
		Name: caseName(c.ID), ProcessVersion: processVersionName(c.Process, c.ProcessVersion),
		Owner: c.Owner, Municipality: c.Municipality, Stage: c.Stage,
		CompletedItems: c.Completed, MissingItems: c.Missing,
		State: pb.CaseState(c.State), Outcome: pb.Outcome(c.Outcome), Overdue: c.Overdue,
		StageEnterTime: timestamp(c.StageEnter), StageDueTime: timestamp(c.Due),
		PersonalDataErased: c.Erased, CreateTime: timestamp(c.CreateTime), UpdateTime: timestamp(c.UpdateTime),
		Etag: eventstore.FormatVersion(c.Revision),
	}
	if c.TransferTo != "" {
		out.PendingTransfer = &pb.PendingTransfer{ToOwner: c.TransferTo, RequestTime: timestamp(c.TransferAt)}
	}
	if r := c.Referral; r != nil {
		out.CourseReferral = &pb.CourseReferral{
			State: pb.ReferralState(r.State), Participant: participantsPrefix + r.Participant,
			Failure: r.Failure, RequestTime: timestamp(r.RequestTime), CourseStatus: pb.CourseStatus(r.CourseStatus),
		}
		if r.Offer != "" {
			out.CourseReferral.Offer = offersPrefix + r.Offer
		}
		if r.ID != "" {
			out.CourseReferral.Referral = offersPrefix + r.Offer + "/referrals/" + r.ID
		}
	}
	return out
}

func personalFromProto(p *pb.CasePersonalData) domain.PersonalData {
	return domain.PersonalData{
		GivenName: p.GetGivenName(), FamilyName: p.GetFamilyName(), Phone: p.GetPhone(), Email: p.GetEmail(), Notes: p.GetNotes(),
	}
}

func personalToProto(p *domain.PersonalData) *pb.CasePersonalData {
	if p == nil {
		return nil
	}
	return &pb.CasePersonalData{GivenName: p.GivenName, FamilyName: p.FamilyName, Phone: p.Phone, Email: p.Email, Notes: p.Notes}
}

func funnelToProto(r app.FunnelReportView) *pb.GetFunnelReportResponse {
	f := r.Funnel
	out := &pb.GetFunnelReportResponse{TotalCases: int32(f.Total), OpenCases: int32(f.Open), OverdueCases: int32(f.Overdue),
		Stages: stagesToProto(f.Stages), Outcomes: outcomesToProto(f.Outcomes)}
	for _, p := range r.Pilots.ByPilot {
		out.Pilots = append(out.Pilots, &pb.PilotProjectFigures{Pilot: pilotName(p.Pilot), Field: pb.OccupationalField(p.Field),
			Title: p.Title, Figures: pilotFiguresToProto(p)})
	}
	for _, p := range r.Pilots.ByField {
		out.OccupationalFields = append(out.OccupationalFields, &pb.OccupationalFieldFigures{Field: pb.OccupationalField(p.Field),
			Figures: pilotFiguresToProto(p)})
	}
	return out
}

func stagesToProto(stages []domain.StageFigures) []*pb.StageFigures {
	out := make([]*pb.StageFigures, len(stages))
	for i, s := range stages {
		out[i] = &pb.StageFigures{
			Stage: s.Stage.ID, Title: s.Stage.Title, Reached: int32(s.Reached), Current: int32(s.Current),
			Overdue: int32(s.Overdue), ConversionToNext: s.ConversionToNext, MedianDays: s.MedianDays,
			FinishedStays: int32(s.FinishedStays),
		}
	}
	return out
}

// outcomesToProto lists every outcome, with 0 for those without cases.
func outcomesToProto(counts map[domain.Outcome]int) []*pb.OutcomeCount {
	var out []*pb.OutcomeCount
	for _, o := range domain.Outcomes() {
		out = append(out, &pb.OutcomeCount{Outcome: pb.Outcome(o), Count: int32(counts[o])})
	}
	return out
}

func pilotFiguresToProto(p domain.PilotFigures) *pb.PilotFigures {
	return &pb.PilotFigures{Pilots: int32(p.Pilots), LinkedCases: int32(p.Cases.Total), OpenCases: int32(p.Cases.Open),
		OverdueCases: int32(p.Cases.Overdue), Stages: stagesToProto(p.Cases.Stages), Outcomes: outcomesToProto(p.Cases.Outcomes),
		Participants: p.Participants, Placements: p.Placements,
		OfferedPlaces: p.OfferedPlaces, FilledPlaces: int32(p.Cases.FilledPlaces())}
}

func pilotToProto(p app.PilotView) *pb.PilotProject {
	return &pb.PilotProject{
		Name: pilotName(p.ID), Field: pb.OccupationalField(p.Field), Title: p.Title, Partners: p.Partners, Places: p.Places,
		Participants: p.Participants, Placements: p.Placements, CreateTime: timestamp(p.CreateTime),
		Etag: eventstore.FormatVersion(p.Revision), Cases: caseNames(p.Cases), CaseOutcomes: outcomesToProto(p.CaseOutcomes),
		OfferedPlaces: p.OfferedPlaces, FilledPlaces: int32(p.FilledPlaces),
	}
}

func caseNames(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = caseName(id)
	}
	return out
}

func orientationToProto(e domain.OrientationEvent) *pb.OrientationEvent {
	return &pb.OrientationEvent{
		Name: orientationName(e.ID), Accommodation: e.Accommodation, Municipality: e.Municipality, Date: e.Date,
		Partners: e.Partners, Topics: e.Topics, Held: e.Held, Attendance: e.Attendance, FollowUpAppointments: e.FollowUps,
		CreateTime: timestamp(e.CreateTime), Etag: eventstore.FormatVersion(e.Revision), Cases: caseNames(e.Cases),
	}
}

func invalidMissing(field string) error { return apierr.Invalid(field, "is required") }
