package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

var t0 = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

// threeStages is a small process: a, b (each with a checklist) and closed.
func threeStages() []domain.Stage {
	return []domain.Stage{
		{ID: "a", Title: "Stage A", TimeTargetDays: 10, Checklist: []domain.ChecklistItem{{ID: "x", Title: "Item X"}, {ID: "y", Title: "Item Y"}}},
		{ID: "b", Title: "Stage B", TimeTargetDays: 5, Checklist: []domain.ChecklistItem{{ID: "z", Title: "Item Z"}}, CourseReferrals: true},
		{ID: "c", Title: "Stage C"},
		{ID: "closed", Title: "Closed"},
	}
}

func version(n int32, stages []domain.Stage) *domain.ProcessVersion {
	return &domain.ProcessVersion{Process: "p", Version: n, Title: "Process", Stages: stages, PublishTime: t0}
}

func wantKind(t *testing.T, err error, kind apierr.Kind, detail string) *apierr.Error {
	t.Helper()
	e, ok := apierr.As(err)
	if !ok || e.Kind != kind {
		t.Fatalf("got %v, want kind %d", err, kind)
	}
	if detail != "" && !strings.Contains(e.Error()+e.Reason, detail) {
		t.Fatalf("error %q (reason %s) does not mention %q", e.Error(), e.Reason, detail)
	}
	return e
}

func TestNewStagesRefusesBadDefinitions(t *testing.T) {
	if _, err := domain.NewStages("Standardprozess", threeStages()); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		title  string
		mutate func([]domain.Stage) []domain.Stage
		field  string
	}{
		"no title":               {"", func(s []domain.Stage) []domain.Stage { return s }, "title"},
		"one stage":              {"Prozess", func(s []domain.Stage) []domain.Stage { return s[:1] }, "stages"},
		"duplicate stage":        {"Prozess", func(s []domain.Stage) []domain.Stage { s[1].ID = "a"; return s }, "stages[1].id"},
		"bad stage id":           {"Prozess", func(s []domain.Stage) []domain.Stage { s[0].ID = "Intake"; return s }, "stages[0].id"},
		"negative target":        {"Prozess", func(s []domain.Stage) []domain.Stage { s[0].TimeTargetDays = -1; return s }, "stages[0].time_target_days"},
		"duplicate item":         {"Prozess", func(s []domain.Stage) []domain.Stage { s[0].Checklist[1].ID = "x"; return s }, "stages[0].checklist[1].id"},
		"closing with checklist": {"Prozess", func(s []domain.Stage) []domain.Stage { s[3].Checklist = s[1].Checklist; return s }, "stages[3]"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := domain.NewStages(tc.title, tc.mutate(threeStages()))
			e := wantKind(t, err, apierr.KindInvalidArgument, "")
			for _, v := range e.Violations {
				if v.Field == tc.field {
					return
				}
			}
			t.Fatalf("violations %v do not name %s", e.Violations, tc.field)
		})
	}
}

func TestAdvanceOnlyWithCompleteChecklist(t *testing.T) {
	pv := version(1, threeStages())
	c := domain.OpenCase("c-1", pv, "jobcenter", "backnang", t0)
	_, err := c.NextStage(pv)
	e := wantKind(t, err, apierr.KindFailedPrecondition, "CHECKLIST_INCOMPLETE")
	if e.Metadata["missing_items"] != "x,y" || e.Metadata["from"] != "a" || e.Metadata["to"] != "b" {
		t.Fatalf("metadata %v", e.Metadata)
	}
	if err := c.CheckComplete(pv, "x"); err != nil {
		t.Fatal(err)
	}
	c.Complete("a", "x")
	wantKind(t, c.CheckComplete(pv, "x"), apierr.KindFailedPrecondition, "ITEM_ALREADY_COMPLETED")
	wantKind(t, c.CheckComplete(pv, "z"), apierr.KindInvalidArgument, "not an item of stage a")
	_, err = c.NextStage(pv)
	if e := wantKind(t, err, apierr.KindFailedPrecondition, ""); e.Metadata["missing_items"] != "y" {
		t.Fatalf("missing %v", e.Metadata)
	}
	c.Complete("a", "y")
	to, err := c.NextStage(pv)
	if err != nil || to != "b" {
		t.Fatalf("advance: %q %v", to, err)
	}
	c.Enter(to, t0.Add(time.Hour))
	if got := c.Missing(pv); len(got) != 1 || got[0] != "z" {
		t.Fatalf("missing in b: %v", got)
	}
	c.Complete("b", "z")
	c.Enter("c", t0.Add(2*time.Hour))
	// c is the last working stage: only closing moves on.
	_, err = c.NextStage(pv)
	wantKind(t, err, apierr.KindFailedPrecondition, "LAST_WORKING_STAGE")
}

