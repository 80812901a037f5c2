package paging_test

import (
	"encoding/base64"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/paging"
)

// wantInvalid asserts err is an invalid argument on exactly field.
func wantInvalid(t *testing.T, err error, field string) {
	t.Helper()
	e, ok := apierr.As(err)
	if !ok {
		t.Fatalf("got %T %v, want *apierr.Error on %s", err, err, field)
	}
	if e.Kind != apierr.KindInvalidArgument || len(e.Violations) != 1 || e.Violations[0].Field != field {
		t.Fatalf("got %+v, want one violation on %s", e, field)
	}
	if e.Violations[0].Description == "" {
		t.Errorf("violation on %s without description", field)
	}
}

func key(s string) string          { return s }
func after(item, last string) bool { return item > last }
func cut(p paging.Page, items []string) ([]string, string) {
	return paging.Cut(p, items, key, after)
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		size int32
		want int
	}{
		{0, paging.DefaultSize},
		{1, 1},
		{3, 3},
		{paging.DefaultSize, paging.DefaultSize},
		{paging.MaxSize - 1, paging.MaxSize - 1},
		{paging.MaxSize, paging.MaxSize},
		{paging.MaxSize + 1, paging.MaxSize},
		{math.MaxInt32, paging.MaxSize},
	}
	for _, tt := range tests {
		p, err := paging.Parse(tt.size, "", "")
		if err != nil {
			t.Errorf("Parse(%d): %v", tt.size, err)
			continue
		}
		if p.Size != tt.want || p.After != "" {
			t.Errorf("Parse(%d) = size %d, after %q; want size %d, no after", tt.size, p.Size, p.After, tt.want)
		}
	}
	if paging.DefaultSize <= 0 || paging.DefaultSize > paging.MaxSize {
		t.Errorf("DefaultSize %d outside 1..MaxSize %d", paging.DefaultSize, paging.MaxSize)
	}
	for _, size := range []int32{-1, -50, math.MinInt32} {
		p, err := paging.Parse(size, "", "")
		wantInvalid(t, err, "page_size")
		if p != (paging.Page{}) {
			t.Errorf("Parse(%d) returned page %+v", size, p)
		}
	}
	// The size is checked first, whatever the token.
	_, err := paging.Parse(-1, "###", "")
	wantInvalid(t, err, "page_size")
}

// tokenFor issues a real token: the one Cut returns after key k.
func tokenFor(t *testing.T, filter, k string) string {
	t.Helper()
	p, err := paging.Parse(1, "", filter)
	if err != nil {
		t.Fatal(err)
	}
	page, next := cut(p, []string{k, k + "~"})
	if !slices.Equal(page, []string{k}) || next == "" {
		t.Fatalf("cut gave %v, %q", page, next)
	}
	return next
}

