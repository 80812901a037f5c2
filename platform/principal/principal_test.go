package principal

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

const method = "/integration.measures.v1.MeasureService/SetAdoptionStatus"

func key(t *testing.T) []byte {
	t.Helper()
	keys, err := ParseKeys(NewKey())
	if err != nil || len(keys) != 1 {
		t.Fatalf("ParseKeys(NewKey()) = %v, %v", keys, err)
	}
	return keys[0]
}

func TestSignVerify(t *testing.T) {
	k1, k2 := key(t), key(t)
	now := time.Date(2024, 2, 1, 12, 0, 0, 0, time.UTC)
	s, err := NewSigner(k1, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return now }
	want := Principal{Partner: "backnang", Scopes: []string{"measures.read"}, ActsFor: ActsFor{Actor: "backnang"}}
	tok, err := s.Sign(want, method)
	if err != nil {
		t.Fatal(err)
	}
	// Rotation: a verifier knowing the new and the old key accepts both.
	v, err := NewVerifier([][]byte{k2, k1})
	if err != nil {
		t.Fatal(err)
	}
	v.now = func() time.Time { return now.Add(29 * time.Second) }
	got, err := v.Verify(tok, method)
	if err != nil {
		t.Fatal(err)
	}
	if got.Partner != want.Partner || got.ActsFor != want.ActsFor || !got.HasScope("measures.read") || got.HasScope("measures.admin") {
		t.Fatalf("got %+v", got)
	}

	payload, sig, _ := strings.Cut(tok, ".")
	forged, _ := (&Signer{key: k1, ttl: time.Hour, now: s.now}).Sign(Principal{Partner: "backnang", Scopes: []string{"measures.admin"}}, method)
	forgedPayload, _, _ := strings.Cut(forged, ".")
	for name, tc := range map[string]struct {
		token, method string
		verifier      [][]byte
		at            time.Duration
	}{
		"expired":           {tok, method, [][]byte{k1}, 30 * time.Second},
		"another RPC":       {tok, "/integration.measures.v1.MeasureService/CreateMeasure", [][]byte{k1}, 0},
		"unknown key":       {tok, method, [][]byte{k2}, 0},
		"swapped claims":    {forgedPayload + "." + sig, method, [][]byte{k1}, 0},
		"no signature":      {payload, method, [][]byte{k1}, 0},
		"garbage signature": {payload + ".%%%", method, [][]byte{k1}, 0},
		"empty":             {"", method, [][]byte{k1}, 0},
	} {
		t.Run(name, func(t *testing.T) {
			v, _ := NewVerifier(tc.verifier)
			v.now = func() time.Time { return now.Add(tc.at) }
			if _, err := v.Verify(tc.token, tc.method); !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
		})
	}
}

func TestParseKeys(t *testing.T) {
	if _, err := ParseKeys("c2hvcnQ="); err == nil {
		t.Error("a short key was accepted")
	}
	if _, err := ParseKeys("not base64!"); err == nil {
		t.Error("a key that is not base64 was accepted")
	}
	keys, err := ParseKeys(" " + NewKey() + ", " + strings.TrimRight(NewKey(), "=") + ",")
	if err != nil || len(keys) != 2 {
		t.Fatalf("got %d keys, %v", len(keys), err)
	}
	if _, err := NewSigner([]byte("short"), time.Second); err == nil {
		t.Error("NewSigner accepted a short key")
	}
	if _, err := NewVerifier(nil); err == nil {
		t.Error("NewVerifier accepted no key")
	}
}

func TestInterceptor(t *testing.T) {
	k := key(t)
	s, _ := NewSigner(k, time.Minute)
	v, _ := NewVerifier([][]byte{k})
	tok, _ := s.Sign(Principal{Partner: "backnang", ActsFor: ActsFor{Actor: "backnang"}}, method)
	withToken := func(tokens ...string) context.Context {
		md := metadata.MD{}
		for _, tk := range tokens {
			md.Append(MetadataKey, tk)
		}
		return metadata.NewIncomingContext(context.Background(), md)
	}
	cases := []struct {
		name     string
		cfg      Config
		ctx      context.Context
		method   string
		wantErr  bool
		wantUser string
	}{
		{"valid", Config{Verifier: v, Required: true}, withToken(tok), method, false, "backnang"},
		{"missing but required", Config{Verifier: v, Required: true}, withToken(), method, true, ""},
		{"missing, optional", Config{Verifier: v}, withToken(), method, false, ""},
		{"invalid, optional", Config{Verifier: v}, withToken(tok + "x"), method, true, ""},
		{"twice", Config{Verifier: v}, withToken(tok, tok), method, true, ""},
		{"health needs none", Config{Verifier: v, Required: true}, withToken(), "/grpc.health.v1.Health/Check", false, ""},
		{"off", Config{}, withToken(tok), method, false, ""},
		{"required without verifier", Config{Required: true}, withToken(tok), method, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got Principal
			_, err := UnaryServerInterceptor(tc.cfg)(tc.ctx, nil, &grpc.UnaryServerInfo{FullMethod: tc.method}, func(ctx context.Context, _ any) (any, error) {
				got, _ = FromContext(ctx)
				return nil, nil
			})
			if tc.wantErr {
				if !apierr.IsKind(err, apierr.KindUnauthenticated) {
					t.Fatalf("got %v, want unauthenticated", err)
				}
				return
			}
			if err != nil || got.Partner != tc.wantUser {
				t.Fatalf("got %+v, %v", got, err)
			}
		})
	}
}

func TestUnaryClientInterceptor(t *testing.T) {
	k := key(t)
	s, _ := NewSigner(k, time.Minute)
	v, _ := NewVerifier([][]byte{k})
	type orgKey struct{}
	intercept := UnaryClientInterceptor(s, func(ctx context.Context) Principal {
		org, _ := ctx.Value(orgKey{}).(string)
		return Principal{Partner: "service:labour", Scopes: []string{"education.read"}, ActsFor: ActsFor{Organisation: org}}
	})
	// The caller's context carries a principal it received: it must not travel on.
	ctx := metadata.AppendToOutgoingContext(context.WithValue(context.Background(), orgKey{}, "jobcenter"), MetadataKey, "received", "x-other", "kept")
	var sent metadata.MD
	err := intercept(ctx, method, nil, nil, nil, func(ctx context.Context, _ string, _, _ any, _ *grpc.ClientConn, _ ...grpc.CallOption) error {
		sent, _ = metadata.FromOutgoingContext(ctx)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tokens := sent.Get(MetadataKey)
	if len(tokens) != 1 || sent.Get("x-other")[0] != "kept" {
		t.Fatalf("sent metadata %v, want one principal and the other keys kept", sent)
	}
	got, err := v.Verify(tokens[0], method)
	if err != nil {
		t.Fatal(err)
	}
	if got.Partner != "service:labour" || got.ActsFor.Organisation != "jobcenter" || !got.HasScope("education.read") {
		t.Fatalf("got %+v", got)
	}
	if _, err := v.Verify(tokens[0], "/integration.education.v1.EducationService/CreateReferral"); err == nil {
		t.Fatal("the token is valid for another RPC")
	}
}
