package dashboard

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/integrationsplan/integrationsplan/services/gateway/auth"
)

// maxKeyLength bounds the key a login form may send.
const maxKeyLength = 256

type loginPage struct {
	base
	Next    string
	Problem string
}

// nextPath is the local path to return to after the login; anything that
// could lead off the site becomes "/".
func nextPath(s string) string {
	if s == "" || len(s) > 2048 || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") ||
		strings.ContainsAny(s, "\\\r\n\t") || strings.HasPrefix(s, "/anmelden") {
		return "/"
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return s
}

func (d *Dashboard) loginForm(w http.ResponseWriter, r *http.Request) {
	d.headers(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		p := loginPage{base: d.base(r, nil, "Anmelden", "anmelden"), Next: nextPath(r.URL.Query().Get("weiter"))}
		if v, ok := d.viewerOf(w, r); ok && !v.anonymous {
			http.Redirect(w, r, p.Next, http.StatusSeeOther)
			return
		}
		if d.cfg.AnonymousKey != "" {
			p.Anonymous = true
		}
		d.render(w, http.StatusOK, "login", p)
	})(w, r)
}

// sameOrigin refuses a form posted from another site (login CSRF): a
// browser sends Origin with every POST; a request without one comes from a
// program, which could send the key directly anyway.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return r.Header.Get("Sec-Fetch-Site") == "" || r.Header.Get("Sec-Fetch-Site") == "same-origin"
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

func (d *Dashboard) login(w http.ResponseWriter, r *http.Request) {
	d.headers(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if !sameOrigin(r) {
			http.Error(w, "Anmeldung nur über das Formular dieser Seite.", http.StatusForbidden)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 4096)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "Ungültige Anfrage.", http.StatusBadRequest)
			return
		}
		p := loginPage{base: d.base(r, nil, "Anmelden", "anmelden"), Next: nextPath(r.PostForm.Get("weiter"))}
		p.Anonymous = d.cfg.AnonymousKey != ""
		key := strings.TrimSpace(r.PostForm.Get("schluessel"))
		status := http.StatusOK
		switch partner, err := d.cfg.Authenticate(key); {
		case key == "" || len(key) > maxKeyLength:
			p.Problem, status = "Bitte den API-Schlüssel des Dashboards einfügen.", http.StatusBadRequest
		case errors.Is(err, auth.ErrNoKey), errors.Is(err, auth.ErrUnknownKey), err != nil:
			p.Problem, status = "Dieser Schlüssel ist nicht gültig.", http.StatusUnauthorized
		case !readOnly(partner):
			d.log.Warn("dashboard login refused: the key may change data", "partner", partner.ID)
			p.Problem, status = "Dieser Schlüssel darf Daten ändern. Für das Dashboard ist ein reiner Lese-Schlüssel nötig.", http.StatusForbidden
		default:
			d.sessions.setCookie(w, r, d.sessions.start(key))
			d.log.Info("dashboard login", "partner", partner.ID)
			http.Redirect(w, r, p.Next, http.StatusSeeOther)
			return
		}
		d.render(w, status, "login", p)
	})(w, r)
}

func (d *Dashboard) logout(w http.ResponseWriter, r *http.Request) {
	d.headers(func(w http.ResponseWriter, r *http.Request) {
		if !sameOrigin(r) {
			http.Error(w, "Abmelden nur über die Schaltfläche dieser Seite.", http.StatusForbidden)
			return
		}
		clearCookie(w, r)
		http.Redirect(w, r, "/anmelden", http.StatusSeeOther)
	})(w, r)
}
