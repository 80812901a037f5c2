package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// MatchView is a ranked offer with the explanation.
type MatchView struct {
	Offer   OfferView
	Score   int
	Reasons []domain.Reason
}

// Matches is the outcome of matching: ranked offers and exclusions, both cut at the limit.
type Matches struct {
	Ranked        []MatchView
	Excluded      []MatchView
	ExcludedCount int
}

// MaxMatchLimit bounds the offers one match returns.
const MaxMatchLimit = 100

// MatchOffers ranks the PLANNED and OPEN offers for an assessed participant
// through the matching index; the exclusions listed are those within the
// participant's reach.
func (s *Service) MatchOffers(ctx context.Context, id string, limit int32) (Matches, error) {
	switch {
	case limit < 0:
		return Matches{}, apierr.Invalid("limit", "must not be negative")
	case limit == 0:
		limit = 10
	case limit > MaxMatchLimit:
		limit = MaxMatchLimit
	}
	var out Matches
	err := s.read(ctx, func(c *domain.Catalogue) error {
		p, err := lookupParticipant(c, id)
		if err != nil {
			return err
		}
		if p.Assessment == nil {
			return apierr.FailedPrecondition("NOT_ASSESSED", map[string]string{"participant": id},
				"participant %s has no assessment yet; record one first", id)
		}
		m := c.MatchIndexed(*p.Assessment, s.neighbours, s.today(), int(limit))
		out.ExcludedCount = m.ExcludedCount
		for _, m := range m.Ranked {
			out.Ranked = append(out.Ranked, MatchView{Offer: offerView(m.Offer), Score: m.Score, Reasons: m.Reasons})
		}
		for _, m := range m.Excluded {
			out.Excluded = append(out.Excluded, MatchView{Offer: offerView(m.Offer), Reasons: m.Reasons})
		}
		return nil
	})
	return out, err
}
