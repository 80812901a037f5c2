package service_test

import (
	"fmt"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
)

// pilotSummary is one pilot or field row of a funnel report in short:
// pilots, linked, open, overdue, cases per stage now (stage:n), outcomes
// of closed cases (outcome:n), participants, placements, places offered
// and filled.
func pilotSummary(f *pb.PilotFigures) string {
	var stages, outcomes []string
	for _, s := range f.GetStages() {
		if s.GetCurrent() > 0 {
			stages = append(stages, fmt.Sprintf("%s:%d", s.GetStage(), s.GetCurrent()))
		}
	}
	for _, o := range f.GetOutcomes() {
		if o.GetCount() > 0 {
			outcomes = append(outcomes, fmt.Sprintf("%s:%d", strings.TrimPrefix(o.GetOutcome().String(), "OUTCOME_"), o.GetCount()))
		}
	}
	return fmt.Sprintf("pilots=%d linked=%d open=%d overdue=%d now=[%s] outcomes=[%s] participants=%d placements=%d places=%d/%d",
		f.GetPilots(), f.GetLinkedCases(), f.GetOpenCases(), f.GetOverdueCases(), strings.Join(stages, " "),
		strings.Join(outcomes, " "), f.GetParticipants(), f.GetPlacements(), f.GetFilledPlaces(), f.GetOfferedPlaces())
}

