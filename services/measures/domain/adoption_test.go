package domain_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// today is the calendar day the tests decide on, as the app passes it: the
// county's date at UTC midnight.
var today = time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)

func pct(n int32) *int32 { return &n }

// allowed is the adoption state machine as specified, written out
// independently of the implementation.
var allowed = map[[2]domain.Status]bool{
	{domain.Offered, domain.Considering}:    true,
	{domain.Considering, domain.Adopted}:    true,
	{domain.Considering, domain.Declined}:   true,
	{domain.Declined, domain.Considering}:   true,
	{domain.Adopted, domain.InProgress}:     true,
	{domain.InProgress, domain.InProgress}:  true,
	{domain.InProgress, domain.Paused}:      true,
	{domain.InProgress, domain.Implemented}: true,
	{domain.Paused, domain.InProgress}:      true,
}

// validDecision is a decision that passes validation for target status to,
// so that only the transition decides the outcome.
func validDecision(to domain.Status) domain.Decision {
	d := domain.Decision{To: to, DecidedOn: "2020-02-02", Comment: "Beschluss vom Februar"}
	switch to {
	case domain.Adopted, domain.Declined:
		d.DecidingBody = "Gemeinderat"
	case domain.InProgress:
		d.Progress = pct(40)
	}
	return d
}

// invalidFields asserts err is an invalid-argument *apierr.Error and returns
// the fields of its violations.
func invalidFields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		t.Fatal("got no error, want an invalid argument")
	}
	e, ok := apierr.As(err)
	if !ok {
		t.Fatalf("got %T %v, want *apierr.Error", err, err)
	}
	if e.Kind != apierr.KindInvalidArgument {
		t.Fatalf("got kind %d (%v), want KindInvalidArgument", e.Kind, err)
	}
	if len(e.Violations) == 0 {
		t.Fatalf("invalid argument without violations: %v", err)
	}
	fields := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		if v.Description == "" {
			t.Errorf("violation of %s has no description", v.Field)
		}
		fields[i] = v.Field
	}
	return fields
}

// wantOnlyViolation asserts that err names exactly the field, and that its
// description contains every substring in want.
func wantOnlyViolation(t *testing.T, err error, field string, want ...string) {
	t.Helper()
	fields := invalidFields(t, err)
	if !slices.Equal(fields, []string{field}) {
		t.Fatalf("violations on %v, want only %s (%v)", fields, field, err)
	}
	e, _ := apierr.As(err)
	for _, w := range want {
		if !strings.Contains(e.Violations[0].Description, w) {
			t.Errorf("description %q does not contain %q", e.Violations[0].Description, w)
		}
	}
}

func TestStatusesAreTheSevenKnownOnes(t *testing.T) {
	want := []string{"OFFERED", "CONSIDERING", "ADOPTED", "DECLINED", "IN_PROGRESS", "PAUSED", "IMPLEMENTED"}
	var got []string
	for _, s := range domain.Statuses() {
		if !s.Valid() {
			t.Errorf("status %d is listed but not valid", s)
		}
		if s.Label() == "" {
			t.Errorf("status %s has no German label", s)
		}
		got = append(got, s.String())
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Statuses() = %v, want %v", got, want)
	}
	for _, s := range []domain.Status{domain.StatusUnspecified, domain.Status(8), domain.Status(-1)} {
		if s.Valid() {
			t.Errorf("status %d is valid", s)
		}
		if s.String() != "UNSPECIFIED" {
			t.Errorf("status %d String() = %q, want UNSPECIFIED", s, s.String())
		}
	}
}

func TestStatusTaken(t *testing.T) {
	taken := map[domain.Status]bool{domain.Adopted: true, domain.InProgress: true, domain.Paused: true, domain.Implemented: true}
	for _, s := range domain.Statuses() {
		if got := s.Taken(); got != taken[s] {
			t.Errorf("%s.Taken() = %v, want %v", s, got, taken[s])
		}
	}
}

