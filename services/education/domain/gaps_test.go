package domain_test

import (
	"testing"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

func TestActorMayActFor(t *testing.T) {
	if err := domain.Unrestricted.MayActFor("vhs-backnang", "offer o-1"); err != nil {
		t.Fatal(err)
	}
	if err := (domain.Actor{Provider: "vhs-backnang"}).MayActFor("vhs-backnang", "offer o-1"); err != nil {
		t.Fatal(err)
	}
	err := domain.Actor{Provider: "helferkreis-aspach"}.MayActFor("vhs-backnang", "offer o-1")
	if e, ok := apierr.As(err); !ok || e.Kind != apierr.KindPermissionDenied || e.Metadata["provider"] != "vhs-backnang" {
		t.Fatalf("got %v", err)
	}
	// A referrer refers to any provider's offer and decides for none.
	referrer := domain.Actor{Referrer: "organisation jobcenter"}
	if err := referrer.MayReferTo("vhs-backnang", "referrals to offer o-1"); err != nil {
		t.Fatal(err)
	}
	err = referrer.MayActFor("vhs-backnang", "referrals to offer o-1")
	if e, ok := apierr.As(err); !ok || e.Kind != apierr.KindPermissionDenied || e.Reason != "NOT_A_PROVIDER" {
		t.Fatalf("got %v", err)
	}
	// A provider refers only to its own offers.
	if err := (domain.Actor{Provider: "helferkreis-aspach"}).MayReferTo("vhs-backnang", "referrals to offer o-1"); err == nil {
		t.Fatal("a provider referred to another provider's offer")
	}
}

// TestGapsFollowPlacesAndCompletion: a participant waits until a seat is
// held, waits again after dropping, stops waiting on completion, and waits
// again after a newer assessment; supply reaches the neighbours and the
// levels between entry and target.
func TestGapsFollowPlacesAndCompletion(t *testing.T) {
	n, _ := domain.ParseNeighbours("backnang=aspach")
	c := domain.NewCatalogue().WithNeighbours(n)
	a1 := domain.GapKey{Municipality: "aspach", Level: domain.A1}
	o := validOffer() // A1–B1 in Backnang, 2 seats
	c.AddOffer(o, 1, today)
	if g := c.GapOf(a1); g.Free != 2 || g.Waiting != 0 {
		t.Fatalf("neighbour supply %+v", g)
	}
	if g := c.GapOf(domain.GapKey{Municipality: "backnang", Level: domain.B1}); g.Free != 0 {
		t.Fatalf("target level counted: %+v", g)
	}
	p := domain.NewParticipantID("")
	c.AddParticipant(p, 2, today)
	a := assessment()
	a.Municipality = "aspach"
	c.RecordAssessment(p, a, 3)
	if g := c.GapOf(a1); g.Waiting != 1 || g.Open() {
		t.Fatalf("after the assessment %+v", g)
	}
	c.ChangeOfferStatus(o.ID, domain.Open, 4, today)
	r := domain.NewReferralID("")
	c.AddReferral(o.ID, r, p, domain.Proposed, 5, today)
	c.ChangeReferral(o.ID, r, domain.Accepted, "", 6, today)
	if g := c.GapOf(a1); g.Waiting != 0 || g.Free != 1 {
		t.Fatalf("after acceptance %+v", g)
	}
	c.ChangeReferral(o.ID, r, domain.Enrolled, "", 7, today)
	c.ChangeReferral(o.ID, r, domain.Completed, "", 8, today)
	if g := c.GapOf(a1); g.Waiting != 0 {
		t.Fatalf("a completed participant waits: %+v", g)
	}
	c.RecordAssessment(p, a, 9)
	if g := c.GapOf(a1); g.Waiting != 1 {
		t.Fatalf("a newly assessed participant does not wait: %+v", g)
	}
	// Cancelling the offer removes its supply: the gap opens and is pending
	// until a gap event is stored.
	c.ChangeOfferStatus(o.ID, domain.Cancelled, 10, today)
	if g := c.GapOf(a1); !g.Open() || g.Free != 0 {
		t.Fatalf("after cancelling %+v", g)
	}
	d, ok := c.NextDerived()
	if !ok || d.Gap == nil || d.Gap.GapKey != a1 || d.Expected != 0 {
		t.Fatalf("next derived %+v %v", d, ok)
	}
	c.PublishGap(a1, true, 11)
	if _, ok := c.NextDerived(); ok {
		t.Fatal("still pending after publishing")
	}
}

func TestNewMaterialValidation(t *testing.T) {
	valid := domain.Material{Title: "Einkaufen", Level: domain.A1, Topic: "Alltag", Format: domain.Worksheet, Link: "https://example.org/a.pdf", Licence: "CC-BY-4.0"}
	if _, err := domain.NewMaterial(valid); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mod   func(*domain.Material)
		field string
	}{
		{func(m *domain.Material) { m.Link = "" }, "reference"},
		{func(m *domain.Material) {
			m.File = &domain.MaterialFile{Name: "a.pdf", MediaType: "application/pdf", Size: 1}
		}, "reference"},
		{func(m *domain.Material) { m.Link = "ftp://example.org/a" }, "link"},
		{func(m *domain.Material) { m.Format = 99 }, "format"},
		{func(m *domain.Material) { m.Licence = "CC BY" }, "licence"},
		{func(m *domain.Material) { m.Topic = "x" }, "topic"},
	} {
		m := valid
		tc.mod(&m)
		_, err := domain.NewMaterial(m)
		if got := fields(t, err); len(got) == 0 || got[0] != tc.field {
			t.Errorf("%+v: violations %v, want %s", m, got, tc.field)
		}
	}
}

// TestGapsFollowAChangedOffer: an offer that moves and grows takes its
// free places from the old municipality and level to the new ones.
func TestGapsFollowAChangedOffer(t *testing.T) {
	n, _ := domain.ParseNeighbours("backnang=aspach")
	c := domain.NewCatalogue().WithNeighbours(n)
	o := validOffer() // A1–B1 in Backnang, 2 seats
	c.AddOffer(o, 1, today)
	next := o
	next.Municipality, next.EntryLevel, next.TargetLevel, next.Capacity = "schorndorf", domain.A2, domain.B2, 5
	c.ChangeOffer(next, nil, 2, today)
	for _, k := range []domain.GapKey{{Municipality: "backnang", Level: domain.A1}, {Municipality: "aspach", Level: domain.A1}} {
		if g := c.GapOf(k); g.Free != 0 {
			t.Fatalf("%v keeps supply after the move: %+v", k, g)
		}
	}
	for _, l := range []domain.Level{domain.A2, domain.B1} {
		if g := c.GapOf(domain.GapKey{Municipality: "schorndorf", Level: l}); g.Free != 5 {
			t.Fatalf("schorndorf %v: %+v, want 5 free", l, g)
		}
	}
}
