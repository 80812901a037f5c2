package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/paging"
	"github.com/integrationsplan/integrationsplan/services/education/adapters"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// MaterialView is teaching material as a caller sees it.
type MaterialView struct {
	domain.Material
	ApprovedBy []string
	Version    uint64
	CreateTime time.Time
	UpdateTime time.Time
}

func materialView(m *domain.MaterialState) MaterialView {
	return MaterialView{
		Material: m.Material, ApprovedBy: slices.Clone(m.ApprovedBy),
		Version: m.Version, CreateTime: m.CreateTime, UpdateTime: m.UpdateTime,
	}
}

func lookupMaterial(c *domain.Catalogue, id string) (*domain.MaterialState, error) {
	m, ok := c.Material(id)
	if !ok {
		return nil, apierr.NotFound("material %s not found", id)
	}
	return m, nil
}

// CreateMaterial adds teaching material for volunteer language helpers.
func (s *Service) CreateMaterial(ctx context.Context, req eventstore.Request, m domain.Material) (MaterialView, error) {
	m.ID = domain.NewMaterialID(req.ID)
	m, err := domain.NewMaterial(m)
	if err != nil {
		return MaterialView{}, err
	}
	if _, err := s.execute(ctx, req, func(c *domain.Catalogue) (eventstore.Event, uint64, error) {
		if _, exists := c.Material(m.ID); exists {
			return eventstore.Event{}, 0, apierr.AlreadyExists("material %s exists already", m.ID)
		}
		return adapters.MaterialCreated(m), eventstore.ExpectNew, nil
	}); err != nil {
		return MaterialView{}, err
	}
	return s.material(m.ID)
}

// ApproveMaterial records that provider approved the material. A provider
// approves only in its own name. etag, if not empty, must be the
// material's version.
func (s *Service) ApproveMaterial(ctx context.Context, actor domain.Actor, req eventstore.Request, id, provider, etag string) (MaterialView, error) {
	if err := actor.MayActFor(provider, "approvals"); err != nil {
		return MaterialView{}, err
	}
	if _, err := s.execute(ctx, req, func(c *domain.Catalogue) (eventstore.Event, uint64, error) {
		m, err := lookupMaterial(c, id)
		if err != nil {
			return eventstore.Event{}, 0, err
		}
		if _, ok := c.Provider(provider); !ok {
			return eventstore.Event{}, 0, apierr.NotFound("provider %s not found", provider)
		}
		if err := checkEtag("material", etag, m.Version); err != nil {
			return eventstore.Event{}, 0, err
		}
		if err := m.DecideApproval(provider); err != nil {
			return eventstore.Event{}, 0, err
		}
		return adapters.MaterialApproved(id, provider), m.Version, nil
	}); err != nil {
		return MaterialView{}, err
	}
	return s.material(id)
}

// GetMaterial returns one teaching material.
func (s *Service) GetMaterial(ctx context.Context, id string) (MaterialView, error) {
	if err := s.follower.Sync(ctx); err != nil {
		return MaterialView{}, err
	}
	return s.material(id)
}

func (s *Service) material(id string) (v MaterialView, err error) {
	err = s.view(func(c *domain.Catalogue) error {
		m, err := lookupMaterial(c, id)
		if err == nil {
			v = materialView(m)
		}
		return err
	})
	return v, err
}

// MaterialFilter selects teaching material; zero values select all.
type MaterialFilter struct {
	Level        domain.Level
	Topic        string
	Format       domain.MaterialFormat
	ApprovedBy   string
	ApprovedOnly bool
}

func (f MaterialFilter) String() string {
	return fmt.Sprintf("l=%d;t=%s;f=%d;by=%s;ok=%t", f.Level, strings.ToLower(f.Topic), f.Format, f.ApprovedBy, f.ApprovedOnly)
}

func (f MaterialFilter) matches(m *domain.MaterialState) bool {
	return (f.Level == domain.LevelUnspecified || m.Level == f.Level) &&
		(f.Topic == "" || strings.EqualFold(m.Topic, strings.TrimSpace(f.Topic))) &&
		(f.Format == domain.MaterialFormatUnspecified || m.Format == f.Format) &&
		(f.ApprovedBy == "" || slices.Contains(m.ApprovedBy, f.ApprovedBy)) &&
		(!f.ApprovedOnly || len(m.ApprovedBy) > 0)
}

// materialKey orders materials by title, then ID; NUL keeps a title before
// a longer one it is a prefix of.
func materialKey(m MaterialView) string { return m.Title + "\x00" + m.ID }

// ListMaterials lists teaching material by title with filters.
func (s *Service) ListMaterials(ctx context.Context, f MaterialFilter, size int32, token string) (Page[MaterialView], error) {
	var v apierr.Violations
	if f.Level != domain.LevelUnspecified && !f.Level.Valid() {
		v.Add("level", "unknown CEFR level %d", f.Level)
	}
	if f.Format != domain.MaterialFormatUnspecified && !f.Format.Valid() {
		v.Add("format", "unknown format %d", f.Format)
	}
	if len(f.Topic) > 100 {
		v.Add("topic", "must have at most 100 characters")
	}
	pg, err := paging.Parse(size, token, f.String())
	v.Merge("", err)
	if err := v.Err(); err != nil {
		return Page[MaterialView]{}, err
	}
	var out Page[MaterialView]
	err = s.read(ctx, func(c *domain.Catalogue) error {
		if f.ApprovedBy != "" {
			if _, ok := c.Provider(f.ApprovedBy); !ok {
				return apierr.NotFound("provider %s not found", f.ApprovedBy)
			}
		}
		var matching []MaterialView
		for _, m := range c.Materials() {
			if f.matches(m) {
				matching = append(matching, materialView(m))
			}
		}
		out.TotalSize = len(matching)
		out.Items, out.NextToken = paging.Cut(pg, matching, materialKey,
			func(m MaterialView, after string) bool { return materialKey(m) > after })
		return nil
	})
	return out, err
}
