package events

import (
	"strings"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
)

// maxSubjectFilter bounds a subject pattern from a caller.
const maxSubjectFilter = 256

// subjectTokens is the number of tokens of an event subject,
// integration.<service>.<aggregate>.<id>.<event>.
const subjectTokens = 5

// consumerFilters turns a caller's subject pattern into one JetStream
// filter subject per requested service. The pattern must stay within
// those services' subjects, so the scope check on the services also bounds
// what the pattern can reach; "" is every event of each service. Its
// errors are invalid-argument errors on subject_filter.
func consumerFilters(pattern string, services []string) (map[string]string, error) {
	filters := make(map[string]string, len(services))
	if pattern == "" {
		for _, svc := range services {
			filters[svc] = eventstore.SubjectPrefix(svc) + ".>"
		}
		return filters, nil
	}
	invalid := func(format string, args ...any) error {
		return apierr.Invalid("subject_filter", format, args...)
	}
	if len(pattern) > maxSubjectFilter {
		return nil, invalid("longer than %d characters", maxSubjectFilter)
	}
	tokens := strings.Split(pattern, ".")
	for i, tok := range tokens {
		switch {
		case tok == "":
			return nil, invalid("%q has an empty token", pattern)
		case tok == ">" && i != len(tokens)-1:
			return nil, invalid("\">\" may only be the last token")
		case tok != "*" && tok != ">" && strings.ContainsAny(tok, "*> \t\r\n\x00"):
			return nil, invalid("%q: wildcards stand alone as a token, and a subject has no spaces", tok)
		}
	}
	open := tokens[len(tokens)-1] == ">"
	if tokens[0] != "integration" || len(tokens) > subjectTokens || (!open && len(tokens) != subjectTokens) {
		return nil, invalid("an event subject is integration.<service>.<aggregate>.<id>.<event>; end the pattern with \">\" to match the rest")
	}
	rest := ""
	if len(tokens) > 2 {
		rest = "." + strings.Join(tokens[2:], ".")
	} else {
		rest = ".>"
	}
	switch svc := tokens[1]; svc {
	case "*", ">":
		for _, s := range services {
			filters[s] = eventstore.SubjectPrefix(s) + rest
		}
	default:
		if len(services) != 1 || services[0] != svc {
			return nil, invalid("it names the service %s: request only that service, or put \"*\" in its place", svc)
		}
		filters[svc] = eventstore.SubjectPrefix(svc) + rest
	}
	return filters, nil
}
