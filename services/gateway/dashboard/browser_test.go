package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"google.golang.org/protobuf/proto"

	lab "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	mpb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
)

// chromiumPath is Debian's headless Chromium; .ci/run installs it.
func chromiumPath() string {
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// browser starts headless Chromium with a fresh profile and collects the
// page's uncaught exceptions and console errors (a CSP violation is one).
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func startBrowser(t *testing.T, path string) *browser {
	t.Helper()
	profile := t.TempDir()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1400, 1000),
	)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	b := &browser{ctx: ctx}
	// The first call starts the browser; it has no timeout of its own.
	err := chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *cdplog.EventEntryAdded:
			// Network errors are expected while the test drops the
			// connection; a CSP violation or a script error is not.
			if e := ev.Entry; e != nil && e.Level == cdplog.EntryLevelError &&
				(e.Source == cdplog.EntrySourceSecurity || e.Source == cdplog.EntrySourceJavascript) {
				b.errors = append(b.errors, "log: "+e.Text+" "+e.URL)
			}
		case *runtime.EventExceptionThrown:
			if d := ev.ExceptionDetails; d != nil {
				b.errors = append(b.errors, fmt.Sprintf("exception: %s %s:%d", d.Text, d.URL, d.LineNumber))
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range ev.Args {
					if a != nil {
						parts = append(parts, string(a.Value))
					}
				}
				b.errors = append(b.errors, "console: "+strings.Join(parts, " "))
			}
		}
	})
	if err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cdplog.Enable, cdp.Empty{})
		return err
	})); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return b
}

func (b *browser) run(t *testing.T, timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// eval evaluates a JavaScript expression on the open page.
func eval[T any](t *testing.T, b *browser, expr string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// waitJS polls a JavaScript condition until it is true.
func (b *browser) waitJS(t *testing.T, what, cond string, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		state, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](
			`JSON.stringify({status: (document.getElementById("live-status")||{}).textContent, live: window.dashboardLive})`))
		t.Fatalf("%s: not within %s (%v); page state %s", what, timeout, err, state)
	}
}

