package domain_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// validMeasure is a measure NewMeasure accepts.
func validMeasure() domain.Measure {
	return domain.Measure{
		Number:            "2.5",
		Title:             "Standardprozess von der Kompetenzanalyse bis zur Arbeitsmarktintegration",
		Description:       "Die Arbeitsgruppe definiert einen Standardprozess.",
		TopicField:        domain.LabourMarket,
		CrossCuttingAreas: []domain.CrossCuttingArea{domain.Processes},
		AddressedKinds:    []domain.ActorKind{domain.County, domain.JobCentre},
		Lead:              "Landratsamt",
	}
}

// topicFor is the topic field a number's chapter demands; chapters beyond 4
// may have any.
func topicFor(number string) domain.TopicField {
	switch number[:strings.IndexByte(number, '.')] {
	case "1":
		return domain.EducationAndLanguage
	case "2":
		return domain.LabourMarket
	case "3":
		return domain.Housing
	case "4":
		return domain.Leisure
	}
	return domain.Housing
}

var (
	validNumbers = []string{
		"1.1", "2.5", "2.10", "4.99", "9.1", "99.99", "2.5a", "2.5z", "2.5.1", "2.5.1.3", "4.1.2.3z", "12.34.56.78",
	}
	invalidNumbers = []string{
		"", "2", "2.", ".5", "0.1", "2.0", "2.05", "02.5", "100.1", "2.100", "2.5A", "2.5ab", "2.a",
		"2.5.1.3.4", "2..5", "2-5", " 2.5", "2.5 ", "2.5\n", "a.1", "2,5", "2.5.", "².5",
	}
)

