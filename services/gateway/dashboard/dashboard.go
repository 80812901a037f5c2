// Package dashboard is the county staff's live dashboard, served in German
// from the gateway's HTTP port: the plan's measures with each actor's
// adoption as a matrix, the education offers, the labour-market funnel, and
// a feed of status changes.
//
// Pages are rendered on the server (html/template, inline SVG charts with a
// table of the same figures behind each); everything but the live updates
// works without JavaScript. A little plain JavaScript (assets/live.js)
// follows /v1/events with EventSource and, on each event, fetches the page
// again and swaps the parts marked data-live.
//
// The dashboard reads only through the gateway's own gRPC endpoint with the
// viewer's API key, never around the guard. A viewer logs in by pasting a
// read-only key; the key then travels sealed in an HttpOnly session cookie
// that the pages and /v1/events accept. In local example mode
// (DASHBOARD_ANONYMOUS) anonymous visitors read as a configured read-only
// partner. No personal data is shown: participants and cases appear only as
// counts.
package dashboard

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	edu "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	lab "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	mpb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/gateway/auth"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed assets
var assetFiles embed.FS

// Config configures the dashboard.
type Config struct {
	// Conn is a client connection to the gateway's own gRPC endpoint.
	Conn *grpc.ClientConn
	// Packages are the proto packages the gateway forwards (its backends).
	Packages []string
	// EventServices are the services /v1/events can stream.
	EventServices []string
	// Authenticate returns the partner of an API key (the gateway's
	// keyring), for the login and for every request with a session.
	Authenticate func(key string) (*auth.Partner, error)
	// AnonymousKey, if set, lets visitors without a session read with this
	// key (local example mode). It must belong to a read-only partner.
	AnonymousKey string
	// SessionKey seals the session cookies (32 bytes).
	SessionKey []byte
	// SessionTTL is a session's lifetime; it is renewed while used, up to
	// SessionMaxAge after the login.
	SessionTTL, SessionMaxAge time.Duration
	// LabourProcess is the process whose funnel is shown.
	LabourProcess string
	// CallMark, sent as CallMarkHeader with every call, is the gateway's
	// secret that puts the dashboard's reads in a rate limit class of
	// their own.
	CallMark string
	Logger   *slog.Logger
}

// CallMarkHeader carries Config.CallMark.
const CallMarkHeader = "x-integration-dashboard"

// Dashboard serves the pages.
type Dashboard struct {
	cfg       Config
	log       *slog.Logger
	sessions  *sessions
	pages     map[string]*template.Template
	measures  mpb.MeasureServiceClient
	education edu.EducationServiceClient
	labour    lab.LabourServiceClient
	assets    http.Handler

	// labourSeen caches whether the labour service answered lately, so the
	// live stream asks for its events only when its stream exists.
	labourMu     sync.Mutex
	labourUp     bool
	labourProbed time.Time
}

// Packages of the backends the dashboard reads.
const (
	measuresPackage  = "integration.measures.v1"
	educationPackage = "integration.education.v1"
	labourPackage    = "integration.labour.v1"
)

// New prepares the dashboard.
func New(cfg Config) (*Dashboard, error) {
	if cfg.Conn == nil || cfg.Authenticate == nil || cfg.Logger == nil {
		return nil, errors.New("dashboard: Conn, Authenticate and Logger are required")
	}
	if cfg.LabourProcess == "" {
		cfg.LabourProcess = "processes/standard"
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = time.Hour
	}
	if cfg.SessionMaxAge == 0 {
		cfg.SessionMaxAge = 10 * time.Hour
	}
	if len(cfg.SessionKey) == 0 {
		cfg.SessionKey, _ = ParseSessionKey("")
	}
	s, err := newSessions(cfg.SessionKey, cfg.SessionTTL, cfg.SessionMaxAge)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	if cfg.AnonymousKey != "" {
		p, err := cfg.Authenticate(cfg.AnonymousKey)
		if err != nil {
			return nil, fmt.Errorf("dashboard: anonymous access: %w", err)
		}
		if !readOnly(p) {
			return nil, fmt.Errorf("dashboard: anonymous access: partner %s holds more than read scopes", p.ID)
		}
	}
	d := &Dashboard{
		cfg: cfg, log: cfg.Logger.With("component", "dashboard"), sessions: s,
		measures:  mpb.NewMeasureServiceClient(cfg.Conn),
		education: edu.NewEducationServiceClient(cfg.Conn),
		labour:    lab.NewLabourServiceClient(cfg.Conn),
	}
	if d.pages, err = parseTemplates(); err != nil {
		return nil, err
	}
	sub, err := fs.Sub(assetFiles, "assets")
	if err != nil {
		return nil, err
	}
	d.assets = http.StripPrefix("/assets/", http.FileServerFS(sub))
	return d, nil
}

