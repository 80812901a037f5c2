package app

import (
	"context"
	"fmt"
	"slices"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/paging"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// MeasureFilter selects measures; zero values select all.
type MeasureFilter struct {
	TopicField       domain.TopicField
	CrossCuttingArea domain.CrossCuttingArea
	// Status selects measures where some actor (or Actor, if set) has it.
	Status domain.Status
	// Actor selects measures addressed to this actor.
	Actor domain.ActorID
}

func (f MeasureFilter) String() string {
	return fmt.Sprintf("tf=%d;cca=%d;st=%d;actor=%s", f.TopicField, f.CrossCuttingArea, f.Status, f.Actor)
}

// Page is one page of a list.
type Page[T any] struct {
	Items     []T
	NextToken string
	TotalSize int
}

// ListMeasures lists measures in plan order.
func (s *Service) ListMeasures(ctx context.Context, f MeasureFilter, size int32, token string) (Page[MeasureView], error) {
	var v apierr.Violations
	if f.TopicField != domain.TopicFieldUnspecified && !f.TopicField.Valid() {
		v.Add("topic_field", "unknown topic field %d", f.TopicField)
	}
	if f.CrossCuttingArea != domain.CrossCuttingAreaUnspecified && !f.CrossCuttingArea.Valid() {
		v.Add("cross_cutting_area", "unknown cross-cutting area %d", f.CrossCuttingArea)
	}
	if f.Status != domain.StatusUnspecified && !f.Status.Valid() {
		v.Add("adoption_status", "unknown adoption status %d", f.Status)
	}
	pg, err := paging.Parse(size, token, f.String())
	v.Merge("", err)
	if err := v.Err(); err != nil {
		return Page[MeasureView]{}, err
	}
	var out Page[MeasureView]
	err = s.read(ctx, func(p *domain.Plan) error {
		var actor *domain.ActorState
		if f.Actor != "" {
			var ok bool
			if actor, ok = p.Actor(f.Actor); !ok {
				return apierr.NotFound("actor %s not found", f.Actor)
			}
		}
		var matching []MeasureView
		for _, m := range p.Measures() {
			if matchesMeasure(p, m, f, actor) {
				matching = append(matching, measureView(m))
			}
		}
		out.TotalSize = len(matching)
		out.Items, out.NextToken = paging.Cut(pg, matching,
			func(m MeasureView) string { return m.Number },
			func(m MeasureView, after string) bool { return domain.CompareNumbers(m.Number, after) > 0 })
		return nil
	})
	return out, err
}

func matchesMeasure(p *domain.Plan, m *domain.MeasureState, f MeasureFilter, actor *domain.ActorState) bool {
	if f.TopicField != domain.TopicFieldUnspecified && m.TopicField != f.TopicField {
		return false
	}
	if f.CrossCuttingArea != domain.CrossCuttingAreaUnspecified && !slices.Contains(m.CrossCuttingAreas, f.CrossCuttingArea) {
		return false
	}
	if actor != nil {
		if !m.Addresses(actor.Kind) {
			return false
		}
		return f.Status == domain.StatusUnspecified || m.Adoption(actor).Status == f.Status
	}
	if f.Status == domain.StatusUnspecified {
		return true
	}
	for _, e := range p.Adoptions(m) {
		if e.Status == f.Status {
			return true
		}
	}
	return false
}
