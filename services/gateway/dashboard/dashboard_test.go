package dashboard_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	edu "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	mpb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/gateway/dashboard"
)

// pages are the dashboard's views with the tables each exports.
var pages = map[string][]string{
	"/":                  {"handlungsfelder", "akteure", "matrix"},
	"/massnahmen/m-1-3":  {"umsetzung", "verlauf", "indikatoren"},
	"/bildung":           {"freie-plaetze", "angebote", "luecken", "duplikate", "vermittlungen"},
	"/arbeit":            nil, // the labour service is not connected in these tests
	"/live":              nil,
	"/massnahmen/m-2-5":  {"umsetzung", "verlauf", "indikatoren"},
	"/massnahmen/m-9-99": nil,
}

func sessionCookie(t *testing.T, resp *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == dashboard.CookieName {
			return c
		}
	}
	t.Fatalf("no session cookie in %v", resp.Header["Set-Cookie"])
	return nil
}

// TestLoginSessionAndAccess: without a session the pages send to the login
// form and /v1/events refuses; only a read-only key logs in; the cookie is
// HttpOnly, SameSite=Strict, Secure behind TLS, does not show the key, and
// both the pages and /v1/events accept it until logout.
func TestLoginSessionAndAccess(t *testing.T) {
	s := startStack(t, stackOptions{})
	c := client(t)

	resp, _ := s.get(t, c, "/bildung?x=1")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/anmelden?weiter="+url.QueryEscape("/bildung?x=1") {
		t.Fatalf("without a session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := s.get(t, c, "/anmelden")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<html lang="de">`) || !strings.Contains(body, `method="post" action="/anmelden"`) {
		t.Fatalf("login form: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := s.get(t, c, "/v1/events?services=measures"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("events without a session: %d", resp.StatusCode)
	}

	for name, tc := range map[string]struct {
		key    string
		status int
	}{
		"empty":       {"", http.StatusBadRequest},
		"unknown key": {"ipk_guessed", http.StatusUnauthorized},
		"writer key":  {s.keys[kreis], http.StatusForbidden},
		"other key":   {s.keys[backnang], http.StatusForbidden},
	} {
		resp := s.login(t, c, tc.key, "/")
		if resp.StatusCode != tc.status || len(resp.Cookies()) != 0 {
			t.Errorf("%s: %d %v", name, resp.StatusCode, resp.Cookies())
		}
	}
	// A form posted from another site is refused (login CSRF).
	req, _ := http.NewRequest(http.MethodPost, s.httpURL+"/anmelden", strings.NewReader(url.Values{"schluessel": {s.keys[viewer]}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://elsewhere.example")
	if resp, err := c.Do(req); err != nil || resp.StatusCode != http.StatusForbidden || len(resp.Cookies()) != 0 {
		t.Fatalf("cross-site login: %v %v", resp, err)
	}

	// The return path stays on the site.
	resp = s.login(t, client(t), s.keys[viewer], "//elsewhere.example/x")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("open redirect: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}

	resp = s.login(t, c, s.keys[viewer], "/bildung")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/bildung" {
		t.Fatalf("login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	cookie := sessionCookie(t, resp)
	if !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Secure || cookie.Path != "/" || cookie.MaxAge <= 0 {
		t.Fatalf("cookie attributes: %+v", cookie)
	}
	secret := strings.TrimPrefix(s.keys[viewer], "ipk_")
	if strings.Contains(cookie.Value, secret) || strings.Contains(resp.Header.Get("Set-Cookie"), secret) {
		t.Fatal("the cookie shows the key")
	}
	// Behind a proxy terminating TLS the cookie is Secure.
	req, _ = http.NewRequest(http.MethodPost, s.httpURL+"/anmelden", strings.NewReader(url.Values{"schluessel": {s.keys[viewer]}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.httpURL)
	req.Header.Set("X-Forwarded-Proto", "https")
	if resp, err := client(t).Do(req); err != nil || !sessionCookie(t, resp).Secure {
		t.Fatalf("TLS login: %v %v", resp, err)
	}

	resp, body = s.get(t, c, "/")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Umsetzungsstand je Maßnahme und Akteur") || !strings.Contains(body, "Angemeldet als") {
		t.Fatalf("overview with a session: %d\n%s", resp.StatusCode, body)
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
	if !strings.Contains(resp.Header.Get("Cache-Control"), "no-store") {
		t.Errorf("Cache-Control %q", resp.Header.Get("Cache-Control"))
	}

	// /v1/events takes the cookie in place of an Authorization header.
	ev, err := c.Get(s.httpURL + "/v1/events?services=measures,education")
	if err != nil {
		t.Fatal(err)
	}
	if ev.StatusCode != http.StatusOK || ev.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events with a session: %d", ev.StatusCode)
	}
	ev.Body.Close()

	// A changed cookie does not open: back to the login, the cookie cleared.
	tampered := client(t)
	u, _ := url.Parse(s.httpURL)
	value := []byte(cookie.Value)
	value[len(value)/2] ^= 1
	if value[len(value)/2] == '-' || value[len(value)/2] == '_' {
		value[len(value)/2] = 'A'
	}
	tampered.Jar.SetCookies(u, []*http.Cookie{{Name: dashboard.CookieName, Value: string(value)}})
	if resp, _ := s.get(t, tampered, "/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("tampered cookie: %d", resp.StatusCode)
	}
	if resp, _ := s.get(t, tampered, "/v1/events?services=measures"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("events with a tampered cookie: %d", resp.StatusCode)
	}

	// The live script's refetch gets 401, not the login page.
	req, _ = http.NewRequest(http.MethodGet, s.httpURL+"/", nil)
	req.Header.Set("X-Dashboard-Live", "1")
	if resp, err := client(t).Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("live refetch without a session: %v %v", resp, err)
	}

	// Logout needs the site's own form, then clears the session.
	req, _ = http.NewRequest(http.MethodPost, s.httpURL+"/abmelden", nil)
	req.Header.Set("Origin", s.httpURL)
	resp, err = c.Do(req)
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %v %v", resp, err)
	}
	if resp, _ := s.get(t, c, "/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after logout: %d", resp.StatusCode)
	}
}

// TestAnonymousExampleMode: with DASHBOARD_ANONYMOUS the pages and
// /v1/events are readable without a login, with the configured partner's
// read scopes; the JSON API still wants a key.
func TestAnonymousExampleMode(t *testing.T) {
	s := startStack(t, stackOptions{anonymous: true})
	c := client(t)
	resp, body := s.get(t, c, "/")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Ohne Anmeldung") || !strings.Contains(body, "Stadt Backnang") {
		t.Fatalf("anonymous overview: %d\n%s", resp.StatusCode, body)
	}
	ev, err := c.Get(s.httpURL + "/v1/events?services=measures")
	if err != nil || ev.StatusCode != http.StatusOK {
		t.Fatalf("anonymous events: %v %v", ev, err)
	}
	ev.Body.Close()

	// A new EventSource cannot set Last-Event-ID; the query parameter
	// resumes as well: from "measures:0" the stored history arrives,
	// where a fresh subscription would wait for the next change.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.httpURL+"/v1/events?services=measures&lastEventId=measures:0", nil)
	ev, err = c.Do(req)
	if err != nil || ev.StatusCode != http.StatusOK {
		t.Fatalf("resume by query: %v %v", ev, err)
	}
	defer ev.Body.Close()
	lines := bufio.NewScanner(ev.Body)
	for lines.Scan() && !strings.HasPrefix(lines.Text(), "id: ") {
	}
	if !strings.HasPrefix(lines.Text(), "id: measures") {
		t.Fatalf("no event from the history: %q %v", lines.Text(), lines.Err())
	}

	js, err := c.Post(s.httpURL+"/integration.measures.v1.MeasureService/ListActors", "application/json", strings.NewReader("{}"))
	if err != nil || js.StatusCode != http.StatusUnauthorized {
		t.Fatalf("JSON API without a key: %v %v", js, err)
	}
	js.Body.Close()
}

// TestPagesAndCSV renders every view and exports every table: UTF-8 with a
// byte order mark, semicolons, a header and rows of its width; a formula
// in a title is defused.
func TestPagesAndCSV(t *testing.T) {
	s := startStack(t, stackOptions{})
	// A measure whose title a spreadsheet would run as a formula.
	if _, err := s.measures.CreateMeasure(s.as(kreis), &mpb.CreateMeasureRequest{Measure: &mpb.Measure{
		Number: "3.1", Title: "=HYPERLINK(\"http://x\";\"Wohnen\")", TopicField: mpb.TopicField_TOPIC_FIELD_HOUSING,
		AddressedActorKinds: []mpb.ActorKind{mpb.ActorKind_ACTOR_KIND_COUNTY},
	}}); err != nil {
		t.Fatal(err)
	}
	c := client(t)
	s.login(t, c, s.keys[viewer], "/")
	for path, tables := range pages {
		resp, body := s.get(t, c, path)
		want := http.StatusOK
		if path == "/massnahmen/m-9-99" {
			want = http.StatusNotFound
		}
		if resp.StatusCode != want || !strings.Contains(body, "</html>") {
			t.Errorf("%s: %d", path, resp.StatusCode)
			continue
		}
		for _, name := range tables {
			if !strings.Contains(body, "tabelle="+name) {
				t.Errorf("%s has no CSV link for %s", path, name)
			}
			resp, data := s.get(t, c, path+"?format=csv&tabelle="+name)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
				!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
				t.Errorf("%s %s: %d %v", path, name, resp.StatusCode, resp.Header)
				continue
			}
			if !strings.HasPrefix(data, "\uFEFF") {
				t.Errorf("%s %s: no byte order mark", path, name)
			}
			r := csv.NewReader(strings.NewReader(strings.TrimPrefix(data, "\uFEFF")))
			r.Comma = ';'
			records, err := r.ReadAll() // also checks every row has the header's width
			if err != nil || len(records) < 2 {
				t.Errorf("%s %s: %v, %d records\n%s", path, name, err, len(records), data)
			}
		}
	}
	_, matrix := s.get(t, c, "/?format=csv&tabelle=matrix")
	if !strings.Contains(matrix, "Stadt Backnang") || !strings.Contains(matrix, "1.3;") || !strings.Contains(matrix, "Beschlossen") ||
		!strings.Contains(matrix, "\r\n") {
		t.Fatalf("matrix CSV:\n%s", matrix)
	}
	if !strings.Contains(matrix, `"'=HYPERLINK(`) {
		t.Fatalf("the formula is not defused:\n%s", matrix)
	}
	if _, fields := s.get(t, c, "/?format=csv&tabelle=handlungsfelder"); !regexp.MustCompile(`Bildung und Sprache;\d+;.*;\d+,\d %`).MatchString(fields) {
		t.Fatalf("decimal commas:\n%s", fields)
	}
	// The example data set 1.3's target: 120 offers in the catalogue.
	if _, inds := s.get(t, c, "/massnahmen/m-1-3?format=csv&tabelle=indikatoren"); !regexp.MustCompile(`Angebote im Katalog;Angebote;Maßnahme insgesamt;0;08\.05\.2017;120;31\.12\.2026;`).MatchString(inds) {
		t.Fatalf("indicators CSV:\n%s", inds)
	} else {
		t.Logf("indicators of 1.3:\n%s", inds)
	}
	if resp, _ := s.get(t, c, "/?format=csv&tabelle=gibtsnicht"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown table: %d", resp.StatusCode)
	}
	// The labour service is not connected: the page says so.
	if _, body := s.get(t, c, "/arbeit"); !strings.Contains(body, "Noch keine Daten") {
		t.Fatalf("labour without its service:\n%s", body)
	}
}

// TestNoPersonalData registers a participant with personal data, assesses
// and refers them, and finds neither the data nor the pseudonym on any
// page or in any CSV: the referral shows only as a count.
func TestNoPersonalData(t *testing.T) {
	s := startStack(t, stackOptions{})
	ctx := s.as(vhs, "x-purpose", "Test: Vermittlung in einen Kurs")
	personal := &edu.PersonalData{GivenName: "Zoraida", FamilyName: "Quettenbach-Ülkü", BirthYear: 1987,
		Phone: "+49 7191 555 0199", Email: "zoraida.q@example.org"}
	reg, err := s.education.RegisterParticipant(ctx, &edu.RegisterParticipantRequest{PersonalData: personal})
	if err != nil {
		t.Fatal(err)
	}
	participant := reg.GetParticipant().GetName()
	if _, err := s.education.RecordAssessment(ctx, &edu.RecordAssessmentRequest{Name: participant, Assessment: &edu.Assessment{
		OverallLevel: edu.CefrLevel_CEFR_LEVEL_A1, Literacy: edu.Literacy_LITERACY_LITERATE, SchoolingYears: 10,
		Municipality: "backnang", Assessor: "vhs-backnang", AssessedOn: time.Now().Format(time.DateOnly),
	}}); err != nil {
		t.Fatal(err)
	}
	offers, err := s.education.ListOffers(ctx, &edu.ListOffersRequest{Provider: "providers/vhs-backnang", Status: edu.OfferStatus_OFFER_STATUS_OPEN})
	if err != nil || len(offers.GetOffers()) == 0 {
		t.Fatalf("offers: %v %v", offers, err)
	}
	ref, err := s.education.CreateReferral(ctx, &edu.CreateReferralRequest{Parent: offers.GetOffers()[0].GetName(), Participant: participant})
	if err != nil {
		t.Fatal(err)
	}

	c := client(t)
	s.login(t, c, s.keys[viewer], "/")
	secrets := []string{personal.GivenName, personal.FamilyName, "Quettenbach", personal.Phone, "555 0199", personal.Email,
		lastPart(participant), lastPart(ref.GetReferral().GetName())}
	var seen bytes.Buffer
	for path, tables := range pages {
		_, body := s.get(t, c, path)
		seen.WriteString(body)
		for _, name := range tables {
			_, data := s.get(t, c, path+"?format=csv&tabelle="+name)
			seen.WriteString(data)
		}
	}
	for _, secret := range secrets {
		if strings.Contains(seen.String(), secret) {
			t.Errorf("the dashboard shows %q", secret)
		}
	}
	_, body := s.get(t, c, "/bildung?format=csv&tabelle=vermittlungen")
	if !strings.Contains(body, "Vorgeschlagen;1") {
		t.Fatalf("the referral is not counted:\n%s", body)
	}
}

func lastPart(name string) string { return name[strings.LastIndexByte(name, '/')+1:] }

func TestSessionKey(t *testing.T) {
	if _, err := dashboard.ParseSessionKey("c2hvcnQ="); err == nil {
		t.Fatal("a short session key was taken")
	}
	key, err := dashboard.ParseSessionKey("")
	if err != nil || len(key) != 32 {
		t.Fatalf("random key: %d %v", len(key), err)
	}
}
