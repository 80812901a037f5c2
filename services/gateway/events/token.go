package events

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Positions records, per service, the stream sequence of the last event a
// subscriber has seen.
type Positions map[string]uint64

// maxTokenLen bounds a resume token from a caller.
const maxTokenLen = 512

var serviceName = regexp.MustCompile(`^[a-z][a-z0-9]{0,31}$`)

// FormatToken renders positions as a resume token, e.g.
// "education:4,measures:12" (services sorted). It holds only ASCII letters,
// digits, ':' and ',', so it is a valid Server-Sent Events id and HTTP
// header value.
func FormatToken(p Positions) string {
	var b strings.Builder
	for i, svc := range slices.Sorted(maps.Keys(p)) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(svc)
		b.WriteByte(':')
		b.WriteString(strconv.FormatUint(p[svc], 10))
	}
	return b.String()
}

// ErrBadToken is the error of every token ParseToken refuses.
var ErrBadToken = errors.New("not a resume token of this gateway (pass an event's resume_token unchanged)")

// ParseToken reads a resume token; "" is no position at all.
func ParseToken(s string) (Positions, error) {
	p := Positions{}
	if s == "" {
		return p, nil
	}
	if len(s) > maxTokenLen {
		return nil, fmt.Errorf("%w: longer than %d characters", ErrBadToken, maxTokenLen)
	}
	for part := range strings.SplitSeq(s, ",") {
		svc, seq, ok := strings.Cut(part, ":")
		if !ok || !serviceName.MatchString(svc) {
			return nil, ErrBadToken
		}
		n, err := strconv.ParseUint(seq, 10, 64)
		if err != nil || strconv.FormatUint(n, 10) != seq {
			return nil, ErrBadToken
		}
		if _, dup := p[svc]; dup {
			return nil, fmt.Errorf("%w: %s appears twice", ErrBadToken, svc)
		}
		p[svc] = n
	}
	return p, nil
}
