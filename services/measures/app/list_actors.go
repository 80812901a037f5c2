package app

import (
	"context"
	"fmt"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/paging"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// ListActors lists actors by ID, optionally of one kind.
func (s *Service) ListActors(ctx context.Context, kind domain.ActorKind, size int32, token string) (Page[ActorView], error) {
	var v apierr.Violations
	if kind != domain.ActorKindUnspecified && !kind.Valid() {
		v.Add("kind", "unknown actor kind %d", kind)
	}
	pg, err := paging.Parse(size, token, fmt.Sprintf("kind=%d", kind))
	v.Merge("", err)
	if err := v.Err(); err != nil {
		return Page[ActorView]{}, err
	}
	var out Page[ActorView]
	err = s.read(ctx, func(p *domain.Plan) error {
		var matching []ActorView
		for _, a := range p.Actors() {
			if kind == domain.ActorKindUnspecified || a.Kind == kind {
				matching = append(matching, actorView(a))
			}
		}
		out.TotalSize = len(matching)
		out.Items, out.NextToken = paging.Cut(pg, matching,
			func(a ActorView) string { return string(a.ID) },
			func(a ActorView, after string) bool { return string(a.ID) > after })
		return nil
	})
	return out, err
}
