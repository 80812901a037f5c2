package ports

import (
	"testing"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// The parsers of resource names take untrusted input: whatever they accept
// must render back to the same name, and whatever they refuse must be an
// invalid argument naming the field.

func FuzzParseCaseName(f *testing.F) {
	for _, s := range []string{"cases/c-abcdefghijklmnop", "cases/", "cases/c-ABCDEFGHIJKLMNOP", "c-abcdefghijklmnop", "cases/c-abcdefghijklmno1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		id, err := parseCaseName("name", name)
		check(t, name, err, func() string { return caseName(id) })
	})
}

func FuzzParseProcessVersionName(f *testing.F) {
	for _, s := range []string{"processes/standard/versions/1", "processes/standard/versions/-", "processes/standard/versions/01",
		"processes/standard/versions/0", "processes/Standard/versions/2", "processes/standard/versions/99999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		process, version, err := parseProcessVersionName("name", name, true)
		check(t, name, err, func() string {
			if version == 0 {
				return processName(process) + versionsSegment + newestVersion
			}
			return processVersionName(process, version)
		})
	})
}

func FuzzParseReferralTarget(f *testing.F) {
	f.Add("participants/p-abcdefghijklmnop", "")
	f.Add("participants/p-abcdefghijklmnop", "offers/o-abcdefghijklmnop")
	f.Add("p-abcdefghijklmnop", "o-abcdefghijklmnop")
	f.Fuzz(func(t *testing.T, participantName, offerName string) {
		participant, offer, err := parseReferralTarget(participantName, offerName)
		if err != nil {
			if e, ok := apierr.As(err); !ok || e.Kind != apierr.KindInvalidArgument {
				t.Fatalf("%q, %q: %v is not an invalid argument", participantName, offerName, err)
			}
			return
		}
		if participantsPrefix+participant != participantName || (offerName != "" && offersPrefix+offer != offerName) {
			t.Fatalf("%q, %q parsed as %q, %q", participantName, offerName, participant, offer)
		}
	})
}

func check(t *testing.T, name string, err error, render func() string) {
	t.Helper()
	if err != nil {
		e, ok := apierr.As(err)
		if !ok || e.Kind != apierr.KindInvalidArgument || len(e.Violations) != 1 || e.Violations[0].Field != "name" {
			t.Fatalf("%q: %v is not an invalid argument naming the field", name, err)
		}
		return
	}
	if got := render(); got != name {
		t.Fatalf("%q parsed into something that renders as %q", name, got)
	}
}
