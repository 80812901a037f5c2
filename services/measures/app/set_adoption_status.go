package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/measures/adapters"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// SetAdoptionStatus records an actor's decision on a measure. etag, if not
// empty, must be the adoption's current version.
func (s *Service) SetAdoptionStatus(ctx context.Context, req eventstore.Request, mid domain.MeasureID, aid domain.ActorID, d domain.Decision, etag string) (AdoptionView, error) {
	if _, err := s.execute(ctx, req, func(p *domain.Plan) (eventstore.Event, uint64, error) {
		m, actor, err := lookupAdoption(p, mid, aid)
		if err != nil {
			return eventstore.Event{}, 0, err
		}
		current := m.Adoption(actor)
		if etag != "" && etag != eventstore.FormatVersion(current.Version) {
			return eventstore.Event{}, 0, apierr.Aborted(eventstore.FormatVersion(current.Version),
				"the adoption changed since it was read (etag %s, current %d); read it again", etag, current.Version)
		}
		next, err := current.Decide(d, s.today())
		if err != nil {
			return eventstore.Event{}, 0, err
		}
		return adapters.AdoptionStatusChanged(mid, aid, current.Status, next, s.now()), m.Version, nil
	}); err != nil {
		return AdoptionView{}, err
	}
	return s.adoption(mid, aid)
}

// adoption reads an adoption from the read model as it is.
func (s *Service) adoption(mid domain.MeasureID, aid domain.ActorID) (v AdoptionView, err error) {
	err = s.view(func(p *domain.Plan) error {
		m, a, err := lookupAdoption(p, mid, aid)
		if err != nil {
			return err
		}
		v = adoptionView(domain.AdoptionEntry{Measure: m, Actor: a, Adoption: m.Adoption(a)})
		return nil
	})
	return v, err
}

func lookupAdoption(p *domain.Plan, mid domain.MeasureID, aid domain.ActorID) (*domain.MeasureState, *domain.ActorState, error) {
	m, ok := p.Measure(mid)
	if !ok {
		return nil, nil, apierr.NotFound("measure %s not found", mid.Number())
	}
	a, ok := p.Actor(aid)
	if !ok {
		return nil, nil, apierr.NotFound("actor %s not found", aid)
	}
	if !m.Addresses(a.Kind) {
		return nil, nil, apierr.NotFound("measure %s has no adoption by %s: it is not offered to actors of kind %s", m.Number, a.ID, a.Kind.Label())
	}
	return m, a, nil
}
