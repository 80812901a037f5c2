package domain

import "slices"

// PilotFigures are the pilot outcomes of one pilot project or of all pilots
// of an occupational field.
type PilotFigures struct {
	// Pilot and Title are empty for a field's figures.
	Pilot, Title string
	Field        OccupationalField
	Pilots       int
	// Cases is the funnel of the linked cases counted, each case once.
	Cases Funnel
	// Participants and Placements are the sums of the pilots' recorded
	// outcomes, and OfferedPlaces of the places they offer; none of them
	// carries cases, owners or municipalities.
	Participants, Placements, OfferedPlaces int32
}

// FilledPlaces counts the places the linked cases of a funnel fill: the open
// ones and those closed with a placement, who stay in the pilot's job or
// apprenticeship. A case closed otherwise (further education, moved away,
// discontinued) has left and freed its place. The list of pilots and the
// funnel report both count with it.
func (f Funnel) FilledPlaces() int {
	n := f.Open
	for o, count := range f.Outcomes {
		if o.Placement() {
			n += count
		}
	}
	return n
}

// PilotReport holds the pilot outcomes per pilot and per occupational field.
type PilotReport struct {
	ByPilot []PilotFigures
	// ByField is ordered by field and holds only fields with pilots.
	ByField []PilotFigures
}

// ComputePilotReport computes the pilot outcomes of pilots along stages;
// linked returns the linked cases to count for a pilot.
func ComputePilotReport(stages []Stage, pilots []*Pilot, linked func(*Pilot) []*Case) PilotReport {
	var r PilotReport
	type field struct {
		figures PilotFigures
		cases   []*Case
		seen    map[string]bool
	}
	fields := map[OccupationalField]*field{}
	for _, p := range pilots {
		cases := linked(p)
		r.ByPilot = append(r.ByPilot, PilotFigures{Pilot: p.ID, Title: p.Title, Field: p.Field, Pilots: 1,
			Cases: ComputeFunnel(stages, cases), Participants: p.Participants, Placements: p.Placements, OfferedPlaces: p.OfferedPlaces})
		f, ok := fields[p.Field]
		if !ok {
			f = &field{figures: PilotFigures{Field: p.Field}, seen: map[string]bool{}}
			fields[p.Field] = f
		}
		f.figures.Pilots++
		f.figures.Participants += p.Participants
		f.figures.Placements += p.Placements
		f.figures.OfferedPlaces += p.OfferedPlaces
		for _, c := range cases {
			if !f.seen[c.ID] {
				f.seen[c.ID] = true
				f.cases = append(f.cases, c)
			}
		}
	}
	for _, f := range fields {
		f.figures.Cases = ComputeFunnel(stages, f.cases)
		r.ByField = append(r.ByField, f.figures)
	}
	slices.SortFunc(r.ByField, func(a, b PilotFigures) int { return int(a.Field - b.Field) })
	return r
}
