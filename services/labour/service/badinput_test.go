package service_test

import (
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/service"
)

func TestBadInputIsRefusedAndChangesNothing(t *testing.T) {
	h := start(t, natstest.Start(t), true)
	c := newCase(t, h)
	c = complete(t, h, c, "consent")
	other := newCase(t, h)
	if _, err := h.client.TransferCase(ctx(t), &pb.TransferCaseRequest{Name: other.GetName(), ToOwner: "ihk-region-stuttgart"}); err != nil {
		t.Fatal(err)
	}
	closed := newCase(t, h)
	if _, err := h.client.CloseCase(ctx(t), &pb.CloseCaseRequest{Name: closed.GetName(), Outcome: pb.Outcome_OUTCOME_DISCONTINUED}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.LinkCaseToPilot(ctx(t), &pb.LinkCaseToPilotRequest{Name: "pilots/pflege-backnang", Case: closed.GetName()}); err != nil {
		t.Fatal(err)
	}
	x := ctx(t)
	const unknownCase = "cases/c-aaaaaaaaaaaaaaaa"
	goodStages := adapters.StagesToProto(service.DefaultStages)

	cases := []struct {
		name  string
		call  func() error
		code  codes.Code
		field string
	}{
		{"GetCase empty name", func() error { _, err := h.client.GetCase(x, &pb.GetCaseRequest{}); return err }, codes.InvalidArgument, "name"},
		{"GetCase malformed", func() error {
			_, err := h.client.GetCase(x, &pb.GetCaseRequest{Name: "cases/Max Mustermann"})
			return err
		}, codes.InvalidArgument, "name"},
		{"GetCase unknown", func() error { _, err := h.client.GetCase(x, &pb.GetCaseRequest{Name: unknownCase}); return err }, codes.NotFound, ""},
		{"CreateCase malformed process", func() error {
			_, err := h.client.CreateCase(x, &pb.CreateCaseRequest{Process: "standard", Owner: "jobcenter", Municipality: "backnang"})
			return err
		}, codes.InvalidArgument, "process"},
		{"CreateCase unknown process", func() error {
			_, err := h.client.CreateCase(x, &pb.CreateCaseRequest{Process: "processes/nirgends", Owner: "jobcenter", Municipality: "backnang"})
			return err
		}, codes.NotFound, ""},
		{"CreateCase without owner", func() error {
			_, err := h.client.CreateCase(x, &pb.CreateCaseRequest{Process: standard, Municipality: "backnang"})
			return err
		}, codes.InvalidArgument, "owner"},
		{"CreateCase bad personal data", func() error {
			_, err := h.client.CreateCase(x, &pb.CreateCaseRequest{Process: standard, Owner: "jobcenter", Municipality: "backnang",
				PersonalData: &pb.CasePersonalData{GivenName: "A\x00B"}})
			return err
		}, codes.InvalidArgument, "personal_data.given_name"},
		{"CreateCase malformed request_id", func() error {
			_, err := h.client.CreateCase(x, &pb.CreateCaseRequest{Process: standard, Owner: "jobcenter", Municipality: "backnang", RequestId: "42"})
			return err
		}, codes.InvalidArgument, "request_id"},
		{"CompleteChecklistItem unknown item", func() error {
			_, err := h.client.CompleteChecklistItem(x, &pb.CompleteChecklistItemRequest{Name: c.GetName(), Item: "skills-test"})
			return err
		}, codes.InvalidArgument, "item"},
		{"CompleteChecklistItem twice", func() error {
			_, err := h.client.CompleteChecklistItem(x, &pb.CompleteChecklistItemRequest{Name: c.GetName(), Item: "consent"})
			return err
		}, codes.FailedPrecondition, ""},
		{"AdvanceCase with open checklist items", func() error {
			_, err := h.client.AdvanceCase(x, &pb.AdvanceCaseRequest{Name: c.GetName()})
			return err
		}, codes.FailedPrecondition, ""},
		{"AdvanceCase stale etag", func() error {
			_, err := h.client.AdvanceCase(x, &pb.AdvanceCaseRequest{Name: c.GetName(), Etag: "1"})
			return err
		}, codes.Aborted, ""},
		{"AdvanceCase unknown case", func() error { _, err := h.client.AdvanceCase(x, &pb.AdvanceCaseRequest{Name: unknownCase}); return err }, codes.NotFound, ""},
		{"StepBackCase without reason", func() error {
			_, err := h.client.StepBackCase(x, &pb.StepBackCaseRequest{Name: c.GetName()})
			return err
		}, codes.InvalidArgument, "reason"},
		{"StepBackCase in the first stage", func() error {
			_, err := h.client.StepBackCase(x, &pb.StepBackCaseRequest{Name: c.GetName(), Reason: pb.StepBackReason_STEP_BACK_REASON_OTHER})
			return err
		}, codes.FailedPrecondition, ""},
		{"CloseCase without outcome", func() error { _, err := h.client.CloseCase(x, &pb.CloseCaseRequest{Name: c.GetName()}); return err }, codes.InvalidArgument, "outcome"},
		{"CloseCase closed already", func() error {
			_, err := h.client.CloseCase(x, &pb.CloseCaseRequest{Name: closed.GetName(), Outcome: pb.Outcome_OUTCOME_EMPLOYMENT})
			return err
		}, codes.FailedPrecondition, ""},
		{"TransferCase to itself", func() error {
			_, err := h.client.TransferCase(x, &pb.TransferCaseRequest{Name: c.GetName(), ToOwner: "jobcenter-rems-murr"})
			return err
		}, codes.InvalidArgument, "to_owner"},
		{"TransferCase while one is pending", func() error {
			_, err := h.client.TransferCase(x, &pb.TransferCaseRequest{Name: other.GetName(), ToOwner: "hwk-region-stuttgart"})
			return err
		}, codes.FailedPrecondition, ""},
		{"AcceptCaseTransfer without transfer", func() error {
			_, err := h.client.AcceptCaseTransfer(x, &pb.AcceptCaseTransferRequest{Name: c.GetName()})
			return err
		}, codes.FailedPrecondition, ""},
		{"MigrateCase to a version that does not exist", func() error {
			_, err := h.client.MigrateCase(x, &pb.MigrateCaseRequest{Name: c.GetName(), ProcessVersion: standard + "/versions/9"})
			return err
		}, codes.NotFound, ""},
		{"MigrateCase to its own version", func() error {
			_, err := h.client.MigrateCase(x, &pb.MigrateCaseRequest{Name: c.GetName(), ProcessVersion: standard + "/versions/1"})
			return err
		}, codes.FailedPrecondition, ""},
		{"MigrateCase malformed version", func() error {
			_, err := h.client.MigrateCase(x, &pb.MigrateCaseRequest{Name: c.GetName(), ProcessVersion: standard + "/versions/-"})
			return err
		}, codes.InvalidArgument, "process_version"},
		{"GetProcessVersion that does not exist", func() error {
			_, err := h.client.GetProcessVersion(x, &pb.GetProcessVersionRequest{Name: standard + "/versions/7"})
			return err
		}, codes.NotFound, ""},
		{"GetProcessVersion malformed", func() error {
			_, err := h.client.GetProcessVersion(x, &pb.GetProcessVersionRequest{Name: standard + "/versions/01"})
			return err
		}, codes.InvalidArgument, "name"},
		{"PublishProcessVersion duplicate stage", func() error {
			stages := adapters.StagesToProto(service.DefaultStages)
			stages[2].Id = "intake"
			_, err := h.client.PublishProcessVersion(x, &pb.PublishProcessVersionRequest{Parent: standard, Title: "Fassung 2", Stages: stages})
			return err
		}, codes.InvalidArgument, "stages[2].id"},
		{"PublishProcessVersion stale etag", func() error {
			_, err := h.client.PublishProcessVersion(x, &pb.PublishProcessVersionRequest{Parent: standard, Title: "Fassung 2", Stages: goodStages, Etag: "999"})
			return err
		}, codes.Aborted, ""},
		{"ListCases unknown stage", func() error {
			_, err := h.client.ListCases(x, &pb.ListCasesRequest{Process: standard, Stage: "astronaut-training"})
			return err
		}, codes.InvalidArgument, "stage"},
		{"ListCases forged page token", func() error { _, err := h.client.ListCases(x, &pb.ListCasesRequest{PageToken: "Zm9v"}); return err }, codes.InvalidArgument, "page_token"},
		{"RequestCourseReferral outside the language stage", func() error {
			_, err := h.client.RequestCourseReferral(x, &pb.RequestCourseReferralRequest{Name: c.GetName(), Participant: "participants/p-abcdefghijklmnop"})
			return err
		}, codes.FailedPrecondition, ""},
		{"RequestCourseReferral malformed participant", func() error {
			_, err := h.client.RequestCourseReferral(x, &pb.RequestCourseReferralRequest{Name: c.GetName(), Participant: "p-abcdefghijklmnop"})
			return err
		}, codes.InvalidArgument, "participant"},
		{"GetFunnelReport unknown process", func() error {
			_, err := h.client.GetFunnelReport(x, &pb.GetFunnelReportRequest{Process: "processes/nirgends"})
			return err
		}, codes.NotFound, ""},
		{"GetFunnelReport negative version", func() error {
			_, err := h.client.GetFunnelReport(x, &pb.GetFunnelReportRequest{Process: standard, Version: -1})
			return err
		}, codes.InvalidArgument, "version"},
		{"CreatePilotProject existing id", func() error {
			_, err := h.client.CreatePilotProject(x, &pb.CreatePilotProjectRequest{PilotId: "pflege-backnang", Pilot: &pb.PilotProject{
				Field: pb.OccupationalField_OCCUPATIONAL_FIELD_CARE, Title: "Pflege", Partners: []string{"Heim"}, Places: []string{"backnang"}}})
			return err
		}, codes.AlreadyExists, ""},
		{"CreatePilotProject without field", func() error {
			_, err := h.client.CreatePilotProject(x, &pb.CreatePilotProjectRequest{PilotId: "neu", Pilot: &pb.PilotProject{
				Title: "Pflege", Partners: []string{"Heim"}, Places: []string{"backnang"}}})
			return err
		}, codes.InvalidArgument, "pilot.field"},
		{"RecordPilotOutcome more placements than participants", func() error {
			_, err := h.client.RecordPilotOutcome(x, &pb.RecordPilotOutcomeRequest{Name: "pilots/pflege-backnang", Participants: 1, Placements: 2})
			return err
		}, codes.InvalidArgument, "placements"},
		{"CreatePilotProject negative offered places", func() error {
			_, err := h.client.CreatePilotProject(x, &pb.CreatePilotProjectRequest{PilotId: "neu", Pilot: &pb.PilotProject{
				Field: pb.OccupationalField_OCCUPATIONAL_FIELD_CARE, Title: "Pflege", Partners: []string{"Heim"}, Places: []string{"backnang"},
				OfferedPlaces: -1}})
			return err
		}, codes.InvalidArgument, "pilot.offered_places"},
		{"SetPilotOfferedPlaces negative", func() error {
			_, err := h.client.SetPilotOfferedPlaces(x, &pb.SetPilotOfferedPlacesRequest{Name: "pilots/pflege-backnang", OfferedPlaces: -3})
			return err
		}, codes.InvalidArgument, "offered_places"},
		{"SetPilotOfferedPlaces too many", func() error {
			_, err := h.client.SetPilotOfferedPlaces(x, &pb.SetPilotOfferedPlacesRequest{Name: "pilots/pflege-backnang", OfferedPlaces: 10001})
			return err
		}, codes.InvalidArgument, "offered_places"},
		{"SetPilotOfferedPlaces stale etag", func() error {
			_, err := h.client.SetPilotOfferedPlaces(x, &pb.SetPilotOfferedPlacesRequest{Name: "pilots/pflege-backnang", OfferedPlaces: 5, Etag: "1"})
			return err
		}, codes.Aborted, ""},
		{"SetPilotOfferedPlaces unknown pilot", func() error {
			_, err := h.client.SetPilotOfferedPlaces(x, &pb.SetPilotOfferedPlacesRequest{Name: "pilots/nirgends", OfferedPlaces: 5})
			return err
		}, codes.NotFound, ""},
		{"SetPilotOfferedPlaces malformed name", func() error {
			_, err := h.client.SetPilotOfferedPlaces(x, &pb.SetPilotOfferedPlacesRequest{Name: "pflege-backnang", OfferedPlaces: 5})
			return err
		}, codes.InvalidArgument, "name"},
		{"LinkCaseToPilot unknown case", func() error {
			_, err := h.client.LinkCaseToPilot(x, &pb.LinkCaseToPilotRequest{Name: "pilots/pflege-backnang", Case: unknownCase})
			return err
		}, codes.NotFound, ""},
		{"LinkCaseToPilot twice", func() error {
			_, err := h.client.LinkCaseToPilot(x, &pb.LinkCaseToPilotRequest{Name: "pilots/pflege-backnang", Case: closed.GetName()})
			return err
		}, codes.AlreadyExists, ""},
		{"LinkCaseToPilot malformed case", func() error {
			_, err := h.client.LinkCaseToPilot(x, &pb.LinkCaseToPilotRequest{Name: "pilots/pflege-backnang", Case: "c-1"})
			return err
		}, codes.InvalidArgument, "case"},
		{"CreateOrientationEvent bad date", func() error {
			_, err := h.client.CreateOrientationEvent(x, &pb.CreateOrientationEventRequest{OrientationEvent: &pb.OrientationEvent{
				Accommodation: "GU Testweg", Municipality: "backnang", Date: "12.10.2017", Partners: []string{"IHK"}}})
			return err
		}, codes.InvalidArgument, "orientation_event.date"},
		{"RecordOrientationAttendance unknown event", func() error {
			_, err := h.client.RecordOrientationAttendance(x, &pb.RecordOrientationAttendanceRequest{Name: "orientationEvents/e-aaaaaaaaaaaaaaaa", Attendance: 3})
			return err
		}, codes.NotFound, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := h.lastSeq()
			st := wantStatus(t, tc.call(), tc.code, tc.field)
			if strings.TrimSpace(st.Message()) == "" {
				t.Fatal("empty error message")
			}
			if after := h.lastSeq(); after != before {
				t.Fatalf("a refused call moved the stream from %d to %d", before, after)
			}
		})
	}
}