func TestDecideTransitions(t *testing.T) {
	if n := len(allowed); n != 9 {
		t.Fatalf("the specified state machine has 9 transitions, the table %d", n)
	}
	seenAllowed := 0
	for _, from := range domain.Statuses() {
		for _, to := range domain.Statuses() {
			t.Run(from.String()+"_to_"+to.String(), func(t *testing.T) {
				if got, want := domain.CanTransition(from, to), allowed[[2]domain.Status{from, to}]; got != want {
					t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
				}
				current := domain.Adoption{
					Status: from, DecidedOn: "2019-01-01", DecidingBody: "Kreistag", Comment: "alt",
					Version: 7, UpdateTime: time.Date(2019, 1, 1, 10, 0, 0, 0, time.UTC),
				}
				if from == domain.InProgress || from == domain.Paused {
					current.Progress = 30
				}
				d := validDecision(to)
				next, err := current.Decide(d, today)

				if to == domain.Offered {
					// Nobody decides to offer: the request itself is invalid,
					// whatever the current state.
					wantOnlyViolation(t, err, "status")
					return
				}
				if !allowed[[2]domain.Status{from, to}] {
					if err == nil {
						t.Fatalf("Decide(%s → %s) = %+v, want an error", from, to, next)
					}
					e, ok := apierr.As(err)
					if !ok {
						t.Fatalf("got %T %v, want *apierr.Error", err, err)
					}
					if e.Kind != apierr.KindFailedPrecondition {
						t.Fatalf("got kind %d (%v), want KindFailedPrecondition", e.Kind, err)
					}
					if e.Reason != "INVALID_TRANSITION" {
						t.Errorf("reason %q, want INVALID_TRANSITION", e.Reason)
					}
					if e.Metadata["from"] != from.String() || e.Metadata["to"] != to.String() || len(e.Metadata) != 2 {
						t.Errorf("metadata %v, want from=%s to=%s", e.Metadata, from, to)
					}
					if !strings.Contains(e.Message, from.String()) || !strings.Contains(e.Message, to.String()) {
						t.Errorf("message %q does not name both statuses", e.Message)
					}
					if !reflectZero(next) {
						t.Errorf("a refused decision returned %+v, want the zero adoption", next)
					}
					return
				}
				seenAllowed++
				if err != nil {
					t.Fatalf("Decide(%s → %s): %v", from, to, err)
				}
				if next.Status != to {
					t.Errorf("status %s, want %s", next.Status, to)
				}
				if next.DecidedOn != d.DecidedOn || next.DecidingBody != d.DecidingBody || next.Comment != d.Comment {
					t.Errorf("got %q/%q/%q, want the decision's date, body and comment %q/%q/%q",
						next.DecidedOn, next.DecidingBody, next.Comment, d.DecidedOn, d.DecidingBody, d.Comment)
				}
				// Version and time are the event's; the plan sets them.
				if next.Version != 0 || !next.UpdateTime.IsZero() {
					t.Errorf("version %d, update time %v; want both unset", next.Version, next.UpdateTime)
				}
				var wantProgress int32
				switch to {
				case domain.InProgress:
					wantProgress = *d.Progress
				case domain.Paused:
					wantProgress = current.Progress
				case domain.Implemented:
					wantProgress = 100
				}
				if next.Progress != wantProgress {
					t.Errorf("progress %d, want %d", next.Progress, wantProgress)
				}
			})
		}
	}
	if seenAllowed != len(allowed) {
		t.Errorf("%d allowed transitions were exercised, want %d", seenAllowed, len(allowed))
	}
}

func reflectZero(a domain.Adoption) bool {
	return a.Status == domain.StatusUnspecified && a.Progress == 0 && a.DecidedOn == "" && a.DecidingBody == "" &&
		a.Comment == "" && a.Version == 0 && a.UpdateTime.IsZero()
}

