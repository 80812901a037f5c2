package app

import (
	"context"
	"slices"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/measures/adapters"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// IndicatorChange is a new definition of some fields of an indicator.
type IndicatorChange struct {
	// Indicator holds the new values of the fields in Fields.
	Indicator domain.Indicator
	// Fields names the fields to change, as in the API (display_name, …,
	// rule); empty: all.
	Fields []string
	// Etag, if not empty, must be the indicator's current version.
	Etag string
}

// UpdatableIndicatorFields are the fields UpdateIndicator changes.
var UpdatableIndicatorFields = []string{"display_name", "description", "unit", "baseline_value", "baseline_date", "target_value", "target_date", "roll_up", "rule"}

// UpdateIndicator changes an indicator's definition. A changed rule makes
// the engine compute the values again from the history of its streams.
func (s *Service) UpdateIndicator(ctx context.Context, k domain.IndicatorKey, c IndicatorChange) (IndicatorView, error) {
	if err := checkFields(c.Fields); err != nil {
		return IndicatorView{}, err
	}
	if _, err := s.execute(ctx, eventstore.Request{}, func(p *domain.Plan) (eventstore.Event, uint64, error) {
		st, err := lookupIndicator(p, k)
		if err != nil {
			return eventstore.Event{}, 0, err
		}
		if c.Etag != "" && c.Etag != eventstore.FormatVersion(st.Version) {
			return eventstore.Event{}, 0, apierr.Aborted(eventstore.FormatVersion(st.Version),
				"the indicator changed since it was read (etag %s, current %d); read it again", c.Etag, st.Version)
		}
		next, err := domain.ChangedIndicator(st.Indicator, merge(st.Indicator, c), s.catalog)
		if err != nil {
			return eventstore.Event{}, 0, err
		}
		return adapters.IndicatorChanged(next), st.Version, nil
	}); err != nil {
		return IndicatorView{}, err
	}
	return s.indicator(k)
}

func checkFields(fields []string) error {
	var v violations
	for _, f := range fields {
		if !slices.Contains(UpdatableIndicatorFields, f) {
			v.Add("update_mask", "cannot change %q; changeable: %v", f, UpdatableIndicatorFields)
		}
	}
	return v.Err()
}

// merge takes the fields of c over old.
func merge(old domain.Indicator, c IndicatorChange) domain.Indicator {
	if len(c.Fields) == 0 {
		return c.Indicator
	}
	out, in := old, c.Indicator
	for _, f := range c.Fields {
		switch f {
		case "display_name":
			out.DisplayName = in.DisplayName
		case "description":
			out.Description = in.Description
		case "unit":
			out.Unit = in.Unit
		case "baseline_value":
			out.Baseline = in.Baseline
		case "baseline_date":
			out.BaselineDate = in.BaselineDate
		case "target_value":
			out.Target = in.Target
		case "target_date":
			out.TargetDate = in.TargetDate
		case "roll_up":
			out.RollUp = in.RollUp
		case "rule":
			out.Rule = in.Rule
		}
	}
	return out
}
