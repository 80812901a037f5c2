package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// GetMeasure returns one measure.
func (s *Service) GetMeasure(ctx context.Context, id domain.MeasureID) (v MeasureView, err error) {
	err = s.read(ctx, func(p *domain.Plan) {
		m, ok := p.Measure(id)
		if !ok {
			err = apierr.NotFound("measure %s not found", id.Number())
			return
		}
		v = measureView(m)
	})
	return v, err
}
