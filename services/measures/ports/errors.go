package ports

import "github.com/integrationsplan/integrationsplan/platform/apierr"

func invalidMissing(field string) error { return apierr.Invalid(field, "is required") }

// prefixed makes the domain's field names paths in the request, e.g.
// title → measure.title.
func prefixed(prefix string, err error) error {
	e, ok := apierr.As(err)
	if !ok || e.Kind != apierr.KindInvalidArgument {
		return err
	}
	var v apierr.Violations
	v.Merge(prefix, err)
	return v.Err()
}