func TestNewMeasureAcceptsAndTrims(t *testing.T) {
	in := validMeasure()
	in.Title = "  " + in.Title + " "
	in.Description = "\n" + in.Description + "\n\n"
	in.Lead = " Landratsamt "
	got, err := domain.NewMeasure(in)
	if err != nil {
		t.Fatalf("NewMeasure: %v", err)
	}
	want := validMeasure()
	if !got.Equal(want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got.Title != want.Title || got.Description != want.Description || got.Lead != want.Lead {
		t.Errorf("text not trimmed: %q %q %q", got.Title, got.Description, got.Lead)
	}
}

func TestNewMeasureNumber(t *testing.T) {
	for _, n := range validNumbers {
		m := validMeasure()
		m.Number, m.TopicField = n, topicFor(n)
		if got, err := domain.NewMeasure(m); err != nil {
			t.Errorf("number %q: %v", n, err)
		} else if got.Number != n {
			t.Errorf("number %q came back as %q", n, got.Number)
		}
	}
	for _, n := range invalidNumbers {
		m := validMeasure()
		m.Number = n
		_, err := domain.NewMeasure(m)
		fields := invalidFields(t, err)
		if !slices.Contains(fields, "number") {
			t.Errorf("number %q: violations on %v, want number", n, fields)
		}
	}
}

func TestNewMeasureTopicField(t *testing.T) {
	tests := []struct {
		number   string
		topic    domain.TopicField
		wantDesc string // "" if valid
	}{
		{"1.1", domain.EducationAndLanguage, ""},
		{"2.1", domain.LabourMarket, ""},
		{"3.1", domain.Housing, ""},
		{"4.1", domain.Leisure, ""},
		{"5.1", domain.Housing, ""},
		{"10.1", domain.EducationAndLanguage, ""},
		{"1.1", domain.LabourMarket, "chapter 1 belongs to Bildung und Sprache, not Arbeitsmarkt"},
		{"2.5a", domain.Housing, "chapter 2 belongs to Arbeitsmarkt"},
		{"3.1.2", domain.Leisure, "chapter 3 belongs to Wohnen"},
		{"4.7", domain.EducationAndLanguage, "chapter 4 belongs to Freizeit"},
		{"2.5", domain.TopicFieldUnspecified, "is required"},
		{"2.5", domain.TopicField(5), "is required"},
		{"2.5", domain.TopicField(-1), "is required"},
	}
	for _, tt := range tests {
		m := validMeasure()
		m.Number, m.TopicField = tt.number, tt.topic
		_, err := domain.NewMeasure(m)
		if tt.wantDesc == "" {
			if err != nil {
				t.Errorf("%s in %d: %v", tt.number, tt.topic, err)
			}
			continue
		}
		wantOnlyViolation(t, err, "topic_field", tt.wantDesc)
	}
}

func TestNewMeasureText(t *testing.T) {
	tests := []struct {
		name     string
		change   func(*domain.Measure)
		field    string // "" if valid
		wantDesc string
	}{
		{"title of 3", func(m *domain.Measure) { m.Title = "Abc" }, "", ""},
		{"title of 200", func(m *domain.Measure) { m.Title = strings.Repeat("ß", 200) }, "", ""},
		{"title missing", func(m *domain.Measure) { m.Title = "" }, "title", "at least 3"},
		{"title of 2", func(m *domain.Measure) { m.Title = "Ab" }, "title", "at least 3"},
		{"title of 2 padded", func(m *domain.Measure) { m.Title = "   Ab   " }, "title", "at least 3"},
		{"title of 201", func(m *domain.Measure) { m.Title = strings.Repeat("ß", 201) }, "title", "at most 200"},
		{"title with newline", func(m *domain.Measure) { m.Title = "Zeile\nZeile" }, "title", "control characters"},
		{"title not UTF-8", func(m *domain.Measure) { m.Title = "Tit\xe9l" }, "title", "UTF-8"},
		{"no description", func(m *domain.Measure) { m.Description = "" }, "", ""},
		{"description of 4000", func(m *domain.Measure) { m.Description = strings.Repeat("é", 4000) }, "", ""},
		{"description with lines", func(m *domain.Measure) { m.Description = "Absatz\n\n\tEingerückt" }, "", ""},
		{"description of 4001", func(m *domain.Measure) { m.Description = strings.Repeat("é", 4001) }, "description", "at most 4000"},
		{"description with bell", func(m *domain.Measure) { m.Description = "Achtung\a" }, "description", "control characters"},
		{"no lead", func(m *domain.Measure) { m.Lead = "" }, "", ""},
		{"lead of 201", func(m *domain.Measure) { m.Lead = strings.Repeat("x", 201) }, "lead", "at most 200"},
		{"lead with tab", func(m *domain.Measure) { m.Lead = "Amt\tfür Schulen" }, "lead", "control characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := validMeasure()
			tt.change(&m)
			_, err := domain.NewMeasure(m)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("NewMeasure: %v", err)
				}
				return
			}
			wantOnlyViolation(t, err, tt.field, tt.wantDesc)
		})
	}
}

