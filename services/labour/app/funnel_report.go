package app

import (
	"context"

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

// FunnelReport computes the funnel figures of a process.
func (s *Service) FunnelReport(ctx context.Context, f FunnelFilter) (domain.Funnel, error) {
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
		return domain.Funnel{}, err
	}
	var out domain.Funnel
	err := s.read(ctx, func(l *domain.Labour) error {
		_, pv, err := lookupVersion(l, f.Process, f.Version)
		if err != nil {
			return err
		}
		var cases []*domain.Case
		for _, c := range l.Cases() {
			if c.Process == f.Process && (f.Version == 0 || c.ProcessVersion == f.Version) &&
				(f.Owner == "" || c.Owner == f.Owner) && (f.Municipality == "" || c.Municipality == f.Municipality) {
				cases = append(cases, c)
			}
		}
		out = domain.ComputeFunnel(pv.Stages, cases)
		return nil
	})
	return out, err
}