// A chain of decisions as an actor would take them, with the progress each
// step leaves.
func TestDecideLifecycleProgress(t *testing.T) {
	steps := []struct {
		d    domain.Decision
		want int32
	}{
		{domain.Decision{To: domain.Considering}, 0},
		{domain.Decision{To: domain.Declined, DecidingBody: "Gemeinderat"}, 0},
		{domain.Decision{To: domain.Considering}, 0},
		{domain.Decision{To: domain.Adopted, DecidingBody: "Gemeinderat"}, 0},
		{domain.Decision{To: domain.InProgress, Progress: pct(0)}, 0},
		{domain.Decision{To: domain.InProgress, Progress: pct(45)}, 45},
		{domain.Decision{To: domain.Paused}, 45},
		{domain.Decision{To: domain.InProgress, Progress: pct(70)}, 70},
		{domain.Decision{To: domain.InProgress, Progress: pct(65)}, 65}, // a correction downwards is allowed
		{domain.Decision{To: domain.Paused}, 65},
		{domain.Decision{To: domain.InProgress, Progress: pct(90)}, 90},
		{domain.Decision{To: domain.Implemented}, 100},
	}
	a := domain.Adoption{Status: domain.Offered}
	for i, s := range steps {
		next, err := a.Decide(s.d, today)
		if err != nil {
			t.Fatalf("step %d (%s → %s): %v", i, a.Status, s.d.To, err)
		}
		if next.Status != s.d.To || next.Progress != s.want {
			t.Fatalf("step %d: got %s %d%%, want %s %d%%", i, next.Status, next.Progress, s.d.To, s.want)
		}
		a = next
	}
	// IMPLEMENTED is final.
	for _, to := range domain.Statuses() {
		if _, err := a.Decide(validDecision(to), today); err == nil {
			t.Errorf("IMPLEMENTED → %s was accepted", to)
		}
	}
}

func TestDecideProgress(t *testing.T) {
	inProgress := domain.Adoption{Status: domain.InProgress, Progress: 30}
	tests := []struct {
		name     string
		from     domain.Adoption
		d        domain.Decision
		want     int32  // progress of the result if valid
		wantDesc string // substring of the progress_percent violation, "" if valid
	}{
		{"in progress requires progress", inProgress, domain.Decision{To: domain.InProgress}, 0, "required"},
		{"in progress 0", inProgress, domain.Decision{To: domain.InProgress, Progress: pct(0)}, 0, ""},
		{"in progress 100", inProgress, domain.Decision{To: domain.InProgress, Progress: pct(100)}, 100, ""},
		{"in progress 57", inProgress, domain.Decision{To: domain.InProgress, Progress: pct(57)}, 57, ""},
		{"in progress -1", inProgress, domain.Decision{To: domain.InProgress, Progress: pct(-1)}, 0, "got -1"},
		{"in progress 101", inProgress, domain.Decision{To: domain.InProgress, Progress: pct(101)}, 0, "got 101"},
		{"in progress min int", inProgress, domain.Decision{To: domain.InProgress, Progress: pct(-2147483648)}, 0, "between 0 and 100"},
		{"paused keeps progress", inProgress, domain.Decision{To: domain.Paused}, 30, ""},
		{"paused with progress", inProgress, domain.Decision{To: domain.Paused, Progress: pct(30)}, 0, "only set for IN_PROGRESS"},
		{"implemented is 100", inProgress, domain.Decision{To: domain.Implemented}, 100, ""},
		{"implemented with progress 100", inProgress, domain.Decision{To: domain.Implemented, Progress: pct(100)}, 0, "only set for IN_PROGRESS"},
		{"considering with progress", domain.Adoption{Status: domain.Offered}, domain.Decision{To: domain.Considering, Progress: pct(0)}, 0, "only set"},
		{"adopted with progress", domain.Adoption{Status: domain.Considering}, domain.Decision{To: domain.Adopted, DecidingBody: "Rat", Progress: pct(10)}, 0, "only set"},
		{"declined with progress", domain.Adoption{Status: domain.Considering}, domain.Decision{To: domain.Declined, DecidingBody: "Rat", Progress: pct(0)}, 0, "only set"},
		{"adopted resets progress", domain.Adoption{Status: domain.Considering, Progress: 77}, domain.Decision{To: domain.Adopted, DecidingBody: "Rat"}, 0, ""},
		{"resume from paused", domain.Adoption{Status: domain.Paused, Progress: 30}, domain.Decision{To: domain.InProgress, Progress: pct(35)}, 35, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, err := tt.from.Decide(tt.d, today)
			if tt.wantDesc != "" {
				wantOnlyViolation(t, err, "progress_percent", tt.wantDesc)
				return
			}
			if err != nil {
				t.Fatalf("Decide: %v", err)
			}
			if next.Progress != tt.want {
				t.Errorf("progress %d, want %d", next.Progress, tt.want)
			}
		})
	}
}