func TestNewMeasureListsOfEnums(t *testing.T) {
	tests := []struct {
		name   string
		areas  []domain.CrossCuttingArea
		kinds  []domain.ActorKind
		fields []string // nil if valid
		desc   string   // substring of the first violation
	}{
		{"no areas", nil, []domain.ActorKind{domain.County}, nil, ""},
		{"every area and kind", []domain.CrossCuttingArea{domain.InformationAndCommunication, domain.Processes, domain.Volunteering, domain.Participation, domain.SelfInitiative},
			[]domain.ActorKind{domain.County, domain.Municipality, domain.Chamber, domain.EmploymentAgency, domain.JobCentre, domain.EducationProvider, domain.WelfareOrganisation, domain.VolunteerInitiative, domain.Employer}, nil, ""},
		{"area twice", []domain.CrossCuttingArea{domain.Processes, domain.Volunteering, domain.Processes}, []domain.ActorKind{domain.County},
			[]string{"cross_cutting_areas[2]"}, "Prozesse is listed twice"},
		{"unknown area", []domain.CrossCuttingArea{domain.Processes, domain.CrossCuttingAreaUnspecified, domain.CrossCuttingArea(6)}, []domain.ActorKind{domain.County},
			[]string{"cross_cutting_areas[1]", "cross_cutting_areas[2]"}, "unknown cross-cutting area 0"},
		{"no kinds", nil, nil, []string{"addressed_actor_kinds"}, "at least one"},
		{"empty kinds", nil, []domain.ActorKind{}, []string{"addressed_actor_kinds"}, "at least one"},
		{"kind twice", nil, []domain.ActorKind{domain.County, domain.County}, []string{"addressed_actor_kinds[1]"}, "Landkreis is listed twice"},
		{"two kinds twice", nil, []domain.ActorKind{domain.County, domain.JobCentre, domain.County, domain.JobCentre},
			[]string{"addressed_actor_kinds[2]", "addressed_actor_kinds[3]"}, "Landkreis is listed twice"},
		{"kind three times", nil, []domain.ActorKind{domain.Chamber, domain.Chamber, domain.Chamber},
			[]string{"addressed_actor_kinds[1]", "addressed_actor_kinds[2]"}, "Kammer"},
		{"unknown kind", nil, []domain.ActorKind{domain.County, domain.ActorKindUnspecified, domain.ActorKind(10)},
			[]string{"addressed_actor_kinds[1]", "addressed_actor_kinds[2]"}, "unknown actor kind 0"},
		{"both lists", []domain.CrossCuttingArea{domain.Volunteering, domain.Volunteering}, []domain.ActorKind{domain.Employer, domain.Employer},
			[]string{"cross_cutting_areas[1]", "addressed_actor_kinds[1]"}, "Ehrenamt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := validMeasure()
			m.CrossCuttingAreas, m.AddressedKinds = tt.areas, tt.kinds
			got, err := domain.NewMeasure(m)
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("NewMeasure: %v", err)
				}
				if !slices.Equal(got.AddressedKinds, tt.kinds) || !slices.Equal(got.CrossCuttingAreas, tt.areas) {
					t.Errorf("lists changed: %v %v", got.CrossCuttingAreas, got.AddressedKinds)
				}
				for _, k := range tt.kinds {
					if !got.Addresses(k) {
						t.Errorf("does not address %s", k.Label())
					}
				}
				return
			}
			if fields := invalidFields(t, err); !slices.Equal(fields, tt.fields) {
				t.Fatalf("violations on %v, want %v", fields, tt.fields)
			}
			e, _ := apierr.As(err)
			if !strings.Contains(e.Violations[0].Description, tt.desc) {
				t.Errorf("description %q does not contain %q", e.Violations[0].Description, tt.desc)
			}
			if !got.Equal(domain.Measure{}) {
				t.Errorf("an invalid measure returned %+v", got)
			}
		})
	}
}

func TestMeasureAddresses(t *testing.T) {
	m := validMeasure()
	for _, k := range []domain.ActorKind{domain.Municipality, domain.Chamber, domain.Employer, domain.ActorKindUnspecified} {
		if m.Addresses(k) {
			t.Errorf("addresses %d", k)
		}
	}
	if !m.Addresses(domain.County) || !m.Addresses(domain.JobCentre) {
		t.Error("does not address its kinds")
	}
}

func TestMeasureEqual(t *testing.T) {
	changes := map[string]func(*domain.Measure){
		"number":      func(m *domain.Measure) { m.Number = "2.6" },
		"title":       func(m *domain.Measure) { m.Title += "!" },
		"description": func(m *domain.Measure) { m.Description = "" },
		"topic field": func(m *domain.Measure) { m.TopicField = domain.Housing },
		"lead":        func(m *domain.Measure) { m.Lead = "Kreistag" },
		"areas":       func(m *domain.Measure) { m.CrossCuttingAreas = append(m.CrossCuttingAreas, domain.Volunteering) },
		"kinds order": func(m *domain.Measure) { slices.Reverse(m.AddressedKinds) },
	}
	if !validMeasure().Equal(validMeasure()) {
		t.Fatal("a measure differs from its copy")
	}
	for name, change := range changes {
		m := validMeasure()
		change(&m)
		if m.Equal(validMeasure()) || validMeasure().Equal(m) {
			t.Errorf("a change of %s is not noticed", name)
		}
	}
}

