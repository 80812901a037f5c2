package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// GetMeasure returns one measure.
func (s *Service) GetMeasure(ctx context.Context, id domain.MeasureID) (MeasureView, error) {
	if err := s.follower.Sync(ctx); err != nil {
		return MeasureView{}, err
	}
	return s.measure(id)
}

// measure reads a measure from the read model as it is.
func (s *Service) measure(id domain.MeasureID) (v MeasureView, err error) {
	err = s.view(func(p *domain.Plan) error {
		m, ok := p.Measure(id)
		if !ok {
			return apierr.NotFound("measure %s not found", id.Number())
		}
		v = measureView(m)
		return nil
	})
	return v, err
}
