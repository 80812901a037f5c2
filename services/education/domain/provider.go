package domain

import (
	"strings"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// Provider is an organisation running offers (Bildungsträger).
type Provider struct {
	ID           string
	Kind         ProviderKind
	DisplayName  string
	Municipality string
}

// NewProvider validates a provider. Field names are those of the API request.
func NewProvider(p Provider) (Provider, error) {
	var v apierr.Violations
	if !slugPattern.MatchString(p.ID) {
		v.Add("provider_id", "must be lower-case letters, digits and single hyphens, start with a letter and have at most 63 characters, got %q", p.ID)
	}
	if !p.Kind.Valid() {
		v.Add("provider.kind", "is required and must be a known kind of provider")
	}
	v.Text("provider.display_name", p.DisplayName, 2, 200, false)
	checkSlug(&v, "provider.municipality", p.Municipality)
	if err := v.Err(); err != nil {
		return Provider{}, err
	}
	p.DisplayName = strings.TrimSpace(p.DisplayName)
	return p, nil
}
