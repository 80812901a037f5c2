package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/measures/adapters"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// DeleteIndicator retires an indicator. Its events stay in the history, so
// its ID is not given out again.
func (s *Service) DeleteIndicator(ctx context.Context, k domain.IndicatorKey, etag string) error {
	_, err := s.execute(ctx, eventstore.Request{}, func(p *domain.Plan) (eventstore.Event, uint64, error) {
		st, err := lookupIndicator(p, k)
		if err != nil {
			return eventstore.Event{}, 0, err
		}
		if etag != "" && etag != eventstore.FormatVersion(st.Version) {
			return eventstore.Event{}, 0, apierr.Aborted(eventstore.FormatVersion(st.Version),
				"the indicator changed since it was read (etag %s, current %d); read it again", etag, st.Version)
		}
		return adapters.IndicatorDeleted(k), st.Version, nil
	})
	return err
}
