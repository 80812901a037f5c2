package catalog

import (
	"strings"
	"testing"

	"github.com/integrationsplan/integrationsplan/platform/principal"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// TestEveryPublicRPCDeclaresAScope walks every service of every integration
// package linked into the gateway: an RPC without a scope would be refused
// to everyone, which is a mistake in its proto.
func TestEveryPublicRPCDeclaresAScope(t *testing.T) {
	methods := 0
	protoregistry.GlobalFiles.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		if !strings.HasPrefix(string(fd.Package()), PackagePrefix) {
			return true
		}
		for i := range fd.Services().Len() {
			sd := fd.Services().Get(i)
			for j := range sd.Methods().Len() {
				md := sd.Methods().Get(j)
				methods++
				scope := principal.MethodScope(md)
				if scope == "" {
					t.Errorf("%s declares no (integration.api.v1.required_scope)", md.FullName())
					continue
				}
				pkgService := strings.Split(string(fd.Package()), ".")[1]
				if string(fd.Package()) == GatewayPackage && (strings.HasPrefix(scope, "events.") || strings.HasPrefix(scope, "audit.")) {
					continue // the gateway's own event subscriptions and audit
				}
				if !strings.HasPrefix(scope, pkgService+".") {
					t.Errorf("%s requires %q, which is not a scope of %s", md.FullName(), scope, pkgService)
				}
			}
		}
		return true
	})
	if methods == 0 {
		t.Fatal("no integration service is linked in")
	}
}

func TestLoad(t *testing.T) {
	c, err := Load(protoregistry.GlobalFiles, []string{"integration.measures.v1"})
	if err != nil {
		t.Fatal(err)
	}
	m, ok := c.Method("/integration.measures.v1.MeasureService/SetAdoptionStatus")
	if !ok || m.Scope != "measures.adoptions.write" || m.Class() != ClassWrite || !m.Mutation() || !m.Unary() {
		t.Fatalf("SetAdoptionStatus: %+v", m)
	}
	if m, _ := c.Method("/integration.measures.v1.MeasureService/ListMeasures"); m.Class() != ClassRead || m.Mutation() {
		t.Fatalf("ListMeasures: %+v", m)
	}
	if m, _ := c.Method("/integration.measures.v1.MeasureService/ImportPlan"); m.Class() != ClassAdmin {
		t.Fatalf("ImportPlan: %+v", m)
	}
	if _, err := Load(protoregistry.GlobalFiles, []string{"integration.nowhere.v1"}); err == nil {
		t.Fatal("a package without services was accepted")
	}
}

func TestPersonalData(t *testing.T) {
	c, err := Load(protoregistry.GlobalFiles, []string{"integration.measures.v1", "integration.education.v1", GatewayPackage})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{
		"/integration.education.v1.EducationService/GetParticipant":      true,
		"/integration.education.v1.EducationService/EraseParticipant":    true,
		"/integration.education.v1.EducationService/RegisterParticipant": true,
		"/integration.education.v1.EducationService/RecordAssessment":    true, // by its scope
		"/integration.education.v1.EducationService/ListOffers":          false,
		"/integration.measures.v1.MeasureService/SetAdoptionStatus":      false,
		"/integration.gateway.v1.EventService/Subscribe":                 false,
	} {
		m, ok := c.Method(name)
		if !ok || m.PersonalData != want {
			t.Errorf("%s: %+v, want personal data %v", name, m, want)
		}
	}
}
