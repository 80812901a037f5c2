// Package ratelimit limits each partner's calls per scope class with GCRA
// (the generic cell rate algorithm): in Redis, shared by every gateway
// replica, or in process when there is no Redis.
package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// Limit allows Rate calls per Period with bursts of up to Burst calls.
type Limit struct {
	Rate   int
	Burst  int
	Period time.Duration
}

// DefaultLimits is the default of RATE_LIMITS (the gateway's Config tag
// repeats it: tags cannot name constants).
const DefaultLimits = "read=100/s:200;write=20/s:40;admin=5/s:10;dashboard=100/s:400"

// ParseLimits reads limits per scope class, e.g.
// "read=100/s:200,write=20/s:40,admin=60/m:10": rate per second (s) or
// minute (m), then the burst.
func ParseLimits(s string) (map[string]Limit, error) {
	limits := map[string]Limit{}
	// Entries are separated by ";" (a struct tag default cannot hold ",") or ",".
	for _, entry := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' }) {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		class, spec, ok := strings.Cut(entry, "=")
		rate, rest, ok2 := strings.Cut(spec, "/")
		unit, burst, ok3 := strings.Cut(rest, ":")
		if !ok || !ok2 || !ok3 {
			return nil, fmt.Errorf("rate limit %q: want class=rate/unit:burst, e.g. read=100/s:200", entry)
		}
		var l Limit
		var err error
		if l.Rate, err = strconv.Atoi(rate); err != nil || l.Rate < 1 {
			return nil, fmt.Errorf("rate limit %q: rate must be a positive number", entry)
		}
		if l.Burst, err = strconv.Atoi(burst); err != nil || l.Burst < 1 {
			return nil, fmt.Errorf("rate limit %q: burst must be a positive number", entry)
		}
		switch unit {
		case "s":
			l.Period = time.Second
		case "m":
			l.Period = time.Minute
		case "h":
			l.Period = time.Hour
		default:
			return nil, fmt.Errorf("rate limit %q: unit must be s, m or h", entry)
		}
		limits[strings.TrimSpace(class)] = l
	}
	return limits, nil
}

// Decision is the outcome of one call's check.
type Decision struct {
	Allowed bool
	// RetryAfter says when a refused call may be retried.
	RetryAfter time.Duration
}

// Store runs GCRA for a key.
type Store interface {
	Allow(ctx context.Context, key string, l Limit) (Decision, error)
}

// Redis keeps the limits in Redis, so every gateway replica shares them.
type Redis struct {
	limiter *redis_rate.Limiter
	prefix  string
}

// NewRedis limits in rdb under keys starting with prefix (redis_rate adds
// its own "rate:" before them).
func NewRedis(rdb *redis.Client, prefix string) *Redis {
	return &Redis{limiter: redis_rate.NewLimiter(rdb), prefix: prefix}
}

// Allow takes one call from key's allowance.
func (r *Redis) Allow(ctx context.Context, key string, l Limit) (Decision, error) {
	res, err := r.limiter.Allow(ctx, r.prefix+key, redis_rate.Limit{Rate: l.Rate, Burst: l.Burst, Period: l.Period})
	if err != nil {
		return Decision{}, err
	}
	return Decision{Allowed: res.Allowed > 0, RetryAfter: max(res.RetryAfter, 0)}, nil
}

// AllowAtMost takes up to n calls from key's allowance at once and says
// how many it took (none: refused, with the retry delay).
func (r *Redis) AllowAtMost(ctx context.Context, key string, l Limit, n int) (int, Decision, error) {
	res, err := r.limiter.AllowAtMost(ctx, r.prefix+key, redis_rate.Limit{Rate: l.Rate, Burst: l.Burst, Period: l.Period}, n)
	if err != nil {
		return 0, Decision{}, err
	}
	return res.Allowed, Decision{Allowed: res.Allowed > 0, RetryAfter: max(res.RetryAfter, 0)}, nil
}

// Memory keeps the limits in process, for a single gateway without Redis.
type Memory struct {
	mu  sync.Mutex
	tat map[string]time.Time // theoretical arrival time per key
	now func() time.Time
}

// NewMemory returns an empty in-process store.
func NewMemory() *Memory { return &Memory{tat: map[string]time.Time{}, now: time.Now} }

// Allow takes one call from key's allowance, with the same arithmetic as
// the Redis script.
func (m *Memory) Allow(_ context.Context, key string, l Limit) (Decision, error) {
	interval := l.Period / time.Duration(l.Rate)
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	tat := m.tat[key]
	if tat.Before(now) {
		tat = now
	}
	next := tat.Add(interval)
	if wait := next.Sub(now) - interval*time.Duration(l.Burst); wait > 0 {
		return Decision{RetryAfter: wait}, nil
	}
	m.tat[key] = next
	if len(m.tat) > 4096 {
		m.prune(now)
	}
	return Decision{Allowed: true}, nil
}

// prune forgets keys whose allowance is full again.
func (m *Memory) prune(now time.Time) {
	for k, tat := range m.tat {
		if tat.Before(now) {
			delete(m.tat, k)
		}
	}
}

// Leaser is a Store that can grant several calls in one round trip
// (Redis), so the Limiter can keep a short lease of them in process.
type Leaser interface {
	AllowAtMost(ctx context.Context, key string, l Limit, n int) (int, Decision, error)
}

