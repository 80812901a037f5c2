package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/measures/adapters"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// ManualEntry is a value to record for a manual indicator.
type ManualEntry struct {
	Period string
	Value  float64
	Source string
	AsOf   string
	// Etag, if not empty, must be the indicator's current version.
	Etag string
}

// RecordIndicatorValue records the value of a manual indicator for a period.
func (s *Service) RecordIndicatorValue(ctx context.Context, req eventstore.Request, k domain.IndicatorKey, e ManualEntry) (ValueView, error) {
	var recorded domain.ManualValue
	if _, err := s.execute(ctx, req, func(p *domain.Plan) (eventstore.Event, uint64, error) {
		st, err := lookupIndicator(p, k)
		if err != nil {
			return eventstore.Event{}, 0, err
		}
		if e.Etag != "" && e.Etag != eventstore.FormatVersion(st.Version) {
			return eventstore.Event{}, 0, apierr.Aborted(eventstore.FormatVersion(st.Version),
				"the indicator changed since it was read (etag %s, current %d); read it again", e.Etag, st.Version)
		}
		v, err := domain.NewManualValue(st.Indicator, e.Period, e.Value, e.Source, e.AsOf, s.today())
		if err != nil {
			return eventstore.Event{}, 0, err
		}
		recorded = v
		return adapters.IndicatorValueRecorded(k, v, s.now()), st.Version, nil
	}); err != nil {
		return ValueView{}, err
	}
	var out ValueView
	err := s.view(func(p *domain.Plan) error {
		st, err := lookupIndicator(p, k)
		if err != nil {
			return err
		}
		out = valueView(st, st.ManualValueFor(recorded.Period))
		return nil
	})
	return out, err
}