func TestStepBackKeepsCompletedItems(t *testing.T) {
	pv := version(1, threeStages())
	c := domain.OpenCase("c-1", pv, "jobcenter", "backnang", t0)
	_, err := c.PreviousStage(pv, domain.ReasonCorrection)
	wantKind(t, err, apierr.KindFailedPrecondition, "FIRST_STAGE")
	c.Complete("a", "x")
	c.Complete("a", "y")
	c.Enter("b", t0)
	_, err = c.PreviousStage(pv, domain.StepBackReasonUnspecified)
	wantKind(t, err, apierr.KindInvalidArgument, "reason")
	to, err := c.PreviousStage(pv, domain.ReasonLanguageLevel)
	if err != nil || to != "a" {
		t.Fatalf("step back: %q %v", to, err)
	}
	c.Enter(to, t0)
	if len(c.Missing(pv)) != 0 {
		t.Fatalf("items done before stepping back are open again: %v", c.Missing(pv))
	}
}

func TestClosedCaseDoesNotChange(t *testing.T) {
	pv := version(1, threeStages())
	c := domain.OpenCase("c-1", pv, "jobcenter", "backnang", t0)
	wantKind(t, c.CheckClose(domain.OutcomeUnspecified), apierr.KindInvalidArgument, "outcome")
	if err := c.CheckClose(domain.MovedAway); err != nil {
		t.Fatal(err)
	}
	c.Enter(pv.Closing().ID, t0)
	c.State, c.Outcome = domain.Closed, domain.MovedAway
	wantKind(t, c.CheckClose(domain.Employment), apierr.KindFailedPrecondition, "CASE_CLOSED")
	wantKind(t, c.CheckComplete(pv, "x"), apierr.KindFailedPrecondition, "CASE_CLOSED")
	wantKind(t, c.CheckTransfer("kammer"), apierr.KindFailedPrecondition, "CASE_CLOSED")
	if _, ok := c.DueTime(pv); ok {
		t.Fatal("a closed case has a due time")
	}
}

func TestMigrateOnlyToNewerVersionWithTheStage(t *testing.T) {
	v1 := version(1, threeStages())
	withoutB := threeStages()
	withoutB = append(withoutB[:1], withoutB[2:]...)
	v2 := version(2, withoutB)
	v3 := version(3, threeStages())
	c := domain.OpenCase("c-1", v1, "jobcenter", "backnang", t0)
	c.Enter("b", t0)
	wantKind(t, c.CheckMigrate(v1), apierr.KindFailedPrecondition, "NOT_A_NEWER_VERSION")
	wantKind(t, c.CheckMigrate(v2), apierr.KindFailedPrecondition, "STAGE_NOT_IN_VERSION")
	if err := c.CheckMigrate(v3); err != nil {
		t.Fatal(err)
	}
	other := version(5, threeStages())
	other.Process = "other"
	wantKind(t, c.CheckMigrate(other), apierr.KindFailedPrecondition, "NOT_A_NEWER_VERSION")
}

