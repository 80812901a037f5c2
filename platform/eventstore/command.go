package eventstore

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// maxAttempts bounds the retries of a command whose aggregate keeps
// changing. Each conflict means another write succeeded, so the system as a
// whole progresses; the jittered pause spreads out writers that collided.
const maxAttempts = 30

// Request identifies a client request for retry safety.
type Request struct {
	// ID is the client's request ID; empty for calls that are not retry-safe.
	ID string
	// Fingerprint of the request's content, to refuse a reused ID.
	Fingerprint string
}

// Decide reads the read model and returns the event a command causes and the
// version its aggregate must still have, or why the command is refused.
type Decide func() (e Event, expected uint64, err error)

// Execute runs a command with read-your-writes: decide checks the command
// against the read model, the event is appended if the aggregate is still at
// the version decide saw, and Execute returns once the read model has applied
// it.
//
// The first attempt decides on the read model as it is, without asking the
// stream leader whether it is current: if another replica wrote to the
// aggregate meanwhile, the append fails on the version check. Only a conflict
// or a refusal costs a Sync and a second decision, so a refusal is never
// based on a stale model. A request ID seen before returns the sequence of
// its first effect.
func (s *Store) Execute(ctx context.Context, f *Follower, req Request, decide Decide) (uint64, error) {
	synced := false
	for attempt := 1; ; attempt++ {
		if req.ID != "" {
			if rec, ok := f.Request(req.ID); ok {
				if rec.Fingerprint != req.Fingerprint {
					return 0, apierr.Invalid("request_id", "was already used for a different request")
				}
				return rec.Seq, nil
			}
		}
		e, expected, err := decide()
		if err != nil {
			if synced {
				return 0, err
			}
			if err := f.Sync(ctx); err != nil {
				return 0, err
			}
			synced = true
			continue
		}
		a, err := s.Append(ctx, e, expected, WithRequest(req.ID, req.Fingerprint))
		if errors.Is(err, ErrConflict) {
			if attempt >= maxAttempts {
				return 0, &apierr.Error{Kind: apierr.KindAborted, Reason: "CONCURRENT_CHANGES",
					Message: "the resource kept changing while the command ran; read it again and retry"}
			}
			if attempt > 1 {
				select {
				case <-time.After(time.Duration(rand.Int64N(int64(attempt) * int64(time.Millisecond)))):
				case <-ctx.Done():
					return 0, ctx.Err()
				}
			}
			if err := f.Sync(ctx); err != nil {
				return 0, err
			}
			synced = true
			continue
		}
		if err != nil {
			return 0, err
		}
		if err := f.WaitFor(ctx, a.Seq); err != nil {
			return 0, err
		}
		return a.Seq, nil
	}
}
