package dashboard

import (
	"cmp"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	mpb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
)

// figureRow is one group's adoption figures (a topic field or an actor).
type figureRow struct {
	// group is the report's group, e.g. actors/backnang.
	group string
	Label string
	Total int
	// Counts are per status, in the order of adoptionStatuses.
	Counts   []int
	Share    float64
	Progress float64
}

func figureRows(groups []*mpb.AdoptionFigures) []figureRow {
	rows := make([]figureRow, 0, len(groups))
	for _, g := range groups {
		row := figureRow{group: g.GetGroup(), Label: g.GetLabel(), Total: int(g.GetTotal()), Share: g.GetAdoptedShare(), Progress: g.GetMeanProgressPercent()}
		if row.Label == "" {
			row.Label = g.GetGroup()
		}
		for _, s := range adoptionStatuses {
			n := 0
			for _, c := range g.GetCounts() {
				if c.GetStatus() == s {
					n = int(c.GetCount())
				}
			}
			row.Counts = append(row.Counts, n)
		}
		rows = append(rows, row)
	}
	return rows
}

var shareSeries = []chartSeries{{Name: "Anteil beschlossen", Class: "bar-a"}, {Name: "Mittlerer Fortschritt", Class: "bar-b"}}

func figureChart(id, title string, rows []figureRow) chart {
	values := make([]chartValue, len(rows))
	for i, r := range rows {
		values[i] = chartValue{Label: r.Label, Values: []float64{r.Share * 100, r.Progress},
			Texts: []string{percent(r.Share), decimal(r.Progress) + " %"}}
	}
	return newChart(id, title, shareSeries, values, 100, " %")
}

func figureTable(name, group string, rows []figureRow) table {
	t := table{Name: name, Header: []string{group, "Adressierte Akteure × Maßnahmen"}}
	for _, s := range adoptionStatuses {
		t.Header = append(t.Header, adoption(s).Label)
	}
	t.Header = append(t.Header, "Anteil beschlossen", "Mittlerer Fortschritt")
	for _, r := range rows {
		row := []string{r.Label, number(r.Total)}
		for _, n := range r.Counts {
			row = append(row, number(n))
		}
		t.Rows = append(t.Rows, append(row, percent(r.Share), decimal(r.Progress)+" %"))
	}
	return t
}

// matrix is the measures × actors table of adoption statuses.
type matrix struct {
	Actors []matrixActor
	Groups []matrixGroup
}

type matrixActor struct{ ID, Name string }

type matrixGroup struct {
	Label string
	Rows  []matrixRow
}

type matrixRow struct {
	ID, Number, Title string
	Cells             []matrixCell
}

type matrixCell struct {
	ID        string
	Addressed bool
	Status    string
	Info      statusInfo
	// Progress is shown while in progress or paused.
	Progress     int
	ShowProgress bool
}

// cellText is a cell's text for the CSV export.
func (c matrixCell) cellText() string {
	if !c.Addressed {
		return "nicht adressiert"
	}
	if c.ShowProgress {
		return c.Info.Label + " (" + strconv.Itoa(c.Progress) + " %)"
	}
	return c.Info.Label
}

var kindOrder = map[mpb.ActorKind]int{
	mpb.ActorKind_ACTOR_KIND_COUNTY: 1, mpb.ActorKind_ACTOR_KIND_MUNICIPALITY: 2, mpb.ActorKind_ACTOR_KIND_JOB_CENTRE: 3,
	mpb.ActorKind_ACTOR_KIND_EMPLOYMENT_AGENCY: 4, mpb.ActorKind_ACTOR_KIND_CHAMBER: 5, mpb.ActorKind_ACTOR_KIND_EMPLOYER: 6,
	mpb.ActorKind_ACTOR_KIND_EDUCATION_PROVIDER: 7, mpb.ActorKind_ACTOR_KIND_WELFARE_ORGANISATION: 8,
	mpb.ActorKind_ACTOR_KIND_VOLUNTEER_INITIATIVE: 9,
}

// byKindAndName orders actors as the matrix's columns: the county, the
// municipalities, then the partners, each by name.
func byKindAndName(a, b *mpb.Actor) int {
	return cmp.Or(cmp.Compare(kindOrder[a.GetKind()], kindOrder[b.GetKind()]), cmp.Compare(a.GetDisplayName(), b.GetDisplayName()))
}

