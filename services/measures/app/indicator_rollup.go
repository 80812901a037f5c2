package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// RollUpView holds the indicators of a period rolled up.
type RollUpView struct {
	Period       domain.Period
	ByTopicField []domain.RollUpRow
	Plan         []domain.RollUpRow
}

// IndicatorRollUp rolls the values of a period up to topic fields and the plan.
func (s *Service) IndicatorRollUp(ctx context.Context, period string) (RollUpView, error) {
	p, err := domain.ParsePeriod("period", period)
	if err != nil {
		return RollUpView{}, err
	}
	out := RollUpView{Period: p}
	err = s.read(ctx, func(plan *domain.Plan) error {
		out.ByTopicField, out.Plan = domain.RollUpIndicators(s.rollUpItems(plan, p))
		return nil
	})
	return out, err
}

func (s *Service) rollUpItems(plan *domain.Plan, p domain.Period) []domain.RollUpItem {
	var items []domain.RollUpItem
	for _, m := range plan.Measures() {
		for _, st := range plan.Indicators(m.ID()) {
			items = append(items, domain.RollUpItem{TopicField: m.TopicField, Indicator: st.Indicator, Value: s.valueOf(st, p)})
		}
	}
	return items
}
