// Package auth knows the partners: their API keys (stored as hashes only),
// their scopes and whom they act for, read from the partners file, and it
// authenticates a call's `authorization: Bearer <key>` metadata.
package auth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"go.yaml.in/yaml/v3"
	"google.golang.org/grpc/metadata"

	"github.com/integrationsplan/integrationsplan/platform/principal"
)

// MaxKeysPerPartner is how many keys a partner may have at once: the
// current one and, while it rotates, the next.
const MaxKeysPerPartner = 2

// Partner is a system allowed to call the API.
type Partner struct {
	ID      string            `yaml:"id"`
	Scopes  []string          `yaml:"scopes"`
	ActsFor principal.ActsFor `yaml:"acts_for"`
	// Keys are the hashes of the partner's API keys (auth.HashKey).
	Keys []string `yaml:"keys"`
	// ClientCertificates are the SHA-256 fingerprints of the partner's
	// TLS client certificates (auth.CertificateFingerprint), for mutual
	// TLS instead of an API key. A fingerprint names one certificate,
	// whoever its CA issues a certificate to; two at once allow a renewal
	// without downtime, like keys.
	ClientCertificates []string `yaml:"client_certificates"`
}

// HasScope reports whether the partner holds scope.
func (p *Partner) HasScope(scope string) bool { return slices.Contains(p.Scopes, scope) }

// Principal is what the gateway tells the services about the partner.
func (p *Partner) Principal() principal.Principal {
	return principal.Principal{Partner: p.ID, Scopes: p.Scopes, ActsFor: p.ActsFor}
}

type file struct {
	Partners []*Partner `yaml:"partners"`
}

// Directory is an immutable set of partners, indexed by key hash and
// client certificate fingerprint.
type Directory struct {
	byHash map[string]*Partner
	byCert map[string]*Partner
	ids    map[string]*Partner
}

var (
	idPattern    = regexp.MustCompile(`^[a-z][a-z0-9-]{1,62}$`)
	scopePattern = regexp.MustCompile(`^[a-z]+(\.[a-z_]+)+$`)
)

// Parse reads a partners file:
//
//	partners:
//	  - id: backnang
//	    scopes: [measures.read, measures.adoptions.write]
//	    acts_for: {actor: backnang}
//	    keys: ["sha256:…"]
//	    client_certificates: ["sha256:…"]   # optional, for mutual TLS
func Parse(data []byte) (*Directory, error) {
	var f file
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("partners file: %w", err)
	}
	d := &Directory{byHash: map[string]*Partner{}, byCert: map[string]*Partner{}, ids: map[string]*Partner{}}
	for i, p := range f.Partners {
		if p == nil || !idPattern.MatchString(p.ID) {
			return nil, fmt.Errorf("partners file: partner %d: id must match %s", i+1, idPattern)
		}
		if d.ids[p.ID] != nil {
			return nil, fmt.Errorf("partners file: partner %s appears twice", p.ID)
		}
		d.ids[p.ID] = p
		for _, s := range p.Scopes {
			if !scopePattern.MatchString(s) {
				return nil, fmt.Errorf("partners file: partner %s: scope %q is malformed", p.ID, s)
			}
		}
		if len(p.Keys) > MaxKeysPerPartner {
			return nil, fmt.Errorf("partners file: partner %s has %d keys; at most %d are active at once", p.ID, len(p.Keys), MaxKeysPerPartner)
		}
		for _, h := range p.Keys {
			if !validHash(h) {
				return nil, fmt.Errorf("partners file: partner %s: key %q is not a sha256:<hex> hash (use `gateway keys create`)", p.ID, h)
			}
			if other := d.byHash[h]; other != nil {
				return nil, fmt.Errorf("partners file: partners %s and %s share a key", other.ID, p.ID)
			}
			d.byHash[h] = p
		}
		if len(p.ClientCertificates) > MaxKeysPerPartner {
			return nil, fmt.Errorf("partners file: partner %s has %d client certificates; at most %d are active at once", p.ID, len(p.ClientCertificates), MaxKeysPerPartner)
		}
		for _, f := range p.ClientCertificates {
			f = strings.ToLower(f)
			if !validHash(f) {
				return nil, fmt.Errorf("partners file: partner %s: client certificate %q is not a sha256:<hex> fingerprint of the certificate's DER bytes", p.ID, f)
			}
			if other := d.byCert[f]; other != nil {
				return nil, fmt.Errorf("partners file: partners %s and %s share a client certificate", other.ID, p.ID)
			}
			d.byCert[f] = p
		}
	}
	return d, nil
}

