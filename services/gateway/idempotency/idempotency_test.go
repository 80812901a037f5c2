package idempotency

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

func testStores(t *testing.T) map[string]Store {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("this test needs Redis on 127.0.0.1:6379: %v", err)
	}
	prefix := fmt.Sprintf("test:%s:%d:", t.Name(), time.Now().UnixNano())
	t.Cleanup(func() {
		keys, _ := rdb.Keys(context.Background(), prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(context.Background(), keys...)
		}
	})
	return map[string]Store{"memory": NewMemory(), "redis": NewRedis(rdb, prefix)}
}

func TestGuard(t *testing.T) {
	for name, store := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			g := NewGuard(store, time.Hour, time.Minute, slog.New(slog.NewTextHandler(io.Discard, nil)))
			ctx := context.Background()
			fp := FingerprintOf("/svc/M", []byte("request"))
			runs := 0
			call := func(context.Context) ([]byte, error) { runs++; return []byte("response"), nil }

			for i, wantReplayed := range []bool{false, true} {
				resp, replayed, err := g.Do(ctx, "k", fp, call)
				if err != nil || string(resp) != "response" || replayed != wantReplayed {
					t.Fatalf("call %d: %q, %v, %v", i+1, resp, replayed, err)
				}
			}
			if runs != 1 {
				t.Fatalf("ran %d times", runs)
			}
			if _, _, err := g.Do(ctx, "k", FingerprintOf("/svc/M", []byte("other")), call); !apierr.IsKind(err, apierr.KindInvalidArgument) {
				t.Fatalf("another request under the key: %v", err)
			}

			// A call in flight: a retry is a conflict and does not run.
			_, _, err := g.Do(ctx, "busy", fp, func(context.Context) ([]byte, error) {
				_, _, err := g.Do(ctx, "busy", fp, call)
				return nil, err
			})
			if !apierr.IsKind(err, apierr.KindAborted) || runs != 1 {
				t.Fatalf("retry while in flight: %v, runs %d", err, runs)
			}

			// A failed call stores nothing: its retry runs.
			boom := errors.New("boom")
			if _, _, err := g.Do(ctx, "fails", fp, func(context.Context) ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
				t.Fatal(err)
			}
			if _, replayed, err := g.Do(ctx, "fails", fp, call); err != nil || replayed || runs != 2 {
				t.Fatalf("retry after a failure: %v, %v, runs %d", replayed, err, runs)
			}
		})
	}
}

func TestLeaseEnds(t *testing.T) {
	m := NewMemory()
	now := time.Unix(0, 0)
	m.now = func() time.Time { return now }
	fp := FingerprintOf("/svc/M", nil)
	if e, _ := m.Begin(context.Background(), "k", fp, time.Minute); e.State != Claimed {
		t.Fatalf("%+v", e)
	}
	if e, _ := m.Begin(context.Background(), "k", fp, time.Minute); e.State != Running {
		t.Fatalf("%+v", e)
	}
	now = now.Add(time.Minute)
	if e, _ := m.Begin(context.Background(), "k", fp, time.Minute); e.State != Claimed {
		t.Fatalf("after the lease: %+v", e)
	}
}

func TestRedisDown(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	g := NewGuard(NewRedis(rdb, "x:"), time.Hour, time.Minute, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ran := false
	_, _, err := g.Do(context.Background(), "k", FingerprintOf("/svc/M", nil), func(context.Context) ([]byte, error) { ran = true; return nil, nil })
	if !apierr.IsKind(err, apierr.KindUnavailable) || ran {
		t.Fatalf("%v, ran %v", err, ran)
	}
}
