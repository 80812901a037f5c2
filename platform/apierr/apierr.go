// Package apierr holds the kinds of error a caller can act on. Domain and
// application code return them; the gRPC edge (package grpcserver) maps them
// to status codes with details, once, for every service.
package apierr

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind says what the caller did wrong or should do.
type Kind int

const (
	KindInvalidArgument Kind = iota + 1
	KindNotFound
	KindAlreadyExists
	KindFailedPrecondition
	KindAborted
	KindPermissionDenied
	KindUnauthenticated
	KindResourceExhausted
	KindUnavailable
)

// FieldViolation names a request field and what is wrong with it.
type FieldViolation struct {
	Field       string
	Description string
}

// Error is an error a caller can act on.
type Error struct {
	Kind    Kind
	Message string
	// Violations lists the bad fields of an invalid argument.
	Violations []FieldViolation
	// Reason is a stable, machine-readable cause, e.g. "INVALID_TRANSITION".
	Reason string
	// Metadata gives details of the reason, e.g. {"from": "OFFERED"}.
	Metadata map[string]string
	// RetryAfter tells an exhausted or unavailable caller when to come back.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if len(e.Violations) == 0 {
		return e.Message
	}
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.Field + ": " + v.Description
	}
	return e.Message + ": " + strings.Join(parts, "; ")
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsKind reports whether err is an *Error of kind k.
func IsKind(err error, k Kind) bool {
	e, ok := As(err)
	return ok && e.Kind == k
}

// Invalid reports one bad field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{
		Kind:       KindInvalidArgument,
		Message:    "invalid request",
		Violations: []FieldViolation{{Field: field, Description: fmt.Sprintf(format, args...)}},
	}
}

// Violations collects field violations and turns them into one error.
type Violations []FieldViolation

// Add records a bad field.
func (v *Violations) Add(field, format string, args ...any) {
	*v = append(*v, FieldViolation{Field: field, Description: fmt.Sprintf(format, args...)})
}

// Merge adds the violations of err, prefixing their fields; any other error
// is recorded under prefix itself.
func (v *Violations) Merge(prefix string, err error) {
	if err == nil {
		return
	}
	e, ok := As(err)
	if !ok || e.Kind != KindInvalidArgument || len(e.Violations) == 0 {
		v.Add(prefix, "%s", err.Error())
		return
	}
	for _, fv := range e.Violations {
		field := fv.Field
		if prefix != "" {
			field = prefix + "." + field
		}
		*v = append(*v, FieldViolation{Field: field, Description: fv.Description})
	}
}

// Err returns nil without violations, else an invalid-argument error.
func (v Violations) Err() error {
	if len(v) == 0 {
		return nil
	}
	return &Error{Kind: KindInvalidArgument, Message: "invalid request", Violations: v}
}

// NotFound reports a missing resource.
func NotFound(format string, args ...any) *Error {
	return &Error{Kind: KindNotFound, Message: fmt.Sprintf(format, args...)}
}

// AlreadyExists reports a resource that exists already.
func AlreadyExists(format string, args ...any) *Error {
	return &Error{Kind: KindAlreadyExists, Message: fmt.Sprintf(format, args...)}
}

// FailedPrecondition reports an operation the resource's state forbids.
func FailedPrecondition(reason string, metadata map[string]string, format string, args ...any) *Error {
	return &Error{Kind: KindFailedPrecondition, Reason: reason, Metadata: metadata, Message: fmt.Sprintf(format, args...)}
}

// Aborted reports a stale etag; currentEtag tells the caller what to re-read.
func Aborted(currentEtag string, format string, args ...any) *Error {
	return &Error{
		Kind: KindAborted, Reason: "STALE_ETAG", Metadata: map[string]string{"current_etag": currentEtag},
		Message: fmt.Sprintf(format, args...),
	}
}

// PermissionDenied reports a caller acting on something that is not theirs.
func PermissionDenied(format string, args ...any) *Error {
	return &Error{Kind: KindPermissionDenied, Message: fmt.Sprintf(format, args...)}
}
