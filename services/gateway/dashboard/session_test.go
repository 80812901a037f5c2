package dashboard

import (
	"strings"
	"testing"
	"time"
)

// TestSessions: a cookie opens only unchanged and before its expiry and
// maximum age; it is renewed after half its lifetime, never past the
// maximum age; another server key cannot open it.
func TestSessions(t *testing.T) {
	key, _ := ParseSessionKey("")
	s, err := newSessions(key, time.Hour, 3*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 8, 9, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	value := s.seal(s.start("ipk_secret"))
	if strings.Contains(value, "secret") {
		t.Fatal("the key shows in the cookie")
	}
	if got, err := s.open(value); err != nil || got.Key != "ipk_secret" {
		t.Fatalf("open: %+v %v", got, err)
	}
	b := []byte(value)
	b[len(b)-3] ^= 0x01
	if _, err := s.open(string(b)); err == nil {
		t.Fatal("a changed cookie opened")
	}
	other, _ := newSessions(func() []byte { k, _ := ParseSessionKey(""); return k }(), time.Hour, 3*time.Hour)
	if _, err := other.open(value); err == nil {
		t.Fatal("another server key opened the cookie")
	}
	for _, v := range []string{"", "x", strings.Repeat("A", 2000)} {
		if _, err := s.open(v); err == nil {
			t.Fatalf("%q opened", v)
		}
	}

	sess, _ := s.open(value)
	now = now.Add(20 * time.Minute)
	if _, renewed := s.renewed(sess); renewed {
		t.Fatal("renewed before half its lifetime")
	}
	now = now.Add(20 * time.Minute)
	sess, renewed := s.renewed(sess)
	if !renewed || sess.Expires != now.Add(time.Hour).Unix() {
		t.Fatalf("renewal: %v %v", renewed, time.Unix(sess.Expires, 0))
	}
	value = s.seal(sess)
	now = now.Add(61 * time.Minute)
	if _, err := s.open(value); err == nil {
		t.Fatal("an expired session opened")
	}
	// Renewed while used, it still ends at its maximum age.
	now = time.Date(2026, 5, 8, 9, 0, 0, 0, time.UTC)
	sess = s.start("ipk_secret")
	for range 20 {
		now = now.Add(35 * time.Minute)
		if next, ok := s.renewed(sess); ok {
			sess = next
		}
		if now.Sub(time.Unix(sess.Login, 0)) >= 3*time.Hour {
			if _, err := s.open(s.seal(sess)); err == nil {
				t.Fatalf("open at %s after the login", now.Sub(time.Unix(sess.Login, 0)))
			}
			return
		}
	}
	t.Fatal("the session never reached its maximum age")
}

func TestNextPath(t *testing.T) {
	for in, want := range map[string]string{
		"/bildung?x=1": "/bildung?x=1", "": "/", "//evil.example": "/", "https://evil.example/": "/",
		"/\\evil.example": "/", "bildung": "/", "/anmelden?weiter=/x": "/", "/a\r\nb": "/",
	} {
		if got := nextPath(in); got != want {
			t.Errorf("nextPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+49 7191": "'+49 7191", "-x": "'-x", "@SUM(A1)": "'@SUM(A1)", "42,5 %": "42,5 %", "1.234": "1.234",
		"Stadt Backnang": "Stadt Backnang", "": "",
	} {
		if got := cell(in); got != want {
			t.Errorf("cell(%q) = %q, want %q", in, got, want)
		}
	}
}
