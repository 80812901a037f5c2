package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"
)

func TestParseLimits(t *testing.T) {
	got, err := ParseLimits("read=100/s:200, write=20/m:5,admin=1/h:1")
	if err != nil {
		t.Fatal(err)
	}
	if got["read"] != (Limit{100, 200, time.Second}) || got["write"] != (Limit{20, 5, time.Minute}) || got["admin"] != (Limit{1, 1, time.Hour}) {
		t.Fatalf("%v", got)
	}
	for _, bad := range []string{"read", "read=100", "read=100/s", "read=0/s:1", "read=1/s:0", "read=1/d:1", "read=x/s:1"} {
		if _, err := ParseLimits(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// testStores are the in-process store and one in the test Redis.
func testStores(t *testing.T) map[string]Store {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("this test needs Redis on 127.0.0.1:6379: %v", err)
	}
	prefix := fmt.Sprintf("test:%s:%d:", t.Name(), time.Now().UnixNano())
	t.Cleanup(func() {
		keys, _ := rdb.Keys(context.Background(), "*"+prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(context.Background(), keys...)
		}
	})
	return map[string]Store{"memory": NewMemory(), "redis": NewRedis(rdb, prefix)}
}

// TestBurstThenRefused: both stores allow the burst, then refuse with a
// retry delay of about one emission interval.
func TestBurstThenRefused(t *testing.T) {
	for name, store := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			l := Limit{Rate: 1, Burst: 3, Period: time.Minute}
			for i := range 3 {
				d, err := store.Allow(context.Background(), "p:read", l)
				if err != nil || !d.Allowed {
					t.Fatalf("call %d: %+v, %v", i+1, d, err)
				}
			}
			d, err := store.Allow(context.Background(), "p:read", l)
			if err != nil || d.Allowed || d.RetryAfter <= 50*time.Second || d.RetryAfter > time.Minute {
				t.Fatalf("over the burst: %+v, %v", d, err)
			}
			if d, _ := store.Allow(context.Background(), "q:read", l); !d.Allowed {
				t.Fatal("another key shares the allowance")
			}
		})
	}
}

func TestMemoryRefills(t *testing.T) {
	m := NewMemory()
	now := time.Unix(0, 0)
	m.now = func() time.Time { return now }
	l := Limit{Rate: 10, Burst: 1, Period: time.Second}
	if d, _ := m.Allow(context.Background(), "k", l); !d.Allowed {
		t.Fatal("first call refused")
	}
	if d, _ := m.Allow(context.Background(), "k", l); d.Allowed || d.RetryAfter != 100*time.Millisecond {
		t.Fatalf("second call: %+v", d)
	}
	now = now.Add(100 * time.Millisecond)
	if d, _ := m.Allow(context.Background(), "k", l); !d.Allowed {
		t.Fatal("refilled call refused")
	}
}

type failing struct{}

func (failing) Allow(context.Context, string, Limit) (Decision, error) {
	return Decision{}, errors.New("redis down")
}

func TestStoreFailure(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	limits := map[string]Limit{"read": {1, 1, time.Second}}
	open := New(failing{}, limits, true, log)
	if d, err := open.Allow(context.Background(), "p", "read"); err != nil || !d.Allowed {
		t.Fatalf("fail open: %+v, %v", d, err)
	}
	closed := New(failing{}, limits, false, log)
	if _, err := closed.Allow(context.Background(), "p", "read"); err == nil {
		t.Fatal("fail closed let the call through")
	}
	if n := testutil.ToFloat64(open.outcomes.WithLabelValues("read", OutcomeFailOpen)); n != 1 {
		t.Errorf("fail_open counted %v", n)
	}
	if n := testutil.ToFloat64(closed.outcomes.WithLabelValues("read", OutcomeFailClosed)); n != 1 {
		t.Errorf("fail_closed counted %v", n)
	}
	if d, err := New(failing{}, limits, false, log).Allow(context.Background(), "p", "write"); err != nil || !d.Allowed {
		t.Fatalf("a class without a limit: %+v, %v", d, err)
	}
}

func TestLeaseSize(t *testing.T) {
	for _, c := range []struct {
		l    Limit
		want int
	}{
		{Limit{Rate: 1, Burst: 3, Period: time.Hour}, 1},
		{Limit{Rate: 100, Burst: 200, Period: time.Second}, 10},
		{Limit{Rate: 20, Burst: 40, Period: time.Second}, 2},
		{Limit{Rate: 1000, Burst: 50, Period: time.Second}, 5},
		{Limit{Rate: 1000000, Burst: 1000000, Period: time.Second}, 100},
	} {
		if got := leaseSize(c.l); got != c.want {
			t.Errorf("leaseSize(%+v) = %d, want %d", c.l, got, c.want)
		}
	}
}

// countingRedis counts the round trips to Redis.
type countingRedis struct {
	*Redis
	trips atomic.Int64
}

func (c *countingRedis) Allow(ctx context.Context, key string, l Limit) (Decision, error) {
	c.trips.Add(1)
	return c.Redis.Allow(ctx, key, l)
}

func (c *countingRedis) AllowAtMost(ctx context.Context, key string, l Limit, n int) (int, Decision, error) {
	c.trips.Add(1)
	return c.Redis.AllowAtMost(ctx, key, l, n)
}

// TestLeasesShareTheLimit: two limiters (two gateways) on one Redis take
// calls in leases: together they allow the burst, less at most what their
// leases hold, plus what the rate earned meanwhile; never more. Most calls
// skip the round trip, and a refused call carries a retry delay.
func TestLeasesShareTheLimit(t *testing.T) {
	redisStore := testStores(t)["redis"].(*Redis)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	l := Limit{Rate: 6000, Burst: 100, Period: time.Minute} // leases of 10
	stores := []*countingRedis{{Redis: redisStore}, {Redis: redisStore}}
	limiters := []*Limiter{
		New(stores[0], map[string]Limit{"read": l}, false, log),
		New(stores[1], map[string]Limit{"read": l}, false, log),
	}
	start := time.Now()
	allowed, calls := 0, 0
	var refused Decision
	for refusedBoth := 0; refusedBoth < 2 && calls < 1000; {
		refusedBoth = 0
		for _, lim := range limiters {
			d, err := lim.Allow(context.Background(), "p", "read")
			if err != nil {
				t.Fatal(err)
			}
			calls++
			if d.Allowed {
				allowed++
			} else {
				refused = d
				refusedBoth++
			}
		}
	}
	earned := int(time.Since(start) * time.Duration(l.Rate) / l.Period)
	if allowed < l.Burst-2*leaseSize(l) || allowed > l.Burst+earned+1 {
		t.Fatalf("allowed %d calls of a burst of %d (%d earned meanwhile)", allowed, l.Burst, earned)
	}
	if refused.RetryAfter <= 0 {
		t.Fatalf("refused without a retry delay: %+v", refused)
	}
	if trips := stores[0].trips.Load() + stores[1].trips.Load(); trips > int64(calls)/3 {
		t.Fatalf("%d round trips for %d calls", trips, calls)
	}
}
