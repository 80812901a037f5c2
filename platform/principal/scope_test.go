package principal

import (
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

// registerScopedService links, as a service binary does, the scope option
// and a service whose RPC Read declares "test.read" and Open declares none.
func registerScopedService(t *testing.T) {
	t.Helper()
	if _, err := protoregistry.GlobalFiles.FindFileByPath("test/scoped.proto"); err == nil {
		return
	}
	options, err := protodesc.NewFile(&descriptorpb.FileDescriptorProto{
		Name: proto.String("test/annotations.proto"), Package: proto.String("integration.api.v1"), Syntax: proto.String("proto3"),
		Dependency: []string{"google/protobuf/descriptor.proto"},
		Extension: []*descriptorpb.FieldDescriptorProto{{
			Name: proto.String("required_scope"), JsonName: proto.String("requiredScope"), Number: proto.Int32(50001),
			Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(), Type: descriptorpb.FieldDescriptorProto_TYPE_STRING.Enum(),
			Extendee: proto.String(".google.protobuf.MethodOptions"),
		}},
	}, protoregistry.GlobalFiles)
	if err != nil {
		t.Fatal(err)
	}
	scope := dynamicpb.NewExtensionType(options.Extensions().Get(0))
	register(t, protoregistry.GlobalFiles.RegisterFile(options), protoregistry.GlobalTypes.RegisterExtension(scope))
	read := &descriptorpb.MethodOptions{}
	proto.SetExtension(read, scope, "test.read")
	svc, err := protodesc.NewFile(&descriptorpb.FileDescriptorProto{
		Name: proto.String("test/scoped.proto"), Package: proto.String("integration.test.v1"), Syntax: proto.String("proto3"),
		Dependency:  []string{"test/annotations.proto"},
		MessageType: []*descriptorpb.DescriptorProto{{Name: proto.String("Empty")}},
		Service: []*descriptorpb.ServiceDescriptorProto{{
			Name: proto.String("TestService"),
			Method: []*descriptorpb.MethodDescriptorProto{
				{Name: proto.String("Read"), InputType: proto.String(".integration.test.v1.Empty"), OutputType: proto.String(".integration.test.v1.Empty"), Options: read},
				{Name: proto.String("Open"), InputType: proto.String(".integration.test.v1.Empty"), OutputType: proto.String(".integration.test.v1.Empty")},
			},
		}},
	}, protoregistry.GlobalFiles)
	if err != nil {
		t.Fatal(err)
	}
	register(t, protoregistry.GlobalFiles.RegisterFile(svc))
}

func register(t *testing.T, errs ...error) {
	t.Helper()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestRequiredScope(t *testing.T) {
	registerScopedService(t)
	for method, want := range map[string]string{
		"/integration.test.v1.TestService/Read":    "test.read",
		"/integration.test.v1.TestService/Open":    "",
		"/integration.test.v1.TestService/Missing": "",
		"/integration.test.v1.Empty/Read":          "",
		"/no.such.v1.Service/Read":                 "",
	} {
		if got := RequiredScope(method); got != want {
			t.Errorf("RequiredScope(%s) = %q, want %q", method, got, want)
		}
	}
}
