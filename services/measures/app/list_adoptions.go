package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/paging"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// AdoptionFilter selects adoptions; zero values select all.
type AdoptionFilter struct {
	// Measure limits the list to one measure; empty lists every measure's.
	Measure domain.MeasureID
	Actor   domain.ActorID
	Status  domain.Status
}

// ListAdoptions lists adoptions by measure (plan order), then actor.
func (s *Service) ListAdoptions(ctx context.Context, f AdoptionFilter, size int32, token string) (Page[AdoptionView], error) {
	var v apierr.Violations
	if f.Status != domain.StatusUnspecified && !f.Status.Valid() {
		v.Add("status", "unknown adoption status %d", f.Status)
	}
	pg, err := paging.Parse(size, token, fmt.Sprintf("m=%s;a=%s;st=%d", f.Measure, f.Actor, f.Status))
	v.Merge("", err)
	if err := v.Err(); err != nil {
		return Page[AdoptionView]{}, err
	}
	var out Page[AdoptionView]
	err = s.read(ctx, func(p *domain.Plan) error {
		measures := p.Measures()
		if f.Measure != "" {
			m, ok := p.Measure(f.Measure)
			if !ok {
				return apierr.NotFound("measure %s not found", f.Measure.Number())
			}
			measures = []*domain.MeasureState{m}
		}
		if f.Actor != "" {
			if _, ok := p.Actor(f.Actor); !ok {
				return apierr.NotFound("actor %s not found", f.Actor)
			}
		}
		var matching []AdoptionView
		for _, m := range measures {
			for _, e := range p.Adoptions(m) {
				if (f.Actor == "" || e.Actor.ID == f.Actor) && (f.Status == domain.StatusUnspecified || e.Status == f.Status) {
					matching = append(matching, adoptionView(e))
				}
			}
		}
		out.TotalSize = len(matching)
		out.Items, out.NextToken = paging.Cut(pg, matching, adoptionKey, adoptionAfter)
		return nil
	})
	return out, err
}

// adoptionKey is "<measure number>/<actor>", ordered like the listing.
func adoptionKey(a AdoptionView) string { return a.Measure.Number() + "/" + string(a.Actor) }

func adoptionAfter(a AdoptionView, key string) bool {
	number, actor, _ := strings.Cut(key, "/")
	if c := domain.CompareNumbers(a.Measure.Number(), number); c != 0 {
		return c > 0
	}
	return string(a.Actor) > actor
}