func TestTransferNeedsAnotherOwnerAndOneAtATime(t *testing.T) {
	pv := version(1, threeStages())
	c := domain.OpenCase("c-1", pv, "jobcenter", "backnang", t0)
	wantKind(t, c.CheckTransfer("jobcenter"), apierr.KindInvalidArgument, "owner already")
	wantKind(t, c.CheckTransfer("Not Valid"), apierr.KindInvalidArgument, "to_owner")
	wantKind(t, c.CheckAnswerTransfer(), apierr.KindFailedPrecondition, "NO_TRANSFER_PENDING")
	if err := c.CheckTransfer("ihk"); err != nil {
		t.Fatal(err)
	}
	c.TransferTo = "ihk"
	wantKind(t, c.CheckTransfer("hwk"), apierr.KindFailedPrecondition, "TRANSFER_PENDING")
	if err := c.CheckAnswerTransfer(); err != nil {
		t.Fatal(err)
	}
}

func TestOverdueOncePerStay(t *testing.T) {
	pv := version(1, threeStages())
	c := domain.OpenCase("c-1", pv, "jobcenter", "backnang", t0)
	due, ok := c.DueTime(pv)
	if !ok || !due.Equal(t0.AddDate(0, 0, 10)) {
		t.Fatalf("due %v %v", due, ok)
	}
	if c.BecameOverdue(pv, due) {
		t.Fatal("overdue at the due time itself")
	}
	if !c.BecameOverdue(pv, due.Add(time.Second)) {
		t.Fatal("not overdue after the due time")
	}
	c.Overdue = true
	if c.BecameOverdue(pv, due.AddDate(1, 0, 0)) {
		t.Fatal("flagged twice in one stay")
	}
	c.Enter("b", due.AddDate(0, 0, 1))
	if c.Overdue {
		t.Fatal("a new stage keeps the overdue flag")
	}
	if !c.BecameOverdue(pv, due.AddDate(0, 0, 7)) {
		t.Fatal("not overdue in the next stage past its 5 days")
	}
	c.Enter("c", due.AddDate(0, 0, 8))
	if c.BecameOverdue(pv, due.AddDate(10, 0, 0)) {
		t.Fatal("a stage without time target is overdue")
	}
}

