package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/paging"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// OfferOrder is the sort order of a search.
type OfferOrder int32

const (
	// ByStart sorts by start date, then ID.
	ByStart OfferOrder = iota
	// ByMunicipality sorts by municipality, then start date, then ID.
	ByMunicipality
)

// OfferFilter selects offers; zero values select all.
type OfferFilter struct {
	Municipality  string
	EntryLevel    domain.Level
	Kind          domain.OfferKind
	Childcare     bool
	HasFreePlaces bool
	// Status is the shown status (FULL: OPEN without free places).
	Status                  domain.OfferStatus
	StartsFrom, StartsUntil string
	Provider                string
	Order                   OfferOrder
}

func (f OfferFilter) String() string {
	return fmt.Sprintf("m=%s;l=%d;k=%d;cc=%t;free=%t;st=%d;from=%s;until=%s;p=%s;o=%d",
		f.Municipality, f.EntryLevel, f.Kind, f.Childcare, f.HasFreePlaces, f.Status, f.StartsFrom, f.StartsUntil, f.Provider, f.Order)
}

func (f OfferFilter) validate() error {
	var v apierr.Violations
	if f.Municipality != "" && !domain.ValidSlug(f.Municipality) {
		v.Add("municipality", "must be a municipality ID such as backnang, got %q", f.Municipality)
	}
	if f.EntryLevel != domain.LevelUnspecified && !f.EntryLevel.Valid() {
		v.Add("entry_level", "unknown CEFR level %d", f.EntryLevel)
	}
	if f.Kind != domain.OfferKindUnspecified && !f.Kind.Valid() {
		v.Add("kind", "unknown kind of offer %d", f.Kind)
	}
	if f.Status != domain.OfferStatusUnspecified && !f.Status.Valid() {
		v.Add("status", "unknown offer status %d", f.Status)
	}
	for field, d := range map[string]string{"starts_from": f.StartsFrom, "starts_until": f.StartsUntil} {
		if _, err := time.Parse(time.DateOnly, d); d != "" && err != nil {
			v.Add(field, "must be a date YYYY-MM-DD, got %q", d)
		}
	}
	if f.Order != ByStart && f.Order != ByMunicipality {
		v.Add("order_by", "unknown order %d", f.Order)
	}
	return v.Err()
}

func (f OfferFilter) matches(o *domain.OfferState) bool {
	return (f.Municipality == "" || o.Municipality == f.Municipality) &&
		(f.EntryLevel == domain.LevelUnspecified || o.EntryLevel == f.EntryLevel) &&
		(f.Kind == domain.OfferKindUnspecified || o.Kind == f.Kind) &&
		(!f.Childcare || o.Childcare) &&
		(!f.HasFreePlaces || o.Free() > 0) &&
		(f.Status == domain.OfferStatusUnspecified || o.ShownStatus() == f.Status) &&
		(f.StartsFrom == "" || o.StartDate >= f.StartsFrom) &&
		(f.StartsUntil == "" || o.StartDate <= f.StartsUntil) &&
		(f.Provider == "" || o.Provider == f.Provider)
}

// sortKey orders offers as the filter asks; NUL separates the parts, so a
// shorter municipality sorts before a longer one it is a prefix of.
func (f OfferFilter) sortKey(o OfferView) string {
	k := o.StartDate + "\x00" + o.ID
	if f.Order == ByMunicipality {
		k = o.Municipality + "\x00" + k
	}
	return k
}

// ListOffers searches the catalogue.
func (s *Service) ListOffers(ctx context.Context, f OfferFilter, size int32, token string) (Page[OfferView], error) {
	var v apierr.Violations
	v.Merge("", f.validate())
	pg, err := paging.Parse(size, token, f.String())
	v.Merge("", err)
	if err := v.Err(); err != nil {
		return Page[OfferView]{}, err
	}
	var out Page[OfferView]
	err = s.read(ctx, func(c *domain.Catalogue) error {
		if f.Provider != "" {
			if _, ok := c.Provider(f.Provider); !ok {
				return apierr.NotFound("provider %s not found", f.Provider)
			}
		}
		var matching []OfferView
		for _, o := range c.Offers() {
			if f.matches(o) {
				matching = append(matching, offerView(o))
			}
		}
		slices.SortFunc(matching, func(a, b OfferView) int { return strings.Compare(f.sortKey(a), f.sortKey(b)) })
		out.TotalSize = len(matching)
		out.Items, out.NextToken = paging.Cut(pg, matching, f.sortKey,
			func(o OfferView, after string) bool { return f.sortKey(o) > after })
		return nil
	})
	return out, err
}