func buildMatrix(d *planData) matrix {
	type key struct{ measure, actor string }
	byKey := map[key]*mpb.Adoption{}
	addressed := map[string]bool{}
	for _, a := range d.adoptions {
		byKey[key{a.GetMeasure(), a.GetActor()}] = a
		addressed[a.GetActor()] = true
	}
	actors := slices.Clone(d.actors)
	slices.SortStableFunc(actors, byKindAndName)
	var m matrix
	for _, a := range actors {
		if addressed[a.GetName()] {
			m.Actors = append(m.Actors, matrixActor{ID: lastPart(a.GetName()), Name: a.GetDisplayName()})
		}
	}
	groupOf := map[mpb.TopicField]int{}
	for _, ms := range d.measures {
		gi, ok := groupOf[ms.GetTopicField()]
		if !ok {
			gi = len(m.Groups)
			groupOf[ms.GetTopicField()] = gi
			m.Groups = append(m.Groups, matrixGroup{Label: topicField(ms.GetTopicField())})
		}
		row := matrixRow{ID: lastPart(ms.GetName()), Number: ms.GetNumber(), Title: ms.GetTitle()}
		for _, a := range m.Actors {
			c := matrixCell{ID: "z-" + row.ID + "--" + a.ID}
			if ad, ok := byKey[key{ms.GetName(), "actors/" + a.ID}]; ok {
				c.Addressed, c.Status, c.Info = true, statusKey(ad.GetStatus()), adoption(ad.GetStatus())
				c.Progress = int(ad.GetProgressPercent())
				c.ShowProgress = ad.GetStatus() == mpb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS ||
					ad.GetStatus() == mpb.AdoptionStatus_ADOPTION_STATUS_PAUSED
			}
			row.Cells = append(row.Cells, c)
		}
		m.Groups[gi].Rows = append(m.Groups[gi].Rows, row)
	}
	return m
}

func matrixTable(m matrix) table {
	t := table{Name: "matrix", Header: []string{"Handlungsfeld", "Nr.", "Maßnahme"}}
	for _, a := range m.Actors {
		t.Header = append(t.Header, a.Name)
	}
	for _, g := range m.Groups {
		for _, r := range g.Rows {
			row := []string{g.Label, r.Number, r.Title}
			for _, c := range r.Cells {
				row = append(row, c.cellText())
			}
			t.Rows = append(t.Rows, row)
		}
	}
	return t
}

// legendEntry explains one status symbol.
type legendEntry struct{ statusInfo }

func legend() []legendEntry {
	out := make([]legendEntry, len(adoptionStatuses))
	for i, s := range adoptionStatuses {
		out[i] = legendEntry{adoption(s)}
	}
	return out
}

type overviewPage struct {
	base
	Problem         string
	Plan            figureRow
	StatusLabels    []string
	TopicChart      chart
	TopicRows       []figureRow
	ActorChart      chart
	ActorRows       []figureRow
	Matrix          matrix
	Legend          []legendEntry
	MeasureCount    int
	AddressedActors int
}

func statusLabels() []string {
	out := make([]string, len(adoptionStatuses))
	for i, s := range adoptionStatuses {
		out[i] = adoption(s).Label
	}
	return out
}

func (d *Dashboard) overview(w http.ResponseWriter, r *http.Request, v *viewer) {
	p := overviewPage{base: d.base(r, v, "Integrationsplan – Übersicht", "plan"), StatusLabels: statusLabels(), Legend: legend()}
	ctx, cancel := v.callContext(r)
	defer cancel()
	data, err := fetchPlan(ctx, d.measures, true)
	if err != nil {
		p.Problem = d.problem(r, "plan", err)
		if csvRequested(w, r, "plan", func() []table { return nil }) {
			return
		}
		d.render(w, problemStatus(r), "overview", p)
		return
	}
	if plan := figureRows([]*mpb.AdoptionFigures{data.report.GetPlan()}); len(plan) == 1 {
		p.Plan = plan[0]
	}
	p.Matrix = buildMatrix(data)
	p.TopicRows = figureRows(data.report.GetByTopicField())
	p.ActorRows = figureRows(data.report.GetByActor())
	// The actors in the matrix's order (by kind, then name); any other
	// after them.
	column := map[string]int{}
	for i, a := range p.Matrix.Actors {
		column["actors/"+a.ID] = i + 1
	}
	slices.SortStableFunc(p.ActorRows, func(a, b figureRow) int {
		ca, cb := column[a.group], column[b.group]
		return cmp.Compare(cmp.Or(ca, len(column)+1), cmp.Or(cb, len(column)+1))
	})
	p.TopicChart = figureChart("diagramm-handlungsfelder", "Anteil beschlossen und mittlerer Fortschritt je Handlungsfeld", p.TopicRows)
	p.ActorChart = figureChart("diagramm-akteure", "Anteil beschlossen und mittlerer Fortschritt je Akteur", p.ActorRows)
	p.MeasureCount, p.AddressedActors = len(data.measures), len(p.Matrix.Actors)
	if csvRequested(w, r, "plan", func() []table {
		return []table{figureTable("handlungsfelder", "Handlungsfeld", p.TopicRows), figureTable("akteure", "Akteur", p.ActorRows), matrixTable(p.Matrix)}
	}) {
		return
	}
	d.render(w, http.StatusOK, "overview", p)
}

