package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/measures/adapters"
	"github.com/integrationsplan/integrationsplan/services/measures/adapters/planfile"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// ImportResult counts what an import did.
type ImportResult struct {
	ActorsCreated, ActorsUnchanged     int
	MeasuresCreated, MeasuresUnchanged int
}

// ImportPlan adds the actors and measures of a plan file that are not there
// yet. An entry that exists with other content, or any invalid entry, fails
// the import before anything is written, so importing the same file twice
// changes nothing. Concurrent imports of overlapping files may each write
// part; running either again completes it.
func (s *Service) ImportPlan(ctx context.Context, content []byte, validateOnly bool) (ImportResult, error) {
	plan, err := planfile.Parse(content)
	if err != nil {
		return ImportResult{}, err
	}
	var res ImportResult
	var newActors []domain.Actor
	var newMeasures []domain.Measure
	var v apierr.Violations
	if err := s.read(ctx, func(p *domain.Plan) error {
		for _, e := range plan.Actors {
			existing, ok := p.Actor(e.Value.ID)
			switch {
			case !ok:
				newActors = append(newActors, e.Value)
			case existing.Actor == e.Value:
				res.ActorsUnchanged++
			default:
				v.Add("content", "line %d: actor %s exists with other content; the import does not change existing actors", e.Line, e.Value.ID)
			}
		}
		for _, e := range plan.Measures {
			existing, ok := p.Measure(e.Value.ID())
			switch {
			case !ok:
				newMeasures = append(newMeasures, e.Value)
			case existing.Measure.Equal(e.Value):
				res.MeasuresUnchanged++
			default:
				v.Add("content", "line %d: measure %s exists with other content; the import does not change existing measures", e.Line, e.Value.Number)
			}
		}
		return nil
	}); err != nil {
		return ImportResult{}, err
	}
	if err := v.Err(); err != nil {
		return ImportResult{}, &apierr.Error{Kind: apierr.KindFailedPrecondition, Reason: "IMPORT_CONFLICT",
			Message: "the plan file contradicts the stored plan", Violations: v}
	}
	if validateOnly {
		res.ActorsCreated, res.MeasuresCreated = len(newActors), len(newMeasures)
		return res, nil
	}
	for _, a := range newActors {
		created, err := s.createIfMissing(ctx, adapters.ActorCreated(a), func(p *domain.Plan) bool { _, ok := p.Actor(a.ID); return ok })
		if err != nil {
			return res, err
		}
		if created {
			res.ActorsCreated++
		} else {
			res.ActorsUnchanged++
		}
	}
	for _, m := range newMeasures {
		created, err := s.createIfMissing(ctx, adapters.MeasureCreated(m), func(p *domain.Plan) bool { _, ok := p.Measure(m.ID()); return ok })
		if err != nil {
			return res, err
		}
		if created {
			res.MeasuresCreated++
		} else {
			res.MeasuresUnchanged++
		}
	}
	return res, nil
}

// errExists stops a creation whose aggregate appeared meanwhile.
var errExists = apierr.AlreadyExists("exists")

func (s *Service) createIfMissing(ctx context.Context, e eventstore.Event, exists func(*domain.Plan) bool) (bool, error) {
	_, err := s.execute(ctx, eventstore.Request{}, func(p *domain.Plan) (eventstore.Event, uint64, error) {
		if exists(p) {
			return eventstore.Event{}, 0, errExists
		}
		return e, eventstore.ExpectNew, nil
	})
	if err == errExists {
		return false, nil
	}
	return err == nil, err
}
