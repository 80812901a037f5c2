package main

import (
	"strings"
	"testing"

	"github.com/integrationsplan/integrationsplan/platform/principal"
	"github.com/integrationsplan/integrationsplan/services/gateway/auth"
)

func TestKeysCreatePrintsTheKeyAndItsHash(t *testing.T) {
	var out strings.Builder
	if err := runKeys([]string{"create", "--partner", "backnang"}, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if len(lines) < 4 {
		t.Fatalf("output %q", out.String())
	}
	key := strings.TrimSpace(lines[1])
	hashLine := strings.Trim(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(lines[3]), "-")), `"`)
	if !strings.HasPrefix(key, auth.KeyPrefix) || hashLine != auth.HashKey(key) {
		t.Fatalf("key %q, hash line %q", key, hashLine)
	}
	// The printed line is accepted by the partners file as it is.
	if _, err := auth.Parse([]byte("partners:\n  - id: backnang\n    keys:\n    " + lines[3] + "\n")); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]string{{}, {"create"}, {"create", "--partner", "x", "extra"}, {"rotate"}} {
		if err := runKeys(bad, &out); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestKeysPrincipal(t *testing.T) {
	var out strings.Builder
	if err := runKeys([]string{"principal"}, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if keys, err := principal.ParseKeys(strings.TrimSpace(lines[len(lines)-1])); err != nil || len(keys) != 1 {
		t.Fatalf("%q: %v", out.String(), err)
	}
}
