package service

import (
	"context"
	"log/slog"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/measures/app"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
	"github.com/integrationsplan/integrationsplan/services/measures/exampledata"
)

// seedExampleData loads the Beispieldaten. Both steps are idempotent (the
// import skips what exists, each decision has a fixed request ID), so it runs
// on every start and completes a seeding a crash interrupted.
func seedExampleData(ctx context.Context, a *app.Service, log *slog.Logger) error {
	res, err := a.ImportPlan(ctx, exampledata.Plan, false)
	if err != nil {
		return err
	}
	for _, d := range exampledata.Decisions {
		req := eventstore.Request{ID: d.RequestID, Fingerprint: "exampledata"}
		if _, err := a.SetAdoptionStatus(ctx, req, domain.MeasureID(d.Measure), domain.ActorID(d.Actor), domain.Decision{
			To: d.Status, Progress: d.Progress, DecidedOn: d.DecidedOn, DecidingBody: d.DecidingBody, Comment: exampledata.Comment,
		}, ""); err != nil {
			return err
		}
	}
	log.Info("Beispieldaten geladen (example data)", "actors_created", res.ActorsCreated, "measures_created", res.MeasuresCreated)
	return nil
}
