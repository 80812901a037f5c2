package audit

import (
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	educationv1 "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	gatewayv1 "github.com/integrationsplan/integrationsplan/proto/integration/gateway/v1"
)

func TestPurpose(t *testing.T) {
	for in, want := range map[string]string{
		"Statistik":                     "Statistik",
		"Beratungsgespr%C3%A4ch 100%25": "Beratungsgespräch 100%",
	} {
		if got, err := Purpose([]string{in}); err != nil || got != want {
			t.Errorf("%q: %q, %v", in, got, err)
		}
	}
	long := make([]byte, MaxPurpose+1)
	for i := range long {
		long[i] = 'a'
	}
	for name, values := range map[string][]string{
		"none": nil, "empty": {""}, "blank": {"  "}, "two": {"a", "b"}, "bad escape": {"100%"},
		"not utf-8": {"%FF"}, "control": {"a%0Ab"}, "too long": {string(long)},
	} {
		if _, err := Purpose(values); !apierr.IsKind(err, apierr.KindInvalidArgument) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestResources(t *testing.T) {
	input := (&educationv1.MatchOffersRequest{}).ProtoReflect().Descriptor()
	req, _ := proto.Marshal(&educationv1.MatchOffersRequest{Participant: "participants/p-7", Limit: 3})
	if got := Resources(input, req); !slices.Equal(got, []string{"participants/p-7"}) {
		t.Fatalf("%v", got)
	}
	// Only name-like fields are read, and only resource names are kept:
	// the personal data of a registration is never looked at.
	input = (&educationv1.RegisterParticipantRequest{}).ProtoReflect().Descriptor()
	req, _ = proto.Marshal(&educationv1.RegisterParticipantRequest{RequestId: "r-1"})
	if got := Resources(input, req); len(got) != 0 {
		t.Fatalf("%v", got)
	}
	input = (&educationv1.GetParticipantRequest{}).ProtoReflect().Descriptor()
	for name, want := range map[string]string{
		"participants/p-1":              "participants/p-1",
		"participants/Erika Mustermann": NotAResourceName,
		"erika@example.org":             NotAResourceName,
	} {
		req, _ := proto.Marshal(&educationv1.GetParticipantRequest{Name: name})
		if got := Resources(input, req); !slices.Equal(got, []string{want}) {
			t.Errorf("%q: %v", name, got)
		}
	}
	if got := Resources(input, []byte{0xff}); !slices.Equal(got, []string{NotAResourceName}) {
		t.Fatalf("garbage: %v", got)
	}
}

func TestQueryMatches(t *testing.T) {
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	rec := &gatewayv1.AccessRecorded{Resources: []string{"cases/c-1/stages/s-2"}, Outcome: "OK", Time: timestamppb.New(at)}
	for name, tt := range map[string]struct {
		resource, outcome string
		start, end        time.Time
		want              bool
	}{
		"all":                  {want: true},
		"the resource":         {resource: "cases/c-1/stages/s-2", want: true},
		"below the resource":   {resource: "cases/c-1", want: true},
		"a resource like it":   {resource: "cases/c-10", want: false},
		"its outcome":          {outcome: "OK", want: true},
		"another outcome":      {outcome: "NOT_FOUND", want: false},
		"window from its time": {start: at, end: at.Add(time.Second), want: true},
		"window ending at it":  {start: at.Add(-time.Second), end: at, want: false},
	} {
		q, err := NewQuery("", tt.resource, tt.outcome, tt.start, tt.end, 0, "")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := q.matches(rec); got != tt.want {
			t.Errorf("%s: %v, want %v", name, got, tt.want)
		}
	}
}