func TestParseToken(t *testing.T) {
	const filter = `topic_field=LABOUR_MARKET`
	tok := tokenFor(t, filter, "m-2-5")
	p, err := paging.Parse(10, tok, filter)
	if err != nil {
		t.Fatalf("Parse of an issued token: %v", err)
	}
	if p.After != "m-2-5" || p.Size != 10 {
		t.Errorf("got %+v, want size 10 after m-2-5", p)
	}

	// Keys with the separator and arbitrary bytes survive the round trip.
	for _, k := range []string{"a|b|c", "|", "ü", "\x00", strings.Repeat("k", 1000)} {
		p, err := paging.Parse(1, tokenFor(t, filter, k), filter)
		if err != nil || p.After != k {
			t.Errorf("key %q: got %q, %v", k, p.After, err)
		}
	}

	enc := base64.RawURLEncoding.EncodeToString
	// The filter hash of the real token, to forge otherwise well-formed ones.
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatalf("issued token is not unpadded base64url: %v", err)
	}
	parts := strings.SplitN(string(raw), "|", 3)
	if len(parts) != 3 {
		t.Fatalf("issued token %q has no three parts", raw)
	}
	hash := parts[1]
	if p, err := paging.Parse(1, enc([]byte(parts[0]+"|"+hash+"|m-3-1")), filter); err != nil || p.After != "m-3-1" {
		t.Fatalf("a well-formed token was refused: %+v, %v", p, err)
	}
	// The same bytes as a valid token, in the standard alphabet.
	stdAlphabet := base64.RawStdEncoding.EncodeToString([]byte("p1|" + hash + "|\xff\xff\xff\xff\xff\xff"))
	if !strings.ContainsAny(stdAlphabet, "+/") {
		t.Fatalf("%q has no character of the standard alphabet only", stdAlphabet)
	}
	if p, err := paging.Parse(1, strings.NewReplacer("+", "-", "/", "_").Replace(stdAlphabet), filter); err != nil || p.After != "\xff\xff\xff\xff\xff\xff" {
		t.Fatalf("the URL-alphabet twin was refused: %+v, %v", p, err)
	}
	garbage := map[string]string{
		"not base64":        "###",
		"padded base64":     tok + "=",
		"standard alphabet": stdAlphabet,
		"plain text":        "m-2-5",
		"one part":          enc([]byte("p1")),
		"two parts":         enc([]byte("p1|" + hash)),
		"empty after":       enc([]byte("p1|" + hash + "|")),
		"other version":     enc([]byte("p2|" + hash + "|m-2-5")),
		"no version":        enc([]byte("|" + hash + "|m-2-5")),
		"empty":             enc([]byte("||")),
		"space":             " ",
	}
	for name, token := range garbage {
		t.Run(name, func(t *testing.T) {
			p, err := paging.Parse(10, token, filter)
			wantInvalid(t, err, "page_token")
			if p != (paging.Page{}) {
				t.Errorf("returned page %+v", p)
			}
		})
	}

	// A token only works with the filter it was issued for.
	for _, other := range []string{"", "topic_field=HOUSING", filter + " ", strings.ToUpper(filter)} {
		_, err := paging.Parse(10, tok, other)
		wantInvalid(t, err, "page_token")
		if e, _ := apierr.As(err); !strings.Contains(e.Violations[0].Description, "other filters") {
			t.Errorf("filter %q: %q does not explain the filter change", other, e.Violations[0].Description)
		}
	}
	if p, err := paging.Parse(10, tokenFor(t, "", "x"), ""); err != nil || p.After != "x" {
		t.Errorf("a token for no filter: %+v, %v", p, err)
	}
}

func TestCutWalksTheList(t *testing.T) {
	items := []string{"a", "b", "c", "d", "e", "f", "g"}
	const filter = "kind=MUNICIPALITY"
	want := [][]string{{"a", "b", "c"}, {"d", "e", "f"}, {"g"}}
	var got [][]string
	var seen []string
	token := ""
	for i := 0; ; i++ {
		if i > len(items) {
			t.Fatalf("no last page after %d pages", i)
		}
		p, err := paging.Parse(3, token, filter)
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		page, next := cut(p, items)
		got = append(got, page)
		seen = append(seen, page...)
		if next == "" {
			break
		}
		if next == token {
			t.Fatalf("page %d returned the token it was given", i)
		}
		token = next
	}
	if len(got) != len(want) {
		t.Fatalf("pages %v, want %v", got, want)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("page %d is %v, want %v", i, got[i], want[i])
		}
	}
	if !slices.Equal(seen, items) {
		t.Errorf("walk saw %v, want every item once in order: %v", seen, items)
	}
}

func TestCutSizes(t *testing.T) {
	items := make([]string, 23)
	for i := range items {
		items[i] = string(rune('A' + i))
	}
	for _, n := range []int{0, 1, 2, 3, 6, 22, 23} {
		for _, size := range []int32{1, 2, 3, 5, 6, 23, 24, 0} {
			list := items[:n]
			var seen []string
			pages := 0
			token := ""
			for {
				p, err := paging.Parse(size, token, "")
				if err != nil {
					t.Fatalf("n=%d size=%d: %v", n, size, err)
				}
				page, next := cut(p, list)
				pages++
				if len(page) > p.Size {
					t.Fatalf("n=%d size=%d: page of %d", n, size, len(page))
				}
				if next != "" && len(page) != p.Size {
					t.Fatalf("n=%d size=%d: short page %v before the last", n, size, page)
				}
				seen = append(seen, page...)
				if next == "" {
					break
				}
				if pages > n+1 {
					t.Fatalf("n=%d size=%d: does not end", n, size)
				}
				token = next
			}
			if !slices.Equal(seen, list) {
				t.Errorf("n=%d size=%d: saw %v", n, size, seen)
			}
			eff := int(size)
			if size == 0 {
				eff = paging.DefaultSize
			}
			wantPages := max(1, (n+eff-1)/eff)
			if pages != wantPages {
				t.Errorf("n=%d size=%d: %d pages, want %d (no empty last page)", n, size, pages, wantPages)
			}
		}
	}
}