// Register adds the dashboard's routes to mux.
func (d *Dashboard) Register(mux *http.ServeMux) {
	mux.Handle("GET /{$}", d.page(d.overview))
	mux.Handle("GET /massnahmen/{id}", d.page(d.measure))
	mux.Handle("GET /bildung", d.page(d.educationPage))
	mux.Handle("GET /arbeit", d.page(d.labourPage))
	mux.Handle("GET /live", d.page(d.livePage))
	mux.HandleFunc("GET /anmelden", d.loginForm)
	mux.HandleFunc("POST /anmelden", d.login)
	mux.HandleFunc("POST /abmelden", d.logout)
	mux.Handle("GET /assets/", d.headers(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		d.assets.ServeHTTP(w, r)
	}))
}

// readOnly reports whether a partner may only read: the dashboard takes
// no key that could change anything, so a leaked session discloses at most
// what the dashboard shows.
func readOnly(p *auth.Partner) bool {
	if len(p.Scopes) == 0 {
		return false
	}
	for _, s := range p.Scopes {
		if !strings.HasSuffix(s, ".read") {
			return false
		}
	}
	return true
}

// viewer is who is looking: the credential the dashboard calls with.
type viewer struct {
	authorization string
	partner       *auth.Partner
	anonymous     bool
	mark          string
}

// viewerOf returns the request's viewer: the session's, else the anonymous
// one in example mode; ok is false without either. A cookie that does not
// open, or whose key no longer authenticates, is cleared.
func (d *Dashboard) viewerOf(w http.ResponseWriter, r *http.Request) (*viewer, bool) {
	if c, err := r.Cookie(CookieName); err == nil {
		sess, err := d.sessions.open(c.Value)
		if err == nil {
			p, err := d.cfg.Authenticate(sess.Key)
			if err == nil && readOnly(p) {
				if w != nil {
					if renewed, ok := d.sessions.renewed(sess); ok {
						d.sessions.setCookie(w, r, renewed)
					}
				}
				return &viewer{authorization: "Bearer " + sess.Key, partner: p, mark: d.cfg.CallMark}, true
			}
		}
		if w != nil {
			clearCookie(w, r)
		}
	}
	if d.cfg.AnonymousKey != "" {
		p, err := d.cfg.Authenticate(d.cfg.AnonymousKey)
		if err == nil && readOnly(p) {
			return &viewer{authorization: "Bearer " + d.cfg.AnonymousKey, partner: p, anonymous: true, mark: d.cfg.CallMark}, true
		}
	}
	return nil, false
}

// EventCredential is the metadata /v1/events sends for a request without
// an Authorization header: the session's key (or the anonymous one in
// example mode) and the dashboard's call mark, so that its live connection
// counts against the dashboard's rate limit like its pages.
func (d *Dashboard) EventCredential(r *http.Request) (metadata.MD, bool) {
	v, ok := d.viewerOf(nil, r)
	if !ok {
		return nil, false
	}
	return v.metadata(), true
}

// metadata is the viewer's credential for the gateway's gRPC side.
func (v *viewer) metadata() metadata.MD {
	md := metadata.Pairs("authorization", v.authorization)
	if v.mark != "" {
		md.Set(CallMarkHeader, v.mark)
	}
	return md
}

