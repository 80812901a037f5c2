package idempotency

import (
	"bytes"
	"context"
	"sync"
	"time"
)

// Memory keeps entries in process, for a single gateway without Redis.
type Memory struct {
	mu      sync.Mutex
	entries map[string]memoryEntry
	now     func() time.Time
}

type memoryEntry struct {
	value   []byte
	expires time.Time
}

// NewMemory returns an empty in-process store.
func NewMemory() *Memory { return &Memory{entries: map[string]memoryEntry{}, now: time.Now} }

func (m *Memory) Begin(_ context.Context, key string, fp Fingerprint, lease time.Duration) (Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if e, ok := m.entries[key]; ok && now.Before(e.expires) {
		return decode(e.value)
	}
	m.entries[key] = memoryEntry{value: encode(Running, fp, nil), expires: now.Add(lease)}
	if len(m.entries)%1024 == 0 {
		m.prune(now)
	}
	return Entry{State: Claimed, Fingerprint: fp}, nil
}

func (m *Memory) Finish(_ context.Context, key string, fp Fingerprint, response []byte, retention time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.holds(key, fp) {
		m.entries[key] = memoryEntry{value: encode(Done, fp, bytes.Clone(response)), expires: m.now().Add(retention)}
	}
	return nil
}

func (m *Memory) Release(_ context.Context, key string, fp Fingerprint) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.holds(key, fp) {
		delete(m.entries, key)
	}
	return nil
}

// holds reports whether key is held by a running call with fingerprint fp.
func (m *Memory) holds(key string, fp Fingerprint) bool {
	e, ok := m.entries[key]
	return ok && m.now().Before(e.expires) && bytes.Equal(e.value, encode(Running, fp, nil))
}

func (m *Memory) prune(now time.Time) {
	for k, e := range m.entries {
		if !now.Before(e.expires) {
			delete(m.entries, k)
		}
	}
}
