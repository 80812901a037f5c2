package domain

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// MeasureID identifies a measure: "m-" and its number with hyphens for dots,
// e.g. m-2-5 for measure 2.5. Deriving it from the number makes the number
// unique: a second measure 2.5 would be a second creation of m-2-5.
type MeasureID string

var (
	numberPattern    = regexp.MustCompile(`^[1-9][0-9]?(\.[1-9][0-9]?){1,3}[a-z]?$`)
	measureIDPattern = regexp.MustCompile(`^m(-[1-9][0-9]?){2,4}[a-z]?$`)
)

// ParseMeasureID checks a measure ID taken from a resource name.
func ParseMeasureID(s string) (MeasureID, bool) {
	if !measureIDPattern.MatchString(s) {
		return "", false
	}
	return MeasureID(s), true
}

// Number is the measure's number, e.g. "2.5".
func (id MeasureID) Number() string {
	return strings.ReplaceAll(strings.TrimPrefix(string(id), "m-"), "-", ".")
}

// Measure is a recommended measure (Handlungsempfehlung).
type Measure struct {
	Number            string
	Title             string
	Description       string
	TopicField        TopicField
	CrossCuttingAreas []CrossCuttingArea
	AddressedKinds    []ActorKind
	Lead              string
}

// NewMeasure validates a measure. Chapter n ∈ 1…4 belongs to topic field n.
func NewMeasure(m Measure) (Measure, error) {
	var v apierr.Violations
	if !numberPattern.MatchString(m.Number) {
		v.Add("number", "must look like 2.5 (chapter and section, 1–99 each, optional further section and letter), got %q", m.Number)
	}
	v.Text("title", m.Title, 3, 200, false)
	v.Text("description", m.Description, 0, 4000, true)
	v.Text("lead", m.Lead, 0, 200, false)
	if !m.TopicField.Valid() {
		v.Add("topic_field", "is required and must be one of the four topic fields")
	} else if ch, ok := chapterNumber(m.Number); ok && ch >= 1 && ch <= 4 && TopicField(ch) != m.TopicField {
		v.Add("topic_field", "chapter %d belongs to %s, not %s", ch, TopicField(ch).Label(), m.TopicField.Label())
	}
	for i, a := range m.CrossCuttingAreas {
		if !a.Valid() {
			v.Add("cross_cutting_areas["+strconv.Itoa(i)+"]", "unknown cross-cutting area %d", a)
		} else if slices.Index(m.CrossCuttingAreas, a) < i {
			v.Add("cross_cutting_areas["+strconv.Itoa(i)+"]", "%s is listed twice", a.Label())
		}
	}
	if len(m.AddressedKinds) == 0 {
		v.Add("addressed_actor_kinds", "name at least one kind of actor the measure is offered to")
	}
	for i, k := range m.AddressedKinds {
		if !k.Valid() {
			v.Add("addressed_actor_kinds["+strconv.Itoa(i)+"]", "unknown actor kind %d", k)
		} else if slices.Index(m.AddressedKinds, k) < i {
			v.Add("addressed_actor_kinds["+strconv.Itoa(i)+"]", "%s is listed twice", k.Label())
		}
	}
	if err := v.Err(); err != nil {
		return Measure{}, err
	}
	m.Title = strings.TrimSpace(m.Title)
	m.Description = strings.TrimSpace(m.Description)
	m.Lead = strings.TrimSpace(m.Lead)
	return m, nil
}

// ID is derived from the number.
func (m Measure) ID() MeasureID { return MeasureID("m-" + strings.ReplaceAll(m.Number, ".", "-")) }

// Chapter is the first part of the number.
func (m Measure) Chapter() string { ch, _, _ := strings.Cut(m.Number, "."); return ch }

// Addresses reports whether the measure is offered to actors of kind k.
func (m Measure) Addresses(k ActorKind) bool { return slices.Contains(m.AddressedKinds, k) }

// Equal reports whether two measures have the same content.
func (m Measure) Equal(o Measure) bool {
	return m.Number == o.Number && m.Title == o.Title && m.Description == o.Description &&
		m.TopicField == o.TopicField && m.Lead == o.Lead &&
		slices.Equal(m.CrossCuttingAreas, o.CrossCuttingAreas) && slices.Equal(m.AddressedKinds, o.AddressedKinds)
}

func chapterNumber(number string) (int, bool) {
	ch, _, _ := strings.Cut(number, ".")
	n, err := strconv.Atoi(ch)
	return n, err == nil
}

// CompareNumbers orders measure numbers section by section: 2.5 < 2.10 < 3.1.
func CompareNumbers(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, sa := splitSection(pa[i])
		nb, sb := splitSection(pb[i])
		if na != nb {
			return na - nb
		}
		if c := strings.Compare(sa, sb); c != 0 {
			return c
		}
	}
	return len(pa) - len(pb)
}

func splitSection(s string) (int, string) {
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if i < 0 {
		i = len(s)
	}
	n, _ := strconv.Atoi(s[:i])
	return n, s[i:]
}
