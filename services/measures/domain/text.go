package domain

import "github.com/integrationsplan/integrationsplan/platform/apierr"

func checkText(v *apierr.Violations, field, s string, minLen, maxLen int, multiline bool) {
	v.Text(field, s, minLen, maxLen, multiline)
}
