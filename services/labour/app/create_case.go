package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// CreateCase opens a case on the newest version of a process under a new
// pseudonym. Personal data, if any, goes to the erasable store only.
func (s *Service) CreateCase(ctx context.Context, req eventstore.Request, as domain.Caller, process, owner, municipality string, pd domain.PersonalData) (CaseView, error) {
	if err := domain.NewCase(owner, municipality); err != nil {
		return CaseView{}, err
	}
	if err := as.MayActFor(owner, "the cases"); err != nil {
		return CaseView{}, err
	}
	pd, err := domain.NewPersonalData(pd)
	if err != nil {
		return CaseView{}, err
	}
	// Refused before anything is stored, so bad input leaves no personal
	// data behind either.
	if err := s.read(ctx, func(l *domain.Labour) error { _, _, err := lookupVersion(l, process, 0); return err }); err != nil {
		return CaseView{}, err
	}
	id := domain.NewCaseID(req.ID)
	_, retried := s.follower.Request(req.ID)
	if !pd.Empty() && !retried {
		// Written before the event, so a case always has its data; a crash in
		// between leaves data without a case, which a retry with the same
		// request ID completes.
		if err := s.personal.Put(ctx, id, pd); err != nil {
			return CaseView{}, err
		}
	}
	if _, err := s.execute(ctx, req, func(l *domain.Labour) (eventstore.Event, uint64, error) {
		_, pv, err := lookupVersion(l, process, 0)
		if err != nil {
			return eventstore.Event{}, 0, err
		}
		return adapters.CaseOpened(domain.OpenCase(id, pv, owner, municipality, s.now())), eventstore.ExpectNew, nil
	}); err != nil {
		return CaseView{}, err
	}
	return s.caseByID(id)
}
