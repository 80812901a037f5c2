// Package report renders the implementation report (Umsetzungsbericht) as
// CSV and as a printable German HTML page.
package report

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"html/template"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// CSVHeader names the CSV columns.
var CSVHeader = []string{"Handlungsfeld", "Maßnahme", "Titel", "Art", "Akteur", "Bezeichnung", "Status", "Fortschritt %", "Ausgangswert", "Zielwert", "Zieldatum", "Istwert", "Einheit", "Quelle", "Zeitpunkt"}

// CSV renders the report as semicolon-separated UTF-8 with a byte order
// mark, as German spreadsheet programs expect. One row per adoption,
// indicator (and indicator group) and change.
func CSV(r domain.ImplementationReport, zone *time.Location) []byte {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	_ = w.Write(CSVHeader)
	for _, f := range r.Fields {
		for _, m := range f.Measures {
			row := func(kind, actor, label, status, progress, baseline, target, targetDate, actual, unit, source, at string) {
				_ = w.Write([]string{f.TopicField.Label(), m.Number, m.Title, kind, actor, label, status, progress, baseline, target, targetDate, actual, unit, source, at})
			}
			for _, a := range m.Adoptions {
				row("Umsetzungsstand", a.Name, "", a.Status.Label(), progressText(a), "", "", "", "", "", "", "")
			}
			for _, i := range m.Indicators {
				actual, source := "", sourceText(i)
				if i.Value.Has {
					actual = domain.FormatNumber(i.Value.Value)
				}
				row("Indikator", i.ActorName, i.DisplayName, "", "", domain.FormatNumber(i.Baseline), domain.FormatNumber(i.Target), i.TargetDate, actual, i.Unit, source, "")
				for _, g := range slices.Sorted(maps.Keys(i.Value.ByGroup)) {
					row("Indikator nach Gruppe", g, i.DisplayName, "", "", "", "", "", domain.FormatNumber(i.Value.ByGroup[g]), i.Unit, source, "")
				}
			}
			for _, c := range m.Changes {
				row("Änderung", "", c.Text, "", "", "", "", "", "", "", "", c.Time.In(zone).Format("2006-01-02 15:04"))
			}
		}
	}
	w.Flush()
	return buf.Bytes()
}

func progressText(a domain.ReportAdoption) string {
	if a.Status.Taken() || a.Status == domain.Paused {
		return strconv.Itoa(int(a.Progress))
	}
	return ""
}

func sourceText(i domain.ReportIndicator) string {
	if i.Derived() {
		return "abgeleitet aus Ereignissen"
	}
	if i.Value.Manual != nil {
		return i.Value.Manual.Source + ", Stand " + i.Value.Manual.AsOf
	}
	if i.Value.Has {
		return "erfasst (zusammengefasst)"
	}
	return ""
}

//go:embed report.html.tmpl
var pageSource string

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"num":      domain.FormatNumber,
	"source":   sourceText,
	"progress": progressText,
	"groups":   func(m map[string]float64) []string { return slices.Sorted(maps.Keys(m)) },
	"pct": func(i domain.ReportIndicator) string {
		if !i.Value.Has || i.Target == i.Baseline {
			return ""
		}
		return strconv.Itoa(int((i.Value.Value-i.Baseline)/(i.Target-i.Baseline)*100+0.5)) + " %"
	},
}).Parse(pageSource))

// HTML renders the report as a printable German page.
func HTML(r domain.ImplementationReport, zone *time.Location, generated time.Time) (string, error) {
	var buf bytes.Buffer
	err := page.Execute(&buf, struct {
		domain.ImplementationReport
		Label     string
		FromText  string
		ToText    string
		Generated string
		Zone      *time.Location
	}{
		ImplementationReport: r, Label: r.Period.Label(),
		FromText: r.From.In(zone).Format("02.01.2006"), ToText: r.To.In(zone).Add(-time.Second).Format("02.01.2006"),
		Generated: generated.In(zone).Format("02.01.2006 15:04"), Zone: zone,
	})
	return buf.String(), err
}
