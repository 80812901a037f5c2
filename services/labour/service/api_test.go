package service_test

import (
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/service"
)

const standard = "processes/standard"

func newCase(t *testing.T, h *harness) *pb.Case {
	t.Helper()
	resp, err := h.client.CreateCase(ctx(t), &pb.CreateCaseRequest{Process: standard, Owner: "jobcenter-rems-murr", Municipality: "backnang"})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetCase()
}

func complete(t *testing.T, h *harness, c *pb.Case, items ...string) *pb.Case {
	t.Helper()
	for _, it := range items {
		resp, err := h.client.CompleteChecklistItem(ctx(t), &pb.CompleteChecklistItemRequest{Name: c.GetName(), Item: it})
		if err != nil {
			t.Fatalf("complete %s: %v", it, err)
		}
		c = resp.GetCase()
	}
	return c
}

func advance(t *testing.T, h *harness, c *pb.Case) *pb.Case {
	t.Helper()
	resp, err := h.client.AdvanceCase(ctx(t), &pb.AdvanceCaseRequest{Name: c.GetName(), Etag: c.GetEtag()})
	if err != nil {
		t.Fatalf("advance from %s: %v", c.GetStage(), err)
	}
	return resp.GetCase()
}

func TestCaseRunsThroughTheStandardProcess(t *testing.T) {
	h := start(t, natstest.Start(t), true)
	c := newCase(t, h)
	if c.GetStage() != "intake" || c.GetState() != pb.CaseState_CASE_STATE_OPEN || c.GetProcessVersion() != standard+"/versions/1" ||
		strings.Join(c.GetMissingItems(), ",") != "consent,documents" || c.GetStageDueTime() == nil {
		t.Fatalf("new case: %v", c)
	}

	before := h.lastSeq()
	_, err := h.client.AdvanceCase(ctx(t), &pb.AdvanceCaseRequest{Name: c.GetName()})
	wantStatus(t, err, codes.FailedPrecondition, "")
	if ei := errorInfo(t, err); ei.GetReason() != "CHECKLIST_INCOMPLETE" || ei.GetMetadata()["missing_items"] != "consent,documents" {
		t.Fatalf("error info %v", ei)
	}
	if h.lastSeq() != before {
		t.Fatal("a refused advance wrote an event")
	}

	c = complete(t, h, c, "consent", "documents")
	c = advance(t, h, c)
	if c.GetStage() != "competence-analysis" {
		t.Fatalf("after advance: %s", c.GetStage())
	}
	back, err := h.client.StepBackCase(ctx(t), &pb.StepBackCaseRequest{Name: c.GetName(), Reason: pb.StepBackReason_STEP_BACK_REASON_CORRECTION})
	if err != nil || back.GetCase().GetStage() != "intake" {
		t.Fatalf("step back: %v %v", back, err)
	}
	c = advance(t, h, back.GetCase()) // the intake checklist stays complete
	c = complete(t, h, c, "skills-test", "language-level")
	c = advance(t, h, c)
	closed, err := h.client.CloseCase(ctx(t), &pb.CloseCaseRequest{Name: c.GetName(), Outcome: pb.Outcome_OUTCOME_APPRENTICESHIP, Etag: c.GetEtag()})
	if err != nil {
		t.Fatal(err)
	}
	c = closed.GetCase()
	if c.GetState() != pb.CaseState_CASE_STATE_CLOSED || c.GetStage() != "closed" || c.GetOutcome() != pb.Outcome_OUTCOME_APPRENTICESHIP || c.GetStageDueTime() != nil {
		t.Fatalf("closed case: %v", c)
	}

	// The example data holds two more cases: one in the competence analysis,
	// one closed with a job from the intake.
	f, err := h.client.GetFunnelReport(ctx(t), &pb.GetFunnelReportRequest{Process: standard})
	if err != nil {
		t.Fatal(err)
	}
	if f.GetTotalCases() != 3 || f.GetOpenCases() != 1 || len(f.GetStages()) != len(service.DefaultStages) {
		t.Fatalf("funnel totals: %v", f)
	}
	intake, competence := f.GetStages()[0], f.GetStages()[1]
	if intake.GetReached() != 3 || intake.GetConversionToNext() != 2.0/3 || intake.GetFinishedStays() != 4 ||
		competence.GetReached() != 2 || competence.GetCurrent() != 1 {
		t.Fatalf("funnel stages: %v / %v", intake, competence)
	}
	outcomes := map[pb.Outcome]int32{}
	for _, o := range f.GetOutcomes() {
		outcomes[o.GetOutcome()] = o.GetCount()
	}
	if outcomes[pb.Outcome_OUTCOME_APPRENTICESHIP] != 1 || outcomes[pb.Outcome_OUTCOME_EMPLOYMENT] != 1 {
		t.Fatalf("outcomes %v", outcomes)
	}
	for _, tc := range []struct {
		req  *pb.GetFunnelReportRequest
		want int32
	}{
		{&pb.GetFunnelReportRequest{Process: standard, Owner: "agentur-fuer-arbeit-waiblingen"}, 1},
		{&pb.GetFunnelReportRequest{Process: standard, Municipality: "backnang"}, 2},
		{&pb.GetFunnelReportRequest{Process: standard, Version: 1, Owner: "jobcenter-rems-murr", Municipality: "waiblingen"}, 0},
	} {
		f, err := h.client.GetFunnelReport(ctx(t), tc.req)
		if err != nil || f.GetTotalCases() != tc.want {
			t.Fatalf("funnel %v: %v cases, want %d (%v)", tc.req, f.GetTotalCases(), tc.want, err)
		}
	}

	// Every change is a public event on integration.labour.case.<id>.…
	id := strings.TrimPrefix(c.GetName(), "cases/")
	var kinds []string
	for _, m := range h.events() {
		if strings.HasPrefix(m.Subject, "integration.labour.case."+id+".") {
			kinds = append(kinds, m.Subject[strings.LastIndex(m.Subject, ".")+1:])
		}
	}
	want := "case_opened checklist_item_completed checklist_item_completed case_stage_changed case_stage_changed case_stage_changed " +
		"checklist_item_completed checklist_item_completed case_stage_changed case_closed"
	if strings.Join(kinds, " ") != want {
		t.Fatalf("events of the case:\n%s\nwant\n%s", strings.Join(kinds, " "), want)
	}
}

