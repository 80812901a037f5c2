package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// MigrateCase moves an open case to a newer version of its process, in the
// same stage; completed checklist items carry over.
func (s *Service) MigrateCase(ctx context.Context, req eventstore.Request, as domain.Caller, id, process string, version int32, etag string) (CaseView, error) {
	var target *domain.ProcessVersion
	if err := s.read(ctx, func(l *domain.Labour) (err error) {
		_, target, err = lookupVersion(l, process, version)
		return err
	}); err != nil {
		return CaseView{}, err
	}
	return s.caseCommand(ctx, req, as, owner, id, etag, func(c *domain.Case, _ *domain.ProcessVersion) (eventstore.Event, error) {
		if err := c.CheckMigrate(target); err != nil {
			return eventstore.Event{}, err
		}
		return adapters.CaseMigrated(c, target.Version, s.now()), nil
	})
}
