package planfile_test

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/measures/adapters/planfile"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
	"github.com/integrationsplan/integrationsplan/services/measures/exampledata"
)

func TestParseExampleData(t *testing.T) {
	p, err := planfile.Parse(exampledata.Plan)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(p.Actors) != 12 {
		t.Errorf("%d actors, want 12", len(p.Actors))
	}
	if len(p.Measures) != 8 {
		t.Errorf("%d measures, want 8", len(p.Measures))
	}

	// Each entry's line is the line of its first key in the file.
	lines := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(exampledata.Plan))
	for n := 1; sc.Scan(); n++ {
		l := strings.TrimSpace(sc.Text())
		if k, ok := strings.CutPrefix(l, "- id: "); ok {
			lines["actor "+k] = n
		}
		if k, ok := strings.CutPrefix(l, "- number: "); ok {
			lines["measure "+strings.Trim(k, `"`)] = n
		}
	}
	var ids []domain.ActorID
	for _, e := range p.Actors {
		ids = append(ids, e.Value.ID)
		if want := lines["actor "+string(e.Value.ID)]; e.Line != want || want == 0 {
			t.Errorf("actor %s on line %d, want %d", e.Value.ID, e.Line, want)
		}
		if !e.Value.Kind.Valid() || e.Value.DisplayName == "" {
			t.Errorf("actor %+v", e.Value)
		}
	}
	wantIDs := []domain.ActorID{
		"landkreis", "backnang", "fellbach", "schorndorf", "waiblingen", "winnenden", "ihk-rems-murr",
		"hwk-stuttgart", "agentur-waiblingen", "jobcenter-rems-murr", "vhs-beispiel", "helferkreis-beispiel",
	}
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("actors %v, want %v in file order", ids, wantIDs)
	}
	var numbers []string
	for _, e := range p.Measures {
		numbers = append(numbers, e.Value.Number)
		if want := lines["measure "+e.Value.Number]; e.Line != want || want == 0 {
			t.Errorf("measure %s on line %d, want %d", e.Value.Number, e.Line, want)
		}
	}
	if want := []string{"1.1", "1.2", "1.3", "1.5", "1.6", "2.3", "2.5", "2.6"}; !slices.Equal(numbers, want) {
		t.Errorf("measures %v, want %v", numbers, want)
	}

	landkreis := p.Actors[0].Value
	if want := (domain.Actor{ID: "landkreis", Kind: domain.County, DisplayName: "Landkreis Rems-Murr-Kreis"}); landkreis != want {
		t.Errorf("first actor %+v, want %+v", landkreis, want)
	}
	if a := p.Actors[9].Value; a.ID != "jobcenter-rems-murr" || a.Kind != domain.JobCentre {
		t.Errorf("actor 9: %+v", a)
	}
	m := p.Measures[2].Value
	want := domain.Measure{
		Number: "1.3",
		Title:  "Systematische Erfassung aller Bildungsangebote für Zugewanderte",
		Description: "Alle bestehenden Bildungsangebote für Zuwanderer werden systematisch " +
			"erfasst, um Steuerung und Zugang zu erleichtern und allen Beteiligten " +
			"eine bessere Übersicht zu verschaffen.",
		TopicField:        domain.EducationAndLanguage,
		CrossCuttingAreas: []domain.CrossCuttingArea{domain.InformationAndCommunication},
		AddressedKinds:    []domain.ActorKind{domain.County, domain.Municipality, domain.EducationProvider, domain.VolunteerInitiative},
		Lead:              "Landratsamt, Amt für Schulen, Bildung und Kultur",
	}
	if !m.Equal(want) {
		t.Errorf("measure 1.3 is\n%+v, want\n%+v", m, want)
	}
	if m := p.Measures[7].Value; m.Number != "2.6" || m.TopicField != domain.LabourMarket ||
		!slices.Equal(m.CrossCuttingAreas, []domain.CrossCuttingArea{domain.Processes, domain.Participation}) ||
		!slices.Equal(m.AddressedKinds, []domain.ActorKind{domain.County, domain.Municipality, domain.Chamber, domain.Employer}) {
		t.Errorf("measure 2.6: %+v", m)
	}
	// Every decision of the example data names an actor and a measure of the file.
	for _, d := range exampledata.Decisions {
		if !slices.Contains(ids, domain.ActorID(d.Actor)) {
			t.Errorf("decision %s names unknown actor %s", d.RequestID, d.Actor)
		}
		if !slices.ContainsFunc(p.Measures, func(e planfile.Entry[domain.Measure]) bool { return string(e.Value.ID()) == d.Measure }) {
			t.Errorf("decision %s names unknown measure %s", d.RequestID, d.Measure)
		}
	}
}

