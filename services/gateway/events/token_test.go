package events

import (
	"errors"
	"maps"
	"testing"
)

func TestToken(t *testing.T) {
	p := Positions{"measures": 12, "education": 0, "labour": 18446744073709551615}
	tok := FormatToken(p)
	if tok != "education:0,labour:18446744073709551615,measures:12" {
		t.Fatalf("token %q", tok)
	}
	got, err := ParseToken(tok)
	if err != nil || !maps.Equal(got, p) {
		t.Fatalf("parse: %v, %v", got, err)
	}
	if got, err := ParseToken(""); err != nil || len(got) != 0 {
		t.Fatalf("empty: %v, %v", got, err)
	}
	for _, bad := range []string{
		"measures", "measures:", "measures:-1", "measures:+1", "measures:01", "Measures:1", "measures:1,measures:2",
		"measures:1,", ",measures:1", "measures:1\nid: x", "measures:18446744073709551616", "measures:1 ",
	} {
		if _, err := ParseToken(bad); !errors.Is(err, ErrBadToken) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// FuzzParseToken: a token from a caller never panics, and whatever parses
// renders back to itself (so a resumed stream hands out the same token).
func FuzzParseToken(f *testing.F) {
	for _, s := range []string{"", "measures:1", "education:0,measures:12", "a:1,b:2,c:3", "x:99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseToken(s)
		if err != nil {
			return
		}
		again, err := ParseToken(FormatToken(p))
		if err != nil || !maps.Equal(p, again) {
			t.Fatalf("%q → %v → %q → %v, %v", s, p, FormatToken(p), again, err)
		}
	})
}
