package domain_test

import (
	"fmt"
	"testing"

	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

func TestPilotReport(t *testing.T) {
	pv := version(1, threeStages())
	open := domain.OpenCase("c-1", pv, "o", "m", t0)
	closed := domain.OpenCase("c-2", pv, "o", "m", t0)
	closed.Enter("closed", t0)
	closed.State, closed.Outcome = domain.Closed, domain.Apprenticeship
	left := domain.OpenCase("c-3", pv, "o", "m", t0)
	left.Enter("closed", t0)
	left.State, left.Outcome = domain.Closed, domain.MovedAway
	cases := map[string]*domain.Case{open.ID: open, closed.ID: closed, left.ID: left}
	linked := func(p *domain.Pilot) []*domain.Case {
		var out []*domain.Case
		for _, id := range p.Cases {
			out = append(out, cases[id])
		}
		return out
	}
	// Listed crafts first: fields come out in the order of the enum.
	pilots := []*domain.Pilot{
		{ID: "handwerk", Field: domain.Crafts, Cases: []string{"c-2", "c-3"}, Participants: 3},
		{ID: "pflege-a", Field: domain.Care, Cases: []string{"c-1", "c-2"}, Participants: 10, Placements: 4, OfferedPlaces: 6},
		{ID: "pflege-b", Field: domain.Care, Cases: []string{"c-1"}, Participants: 5, Placements: 1, OfferedPlaces: 1},
	}
	r := domain.ComputePilotReport(pv.Stages, pilots, linked)
	if len(r.ByPilot) != 3 || r.ByPilot[1].Pilot != "pflege-a" || r.ByPilot[1].Cases.Total != 2 || r.ByPilot[1].Cases.Open != 1 ||
		r.ByPilot[1].Cases.Outcomes[domain.Apprenticeship] != 1 || r.ByPilot[1].Cases.Stages[0].Current != 1 ||
		r.ByPilot[1].OfferedPlaces != 6 || r.ByPilot[1].Cases.FilledPlaces() != 2 {
		t.Fatalf("per pilot: %+v", r.ByPilot)
	}
	if len(r.ByField) != 2 {
		t.Fatalf("per field: %+v", r.ByField)
	}
	care, crafts := r.ByField[0], r.ByField[1]
	// c-1 is linked to both care pilots and counts once, also as a filled place.
	if care.Field != domain.Care || care.Pilots != 2 || care.Cases.Total != 2 || care.Cases.Open != 1 ||
		care.Participants != 15 || care.Placements != 5 || care.Pilot != "" ||
		care.OfferedPlaces != 7 || care.Cases.FilledPlaces() != 2 {
		t.Errorf("care: %+v", care)
	}
	// c-3 moved away and freed its place.
	if crafts.Field != domain.Crafts || crafts.Pilots != 1 || crafts.Cases.Total != 2 || crafts.Cases.Outcomes[domain.Apprenticeship] != 1 ||
		crafts.OfferedPlaces != 0 || crafts.Cases.FilledPlaces() != 1 {
		t.Errorf("crafts: %+v", crafts)
	}
}

// TestFilledPlaces: open cases and placements fill a place, every other
// outcome frees it.
func TestFilledPlaces(t *testing.T) {
	pv := version(1, threeStages())
	var cases []*domain.Case
	for i, o := range append([]domain.Outcome{domain.OutcomeUnspecified}, domain.Outcomes()...) {
		c := domain.OpenCase(fmt.Sprintf("c-%d", i), pv, "o", "m", t0)
		if o != domain.OutcomeUnspecified {
			c.Enter("closed", t0)
			c.State, c.Outcome = domain.Closed, o
		}
		cases = append(cases, c)
	}
	// open, employment, apprenticeship
	if got := domain.ComputeFunnel(nil, cases).FilledPlaces(); got != 3 {
		t.Fatalf("filled places: %d, want 3", got)
	}
	if got := domain.ComputeFunnel(nil, nil).FilledPlaces(); got != 0 {
		t.Fatalf("filled places without cases: %d", got)
	}
}
