package service

import (
	"sync"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/principal"
	"github.com/integrationsplan/integrationsplan/services/gateway/auth"
)

// maxTokens bounds the token cache: partners × RPCs, and the partners of
// a directory replaced by a reload until they expire.
const maxTokens = 4096

// tokens signs the principal forwarded to the backends and reuses a token
// per partner and RPC for half its lifetime: signing (JSON and HMAC) on
// every call was the guard's largest cost, and a reused token still has
// at least half its lifetime left when it is sent. The cache key is the
// partner of the current directory, so after a reload (changed scopes, a
// removed partner) the principal is signed afresh.
type tokens struct {
	signer *principal.Signer
	// reuse is how long a token is sent again: half its lifetime.
	reuse time.Duration
	mu    sync.RWMutex
	cache map[tokenKey]token
}

type tokenKey struct {
	partner *auth.Partner
	method  string
}

type token struct {
	value    string
	signedAt time.Time
}

func newTokens(signer *principal.Signer, ttl time.Duration) *tokens {
	return &tokens{signer: signer, reuse: ttl / 2, cache: map[tokenKey]token{}}
}

// sign returns a token of p's principal for method.
func (t *tokens) sign(p *auth.Partner, method string) (string, error) {
	k := tokenKey{p, method}
	now := time.Now()
	t.mu.RLock()
	tok, ok := t.cache[k]
	t.mu.RUnlock()
	if ok && now.Sub(tok.signedAt) < t.reuse {
		return tok.value, nil
	}
	value, err := t.signer.Sign(p.Principal(), method)
	if err != nil {
		return "", err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.cache) >= maxTokens {
		for k, tok := range t.cache {
			if now.Sub(tok.signedAt) >= t.reuse {
				delete(t.cache, k)
			}
		}
		if len(t.cache) >= maxTokens {
			clear(t.cache)
		}
	}
	t.cache[k] = token{value: value, signedAt: now}
	return value, nil
}
