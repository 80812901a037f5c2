package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// ReportView is the adoption report with the actors' names.
type ReportView struct {
	domain.Report
	Actors []ActorView
}

// AdoptionReport counts adoptions by status per topic field, per actor and
// for the whole plan.
func (s *Service) AdoptionReport(ctx context.Context) (r ReportView, err error) {
	err = s.read(ctx, func(p *domain.Plan) error {
		r.Report = p.Report()
		for _, a := range p.Actors() {
			r.Actors = append(r.Actors, actorView(a))
		}
		return nil
	})
	return r, err
}