func TestDecideDecidedOn(t *testing.T) {
	from := domain.Adoption{Status: domain.Offered}
	tests := []struct {
		decidedOn string
		want      string // the stored date if valid
		wantDesc  string // substring of the decided_on violation, "" if valid
	}{
		{"", "2024-03-15", ""},
		{"2024-03-15", "2024-03-15", ""},
		{"2024-03-14", "2024-03-14", ""},
		{"2017-05-08", "2017-05-08", ""},
		{"2020-02-29", "2020-02-29", ""},
		{"2017-05-07", "", "2017-05-08"},
		{"1999-12-31", "", "before the plan was adopted"},
		{"2024-03-16", "", "future"},
		{"2030-01-01", "", "future"},
		{"15.03.2024", "", "YYYY-MM-DD"},
		{"2024-3-15", "", "YYYY-MM-DD"},
		{"2024-02-30", "", "YYYY-MM-DD"},
		{"2023-02-29", "", "YYYY-MM-DD"},
		{"2024-03-15T00:00:00Z", "", "YYYY-MM-DD"},
		{" 2024-03-15", "", "YYYY-MM-DD"},
		{"heute", "", `"heute"`},
	}
	for _, tt := range tests {
		t.Run(tt.decidedOn, func(t *testing.T) {
			next, err := from.Decide(domain.Decision{To: domain.Considering, DecidedOn: tt.decidedOn}, today)
			if tt.wantDesc != "" {
				wantOnlyViolation(t, err, "decided_on", tt.wantDesc)
				return
			}
			if err != nil {
				t.Fatalf("Decide: %v", err)
			}
			if next.DecidedOn != tt.want {
				t.Errorf("decided_on %q, want %q", next.DecidedOn, tt.want)
			}
		})
	}

	t.Run("default follows today", func(t *testing.T) {
		day := time.Date(2017, 5, 8, 0, 0, 0, 0, time.UTC)
		next, err := from.Decide(domain.Decision{To: domain.Considering}, day)
		if err != nil {
			t.Fatal(err)
		}
		if next.DecidedOn != "2017-05-08" {
			t.Errorf("decided_on %q, want 2017-05-08", next.DecidedOn)
		}
	})
	t.Run("plan adoption day", func(t *testing.T) {
		if got := domain.PlanAdopted.Format(time.DateOnly); got != "2017-05-08" {
			t.Errorf("PlanAdopted = %s, want 2017-05-08", got)
		}
	})
}

func TestDecideDecidingBody(t *testing.T) {
	for _, to := range []domain.Status{domain.Adopted, domain.Declined} {
		for _, body := range []string{"", " ", "   "} {
			t.Run(fmt.Sprintf("%s requires a body %q", to, body), func(t *testing.T) {
				_, err := domain.Adoption{Status: domain.Considering}.Decide(domain.Decision{To: to, DecidingBody: body}, today)
				wantOnlyViolation(t, err, "deciding_body", "required", to.String())
			})
		}
	}
	notRequired := []struct{ from, to domain.Status }{
		{domain.Offered, domain.Considering},
		{domain.Adopted, domain.InProgress},
		{domain.InProgress, domain.Paused},
		{domain.InProgress, domain.Implemented},
	}
	for _, tt := range notRequired {
		t.Run(tt.to.String()+" without body", func(t *testing.T) {
			d := domain.Decision{To: tt.to}
			if tt.to == domain.InProgress {
				d.Progress = pct(10)
			}
			next, err := domain.Adoption{Status: tt.from}.Decide(d, today)
			if err != nil {
				t.Fatalf("Decide: %v", err)
			}
			if next.DecidingBody != "" {
				t.Errorf("deciding body %q, want empty", next.DecidingBody)
			}
		})
	}

	adopt := func(body string) error {
		_, err := domain.Adoption{Status: domain.Considering}.Decide(domain.Decision{To: domain.Adopted, DecidingBody: body}, today)
		return err
	}
	if err := adopt(strings.Repeat("ä", 200)); err != nil {
		t.Errorf("200 characters: %v", err)
	}
	wantOnlyViolation(t, adopt(strings.Repeat("ä", 201)), "deciding_body", "at most 200", "has 201")
	wantOnlyViolation(t, adopt("Gemeinderat\nBacknang"), "deciding_body", "control characters")
	wantOnlyViolation(t, adopt("Gemeinderat\tBacknang"), "deciding_body", "control characters")
	wantOnlyViolation(t, adopt("Gemeinde\x00rat"), "deciding_body", "control characters")
	wantOnlyViolation(t, adopt("Gemeinde\u0085rat"), "deciding_body", "control characters")
	wantOnlyViolation(t, adopt("Gemeinde\xffrat"), "deciding_body", "UTF-8")
}

