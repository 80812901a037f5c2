package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// GapFilter selects gaps; zero values select all.
type GapFilter struct {
	Municipality string
	Level        domain.Level
	OpenOnly     bool
}

// SupplyGapReport lists supply and demand per municipality and level, for
// every municipality and level with waiting participants.
func (s *Service) SupplyGapReport(ctx context.Context, f GapFilter) ([]domain.Gap, error) {
	var v apierr.Violations
	if f.Municipality != "" && !domain.ValidSlug(f.Municipality) {
		v.Add("municipality", "must be a municipality ID such as backnang, got %q", f.Municipality)
	}
	if f.Level != domain.LevelUnspecified && !f.Level.Valid() {
		v.Add("level", "unknown CEFR level %d", f.Level)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out []domain.Gap
	err := s.read(ctx, func(c *domain.Catalogue) error {
		for _, g := range c.Gaps() {
			if (f.Municipality == "" || g.Municipality == f.Municipality) &&
				(f.Level == domain.LevelUnspecified || g.Level == f.Level) && (!f.OpenOnly || g.Open()) {
				out = append(out, g)
			}
		}
		return nil
	})
	return out, err
}
