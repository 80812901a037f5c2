package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// GetMeasure returns one measure.
func (s *Service) GetMeasure(ctx context.Context, id domain.MeasureID) (v MeasureView, err error) {
	err = s.read(ctx, func(p *domain.Plan) error {
		m, ok := p.Measure(id)
		if !ok {
			return apierr.NotFound("measure %s not found", id.Number())
		}
		v = measureView(m)
		return nil
	})
	return v, err
}
