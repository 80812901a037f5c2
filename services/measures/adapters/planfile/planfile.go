// Package planfile reads a plan file: the actors and measures of an
// integration plan in YAML, for import. Every error names the line and the
// field; the domain constructors validate each entry.
package planfile

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	measuresv1 "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// MaxSize is the largest plan file accepted.
const MaxSize = 4 << 20

// Entry is a parsed entry and the line it starts on.
type Entry[T any] struct {
	Line  int
	Value T
}

// Plan is a parsed plan file.
type Plan struct {
	Actors   []Entry[domain.Actor]
	Measures []Entry[domain.Measure]
}

type actorRow struct {
	ID   string `yaml:"id"`
	Kind string `yaml:"kind"`
	Name string `yaml:"name"`
}

type measureRow struct {
	Number              string   `yaml:"number"`
	Title               string   `yaml:"title"`
	Description         string   `yaml:"description"`
	TopicField          string   `yaml:"topic_field"`
	CrossCuttingAreas   []string `yaml:"cross_cutting_areas"`
	AddressedActorKinds []string `yaml:"addressed_actor_kinds"`
	Lead                string   `yaml:"lead"`
}

var (
	actorKeys   = []string{"id", "kind", "name"}
	measureKeys = []string{"number", "title", "description", "topic_field", "cross_cutting_areas", "addressed_actor_kinds", "lead"}
)

// Parse reads a plan file. All problems are reported at once, as violations
// of the field "content", each naming line and entry.
func Parse(content []byte) (Plan, error) {
	if len(content) > MaxSize {
		return Plan{}, apierr.Invalid("content", "is larger than %d bytes", MaxSize)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(content, &doc); err != nil {
		return Plan{}, apierr.Invalid("content", "is not valid YAML: %v", err)
	}
	var p Plan
	var v apierr.Violations
	bad := func(line int, path, format string, args ...any) {
		v.Add("content", "line %d, %s: %s", line, path, fmt.Sprintf(format, args...))
	}
	if len(doc.Content) == 0 {
		return Plan{}, apierr.Invalid("content", "is empty")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return Plan{}, apierr.Invalid("content", "line %d: must be a mapping with the keys actors and measures", root.Line)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		switch key.Value {
		case "actors":
			items := sequence(val, "actors", bad)
			for j, item := range items {
				path := fmt.Sprintf("actors[%d]", j)
				var row actorRow
				if !decode(item, &row, actorKeys, path, bad) {
					continue
				}
				kind, ok := enumValue(measuresv1.ActorKind_value, "ACTOR_KIND_", row.Kind)
				if !ok {
					bad(item.Line, path+".kind", "unknown actor kind %q", row.Kind)
					continue
				}
				a, err := domain.NewActor(row.ID, domain.ActorKind(kind), row.Name)
				if err != nil {
					report(item.Line, path, err, bad)
					continue
				}
				p.Actors = append(p.Actors, Entry[domain.Actor]{Line: item.Line, Value: a})
			}
		case "measures":
			items := sequence(val, "measures", bad)
			for j, item := range items {
				path := fmt.Sprintf("measures[%d]", j)
				var row measureRow
				if !decode(item, &row, measureKeys, path, bad) {
					continue
				}
				m, ok := measureFromRow(row, item.Line, path, bad)
				if !ok {
					continue
				}
				m, err := domain.NewMeasure(m)
				if err != nil {
					report(item.Line, path, err, bad)
					continue
				}
				p.Measures = append(p.Measures, Entry[domain.Measure]{Line: item.Line, Value: m})
			}
		default:
			bad(key.Line, key.Value, "unknown key; a plan file has actors and measures")
		}
	}
	checkUnique(p.Actors, func(a domain.Actor) string { return string(a.ID) }, "actor", bad)
	checkUnique(p.Measures, func(m domain.Measure) string { return m.Number }, "measure", bad)
	if err := v.Err(); err != nil {
		return Plan{}, err
	}
	return p, nil
}

type reporter func(line int, path, format string, args ...any)

func sequence(n *yaml.Node, path string, bad reporter) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		bad(n.Line, path, "must be a list")
		return nil
	}
	return n.Content
}

// decode reads a mapping into row, refusing keys it does not know.
func decode(n *yaml.Node, row any, keys []string, path string, bad reporter) bool {
	if n.Kind != yaml.MappingNode {
		bad(n.Line, path, "must be a mapping")
		return false
	}
	ok := true
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; !slices.Contains(keys, k.Value) {
			bad(k.Line, path+"."+k.Value, "unknown field; known are %s", strings.Join(keys, ", "))
			ok = false
		}
	}
	if err := n.Decode(row); err != nil {
		bad(n.Line, path, "%v", err)
		return false
	}
	return ok
}

func measureFromRow(row measureRow, line int, path string, bad reporter) (domain.Measure, bool) {
	ok := true
	tf, found := enumValue(measuresv1.TopicField_value, "TOPIC_FIELD_", row.TopicField)
	if !found {
		bad(line, path+".topic_field", "unknown topic field %q", row.TopicField)
		ok = false
	}
	m := domain.Measure{
		Number: row.Number, Title: row.Title, Description: row.Description, Lead: row.Lead,
		TopicField: domain.TopicField(tf),
	}
	for i, s := range row.CrossCuttingAreas {
		a, found := enumValue(measuresv1.CrossCuttingArea_value, "CROSS_CUTTING_AREA_", s)
		if !found {
			bad(line, fmt.Sprintf("%s.cross_cutting_areas[%d]", path, i), "unknown cross-cutting area %q", s)
			ok = false
		}
		m.CrossCuttingAreas = append(m.CrossCuttingAreas, domain.CrossCuttingArea(a))
	}
	for i, s := range row.AddressedActorKinds {
		k, found := enumValue(measuresv1.ActorKind_value, "ACTOR_KIND_", s)
		if !found {
			bad(line, fmt.Sprintf("%s.addressed_actor_kinds[%d]", path, i), "unknown actor kind %q", s)
			ok = false
		}
		m.AddressedKinds = append(m.AddressedKinds, domain.ActorKind(k))
	}
	return m, ok
}

// enumValue accepts an enum value by its full or its short name
// (TOPIC_FIELD_HOUSING or HOUSING), never the unspecified one.
func enumValue(values map[string]int32, prefix, name string) (int32, bool) {
	name = strings.ToUpper(strings.TrimSpace(name))
	if !strings.HasPrefix(name, prefix) {
		name = prefix + name
	}
	n, ok := values[name]
	return n, ok && n != 0
}

// fileKeys maps the fields the domain names (those of the API) to the keys
// of a plan file where they differ.
var fileKeys = map[string]string{"actor_id": "id", "actor.kind": "kind", "actor.display_name": "name"}

func report(line int, path string, err error, bad reporter) {
	e, ok := apierr.As(err)
	if !ok {
		bad(line, path, "%v", err)
		return
	}
	for _, fv := range e.Violations {
		field := fv.Field
		if k, ok := fileKeys[field]; ok {
			field = k
		}
		bad(line, path+"."+field, "%s", fv.Description)
	}
}

func checkUnique[T any](entries []Entry[T], key func(T) string, what string, bad reporter) {
	first := map[string]int{}
	for _, e := range entries {
		k := key(e.Value)
		if l, dup := first[k]; dup {
			bad(e.Line, what+" "+k, "appears twice (first on line %d)", l)
			continue
		}
		first[k] = e.Line
	}
}
