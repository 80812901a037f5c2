package dashboard

import (
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	_ "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	_ "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	_ "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
)

// A misspelt or renamed event type would silently never match: every live
// type must be a message of its service's package.
func TestLiveTypesExist(t *testing.T) {
	for svc, types := range liveTypes {
		for _, name := range types {
			full := protoreflect.FullName("integration." + svc + ".v1." + name)
			if _, err := protoregistry.GlobalTypes.FindMessageByName(full); err != nil {
				t.Errorf("live type %s: %v", full, err)
			}
		}
	}
}
