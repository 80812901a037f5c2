package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/education/adapters"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// RegisterParticipant stores the personal data under a new pseudonym, then
// records the pseudonym as an event that carries nothing else.
func (s *Service) RegisterParticipant(ctx context.Context, req eventstore.Request, pd domain.PersonalData) (ParticipantView, error) {
	pd, err := domain.NewPersonalData(pd, s.today().Year())
	if err != nil {
		return ParticipantView{}, err
	}
	id := domain.NewParticipantID(req.ID)
	if _, retried := s.follower.Request(req.ID); !retried {
		// Written before the event, so a registered participant always has
		// data; a crash in between leaves data without a participant, which
		// a retry with the same request ID completes.
		if err := s.personal.Put(ctx, id, pd); err != nil {
			return ParticipantView{}, err
		}
	}
	if _, err := s.execute(ctx, req, func(c *domain.Catalogue) (eventstore.Event, uint64, error) {
		return adapters.ParticipantRegistered(id), eventstore.ExpectNew, nil
	}); err != nil {
		return ParticipantView{}, err
	}
	return s.participant(ctx, id)
}

// participant reads a participant from the read model as it is, with the
// personal data unless erased.
func (s *Service) participant(ctx context.Context, id string) (ParticipantView, error) {
	var v ParticipantView
	if err := s.view(func(c *domain.Catalogue) error {
		p, err := lookupParticipant(c, id)
		if err == nil {
			v = participantView(p)
		}
		return err
	}); err != nil {
		return ParticipantView{}, err
	}
	if v.Erased {
		return v, nil
	}
	pd, err := s.personal.Get(ctx, id)
	switch {
	case err == adapters.ErrErased:
		// An erasure is under way: the key is gone, the event not yet written.
		v.Erased = true
	case err != nil:
		return ParticipantView{}, err
	default:
		v.Personal = &pd
	}
	return v, nil
}