// leaseTTL is how long calls leased from the store stay usable. A leased
// call counts in the store when its lease was taken, at most leaseTTL
// before it runs; one not used by then is lost to the partner.
const leaseTTL = 100 * time.Millisecond

// leaseSize is how many calls of l one lease takes: at most a tenth of
// the burst and what the rate earns back in leaseTTL, so a lost lease
// costs a partner no more than leaseTTL of its allowance. Small or slow
// limits (e.g. 1/h:3) get 1: every call asks the store, exactly.
func leaseSize(l Limit) int {
	n := min(l.Burst/10, int(leaseTTL*time.Duration(l.Rate)/l.Period), 100)
	return max(n, 1)
}

// lease holds calls granted by the store for one partner and class.
type lease struct {
	mu      sync.Mutex
	left    int
	expires time.Time
	// refilling is set while one call takes a new lease; calls meanwhile
	// ask the store for themselves instead of waiting for it.
	refilling bool
}

// Outcomes counted in integrationsplan_gateway_rate_limit_calls_total.
const (
	OutcomeAllowed    = "allowed"
	OutcomeLimited    = "limited"
	OutcomeFailOpen   = "fail_open"
	OutcomeFailClosed = "fail_closed"
)

// Limiter applies the limits of each scope class per partner. With a
// Leaser store, most calls are decided in process from a lease of calls
// the store granted (leaseSize, leaseTTL): the gateways together never
// allow more than the store granted, and a call refused by the store is
// refused with its retry delay.
type Limiter struct {
	store  Store
	limits map[string]Limit
	// failOpen lets calls through while the store fails.
	failOpen bool
	log      *slog.Logger
	leases   sync.Map // partner:class → *lease
	// outcomes counts decisions by scope class and outcome (no partner:
	// the label stays bounded); counted has its counters per class, looked
	// up once.
	outcomes *prometheus.CounterVec
	counted  map[string]outcomeCounters
}

type outcomeCounters struct{ allowed, limited, failOpen, failClosed prometheus.Counter }

// New limits with store; a class without a limit is unlimited.
func New(store Store, limits map[string]Limit, failOpen bool, log *slog.Logger) *Limiter {
	l := &Limiter{store: store, limits: limits, failOpen: failOpen, log: log,
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "integrationsplan_gateway_rate_limit_calls_total",
			Help: "Rate limit decisions by scope class and outcome (allowed, limited, fail_open, fail_closed).",
		}, []string{"class", "outcome"}),
		counted: map[string]outcomeCounters{}}
	for class := range limits {
		l.counted[class] = outcomeCounters{
			allowed: l.outcomes.WithLabelValues(class, OutcomeAllowed), limited: l.outcomes.WithLabelValues(class, OutcomeLimited),
			failOpen: l.outcomes.WithLabelValues(class, OutcomeFailOpen), failClosed: l.outcomes.WithLabelValues(class, OutcomeFailClosed),
		}
	}
	return l
}

// Collector is the limiter's metrics, to register with the admin registry.
func (l *Limiter) Collector() prometheus.Collector { return l.outcomes }

// Allow checks one call of partner in class. When the store fails, the
// call is allowed or refused as configured, and the failure is logged.
func (l *Limiter) Allow(ctx context.Context, partner, class string) (Decision, error) {
	limit, ok := l.limits[class]
	if !ok {
		return Decision{Allowed: true}, nil
	}
	count := l.counted[class]
	d, err := l.decide(ctx, partner+":"+class, limit)
	if err != nil {
		l.log.Error("rate limit store failed", "fail_open", l.failOpen, "error", err)
		if l.failOpen {
			count.failOpen.Inc()
			return Decision{Allowed: true}, nil
		}
		count.failClosed.Inc()
		return Decision{}, err
	}
	if d.Allowed {
		count.allowed.Inc()
	} else {
		count.limited.Inc()
	}
	return d, nil
}

// decide takes the call from key's lease or, when it is empty, from the
// store (taking a new lease if the store is a Leaser).
func (l *Limiter) decide(ctx context.Context, key string, limit Limit) (Decision, error) {
	leaser, ok := l.store.(Leaser)
	n := leaseSize(limit)
	if !ok || n == 1 {
		return l.store.Allow(ctx, key, limit)
	}
	v, _ := l.leases.Load(key)
	if v == nil {
		v, _ = l.leases.LoadOrStore(key, &lease{})
	}
	ls := v.(*lease)
	ls.mu.Lock()
	if ls.left > 0 && time.Now().Before(ls.expires) {
		ls.left--
		ls.mu.Unlock()
		return Decision{Allowed: true}, nil
	}
	if ls.refilling {
		ls.mu.Unlock()
		return l.store.Allow(ctx, key, limit)
	}
	ls.refilling = true
	ls.mu.Unlock()
	taken := time.Now()
	granted, d, err := leaser.AllowAtMost(ctx, key, limit, n)
	ls.mu.Lock()
	ls.refilling = false
	if err == nil && granted > 1 {
		ls.left, ls.expires = granted-1, taken.Add(leaseTTL)
	}
	ls.mu.Unlock()
	return d, err
}
