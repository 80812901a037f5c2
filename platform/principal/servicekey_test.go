package principal

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

const (
	readMethod = "/integration.test.v1.TestService/Read" // declares test.read
	openMethod = "/integration.test.v1.TestService/Open" // declares no scope
)

// serviceScopes are the scopes the test service key may grant.
var serviceScopes = []string{"test.read", "test.write"}

func TestServiceKeyLimits(t *testing.T) {
	registerScopedService(t)
	gatewayKey, serviceKey := NewKey(), NewKey()
	cfg, err := Settings{
		PrincipalKeys: gatewayKey,
		ServiceKeys:   FormatServiceKey("service:labour", serviceScopes, serviceKey),
	}.Config()
	if err != nil {
		t.Fatal(err)
	}
	sign := func(key, method string, p Principal) string {
		t.Helper()
		keys, err := ParseKeys(key)
		if err != nil {
			t.Fatal(err)
		}
		s, err := NewSigner(keys[0], time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := s.Sign(p, method)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	own := Principal{Partner: "service:labour", Scopes: serviceScopes, ActsFor: ActsFor{Organisation: "jobcenter"}}
	got, err := cfg.Verifier.Verify(sign(serviceKey, readMethod, own), readMethod)
	if err != nil {
		t.Fatalf("the service's own principal: %v", err)
	}
	if got.Partner != "service:labour" || got.ActsFor.Organisation != "jobcenter" {
		t.Fatalf("got %+v", got)
	}
	// The gateway's key stays unrestricted: any partner, scope, provider and RPC.
	provider := Principal{Partner: "vhs", Scopes: []string{"test.admin"}, ActsFor: ActsFor{Provider: "vhs"}}
	if _, err := cfg.Verifier.Verify(sign(gatewayKey, openMethod, provider), openMethod); err != nil {
		t.Fatalf("the gateway's key: %v", err)
	}

	for name, tc := range map[string]struct {
		method string
		p      Principal
	}{
		"another partner":                 {readMethod, Principal{Partner: "vhs", Scopes: serviceScopes}},
		"a scope beyond its own":          {readMethod, Principal{Partner: "service:labour", Scopes: []string{"test.read", "test.admin"}}},
		"acting as a provider":            {readMethod, Principal{Partner: "service:labour", Scopes: serviceScopes, ActsFor: ActsFor{Provider: "vhs"}}},
		"acting as an actor":              {readMethod, Principal{Partner: "service:labour", Scopes: serviceScopes, ActsFor: ActsFor{Actor: "backnang"}}},
		"an RPC needing a scope it lacks": {readMethod, Principal{Partner: "service:labour", Scopes: []string{"test.write"}}},
		"an RPC declaring no scope":       {openMethod, own},
	} {
		t.Run(name, func(t *testing.T) {
			tok := sign(serviceKey, tc.method, tc.p)
			if _, err := cfg.Verifier.Verify(tok, tc.method); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "service:labour") {
				t.Fatalf("got %v, want ErrInvalid naming the key's partner", err)
			}
			// A service receives it as UNAUTHENTICATED, nothing reaches the handler.
			ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs(MetadataKey, tok))
			_, err := UnaryServerInterceptor(cfg)(ctx, nil, &grpc.UnaryServerInfo{FullMethod: tc.method}, func(context.Context, any) (any, error) {
				t.Fatal("the handler ran")
				return nil, nil
			})
			if !apierr.IsKind(err, apierr.KindUnauthenticated) {
				t.Fatalf("got %v, want unauthenticated", err)
			}
		})
	}

	// Without brackets the partner is bound, the scopes are not.
	open, err := Settings{ServiceKeys: FormatServiceKey("service:labour", nil, serviceKey)}.Config()
	if err != nil {
		t.Fatal(err)
	}
	anyScope := Principal{Partner: "service:labour", Scopes: []string{"test.read", "test.admin"}}
	if _, err := open.Verifier.Verify(sign(serviceKey, readMethod, anyScope), readMethod); err != nil {
		t.Fatalf("a key without scope list: %v", err)
	}
	if _, err := open.Verifier.Verify(sign(serviceKey, readMethod, Principal{Partner: "vhs", Scopes: serviceScopes}), readMethod); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a key without scope list signed for another partner: %v", err)
	}
}

func TestServiceKeysConfig(t *testing.T) {
	key := NewKey()
	rotating, err := ParseServiceKeys(" service:labour[education.read]=" + NewKey() + " , service:labour[education.read]=" + strings.TrimRight(base64.URLEncoding.EncodeToString(make([]byte, MinKeyLen)), "=") + ",")
	if err != nil || len(rotating) != 2 || rotating[1].Partner != "service:labour" || len(rotating[1].Scopes) != 1 {
		t.Fatalf("two keys of one partner: %+v, %v", rotating, err)
	}
	for name, tc := range map[string]struct {
		settings Settings
		want     string
	}{
		"no '='":            {Settings{ServiceKeys: "service:labour"}, "SERVICE_KEYS: service key 1: no '='"},
		"no partner":        {Settings{ServiceKeys: "[education.read]=" + key}, "SERVICE_KEYS: service key 1: no partner"},
		"unclosed scopes":   {Settings{ServiceKeys: "service:labour[education.read=" + key}, "SERVICE_KEYS: service key 1: scopes of service:labour not closed"},
		"empty scopes":      {Settings{ServiceKeys: "service:labour[ ]=" + key}, "SERVICE_KEYS: service key 1: service:labour lists no scope"},
		"not base64":        {Settings{ServiceKeys: "a=" + key + ",service:labour=not base64!"}, "SERVICE_KEYS: service key 2: the key of service:labour is not base64"},
		"short key":         {Settings{ServiceKeys: "service:labour=c2hvcnQ="}, "SERVICE_KEYS: service key 1: the key of service:labour has 5 bytes"},
		"also unrestricted": {Settings{PrincipalKeys: key, ServiceKeys: "service:labour=" + key}, "the key of service:labour is also an unrestricted key"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := tc.settings.Config()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), key) {
				t.Fatalf("the error shows the key: %v", err)
			}
		})
	}
	// A service called only by other services needs no gateway key.
	if cfg, err := (Settings{ServiceKeys: "service:labour=" + key, RequirePrincipal: true}).Config(); err != nil || cfg.Verifier == nil {
		t.Fatalf("service keys alone: %+v, %v", cfg, err)
	}
}
