package idempotency

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis keeps entries in Redis under keys starting with prefix.
type Redis struct {
	rdb    *redis.Client
	prefix string
}

// NewRedis stores entries in rdb.
func NewRedis(rdb *redis.Client, prefix string) *Redis { return &Redis{rdb: rdb, prefix: prefix} }

// begin sets the key to ARGV[1] for ARGV[2] ms if it is free and returns
// nothing, else returns what it holds.
var begin = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
`)

// replace sets the key to ARGV[2] for ARGV[3] ms, or deletes it if ARGV[3]
// is 0, but only while it holds ARGV[1]: a call whose lease ran out and
// whose key another call claimed changes nothing.
var replace = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[3] == '0' then return redis.call('DEL', KEYS[1]) end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`)

func (r *Redis) Begin(ctx context.Context, key string, fp Fingerprint, lease time.Duration) (Entry, error) {
	v, err := begin.Run(ctx, r.rdb, []string{r.prefix + key}, encode(Running, fp, nil), lease.Milliseconds()).Text()
	if err == redis.Nil {
		return Entry{State: Claimed, Fingerprint: fp}, nil
	}
	if err != nil {
		return Entry{}, err
	}
	return decode([]byte(v))
}

func (r *Redis) Finish(ctx context.Context, key string, fp Fingerprint, response []byte, retention time.Duration) error {
	return replace.Run(ctx, r.rdb, []string{r.prefix + key}, encode(Running, fp, nil), encode(Done, fp, response), retention.Milliseconds()).Err()
}

func (r *Redis) Release(ctx context.Context, key string, fp Fingerprint) error {
	return replace.Run(ctx, r.rdb, []string{r.prefix + key}, encode(Running, fp, nil), "", 0).Err()
}