// base is a small valid plan file; line numbers on the right.
const base = `actors:
  - id: landkreis
    kind: COUNTY
    name: Landkreis
  - id: backnang
    kind: MUNICIPALITY
    name: Stadt Backnang
measures:
  - number: "1.1"
    title: Erste Maßnahme
    topic_field: EDUCATION_AND_LANGUAGE
    addressed_actor_kinds: [COUNTY]
  - number: "2.1"
    title: Zweite Maßnahme
    topic_field: LABOUR_MARKET
    addressed_actor_kinds: [COUNTY, MUNICIPALITY]
`

// Lines of base:
//
//	 1 actors:
//	 2   - id: landkreis
//	 5   - id: backnang
//	 8 measures:
//	 9   - number: "1.1"
//	13   - number: "2.1"
//	16     addressed_actor_kinds: [COUNTY, MUNICIPALITY]

// replace changes one line of base, which must occur exactly once.
func replace(t *testing.T, old, new string) string {
	t.Helper()
	if n := strings.Count(base, old); n != 1 {
		t.Fatalf("%q occurs %d times in base", old, n)
	}
	return strings.Replace(base, old, new, 1)
}

func TestParseBase(t *testing.T) {
	p, err := planfile.Parse([]byte(base))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(p.Actors) != 2 || p.Actors[0].Line != 2 || p.Actors[1].Line != 5 {
		t.Errorf("actors %+v", p.Actors)
	}
	if len(p.Measures) != 2 || p.Measures[0].Line != 9 || p.Measures[1].Line != 13 {
		t.Errorf("measures %+v", p.Measures)
	}
	if m := p.Measures[1].Value; m.Number != "2.1" || m.Title != "Zweite Maßnahme" || m.TopicField != domain.LabourMarket ||
		!slices.Equal(m.AddressedKinds, []domain.ActorKind{domain.County, domain.Municipality}) {
		t.Errorf("measure 2.1: %+v", m)
	}
}