type adoptionRow struct {
	Actor, Kind  string
	Info         statusInfo
	Status       string
	Progress     int
	DecidedOn    string
	DecidingBody string
	Comment      string
	Updated      string
}

type timelineRow struct {
	Time, Summary, Actor, From, To, Progress, DecidedOn, DecidingBody, Comment string
}

type measurePage struct {
	base
	Problem       string
	ID            string
	Number, Title string
	Description   string
	TopicField    string
	CrossCutting  []string
	Lead          string
	Addressed     []string
	Changed       string
	Adoptions     []adoptionRow
	ProgressChart chart
	Timeline      []timelineRow
	Legend        []legendEntry
	// Period is the year whose indicator values are shown.
	Period           string
	Indicators       []indicatorRow
	IndicatorProblem string
}

// indicatorRow is an indicator's baseline, target and value in a period.
type indicatorRow struct {
	Name, Unit, Actor                          string
	Baseline, BaselineDate, Target, TargetDate string
	Value, Reached, Source                     string
}

func indicatorRows(inds []*mpb.Indicator, values map[string]*mpb.IndicatorValue, actorName func(string) string) []indicatorRow {
	rows := make([]indicatorRow, 0, len(inds))
	for _, ind := range inds {
		row := indicatorRow{Name: ind.GetDisplayName(), Unit: ind.GetUnit(), Actor: "Maßnahme insgesamt",
			Baseline: amount(ind.GetBaselineValue()), BaselineDate: date(ind.GetBaselineDate()),
			Target: amount(ind.GetTargetValue()), TargetDate: date(ind.GetTargetDate()), Value: "–", Reached: "–"}
		if ind.GetActor() != "" {
			row.Actor = actorName(ind.GetActor())
		}
		if ind.GetRule() != nil {
			row.Source = "aus den Statusänderungen abgeleitet"
		}
		if v := values[ind.GetName()]; v.GetHasValue() {
			row.Value = amount(v.GetValue())
			if v.GetSource() != "" {
				row.Source = v.GetSource()
			}
			if v.GetAsOf() != "" {
				row.Source = strings.TrimPrefix(row.Source+", Stand "+date(v.GetAsOf()), ", ")
			}
			// The way from the baseline to the target covered so far.
			if span := ind.GetTargetValue() - ind.GetBaselineValue(); span != 0 {
				row.Reached = percent((v.GetValue() - ind.GetBaselineValue()) / span)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

var resourceID = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)

func (d *Dashboard) measure(w http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("id")
	p := measurePage{base: d.base(r, v, "Maßnahme", "plan"), ID: id, Legend: legend()}
	if !resourceID.MatchString(id) {
		p.Problem = "Diese Maßnahme gibt es nicht."
		d.render(w, http.StatusNotFound, "measure", p)
		return
	}
	ctx, cancel := v.callContext(r)
	defer cancel()
	p.Period = strconv.Itoa(time.Now().In(berlin).Year())
	data, err := fetchMeasure(ctx, d.measures, "measures/"+id, p.Period)
	if err != nil {
		code := problemStatus(r)
		if status.Code(err) == codes.NotFound || status.Code(err) == codes.InvalidArgument {
			p.Problem, code = "Diese Maßnahme gibt es nicht.", http.StatusNotFound
		} else {
			p.Problem = d.problem(r, "measure", err)
		}
		if csvRequested(w, r, "massnahme-"+id, func() []table { return nil }) {
			return
		}
		d.render(w, code, "measure", p)
		return
	}
	ms := data.measure
	p.Number, p.Title, p.Description, p.Lead = ms.GetNumber(), ms.GetTitle(), ms.GetDescription(), ms.GetLead()
	p.base.Title = "Maßnahme " + ms.GetNumber() + " – " + ms.GetTitle()
	p.TopicField = topicField(ms.GetTopicField())
	p.Changed = dateTime(ms.GetUpdateTime().AsTime())
	for _, c := range ms.GetCrossCuttingAreas() {
		p.CrossCutting = append(p.CrossCutting, label(crossCutting, c))
	}
	for _, k := range ms.GetAddressedActorKinds() {
		p.Addressed = append(p.Addressed, label(actorKinds, k))
	}
	names := map[string]*mpb.Actor{}
	for _, a := range data.actors {
		names[a.GetName()] = a
	}
	actorName := func(name string) string {
		if a, ok := names[name]; ok {
			return a.GetDisplayName()
		}
		return lastPart(name)
	}
	slices.SortStableFunc(data.adoptions, func(a, b *mpb.Adoption) int {
		return byKindAndName(names[a.GetActor()], names[b.GetActor()])
	})
	var values []chartValue
	for _, a := range data.adoptions {
		row := adoptionRow{Actor: actorName(a.GetActor()), Info: adoption(a.GetStatus()), Status: statusKey(a.GetStatus()),
			Progress: int(a.GetProgressPercent()), DecidedOn: date(a.GetDecidedOn()), DecidingBody: a.GetDecidingBody(), Comment: a.GetComment()}
		if act, ok := names[a.GetActor()]; ok {
			row.Kind = label(actorKinds, act.GetKind())
		}
		if a.GetUpdateTime() != nil {
			row.Updated = dateTime(a.GetUpdateTime().AsTime())
		}
		p.Adoptions = append(p.Adoptions, row)
		values = append(values, chartValue{Label: row.Actor, Values: []float64{float64(row.Progress)},
			Texts: []string{strconv.Itoa(row.Progress) + " % (" + row.Info.Label + ")"}})
	}
	p.ProgressChart = newChart("diagramm-fortschritt", "Fortschritt je Akteur",
		[]chartSeries{{Name: "Fortschritt", Class: "bar-b"}}, values, 100, " %")
	for _, e := range data.timeline {
		row := timelineRow{Summary: e.GetSummary(), DecidedOn: date(e.GetDecidedOn()), DecidingBody: e.GetDecidingBody(), Comment: e.GetComment()}
		if e.GetTime() != nil {
			row.Time = dateTime(e.GetTime().AsTime())
		}
		if e.GetActor() != "" {
			row.Actor = actorName(e.GetActor())
		}
		if e.GetFromStatus() != mpb.AdoptionStatus_ADOPTION_STATUS_UNSPECIFIED {
			row.From = adoption(e.GetFromStatus()).Label
		}
		if e.GetToStatus() != mpb.AdoptionStatus_ADOPTION_STATUS_UNSPECIFIED {
			row.To = adoption(e.GetToStatus()).Label
			if e.GetToStatus() == mpb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS || e.GetToStatus() == mpb.AdoptionStatus_ADOPTION_STATUS_PAUSED ||
				e.GetToStatus() == mpb.AdoptionStatus_ADOPTION_STATUS_IMPLEMENTED {
				row.Progress = strconv.Itoa(int(e.GetProgressPercent())) + " %"
			}
		}
		p.Timeline = append(p.Timeline, row)
	}
	p.Indicators = indicatorRows(data.indicators, data.values, actorName)
	if data.indicatorErr != nil {
		p.IndicatorProblem = d.problem(r, "indicators", data.indicatorErr)
	}
	if csvRequested(w, r, "massnahme-"+id, func() []table {
		adoptions := table{Name: "umsetzung", Header: []string{"Akteur", "Art", "Status", "Fortschritt", "Beschluss am", "Gremium", "Bemerkung", "Geändert"}}
		for _, a := range p.Adoptions {
			adoptions.Rows = append(adoptions.Rows, []string{a.Actor, a.Kind, a.Info.Label, strconv.Itoa(a.Progress) + " %", a.DecidedOn, a.DecidingBody, a.Comment, a.Updated})
		}
		timeline := table{Name: "verlauf", Header: []string{"Erfasst am", "Änderung", "Akteur", "Von", "Nach", "Fortschritt", "Beschluss am", "Gremium", "Bemerkung"}}
		for _, e := range p.Timeline {
			timeline.Rows = append(timeline.Rows, []string{e.Time, e.Summary, e.Actor, e.From, e.To, e.Progress, e.DecidedOn, e.DecidingBody, e.Comment})
		}
		indicators := table{Name: "indikatoren", Header: []string{"Indikator", "Einheit", "Bezug", "Ausgangswert", "Ausgangswert am",
			"Zielwert", "Ziel bis", "Wert " + p.Period, "Weg zum Ziel", "Quelle"}}
		for _, i := range p.Indicators {
			indicators.Rows = append(indicators.Rows, []string{i.Name, i.Unit, i.Actor, i.Baseline, i.BaselineDate, i.Target, i.TargetDate, i.Value, i.Reached, i.Source})
		}
		return []table{adoptions, timeline, indicators}
	}) {
		return
	}
	d.render(w, http.StatusOK, "measure", p)
}
