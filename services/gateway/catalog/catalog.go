// Package catalog lists the RPCs the gateway serves, read from the
// descriptors the backends' generated code registers: which backend package
// each belongs to, whether it streams, and the scope it requires
// (integration.api.v1.required_scope). Adding an RPC to a backend's proto and
// regenerating is all it takes for the gateway to serve it.
package catalog

import (
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/integrationsplan/integrationsplan/platform/principal"
	apiv1 "github.com/integrationsplan/integrationsplan/proto/integration/api/v1"
	// The backends' descriptors; a new backend adds its package here.
	_ "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	_ "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	_ "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	// The gateway's own services (events, audit), served by the gateway itself.
	_ "github.com/integrationsplan/integrationsplan/proto/integration/gateway/v1"
)

// GatewayPackage is the package of the services the gateway serves itself.
const GatewayPackage = "integration.gateway.v1"

// PackagePrefix starts the proto package of every public service.
const PackagePrefix = "integration."

// Scope classes group scopes for rate limits.
const (
	ClassRead  = "read"
	ClassWrite = "write"
	ClassAdmin = "admin"
	// ClassDashboard is the class of the reads the gateway's own dashboard
	// makes for its viewers: they have an allowance of their own, so
	// several viewers behind one key do not use up the partner's API reads
	// (nor the other way round).
	ClassDashboard = "dashboard"
)

// Method is one RPC.
type Method struct {
	// FullName is the gRPC method name, e.g.
	// /integration.measures.v1.MeasureService/GetMeasure.
	FullName string
	// Package is the backend's proto package, e.g. integration.measures.v1.
	Package string
	// Scope is the scope a caller needs; empty if the proto declares none,
	// and then nobody may call it.
	Scope                        string
	ClientStreams, ServerStreams bool
	// PersonalData marks an RPC that reads or changes personal data: it
	// needs a stated purpose and is audited (see PersonalData).
	PersonalData bool
	// Input is the request message.
	Input protoreflect.MessageDescriptor
}

// Unary reports whether the RPC takes one request and returns one response.
func (m Method) Unary() bool { return !m.ClientStreams && !m.ServerStreams }

// Class is the scope's class: "read" for <service>.read, "admin" for
// <service>.admin, "write" for every other scope.
func (m Method) Class() string {
	switch {
	case strings.HasSuffix(m.Scope, ".read"):
		return ClassRead
	case strings.HasSuffix(m.Scope, ".admin"):
		return ClassAdmin
	default:
		return ClassWrite
	}
}

// Mutation reports whether the RPC changes something, i.e. its scope is not
// a read scope.
func (m Method) Mutation() bool { return m.Class() != ClassRead }

// Catalog is the set of RPCs served.
type Catalog struct {
	Services []protoreflect.ServiceDescriptor
	methods  map[string]Method
}

// Load collects the services of the given packages from files. A package
// without any service is an error: its generated code is not linked in.
func Load(files *protoregistry.Files, packages []string) (*Catalog, error) {
	c := &Catalog{methods: map[string]Method{}}
	found := map[string]bool{}
	files.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		pkg := string(fd.Package())
		if !slices.Contains(packages, pkg) {
			return true
		}
		for i := range fd.Services().Len() {
			sd := fd.Services().Get(i)
			found[pkg] = true
			c.Services = append(c.Services, sd)
			for j := range sd.Methods().Len() {
				md := sd.Methods().Get(j)
				m := Method{
					FullName: "/" + string(sd.FullName()) + "/" + string(md.Name()),
					Package:  pkg, Scope: principal.MethodScope(md),
					ClientStreams: md.IsStreamingClient(), ServerStreams: md.IsStreamingServer(),
				}
				m.PersonalData, m.Input = PersonalData(md, m.Scope), md.Input()
				c.methods[m.FullName] = m
			}
		}
		return true
	})
	for _, p := range packages {
		if !found[p] {
			return nil, fmt.Errorf("no gRPC service of package %s is linked into the gateway", p)
		}
	}
	slices.SortFunc(c.Services, func(a, b protoreflect.ServiceDescriptor) int {
		return strings.Compare(string(a.FullName()), string(b.FullName()))
	})
	return c, nil
}

// Method returns the RPC of a full method name.
func (c *Catalog) Method(fullName string) (Method, bool) {
	m, ok := c.methods[fullName]
	return m, ok
}

// Methods returns every RPC, in no particular order.
func (c *Catalog) Methods() []Method {
	ms := make([]Method, 0, len(c.methods))
	for _, m := range c.methods {
		ms = append(ms, m)
	}
	return ms
}

// personalScopes end the scopes of RPCs on personal data.
var personalScopes = []string{".participants.write", ".participants.read", ".cases.write", ".cases.read"}

// personalNouns end the names of RPCs on personal data (GetParticipant,
// EraseParticipant, ListCases, AdvanceCase, …).
var personalNouns = []string{"Participant", "Participants", "Case", "Cases"}

// PersonalData reports whether md reads or changes personal data: its proto
// says so with (integration.api.v1.personal_data) = true, or, for protos
// not annotated yet, its scope or its name points at participants or cases.
func PersonalData(md protoreflect.MethodDescriptor, scope string) bool {
	if opts, ok := md.Options().(*descriptorpb.MethodOptions); ok && opts != nil {
		if marked, _ := proto.GetExtension(opts, apiv1.E_PersonalData).(bool); marked {
			return true
		}
	}
	for _, s := range personalScopes {
		if strings.HasSuffix(scope, s) {
			return true
		}
	}
	for _, n := range personalNouns {
		if strings.HasSuffix(string(md.Name()), n) {
			return true
		}
	}
	return false
}
