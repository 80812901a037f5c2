package dashboard

import (
	"net/http"
	"strings"

	lab "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
)

type stageRow struct {
	Title                                    string
	Reached, Current, Overdue, FinishedStays int
	Conversion                               string
	MedianDays                               string
	Last                                     bool
}

type outcomeRow struct {
	Label string
	Count int
}

type pilotRow struct {
	Title, Field, Partners, Places string
	Participants, Placements       int
	// OfferedPlaces the pilot states, FilledPlaces its linked cases fill.
	OfferedPlaces, FilledPlaces int
}

// pilotOutcomes is a table of pilot outcomes, per pilot or per field.
type pilotOutcomes struct {
	Name, Caption string
	// Head names the first two columns, Lead of each row fills them;
	// SecondIsNumber aligns the second as a number.
	Head           [2]string
	SecondIsNumber bool
	Rows           []pilotOutcomeRow
}

// pilotOutcomeRow is the figures of one pilot project or occupational field:
// its linked cases (as counts), the places offered and filled, and its
// recorded totals.
type pilotOutcomeRow struct {
	Lead                          [2]string
	Linked, Open, Overdue, Closed int
	OpenPerStage                  string
	// Outcomes counts the closed cases per outcome (the CSV's columns);
	// OutcomeText names those with cases (the page's column).
	Outcomes                    []int
	OutcomeText                 string
	OfferedPlaces, FilledPlaces int
	Participants, Placements    int
	PlacementRate               string
}

type orientationRow struct {
	Date, Accommodation, Municipality, Partners, Topics, Held string
	Attendance, FollowUps                                     int
}

type labourPage struct {
	base
	// NoData says why there is nothing to show yet ("noch keine Daten").
	NoData        string
	FunnelProblem string
	Stages        []stageRow
	FunnelChart   chart
	Outcomes      []outcomeRow
	Total, Open   int
	Overdue       int
	PilotProblem  string
	Pilots        []pilotRow
	// OutcomeLabels head the outcome columns of the pilot outcomes.
	OutcomeLabels []string
	PilotOutcomes []pilotOutcomes
	OrientProblem string
	Orientation   []orientationRow
}

// labourNoData is the notice of a labour section without data.
func (d *Dashboard) labourNoData(connected bool, data *labourData) string {
	switch {
	case !connected:
		return "Der Arbeitsmarkt-Dienst ist an dieses Gateway noch nicht angebunden."
	case data.unavailable:
		return "Der Arbeitsmarkt-Dienst ist gerade nicht erreichbar."
	}
	return ""
}

