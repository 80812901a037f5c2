package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// PublishProcessVersion publishes the next version of a process; the first
// creates it. Running cases keep the version they run on.
func (s *Service) PublishProcessVersion(ctx context.Context, req eventstore.Request, process, title string, stages []domain.Stage, etag string) (ProcessVersionView, error) {
	stages, err := domain.NewStages(title, stages)
	if err != nil {
		return ProcessVersionView{}, err
	}
	seq, err := s.execute(ctx, req, func(l *domain.Labour) (eventstore.Event, uint64, error) {
		pv := &domain.ProcessVersion{Process: process, Version: 1, Title: title, Stages: stages, PublishTime: s.now()}
		expected := eventstore.ExpectNew
		if p, ok := l.Process(process); ok {
			if err := checkEtag(etag, p.Revision, "process"); err != nil {
				return eventstore.Event{}, 0, err
			}
			pv.Version, expected = p.Latest().Version+1, p.Revision
		} else if etag != "" {
			return eventstore.Event{}, 0, apierr.NotFound("process %s not found; publish its first version without an etag", process)
		}
		return adapters.ProcessVersionPublished(pv), expected, nil
	})
	if err != nil {
		return ProcessVersionView{}, err
	}
	// By sequence, so a retried request returns the version it published.
	var v ProcessVersionView
	err = s.view(func(l *domain.Labour) error {
		p, _ := l.Process(process)
		for _, pv := range p.Versions {
			if pv.Seq == seq {
				v = processVersionView(p, pv)
				return nil
			}
		}
		return apierr.NotFound("the version published by request %s is not in process %s", req.ID, process)
	})
	return v, err
}
