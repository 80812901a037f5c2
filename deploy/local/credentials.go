package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/integrationsplan/integrationsplan/platform/principal"
	"github.com/integrationsplan/integrationsplan/services/gateway/auth"
	"github.com/integrationsplan/integrationsplan/services/gateway/catalog"
)

// credentials are the local example's secrets: the principal signing key
// shared by gateway and services, and example partners with their API keys.
// They are made once in the data directory and kept, and the keys are
// stored in plain text there — acceptable only for a local example.
type credentials struct {
	PrincipalKey string
	PartnersFile string
	// Keys are the example partners' API keys by partner ID.
	Keys map[string]string
}

type examplePartner struct {
	id      string
	actsFor principal.ActsFor
	// scopes picks the partner's scopes from all the catalog declares.
	scopes func(scope string) bool
}

var examplePartners = []examplePartner{
	{id: "beispiel-landkreis", actsFor: principal.ActsFor{Actor: "landkreis"}, scopes: func(string) bool { return true }},
	{id: "beispiel-backnang", actsFor: principal.ActsFor{Actor: "backnang"}, scopes: func(s string) bool {
		return dataRead(s) || s == "measures.adoptions.write"
	}},
	{id: "beispiel-dashboard", scopes: dataRead},
	// The data protection officer reads the audit of calls on personal
	// data, and nothing else.
	{id: "beispiel-datenschutz", scopes: func(s string) bool { return s == auditRead }},
}

// auditRead is the scope of the audit of calls on personal data.
const auditRead = "audit.read"

// dataRead picks the scopes that read the plan's data; the audit is not
// for every reader.
func dataRead(scope string) bool { return strings.HasSuffix(scope, ".read") && scope != auditRead }

// ensureCredentials loads the local credentials from dir, making them on
// first start.
func ensureCredentials(dir string, cat *catalog.Catalog) (credentials, error) {
	c := credentials{PartnersFile: filepath.Join(dir, "partners.yaml"), Keys: map[string]string{}}
	keyFile, keysFile := filepath.Join(dir, "principal.key"), filepath.Join(dir, "beispiel-schluessel.yaml")
	key, err := os.ReadFile(keyFile)
	if errors.Is(err, fs.ErrNotExist) {
		return makeCredentials(dir, cat)
	}
	if err != nil {
		return c, err
	}
	c.PrincipalKey = string(bytes.TrimSpace(key))
	data, err := os.ReadFile(keysFile)
	if err != nil {
		return c, err
	}
	return c, yaml.Unmarshal(data, &c.Keys)
}

func makeCredentials(dir string, cat *catalog.Catalog) (credentials, error) {
	c := credentials{PartnersFile: filepath.Join(dir, "partners.yaml"), Keys: map[string]string{}, PrincipalKey: principal.NewKey()}
	var scopes []string
	for _, m := range cat.Methods() {
		if !slices.Contains(scopes, m.Scope) {
			scopes = append(scopes, m.Scope)
		}
	}
	slices.Sort(scopes)
	var file bytes.Buffer
	file.WriteString("# Beispieldaten: example partners of the local launcher; the keys are in beispiel-schluessel.yaml.\npartners:\n")
	for _, p := range examplePartners {
		key, hash := auth.NewKey()
		c.Keys[p.id] = key
		var granted []string
		for _, s := range scopes {
			if p.scopes(s) {
				granted = append(granted, s)
			}
		}
		fmt.Fprintf(&file, "  - id: %s\n    scopes: [%s]\n    acts_for: {actor: %q}\n    keys: [%q]\n", p.id, strings.Join(granted, ", "), p.actsFor.Actor, hash)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return c, err
	}
	keys, err := yaml.Marshal(c.Keys)
	if err != nil {
		return c, err
	}
	// principal.key comes last: its presence marks a complete set.
	for _, f := range []struct {
		path string
		data []byte
	}{
		{c.PartnersFile, file.Bytes()},
		{filepath.Join(dir, "beispiel-schluessel.yaml"), keys},
		{filepath.Join(dir, "principal.key"), []byte(c.PrincipalKey + "\n")},
	} {
		if err := os.WriteFile(f.path, f.data, 0o600); err != nil {
			return c, err
		}
	}
	return c, nil
}