func (d *Dashboard) buildLabour(r *http.Request, data *labourData, p *labourPage) {
	if p.NoData = d.labourNoData(true, data); p.NoData != "" {
		return
	}
	p.FunnelProblem = d.problem(r, "funnel", data.funnelErr)
	if data.funnelErr == nil {
		f := data.funnel
		p.Total, p.Open, p.Overdue = int(f.GetTotalCases()), int(f.GetOpenCases()), int(f.GetOverdueCases())
		var values []chartValue
		for i, s := range f.GetStages() {
			row := stageRow{Title: s.GetTitle(), Reached: int(s.GetReached()), Current: int(s.GetCurrent()), Overdue: int(s.GetOverdue()),
				FinishedStays: int(s.GetFinishedStays()), Conversion: percent(s.GetConversionToNext()), MedianDays: decimal(s.GetMedianDays()),
				Last: i == len(f.GetStages())-1}
			if row.Title == "" {
				row.Title = s.GetStage()
			}
			if row.Last {
				row.Conversion = "–"
			}
			if row.FinishedStays == 0 {
				row.MedianDays = "–"
			}
			p.Stages = append(p.Stages, row)
			values = append(values, chartValue{Label: row.Title, Values: []float64{float64(row.Reached), float64(row.Current)},
				Texts: []string{number(row.Reached), number(row.Current)}})
		}
		p.FunnelChart = newChart("diagramm-trichter", "Fälle je Stufe des Standardprozesses",
			[]chartSeries{{Name: "Erreicht", Class: "bar-a"}, {Name: "Derzeit in der Stufe", Class: "bar-b"}}, values, 0, "")
		for _, o := range f.GetOutcomes() {
			p.Outcomes = append(p.Outcomes, outcomeRow{Label: label(outcomes, o.GetOutcome()), Count: int(o.GetCount())})
			p.OutcomeLabels = append(p.OutcomeLabels, label(outcomes, o.GetOutcome()))
		}
		perPilot := pilotOutcomes{Name: "pilotergebnisse", Caption: "Ergebnisse je Pilotprojekt", Head: [2]string{"Pilotprojekt", "Berufsfeld"}}
		for _, pi := range f.GetPilots() {
			perPilot.Rows = append(perPilot.Rows, pilotOutcomeFigures([2]string{pi.GetTitle(), label(occupationalFields, pi.GetField())}, pi.GetFigures()))
		}
		perField := pilotOutcomes{Name: "berufsfelder", Caption: "Ergebnisse je Berufsfeld", Head: [2]string{"Berufsfeld", "Pilotprojekte"}, SecondIsNumber: true}
		for _, fi := range f.GetOccupationalFields() {
			perField.Rows = append(perField.Rows, pilotOutcomeFigures([2]string{label(occupationalFields, fi.GetField()), number(int(fi.GetFigures().GetPilots()))}, fi.GetFigures()))
		}
		p.PilotOutcomes = []pilotOutcomes{perPilot, perField}
	}
	if !data.withDetails {
		return
	}
	p.PilotProblem = d.problem(r, "pilots", data.pilotErr)
	for _, pi := range data.pilots {
		p.Pilots = append(p.Pilots, pilotRow{Title: pi.GetTitle(), Field: label(occupationalFields, pi.GetField()),
			Partners: strings.Join(pi.GetPartners(), ", "), Places: places(pi.GetPlaces()),
			Participants: int(pi.GetParticipants()), Placements: int(pi.GetPlacements()),
			OfferedPlaces: int(pi.GetOfferedPlaces()), FilledPlaces: int(pi.GetFilledPlaces())})
	}
	p.OrientProblem = d.problem(r, "orientation", data.orientErr)
	for _, e := range data.orientation {
		row := orientationRow{Date: date(e.GetDate()), Accommodation: e.GetAccommodation(), Municipality: municipality(e.GetMunicipality()),
			Partners: strings.Join(e.GetPartners(), ", "), Topics: strings.Join(e.GetTopics(), ", "), Held: "Geplant"}
		if e.GetHeld() {
			row.Held, row.Attendance, row.FollowUps = "Durchgeführt", int(e.GetAttendance()), int(e.GetFollowUpAppointments())
		}
		p.Orientation = append(p.Orientation, row)
	}
}

func pilotOutcomeFigures(lead [2]string, f *lab.PilotFigures) pilotOutcomeRow {
	row := pilotOutcomeRow{Lead: lead, Linked: int(f.GetLinkedCases()), Open: int(f.GetOpenCases()), Overdue: int(f.GetOverdueCases()),
		OfferedPlaces: int(f.GetOfferedPlaces()), FilledPlaces: int(f.GetFilledPlaces()),
		Participants: int(f.GetParticipants()), Placements: int(f.GetPlacements()), OpenPerStage: "–", PlacementRate: "–"}
	var open []string
	stages := f.GetStages()
	for _, s := range stages[:max(len(stages)-1, 0)] { // the last stage holds the closed cases
		if s.GetCurrent() > 0 {
			open = append(open, s.GetTitle()+": "+number(int(s.GetCurrent())))
		}
	}
	if len(open) > 0 {
		row.OpenPerStage = strings.Join(open, ", ")
	}
	var closed []string
	for _, o := range f.GetOutcomes() {
		row.Outcomes = append(row.Outcomes, int(o.GetCount()))
		row.Closed += int(o.GetCount())
		if o.GetCount() > 0 {
			closed = append(closed, label(outcomes, o.GetOutcome())+": "+number(int(o.GetCount())))
		}
	}
	row.OutcomeText = strings.Join(closed, ", ")
	if row.OutcomeText == "" {
		row.OutcomeText = "–"
	}
	if row.Participants > 0 {
		row.PlacementRate = percent(float64(row.Placements) / float64(row.Participants))
	}
	return row
}

