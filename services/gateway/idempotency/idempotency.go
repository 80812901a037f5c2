// Package idempotency makes retried mutations safe: the first response to
// an idempotency key is stored and replayed to retries; the same key with
// another request is refused; a retry while the first call is still running
// is refused as a conflict instead of running twice. Entries live in Redis,
// shared by every gateway replica, or in process when there is no Redis.
package idempotency

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// Fingerprint identifies a request: the same call with the same bytes.
type Fingerprint [sha256.Size]byte

// FingerprintOf hashes a method and its request bytes.
func FingerprintOf(method string, request []byte) Fingerprint {
	h := sha256.New()
	h.Write([]byte(method))
	h.Write([]byte{0})
	h.Write(request)
	return Fingerprint(h.Sum(nil))
}

// State is what a key holds.
type State int

const (
	// Claimed: the key was free and is now held by this call.
	Claimed State = iota + 1
	// Running: another call with the key is in flight.
	Running
	// Done: a call with the key finished; its response is stored.
	Done
)

// Entry is what Begin found.
type Entry struct {
	State       State
	Fingerprint Fingerprint
	Response    []byte
}

// Store keeps the entries.
type Store interface {
	// Begin claims key for a call with fingerprint fp for at most lease,
	// or returns what the key already holds.
	Begin(ctx context.Context, key string, fp Fingerprint, lease time.Duration) (Entry, error)
	// Finish stores the response of the call holding key for retention.
	Finish(ctx context.Context, key string, fp Fingerprint, response []byte, retention time.Duration) error
	// Release frees a key whose call failed, so that a retry runs again.
	Release(ctx context.Context, key string, fp Fingerprint) error
}

// Guard runs calls at most once per key.
type Guard struct {
	store     Store
	retention time.Duration
	lease     time.Duration
	log       *slog.Logger
	// outcomes counts calls by outcome (the Outcome constants).
	outcomes *prometheus.CounterVec
}

// Outcomes counted in integrationsplan_gateway_idempotency_calls_total.
const (
	// OutcomeFirst: the key was free; the call ran.
	OutcomeFirst = "first"
	// OutcomeReplayed: the stored response was replayed.
	OutcomeReplayed = "replayed"
	// OutcomeInFlight: refused, a call with the key is running.
	OutcomeInFlight = "conflict_in_flight"
	// OutcomeMismatch: refused, the key was used for another request.
	OutcomeMismatch = "mismatch"
	// OutcomeUnavailable: refused, the store failed.
	OutcomeUnavailable = "store_unavailable"
)

// NewGuard keeps responses for retention (24 h in production). A call holds
// its key for at most lease, so a gateway that dies mid-call does not block
// the key for ever; lease must exceed the longest call.
func NewGuard(store Store, retention, lease time.Duration, log *slog.Logger) *Guard {
	return &Guard{store: store, retention: retention, lease: lease, log: log,
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "integrationsplan_gateway_idempotency_calls_total",
			Help: "Mutations with an idempotency key by outcome (first, replayed, conflict_in_flight, mismatch, store_unavailable).",
		}, []string{"outcome"})}
}

// Collector is the guard's metrics, to register with the admin registry.
func (g *Guard) Collector() prometheus.Collector { return g.outcomes }

// Do runs call once for key and fingerprint fp. It returns call's response,
// or the stored response of an earlier call with the same key and request
// (replayed true). A failed call stores nothing: its retry runs again.
func (g *Guard) Do(ctx context.Context, key string, fp Fingerprint, call func(context.Context) ([]byte, error)) (response []byte, replayed bool, err error) {
	e, err := g.store.Begin(ctx, key, fp, g.lease)
	if err != nil {
		g.log.Error("idempotency store failed; refusing the mutation", "error", err)
		g.outcomes.WithLabelValues(OutcomeUnavailable).Inc()
		return nil, false, &apierr.Error{Kind: apierr.KindUnavailable, RetryAfter: time.Second,
			Message: "idempotency keys cannot be checked right now, so the mutation was not run; retry later"}
	}
	if e.State != Claimed && e.Fingerprint != fp {
		g.outcomes.WithLabelValues(OutcomeMismatch).Inc()
		return nil, false, apierr.Invalid("idempotency-key", "this key was already used for a different request; use a new key for a new request")
	}
	switch e.State {
	case Running:
		g.outcomes.WithLabelValues(OutcomeInFlight).Inc()
		return nil, false, &apierr.Error{Kind: apierr.KindAborted, Reason: "IDEMPOTENCY_KEY_IN_USE",
			Message: "a call with this idempotency key is still running; retry after it finished to get its response"}
	case Done:
		g.outcomes.WithLabelValues(OutcomeReplayed).Inc()
		return e.Response, true, nil
	}
	g.outcomes.WithLabelValues(OutcomeFirst).Inc()
	response, err = call(ctx)
	// The outcome is recorded even if the caller has gone.
	recordCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err != nil {
		if relErr := g.store.Release(recordCtx, key, fp); relErr != nil {
			g.log.Error("idempotency key not released; retries are refused until its lease ends", "lease", g.lease, "error", relErr)
		}
		return nil, false, err
	}
	if finErr := g.store.Finish(recordCtx, key, fp, response, g.retention); finErr != nil {
		g.log.Error("idempotency response not stored; a retry after the lease ends runs again", "lease", g.lease, "error", finErr)
	}
	return response, false, nil
}

// ErrCorrupt reports an entry the store cannot read.
var ErrCorrupt = errors.New("idempotency: corrupt entry")

// Entries are stored as one state byte, the fingerprint, then the response.
func encode(s State, fp Fingerprint, response []byte) []byte {
	b := make([]byte, 0, 1+len(fp)+len(response))
	b = append(b, byte(s))
	b = append(b, fp[:]...)
	return append(b, response...)
}

func decode(b []byte) (Entry, error) {
	if len(b) < 1+sha256.Size {
		return Entry{}, fmt.Errorf("%w: %d bytes", ErrCorrupt, len(b))
	}
	e := Entry{State: State(b[0]), Response: b[1+sha256.Size:]}
	copy(e.Fingerprint[:], b[1:])
	if e.State != Running && e.State != Done {
		return Entry{}, fmt.Errorf("%w: state %d", ErrCorrupt, b[0])
	}
	return e, nil
}
