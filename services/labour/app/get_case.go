package app

import "context"

// GetCase returns one case, without personal data.
func (s *Service) GetCase(ctx context.Context, id string) (CaseView, error) {
	if err := s.follower.Sync(ctx); err != nil {
		return CaseView{}, err
	}
	return s.caseByID(id)
}