// A token stays valid when the list changes between pages: the next page
// starts after the last key seen, not at an offset.
func TestCutAfterKeyNotOffset(t *testing.T) {
	p, _ := paging.Parse(2, "", "")
	page, next := cut(p, []string{"b", "d", "f", "h"})
	if !slices.Equal(page, []string{"b", "d"}) || next == "" {
		t.Fatalf("first page %v, %q", page, next)
	}
	p, err := paging.Parse(2, next, "")
	if err != nil {
		t.Fatal(err)
	}
	// "a" and "c" were inserted before the cursor, "d" was removed.
	page, next = cut(p, []string{"a", "b", "c", "e", "f", "h"})
	if !slices.Equal(page, []string{"e", "f"}) || next == "" {
		t.Errorf("second page %v, %q; want [e f] and a token", page, next)
	}
	// Everything after the cursor is gone.
	page, next = cut(p, []string{"a", "b", "c"})
	if len(page) != 0 || next != "" {
		t.Errorf("past the end: %v, %q; want an empty last page", page, next)
	}
	page, next = cut(p, nil)
	if len(page) != 0 || next != "" {
		t.Errorf("empty list: %v, %q", page, next)
	}
}

func FuzzParse(f *testing.F) {
	enc := base64.RawURLEncoding.EncodeToString
	f.Add(int32(0), "", "")
	f.Add(int32(-1), "", "x")
	f.Add(int32(600), "###", "")
	f.Add(int32(3), enc([]byte("p1|abc|m-2-5")), "topic_field=HOUSING")
	f.Add(int32(3), enc([]byte("p1||")), "")
	f.Add(int32(3), "cDF8", "")
	p, _ := paging.Parse(1, "", "topic_field=HOUSING")
	_, tok := paging.Cut(p, []string{"m-2-5", "m-2-6"}, key, after)
	f.Add(int32(1), tok, "topic_field=HOUSING")
	f.Add(int32(1), tok, "topic_field=LEISURE")
	f.Fuzz(func(t *testing.T, size int32, token, filter string) {
		p, err := paging.Parse(size, token, filter)
		if err != nil {
			e, ok := apierr.As(err)
			if !ok || e.Kind != apierr.KindInvalidArgument || len(e.Violations) != 1 {
				t.Fatalf("error %v is not one invalid argument", err)
			}
			field := e.Violations[0].Field
			if (size < 0) != (field == "page_size") || (field != "page_size" && field != "page_token") {
				t.Fatalf("size %d, token %q: violation on %s", size, token, field)
			}
			if field == "page_token" && token == "" {
				t.Fatal("an empty token was refused")
			}
			return
		}
		if size < 0 {
			t.Fatalf("size %d accepted", size)
		}
		if p.Size < 1 || p.Size > paging.MaxSize {
			t.Fatalf("size %d became %d", size, p.Size)
		}
		if size > 0 && size <= paging.MaxSize && p.Size != int(size) {
			t.Fatalf("size %d became %d", size, p.Size)
		}
		if (token == "") != (p.After == "") {
			t.Fatalf("token %q accepted with after %q", token, p.After)
		}

		// Whatever key a page ends on, its token brings the walk back there.
		if token == "" {
			return
		}
		k := token
		first, _ := paging.Parse(1, "", filter)
		page, next := paging.Cut(first, []string{k, k + "\x00"}, key, after)
		if len(page) != 1 || page[0] != k || next == "" {
			t.Fatalf("cut of [%q …] gave %q, %q", k, page, next)
		}
		again, err := paging.Parse(1, next, filter)
		if err != nil || again.After != k {
			t.Fatalf("token for key %q gave %+v, %v", k, again, err)
		}
	})
}
