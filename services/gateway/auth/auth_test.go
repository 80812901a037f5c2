package auth

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc/metadata"
)

func TestAuthenticateWithTwoKeysForRotation(t *testing.T) {
	oldKey, oldHash := NewKey()
	newKey, newHash := NewKey()
	otherKey, otherHash := NewKey()
	if !strings.HasPrefix(oldKey, KeyPrefix) || oldKey == newKey || HashKey(oldKey) != oldHash {
		t.Fatalf("keys %q %q, hash %q", oldKey, newKey, oldHash)
	}
	d, err := Parse([]byte(`
partners:
  - id: backnang
    scopes: [measures.read, measures.adoptions.write]
    acts_for: {actor: backnang}
    keys: ["` + oldHash + `", "` + newHash + `"]
  - id: vhs-backnang
    scopes: [measures.read]
    acts_for: {provider: vhs-backnang}
    keys: ["` + otherHash + `"]
`))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{oldKey: "backnang", newKey: "backnang", otherKey: "vhs-backnang"} {
		p, err := d.Authenticate(metadata.Pairs("authorization", "Bearer "+key))
		if err != nil || p.ID != want {
			t.Fatalf("key of %s: %v, %v", want, p, err)
		}
	}
	p, _ := d.Partner("backnang")
	if !p.HasScope("measures.adoptions.write") || p.HasScope("measures.admin") || p.Principal().ActsFor.Actor != "backnang" {
		t.Fatalf("partner %+v", p)
	}
	for name, md := range map[string]metadata.MD{
		"no header":     {},
		"basic":         metadata.Pairs("authorization", "Basic "+oldKey),
		"empty bearer":  metadata.Pairs("authorization", "Bearer "),
		"two headers":   metadata.Pairs("authorization", "Bearer "+oldKey, "authorization", "Bearer "+newKey),
		"unknown":       metadata.Pairs("authorization", "Bearer ipk_nothing"),
		"the hash only": metadata.Pairs("authorization", "Bearer "+oldHash),
	} {
		if _, err := d.Authenticate(md); !errors.Is(err, ErrNoKey) && !errors.Is(err, ErrUnknownKey) {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

func TestParseRefusesBadFiles(t *testing.T) {
	_, h1 := NewKey()
	_, h2 := NewKey()
	_, h3 := NewKey()
	for name, content := range map[string]string{
		"three keys":       `partners: [{id: a-b, keys: ["` + h1 + `", "` + h2 + `", "` + h3 + `"]}]`,
		"plain key":        `partners: [{id: a-b, keys: ["ipk_abc"]}]`,
		"shared key":       `partners: [{id: a-b, keys: ["` + h1 + `"]}, {id: c-d, keys: ["` + h1 + `"]}]`,
		"duplicate id":     `partners: [{id: a-b}, {id: a-b}]`,
		"bad id":           `partners: [{id: "A B"}]`,
		"bad scope":        `partners: [{id: a-b, scopes: ["measures read"]}]`,
		"unknown field":    `partners: [{id: a-b, scope: [measures.read]}]`,
		"unknown acts_for": `partners: [{id: a-b, acts_for: {municipality: x}}]`,
	} {
		if _, err := Parse([]byte(content)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestKeyringReloads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "partners.yaml")
	k1, h1 := NewKey()
	k2, h2 := NewKey()
	write := func(hashes string) {
		if err := os.WriteFile(path, []byte("partners: [{id: backnang, keys: ["+hashes+"]}]"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(`"` + h1 + `"`)
	ring, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	write(`"` + h2 + `"`) // rotated: the old key is gone
	if err := ring.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, err := ring.Directory().Authenticate(metadata.Pairs("authorization", "Bearer "+k1)); err == nil {
		t.Error("the removed key still works")
	}
	if _, err := ring.Directory().Authenticate(metadata.Pairs("authorization", "Bearer "+k2)); err != nil {
		t.Error(err)
	}
	write("not: [valid")
	if err := ring.Reload(); err == nil {
		t.Error("a broken file was loaded")
	}
	if _, err := ring.Directory().Authenticate(metadata.Pairs("authorization", "Bearer "+k2)); err != nil {
		t.Error("a failed reload dropped the current keys")
	}
}

// TestBind: a key bound in process authenticates as its partner with the
// file's current scopes, and stops when the partner leaves the file.
func TestBind(t *testing.T) {
	path := filepath.Join(t.TempDir(), "partners.yaml")
	write := func(content string) {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, h := NewKey()
	write(`partners: [{id: dashboard, scopes: [measures.read], keys: ["` + h + `"]}]`)
	ring, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ring.Bind("nobody"); err == nil {
		t.Fatal("bound a key to an unknown partner")
	}
	key, err := ring.Bind("dashboard")
	if err != nil {
		t.Fatal(err)
	}
	md := metadata.Pairs("authorization", "Bearer "+key)
	if _, err := ring.Directory().Authenticate(md); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("the file's directory knows the bound key: %v", err)
	}
	write(`partners: [{id: dashboard, scopes: [measures.read, events.read], keys: ["` + h + `"]}]`)
	if err := ring.Reload(); err != nil {
		t.Fatal(err)
	}
	p, err := ring.Authenticate(md)
	if err != nil || p.ID != "dashboard" || !p.HasScope("events.read") {
		t.Fatalf("bound key: %+v %v", p, err)
	}
	if _, err := ring.Authenticate(metadata.Pairs("authorization", "Bearer ipk_other")); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("unknown key: %v", err)
	}
	write(`partners: []`)
	if err := ring.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, err := ring.Authenticate(md); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("the bound key outlived its partner: %v", err)
	}
}

func TestClientCertificates(t *testing.T) {
	cert1, cert2, cert3 := []byte("der of the current certificate"), []byte("der of its renewal"), []byte("der of a stranger")
	f1, f2 := CertificateFingerprint(cert1), CertificateFingerprint(cert2)
	d, err := Parse([]byte(`
partners:
  - id: waiblingen
    scopes: [measures.read]
    client_certificates: ["` + f1 + `", "` + strings.ToUpper(f2) + `"]
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, der := range [][]byte{cert1, cert2} {
		if p, err := d.AuthenticateCertificate(der); err != nil || p.ID != "waiblingen" {
			t.Fatalf("%v, %v", p, err)
		}
	}
	if _, err := d.AuthenticateCertificate(cert3); !errors.Is(err, ErrUnknownCert) {
		t.Fatalf("stranger: %v", err)
	}
	f3 := CertificateFingerprint(cert3)
	for name, file := range map[string]string{
		"not a fingerprint": "partners:\n  - id: a-1\n    client_certificates: [\"CN=waiblingen\"]\n",
		"three at once":     "partners:\n  - id: a-1\n    client_certificates: [\"" + f1 + "\", \"" + f2 + "\", \"" + f3 + "\"]\n",
		"shared":            "partners:\n  - id: a-1\n    client_certificates: [\"" + f1 + "\"]\n  - id: a-2\n    client_certificates: [\"" + f1 + "\"]\n",
	} {
		if _, err := Parse([]byte(file)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
