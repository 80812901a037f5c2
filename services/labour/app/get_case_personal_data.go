package app

import (
	"context"
	"errors"

	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// GetCasePersonalData returns a case's personal data; nil when erased or
// never given, with erased telling which.
func (s *Service) GetCasePersonalData(ctx context.Context, as domain.Caller, id string) (pd *domain.PersonalData, erased bool, err error) {
	c, err := s.GetCase(ctx, id)
	if err != nil {
		return nil, false, err
	}
	if err := as.MayActFor(c.Owner, "case "+c.ID); err != nil {
		return nil, false, err
	}
	if c.Erased {
		return nil, true, nil
	}
	data, err := s.personal.Get(ctx, id)
	if errors.Is(err, adapters.ErrErased) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return &data, false, nil
}
