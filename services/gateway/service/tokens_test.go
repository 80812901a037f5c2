package service

import (
	"testing"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/principal"
	"github.com/integrationsplan/integrationsplan/services/gateway/auth"
)

// TestTokensReusedPerPartnerAndMethod: a token is reused for the same
// partner and RPC only; a reloaded partner (new scopes) gets a new one.
func TestTokensReusedPerPartnerAndMethod(t *testing.T) {
	keys, err := principal.ParseKeys(principal.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	signer, err := principal.NewSigner(keys[0], time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := principal.NewVerifier(keys)
	if err != nil {
		t.Fatal(err)
	}
	tk := newTokens(signer, time.Minute)
	p := &auth.Partner{ID: "backnang", Scopes: []string{"measures.read"}}
	const get, list = "/integration.measures.v1.MeasureService/GetMeasure", "/integration.measures.v1.MeasureService/ListMeasures"
	a, _ := tk.sign(p, get)
	b, _ := tk.sign(p, get)
	c, _ := tk.sign(p, list)
	if a != b || a == c {
		t.Fatalf("same call: %t, other RPC: %t", a == b, a == c)
	}
	if _, err := verifier.Verify(c, list); err != nil {
		t.Fatal(err)
	}
	reloaded := &auth.Partner{ID: "backnang", Scopes: []string{"measures.read", "measures.admin"}}
	d, _ := tk.sign(reloaded, get)
	got, err := verifier.Verify(d, get)
	if err != nil || !got.HasScope("measures.admin") {
		t.Fatalf("after a reload: %+v, %v", got, err)
	}
}
