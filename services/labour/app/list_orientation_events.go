package app

import (
	"context"
	"slices"
	"strings"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/paging"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// ListOrientationEvents lists events by date, then ID.
func (s *Service) ListOrientationEvents(ctx context.Context, municipality string, size int32, token string) (Page[domain.OrientationEvent], error) {
	var v apierr.Violations
	if municipality != "" && !domain.ValidSlug(municipality) {
		v.Add("municipality", "must be a municipality ID such as backnang, got %q", municipality)
	}
	pg, err := paging.Parse(size, token, "m="+municipality)
	v.Merge("", err)
	if err := v.Err(); err != nil {
		return Page[domain.OrientationEvent]{}, err
	}
	var out Page[domain.OrientationEvent]
	err = s.read(ctx, func(l *domain.Labour) error {
		var matching []domain.OrientationEvent
		for _, e := range l.OrientationEvents() {
			if municipality == "" || e.Municipality == municipality {
				matching = append(matching, orientationView(e))
			}
		}
		slices.SortFunc(matching, func(a, b domain.OrientationEvent) int { return strings.Compare(eventKey(a), eventKey(b)) })
		out.TotalSize = len(matching)
		out.Items, out.NextToken = paging.Cut(pg, matching, eventKey,
			func(e domain.OrientationEvent, after string) bool { return eventKey(e) > after })
		return nil
	})
	return out, err
}

// eventKey orders events by date (YYYY-MM-DD sorts as text), then ID.
func eventKey(e domain.OrientationEvent) string { return e.Date + "/" + e.ID }
