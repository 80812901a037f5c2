package ports

import "github.com/integrationsplan/integrationsplan/platform/apierr"

func invalidMissing(field string) error { return apierr.Invalid(field, "is required") }

// prefixed makes the domain's field names paths in the request, e.g.
// title → offer.title.
func prefixed(prefix string, err error) error {
	e, ok := apierr.As(err)
	if !ok || e.Kind != apierr.KindInvalidArgument {
		return err
	}
	var v apierr.Violations
	for _, fv := range e.Violations {
		if fv.Field == "request_id" {
			// Not part of the nested message.
			v = append(v, fv)
			continue
		}
		v.Merge(prefix, &apierr.Error{Kind: apierr.KindInvalidArgument, Violations: []apierr.FieldViolation{fv}})
	}
	return v.Err()
}
