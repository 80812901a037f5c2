package principal

import (
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// scopeOption is the method option each RPC declares the scope it needs
// with (proto/integration/api/v1/annotations.proto). It is looked up by
// name: the platform does not depend on the proto module, the services that
// link the descriptors do.
const scopeOption protoreflect.FullName = "integration.api.v1.required_scope"

// RequiredScope returns the scope the RPC method (a full gRPC method name,
// "/package.Service/Method") declares, from the descriptors linked into the
// binary; "" if it is unknown or declares none.
func RequiredScope(method string) string {
	name := protoreflect.FullName(strings.ReplaceAll(strings.TrimPrefix(method, "/"), "/", "."))
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(name)
	if err != nil {
		return ""
	}
	md, ok := d.(protoreflect.MethodDescriptor)
	if !ok {
		return ""
	}
	return MethodScope(md)
}

// MethodScope returns the scope md declares, or "". It is the one reading
// of the option for the services and the gateway.
func MethodScope(md protoreflect.MethodDescriptor) string {
	var scope string
	md.Options().ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.FullName() == scopeOption {
			scope = v.String()
			return false
		}
		return true
	})
	return scope
}
