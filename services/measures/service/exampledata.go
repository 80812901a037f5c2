package service

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

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
	indicators := slices.Concat(exampledata.EducationIndicators, exampledata.LabourIndicators, exampledata.ManualIndicators)
	for _, e := range indicators {
		i := e.Indicator
		if e.Terms != nil {
			terms, err := domain.ParseTerms(e.Terms)
			if err != nil {
				return fmt.Errorf("indicator %s: %w", i.ID, err)
			}
			i.Rule = &domain.Rule{Terms: terms, Cumulative: e.Cumulative}
		}
		if _, err := a.CreateIndicator(ctx, eventstore.Request{ID: e.RequestID, Fingerprint: "exampledata"}, i); err != nil {
			return fmt.Errorf("indicator %s: %w", i.ID, err)
		}
	}
	for _, v := range exampledata.ManualValues {
		k := domain.IndicatorKey{Measure: domain.MeasureID(v.Measure), ID: domain.IndicatorID(v.Indicator)}
		if _, err := a.RecordIndicatorValue(ctx, eventstore.Request{ID: v.RequestID, Fingerprint: "exampledata"}, k,
			app.ManualEntry{Period: v.Period, Value: v.Value, Source: v.Source, AsOf: v.AsOf}); err != nil {
			return fmt.Errorf("value of %s: %w", v.Indicator, err)
		}
	}
	log.Info("Beispieldaten geladen (example data)", "actors_created", res.ActorsCreated, "measures_created", res.MeasuresCreated, "indicators", len(indicators))
	return nil
}