// contentErrors asserts err is an invalid argument on "content" only and
// returns the descriptions.
func contentErrors(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		t.Fatal("got no error")
	}
	e, ok := apierr.As(err)
	if !ok {
		t.Fatalf("got %T %v, want *apierr.Error", err, err)
	}
	if e.Kind != apierr.KindInvalidArgument {
		t.Fatalf("kind %d, want KindInvalidArgument: %v", e.Kind, err)
	}
	if len(e.Violations) == 0 {
		t.Fatalf("no violations: %v", err)
	}
	var out []string
	for _, v := range e.Violations {
		if v.Field != "content" {
			t.Errorf("violation on %q, want content: %s", v.Field, v.Description)
		}
		out = append(out, v.Description)
	}
	return out
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name    string
		content string
		// want lists, per expected violation, substrings its description
		// must contain.
		want [][]string
	}{
		{"unknown topic field", replace(t, "topic_field: LABOUR_MARKET", "topic_field: GARDENING"),
			[][]string{{"line 13, measures[1].topic_field:", `unknown topic field "GARDENING"`}}},
		{"unspecified topic field", replace(t, "topic_field: LABOUR_MARKET", "topic_field: TOPIC_FIELD_UNSPECIFIED"),
			[][]string{{"line 13, measures[1].topic_field:", "unknown topic field"}}},
		{"missing topic field", replace(t, "    topic_field: LABOUR_MARKET\n", ""),
			[][]string{{"line 13, measures[1].topic_field:", `unknown topic field ""`}}},
		{"unknown key in measure", replace(t, "    title: Zweite Maßnahme\n", "    title: Zweite Maßnahme\n    budget: 1000\n"),
			[][]string{{"line 15, measures[1].budget:", "unknown field", "addressed_actor_kinds"}}},
		{"unknown key in actor", replace(t, "    name: Stadt Backnang\n", "    name: Stadt Backnang\n    mayor: Friedrich\n"),
			[][]string{{"line 8, actors[1].mayor:", "unknown field", "id, kind, name"}}},
		{"unknown top-level key", base + "comments: keine\n",
			[][]string{{"line 17, comments:", "unknown key"}}},
		{"wrong chapter", replace(t, `number: "2.1"`, `number: "1.2"`),
			[][]string{{"line 13, measures[1].topic_field:", "chapter 1 belongs to Bildung und Sprache"}}},
		{"invalid number", replace(t, `number: "2.1"`, `number: "2.1.x"`),
			[][]string{{"line 13, measures[1].number:", `"2.1.x"`}}},
		{"duplicate number", strings.NewReplacer(`number: "2.1"`, `number: "1.1"`, "topic_field: LABOUR_MARKET", "topic_field: EDUCATION_AND_LANGUAGE").Replace(base),
			[][]string{{"line 13, measure 1.1:", "appears twice (first on line 9)"}}},
		{"duplicate actor id", replace(t, "id: backnang", "id: landkreis"),
			[][]string{{"line 5, actor landkreis:", "appears twice (first on line 2)"}}},
		{"invalid actor id", replace(t, "id: backnang", "id: Backnang"),
			[][]string{{"line 5, actors[1].id:", `"Backnang"`}}},
		{"missing actor id", replace(t, "  - id: backnang\n    kind", "  - kind"),
			[][]string{{"line 5, actors[1].id:", "lower-case"}}},
		{"unknown actor kind", replace(t, "kind: MUNICIPALITY", "kind: MAYOR"),
			[][]string{{"line 5, actors[1].kind:", `unknown actor kind "MAYOR"`}}},
		{"actor name too short", replace(t, "name: Stadt Backnang", "name: B"),
			[][]string{{"line 5, actors[1].name:", "at least 2"}}},
		{"unknown addressed kind", replace(t, "[COUNTY, MUNICIPALITY]", "[COUNTY, MAYOR]"),
			[][]string{{"line 13, measures[1].addressed_actor_kinds[1]:", `unknown actor kind "MAYOR"`}}},
		{"addressed kind twice", replace(t, "[COUNTY, MUNICIPALITY]", "[COUNTY, MUNICIPALITY, COUNTY]"),
			[][]string{{"line 13, measures[1].addressed_actor_kinds[2]:", "listed twice"}}},
		{"unknown cross-cutting area", replace(t, "    title: Zweite Maßnahme\n", "    title: Zweite Maßnahme\n    cross_cutting_areas: [PROCESSES, WEATHER]\n"),
			[][]string{{"line 13, measures[1].cross_cutting_areas[1]:", `unknown cross-cutting area "WEATHER"`}}},
		{"title too short", replace(t, "title: Zweite Maßnahme", "title: Zw"),
			[][]string{{"line 13, measures[1].title:", "at least 3"}}},
		{"title of the wrong type", replace(t, "title: Zweite Maßnahme", "title: [Zweite, Maßnahme]"),
			[][]string{{"line 13, measures[1]:", "cannot unmarshal"}}},
		{"actors not a list", "actors:\n  id: landkreis\n  kind: COUNTY\n",
			[][]string{{"line 2, actors:", "must be a list"}}},
		{"measures not a list", "actors: []\nmeasures: keine\n",
			[][]string{{"line 2, measures:", "must be a list"}}},
		{"entry not a mapping", "actors:\n  - landkreis\n",
			[][]string{{"line 2, actors[0]:", "must be a mapping"}}},
		{"root a list", "- actors\n- measures\n",
			[][]string{{"line 1:", "must be a mapping"}}},
		{"root a scalar", "Integrationsplan\n",
			[][]string{{"line 1:", "must be a mapping"}}},
		{"not YAML", "actors: [landkreis\nmeasures: {\n",
			[][]string{{"is not valid YAML", "line "}}},
		{"tab indentation", "actors:\n\t- id: landkreis\n",
			[][]string{{"is not valid YAML", "line 2"}}},
		{"empty file", "", [][]string{{"is empty"}}},
		{"only a comment", "# nichts\n", [][]string{{"is empty"}}},
		{"too large", base + "# " + strings.Repeat("x", planfile.MaxSize) + "\n",
			[][]string{{fmt.Sprintf("larger than %d bytes", planfile.MaxSize)}}},
		{"every problem at once",
			replace(t, "id: backnang", "id: -backnang-") + "  - number: \"3.1\"\n    title: Dritte\n    topic_field: HOUSING\n    addressed_actor_kinds: []\n",
			[][]string{
				{"line 5, actors[1].id:"},
				{"line 17, measures[2].addressed_actor_kinds:", "at least one"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := planfile.Parse([]byte(tt.content))
			got := contentErrors(t, err)
			if len(got) != len(tt.want) {
				t.Fatalf("%d violations, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for i, want := range tt.want {
				for _, w := range want {
					if !strings.Contains(got[i], w) {
						t.Errorf("violation %d %q does not contain %q", i, got[i], w)
					}
				}
			}
			if p.Actors != nil || p.Measures != nil {
				t.Errorf("a failed parse returned entries: %+v", p)
			}
		})
	}
}

func TestParseMaxSize(t *testing.T) {
	// A file of exactly MaxSize bytes is read.
	content := base + "# "
	content += strings.Repeat("x", planfile.MaxSize-len(content)-1) + "\n"
	if len(content) != planfile.MaxSize {
		t.Fatalf("test content has %d bytes", len(content))
	}
	if _, err := planfile.Parse([]byte(content)); err != nil {
		t.Errorf("a file of MaxSize bytes: %v", err)
	}
}

func TestParseEnumNames(t *testing.T) {
	for _, spelling := range []string{"LABOUR_MARKET", "TOPIC_FIELD_LABOUR_MARKET", "labour_market", " Labour_Market "} {
		content := replace(t, "topic_field: LABOUR_MARKET", fmt.Sprintf("topic_field: %q", spelling))
		p, err := planfile.Parse([]byte(content))
		if err != nil {
			t.Errorf("topic field %q: %v", spelling, err)
			continue
		}
		if tf := p.Measures[1].Value.TopicField; tf != domain.LabourMarket {
			t.Errorf("topic field %q read as %d", spelling, tf)
		}
	}
	p, err := planfile.Parse([]byte(replace(t, "kind: MUNICIPALITY", "kind: ACTOR_KIND_MUNICIPALITY")))
	if err != nil {
		t.Fatal(err)
	}
	if k := p.Actors[1].Value.Kind; k != domain.Municipality {
		t.Errorf("kind read as %d", k)
	}
}

// Numbers need no quotes: 1.10 stays 1.10, not the float 1.1.
func TestParseUnquotedNumber(t *testing.T) {
	p, err := planfile.Parse([]byte(replace(t, `number: "1.1"`, `number: 1.10`)))
	if err != nil {
		t.Fatal(err)
	}
	if n := p.Measures[0].Value.Number; n != "1.10" {
		t.Errorf("number read as %q, want 1.10", n)
	}
}

func TestParseEmptySections(t *testing.T) {
	p, err := planfile.Parse([]byte("actors: []\nmeasures: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Actors) != 0 || len(p.Measures) != 0 {
		t.Errorf("got %+v", p)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(exampledata.Plan)
	f.Add([]byte(base))
	for _, s := range []string{
		"",
		"actors:\n  - id: landkreis\n",
		"actors: {}\nmeasures: 1\n",
		"actors: [landkreis\n",
		"- a\n- b\n",
		"measures:\n  - number: 1.1\n    title: x\n    topic_field: [a]\n",
		"a: &x [*x]\n",
		"actors: &a\n  - id: a\n    kind: COUNTY\n    name: AA\nmeasures: *a\n",
		"measures:\n  - <<: {number: \"1.1\"}\n    title: abc\n",
		"actors:\n  - ? [id]\n    : x\n",
		"actors:\n  - id: a\n    id: b\n",
		"---\nactors: []\n---\nmeasures: []\n",
		"\xff\xfe",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		p, err := planfile.Parse(content)
		if err != nil {
			e, ok := apierr.As(err)
			if !ok || e.Kind != apierr.KindInvalidArgument || len(e.Violations) == 0 {
				t.Fatalf("error %T %v is not an invalid argument with violations", err, err)
			}
			for _, v := range e.Violations {
				if v.Field != "content" || v.Description == "" {
					t.Fatalf("violation %+v", v)
				}
			}
			if p.Actors != nil || p.Measures != nil {
				t.Fatalf("a failed parse returned entries")
			}
			return
		}
		// What parses is valid and unique.
		seen := map[string]bool{}
		for _, e := range p.Actors {
			if e.Line < 1 {
				t.Fatalf("actor %s on line %d", e.Value.ID, e.Line)
			}
			a, err := domain.NewActor(string(e.Value.ID), e.Value.Kind, e.Value.DisplayName)
			if err != nil || a != e.Value {
				t.Fatalf("parsed actor %+v is not valid: %v", e.Value, err)
			}
			if seen["a"+string(a.ID)] {
				t.Fatalf("actor %s twice", a.ID)
			}
			seen["a"+string(a.ID)] = true
		}
		for _, e := range p.Measures {
			if e.Line < 1 {
				t.Fatalf("measure %s on line %d", e.Value.Number, e.Line)
			}
			m, err := domain.NewMeasure(e.Value)
			if err != nil || !m.Equal(e.Value) {
				t.Fatalf("parsed measure %+v is not valid: %v", e.Value, err)
			}
			if seen["m"+m.Number] {
				t.Fatalf("measure %s twice", m.Number)
			}
			seen["m"+m.Number] = true
		}
	})
}