// TestFunnelReportPilotOutcomes links cases to three pilots in two fields
// and reads the pilot section of the funnel report, unfiltered and with
// each filter: linked cases and the places they fill follow the filter,
// recorded totals and offered places do not.
func TestFunnelReportPilotOutcomes(t *testing.T) {
	h := start(t, natstest.Start(t), true)
	// The example data: a jobcenter case in backnang in the competence
	// analysis, an agency case in waiblingen closed with a job, and the
	// care pilot pflege-backnang with 12 places.
	cases, err := h.client.ListCases(ctx(t), &pb.ListCasesRequest{})
	if err != nil || len(cases.GetCases()) != 2 {
		t.Fatalf("example cases: %v %v", cases, err)
	}
	exampleOpen, exampleClosed := cases.GetCases()[0].GetName(), cases.GetCases()[1].GetName()
	if cases.GetCases()[0].GetState() == pb.CaseState_CASE_STATE_CLOSED {
		exampleOpen, exampleClosed = exampleClosed, exampleOpen
	}
	intake := newCase(t, h) // jobcenter, backnang
	created, err := h.client.CreateCase(ctx(t), &pb.CreateCaseRequest{Process: standard, Owner: "agentur-fuer-arbeit-waiblingen", Municipality: "schorndorf"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.CloseCase(ctx(t), &pb.CloseCaseRequest{Name: created.GetCase().GetName(), Outcome: pb.Outcome_OUTCOME_APPRENTICESHIP}); err != nil {
		t.Fatal(err)
	}
	apprentice := created.GetCase().GetName()
	// A jobcenter case in backnang that was discontinued: it frees its place.
	discontinued := newCase(t, h).GetName()
	if _, err := h.client.CloseCase(ctx(t), &pb.CloseCaseRequest{Name: discontinued, Outcome: pb.Outcome_OUTCOME_DISCONTINUED}); err != nil {
		t.Fatal(err)
	}

	for _, p := range []struct {
		id      string
		field   pb.OccupationalField
		place   string
		offered int32
		record  [2]int32
		cases   []string
	}{
		{"pflege-backnang", 0, "", 0, [2]int32{10, 4}, []string{exampleOpen, exampleClosed, intake.GetName()}},
		{"pflege-schorndorf", pb.OccupationalField_OCCUPATIONAL_FIELD_CARE, "schorndorf", 4, [2]int32{5, 1}, []string{intake.GetName(), apprentice}},
		{"handwerk-waiblingen", pb.OccupationalField_OCCUPATIONAL_FIELD_CRAFTS, "waiblingen", 0, [2]int32{3, 0}, []string{exampleClosed, discontinued}},
	} {
		if p.place != "" {
			if _, err := h.client.CreatePilotProject(ctx(t), &pb.CreatePilotProjectRequest{PilotId: p.id, Pilot: &pb.PilotProject{
				Field: p.field, Title: "Pilot " + p.id, Partners: []string{"Kreishandwerkerschaft"}, Places: []string{p.place},
				OfferedPlaces: p.offered,
			}}); err != nil {
				t.Fatal(err)
			}
		}
		name := "pilots/" + p.id
		if _, err := h.client.RecordPilotOutcome(ctx(t), &pb.RecordPilotOutcomeRequest{Name: name, Participants: p.record[0], Placements: p.record[1]}); err != nil {
			t.Fatal(err)
		}
		for _, c := range p.cases {
			if _, err := h.client.LinkCaseToPilot(ctx(t), &pb.LinkCaseToPilotRequest{Name: name, Case: c}); err != nil {
				t.Fatal(err)
			}
		}
	}

	// The crafts pilot states its places after creation.
	if _, err := h.client.SetPilotOfferedPlaces(ctx(t), &pb.SetPilotOfferedPlacesRequest{Name: "pilots/handwerk-waiblingen", OfferedPlaces: 2}); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name   string
		req    *pb.GetFunnelReportRequest
		pilots []string // pilot: summary
		fields []string // field: summary
	}{
		{"unfiltered", &pb.GetFunnelReportRequest{Process: standard},
			[]string{
				// The discontinued case is linked but fills no place.
				"pilots/handwerk-waiblingen: pilots=1 linked=2 open=0 overdue=0 now=[closed:2] outcomes=[EMPLOYMENT:1 DISCONTINUED:1] participants=3 placements=0 places=1/2",
				"pilots/pflege-backnang: pilots=1 linked=3 open=2 overdue=0 now=[intake:1 competence-analysis:1 closed:1] outcomes=[EMPLOYMENT:1] participants=10 placements=4 places=3/12",
				"pilots/pflege-schorndorf: pilots=1 linked=2 open=1 overdue=0 now=[intake:1 closed:1] outcomes=[APPRENTICESHIP:1] participants=5 placements=1 places=2/4",
			},
			[]string{
				// The intake case is linked to both care pilots and counts once,
				// also as a filled place.
				"OCCUPATIONAL_FIELD_CARE: pilots=2 linked=4 open=2 overdue=0 now=[intake:1 competence-analysis:1 closed:2] outcomes=[EMPLOYMENT:1 APPRENTICESHIP:1] participants=15 placements=5 places=4/16",
				"OCCUPATIONAL_FIELD_CRAFTS: pilots=1 linked=2 open=0 overdue=0 now=[closed:2] outcomes=[EMPLOYMENT:1 DISCONTINUED:1] participants=3 placements=0 places=1/2",
			}},
		{"owner", &pb.GetFunnelReportRequest{Process: standard, Owner: "agentur-fuer-arbeit-waiblingen"},
			[]string{
				"pilots/handwerk-waiblingen: pilots=1 linked=1 open=0 overdue=0 now=[closed:1] outcomes=[EMPLOYMENT:1] participants=3 placements=0 places=1/2",
				"pilots/pflege-backnang: pilots=1 linked=1 open=0 overdue=0 now=[closed:1] outcomes=[EMPLOYMENT:1] participants=10 placements=4 places=1/12",
				"pilots/pflege-schorndorf: pilots=1 linked=1 open=0 overdue=0 now=[closed:1] outcomes=[APPRENTICESHIP:1] participants=5 placements=1 places=1/4",
			},
			[]string{
				"OCCUPATIONAL_FIELD_CARE: pilots=2 linked=2 open=0 overdue=0 now=[closed:2] outcomes=[EMPLOYMENT:1 APPRENTICESHIP:1] participants=15 placements=5 places=2/16",
				"OCCUPATIONAL_FIELD_CRAFTS: pilots=1 linked=1 open=0 overdue=0 now=[closed:1] outcomes=[EMPLOYMENT:1] participants=3 placements=0 places=1/2",
			}},
		// Pilots that run in the municipality, and pilots elsewhere with a
		// linked case from there (pflege-schorndorf's intake case,
		// handwerk-waiblingen's discontinued one).
		{"municipality", &pb.GetFunnelReportRequest{Process: standard, Municipality: "backnang"},
			[]string{
				"pilots/handwerk-waiblingen: pilots=1 linked=1 open=0 overdue=0 now=[closed:1] outcomes=[DISCONTINUED:1] participants=3 placements=0 places=0/2",
				"pilots/pflege-backnang: pilots=1 linked=2 open=2 overdue=0 now=[intake:1 competence-analysis:1] outcomes=[] participants=10 placements=4 places=2/12",
				"pilots/pflege-schorndorf: pilots=1 linked=1 open=1 overdue=0 now=[intake:1] outcomes=[] participants=5 placements=1 places=1/4",
			},
			[]string{
				"OCCUPATIONAL_FIELD_CARE: pilots=2 linked=2 open=2 overdue=0 now=[intake:1 competence-analysis:1] outcomes=[] participants=15 placements=5 places=2/16",
				"OCCUPATIONAL_FIELD_CRAFTS: pilots=1 linked=1 open=0 overdue=0 now=[closed:1] outcomes=[DISCONTINUED:1] participants=3 placements=0 places=0/2",
			}},
		{"municipality without linked cases", &pb.GetFunnelReportRequest{Process: standard, Municipality: "winnenden"}, nil, nil},
		{"all filters", &pb.GetFunnelReportRequest{Process: standard, Version: 1, Owner: "agentur-fuer-arbeit-waiblingen", Municipality: "schorndorf"},
			[]string{
				"pilots/pflege-schorndorf: pilots=1 linked=1 open=0 overdue=0 now=[closed:1] outcomes=[APPRENTICESHIP:1] participants=5 placements=1 places=1/4",
			},
			[]string{
				"OCCUPATIONAL_FIELD_CARE: pilots=1 linked=1 open=0 overdue=0 now=[closed:1] outcomes=[APPRENTICESHIP:1] participants=5 placements=1 places=1/4",
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := h.client.GetFunnelReport(ctx(t), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			var pilots, fields []string
			for _, p := range f.GetPilots() {
				pilots = append(pilots, p.GetPilot()+": "+pilotSummary(p.GetFigures()))
				if len(p.GetFigures().GetStages()) != len(f.GetStages()) || len(p.GetFigures().GetOutcomes()) != len(f.GetOutcomes()) {
					t.Errorf("%s: not along the report's stages and outcomes: %v", p.GetPilot(), p)
				}
			}
			for _, p := range f.GetOccupationalFields() {
				fields = append(fields, p.GetField().String()+": "+pilotSummary(p.GetFigures()))
			}
			if got, want := strings.Join(pilots, "\n"), strings.Join(tc.pilots, "\n"); got != want {
				t.Errorf("pilots:\n%s\nwant:\n%s", got, want)
			}
			if got, want := strings.Join(fields, "\n"), strings.Join(tc.fields, "\n"); got != want {
				t.Errorf("fields:\n%s\nwant:\n%s", got, want)
			}
		})
	}

	// Unfiltered, a pilot's figures are those ListPilotProjects reports.
	report, err := h.client.GetFunnelReport(ctx(t), &pb.GetFunnelReportRequest{Process: standard})
	if err != nil {
		t.Fatal(err)
	}
	list, err := h.client.ListPilotProjects(ctx(t), &pb.ListPilotProjectsRequest{})
	if err != nil || len(list.GetPilots()) != len(report.GetPilots()) {
		t.Fatalf("pilots: %v %v", list, err)
	}
	for i, p := range list.GetPilots() {
		r := report.GetPilots()[i]
		if r.GetPilot() != p.GetName() || r.GetField() != p.GetField() || r.GetTitle() != p.GetTitle() ||
			r.GetFigures().GetLinkedCases() != int32(len(p.GetCases())) || r.GetFigures().GetParticipants() != p.GetParticipants() ||
			r.GetFigures().GetPlacements() != p.GetPlacements() || r.GetFigures().GetOfferedPlaces() != p.GetOfferedPlaces() ||
			r.GetFigures().GetFilledPlaces() != p.GetFilledPlaces() {
			t.Errorf("report %v\ndiffers from the pilot %v", r, p)
		}
		for j, o := range p.GetCaseOutcomes() {
			if !proto.Equal(o, r.GetFigures().GetOutcomes()[j]) {
				t.Errorf("%s: outcome %v in the report, %v in the pilot", p.GetName(), r.GetFigures().GetOutcomes()[j], o)
			}
		}
	}
}
