package app

import (
	"context"
	"strconv"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/paging"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// TimelineView is one change of a measure, with the actor's name.
type TimelineView struct {
	domain.TimelineEntry
	ActorName string
}

// MeasureTimeline lists a measure's changes, oldest first.
func (s *Service) MeasureTimeline(ctx context.Context, id domain.MeasureID, size int32, token string) (Page[TimelineView], error) {
	pg, err := paging.Parse(size, token, "timeline="+string(id))
	if err != nil {
		return Page[TimelineView]{}, err
	}
	var out Page[TimelineView]
	err = s.read(ctx, func(p *domain.Plan) error {
		m, ok := p.Measure(id)
		if !ok {
			return apierr.NotFound("measure %s not found", id.Number())
		}
		entries := make([]TimelineView, len(m.Timeline))
		for i, e := range m.Timeline {
			entries[i] = TimelineView{TimelineEntry: e}
			if a, ok := p.Actor(e.Actor); ok {
				entries[i].ActorName = a.DisplayName
			}
		}
		out.TotalSize = len(entries)
		out.Items, out.NextToken = paging.Cut(pg, entries,
			func(e TimelineView) string { return strconv.FormatUint(e.Version, 10) },
			func(e TimelineView, after string) bool {
				v, _ := strconv.ParseUint(after, 10, 64)
				return e.Version > v
			})
		return nil
	})
	return out, err
}
