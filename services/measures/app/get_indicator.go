package app

import (
	"time"

	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// IndicatorView is an indicator as a caller sees it.
type IndicatorView struct {
	domain.Indicator
	Version    uint64
	CreateTime time.Time
}

// GetIndicator returns one indicator.
func (s *Service) GetIndicator(ctx context.Context, k domain.IndicatorKey) (IndicatorView, error) {
	if err := s.follower.Sync(ctx); err != nil {
		return IndicatorView{}, err
	}
	return s.indicator(k)
}

// indicator reads an indicator from the read model as it is.
func (s *Service) indicator(k domain.IndicatorKey) (v IndicatorView, err error) {
	err = s.view(func(p *domain.Plan) error {
		st, err := lookupIndicator(p, k)
		if err != nil {
			return err
		}
		v = indicatorView(st)
		return nil
	})
	return v, err
}

func lookupIndicator(p *domain.Plan, k domain.IndicatorKey) (*domain.IndicatorState, error) {
	if _, ok := p.Measure(k.Measure); !ok {
		return nil, apierr.NotFound("measure %s not found", k.Measure.Number())
	}
	st, ok := p.Indicator(k)
	if !ok {
		return nil, apierr.NotFound("indicator %s of measure %s not found", k.ID, k.Measure.Number())
	}
	return st, nil
}