// ValidID reports whether id is a well-formed partner ID.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// Load reads the partners file at path.
func Load(path string) (*Directory, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// Partner returns a partner by ID.
func (d *Directory) Partner(id string) (*Partner, bool) {
	p, ok := d.ids[id]
	return p, ok
}

// Errors of Authenticate and AuthenticateCertificate.
var (
	ErrNoKey       = errors.New("the call carries no API key: send `authorization: Bearer <key>`")
	ErrUnknownKey  = errors.New("the API key is not valid")
	ErrUnknownCert = errors.New("the client certificate belongs to no partner")
)

// Authenticate returns the partner whose key the call's authorization
// metadata carries.
func (d *Directory) Authenticate(md metadata.MD) (*Partner, error) {
	key, err := bearerKey(md)
	if err != nil {
		return nil, err
	}
	p, ok := d.byHash[HashKey(key)]
	if !ok {
		return nil, ErrUnknownKey
	}
	return p, nil
}

// AuthenticateCertificate returns the partner whose client certificate
// (DER bytes, verified by TLS) the call was made with.
func (d *Directory) AuthenticateCertificate(der []byte) (*Partner, error) {
	p, ok := d.byCert[CertificateFingerprint(der)]
	if !ok {
		return nil, ErrUnknownCert
	}
	return p, nil
}

// bearerKey is the API key of a call's authorization metadata.
func bearerKey(md metadata.MD) (string, error) {
	values := md.Get("authorization")
	if len(values) != 1 {
		return "", ErrNoKey
	}
	scheme, key, ok := strings.Cut(values[0], " ")
	if key = strings.TrimSpace(key); !ok || !strings.EqualFold(scheme, "bearer") || key == "" {
		return "", ErrNoKey
	}
	return key, nil
}

// Keyring holds the current directory and swaps in a reloaded one, so keys
// rotate without a restart. It also holds keys the gateway makes for itself
// (Bind), which live in this process only.
type Keyring struct {
	path string
	cur  atomic.Pointer[Directory]
	mu   sync.RWMutex
	// bound maps the hash of a key made by Bind to its partner's ID.
	bound map[string]string
}

// Open loads the partners file at path.
func Open(path string) (*Keyring, error) {
	k := &Keyring{path: path}
	return k, k.Reload()
}

// Reload reads the partners file again; on error the current directory
// stays.
func (k *Keyring) Reload() error {
	d, err := Load(k.path)
	if err != nil {
		return err
	}
	k.cur.Store(d)
	return nil
}

// Directory returns the current directory.
func (k *Keyring) Directory() *Directory { return k.cur.Load() }

// Bind makes an API key for the partner id of the partners file that is
// known to this process only (never written anywhere): the gateway's own
// dashboard calls with it in local example mode. The partner's scopes are
// those of the current file, so a reload changes them; a partner removed
// from the file takes its bound keys with it.
func (k *Keyring) Bind(id string) (string, error) {
	if _, ok := k.Directory().Partner(id); !ok {
		return "", fmt.Errorf("partner %s is not in the partners file", id)
	}
	key, hash := NewKey()
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.bound == nil {
		k.bound = map[string]string{}
	}
	k.bound[hash] = id
	return key, nil
}

// Authenticate returns the partner whose key, from the current partners
// file or made by Bind, the call's authorization metadata carries.
func (k *Keyring) Authenticate(md metadata.MD) (*Partner, error) {
	d := k.Directory()
	p, err := d.Authenticate(md)
	if !errors.Is(err, ErrUnknownKey) {
		return p, err
	}
	key, _ := bearerKey(md)
	k.mu.RLock()
	id, ok := k.bound[HashKey(key)]
	k.mu.RUnlock()
	if !ok {
		return nil, ErrUnknownKey
	}
	if p, ok := d.Partner(id); ok {
		return p, nil
	}
	return nil, ErrUnknownKey
}

type ctxKey struct{}

// NewContext returns ctx carrying the authenticated partner.
func NewContext(ctx context.Context, p *Partner) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the call's authenticated partner.
func FromContext(ctx context.Context) (*Partner, bool) {
	p, ok := ctx.Value(ctxKey{}).(*Partner)
	return p, ok
}