func TestMeasureIDRoundTrip(t *testing.T) {
	want := map[string]domain.MeasureID{
		"2.5": "m-2-5", "2.10": "m-2-10", "2.5a": "m-2-5a", "1.2.3.4b": "m-1-2-3-4b", "99.99": "m-99-99",
	}
	for n, id := range want {
		if got := (domain.Measure{Number: n}).ID(); got != id {
			t.Errorf("ID of %s = %s, want %s", n, got, id)
		}
	}
	for _, n := range append(validNumbers, "1.2.3.4b") {
		id := domain.Measure{Number: n}.ID()
		parsed, ok := domain.ParseMeasureID(string(id))
		if !ok {
			t.Errorf("ID %q of the valid number %s does not parse", id, n)
			continue
		}
		if parsed != id {
			t.Errorf("ParseMeasureID(%q) = %q", id, parsed)
		}
		if got := parsed.Number(); got != n {
			t.Errorf("ID %q gives number %q, want %q", id, got, n)
		}
		if got := (domain.Measure{Number: n}).Chapter(); got != n[:strings.IndexByte(n, '.')] {
			t.Errorf("chapter of %s = %q", n, got)
		}
	}
}

// A number is valid exactly when its ID is: a measure that can be created
// can always be addressed by its resource name, and vice versa.
func TestMeasureIDAndNumberPatternsAgree(t *testing.T) {
	for _, n := range append(slices.Clone(validNumbers), invalidNumbers...) {
		if strings.Contains(n, "-") {
			continue // hyphens would be read as separators in the ID
		}
		m := validMeasure()
		m.Number = n
		_, err := domain.NewMeasure(m)
		numberOK := true
		if e, ok := apierr.As(err); ok {
			for _, v := range e.Violations {
				if v.Field == "number" {
					numberOK = false
				}
			}
		}
		_, idOK := domain.ParseMeasureID(string(m.ID()))
		if numberOK != idOK {
			t.Errorf("number %q valid: %v, its ID %q valid: %v", n, numberOK, m.ID(), idOK)
		}
	}
}

func TestParseMeasureIDInvalid(t *testing.T) {
	for _, s := range []string{
		"", "m", "m-", "m-2", "m-2-", "m2-5", "M-2-5", "m-0-1", "m-2-0", "m-2-05", "m-100-1", "m-2-5-1-2-3",
		"m-2.5", "2.5", "measures/m-2-5", "m-2-5A", "m-2-5ab", "m-2--5", "m-2-5\n", " m-2-5", "m-2-a",
	} {
		if id, ok := domain.ParseMeasureID(s); ok || id != "" {
			t.Errorf("ParseMeasureID(%q) = %q, %v; want rejected", s, id, ok)
		}
	}
}

