package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// GetProcessVersion returns one version of a process; version 0 is the newest.
func (s *Service) GetProcessVersion(ctx context.Context, process string, version int32) (v ProcessVersionView, err error) {
	err = s.read(ctx, func(l *domain.Labour) error {
		p, pv, err := lookupVersion(l, process, version)
		if err == nil {
			v = processVersionView(p, pv)
		}
		return err
	})
	return v, err
}

func lookupVersion(l *domain.Labour, process string, version int32) (*domain.Process, *domain.ProcessVersion, error) {
	p, ok := l.Process(process)
	if !ok {
		return nil, nil, apierr.NotFound("process %s not found", process)
	}
	if version == 0 {
		return p, p.Latest(), nil
	}
	pv, ok := p.Version(version)
	if !ok {
		return nil, nil, apierr.NotFound("process %s has no version %d (newest: %d)", process, version, p.Latest().Version)
	}
	return p, pv, nil
}