func TestRetriedCreationOpensOneCase(t *testing.T) {
	h := start(t, natstest.Start(t), true)
	req := &pb.CreateCaseRequest{Process: standard, Owner: "ihk-region-stuttgart", Municipality: "waiblingen", RequestId: "0b6a1c52-7f13-4c4e-9d55-6a1f0e2b3c4d"}
	first, err := h.client.CreateCase(ctx(t), req)
	if err != nil {
		t.Fatal(err)
	}
	seq := h.lastSeq()
	second, err := h.client.CreateCase(ctx(t), req)
	if err != nil || second.GetCase().GetName() != first.GetCase().GetName() || h.lastSeq() != seq {
		t.Fatalf("retry: %v %v, stream %d → %d", second, err, seq, h.lastSeq())
	}
	req.Owner = "hwk-region-stuttgart"
	_, err = h.client.CreateCase(ctx(t), req)
	wantStatus(t, err, codes.InvalidArgument, "request_id")
}

func TestNewVersionLeavesRunningCasesAlone(t *testing.T) {
	h := start(t, natstest.Start(t), true)
	c := newCase(t, h)
	v1, err := h.client.GetProcessVersion(ctx(t), &pb.GetProcessVersionRequest{Name: standard + "/versions/-"})
	if err != nil {
		t.Fatal(err)
	}
	// Version 2 adds an item to the intake and drops the recognition stage.
	stages := adapters.StagesToProto(service.DefaultStages)
	stages[0].Checklist = append(stages[0].Checklist, &pb.ChecklistItem{Id: "residence", Title: "Aufenthaltsstatus geklärt"})
	stages = append(stages[:2], stages[3:]...)
	v2, err := h.client.PublishProcessVersion(ctx(t), &pb.PublishProcessVersionRequest{
		Parent: standard, Title: "Standardprozess, Fassung 2", Stages: stages, Etag: v1.GetProcessVersion().GetEtag(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if v2.GetProcessVersion().GetName() != standard+"/versions/2" {
		t.Fatalf("published %s", v2.GetProcessVersion().GetName())
	}
	got, err := h.client.GetCase(ctx(t), &pb.GetCaseRequest{Name: c.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetCase().GetProcessVersion() != standard+"/versions/1" || got.GetCase().GetEtag() != c.GetEtag() || len(got.GetCase().GetMissingItems()) != 2 {
		t.Fatalf("publishing changed a running case: %v", got.GetCase())
	}
	if fresh := newCase(t, h); fresh.GetProcessVersion() != standard+"/versions/2" || len(fresh.GetMissingItems()) != 3 {
		t.Fatalf("new case: %v", fresh)
	}

	c = complete(t, h, c, "consent")
	migrated, err := h.client.MigrateCase(ctx(t), &pb.MigrateCaseRequest{Name: c.GetName(), ProcessVersion: standard + "/versions/2", Etag: c.GetEtag()})
	if err != nil {
		t.Fatal(err)
	}
	m := migrated.GetCase()
	if m.GetProcessVersion() != standard+"/versions/2" || m.GetStage() != "intake" ||
		strings.Join(m.GetCompletedItems(), ",") != "consent" || strings.Join(m.GetMissingItems(), ",") != "documents,residence" {
		t.Fatalf("migrated case: %v", m)
	}
	_, err = h.client.MigrateCase(ctx(t), &pb.MigrateCaseRequest{Name: c.GetName(), ProcessVersion: standard + "/versions/1"})
	wantStatus(t, err, codes.FailedPrecondition, "")

	// A case in a stage the new version lacks cannot move to it.
	old, err := h.client.ListCases(ctx(t), &pb.ListCasesRequest{Process: standard, Stage: "competence-analysis"})
	if err != nil || len(old.GetCases()) != 1 {
		t.Fatalf("list: %v %v", old, err)
	}
	stages3 := adapters.StagesToProto(service.DefaultStages)
	stages3 = append(stages3[:1], stages3[2:]...)
	if _, err := h.client.PublishProcessVersion(ctx(t), &pb.PublishProcessVersionRequest{Parent: standard, Title: "Fassung 3", Stages: stages3}); err != nil {
		t.Fatal(err)
	}
	_, err = h.client.MigrateCase(ctx(t), &pb.MigrateCaseRequest{Name: old.GetCases()[0].GetName(), ProcessVersion: standard + "/versions/3"})
	if wantStatus(t, err, codes.FailedPrecondition, ""); errorInfo(t, err).GetReason() != "STAGE_NOT_IN_VERSION" {
		t.Fatalf("reason %v", errorInfo(t, err))
	}
	// Figures by version: the migrated and the new case run on version 2.
	byVersion, err := h.client.GetFunnelReport(ctx(t), &pb.GetFunnelReportRequest{Process: standard, Version: 2})
	if err != nil || byVersion.GetTotalCases() != 2 || len(byVersion.GetStages()) != len(service.DefaultStages)-1 {
		t.Fatalf("funnel of version 2: %v %v", byVersion, err)
	}
	list, err := h.client.ListProcessVersions(ctx(t), &pb.ListProcessVersionsRequest{Parent: standard, PageSize: 2})
	if err != nil || len(list.GetProcessVersions()) != 2 || list.GetTotalSize() != 3 || list.GetNextPageToken() == "" {
		t.Fatalf("versions: %v %v", list, err)
	}
}

func TestTransferNeedsTheReceiversConsent(t *testing.T) {
	h := start(t, natstest.Start(t), true)
	c := newCase(t, h)
	resp, err := h.client.TransferCase(ctx(t), &pb.TransferCaseRequest{Name: c.GetName(), ToOwner: "agentur-fuer-arbeit-waiblingen"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetCase().GetOwner() != "jobcenter-rems-murr" || resp.GetCase().GetPendingTransfer().GetToOwner() != "agentur-fuer-arbeit-waiblingen" {
		t.Fatalf("pending transfer: %v", resp.GetCase())
	}
	declined, err := h.client.DeclineCaseTransfer(ctx(t), &pb.DeclineCaseTransferRequest{Name: c.GetName()})
	if err != nil || declined.GetCase().GetOwner() != "jobcenter-rems-murr" || declined.GetCase().GetPendingTransfer() != nil {
		t.Fatalf("declined: %v %v", declined, err)
	}
	if _, err := h.client.TransferCase(ctx(t), &pb.TransferCaseRequest{Name: c.GetName(), ToOwner: "ihk-region-stuttgart"}); err != nil {
		t.Fatal(err)
	}
	accepted, err := h.client.AcceptCaseTransfer(ctx(t), &pb.AcceptCaseTransferRequest{Name: c.GetName()})
	if err != nil || accepted.GetCase().GetOwner() != "ihk-region-stuttgart" || accepted.GetCase().GetPendingTransfer() != nil {
		t.Fatalf("accepted: %v %v", accepted, err)
	}
	if h.eventsNamed("case_transferred") != 1 || h.eventsNamed("case_transfer_declined") != 1 {
		t.Fatal("transfer events missing")
	}
}

func TestPilotsAndOrientationEvents(t *testing.T) {
	h := start(t, natstest.Start(t), true)
	pilots, err := h.client.ListPilotProjects(ctx(t), &pb.ListPilotProjectsRequest{Field: pb.OccupationalField_OCCUPATIONAL_FIELD_CARE})
	if err != nil || len(pilots.GetPilots()) != 1 {
		t.Fatalf("pilots: %v %v", pilots, err)
	}
	p := pilots.GetPilots()[0]
	rec, err := h.client.RecordPilotOutcome(ctx(t), &pb.RecordPilotOutcomeRequest{Name: p.GetName(), Participants: 12, Placements: 5, Etag: p.GetEtag()})
	if err != nil || rec.GetPilot().GetParticipants() != 12 || rec.GetPilot().GetPlacements() != 5 {
		t.Fatalf("outcome: %v %v", rec, err)
	}
	// The pilot reports the outcomes of its linked cases (the example case closed with a job).
	closed, err := h.client.ListCases(ctx(t), &pb.ListCasesRequest{State: pb.CaseState_CASE_STATE_CLOSED})
	if err != nil || len(closed.GetCases()) != 1 {
		t.Fatalf("closed cases: %v %v", closed, err)
	}
	open := newCase(t, h)
	var pilot *pb.PilotProject
	for _, c := range []string{closed.GetCases()[0].GetName(), open.GetName()} {
		resp, err := h.client.LinkCaseToPilot(ctx(t), &pb.LinkCaseToPilotRequest{Name: p.GetName(), Case: c})
		if err != nil {
			t.Fatal(err)
		}
		pilot = resp.GetPilot()
	}
	outcomes := map[pb.Outcome]int32{}
	for _, o := range pilot.GetCaseOutcomes() {
		outcomes[o.GetOutcome()] = o.GetCount()
	}
	if len(pilot.GetCases()) != 2 || outcomes[pb.Outcome_OUTCOME_EMPLOYMENT] != 1 || len(outcomes) != 5 {
		t.Fatalf("pilot with cases: %v", pilot)
	}
	// The example pilot offers 12 places; the open case and the one closed
	// with a job fill two. Fewer places than filled is allowed (overbooked).
	if p.GetOfferedPlaces() != 12 || pilot.GetFilledPlaces() != 2 {
		t.Fatalf("places: %d offered, %d filled, want 12 and 2", p.GetOfferedPlaces(), pilot.GetFilledPlaces())
	}
	set, err := h.client.SetPilotOfferedPlaces(ctx(t), &pb.SetPilotOfferedPlacesRequest{Name: p.GetName(), OfferedPlaces: 1, Etag: pilot.GetEtag()})
	if err != nil || set.GetPilot().GetOfferedPlaces() != 1 || set.GetPilot().GetFilledPlaces() != 2 || set.GetPilot().GetEtag() == pilot.GetEtag() {
		t.Fatalf("set places: %v %v", set, err)
	}
	var placesEvents []int32
	for _, m := range h.events() {
		if m.Subject == "integration.labour.pilot.pflege-backnang.pilot_offered_places_set" {
			var e pb.PilotOfferedPlacesSet
			if err := proto.Unmarshal(m.Data, &e); err != nil {
				t.Fatal(err)
			}
			placesEvents = append(placesEvents, e.GetOfferedPlaces())
		}
	}
	if !slices.Equal(placesEvents, []int32{1}) {
		t.Fatalf("offered places events: %v, want [1]", placesEvents)
	}
	created, err := h.client.CreateOrientationEvent(ctx(t), &pb.CreateOrientationEventRequest{OrientationEvent: &pb.OrientationEvent{
		Accommodation: "GU Testweg", Municipality: "schorndorf", Date: "2020-01-15", Partners: []string{"HWK Region Stuttgart"}, Topics: []string{"Handwerk"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	held, err := h.client.RecordOrientationAttendance(ctx(t), &pb.RecordOrientationAttendanceRequest{Name: created.GetOrientationEvent().GetName(), Attendance: 23, FollowUpAppointments: 7})
	if err != nil || !held.GetOrientationEvent().GetHeld() || held.GetOrientationEvent().GetAttendance() != 23 {
		t.Fatalf("held: %v %v", held, err)
	}
	linked, err := h.client.LinkCaseToOrientationEvent(ctx(t), &pb.LinkCaseToOrientationEventRequest{Name: created.GetOrientationEvent().GetName(), Case: open.GetName()})
	if err != nil || len(linked.GetOrientationEvent().GetCases()) != 1 || linked.GetOrientationEvent().GetCases()[0] != open.GetName() {
		t.Fatalf("linked: %v %v", linked, err)
	}
	list, err := h.client.ListOrientationEvents(ctx(t), &pb.ListOrientationEventsRequest{})
	if err != nil || len(list.GetOrientationEvents()) != 2 || list.GetOrientationEvents()[0].GetDate() != "2017-10-12" {
		t.Fatalf("events: %v %v", list, err)
	}
	// The Beispieldaten's event was held too.
	if h.eventsNamed("orientation_event_held") != 2 || h.eventsNamed("pilot_outcome_recorded") != 1 {
		t.Fatal("events missing")
	}
}