func TestDecideComment(t *testing.T) {
	comment := func(c string) error {
		_, err := domain.Adoption{Status: domain.Offered}.Decide(domain.Decision{To: domain.Considering, Comment: c}, today)
		return err
	}
	for _, ok := range []string{"", strings.Repeat("ü", 1000), "Zeile eins\nZeile zwei", "Spalte\tSpalte", "Windows\r\nZeilen"} {
		if err := comment(ok); err != nil {
			t.Errorf("comment %.20q: %v", ok, err)
		}
	}
	wantOnlyViolation(t, comment(strings.Repeat("ü", 1001)), "comment", "at most 1000", "has 1001")
	wantOnlyViolation(t, comment("Glocke\a"), "comment", "control characters")
	wantOnlyViolation(t, comment("Escape\x1b[31m"), "comment", "control characters")
	wantOnlyViolation(t, comment("Null\x00"), "comment", "control characters")
	wantOnlyViolation(t, comment("kaputt\xc3"), "comment", "UTF-8")

	next, err := domain.Adoption{Status: domain.Offered}.Decide(domain.Decision{To: domain.Considering, Comment: "Zeile eins\nZeile zwei"}, today)
	if err != nil {
		t.Fatal(err)
	}
	if next.Comment != "Zeile eins\nZeile zwei" {
		t.Errorf("comment %q was not kept", next.Comment)
	}
}

func TestDecideStatus(t *testing.T) {
	for _, to := range []domain.Status{domain.StatusUnspecified, domain.Offered, domain.Status(8), domain.Status(-3)} {
		t.Run(fmt.Sprint(int32(to)), func(t *testing.T) {
			_, err := domain.Adoption{Status: domain.Offered}.Decide(domain.Decision{To: to}, today)
			wantOnlyViolation(t, err, "status", "CONSIDERING")
		})
	}
}

// Every problem of a request is reported at once, and an invalid request is
// reported as such even when the transition is forbidden as well.
func TestDecideReportsAllViolations(t *testing.T) {
	d := domain.Decision{
		To: domain.Adopted, Progress: pct(10), DecidedOn: "2016-01-01",
		Comment: strings.Repeat("x", 1001),
	}
	_, err := domain.Adoption{Status: domain.Implemented}.Decide(d, today)
	got := invalidFields(t, err)
	want := []string{"progress_percent", "decided_on", "deciding_body", "comment"}
	if !slices.Equal(got, want) {
		t.Errorf("violations on %v, want %v", got, want)
	}
	msg := err.Error()
	for _, f := range want {
		if !strings.Contains(msg, f+": ") {
			t.Errorf("error %q does not name %s", msg, f)
		}
	}
}

// Decide is a value method: the current adoption is never changed.
func TestDecideLeavesCurrentUnchanged(t *testing.T) {
	current := domain.Adoption{Status: domain.InProgress, Progress: 20, DecidedOn: "2018-01-01", DecidingBody: "Rat", Version: 3}
	before := current
	if _, err := current.Decide(domain.Decision{To: domain.Implemented}, today); err != nil {
		t.Fatal(err)
	}
	if current != before {
		t.Errorf("current changed to %+v", current)
	}
}
