package app

import (
	"context"
	"strings"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/paging"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// ListIndicators lists the indicators of one measure, or of every measure
// (empty ID) in plan order.
func (s *Service) ListIndicators(ctx context.Context, measure domain.MeasureID, size int32, token string) (Page[IndicatorView], error) {
	pg, err := paging.Parse(size, token, "indicators="+string(measure))
	if err != nil {
		return Page[IndicatorView]{}, err
	}
	var out Page[IndicatorView]
	err = s.read(ctx, func(p *domain.Plan) error {
		var states []*domain.IndicatorState
		if measure != "" {
			if _, ok := p.Measure(measure); !ok {
				return apierr.NotFound("measure %s not found", measure.Number())
			}
			states = p.Indicators(measure)
		} else {
			states = p.AllIndicators()
		}
		items := make([]IndicatorView, len(states))
		for i, st := range states {
			items[i] = indicatorView(st)
		}
		// Within a measure, indicators keep their order of definition; the
		// token is the position, tied to the filter by paging.
		pos := map[string]int{}
		for i, it := range items {
			pos[indicatorKey(it)] = i
		}
		out.TotalSize = len(items)
		out.Items, out.NextToken = paging.Cut(pg, items, indicatorKey, func(it IndicatorView, after string) bool {
			j, ok := pos[after]
			return !ok || pos[indicatorKey(it)] > j
		})
		return nil
	})
	return out, err
}

func indicatorKey(v IndicatorView) string {
	return strings.Join([]string{string(v.Measure), string(v.ID)}, "/")
}
