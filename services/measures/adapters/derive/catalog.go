// Package derive computes derived indicators from the events of other
// services: a catalog of their event types (the linked protobuf
// descriptors), and an engine that follows their streams.
package derive

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	_ "github.com/integrationsplan/integrationsplan/proto/integration/education/v1" // education events
	_ "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"    // labour events
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// Catalog implements domain.EventCatalog over the protobuf registry: an
// event type is a message declared in the events.proto of a source service.
type Catalog struct {
	services []string
}

// NewCatalog knows the events of the named services, e.g. education, labour.
func NewCatalog(services ...string) *Catalog { return &Catalog{services: slices.Clone(services)} }

// Services are the source services.
func (c *Catalog) Services() []string { return slices.Clone(c.services) }

func (c *Catalog) message(eventType string) (protoreflect.MessageDescriptor, string, error) {
	mt, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(eventType))
	if err != nil {
		return nil, "", fmt.Errorf("unknown event type %q: name the full protobuf message, e.g. integration.education.v1.OfferCreated", short(eventType))
	}
	md := mt.Descriptor()
	pkg := string(md.ParentFile().Package())
	for _, s := range c.services {
		if strings.HasPrefix(pkg, "integration."+s+".") && strings.HasSuffix(md.ParentFile().Path(), "/events.proto") {
			return md, eventstore.StreamName(s), nil
		}
	}
	return nil, "", fmt.Errorf("%s is not an event of a source service (%s)", eventType, strings.Join(c.services, ", "))
}

// Source implements domain.EventCatalog.
func (c *Catalog) Source(eventType string) (string, error) {
	_, s, err := c.message(eventType)
	return s, err
}

// Field implements domain.EventCatalog.
func (c *Catalog) Field(eventType, path string) (domain.FieldInfo, error) {
	md, _, err := c.message(eventType)
	if err != nil {
		return domain.FieldInfo{}, err
	}
	fds, err := resolve(md, path)
	if err != nil {
		return domain.FieldInfo{}, err
	}
	return info(fds[len(fds)-1]), nil
}

// List implements domain.EventCatalog.
func (c *Catalog) List(eventType, path string) error {
	md, _, err := c.message(eventType)
	if err != nil {
		return err
	}
	_, err = resolveList(md, path)
	return err
}

// resolve walks a field path through singular message fields to a singular
// scalar or enum field.
func resolve(md protoreflect.MessageDescriptor, path string) ([]protoreflect.FieldDescriptor, error) {
	return resolvePath(md, path, false)
}

// resolveList walks a field path through singular message fields to a
// repeated field of any kind.
func resolveList(md protoreflect.MessageDescriptor, path string) ([]protoreflect.FieldDescriptor, error) {
	return resolvePath(md, path, true)
}

func resolvePath(md protoreflect.MessageDescriptor, path string, list bool) ([]protoreflect.FieldDescriptor, error) {
	if path == "" {
		return nil, fmt.Errorf("is empty: name a field of %s", md.FullName())
	}
	parts := strings.Split(path, ".")
	var out []protoreflect.FieldDescriptor
	for i, p := range parts {
		fd := md.Fields().ByName(protoreflect.Name(p))
		if fd == nil {
			return nil, fmt.Errorf("%s has no field %q (fields: %s)", md.FullName(), short(p), fieldNames(md))
		}
		out = append(out, fd)
		last := i == len(parts)-1
		repeated := fd.Cardinality() == protoreflect.Repeated
		switch {
		case list && last && repeated:
			return out, nil
		case list && last:
			return nil, fmt.Errorf("%s.%s is not a list; COUNT_ELEMENTS counts the elements of a repeated field", md.FullName(), p)
		case repeated:
			return nil, fmt.Errorf("%s.%s is a list; a rule can only read single fields", md.FullName(), p)
		}
		switch {
		case fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind:
			if last {
				return nil, fmt.Errorf("%s.%s is a message; name one of its fields (%s)", md.FullName(), p, fieldNames(fd.Message()))
			}
			md = fd.Message()
		case !last:
			return nil, fmt.Errorf("%s.%s is not a message, so %q has no further fields", md.FullName(), p, short(path))
		case fd.Kind() == protoreflect.BytesKind:
			return nil, fmt.Errorf("%s.%s holds bytes, which a rule cannot read", md.FullName(), p)
		}
	}
	return out, nil
}

func fieldNames(md protoreflect.MessageDescriptor) string {
	var names []string
	for i := range md.Fields().Len() {
		names = append(names, string(md.Fields().Get(i).Name()))
	}
	return strings.Join(names, ", ")
}

func info(fd protoreflect.FieldDescriptor) domain.FieldInfo {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return domain.FieldInfo{Kind: domain.FieldString}
	case protoreflect.BoolKind:
		return domain.FieldInfo{Kind: domain.FieldBool}
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return domain.FieldInfo{Kind: domain.FieldFloat}
	case protoreflect.EnumKind:
		vals := fd.Enum().Values()
		names := make(map[int32]string, vals.Len())
		for i := range vals.Len() {
			names[int32(vals.Get(i).Number())] = string(vals.Get(i).Name())
		}
		return domain.FieldInfo{Kind: domain.FieldEnum, EnumValues: names}
	}
	return domain.FieldInfo{Kind: domain.FieldInt}
}

// value reads a resolved path from a message as the canonical string a
// filter compares with, and as a number for SUM.
func value(m protoreflect.Message, fds []protoreflect.FieldDescriptor) (string, float64) {
	for _, fd := range fds[:len(fds)-1] {
		m = m.Get(fd).Message()
	}
	fd := fds[len(fds)-1]
	v := m.Get(fd)
	switch fd.Kind() {
	case protoreflect.StringKind:
		return v.String(), 0
	case protoreflect.BoolKind:
		return strconv.FormatBool(v.Bool()), 0
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64), v.Float()
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return string(ev.Name()), float64(v.Enum())
		}
		return strconv.Itoa(int(v.Enum())), float64(v.Enum())
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return strconv.FormatUint(v.Uint(), 10), float64(v.Uint())
	}
	return strconv.FormatInt(v.Int(), 10), float64(v.Int())
}

// present reports whether a resolved single field holds other than its
// default; a path through an unset message is not set.
func present(m protoreflect.Message, fds []protoreflect.FieldDescriptor) bool {
	for _, fd := range fds[:len(fds)-1] {
		if !m.Has(fd) {
			return false
		}
		m = m.Get(fd).Message()
	}
	return m.Has(fds[len(fds)-1])
}

// elements is the number of elements of a resolved list.
func elements(m protoreflect.Message, fds []protoreflect.FieldDescriptor) int {
	for _, fd := range fds[:len(fds)-1] {
		m = m.Get(fd).Message()
	}
	fd := fds[len(fds)-1]
	if fd.IsMap() {
		return m.Get(fd).Map().Len()
	}
	return m.Get(fd).List().Len()
}

func short(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
