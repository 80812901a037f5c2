package principal

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ServiceKey is the key of a service that calls another in its own name
// (labour calling education). Unlike the gateway's keys, which sign for
// every partner, it vouches only for principals of its own partner, with at
// most its scopes, acting for no actor and no provider: those two identities
// carry object-level rights (a municipality's adoptions, a provider's offers
// and referrals) that only the gateway grants, from a partner's API key. A
// service may name the organisation it works for (labour: the case's owner).
// The principal must also hold the scope the called RPC declares: the
// gateway checks that for partners, but nothing stands between two
// services, and the callee itself checks no scopes.
type ServiceKey struct {
	Partner string
	// Scopes are the scopes its principals may hold; empty allows any.
	Scopes []string
	Key    []byte
}

// ParseServiceKeys decodes a comma-separated list of service keys, each
// "partner=key" or "partner[scope scope ...]=key", e.g.
// "service:labour[education.read education.referrals.write]=<base64>". The
// key is base64 as in ParseKeys; the scopes are separated by spaces, as in
// OAuth. A partner may be listed twice while its key is rotated.
func ParseServiceKeys(s string) ([]ServiceKey, error) {
	var keys []ServiceKey
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		k, err := parseServiceKey(entry)
		if err != nil {
			// The entry holds a secret: name it by position, not by text.
			return nil, fmt.Errorf("service key %d: %w", i+1, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// FormatServiceKey is the ParseServiceKeys entry of partner's key, limited
// to scopes.
func FormatServiceKey(partner string, scopes []string, key string) string {
	if len(scopes) == 0 {
		return partner + "=" + key
	}
	return partner + "[" + strings.Join(scopes, " ") + "]=" + key
}

const serviceKeyForm = `want partner=key or partner[scope ...]=key`

func parseServiceKey(entry string) (ServiceKey, error) {
	name, encoded, ok := strings.Cut(entry, "=")
	if !ok {
		return ServiceKey{}, errors.New("no '=': " + serviceKeyForm)
	}
	var k ServiceKey
	partner, scopes, limited := strings.Cut(strings.TrimSpace(name), "[")
	k.Partner = strings.TrimSpace(partner)
	if k.Partner == "" || strings.ContainsAny(k.Partner, "] \t") {
		return ServiceKey{}, errors.New("no partner name: " + serviceKeyForm)
	}
	if limited {
		scopes, closed := strings.CutSuffix(scopes, "]")
		if !closed || strings.ContainsAny(scopes, "[]") {
			return ServiceKey{}, fmt.Errorf("scopes of %s not closed by a single ']': %s", k.Partner, serviceKeyForm)
		}
		if k.Scopes = strings.Fields(scopes); len(k.Scopes) == 0 {
			return ServiceKey{}, fmt.Errorf("%s lists no scope; leave out the brackets to allow any", k.Partner)
		}
	}
	key, err := decodeBase64(strings.TrimSpace(encoded))
	if err != nil {
		return ServiceKey{}, fmt.Errorf("the key of %s is not base64", k.Partner)
	}
	if len(key) < MinKeyLen {
		return ServiceKey{}, fmt.Errorf("the key of %s has %d bytes, want at least %d", k.Partner, len(key), MinKeyLen)
	}
	k.Key = key
	return k, nil
}

// mayVouchFor reports why p, for an RPC that declares scope required, is
// beyond what the key may sign, if it is. The error is ErrInvalid, so the
// call is UNAUTHENTICATED, as for an unknown key: what the key cannot vouch
// for identifies no one (PERMISSION_DENIED would say that a known caller
// lacks a right on an object, which the service decides later).
func (k *ServiceKey) mayVouchFor(p Principal, required string) error {
	if p.Partner != k.Partner {
		return fmt.Errorf("%w: signed with the key of %s for partner %q", ErrInvalid, k.Partner, p.Partner)
	}
	if len(k.Scopes) > 0 {
		for _, s := range p.Scopes {
			if !slices.Contains(k.Scopes, s) {
				return fmt.Errorf("%w: the key of %s may not grant scope %q", ErrInvalid, k.Partner, s)
			}
		}
	}
	if p.ActsFor.Actor != "" || p.ActsFor.Provider != "" {
		return fmt.Errorf("%w: the key of %s may not act for an actor or a provider", ErrInvalid, k.Partner)
	}
	if required == "" {
		return fmt.Errorf("%w: the key of %s may call only RPCs that declare a scope; %s declares none", ErrInvalid, k.Partner, p.Method)
	}
	if !p.HasScope(required) {
		return fmt.Errorf("%w: the key of %s may not call %s, which needs scope %q", ErrInvalid, k.Partner, p.Method, required)
	}
	return nil
}
