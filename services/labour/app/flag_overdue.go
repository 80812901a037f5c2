package app

import (
	"context"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// FlagOverdue flags every open case that passed its stage's time target and
// is not flagged yet, one event per stay. Replicas may run it at once: the
// second append of a flag fails on the case's revision and is then refused.
func (s *Service) FlagOverdue(ctx context.Context) (int, error) {
	now := s.now()
	var due []string
	if err := s.read(ctx, func(l *domain.Labour) error {
		for _, c := range l.Cases() {
			if c.BecameOverdue(l.VersionOf(c), now) {
				due = append(due, c.ID)
			}
		}
		return nil
	}); err != nil {
		return 0, err
	}
	flagged := 0
	for _, id := range due {
		_, err := s.execute(ctx, eventstore.Request{}, func(l *domain.Labour) (eventstore.Event, uint64, error) {
			c, err := lookupCase(l, id)
			if err != nil {
				return eventstore.Event{}, 0, err
			}
			pv := l.VersionOf(c)
			if !c.BecameOverdue(pv, now) {
				return eventstore.Event{}, 0, errNothingToDo
			}
			dueTime, _ := c.DueTime(pv)
			return adapters.CaseOverdue(c.ID, c.Stage, dueTime, now), c.Revision, nil
		})
		switch {
		case err == errNothingToDo:
		case err != nil:
			return flagged, err
		default:
			flagged++
		}
	}
	return flagged, nil
}
