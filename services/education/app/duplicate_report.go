package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// DuplicatePairView is two offers that may duplicate each other.
type DuplicatePairView struct {
	First, Second string
	Reasons       []string
}

// DuplicateReport lists every pair of active offers that may duplicate each
// other, optionally only those touching one municipality.
func (s *Service) DuplicateReport(ctx context.Context, municipality string) ([]DuplicatePairView, error) {
	if municipality != "" && !domain.ValidSlug(municipality) {
		return nil, apierr.Invalid("municipality", "must be a municipality ID such as backnang, got %q", municipality)
	}
	var out []DuplicatePairView
	err := s.read(ctx, func(c *domain.Catalogue) error {
		for _, p := range c.DuplicatePairs(s.neighbours, municipality) {
			out = append(out, DuplicatePairView{First: p.First.ID, Second: p.Second.ID, Reasons: p.Reasons})
		}
		return nil
	})
	return out, err
}