func (b *browser) pageErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// axeSource installs axe-core from the npm registry into a temporary
// directory (it is not part of the repository) and returns its script.
func axeSource(t *testing.T) (string, error) {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", fmt.Errorf("npm is needed to install axe-core for the accessibility check: %w", err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "install", "--prefix", dir, "--no-audit", "--no-fund", "--no-package-lock",
		"--loglevel=error", "axe-core@4")
	cmd.Env = append(os.Environ(), "npm_config_update_notifier=false")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("npm install axe-core@4: %v\n%s", err, out)
	}
	src, err := os.ReadFile(filepath.Join(dir, "node_modules", "axe-core", "axe.min.js"))
	return string(src), err
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// checkAccessibility runs axe-core's WCAG 2.1 A and AA rules on the open
// page and fails on serious or critical violations.
func (b *browser) checkAccessibility(t *testing.T, axe, view string) {
	t.Helper()
	if !eval[bool](t, b, `typeof axe !== "undefined"`) {
		eval[bool](t, b, axe+";true")
	}
	raw := eval[string](t, b, `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations"]})
		.then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise)
	var violations []axeViolation
	if err := json.Unmarshal([]byte(raw), &violations); err != nil {
		t.Fatalf("axe result %q: %v", raw, err)
	}
	for _, v := range violations {
		var nodes []string
		for _, n := range v.Nodes {
			nodes = append(nodes, fmt.Sprint(n.Target))
		}
		msg := fmt.Sprintf("%s: axe %s (%s): %s at %s", view, v.ID, v.Impact, v.Help, strings.Join(nodes, ", "))
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(msg)
		} else {
			t.Log(msg)
		}
	}
	t.Logf("%s: axe-core found %d violations of WCAG 2.1 A/AA rules", view, len(violations))
}

func (b *browser) screenshot(t *testing.T, dir, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", path)
}

// TestBrowser drives the dashboard in headless Chromium: log in through
// the form, see the example data, watch a status change made over gRPC
// arrive without a reload, lose the event stream and get the change made
// meanwhile after the reconnect (once), check every view with axe-core,
// and save screenshots.
func TestBrowser(t *testing.T) {
	chromium := chromiumPath()
	if chromium == "" {
		t.Skip("chromium is not installed: the dashboard's browser tests need Debian's chromium (apt-get install chromium; .ci/run installs it)")
	}
	var axe string
	var axeErr error
	axeDone := make(chan struct{})
	go func() {
		defer close(axeDone)
		axe, axeErr = axeSource(t)
	}()
	s := startStack(t, stackOptions{labour: true})
	linkExampleCasesToPilot(t, s)
	proxy := startProxy(t, s.gateway.HTTPAddr())
	base := proxy.URL()
	shots, err := os.MkdirTemp("", "dashboard-screenshots-")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)
	b := startBrowser(t, chromium)
	<-axeDone
	if axeErr != nil {
		t.Fatal(axeErr)
	}

	// The login form, then the overview with the example data.
	b.run(t, 30*time.Second, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("schluessel")))
	b.checkAccessibility(t, axe, "login")
	b.screenshot(t, shots, "0-anmelden")
	b.run(t, 30*time.Second,
		chromedp.SendKeys(chromedp.ID("schluessel"), s.keys[viewer]),
		chromedp.Submit(chromedp.ID("schluessel")),
		chromedp.WaitVisible(chromedp.ID("matrix")))
	if status := eval[string](t, b, `document.getElementById("z-m-1-3--backnang").getAttribute("data-status")`); status != "ADOPTED" {
		t.Fatalf("Backnang on 1.3 shows %q, the example data say ADOPTED", status)
	}
	b.waitJS(t, "live connection", `window.dashboardLive && window.dashboardLive.opened > 0`, 15*time.Second)

	// A change over gRPC reaches the open page without a reload.
	eval[string](t, b, `window.notReloaded = "ja"`)
	progress := &mpb.SetAdoptionStatusRequest{Name: "measures/m-1-3/adoptions/backnang", Status: mpb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS,
		ProgressPercent: proto.Int32(20), DecidingBody: "Gemeinderat"}
	if _, err := s.measures.SetAdoptionStatus(s.as(backnang), progress); err != nil {
		t.Fatal(err)
	}
	b.waitJS(t, "the matrix shows the change", `(function(){var c=document.getElementById("z-m-1-3--backnang");
		return c && c.getAttribute("data-status")==="IN_PROGRESS" && c.textContent.indexOf("20")>=0})()`, 15*time.Second)
	if marker, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`window.notReloaded`)); marker != "ja" {
		t.Fatal("the page was reloaded")
	}
	b.checkAccessibility(t, axe, "overview")
	b.screenshot(t, shots, "1-plan")

	// The live page: a change appears in the feed.
	b.run(t, 30*time.Second, chromedp.Navigate(base+"/live"), chromedp.WaitVisible(chromedp.ID("feed")))
	b.waitJS(t, "live connection on /live", `window.dashboardLive && window.dashboardLive.opened > 0`, 15*time.Second)
	progress.ProgressPercent = proto.Int32(45)
	if _, err := s.measures.SetAdoptionStatus(s.as(backnang), progress); err != nil {
		t.Fatal(err)
	}
	b.waitJS(t, "the feed shows the change", `document.querySelectorAll("#feed li").length === 1 &&
		document.querySelector("#feed li").textContent.indexOf("Stadt Backnang") >= 0 &&
		document.querySelector("#feed li").textContent.indexOf("45 %") >= 0`, 15*time.Second)

	// The connection drops; a change happens while it is down; after the
	// reconnect it arrives, exactly once, and no event arrives twice.
	proxy.drop(true)
	b.waitJS(t, "the page notices the drop", `document.getElementById("live-status").getAttribute("data-state") === "getrennt"`, 15*time.Second)
	pause := &mpb.SetAdoptionStatusRequest{Name: "measures/m-1-3/adoptions/backnang", Status: mpb.AdoptionStatus_ADOPTION_STATUS_PAUSED,
		DecidingBody: "Gemeinderat"}
	if _, err := s.measures.SetAdoptionStatus(s.as(backnang), pause); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	proxy.allow()
	b.waitJS(t, "the change made while disconnected arrives", `Array.prototype.filter.call(document.querySelectorAll("#feed li"),
		function(li){return li.textContent.indexOf("Pausiert") >= 0}).length === 1`, 30*time.Second)
	b.waitJS(t, "the figures follow", `document.getElementById("live-status").getAttribute("data-state") === "verbunden" &&
		window.dashboardLive.opened >= 2`, 15*time.Second)
	received := eval[[]string](t, b, `window.dashboardLive.received`)
	if len(received) != 2 || received[0] == received[1] {
		// Only the two changes: the example data of every service were
		// stored before the page opened.
		t.Fatalf("events received: %v (want the two changes, once each)", received)
	}
	if feed := eval[int](t, b, `document.querySelectorAll("#feed li").length`); feed != 2 {
		t.Fatalf("the feed has %d entries, want 2", feed)
	}
	b.checkAccessibility(t, axe, "live")
	b.screenshot(t, shots, "2-live")

	// The other views.
	for _, v := range []struct{ path, wait, name string }{
		{"/massnahmen/m-1-3", "#tabelle-verlauf", "3-massnahme"},
		{"/bildung", "#tabelle-plaetze", "4-bildung"},
		{"/arbeit", "#tabelle-trichter", "5-arbeit"},
	} {
		b.run(t, 30*time.Second, chromedp.Navigate(base+v.path), chromedp.WaitVisible(chromedp.CSS(v.wait)))
		b.checkAccessibility(t, axe, v.path)
		b.screenshot(t, shots, v.name)
	}
	// The matrix without JavaScript's help is the same table: keyboard
	// users reach the measure links in order.
	b.run(t, 30*time.Second, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("matrix")))
	if href := eval[string](t, b, `document.querySelector("#matrix th.measure a").getAttribute("href")`); href != "/massnahmen/m-1-1" {
		t.Fatalf("first measure link %q", href)
	}
	// Every actor's name is shown whole in the matrix's head.
	if cut := eval[[]string](t, b, `Array.prototype.filter.call(document.querySelectorAll("#matrix th.rot span"),
		function(s){return s.scrollHeight > s.clientHeight + 1 || s.scrollWidth > s.clientWidth + 1}).map(function(s){return s.textContent})`); len(cut) > 0 {
		t.Fatalf("actor names cut off in the matrix: %v", cut)
	}
	// On a narrow screen the matrix scrolls sideways with the measures in view.
	b.run(t, 30*time.Second, chromedp.EmulateViewport(800, 1000))
	eval[bool](t, b, `document.querySelector("#matrix").parentElement.scrollLeft = 300; true`)
	b.screenshot(t, shots, "6-plan-schmal")
	if errs := b.pageErrors(); len(errs) > 0 {
		t.Fatalf("the pages logged errors:\n%s", strings.Join(errs, "\n"))
	}
}

// linkExampleCasesToPilot gives the example pilot outcomes to show: the
// example cases linked and a period's participants and placements.
func linkExampleCasesToPilot(t *testing.T, s *stack) {
	t.Helper()
	ctx := s.as(jobcenter, "x-purpose", "Test: Faelle einem Pilotprojekt zuordnen")
	cases, err := s.labour.ListCases(ctx, &lab.ListCasesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	const pilot = "pilots/pflege-backnang"
	for _, c := range cases.GetCases() {
		if _, err := s.labour.LinkCaseToPilot(ctx, &lab.LinkCaseToPilotRequest{Name: pilot, Case: c.GetName()}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.labour.RecordPilotOutcome(ctx, &lab.RecordPilotOutcomeRequest{Name: pilot, Participants: 8, Placements: 3}); err != nil {
		t.Fatal(err)
	}
}
