// Package principal carries the caller's identity from the gateway to the
// services: the gateway signs a short-lived principal (partner, scopes, whom
// it acts for, the RPC it was issued for) with HMAC-SHA256 and a key it
// shares with the services; a service verifies it and reads it from the
// context to check object-level rights. A service calling another in its
// own name signs with a service key of its own, which the callee accepts
// only within that key's limits (ServiceKey).
//
// A token is base64url(JSON claims) "." base64url(HMAC-SHA256(claims)).
package principal

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// MetadataKey is the gRPC metadata key of the signed principal. The gateway
// strips any value arriving from outside before it sets its own.
const MetadataKey = "x-integration-principal"

// MinKeyLen is the shortest signing key accepted, in bytes.
const MinKeyLen = 32

// ActsFor names whom a partner acts for; each field is empty when it does
// not apply.
type ActsFor struct {
	// Actor is a measures actor ID, e.g. "backnang".
	Actor string `json:"actor,omitempty" yaml:"actor"`
	// Provider is an education provider ID.
	Provider string `json:"provider,omitempty" yaml:"provider"`
	// Organisation is a labour-market organisation ID.
	Organisation string `json:"organisation,omitempty" yaml:"organisation"`
}

// Principal is a verified caller.
type Principal struct {
	Partner string   `json:"partner"`
	Scopes  []string `json:"scopes"`
	ActsFor ActsFor  `json:"acts_for"`
	// Method is the full RPC name the principal was issued for; it is not
	// valid for any other.
	Method string `json:"method"`
	// Expires is when the principal stops being valid (Unix milliseconds).
	Expires int64 `json:"exp"`
}

// HasScope reports whether the principal holds scope.
func (p Principal) HasScope(scope string) bool { return slices.Contains(p.Scopes, scope) }

// ErrInvalid is the error of every token that does not verify.
var ErrInvalid = errors.New("principal: invalid token")

// ParseKeys decodes a comma-separated list of base64 keys (standard or URL
// encoding, padded or not), each at least MinKeyLen bytes. The first key
// signs; all of them verify, so a key can be rotated without downtime.
func ParseKeys(s string) ([][]byte, error) {
	var keys [][]byte
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, err := decodeBase64(part)
		if err != nil {
			return nil, fmt.Errorf("principal key %d is not base64", i+1)
		}
		if len(k) < MinKeyLen {
			return nil, fmt.Errorf("principal key %d has %d bytes, want at least %d", i+1, len(k), MinKeyLen)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// NewKey returns a fresh random signing key, base64-encoded.
func NewKey() string {
	k := make([]byte, MinKeyLen)
	_, _ = rand.Read(k) // never fails: crypto/rand crashes the program instead
	return base64.StdEncoding.EncodeToString(k)
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if b, err := base64.RawStdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawURLEncoding.DecodeString(s)
}

// Signer issues principals.
type Signer struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// NewSigner signs with key; principals expire ttl after they are issued.
func NewSigner(key []byte, ttl time.Duration) (*Signer, error) {
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("principal: signing key has %d bytes, want at least %d", len(key), MinKeyLen)
	}
	if ttl <= 0 {
		return nil, errors.New("principal: ttl must be positive")
	}
	return &Signer{key: key, ttl: ttl, now: time.Now}, nil
}

// Sign returns the token of p for method, expiring after the signer's ttl.
func (s *Signer) Sign(p Principal, method string) (string, error) {
	p.Method = method
	p.Expires = s.now().Add(s.ttl).UnixMilli()
	claims, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("principal: %w", err)
	}
	payload := base64.RawURLEncoding.EncodeToString(claims)
	return payload + "." + base64.RawURLEncoding.EncodeToString(mac(s.key, payload)), nil
}

// Verifier checks tokens against one or more keys.
type Verifier struct {
	keys []verifyingKey
	now  func() time.Time
	// scopeOf is the scope an RPC declares (RequiredScope).
	scopeOf func(method string) string
}

// verifyingKey is a key and, for a service key, what it may sign.
type verifyingKey struct {
	key     []byte
	service *ServiceKey
}

// NewVerifier accepts tokens signed with any of keys, for any partner, and
// those signed with a service key within that key's limits.
func NewVerifier(keys [][]byte, services ...ServiceKey) (*Verifier, error) {
	if len(keys) == 0 && len(services) == 0 {
		return nil, errors.New("principal: no verification key")
	}
	v := &Verifier{now: time.Now, scopeOf: RequiredScope}
	for _, k := range keys {
		if len(k) < MinKeyLen {
			return nil, fmt.Errorf("principal: key has %d bytes, want at least %d", len(k), MinKeyLen)
		}
		v.keys = append(v.keys, verifyingKey{key: k})
	}
	for i := range services {
		s := &services[i]
		if len(s.Key) < MinKeyLen {
			return nil, fmt.Errorf("principal: key of %s has %d bytes, want at least %d", s.Partner, len(s.Key), MinKeyLen)
		}
		// The same key unrestricted as well would lift the limits.
		if slices.ContainsFunc(keys, func(k []byte) bool { return hmac.Equal(k, s.Key) }) {
			return nil, fmt.Errorf("principal: the key of %s is also an unrestricted key, which may sign for any partner", s.Partner)
		}
		v.keys = append(v.keys, verifyingKey{key: s.Key, service: s})
	}
	return v, nil
}

// Verify returns the principal of token if its signature is valid, the
// signing key may sign it, it has not expired and it was issued for method.
func (v *Verifier) Verify(token, method string) (Principal, error) {
	payload, sig, ok := strings.Cut(token, ".")
	if !ok {
		return Principal{}, ErrInvalid
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return Principal{}, ErrInvalid
	}
	i := slices.IndexFunc(v.keys, func(k verifyingKey) bool { return hmac.Equal(got, mac(k.key, payload)) })
	if i < 0 {
		return Principal{}, ErrInvalid
	}
	claims, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return Principal{}, ErrInvalid
	}
	var p Principal
	if err := json.Unmarshal(claims, &p); err != nil || p.Partner == "" {
		return Principal{}, ErrInvalid
	}
	if p.Method != method {
		return Principal{}, fmt.Errorf("%w: issued for another RPC", ErrInvalid)
	}
	if v.now().UnixMilli() >= p.Expires {
		return Principal{}, fmt.Errorf("%w: expired", ErrInvalid)
	}
	if s := v.keys[i].service; s != nil {
		if err := s.mayVouchFor(p, v.scopeOf(method)); err != nil {
			return Principal{}, err
		}
	}
	return p, nil
}

func mac(key []byte, payload string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(payload))
	return h.Sum(nil)
}

type ctxKey struct{}

// NewContext returns ctx carrying p.
func NewContext(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the verified principal of the call, if it has one.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}
