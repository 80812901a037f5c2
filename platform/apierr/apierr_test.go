package apierr_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

func fields(v apierr.Violations) []string {
	var out []string
	for _, fv := range v {
		out = append(out, fv.Field)
	}
	return out
}

func TestViolationsAdd(t *testing.T) {
	var v apierr.Violations
	v.Add("page_size", "must not be negative")
	v.Add("title", "must have at most %d characters, has %d", 200, 201)
	v.Add("number", "got %q", "2.x")
	want := apierr.Violations{
		{Field: "page_size", Description: "must not be negative"},
		{Field: "title", Description: "must have at most 200 characters, has 201"},
		{Field: "number", Description: `got "2.x"`},
	}
	if !slices.Equal(v, want) {
		t.Errorf("got %+v, want %+v", v, want)
	}
}

func TestViolationsMerge(t *testing.T) {
	inner := apierr.Violations{{Field: "kind", Description: "is required"}, {Field: "display_name", Description: "is too short"}}
	tests := []struct {
		name   string
		prefix string
		err    error
		want   apierr.Violations
	}{
		{"nil", "actor", nil, nil},
		{"prefixed", "actor", inner.Err(), apierr.Violations{
			{Field: "actor.kind", Description: "is required"},
			{Field: "actor.display_name", Description: "is too short"},
		}},
		{"nested prefix", "plan.actors[2]", apierr.Invalid("id", "bad"), apierr.Violations{{Field: "plan.actors[2].id", Description: "bad"}}},
		{"no prefix", "", inner.Err(), inner},
		{"wrapped", "actor", fmt.Errorf("creating: %w", apierr.Invalid("kind", "is required")),
			apierr.Violations{{Field: "actor.kind", Description: "is required"}}},
		{"plain error", "content", errors.New("unexpected EOF"), apierr.Violations{{Field: "content", Description: "unexpected EOF"}}},
		{"other kind", "actor", apierr.NotFound("actor %s not found", "x"), apierr.Violations{{Field: "actor", Description: "actor x not found"}}},
		{"invalid without violations", "actor", &apierr.Error{Kind: apierr.KindInvalidArgument, Message: "invalid request"},
			apierr.Violations{{Field: "actor", Description: "invalid request"}}},
		{"percent in message", "x", errors.New("100% %d wrong"), apierr.Violations{{Field: "x", Description: "100% %d wrong"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := apierr.Violations{{Field: "before", Description: "kept"}}
			v.Merge(tt.prefix, tt.err)
			want := append(apierr.Violations{{Field: "before", Description: "kept"}}, tt.want...)
			if !slices.Equal(v, want) {
				t.Errorf("got %+v, want %+v", v, want)
			}
		})
	}
	// Merging does not change the merged error.
	e := inner.Err().(*apierr.Error)
	var v apierr.Violations
	v.Merge("outer", e)
	if got := fields(e.Violations); !slices.Equal(got, []string{"kind", "display_name"}) {
		t.Errorf("merged error changed to %v", got)
	}
}

func TestViolationsErr(t *testing.T) {
	var none apierr.Violations
	if err := none.Err(); err != nil {
		t.Errorf("nil violations: %v", err)
	}
	if err := (apierr.Violations{}).Err(); err != nil {
		t.Errorf("empty violations: %v", err)
	}
	var v apierr.Violations
	v.Add("a", "x")
	v.Add("b.c", "y")
	err := v.Err()
	if err == nil {
		t.Fatal("no error with violations")
	}
	e, ok := apierr.As(err)
	if !ok {
		t.Fatalf("%T is not an *apierr.Error", err)
	}
	if e.Kind != apierr.KindInvalidArgument || !slices.Equal(fields(e.Violations), []string{"a", "b.c"}) {
		t.Errorf("got %+v", e)
	}
	if !apierr.IsKind(err, apierr.KindInvalidArgument) {
		t.Error("IsKind(InvalidArgument) is false")
	}
}

func TestErrorString(t *testing.T) {
	var v apierr.Violations
	v.Add("title", "is required")
	v.Add("addressed_actor_kinds[1]", "Landkreis is listed twice")
	if got, want := v.Err().Error(), "invalid request: title: is required; addressed_actor_kinds[1]: Landkreis is listed twice"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := apierr.Invalid("page_size", "must not be negative").Error(), "invalid request: page_size: must not be negative"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := apierr.NotFound("measure %s not found", "2.5").Error(), "measure 2.5 not found"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAsAndIsKind(t *testing.T) {
	base := apierr.AlreadyExists("actor %s exists already", "backnang")
	wrapped := fmt.Errorf("import: %w", fmt.Errorf("line 3: %w", base))
	e, ok := apierr.As(wrapped)
	if !ok || e != base {
		t.Fatalf("As(wrapped) = %v, %v; want the wrapped error", e, ok)
	}
	if !apierr.IsKind(wrapped, apierr.KindAlreadyExists) || apierr.IsKind(wrapped, apierr.KindNotFound) {
		t.Error("IsKind does not see the wrapped kind")
	}
	for _, err := range []error{nil, errors.New("plain"), fmt.Errorf("wrapped: %w", errors.New("plain"))} {
		if e, ok := apierr.As(err); ok || e != nil {
			t.Errorf("As(%v) = %v, %v", err, e, ok)
		}
		if apierr.IsKind(err, apierr.KindInvalidArgument) {
			t.Errorf("IsKind(%v) is true", err)
		}
	}
}

func TestConstructors(t *testing.T) {
	tests := []struct {
		err  *apierr.Error
		kind apierr.Kind
		msg  string
	}{
		{apierr.NotFound("measure %s not found", "2.5"), apierr.KindNotFound, "measure 2.5 not found"},
		{apierr.AlreadyExists("actor %s exists", "a"), apierr.KindAlreadyExists, "actor a exists"},
		{apierr.PermissionDenied("not %s", "yours"), apierr.KindPermissionDenied, "not yours"},
		{apierr.FailedPrecondition("INVALID_TRANSITION", map[string]string{"from": "OFFERED"}, "from %s", "OFFERED"), apierr.KindFailedPrecondition, "from OFFERED"},
		{apierr.Aborted("7", "stale etag %s", "3"), apierr.KindAborted, "stale etag 3"},
	}
	for _, tt := range tests {
		if tt.err.Kind != tt.kind || tt.err.Message != tt.msg || len(tt.err.Violations) != 0 {
			t.Errorf("got %+v, want kind %d message %q", tt.err, tt.kind, tt.msg)
		}
	}
	fp := tests[3].err
	if fp.Reason != "INVALID_TRANSITION" || fp.Metadata["from"] != "OFFERED" {
		t.Errorf("failed precondition %+v", fp)
	}
	ab := tests[4].err
	if ab.Reason != "STALE_ETAG" || ab.Metadata["current_etag"] != "7" || len(ab.Metadata) != 1 {
		t.Errorf("aborted %+v", ab)
	}
	inv := apierr.Invalid("page_token", "is %s", "bad")
	if inv.Kind != apierr.KindInvalidArgument || len(inv.Violations) != 1 ||
		inv.Violations[0] != (apierr.FieldViolation{Field: "page_token", Description: "is bad"}) {
		t.Errorf("invalid %+v", inv)
	}
	if (&apierr.Error{Kind: apierr.KindUnavailable, Message: "later", RetryAfter: time.Second}).Error() != "later" {
		t.Error("message of an error without violations")
	}
}
