package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// errNothingToDo ends a command whose effect is there already.
var errNothingToDo = apierr.FailedPrecondition("NOTHING_TO_DO", nil, "nothing to do")

// EraseCasePersonalData destroys a case's personal data (GDPR Art. 17) and
// records the erasure. The pseudonymous case stays, so figures stay right.
// It is idempotent: repeating it completes an interrupted erasure.
func (s *Service) EraseCasePersonalData(ctx context.Context, req eventstore.Request, as domain.Caller, id string) (CaseView, error) {
	c, err := s.GetCase(ctx, id)
	if err != nil {
		return CaseView{}, err
	}
	if err := as.MayActFor(c.Owner, "case "+c.ID); err != nil {
		return CaseView{}, err
	}
	// The key goes first: once it is destroyed the data is unreadable, even
	// if the event below is never written.
	if err := s.personal.Erase(ctx, id); err != nil {
		return CaseView{}, err
	}
	_, err = s.execute(ctx, req, func(l *domain.Labour) (eventstore.Event, uint64, error) {
		c, err := lookupCase(l, id)
		if err != nil {
			return eventstore.Event{}, 0, err
		}
		if c.Erased {
			return eventstore.Event{}, 0, errNothingToDo
		}
		return adapters.CasePersonalDataErased(id, s.now()), c.Revision, nil
	})
	if err != nil && err != errNothingToDo {
		return CaseView{}, err
	}
	return s.caseByID(id)
}
