package domain_test

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/integrationsplan/integrationsplan/services/education/domain"
)

// The 31 municipalities of the Rems-Murr-Kreis; each borders the next two
// in this ring, which is coarse but gives every one a few neighbours.
var municipalities = []string{
	"alfdorf", "allmersbach-im-tal", "althuette", "aspach", "auenwald", "backnang", "berglen", "burgstetten",
	"fellbach", "kaisersbach", "kernen-im-remstal", "kirchberg-an-der-murr", "korb", "leutenbach", "murrhardt",
	"oppenweiler", "pluederhausen", "remshalden", "rudersberg", "schorndorf", "schwaikheim", "spiegelberg",
	"sulzbach-an-der-murr", "urbach", "waiblingen", "weissach-im-tal", "welzheim", "winnenden", "winterbach",
	"weinstadt", "wieslauftal",
}

func ringNeighbours() domain.Neighbours {
	var spec []string
	for i, m := range municipalities {
		spec = append(spec, m+"="+municipalities[(i+1)%len(municipalities)]+"+"+municipalities[(i+2)%len(municipalities)])
	}
	n, err := domain.ParseNeighbours(strings.Join(spec, ";"))
	if err != nil {
		panic(err)
	}
	return n
}

func randomSlots(rng *rand.Rand, n int) []domain.Slot {
	var out []domain.Slot
	for d := range n {
		h := 8 + rng.IntN(11)
		out = append(out, domain.Slot{Day: domain.Weekday(1 + (d*2+rng.IntN(2))%7), Start: fmt.Sprintf("%02d:00", h), End: fmt.Sprintf("%02d:30", h+2)})
	}
	return out
}

// synthetic builds a catalogue the way the events do (AddOffer,
// ChangeOfferStatus, AddParticipant, RecordAssessment), with offers of
// every kind, level and status spread over the county, and assessments of
// participants that mostly need A1–B1.
func synthetic(rng *rand.Rand, offers, participants int) (*domain.Catalogue, []domain.Assessment, domain.Neighbours) {
	n := ringNeighbours()
	c := domain.NewCatalogue().WithNeighbours(n)
	seq := uint64(0)
	next := func() uint64 { seq++; return seq }
	for range offers {
		entry := domain.Level(1 + rng.IntN(6))
		target := min(domain.C2, entry+domain.Level(1+rng.IntN(2)))
		kind := domain.OfferKind(1 + rng.IntN(10))
		if entry == domain.Alpha {
			kind = domain.IntegrationCourseLiteracy
		} else if kind == domain.IntegrationCourseLiteracy {
			kind = domain.IntegrationCourseGeneral
		}
		capacity := int32(8 + rng.IntN(18))
		o := domain.Offer{
			ID: domain.NewOfferID(""), Provider: "anbieter", Title: "Kurs", Kind: kind, EntryLevel: entry, TargetLevel: target,
			Municipality: municipalities[rng.IntN(len(municipalities))], Schedule: randomSlots(rng, 1+rng.IntN(3)),
			StartDate: fmt.Sprintf("2027-%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28)), EndDate: "2028-12-31",
			Capacity: capacity, DirectBookings: int32(rng.IntN(int(capacity) + 1)), Childcare: rng.IntN(3) == 0,
		}
		c.AddOffer(o, next(), today)
		switch r := rng.IntN(10); {
		case r < 6:
			c.ChangeOfferStatus(o.ID, domain.Open, next(), today)
		case r == 6:
			c.ChangeOfferStatus(o.ID, domain.Open, next(), today)
			c.ChangeOfferStatus(o.ID, domain.Running, next(), today)
		case r == 7:
			c.ChangeOfferStatus(o.ID, domain.Cancelled, next(), today)
		}
	}
	levels := []domain.Level{domain.Alpha, domain.A1, domain.A1, domain.A1, domain.A2, domain.A2, domain.B1, domain.B1, domain.B2, domain.C1}
	people := make([]domain.Assessment, participants)
	for i := range participants {
		a := domain.Assessment{
			OverallLevel: levels[rng.IntN(len(levels))], Literacy: domain.Literate,
			Municipality: municipalities[rng.IntN(len(municipalities))], Availability: randomSlots(rng, 1+rng.IntN(3)),
			NeedsChildcare: rng.IntN(4) == 0, Assessor: "vhs", AssessedOn: "2026-11-02",
		}
		if a.OverallLevel == domain.Alpha {
			a.Literacy = domain.NotLiterate
		}
		if rng.IntN(10) == 0 {
			a.Availability = nil
		}
		id := domain.NewParticipantID("")
		c.AddParticipant(id, next(), today)
		c.RecordAssessment(id, a, next())
		people[i] = a
	}
	return c, people, n
}
