package app

import (
	"context"
	"fmt"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/paging"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// ListPilotProjects lists pilots by ID, optionally of one field.
func (s *Service) ListPilotProjects(ctx context.Context, field domain.OccupationalField, size int32, token string) (Page[PilotView], error) {
	var v apierr.Violations
	if field != domain.OccupationalFieldUnspecified && !field.Valid() {
		v.Add("field", "unknown occupational field %d", field)
	}
	pg, err := paging.Parse(size, token, fmt.Sprintf("field=%d", field))
	v.Merge("", err)
	if err := v.Err(); err != nil {
		return Page[PilotView]{}, err
	}
	var out Page[PilotView]
	err = s.read(ctx, func(l *domain.Labour) error {
		var matching []PilotView
		for _, p := range l.Pilots() {
			if field == domain.OccupationalFieldUnspecified || p.Field == field {
				matching = append(matching, pilotView(l, p))
			}
		}
		out.TotalSize = len(matching)
		out.Items, out.NextToken = paging.Cut(pg, matching,
			func(p PilotView) string { return p.ID },
			func(p PilotView, after string) bool { return p.ID > after })
		return nil
	})
	return out, err
}
