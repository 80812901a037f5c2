package dashboard_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	lab "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
)

// TestLabourPage runs the labour service behind the gateway: the funnel
// counts cases per stage (no case, no name), the example pilot project and
// orientation event are listed, and every table exports.
func TestLabourPage(t *testing.T) {
	s := startStack(t, stackOptions{labour: true})
	ctx := s.as(jobcenter, "x-purpose", "Test: Fall anlegen")
	var cases []string
	for range 3 {
		r, err := s.labour.CreateCase(ctx, &lab.CreateCaseRequest{Process: "processes/standard", Owner: "jobcenter-rems-murr",
			Municipality: "backnang", PersonalData: &lab.CasePersonalData{GivenName: "Xaver", FamilyName: "Fallbeispielmann",
				Email: "xaver.f@example.org", Notes: "vertraulich"}})
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, r.GetCase().GetName())
	}
	for _, item := range []string{"consent", "documents"} {
		if _, err := s.labour.CompleteChecklistItem(ctx, &lab.CompleteChecklistItemRequest{Name: cases[0], Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.labour.AdvanceCase(ctx, &lab.AdvanceCaseRequest{Name: cases[0]}); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases[:2] {
		if _, err := s.labour.LinkCaseToPilot(ctx, &lab.LinkCaseToPilotRequest{Name: "pilots/pflege-backnang", Case: c}); err != nil {
			t.Fatal(err)
		}
	}

	c := client(t)
	s.login(t, c, s.keys[viewer], "/")
	resp, body := s.get(t, c, "/arbeit")
	if resp.StatusCode != http.StatusOK || strings.Contains(body, "Noch keine Daten") {
		t.Fatalf("labour page: %d\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{"Erstgespräch", "Kompetenzfeststellung", "Fälle gesamt", "Pilotprojekte nach Berufsfeld"} {
		if !strings.Contains(body, want) {
			t.Errorf("the labour page lacks %q", want)
		}
	}
	// The table shows the service's figures, the example data's cases
	// and these three.
	report, err := s.labour.GetFunnelReport(s.as(viewer), &lab.GetFunnelReportRequest{Process: "processes/standard"})
	if err != nil {
		t.Fatal(err)
	}
	_, funnel := s.get(t, c, "/arbeit?format=csv&tabelle=trichter")
	for _, st := range report.GetStages()[:2] {
		want := fmt.Sprintf("%s;%d;%d;%d;", st.GetTitle(), st.GetReached(), st.GetCurrent(), st.GetOverdue())
		if !strings.Contains(funnel, want) {
			t.Errorf("funnel CSV lacks %q:\n%s", want, funnel)
		}
	}
	if report.GetStages()[0].GetReached() < 3 || report.GetStages()[1].GetReached() < 1 {
		t.Fatalf("the cases are not counted: %v", report)
	}
	// The example pilot's two linked cases, one in each of the first two
	// stages, per pilot and per field; being open, they fill two of its 12
	// places.
	for name, want := range map[string]string{
		"pilotergebnisse": "Pilotprojekt Pflege Backnang (Beispieldaten);Pflege;2;2;0;Erstgespräch: 1, Kompetenzfeststellung: 1;0;0;0;0;0;0;12;2;0;0;–",
		"berufsfelder":    "Pflege;1;2;2;0;Erstgespräch: 1, Kompetenzfeststellung: 1;0;0;0;0;0;0;12;2;0;0;–",
	} {
		if _, data := s.get(t, c, "/arbeit?format=csv&tabelle="+name); !strings.Contains(data, want) {
			t.Errorf("%s CSV lacks %q:\n%s", name, want, data)
		}
	}
	_, pilots := s.get(t, c, "/arbeit?format=csv&tabelle=pilotprojekte")
	if !strings.Contains(pilots, "Plätze angeboten;Plätze besetzt;Teilnehmende;Vermittlungen") ||
		!strings.Contains(pilots, "Backnang;12;2;0;0") {
		t.Errorf("pilots CSV lacks the places:\n%s", pilots)
	}
	if !strings.Contains(body, "Ergebnisse je Pilotprojekt") || !strings.Contains(body, "Ergebnisse je Berufsfeld") {
		t.Error("the labour page lacks the pilot outcomes")
	}
	var all strings.Builder
	all.WriteString(body)
	for _, name := range []string{"ergebnisse", "pilotprojekte", "pilotergebnisse", "berufsfelder", "orientierung"} {
		resp, data := s.get(t, c, "/arbeit?format=csv&tabelle="+name)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", name, resp.StatusCode)
		}
		all.WriteString(data)
	}
	_, live := s.get(t, c, "/live")
	all.WriteString(live)
	if !strings.Contains(live, "Offene Fälle") {
		t.Errorf("the live page lacks the labour figures:\n%s", live)
	}
	for _, secret := range []string{"Xaver", "Fallbeispielmann", "xaver.f@example.org", "vertraulich", lastPart(cases[0]), lastPart(cases[1])} {
		if strings.Contains(all.String(), secret) {
			t.Errorf("the dashboard shows %q", secret)
		}
	}
}