// callContext carries the viewer's credential to the gateway's gRPC side.
func (v *viewer) callContext(r *http.Request) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	md := v.metadata()
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 128 {
		md.Set("x-request-id", id)
	}
	return metadata.NewOutgoingContext(ctx, md), cancel
}

// contentSecurityPolicy allows only the dashboard's own script, styles and
// connections; no inline script runs, no other site can frame the pages.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func (d *Dashboard) headers(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next(w, r)
	}
}

// fragmentHeader marks the live script's re-fetch of a page: without a
// session it gets 401 instead of the login page.
const fragmentHeader = "X-Dashboard-Live"

type pageHandler func(w http.ResponseWriter, r *http.Request, v *viewer)

// page checks the viewer and runs h; a visitor without one is sent to the
// login form, and comes back after it.
func (d *Dashboard) page(h pageHandler) http.Handler {
	return d.headers(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Add("Vary", "Cookie")
		v, ok := d.viewerOf(w, r)
		if !ok {
			if r.Header.Get(fragmentHeader) != "" {
				http.Error(w, "Sitzung abgelaufen: bitte neu anmelden.", http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/anmelden?weiter="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		h(w, r, v)
	})
}

// render writes a page; a template error is logged and answered with 500
// before anything is written.
func (d *Dashboard) render(w http.ResponseWriter, status int, name string, data any) {
	t, ok := d.pages[name]
	if !ok {
		d.log.Error("no such page template", "page", name)
		http.Error(w, "Interner Fehler", http.StatusInternalServerError)
		return
	}
	var buf strings.Builder
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		d.log.Error("rendering a page", "page", name, "error", err)
		http.Error(w, "Interner Fehler", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(buf.String()))
}

// problemStatus is the status of a page whose data failed to load: the
// page with the notice, but 503 to the live script's re-fetch, which then
// keeps the figures shown (and the time they are from).
func problemStatus(r *http.Request) int {
	if r.Header.Get(fragmentHeader) != "" {
		return http.StatusServiceUnavailable
	}
	return http.StatusOK
}

// problem is the German notice for a section whose data failed to load.
func (d *Dashboard) problem(r *http.Request, what string, err error) string {
	if err == nil {
		return ""
	}
	code := status.Code(err)
	if code != codes.PermissionDenied && code != codes.NotFound {
		d.log.Warn("dashboard data not loaded", "what", what, "path", r.URL.Path, "code", code.String(), "error", err)
	}
	switch code {
	case codes.PermissionDenied:
		return "Für diese Daten fehlt dem Zugang die Berechtigung."
	case codes.Unavailable, codes.DeadlineExceeded, codes.Canceled:
		return "Der Dienst ist gerade nicht erreichbar; beim nächsten Laden der Seite wird es erneut versucht."
	case codes.ResourceExhausted:
		return "Zu viele Abfragen in kurzer Zeit; bitte die Seite gleich erneut laden."
	case codes.NotFound, codes.Unimplemented:
		return "Noch keine Daten."
	case codes.Unauthenticated:
		return "Der Zugang ist nicht mehr gültig; bitte neu anmelden."
	}
	return "Die Daten konnten nicht geladen werden."
}

// base is what every page's layout shows.
type base struct {
	Title string
	// Nav is the current navigation entry.
	Nav       string
	Viewer    string
	Anonymous bool
	LoggedIn  bool
	Live      liveConfig
	// Updated is when the page's data was read.
	Updated string
	// Path is the page's path, for the CSV links.
	Path string
}

func (d *Dashboard) base(r *http.Request, v *viewer, title, nav string) base {
	b := base{Title: title, Nav: nav, Updated: time.Now().In(berlin).Format("15:04:05"), Path: r.URL.Path}
	if v != nil {
		b.Viewer, b.Anonymous, b.LoggedIn = v.partner.ID, v.anonymous, !v.anonymous
		b.Live = d.liveConfig(r, v)
	}
	return b
}

// liveConfig says which services' events the page follows.
type liveConfig struct {
	Services string
	Types    string
	// Off says why there are no live updates.
	Off string
}

// liveTypes are the event types that change what the dashboard shows. The
// participants' own events are not among them: they change no figure.
var liveTypes = map[string][]string{
	"measures": {"MeasureCreated", "ActorCreated", "AdoptionStatusChanged", "IndicatorDefined", "IndicatorChanged", "IndicatorDeleted",
		"IndicatorValueChanged"},
	"education": {"ProviderCreated", "OfferCreated", "OfferChanged", "OfferStatusChanged", "ReferralCreated", "ReferralStatusChanged",
		"OfferFull", "GapOpened", "GapClosed"},
	"labour": {"ProcessVersionPublished", "CaseOpened", "CaseStageChanged", "CaseOverdue", "CaseClosed", "CaseMigrated",
		"PilotProjectCreated", "PilotOfferedPlacesSet", "PilotOutcomeRecorded", "PilotCaseLinked", "OrientationEventScheduled", "OrientationEventHeld"},
}

func (d *Dashboard) liveConfig(r *http.Request, v *viewer) liveConfig {
	if !v.partner.HasScope("events.read") {
		return liveConfig{Off: "Live-Aktualisierung nicht verfügbar: dem Zugang fehlt die Berechtigung events.read."}
	}
	var services, types []string
	for _, svc := range []string{"measures", "education", "labour"} {
		pkg := "integration." + svc + ".v1"
		if !slices.Contains(d.cfg.EventServices, svc) || !slices.Contains(d.cfg.Packages, pkg) || !v.partner.HasScope(svc+".read") {
			continue
		}
		if svc == "labour" && !d.labourAnswers(r, v) {
			continue
		}
		services = append(services, svc)
		for _, t := range liveTypes[svc] {
			types = append(types, pkg+"."+t)
		}
	}
	if len(services) == 0 {
		return liveConfig{Off: "Live-Aktualisierung nicht verfügbar."}
	}
	return liveConfig{Services: strings.Join(services, ","), Types: strings.Join(types, ",")}
}

// labourAnswers reports whether the labour service answered within the
// last 30 seconds (a subscription to a service whose stream does not exist
// yet would fail as a whole).
func (d *Dashboard) labourAnswers(r *http.Request, v *viewer) bool {
	d.labourMu.Lock()
	up, fresh := d.labourUp, time.Since(d.labourProbed) < 30*time.Second
	d.labourMu.Unlock()
	if fresh {
		return up
	}
	ctx, cancel := v.callContext(r)
	defer cancel()
	ctx, cancel2 := context.WithTimeout(ctx, 2*time.Second)
	defer cancel2()
	_, err := d.labour.ListPilotProjects(ctx, &lab.ListPilotProjectsRequest{PageSize: 1})
	// A missing scope says nothing about the service: only an answer or
	// its absence counts.
	up = err == nil || (status.Code(err) != codes.Unavailable && status.Code(err) != codes.Unimplemented &&
		status.Code(err) != codes.DeadlineExceeded && status.Code(err) != codes.PermissionDenied)
	d.labourMu.Lock()
	d.labourUp, d.labourProbed = up, time.Now()
	d.labourMu.Unlock()
	return up
}

func (d *Dashboard) connected(pkg string) bool { return slices.Contains(d.cfg.Packages, pkg) }

// csvRequested answers ?format=csv&tabelle=… from a page's tables; it
// reports whether it did.
func csvRequested(w http.ResponseWriter, r *http.Request, page string, tables func() []table) bool {
	if r.URL.Query().Get("format") != "csv" {
		return false
	}
	ts := tables()
	t, ok := findTable(ts, r.URL.Query().Get("tabelle"))
	if !ok {
		http.Error(w, "Unbekannte Tabelle; verfügbar: "+tableNames(ts), http.StatusNotFound)
		return true
	}
	writeCSV(w, page, t)
	return true
}
