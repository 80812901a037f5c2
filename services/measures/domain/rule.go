package domain

import (
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// Aggregation is how a rule term aggregates the events it matches.
type Aggregation int32

const (
	AggregationUnspecified Aggregation = iota
	Count
	CountDistinct
	Sum
	// MedianDays is the median of the days from a source aggregate's first
	// Since event to each matching event.
	MedianDays
	// CountElements adds up the number of elements of a list field.
	CountElements
)

// Valid reports whether a is a known aggregation.
func (a Aggregation) Valid() bool { return a >= Count && a <= CountElements }

// Op is a filter's comparison.
type Op int8

const (
	OpEqual Op = iota + 1
	OpNotEqual
	// OpSet and OpNotSet test whether a field holds other than its default
	// (e.g. a promoted referral's id); they have no value.
	OpSet
	OpNotSet
)

const (
	setSuffix    = " is set"
	notSetSuffix = " is not set"
)

// Condition is a filter on an event field: "path = value", "path != value",
// "path is set" or "path is not set".
type Condition struct {
	Field string
	Op    Op
	Value string
}

func (c Condition) String() string {
	switch c.Op {
	case OpNotEqual:
		return c.Field + " != " + c.Value
	case OpSet:
		return c.Field + setSuffix
	case OpNotSet:
		return c.Field + notSetSuffix
	}
	return c.Field + " = " + c.Value
}

// ParseCondition reads "field.path = value", "field.path != value",
// "field.path is set" or "field.path is not set"; spaces around the
// operator and the value are optional and trimmed.
func ParseCondition(s string) (Condition, error) {
	bad := func(why string) (Condition, error) {
		return Condition{}, &apierr.Error{Kind: apierr.KindInvalidArgument, Message: "invalid filter",
			Violations: []apierr.FieldViolation{{Description: why + `; write "field.path = value", "field.path != value", "field.path is set" or "field.path is not set", got "` + truncate(s, 80) + `"`}}}
	}
	if len(s) > 300 {
		return bad("is longer than 300 characters")
	}
	i := strings.IndexByte(s, '=')
	if i < 0 {
		return parsePresence(s, bad)
	}
	c := Condition{Op: OpEqual}
	left := s[:i]
	if strings.HasSuffix(left, "!") {
		c.Op, left = OpNotEqual, left[:len(left)-1]
	}
	c.Field, c.Value = strings.TrimSpace(left), strings.TrimSpace(s[i+1:])
	if !validPath(c.Field) {
		return bad("names no valid field path (lower-case names joined by dots)")
	}
	if c.Value == "" || strings.ContainsAny(c.Value, "=\n\r\t") {
		return bad("needs one value without '=' or line breaks")
	}
	return c, nil
}

// parsePresence reads "field.path is set" or "field.path is not set".
func parsePresence(s string, bad func(string) (Condition, error)) (Condition, error) {
	t := strings.TrimSpace(s)
	c := Condition{}
	switch {
	case strings.HasSuffix(t, notSetSuffix):
		c.Op, c.Field = OpNotSet, strings.TrimSpace(strings.TrimSuffix(t, notSetSuffix))
	case strings.HasSuffix(t, setSuffix):
		c.Op, c.Field = OpSet, strings.TrimSpace(strings.TrimSuffix(t, setSuffix))
	default:
		return bad("has no operator")
	}
	if !validPath(c.Field) {
		return bad("names no valid field path (lower-case names joined by dots)")
	}
	return c, nil
}

// validPath checks a field path such as "assessment.municipality".
func validPath(p string) bool {
	if p == "" || len(p) > 200 {
		return false
	}
	for _, part := range strings.Split(p, ".") {
		if part == "" || part[0] < 'a' || part[0] > 'z' {
			return false
		}
		for i := 0; i < len(part); i++ {
			c := part[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
				return false
			}
		}
	}
	return true
}

// FieldKind is the kind of an event field a rule may read.
type FieldKind int8

const (
	FieldString FieldKind = iota + 1
	FieldBool
	FieldInt
	FieldFloat
	FieldEnum
)

// Numeric reports whether SUM can add the field.
func (k FieldKind) Numeric() bool { return k == FieldInt || k == FieldFloat }

// FieldInfo describes an event field.
type FieldInfo struct {
	Kind FieldKind
	// EnumValues are the value names of an enum field, by number.
	EnumValues map[int32]string
}

// EventCatalog knows the event types of the other services (their protobuf
// descriptors). The adapters implement it; the domain only asks.
type EventCatalog interface {
	// Source is the source stream of an event type, or an error naming why
	// the type is unknown.
	Source(eventType string) (string, error)
	// Field resolves a field path of an event type to a single scalar field,
	// or an error saying why it cannot be used.
	Field(eventType, path string) (FieldInfo, error)
	// List checks that a field path of an event type names a list (a
	// repeated field), or says why it does not.
	List(eventType, path string) error
}

// Term is one part of a rule.
type Term struct {
	EventType   string
	Filters     []Condition
	Aggregation Aggregation
	// Field is aggregated by COUNT_DISTINCT and SUM; COUNT_ELEMENTS counts
	// the elements of this list.
	Field string
	// GroupBy breaks the values down by a field; Group is a fixed group
	// instead. Both empty: by the group an earlier event of the same source
	// aggregate was counted for.
	GroupBy  string
	Group    string
	Subtract bool
	// Since is the event type starting a MEDIAN_DAYS duration.
	Since string
}

// Rule derives an indicator's values from events of other services.
type Rule struct {
	Terms []Term
	// Cumulative values count every event up to the end of the period.
	Cumulative bool
}

// MaxRuleTerms bounds a rule's terms.
const MaxRuleTerms = 10

// Sources lists the source streams the rule reads, sorted.
func (r Rule) Sources(c EventCatalog) []string {
	var out []string
	for _, t := range r.Terms {
		if s, err := c.Source(t.EventType); err == nil && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// median reports whether the rule's value is a median of durations; then
// every term is a MEDIAN_DAYS term (NewRule checks it).
func (r Rule) median() bool { return len(r.Terms) > 0 && r.Terms[0].Aggregation == MedianDays }

// remembersGroups reports whether an event's group may come from an earlier
// event of its source aggregate.
func (r Rule) remembersGroups() bool {
	grouped, ungrouped := false, false
	for _, t := range r.Terms {
		if t.grouped() {
			grouped = true
		} else {
			ungrouped = true
		}
	}
	return grouped && ungrouped
}

// grouped reports whether the term names its group itself.
func (t Term) grouped() bool { return t.GroupBy != "" || t.Group != "" }

// Equal reports whether two rules are the same.
func (r Rule) Equal(o Rule) bool {
	return r.Cumulative == o.Cumulative && slices.EqualFunc(r.Terms, o.Terms, func(a, b Term) bool {
		return a.EventType == b.EventType && slices.Equal(a.Filters, b.Filters) && a.Aggregation == b.Aggregation &&
			a.Field == b.Field && a.GroupBy == b.GroupBy && a.Group == b.Group && a.Subtract == b.Subtract && a.Since == b.Since
	})
}

// RawTerm is a term as a caller writes it, with filters as text.
type RawTerm struct {
	EventType   string
	Filters     []string
	Aggregation Aggregation
	Field       string
	GroupBy     string
	Group       string
	Subtract    bool
	Since       string
}

// ParseTerms turns raw terms into terms; filter syntax errors are reported
// as terms[i].filters[j].
func ParseTerms(raw []RawTerm) ([]Term, error) {
	var v apierr.Violations
	terms := make([]Term, len(raw))
	for i, rt := range raw {
		terms[i] = Term{EventType: strings.TrimSpace(rt.EventType), Aggregation: rt.Aggregation,
			Field: strings.TrimSpace(rt.Field), GroupBy: strings.TrimSpace(rt.GroupBy), Group: strings.TrimSpace(rt.Group), Subtract: rt.Subtract,
			Since: strings.TrimSpace(rt.Since)}
		for j, f := range rt.Filters {
			c, err := ParseCondition(f)
			if err != nil {
				e, _ := apierr.As(err)
				v.Add("terms["+strconv.Itoa(i)+"].filters["+strconv.Itoa(j)+"]", "%s", e.Violations[0].Description)
				continue
			}
			terms[i].Filters = append(terms[i].Filters, c)
		}
	}
	return terms, v.Err()
}

// NewRule checks a rule against the event catalog: every event type must be
// known, every field path must name a scalar field of it, filter values must
// fit their field (enum values by name or number; normalised to the name).
func NewRule(r Rule, c EventCatalog) (Rule, error) {
	var v apierr.Violations
	if len(r.Terms) == 0 {
		v.Add("terms", "name at least one term (an event type and an aggregation)")
	}
	if len(r.Terms) > MaxRuleTerms {
		v.Add("terms", "at most %d terms, got %d", MaxRuleTerms, len(r.Terms))
	}
	out := Rule{Cumulative: r.Cumulative}
	medians := 0
	// enumGroups are the enum fields terms group by; a fixed group must be
	// one of their values to meet the counts grouped by them.
	var enumGroups []FieldInfo
	for i, t := range r.Terms {
		p := "terms[" + strconv.Itoa(i) + "]."
		if t.EventType == "" {
			v.Add(p+"event_type", "is required: the full protobuf message name, e.g. integration.education.v1.OfferCreated")
			out.Terms = append(out.Terms, t)
			continue
		}
		source, err := c.Source(t.EventType)
		if err != nil {
			v.Add(p+"event_type", "%s", err.Error())
			out.Terms = append(out.Terms, t)
			continue
		}
		nt := t
		nt.Filters = nil
		for j, f := range t.Filters {
			fp := p + "filters[" + strconv.Itoa(j) + "]"
			info, err := c.Field(t.EventType, f.Field)
			if err != nil {
				v.Add(fp, "%s", err.Error())
				continue
			}
			if f.Op == OpSet || f.Op == OpNotSet {
				nt.Filters = append(nt.Filters, f)
				continue
			}
			val, ok := normalise(info, f.Value)
			if !ok {
				v.Add(fp, "value %q does not fit field %s (%s)", truncate(f.Value, 40), f.Field, describe(info))
				continue
			}
			f.Value = val
			nt.Filters = append(nt.Filters, f)
		}
		if t.Aggregation != MedianDays && t.Since != "" {
			v.Add(p+"since_event_type", "is only set for MEDIAN_DAYS")
		}
		switch t.Aggregation {
		case Count:
			if t.Field != "" {
				v.Add(p+"field", "is only set for COUNT_DISTINCT, SUM and COUNT_ELEMENTS")
			}
		case CountElements:
			if t.Field == "" {
				v.Add(p+"field", "is required for COUNT_ELEMENTS: the list whose elements are counted")
			} else if err := c.List(t.EventType, t.Field); err != nil {
				v.Add(p+"field", "%s", err.Error())
			}
		case MedianDays:
			medians++
			checkMedianTerm(&v, p, t, source, c)
		case CountDistinct, Sum:
			if t.Field == "" {
				v.Add(p+"field", "is required for COUNT_DISTINCT and SUM")
			} else if info, err := c.Field(t.EventType, t.Field); err != nil {
				v.Add(p+"field", "%s", err.Error())
			} else if t.Aggregation == Sum && !info.Kind.Numeric() {
				v.Add(p+"field", "SUM needs a numeric field; %s is %s", t.Field, describe(info))
			}
		default:
			v.Add(p+"aggregation", "is required: COUNT, COUNT_DISTINCT, SUM, MEDIAN_DAYS or COUNT_ELEMENTS")
		}
		if t.GroupBy != "" {
			if info, err := c.Field(t.EventType, t.GroupBy); err != nil {
				v.Add(p+"group_by", "%s", err.Error())
			} else if info.Kind == FieldFloat {
				v.Add(p+"group_by", "cannot group by a floating-point field")
			} else if info.Kind == FieldEnum {
				enumGroups = append(enumGroups, info)
			}
			if t.Group != "" {
				v.Add(p+"group", "is set instead of group_by, not with it")
			}
		}
		out.Terms = append(out.Terms, nt)
	}
	for i := range out.Terms {
		checkFixedGroup(&v, "terms["+strconv.Itoa(i)+"].group", &out.Terms[i], enumGroups)
	}
	if medians > 0 && medians < len(r.Terms) {
		v.Add("terms", "a median does not add up with counts or sums: make every term MEDIAN_DAYS or none")
	}
	// A case's start time is kept once per rule (Derivation.startOf), so
	// every median term measures from the same start event.
	for i, t := range out.Terms {
		if t.Aggregation == MedianDays && t.Since != "" && t.Since != out.Terms[0].Since {
			v.Add("terms["+strconv.Itoa(i)+"].since_event_type", "must be the same start event as terms[0] (%s): a rule measures from one start", out.Terms[0].Since)
		}
	}
	if err := v.Err(); err != nil {
		return Rule{}, err
	}
	return out, nil
}

// checkMedianTerm checks what MEDIAN_DAYS needs: a start event of the same
// source, no field and no subtraction.
func checkMedianTerm(v *apierr.Violations, p string, t Term, source string, c EventCatalog) {
	if t.Field != "" {
		v.Add(p+"field", "is not set for MEDIAN_DAYS: the duration is measured between the events' times")
	}
	if t.Subtract {
		v.Add(p+"subtract", "a MEDIAN_DAYS term cannot be subtracted")
	}
	if t.Since == "" {
		v.Add(p+"since_event_type", "is required for MEDIAN_DAYS: the event starting the duration, e.g. integration.labour.v1.CaseOpened")
	} else if s, err := c.Source(t.Since); err != nil {
		v.Add(p+"since_event_type", "%s", err.Error())
	} else if s != source {
		v.Add(p+"since_event_type", "must be an event of the same service as %s", t.EventType)
	}
}

// checkFixedGroup checks a term's fixed group; a value of an enum other terms
// group by is normalised to its name, as their groups are.
func checkFixedGroup(v *apierr.Violations, p string, t *Term, enumGroups []FieldInfo) {
	if t.Group == "" {
		return
	}
	if len(t.Group) > 100 || strings.ContainsFunc(t.Group, unicode.IsControl) {
		v.Add(p, "at most 100 characters on one line")
		return
	}
	if len(enumGroups) == 0 {
		return
	}
	for _, info := range enumGroups {
		if name, ok := normalise(info, t.Group); ok {
			t.Group = name
			return
		}
	}
	v.Add(p, "value %q is none of the groups the other terms count for (%s)", truncate(t.Group, 40), describe(enumGroups[0]))
}

// normalise checks a filter value against its field and returns the form an
// event's value is compared with.
func normalise(info FieldInfo, s string) (string, bool) {
	switch info.Kind {
	case FieldString:
		return s, true
	case FieldBool:
		b, err := strconv.ParseBool(s)
		return strconv.FormatBool(b), err == nil
	case FieldInt:
		n, err := strconv.ParseInt(s, 10, 64)
		return strconv.FormatInt(n, 10), err == nil
	case FieldFloat:
		f, err := strconv.ParseFloat(s, 64)
		return strconv.FormatFloat(f, 'g', -1, 64), err == nil
	case FieldEnum:
		for _, name := range info.EnumValues {
			if name == s {
				return s, true
			}
		}
		if n, err := strconv.ParseInt(s, 10, 32); err == nil {
			name, ok := info.EnumValues[int32(n)]
			return name, ok
		}
	}
	return "", false
}

func describe(info FieldInfo) string {
	switch info.Kind {
	case FieldString:
		return "a string"
	case FieldBool:
		return "true or false"
	case FieldInt:
		return "an integer"
	case FieldFloat:
		return "a number"
	case FieldEnum:
		names := make([]string, 0, len(info.EnumValues))
		for _, n := range info.EnumValues {
			names = append(names, n)
		}
		slices.Sort(names)
		return "one of " + strings.Join(names, ", ")
	}
	return "unknown"
}
