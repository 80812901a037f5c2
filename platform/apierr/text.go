package apierr

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text checks a free-text field and records a violation if it fails: trimmed length within [minLen,
// maxLen] runes, valid UTF-8, no control characters but newlines and tabs
// when multiline is set.
func (v *Violations) Text(field, s string, minLen, maxLen int, multiline bool) {
	if !utf8.ValidString(s) {
		v.Add(field, "must be valid UTF-8")
		return
	}
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	switch {
	case n < minLen && minLen == 1:
		v.Add(field, "is required")
		return
	case n < minLen:
		v.Add(field, "must have at least %d characters", minLen)
		return
	case n > maxLen:
		v.Add(field, "must have at most %d characters, has %d", maxLen, n)
		return
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t' || r == '\r')) {
			v.Add(field, "must not contain control characters")
			return
		}
	}
}
