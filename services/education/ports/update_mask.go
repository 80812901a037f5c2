package ports

import (
	"slices"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// updateFields are the offer fields an UpdateOffer changes (AIP-134): those
// of the update mask, "*" for all a caller may set, or without a mask the
// fields set in the request that a caller may change: output-only fields
// and the provider (checked against the offer's) are ignored then.
func updateFields(req *pb.UpdateOfferRequest) ([]string, error) {
	paths := req.GetUpdateMask().GetPaths()
	if len(paths) == 0 {
		var set []string
		req.GetOffer().ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
			if name := string(fd.Name()); slices.Contains(domain.OfferFields, name) {
				set = append(set, name)
			}
			return true
		})
		paths = set
	}
	if slices.Equal(paths, []string{"*"}) {
		return domain.OfferFields, nil
	}
	var v apierr.Violations
	for _, p := range paths {
		switch {
		case slices.Contains(domain.OfferFields, p):
		case p == "provider":
			v.Add("update_mask", "provider cannot change; create the offer under the other provider")
		case strings.Contains(p, "."):
			v.Add("update_mask", "%q: name whole fields, e.g. eligibility, not parts of them", p)
		default:
			v.Add("update_mask", "%q is not a field a caller may change; allowed: %s or *", p, strings.Join(domain.OfferFields, ", "))
		}
	}
	if len(paths) == 0 {
		v.Add("update_mask", "names no field and the offer sets none: nothing to change")
	}
	return paths, v.Err()
}
