package app

import (
	"context"
	"errors"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/education/adapters"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

var errErasedAlready = errors.New("erased already")

// EraseParticipant destroys the participant's personal data first, then
// records the erasure. Repeating it is harmless, so an interrupted erasure
// is completed by calling it again. The pseudonymous history stays.
func (s *Service) EraseParticipant(ctx context.Context, req eventstore.Request, id string) (ParticipantView, error) {
	if err := s.read(ctx, func(c *domain.Catalogue) error {
		_, err := lookupParticipant(c, id)
		return err
	}); err != nil {
		return ParticipantView{}, err
	}
	if err := s.personal.Erase(ctx, id); err != nil {
		return ParticipantView{}, err
	}
	_, err := s.execute(ctx, req, func(c *domain.Catalogue) (eventstore.Event, uint64, error) {
		p, err := lookupParticipant(c, id)
		if err != nil {
			return eventstore.Event{}, 0, err
		}
		if p.Erased {
			return eventstore.Event{}, 0, errErasedAlready
		}
		return adapters.ParticipantErased(id, s.now()), p.Version, nil
	})
	if err != nil && !errors.Is(err, errErasedAlready) {
		return ParticipantView{}, err
	}
	s.settle(ctx)
	return s.participant(ctx, id)
}
