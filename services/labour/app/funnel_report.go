package app

import (
	"context"
	"slices"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// FunnelFilter selects the cases of a funnel report.
type FunnelFilter struct {
	Process string
	// Version 0 takes every version's cases and the newest version's stages.
	Version      int32
	Owner        string
	Municipality string
}

// FunnelReportView is the funnel of the selected cases with the pilot
// outcomes.
type FunnelReportView struct {
	domain.Funnel
	Pilots domain.PilotReport
}

// FunnelReport computes the funnel figures of a process and the pilot
// outcomes of the same cases.
func (s *Service) FunnelReport(ctx context.Context, f FunnelFilter) (FunnelReportView, error) {
	var v apierr.Violations
	if f.Version < 0 {
		v.Add("version", "must be 0 (all versions) or a version number, got %d", f.Version)
	}
	if f.Owner != "" && !domain.ValidSlug(f.Owner) {
		v.Add("owner", "must be an organisation ID such as jobcenter-rems-murr, got %q", f.Owner)
	}
	if f.Municipality != "" && !domain.ValidSlug(f.Municipality) {
		v.Add("municipality", "must be a municipality ID such as backnang, got %q", f.Municipality)
	}
	if err := v.Err(); err != nil {
		return FunnelReportView{}, err
	}
	var out FunnelReportView
	err := s.read(ctx, func(l *domain.Labour) error {
		_, pv, err := lookupVersion(l, f.Process, f.Version)
		if err != nil {
			return err
		}
		out.Funnel = domain.ComputeFunnel(pv.Stages, slices.DeleteFunc(l.Cases(), f.excludes))
		matching := func(p *domain.Pilot) []*domain.Case { return slices.DeleteFunc(l.LinkedCases(p), f.excludes) }
		var pilots []*domain.Pilot
		for _, p := range l.Pilots() {
			// A pilot names the municipalities it runs in; its linked cases may
			// live elsewhere.
			if f.Municipality == "" || slices.Contains(p.Places, f.Municipality) || len(matching(p)) > 0 {
				pilots = append(pilots, p)
			}
		}
		out.Pilots = domain.ComputePilotReport(pv.Stages, pilots, matching)
		return nil
	})
	return out, err
}

// excludes reports whether a case is outside the filter.
func (f FunnelFilter) excludes(c *domain.Case) bool {
	return c.Process != f.Process || (f.Version != 0 && c.ProcessVersion != f.Version) ||
		(f.Owner != "" && c.Owner != f.Owner) || (f.Municipality != "" && c.Municipality != f.Municipality)
}
