package dashboard

import (
	"net/http"
	"strings"
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
		}
	}
	if !data.withDetails {
		return
	}
	p.PilotProblem = d.problem(r, "pilots", data.pilotErr)
	for _, pi := range data.pilots {
		p.Pilots = append(p.Pilots, pilotRow{Title: pi.GetTitle(), Field: label(occupationalFields, pi.GetField()),
			Partners: strings.Join(pi.GetPartners(), ", "), Places: places(pi.GetPlaces()),
			Participants: int(pi.GetParticipants()), Placements: int(pi.GetPlacements())})
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
	}
	if p.PilotProblem == "" {
		pilots := table{Name: "pilotprojekte", Header: []string{"Pilotprojekt", "Berufsfeld", "Partner", "Orte", "Teilnehmende", "Vermittlungen"}}
		for _, pi := range p.Pilots {
			pilots.Rows = append(pilots.Rows, []string{pi.Title, pi.Field, pi.Partners, pi.Places, number(pi.Participants), number(pi.Placements)})
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
