// Package paging implements AIP-158 pagination over lists ordered by a key:
// the page token names the last key returned and is bound to the filter it
// was issued for.
package paging

import (
	"encoding/base64"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

const (
	// DefaultSize is the page size when the caller sets none.
	DefaultSize = 50
	// MaxSize caps the page size; larger requests are served this many.
	MaxSize = 500
	version = "p1"
)

// Page is a validated page request.
type Page struct {
	Size int
	// After is the last key of the previous page; empty for the first page.
	After  string
	filter string
}

// Parse validates page_size and page_token; filter is a canonical rendering
// of the request's filters, so a token cannot be reused with other filters.
func Parse(size int32, token, filter string) (Page, error) {
	p := Page{Size: int(size), filter: filter}
	switch {
	case size < 0:
		return Page{}, apierr.Invalid("page_size", "must not be negative")
	case size == 0:
		p.Size = DefaultSize
	case size > MaxSize:
		p.Size = MaxSize
	}
	if token == "" {
		return p, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return Page{}, apierr.Invalid("page_token", "is not a token this API issued")
	}
	parts := strings.SplitN(string(raw), "|", 3)
	if len(parts) != 3 || parts[0] != version || parts[2] == "" {
		return Page{}, apierr.Invalid("page_token", "is not a token this API issued")
	}
	if parts[1] != filterHash(filter) {
		return Page{}, apierr.Invalid("page_token", "was issued for other filters; keep the filters while paging")
	}
	p.After = parts[2]
	return p, nil
}

// Cut returns the page of items after p.After, in order, and the token of
// the next page ("" on the last one). key must be strictly increasing along
// items; after reports whether an item sorts after the key p.After.
func Cut[T any](p Page, items []T, key func(T) string, after func(T, string) bool) ([]T, string) {
	start := 0
	if p.After != "" {
		for start < len(items) && !after(items[start], p.After) {
			start++
		}
	}
	end := min(start+p.Size, len(items))
	page := items[start:end]
	if end == len(items) || len(page) == 0 {
		return page, ""
	}
	last := key(page[len(page)-1])
	return page, base64.RawURLEncoding.EncodeToString([]byte(version + "|" + filterHash(p.filter) + "|" + last))
}

func filterHash(filter string) string {
	h := fnv.New64a()
	h.Write([]byte(filter))
	return strconv.FormatUint(h.Sum64(), 36)
}