func places(ids []string) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = municipality(id)
	}
	return strings.Join(names, ", ")
}

func labourTables(p *labourPage) []table {
	if p.NoData != "" {
		return nil
	}
	var ts []table
	if p.FunnelProblem == "" {
		funnel := table{Name: "trichter", Header: []string{"Stufe", "Erreicht", "Derzeit", "Davon überfällig", "Übergang zur nächsten Stufe", "Median Tage", "Abgeschlossene Aufenthalte"}}
		for _, s := range p.Stages {
			funnel.Rows = append(funnel.Rows, []string{s.Title, number(s.Reached), number(s.Current), number(s.Overdue), s.Conversion, s.MedianDays, number(s.FinishedStays)})
		}
		out := table{Name: "ergebnisse", Header: []string{"Ergebnis", "Fälle"}}
		for _, o := range p.Outcomes {
			out.Rows = append(out.Rows, []string{o.Label, number(o.Count)})
		}
		ts = append(ts, funnel, out)
		for _, po := range p.PilotOutcomes {
			ts = append(ts, pilotOutcomeTable(p.OutcomeLabels, po))
		}
	}
	if p.PilotProblem == "" {
		pilots := table{Name: "pilotprojekte", Header: []string{"Pilotprojekt", "Berufsfeld", "Partner", "Orte", "Plätze angeboten", "Plätze besetzt", "Teilnehmende", "Vermittlungen"}}
		for _, pi := range p.Pilots {
			pilots.Rows = append(pilots.Rows, []string{pi.Title, pi.Field, pi.Partners, pi.Places, number(pi.OfferedPlaces), number(pi.FilledPlaces),
				number(pi.Participants), number(pi.Placements)})
		}
		ts = append(ts, pilots)
	}
	if p.OrientProblem == "" {
		or := table{Name: "orientierung", Header: []string{"Datum", "Unterkunft", "Gemeinde", "Partner", "Themen", "Stand", "Teilnehmende", "Folgetermine"}}
		for _, e := range p.Orientation {
			or.Rows = append(or.Rows, []string{e.Date, e.Accommodation, e.Municipality, e.Partners, e.Topics, e.Held, number(e.Attendance), number(e.FollowUps)})
		}
		ts = append(ts, or)
	}
	return ts
}

// pilotOutcomeTable is the CSV of pilot outcomes, a column per outcome.
func pilotOutcomeTable(outcomeLabels []string, p pilotOutcomes) table {
	t := table{Name: p.Name, Header: append(p.Head[:], "Verknüpfte Fälle", "Offen", "Davon überfällig", "Offen je Stufe", "Abgeschlossen")}
	t.Header = append(t.Header, outcomeLabels...)
	t.Header = append(t.Header, "Plätze angeboten", "Plätze besetzt", "Teilnehmende (gemeldet)", "Vermittlungen (gemeldet)", "Vermittlungsquote")
	for _, r := range p.Rows {
		row := append(r.Lead[:], number(r.Linked), number(r.Open), number(r.Overdue), r.OpenPerStage, number(r.Closed))
		for _, n := range r.Outcomes {
			row = append(row, number(n))
		}
		t.Rows = append(t.Rows, append(row, number(r.OfferedPlaces), number(r.FilledPlaces), number(r.Participants), number(r.Placements), r.PlacementRate))
	}
	return t
}

func (d *Dashboard) labourPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	p := &labourPage{base: d.base(r, v, "Arbeitsmarkt", "arbeit")}
	if !d.connected(labourPackage) {
		p.NoData = d.labourNoData(false, nil)
	} else {
		ctx, cancel := v.callContext(r)
		defer cancel()
		d.buildLabour(r, fetchLabour(ctx, d.labour, d.cfg.LabourProcess, true), p)
	}
	if csvRequested(w, r, "arbeit", func() []table { return labourTables(p) }) {
		return
	}
	d.render(w, http.StatusOK, "labour", p)
}