func TestFunnel(t *testing.T) {
	pv := version(1, threeStages())
	day := 24 * time.Hour
	// c1: a (2 days) → b (4 days) → c, open.
	c1 := domain.OpenCase("c-1", pv, "o", "m", t0)
	c1.Enter("b", t0.Add(2*day))
	c1.Enter("c", t0.Add(6*day))
	// c2: a (4 days) → b, open and overdue.
	c2 := domain.OpenCase("c-2", pv, "o", "m", t0)
	c2.Enter("b", t0.Add(4*day))
	c2.Overdue = true
	// c3: a (6 days), closed from a as moved away.
	c3 := domain.OpenCase("c-3", pv, "o", "m", t0)
	c3.Enter("closed", t0.Add(6*day))
	c3.State, c3.Outcome = domain.Closed, domain.MovedAway
	// c4: still in a.
	c4 := domain.OpenCase("c-4", pv, "o", "m", t0)

	f := domain.ComputeFunnel(pv.Stages, []*domain.Case{c1, c2, c3, c4})
	if f.Total != 4 || f.Open != 3 || f.Overdue != 1 || f.Outcomes[domain.MovedAway] != 1 {
		t.Fatalf("totals %+v", f)
	}
	want := []struct {
		reached, current, overdue, stays int
		conversion, median               float64
	}{
		{4, 1, 0, 3, 0.5, 4}, // a: c1 and c2 of four went on to b; stays 2, 4, 6 days
		{2, 1, 1, 1, 0.5, 4}, // b: c1 of two went on to c; one finished stay of 4 days
		{1, 1, 0, 0, 0, 0},   // c: nobody closed from here
		{1, 1, 0, 0, 0, 0},   // closed
	}
	for i, w := range want {
		s := f.Stages[i]
		if s.Reached != w.reached || s.Current != w.current || s.Overdue != w.overdue || s.FinishedStays != w.stays ||
			s.ConversionToNext != w.conversion || s.MedianDays != w.median {
			t.Errorf("stage %s: %+v, want %+v", s.Stage.ID, s, w)
		}
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := domain.Median(tc.in); got != tc.want {
			t.Errorf("Median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestPilotOutcome(t *testing.T) {
	p, err := domain.NewPilot(domain.Pilot{ID: "pflege", Field: domain.Care, Title: "Pflege", Partners: []string{"Heim"}, Places: []string{"backnang"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.CheckOutcome(5, 2); err != nil {
		t.Fatal(err)
	}
	p.Participants, p.Placements = 5, 2
	wantKind(t, p.CheckOutcome(0, 4), apierr.KindInvalidArgument, "placements")
	wantKind(t, p.CheckOutcome(0, 0), apierr.KindInvalidArgument, "participants")
	wantKind(t, p.CheckOutcome(-1, 0), apierr.KindInvalidArgument, "participants")
	_, err = domain.NewPilot(domain.Pilot{ID: "x", Title: "Pflege", Partners: []string{"Heim"}, Places: []string{"backnang"}})
	wantKind(t, err, apierr.KindInvalidArgument, "pilot.field")
}

func TestPilotOfferedPlaces(t *testing.T) {
	good := domain.Pilot{ID: "pflege", Field: domain.Care, Title: "Pflege", Partners: []string{"Heim"}, Places: []string{"backnang"}}
	for _, n := range []int32{0, 1, 10000} {
		good.OfferedPlaces = n
		if _, err := domain.NewPilot(good); err != nil {
			t.Errorf("%d places: %v", n, err)
		}
		if err := domain.CheckOfferedPlaces(n); err != nil {
			t.Errorf("set %d places: %v", n, err)
		}
	}
	for _, n := range []int32{-1, 10001} {
		bad := good
		bad.OfferedPlaces = n
		_, err := domain.NewPilot(bad)
		wantKind(t, err, apierr.KindInvalidArgument, "pilot.offered_places")
		wantKind(t, domain.CheckOfferedPlaces(n), apierr.KindInvalidArgument, "offered_places")
	}
}

func TestOrientationAttendance(t *testing.T) {
	e, err := domain.NewOrientationEvent(domain.OrientationEvent{
		ID: "e-1", Accommodation: "GU Beispielstraße", Municipality: "backnang", Date: "2024-03-05", Partners: []string{"IHK"},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantKind(t, e.CheckAttendance(10, 2, t0), apierr.KindFailedPrecondition, "NOT_YET_HELD")
	after := t0.AddDate(0, 0, 4)
	wantKind(t, e.CheckAttendance(3, 4, after), apierr.KindInvalidArgument, "follow_up_appointments")
	if err := e.CheckAttendance(10, 2, after); err != nil {
		t.Fatal(err)
	}
	e.Held = true
	wantKind(t, e.CheckAttendance(10, 2, after), apierr.KindFailedPrecondition, "ALREADY_HELD")
	_, err = domain.NewOrientationEvent(domain.OrientationEvent{Accommodation: "GU", Municipality: "backnang", Date: "5.3.2024"})
	wantKind(t, err, apierr.KindInvalidArgument, "date")
}

func TestCaseIDsArePseudonyms(t *testing.T) {
	a, b := domain.NewCaseID(""), domain.NewCaseID("")
	if a == b || !domain.ValidCaseID(a) {
		t.Fatalf("random IDs %q %q", a, b)
	}
	const req = "3f1c0d2e-6a7b-4c8d-9e0f-112233445566"
	if domain.NewCaseID(req) != domain.NewCaseID(req) || !domain.ValidCaseID(domain.NewCaseID(req)) {
		t.Fatal("a retried creation must name the same case")
	}
}
