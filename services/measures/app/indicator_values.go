package app

import (
	"context"
	"strconv"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// MaxPeriods bounds the periods of one value query.
const MaxPeriods = 120

// ValueView is an indicator's value for a period, with its target.
type ValueView struct {
	Key domain.IndicatorKey
	domain.Value
	Target     float64
	TargetDate string
}

// ValuesView answers a value query.
type ValuesView struct {
	Values []ValueView
	// Positions of the source streams a derived indicator's values include.
	Positions map[string]uint64
}

// IndicatorValues returns an indicator's values for periods.
func (s *Service) IndicatorValues(ctx context.Context, k domain.IndicatorKey, periods []string) (ValuesView, error) {
	var v violations
	if len(periods) == 0 || len(periods) > MaxPeriods {
		v.Add("periods", "name 1 to %d periods (2025-03, 2025-Q1 or 2025), got %d", MaxPeriods, len(periods))
	}
	ps := make([]domain.Period, 0, len(periods))
	for i, raw := range periods {
		p, err := domain.ParsePeriod("periods["+strconv.Itoa(i)+"]", raw)
		v.Merge("", err)
		ps = append(ps, p)
	}
	if err := v.Err(); err != nil {
		return ValuesView{}, err
	}
	var out ValuesView
	err := s.read(ctx, func(p *domain.Plan) error {
		st, err := lookupIndicator(p, k)
		if err != nil {
			return err
		}
		for _, period := range ps {
			out.Values = append(out.Values, valueView(st, s.valueOf(st, period)))
		}
		if st.Derived() {
			out.Positions = s.derived.Positions()
		}
		return nil
	})
	return out, err
}

type violations = apierr.Violations

// valueOf is an indicator's value for a period, recorded or derived.
func (s *Service) valueOf(st *domain.IndicatorState, p domain.Period) domain.Value {
	if !st.Derived() {
		return st.ManualValueFor(p)
	}
	v, _ := s.derived.Value(st.Key(), p)
	return v
}

func valueView(st *domain.IndicatorState, v domain.Value) ValueView {
	return ValueView{Key: st.Key(), Value: v, Target: st.Target, TargetDate: st.TargetDate}
}
