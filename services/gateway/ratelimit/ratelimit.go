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
const DefaultLimits = "read=100/s:200;write=20/s:40;admin=5/s:10"

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

// Limiter applies the limits of each scope class per partner.
type Limiter struct {
	store  Store
	limits map[string]Limit
	// failOpen lets calls through while the store fails.
	failOpen bool
	log      *slog.Logger
}

// New limits with store; a class without a limit is unlimited.
func New(store Store, limits map[string]Limit, failOpen bool, log *slog.Logger) *Limiter {
	return &Limiter{store: store, limits: limits, failOpen: failOpen, log: log}
}

// Allow checks one call of partner in class. When the store fails, the
// call is allowed or refused as configured, and the failure is logged.
func (l *Limiter) Allow(ctx context.Context, partner, class string) (Decision, error) {
	limit, ok := l.limits[class]
	if !ok {
		return Decision{Allowed: true}, nil
	}
	d, err := l.store.Allow(ctx, partner+":"+class, limit)
	if err != nil {
		l.log.Error("rate limit store failed", "fail_open", l.failOpen, "error", err)
		if l.failOpen {
			return Decision{Allowed: true}, nil
		}
		return Decision{}, err
	}
	return d, nil
}
