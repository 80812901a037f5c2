package dashboard

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// CookieName is the session cookie's name.
const CookieName = "integrationsplan_sitzung"

// maxCookie bounds the cookie value taken from a client.
const maxCookie = 1024

// sessions seals and opens session cookies. A cookie holds the API key the
// user pasted, encrypted and authenticated with AES-256-GCM under a server
// key, with its expiry: the browser never sees the key, a changed cookie
// does not open, and an expired one is refused. The key itself (not a
// partner ID) is kept so every page still goes through the gateway's guard
// with the partner's real credential, and a key removed from the partners
// file ends its sessions at once.
type sessions struct {
	aead cipher.AEAD
	ttl  time.Duration
	// maxAge bounds a session from its login, however often it is renewed.
	maxAge time.Duration
	now    func() time.Time
}

// session is a cookie's sealed content.
type session struct {
	Key string `json:"k"`
	// Login and Expires are Unix seconds.
	Login   int64 `json:"l"`
	Expires int64 `json:"e"`
}

// ParseSessionKey decodes a base64 session key of 32 bytes; empty makes a
// random one (sessions then end with the process).
func ParseSessionKey(s string) ([]byte, error) {
	if s == "" {
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		return key, nil
	}
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		key, err = base64.RawURLEncoding.DecodeString(s)
	}
	if err != nil || len(key) != 32 {
		return nil, errors.New("must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)")
	}
	return key, nil
}

func newSessions(key []byte, ttl, maxAge time.Duration) (*sessions, error) {
	// A key of its own for the cookies, derived from the configured one.
	sum := sha256.Sum256(append([]byte("integrationsplan dashboard session v1\x00"), key...))
	block, err := aes.NewCipher(sum[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	if ttl <= 0 || maxAge < ttl {
		return nil, fmt.Errorf("session lifetime %s and maximum age %s do not fit", ttl, maxAge)
	}
	return &sessions{aead: aead, ttl: ttl, maxAge: maxAge, now: time.Now}, nil
}

// seal returns the cookie value of a session.
func (s *sessions) seal(sess session) string {
	plain, _ := json.Marshal(sess)
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte(CookieName)))
}

// open returns the session of a cookie value that is authentic and not
// expired.
func (s *sessions) open(value string) (session, error) {
	var sess session
	if value == "" || len(value) > maxCookie {
		return sess, errors.New("no session")
	}
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) < s.aead.NonceSize()+s.aead.Overhead() {
		return sess, errors.New("malformed session")
	}
	nonce, sealed := raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():]
	plain, err := s.aead.Open(nil, nonce, sealed, []byte(CookieName))
	if err != nil {
		return sess, errors.New("session not authentic")
	}
	if err := json.Unmarshal(plain, &sess); err != nil || sess.Key == "" {
		return sess, errors.New("malformed session")
	}
	now := s.now().Unix()
	if now >= sess.Expires || now >= sess.Login+int64(s.maxAge/time.Second) {
		return sess, errors.New("session expired")
	}
	return sess, nil
}

// start returns a new session for key.
func (s *sessions) start(key string) session {
	now := s.now()
	return session{Key: key, Login: now.Unix(), Expires: now.Add(s.ttl).Unix()}
}

// renewed extends a session used after half its lifetime, up to its
// maximum age; ok is false when it needs no new cookie.
func (s *sessions) renewed(sess session) (session, bool) {
	now := s.now()
	if time.Unix(sess.Expires, 0).Sub(now) > s.ttl/2 {
		return sess, false
	}
	exp := min(now.Add(s.ttl).Unix(), sess.Login+int64(s.maxAge/time.Second))
	if exp <= sess.Expires {
		return sess, false
	}
	sess.Expires = exp
	return sess, true
}

// secure reports whether the request reached us over TLS, directly or
// through a proxy that terminates it.
func secure(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

// setCookie writes the session cookie: HttpOnly (no script reads it),
// SameSite=Strict (no other site's page sends it, which keeps the forms
// and /v1/events safe from cross-site requests), Secure over TLS.
func (s *sessions) setCookie(w http.ResponseWriter, r *http.Request, sess session) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: s.seal(sess), Path: "/",
		Expires: time.Unix(sess.Expires, 0), MaxAge: int(time.Unix(sess.Expires, 0).Sub(s.now()) / time.Second),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure(r),
	})
}

func clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure(r)})
}
