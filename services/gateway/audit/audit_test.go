package audit

import (
	"slices"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	educationv1 "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
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
