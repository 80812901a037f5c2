package app

import (
	"context"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/services/labour/adapters"
	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// Backoff bounds the pause between attempts to reach education.
type Backoff struct {
	Min, Max time.Duration
}

func (b Backoff) after(attempts int) time.Duration {
	d := b.Min << min(attempts-1, 20)
	if d <= 0 || d > b.Max {
		d = b.Max
	}
	// Jitter keeps replicas and cases from retrying in lockstep.
	return d/2 + rand.N(d/2+1)
}

type pendingReferral struct {
	caseID, owner, participant, offer, requestID string
}

type retryState struct {
	attempts int
	next     time.Time
}

// wakeReferrals makes the referral worker look for pending referrals now.
func (s *Service) wakeReferrals() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// SettleReferrals runs until ctx ends: it takes every pending course
// referral to education and records the result. A referral education
// cannot be reached for stays pending and is retried with backoff under the
// same request ID, so education creates it once however often it is asked;
// a restart picks pending referrals up from the read model.
func (s *Service) SettleReferrals(ctx context.Context, b Backoff) {
	retries := map[string]*retryState{}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-s.wake:
		}
		timer.Reset(s.settleDue(ctx, retries, b))
	}
}

// settleDue tries each pending referral whose backoff ran out and returns
// how long to wait for the next one.
func (s *Service) settleDue(ctx context.Context, retries map[string]*retryState, b Backoff) time.Duration {
	var pending []pendingReferral
	_ = s.view(func(l *domain.Labour) error {
		for _, c := range l.Cases() {
			if r := c.Referral; r != nil && r.State == domain.ReferralPending {
				pending = append(pending, pendingReferral{c.ID, c.Owner, r.Participant, r.Offer, r.RequestID})
			}
		}
		return nil
	})
	wait := b.Max
	seen := map[string]bool{}
	for _, p := range pending {
		seen[p.requestID] = true
		r := retries[p.requestID]
		if r != nil && time.Now().Before(r.next) {
			wait = min(wait, time.Until(r.next))
			continue
		}
		err := s.settle(ctx, p)
		if err == nil || ctx.Err() != nil {
			delete(retries, p.requestID)
			continue
		}
		if r == nil {
			r = &retryState{}
			retries[p.requestID] = r
		}
		r.attempts++
		pause := b.after(r.attempts)
		r.next = time.Now().Add(pause)
		s.log.Warn("course referral stays pending; education will be asked again", "case", p.caseID, "attempt", r.attempts, "retry_in", pause.Round(time.Millisecond), "error", err)
		// Education is most likely down or overloaded for all of them: the
		// rest wait for the next round instead of each running into the
		// deadline now.
		return min(wait, pause)
	}
	for id := range retries {
		if !seen[id] {
			delete(retries, id)
		}
	}
	return wait
}

// settle asks education for one referral and records the answer; an error
// means education could not be reached and the referral stays pending.
func (s *Service) settle(ctx context.Context, p pendingReferral) error {
	if p.offer == "" {
		offer, err := s.education.BestOffer(ctx, p.owner, p.participant)
		if adapters.IsRefused(err) {
			return s.recordReferral(ctx, p, adapters.CourseReferralFailed(p.caseID, failure(err), s.now()))
		}
		if err != nil {
			return err
		}
		// Recorded before the referral is created, so every retry names the
		// same offer under the same request ID.
		if err := s.recordReferral(ctx, p, adapters.CourseOfferChosen(p.caseID, offer, s.now())); err != nil {
			return err
		}
		p.offer = offer
	}
	referral, status, err := s.education.CreateReferral(ctx, p.owner, p.offer, p.participant, p.requestID)
	if adapters.IsRefused(err) {
		return s.recordReferral(ctx, p, adapters.CourseReferralFailed(p.caseID, failure(err), s.now()))
	}
	if err != nil {
		return err
	}
	return s.recordReferral(ctx, p, adapters.CourseReferralCreated(p.caseID, p.offer, referral, status, s.now()))
}

// recordReferral appends e if the referral is still the pending one p saw.
func (s *Service) recordReferral(ctx context.Context, p pendingReferral, e eventstore.Event) error {
	_, err := s.execute(ctx, eventstore.Request{}, func(l *domain.Labour) (eventstore.Event, uint64, error) {
		c, err := lookupCase(l, p.caseID)
		if err != nil {
			return eventstore.Event{}, 0, err
		}
		if r := c.Referral; r == nil || r.State != domain.ReferralPending || r.RequestID != p.requestID {
			return eventstore.Event{}, 0, errNothingToDo
		}
		return e, c.Revision, nil
	})
	if err == errNothingToDo {
		return nil
	}
	return err
}

// failure is education's refusal as stored in the event, bounded in length.
func failure(err error) string {
	msg := err.Error()
	if len(msg) > 300 {
		msg = strings.ToValidUTF8(msg[:300], "")
	}
	return msg
}
