package service

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/labour/app"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// The Beispieldaten: the default standard process (measure 2.5), a pilot
// project and an orientation event, all marked as example data. Every step
// has a fixed request ID, so seeding on every start writes each once and
// completes a seeding a crash interrupted.

// DefaultProcess is the ID of the example standard process.
const DefaultProcess = "standard"

// DefaultStages is the standard process from the plan: intake → competence
// analysis → recognition → career orientation → language and qualification
// → internship or trial work → placement → follow-up → closed.
var DefaultStages = []domain.Stage{
	{ID: "intake", Title: "Erstgespräch", TimeTargetDays: 14, Checklist: []domain.ChecklistItem{
		{ID: "consent", Title: "Einwilligung zur Datenverarbeitung liegt vor"},
		{ID: "documents", Title: "Unterlagen gesichtet"},
	}},
	{ID: "competence-analysis", Title: "Kompetenzfeststellung", TimeTargetDays: 30, Checklist: []domain.ChecklistItem{
		{ID: "skills-test", Title: "Standardisierter Kompetenztest (z. B. MYSKILLS) durchgeführt"},
		{ID: "language-level", Title: "Sprachstand erhoben"},
	}},
	{ID: "recognition", Title: "Anerkennung ausländischer Abschlüsse", TimeTargetDays: 120, Checklist: []domain.ChecklistItem{
		{ID: "counselling", Title: "Anerkennungsberatung erfolgt"},
		{ID: "decision", Title: "Bescheid liegt vor oder Anerkennung nicht erforderlich"},
	}},
	{ID: "career-orientation", Title: "Berufsorientierung", TimeTargetDays: 60, Checklist: []domain.ChecklistItem{
		{ID: "occupational-goal", Title: "Berufsziel vereinbart"},
	}},
	{ID: "language-qualification", Title: "Sprach- und Qualifizierungsmaßnahmen", TimeTargetDays: 270, CourseReferrals: true, Checklist: []domain.ChecklistItem{
		{ID: "course-referral", Title: "Kurszuweisung erfolgt"},
		{ID: "course-completed", Title: "Maßnahme abgeschlossen"},
	}},
	{ID: "trial-work", Title: "Praktikum oder Probearbeit", TimeTargetDays: 60, Checklist: []domain.ChecklistItem{
		{ID: "trial-completed", Title: "Praktikum oder Probearbeit absolviert"},
	}},
	{ID: "placement", Title: "Vermittlung in Ausbildung oder Arbeit", TimeTargetDays: 90, Checklist: []domain.ChecklistItem{
		{ID: "contract", Title: "Vertrag unterschrieben"},
	}},
	{ID: "follow-up", Title: "Nachbetreuung", TimeTargetDays: 180, Checklist: []domain.ChecklistItem{
		{ID: "six-month-check", Title: "Gespräch nach sechs Monaten geführt"},
	}},
	{ID: "closed", Title: "Abgeschlossen"},
}

// exampleRequest is a fixed request ID for step n of the seeding.
func exampleRequest(n int) eventstore.Request {
	return eventstore.Request{ID: fmt.Sprintf("5e1b0000-0000-4000-8000-%012x", n), Fingerprint: "exampledata"}
}

func seedExampleData(ctx context.Context, a *app.Service, log *slog.Logger) error {
	if _, err := a.PublishProcessVersion(ctx, exampleRequest(1), DefaultProcess,
		"Standardprozess Arbeitsmarktintegration (Beispieldaten)", DefaultStages, ""); err != nil {
		return err
	}
	// Two pseudonymous example cases without personal data: one waiting in
	// the competence analysis, one closed with a job.
	first, err := a.CreateCase(ctx, exampleRequest(2), domain.Internal, DefaultProcess, "jobcenter-rems-murr", "backnang", domain.PersonalData{})
	if err != nil {
		return err
	}
	second, err := a.CreateCase(ctx, exampleRequest(3), domain.Internal, DefaultProcess, "agentur-fuer-arbeit-waiblingen", "waiblingen", domain.PersonalData{})
	if err != nil {
		return err
	}
	for i, item := range []string{"consent", "documents"} {
		if _, err := a.CompleteChecklistItem(ctx, exampleRequest(4+i), domain.Internal, first.ID, item, ""); err != nil {
			return err
		}
	}
	if _, err := a.AdvanceCase(ctx, exampleRequest(6), domain.Internal, first.ID, ""); err != nil {
		return err
	}
	if _, err := a.CloseCase(ctx, exampleRequest(7), domain.Internal, second.ID, domain.Employment, ""); err != nil {
		return err
	}
	if _, err := a.CreatePilotProject(ctx, exampleRequest(8), domain.Pilot{
		ID: "pflege-backnang", Field: domain.Care, Title: "Pilotprojekt Pflege Backnang (Beispieldaten)",
		Partners: []string{"Beispiel-Pflegeheim Backnang", "Agentur für Arbeit Waiblingen"}, Places: []string{"backnang"},
		OfferedPlaces: 12,
	}); err != nil {
		return err
	}
	held, err := a.CreateOrientationEvent(ctx, exampleRequest(9), domain.OrientationEvent{
		Accommodation: "GU Beispielstraße (Beispieldaten)", Municipality: "backnang", Date: "2017-10-12",
		Partners: []string{"IHK Region Stuttgart", "Agentur für Arbeit Waiblingen"}, Topics: []string{"Duale Ausbildung", "Praktikum"},
	})
	if err != nil {
		return err
	}
	// It lies in the past: held, with its attendance (orientation figures
	// and indicator 2.3 show something from the start).
	if _, err := a.RecordOrientationAttendance(ctx, exampleRequest(10), held.ID, 18, 6, ""); err != nil {
		return err
	}
	log.Info("Beispieldaten geladen (example data)", "process", DefaultProcess)
	return nil
}
