package events

import (
	"maps"
	"strings"
	"testing"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

func TestConsumerFilters(t *testing.T) {
	both := []string{"education", "measures"}
	for _, c := range []struct {
		pattern  string
		services []string
		want     map[string]string
	}{
		{"", both, map[string]string{"education": "integration.education.>", "measures": "integration.measures.>"}},
		{"integration.>", both, map[string]string{"education": "integration.education.>", "measures": "integration.measures.>"}},
		{"integration.*.*.*.created", both, map[string]string{"education": "integration.education.*.*.created", "measures": "integration.measures.*.*.created"}},
		{"integration.*.offer.>", both, map[string]string{"education": "integration.education.offer.>", "measures": "integration.measures.offer.>"}},
		{"integration.measures.measure.m-2-5.>", []string{"measures"}, map[string]string{"measures": "integration.measures.measure.m-2-5.>"}},
		{"integration.measures.measure.*.adoption_status_changed", []string{"measures"},
			map[string]string{"measures": "integration.measures.measure.*.adoption_status_changed"}},
	} {
		got, err := consumerFilters(c.pattern, c.services)
		if err != nil || !maps.Equal(got, c.want) {
			t.Errorf("%q %v: %v, %v; want %v", c.pattern, c.services, got, err, c.want)
		}
	}
	for _, c := range []struct{ pattern, why string }{
		{">", "outside integration.>"},
		{"*.measures.>", "first token a wildcard"},
		{"other.measures.measure.x.created", "another namespace"},
		{"integration.labour.>", "a service not requested"},
		{"integration.measures.>", "names one of two requested services"},
		{"integration.*.*.*", "too few tokens"},
		{"integration.*.*.*.*.*", "too many tokens"},
		{"integration.>.created", "> not last"},
		{"integration..measure.x.created", "empty token"},
		{"integration.*.measure.m*.created", "wildcard inside a token"},
		{"integration.*.measure.m 1.created", "space"},
		{"integration.*.measure." + strings.Repeat("x", 300) + ".created", "too long"},
	} {
		_, err := consumerFilters(c.pattern, both)
		e, ok := apierr.As(err)
		if !ok || e.Kind != apierr.KindInvalidArgument || len(e.Violations) != 1 || e.Violations[0].Field != "subject_filter" {
			t.Errorf("%s (%q): %v", c.why, c.pattern, err)
		}
	}
}

// FuzzConsumerFilters: whatever a caller sends, an accepted pattern yields
// valid filter subjects, each within its own service's subjects.
func FuzzConsumerFilters(f *testing.F) {
	for _, s := range []string{"", "integration.>", "integration.*.*.*.created", "integration.measures.measure.*.>", "integration.*.>.x", ">"} {
		f.Add(s)
	}
	services := []string{"education", "measures"}
	f.Fuzz(func(t *testing.T, pattern string) {
		filters, err := consumerFilters(pattern, services)
		if err != nil {
			return
		}
		for _, svc := range services {
			filter := filters[svc]
			tokens := strings.Split(filter, ".")
			valid := len(tokens) >= 3 && len(tokens) <= 5 && tokens[0] == "integration" && tokens[1] == svc
			for i, tok := range tokens {
				valid = valid && tok != "" && !strings.ContainsAny(tok, " \t\r\n") &&
					(tok == "*" || tok == ">" && i == len(tokens)-1 || !strings.ContainsAny(tok, "*>"))
			}
			if !valid || len(tokens) < 5 && tokens[len(tokens)-1] != ">" {
				t.Fatalf("%q gives %s the filter %q", pattern, svc, filter)
			}
		}
	})
}
