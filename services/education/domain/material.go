package domain

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// MaterialFormat is the format of teaching material.
type MaterialFormat int32

const (
	MaterialFormatUnspecified MaterialFormat = iota
	Worksheet
	Textbook
	Audio
	Video
	App
	Game
	PictureCards
	OtherFormat
)

// Valid reports whether f is a known format.
func (f MaterialFormat) Valid() bool { return f >= Worksheet && f <= OtherFormat }

// MaterialFile describes a file a material refers to (not its content).
type MaterialFile struct {
	Name      string
	MediaType string
	Size      int64
	SHA256    string
}

// MaxMaterialFileSize bounds the size a material's file may declare.
const MaxMaterialFileSize = 1 << 30

// Material is teaching material for volunteer language helpers (measure 1.6).
type Material struct {
	ID     string
	Title  string
	Level  Level
	Topic  string
	Format MaterialFormat
	// Exactly one of Link and File is set.
	Link    string
	File    *MaterialFile
	Licence string
}

var (
	mediaTypePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$`)
	sha256Pattern    = regexp.MustCompile(`^[0-9a-f]{64}$`)
	licencePattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.+-]{1,63}$`)
	materialIDRegexp = regexp.MustCompile(`^m-[a-z2-7]{16}$`)
)

// NewMaterialID returns the ID of new teaching material.
func NewMaterialID(requestID string) string { return newID("m-", requestID) }

// ValidMaterialID reports whether s looks like a material ID.
func ValidMaterialID(s string) bool { return materialIDRegexp.MatchString(s) }

// NewMaterial validates teaching material; field names are relative to the
// material in the request (the port prefixes "material."). The ID is set by
// the caller.
func NewMaterial(m Material) (Material, error) {
	var v apierr.Violations
	v.Text("title", m.Title, 3, 200, false)
	if !m.Level.Valid() {
		v.Add("level", "is required and must be a CEFR level (ALPHA, A1 … C2)")
	}
	v.Text("topic", m.Topic, 2, 100, false)
	if !m.Format.Valid() {
		v.Add("format", "is required and must be a known format")
	}
	switch {
	case m.Link == "" && m.File == nil:
		v.Add("reference", "set a link or a file")
	case m.Link != "" && m.File != nil:
		v.Add("reference", "set a link or a file, not both")
	case m.Link != "":
		u, err := url.Parse(m.Link)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(m.Link) > 2000 {
			v.Add("link", "must be an http or https URL of at most 2000 characters")
		}
	default:
		f := m.File
		if f.Name == "" || strings.ContainsAny(f.Name, `/\`) || f.Name == "." || f.Name == ".." {
			v.Add("file.file_name", "is required and must be a file name without a path")
		} else {
			v.Text("file.file_name", f.Name, 1, 255, false)
		}
		if !mediaTypePattern.MatchString(f.MediaType) {
			v.Add("file.media_type", "must be a media type such as application/pdf, got %q", f.MediaType)
		}
		if f.Size < 1 || f.Size > MaxMaterialFileSize {
			v.Add("file.size_bytes", "must be between 1 and %d, got %d", MaxMaterialFileSize, f.Size)
		}
		if f.SHA256 != "" && !sha256Pattern.MatchString(f.SHA256) {
			v.Add("file.sha256", "must be 64 lower-case hex digits")
		}
	}
	if !licencePattern.MatchString(m.Licence) {
		v.Add("licence", "is required: an SPDX identifier such as CC-BY-SA-4.0, or proprietary")
	}
	if err := v.Err(); err != nil {
		return Material{}, err
	}
	m.Title, m.Topic = strings.TrimSpace(m.Title), strings.TrimSpace(m.Topic)
	return m, nil
}

// MaterialState is teaching material with its approvals.
type MaterialState struct {
	Material
	// ApprovedBy lists the approving providers in order of approval.
	ApprovedBy []string
	Version    uint64
	CreateTime time.Time
	UpdateTime time.Time
}

// DecideApproval checks that provider may still approve the material.
func (m *MaterialState) DecideApproval(provider string) error {
	if slices.Contains(m.ApprovedBy, provider) {
		return apierr.AlreadyExists("provider %s approved material %s already", provider, m.ID)
	}
	return nil
}

// AddMaterial records new teaching material.
func (c *Catalogue) AddMaterial(m Material, version uint64, at time.Time) {
	c.materials[m.ID] = &MaterialState{Material: m, Version: version, CreateTime: at, UpdateTime: at}
}

// ApproveMaterial records a provider's approval.
func (c *Catalogue) ApproveMaterial(id, provider string, version uint64, at time.Time) {
	if m, ok := c.materials[id]; ok && !slices.Contains(m.ApprovedBy, provider) {
		m.ApprovedBy = append(m.ApprovedBy, provider)
		m.Version, m.UpdateTime = version, at
	}
}

// Material returns teaching material.
func (c *Catalogue) Material(id string) (*MaterialState, bool) {
	m, ok := c.materials[id]
	return m, ok
}

// Materials returns all teaching material, by title, then ID.
func (c *Catalogue) Materials() []*MaterialState {
	out := make([]*MaterialState, 0, len(c.materials))
	for _, m := range c.materials {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b *MaterialState) int {
		if x := strings.Compare(a.Title, b.Title); x != 0 {
			return x
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}
