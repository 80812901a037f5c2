// Package app holds the labour service's use cases, one per file: commands
// check a request against the read model and append an event; queries read
// the read model after bringing it up to date.
package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// Service runs the use cases.
type Service struct {
	store     *eventstore.Store
	follower  *eventstore.Follower
	model     *adapters.ReadModel
	personal  *adapters.PersonalStore
	education adapters.Education
	log       *slog.Logger
	now       func() time.Time
	zone      *time.Location
	// wake tells the referral worker that a referral was requested.
	wake chan struct{}
}

// Deps are what the use cases run on.
type Deps struct {
	Store     *eventstore.Store
	Follower  *eventstore.Follower
	Model     *adapters.ReadModel
	Personal  *adapters.PersonalStore
	Education adapters.Education
	Log       *slog.Logger
	// Now is the clock; nil means time.Now. Tests set it to move time on.
	Now func() time.Time
}

// New returns the use cases.
func New(d Deps) *Service {
	zone, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		zone = time.UTC
	}
	now := d.Now
	if now == nil {
		now = time.Now
	}
	return &Service{
		store: d.Store, follower: d.Follower, model: d.Model, personal: d.Personal, education: d.Education,
		log: d.Log, now: now, zone: zone, wake: make(chan struct{}, 1),
	}
}

// today is the calendar day in the county, as a date at UTC midnight.
func (s *Service) today() time.Time {
	y, m, d := s.now().In(s.zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// read brings the read model up to date with the stream, then runs read on it.
func (s *Service) read(ctx context.Context, read func(*domain.Labour) error) error {
	if err := s.follower.Sync(ctx); err != nil {
		return err
	}
	return s.view(read)
}

// view runs read on the read model as it is: right after a command, which
// waited until the model applied its event, no Sync is needed.
func (s *Service) view(read func(*domain.Labour) error) (err error) {
	s.model.View(func(l *domain.Labour) { err = read(l) })
	return err
}

// execute runs a command; decide is called with the state locked for reading.
func (s *Service) execute(ctx context.Context, req eventstore.Request, decide func(*domain.Labour) (eventstore.Event, uint64, error)) (uint64, error) {
	return s.store.Execute(ctx, s.follower, req, func() (e eventstore.Event, expected uint64, err error) {
		s.model.View(func(l *domain.Labour) { e, expected, err = decide(l) })
		return e, expected, err
	})
}

// owner and receiver name who may run a case command: the owning
// organisation, or the one a transfer offers the case to.
func owner(c *domain.Case) string    { return c.Owner }
func receiver(c *domain.Case) string { return c.TransferTo }

// caseCommand runs a command on one case: it checks the caller's right (the
// organisation party names) and the etag, then decide returns the event,
// appended only if the case is still at the revision decide saw.
func (s *Service) caseCommand(ctx context.Context, req eventstore.Request, as domain.Caller, party func(*domain.Case) string, id, etag string,
	decide func(c *domain.Case, pv *domain.ProcessVersion) (eventstore.Event, error)) (CaseView, error) {
	if _, err := s.execute(ctx, req, func(l *domain.Labour) (eventstore.Event, uint64, error) {
		c, err := lookupCase(l, id)
		if err != nil {
			return eventstore.Event{}, 0, err
		}
		if err := as.MayActFor(party(c), "case "+c.ID); err != nil {
			return eventstore.Event{}, 0, err
		}
		if err := checkEtag(etag, c.Revision, "case"); err != nil {
			return eventstore.Event{}, 0, err
		}
		e, err := decide(c, l.VersionOf(c))
		return e, c.Revision, err
	}); err != nil {
		return CaseView{}, err
	}
	return s.caseByID(id)
}

func checkEtag(etag string, revision uint64, what string) error {
	if etag != "" && etag != eventstore.FormatVersion(revision) {
		return apierr.Aborted(eventstore.FormatVersion(revision),
			"the %s changed since it was read (etag %s, current %d); read it again", what, etag, revision)
	}
	return nil
}

func lookupCase(l *domain.Labour, id string) (*domain.Case, error) {
	c, ok := l.Case(id)
	if !ok {
		return nil, apierr.NotFound("case %s not found", id)
	}
	return c, nil
}

// Page is one page of a list.
type Page[T any] struct {
	Items     []T
	NextToken string
	TotalSize int
}