func TestCompareNumbers(t *testing.T) {
	// In plan order.
	ordered := []string{
		"1.1", "1.2", "1.10", "2.1", "2.5", "2.5.1", "2.5.1.1", "2.5.2", "2.5.10", "2.5a", "2.5b",
		"2.6", "2.10", "2.10a", "2.11", "3.1", "4.2", "10.1",
	}
	sign := func(n int) int {
		switch {
		case n < 0:
			return -1
		case n > 0:
			return 1
		}
		return 0
	}
	for i, a := range ordered {
		for j, b := range ordered {
			want := sign(i - j)
			if got := sign(domain.CompareNumbers(a, b)); got != want {
				t.Errorf("CompareNumbers(%s, %s) has sign %d, want %d", a, b, got, want)
			}
		}
	}
	for _, p := range [][2]string{{"2.5", "2.10"}, {"2.10", "3.1"}, {"2.5", "2.5a"}, {"2.5", "2.5.1"}} {
		if domain.CompareNumbers(p[0], p[1]) >= 0 {
			t.Errorf("%s is not before %s", p[0], p[1])
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		shuffled := slices.Clone(ordered)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		slices.SortFunc(shuffled, domain.CompareNumbers)
		if !slices.Equal(shuffled, ordered) {
			t.Fatalf("sorted to %v, want %v", shuffled, ordered)
		}
	}
}

func TestParseActorID(t *testing.T) {
	long63 := "a" + strings.Repeat("b", 62)
	long63Hyphens := "a" + strings.Repeat("-b", 31)
	valid := []string{"a", "backnang", "ihk-rems-murr", "a1", "a-1", "x9-y8-z7", "jobcenter-rems-murr", long63, long63Hyphens}
	for _, s := range valid {
		if len(s) > 63 {
			t.Fatalf("test ID %q is too long", s)
		}
		id, err := domain.ParseActorID(s)
		if err != nil {
			t.Errorf("ParseActorID(%q): %v", s, err)
		} else if string(id) != s {
			t.Errorf("ParseActorID(%q) = %q", s, id)
		}
	}
	invalid := map[string]string{
		"empty":             "",
		"uppercase":         "Backnang",
		"uppercase inside":  "backNang",
		"leading digit":     "1backnang",
		"leading hyphen":    "-backnang",
		"double hyphen":     "back--nang",
		"trailing hyphen":   "backnang-",
		"64 characters":     "a" + strings.Repeat("b", 63),
		"64 with hyphens":   "a" + strings.Repeat("-b", 31) + "c",
		"125 characters":    "a" + strings.Repeat("-b", 62),
		"underscore":        "back_nang",
		"space":             "back nang",
		"umlaut":            "bäcknang",
		"trailing newline":  "backnang\n",
		"dot":               "stadt.backnang",
		"resource name":     "actors/backnang",
		"only hyphen":       "-",
		"fullwidth letters": "ｂａｃｋ",
	}
	for name, s := range invalid {
		t.Run(name, func(t *testing.T) {
			id, err := domain.ParseActorID(s)
			if id != "" {
				t.Errorf("returned ID %q", id)
			}
			wantOnlyViolation(t, err, "actor_id", "lower-case")
		})
	}
}

func TestNewActor(t *testing.T) {
	a, err := domain.NewActor("backnang", domain.Municipality, "  Stadt Backnang ")
	if err != nil {
		t.Fatalf("NewActor: %v", err)
	}
	if want := (domain.Actor{ID: "backnang", Kind: domain.Municipality, DisplayName: "Stadt Backnang"}); a != want {
		t.Errorf("got %+v, want %+v", a, want)
	}
	if _, err := domain.NewActor("b", domain.Employer, strings.Repeat("ö", 200)); err != nil {
		t.Errorf("display name of 200: %v", err)
	}

	tests := []struct {
		name, id    string
		kind        domain.ActorKind
		displayName string
		fields      []string
	}{
		{"bad id", "Backnang", domain.Municipality, "Stadt Backnang", []string{"actor_id"}},
		{"no kind", "backnang", domain.ActorKindUnspecified, "Stadt Backnang", []string{"actor.kind"}},
		{"unknown kind", "backnang", domain.ActorKind(10), "Stadt Backnang", []string{"actor.kind"}},
		{"no name", "backnang", domain.Municipality, "", []string{"actor.display_name"}},
		{"name of 1", "backnang", domain.Municipality, " B ", []string{"actor.display_name"}},
		{"name of 201", "backnang", domain.Municipality, strings.Repeat("ö", 201), []string{"actor.display_name"}},
		{"name with newline", "backnang", domain.Municipality, "Stadt\nBacknang", []string{"actor.display_name"}},
		{"everything wrong", "-", domain.ActorKindUnspecified, "", []string{"actor_id", "actor.kind", "actor.display_name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := domain.NewActor(tt.id, tt.kind, tt.displayName)
			if fields := invalidFields(t, err); !slices.Equal(fields, tt.fields) {
				t.Errorf("violations on %v, want %v", fields, tt.fields)
			}
			if a != (domain.Actor{}) {
				t.Errorf("an invalid actor returned %+v", a)
			}
		})
	}
}
