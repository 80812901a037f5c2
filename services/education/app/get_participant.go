package app

import "context"

// GetParticipant returns a participant with the personal data.
func (s *Service) GetParticipant(ctx context.Context, id string) (ParticipantView, error) {
	if err := s.follower.Sync(ctx); err != nil {
		return ParticipantView{}, err
	}
	return s.participant(ctx, id)
}
