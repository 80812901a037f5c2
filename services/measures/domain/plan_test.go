package domain_test

import (
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

var t0 = time.Date(2017, 6, 1, 9, 0, 0, 0, time.UTC)

func measure(t *testing.T, number string, topic domain.TopicField, kinds ...domain.ActorKind) domain.Measure {
	t.Helper()
	m, err := domain.NewMeasure(domain.Measure{Number: number, Title: "Maßnahme " + number, TopicField: topic, AddressedKinds: kinds})
	if err != nil {
		t.Fatalf("measure %s: %v", number, err)
	}
	return m
}

func actor(t *testing.T, id string, kind domain.ActorKind) domain.Actor {
	t.Helper()
	a, err := domain.NewActor(id, kind, "Akteur "+id)
	if err != nil {
		t.Fatalf("actor %s: %v", id, err)
	}
	return a
}

func measureNumbers(p *domain.Plan) []string {
	var out []string
	for _, m := range p.Measures() {
		out = append(out, m.Number)
	}
	return out
}

func actorIDs(p *domain.Plan) []domain.ActorID {
	var out []domain.ActorID
	for _, a := range p.Actors() {
		out = append(out, a.ID)
	}
	return out
}

func TestPlanMeasuresInNumberOrder(t *testing.T) {
	ordered := []string{"1.1", "1.2", "1.10", "2.5", "2.5.1", "2.5a", "2.10", "3.1", "4.1", "12.1"}
	r := rand.New(rand.NewPCG(7, 8))
	orders := [][]string{ordered, slices.Clone(ordered)}
	slices.Reverse(orders[1])
	for range 30 {
		o := slices.Clone(ordered)
		r.Shuffle(len(o), func(i, j int) { o[i], o[j] = o[j], o[i] })
		orders = append(orders, o)
	}
	for _, order := range orders {
		p := domain.NewPlan()
		for i, n := range order {
			p.AddMeasure(measure(t, n, topicFor(n), domain.County), uint64(i+1), t0)
		}
		if got := measureNumbers(p); !slices.Equal(got, ordered) {
			t.Fatalf("inserted as %v, listed as %v; want %v", order, got, ordered)
		}
		for _, n := range ordered {
			m, ok := p.Measure(domain.Measure{Number: n}.ID())
			if !ok || m.Number != n {
				t.Fatalf("Measure(%s) = %v, %v", n, m, ok)
			}
		}
	}
	if _, ok := domain.NewPlan().Measure("m-1-1"); ok {
		t.Error("an empty plan has measure 1.1")
	}
	if got := domain.NewPlan().Measures(); len(got) != 0 {
		t.Errorf("an empty plan lists %d measures", len(got))
	}
}

func TestPlanAddMeasureState(t *testing.T) {
	p := domain.NewPlan()
	m := measure(t, "2.5", domain.LabourMarket, domain.County)
	p.AddMeasure(m, 4, t0)
	s, ok := p.Measure("m-2-5")
	if !ok {
		t.Fatal("measure 2.5 not found")
	}
	if !s.Measure.Equal(m) || s.Version != 4 || !s.CreateTime.Equal(t0) || !s.UpdateTime.Equal(t0) {
		t.Errorf("got %+v", s)
	}
	want := []domain.TimelineEntry{{Version: 4, Time: t0, Created: true}}
	if !slices.Equal(s.Timeline, want) {
		t.Errorf("timeline %+v, want %+v", s.Timeline, want)
	}
}

func TestPlanActorsSorted(t *testing.T) {
	ids := []string{"winnenden", "backnang", "landkreis", "a", "ihk-rems-murr", "fellbach", "b1", "ihk"}
	want := []domain.ActorID{"a", "b1", "backnang", "fellbach", "ihk", "ihk-rems-murr", "landkreis", "winnenden"}
	p := domain.NewPlan()
	for i, id := range ids {
		p.AddActor(actor(t, id, domain.Municipality), uint64(10+i), t0.Add(time.Duration(i)*time.Hour))
	}
	if got := actorIDs(p); !slices.Equal(got, want) {
		t.Fatalf("actors %v, want %v", got, want)
	}
	a, ok := p.Actor("backnang")
	if !ok || a.ID != "backnang" || a.Version != 11 || !a.CreateTime.Equal(t0.Add(time.Hour)) || a.DisplayName != "Akteur backnang" {
		t.Errorf("Actor(backnang) = %+v, %v", a, ok)
	}
	if _, ok := p.Actor("stuttgart"); ok {
		t.Error("found an actor never added")
	}
}

// plan builds the example the adoption and report tests share.
//
//	actors: landkreis (COUNTY), backnang, waiblingen (MUNICIPALITY), ihk (CHAMBER), vhs (EDUCATION_PROVIDER)
//	1.1 education, addresses COUNTY, MUNICIPALITY  → backnang, landkreis, waiblingen
//	1.2 education, addresses COUNTY                → landkreis
//	2.1 labour,    addresses MUNICIPALITY, CHAMBER → backnang, ihk, waiblingen
//	3.1 housing,   addresses MUNICIPALITY          → backnang, waiblingen
func plan(t *testing.T) *domain.Plan {
	p := domain.NewPlan()
	// Added out of order on purpose.
	p.AddActor(actor(t, "waiblingen", domain.Municipality), 1, t0)
	p.AddActor(actor(t, "vhs", domain.EducationProvider), 2, t0)
	p.AddActor(actor(t, "landkreis", domain.County), 3, t0)
	p.AddActor(actor(t, "ihk", domain.Chamber), 4, t0)
	p.AddActor(actor(t, "backnang", domain.Municipality), 5, t0)
	p.AddMeasure(measure(t, "3.1", domain.Housing, domain.Municipality), 6, t0)
	p.AddMeasure(measure(t, "1.1", domain.EducationAndLanguage, domain.County, domain.Municipality), 7, t0)
	p.AddMeasure(measure(t, "2.1", domain.LabourMarket, domain.Municipality, domain.Chamber), 8, t0)
	p.AddMeasure(measure(t, "1.2", domain.EducationAndLanguage, domain.County), 9, t0)
	return p
}

// decide walks an adoption through decisions, as the service would, and
// records each step in the plan; versions continue from the measure's.
func decide(t *testing.T, p *domain.Plan, mid domain.MeasureID, aid domain.ActorID, ds ...domain.Decision) {
	t.Helper()
	m, ok := p.Measure(mid)
	if !ok {
		t.Fatalf("no measure %s", mid)
	}
	a, ok := p.Actor(aid)
	if !ok {
		t.Fatalf("no actor %s", aid)
	}
	for _, d := range ds {
		current := m.Adoption(a)
		next, err := current.Decide(d, today)
		if err != nil {
			t.Fatalf("%s/%s %s → %s: %v", mid, aid, current.Status, d.To, err)
		}
		p.ChangeAdoption(mid, aid, current.Status, next, m.Version+1, m.UpdateTime.Add(time.Minute))
	}
}

func TestPlanAdoptionsAreTheAddressedActors(t *testing.T) {
	p := plan(t)
	want := map[domain.MeasureID][]domain.ActorID{
		"m-1-1": {"backnang", "landkreis", "waiblingen"},
		"m-1-2": {"landkreis"},
		"m-2-1": {"backnang", "ihk", "waiblingen"},
		"m-3-1": {"backnang", "waiblingen"},
	}
	for mid, wantActors := range want {
		m, _ := p.Measure(mid)
		var got []domain.ActorID
		for _, e := range p.Adoptions(m) {
			got = append(got, e.Actor.ID)
			if e.Measure != m {
				t.Errorf("%s/%s: entry names measure %s", mid, e.Actor.ID, e.Measure.Number)
			}
			if e.Status != domain.Offered || e.Progress != 0 || e.Version != 0 || e.DecidedOn != "" || !e.UpdateTime.IsZero() {
				t.Errorf("%s/%s: undecided adoption is %+v, want plain OFFERED", mid, e.Actor.ID, e.Adoption)
			}
			if !m.Addresses(e.Actor.Kind) {
				t.Errorf("%s lists %s, a kind it does not address", mid, e.Actor.ID)
			}
		}
		if !slices.Equal(got, wantActors) {
			t.Errorf("adoptions of %s: %v, want %v", mid, got, wantActors)
		}
	}
}

func TestPlanChangeAdoption(t *testing.T) {
	p := plan(t)
	m, _ := p.Measure("m-1-1")
	backnang, _ := p.Actor("backnang")
	landkreis, _ := p.Actor("landkreis")
	t1 := t0.Add(24 * time.Hour)
	next, err := m.Adoption(backnang).Decide(domain.Decision{To: domain.Considering, DecidedOn: "2017-06-02", Comment: "Prüfauftrag"}, today)
	if err != nil {
		t.Fatal(err)
	}

	p.ChangeAdoption("m-1-1", "backnang", domain.Offered, next, 20, t1)

	if m.Version != 20 || !m.UpdateTime.Equal(t1) || !m.CreateTime.Equal(t0) {
		t.Errorf("measure version %d, update %v, create %v; want 20, %v, %v", m.Version, m.UpdateTime, m.CreateTime, t1, t0)
	}
	got := m.Adoption(backnang)
	want := domain.Adoption{Status: domain.Considering, DecidedOn: "2017-06-02", Comment: "Prüfauftrag", Version: 20, UpdateTime: t1}
	if got != want {
		t.Errorf("adoption %+v, want %+v", got, want)
	}
	if other := m.Adoption(landkreis); other != (domain.Adoption{Status: domain.Offered}) {
		t.Errorf("another actor's adoption changed to %+v", other)
	}
	if len(m.Timeline) != 2 {
		t.Fatalf("timeline has %d entries, want 2: %+v", len(m.Timeline), m.Timeline)
	}
	if c := m.Timeline[0]; !c.Created || c.Version != 7 || !c.Time.Equal(t0) {
		t.Errorf("first entry %+v, want the creation at version 7", c)
	}
	wantEntry := domain.TimelineEntry{Version: 20, Time: t1, Actor: "backnang", From: domain.Offered, To: domain.Considering, Adoption: want}
	if m.Timeline[1] != wantEntry {
		t.Errorf("entry %+v, want %+v", m.Timeline[1], wantEntry)
	}
	// The listing shows the change too.
	for _, e := range p.Adoptions(m) {
		if (e.Actor.ID == "backnang") != (e.Status == domain.Considering) {
			t.Errorf("listing shows %s as %s", e.Actor.ID, e.Status)
		}
	}
	// Other measures are untouched.
	if other, _ := p.Measure("m-2-1"); other.Version != 8 || len(other.Timeline) != 1 || other.Adoption(backnang).Status != domain.Offered {
		t.Errorf("measure 2.1 changed: %+v", other)
	}

	// A second change appends and moves the version on.
	t2 := t1.Add(time.Hour)
	adopted, err := got.Decide(domain.Decision{To: domain.Adopted, DecidingBody: "Gemeinderat", DecidedOn: "2017-07-01"}, today)
	if err != nil {
		t.Fatal(err)
	}
	p.ChangeAdoption("m-1-1", "backnang", domain.Considering, adopted, 21, t2)
	if m.Version != 21 || !m.UpdateTime.Equal(t2) || len(m.Timeline) != 3 {
		t.Fatalf("after second change: version %d, update %v, %d entries", m.Version, m.UpdateTime, len(m.Timeline))
	}
	if e := m.Timeline[2]; e.From != domain.Considering || e.To != domain.Adopted || e.Actor != "backnang" || e.Version != 21 || e.Adoption.DecidingBody != "Gemeinderat" {
		t.Errorf("third entry %+v", e)
	}
	// The earlier entry keeps the state it recorded.
	if m.Timeline[1] != wantEntry {
		t.Errorf("earlier entry changed to %+v", m.Timeline[1])
	}
}

func TestPlanChangeAdoptionOfUnknownMeasure(t *testing.T) {
	p := plan(t)
	p.ChangeAdoption("m-9-9", "backnang", domain.Offered, domain.Adoption{Status: domain.Considering}, 99, t0)
	if _, ok := p.Measure("m-9-9"); ok {
		t.Error("a change created measure 9.9")
	}
	if got := measureNumbers(p); !slices.Equal(got, []string{"1.1", "1.2", "2.1", "3.1"}) {
		t.Errorf("measures %v", got)
	}
	for _, m := range p.Measures() {
		if len(m.Timeline) != 1 {
			t.Errorf("measure %s has %d timeline entries", m.Number, len(m.Timeline))
		}
	}
}

func approx(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func checkFigures(t *testing.T, name string, f *domain.Figures, total int, counts map[domain.Status]int, share, mean float64) {
	t.Helper()
	if f == nil {
		t.Errorf("%s: no figures", name)
		return
	}
	if f.Total != total {
		t.Errorf("%s: total %d, want %d", name, f.Total, total)
	}
	got := maps.Clone(f.Counts)
	maps.DeleteFunc(got, func(_ domain.Status, n int) bool { return n == 0 })
	if !maps.Equal(got, counts) {
		t.Errorf("%s: counts %v, want %v", name, f.Counts, counts)
	}
	sum := 0
	for _, n := range f.Counts {
		sum += n
	}
	if sum != f.Total {
		t.Errorf("%s: counts add up to %d, total is %d", name, sum, f.Total)
	}
	if !approx(f.AdoptedShare, share) {
		t.Errorf("%s: adopted share %v, want %v", name, f.AdoptedShare, share)
	}
	if !approx(f.MeanProgress, mean) {
		t.Errorf("%s: mean progress %v, want %v", name, f.MeanProgress, mean)
	}
}

func TestPlanReport(t *testing.T) {
	p := plan(t)
	var (
		consider = domain.Decision{To: domain.Considering}
		adopt    = domain.Decision{To: domain.Adopted, DecidingBody: "Rat"}
		decline  = domain.Decision{To: domain.Declined, DecidingBody: "Rat"}
		progress = func(n int32) domain.Decision { return domain.Decision{To: domain.InProgress, Progress: pct(n)} }
		pause    = domain.Decision{To: domain.Paused}
		finish   = domain.Decision{To: domain.Implemented}
	)
	decide(t, p, "m-1-1", "landkreis", consider, adopt, progress(20), progress(60))       // IN_PROGRESS 60
	decide(t, p, "m-1-1", "backnang", consider, adopt)                                    // ADOPTED, counts 0
	decide(t, p, "m-1-1", "waiblingen", consider, decline)                                // DECLINED
	decide(t, p, "m-1-2", "landkreis", consider, adopt, progress(50), finish)             // IMPLEMENTED, 100
	decide(t, p, "m-2-1", "backnang", consider, adopt, progress(30), pause)               // PAUSED at 30
	decide(t, p, "m-2-1", "ihk", consider)                                                // CONSIDERING
	decide(t, p, "m-3-1", "backnang", consider, adopt, progress(10), pause, progress(80)) // IN_PROGRESS 80
	decide(t, p, "m-3-1", "waiblingen", consider, decline, consider, decline)             // DECLINED
	// waiblingen on 2.1 stays OFFERED; vhs is addressed by no measure.

	r := p.Report()
	type S = map[domain.Status]int
	const (
		offered     = domain.Offered
		considering = domain.Considering
		adopted     = domain.Adopted
		declined    = domain.Declined
		inProgress  = domain.InProgress
		paused      = domain.Paused
		implemented = domain.Implemented
	)

	if len(r.ByTopicField) != 4 {
		t.Errorf("%d topic fields, want 4", len(r.ByTopicField))
	}
	// Education: 1.1 × 3 and 1.2 × 1; taken: 60, 0 (ADOPTED) and 100.
	checkFigures(t, "education", r.ByTopicField[domain.EducationAndLanguage], 4,
		S{inProgress: 1, adopted: 1, declined: 1, implemented: 1}, 3.0/4, 160.0/3)
	// Labour: 2.1 × 3; only the paused one (30) is taken.
	checkFigures(t, "labour", r.ByTopicField[domain.LabourMarket], 3,
		S{paused: 1, considering: 1, offered: 1}, 1.0/3, 30)
	// Housing: 3.1 × 2; one at 80, one declined.
	checkFigures(t, "housing", r.ByTopicField[domain.Housing], 2,
		S{inProgress: 1, declined: 1}, 0.5, 80)
	// Leisure: no measures.
	checkFigures(t, "leisure", r.ByTopicField[domain.Leisure], 0, S{}, 0, 0)

	if got := slices.Sorted(maps.Keys(r.ByActor)); !slices.Equal(got, []domain.ActorID{"backnang", "ihk", "landkreis", "vhs", "waiblingen"}) {
		t.Errorf("actors in the report: %v", got)
	}
	checkFigures(t, "landkreis", r.ByActor["landkreis"], 2, S{inProgress: 1, implemented: 1}, 1, 80)
	checkFigures(t, "backnang", r.ByActor["backnang"], 3, S{adopted: 1, paused: 1, inProgress: 1}, 1, 110.0/3)
	checkFigures(t, "waiblingen", r.ByActor["waiblingen"], 3, S{declined: 2, offered: 1}, 0, 0)
	checkFigures(t, "ihk", r.ByActor["ihk"], 1, S{considering: 1}, 0, 0)
	checkFigures(t, "vhs", r.ByActor["vhs"], 0, S{}, 0, 0)

	// Plan: 9 adoptions, 5 taken with progress 60 + 0 + 100 + 30 + 80 = 270.
	checkFigures(t, "plan", r.Plan, 9,
		S{offered: 1, considering: 1, adopted: 1, declined: 2, inProgress: 2, paused: 1, implemented: 1}, 5.0/9, 54)

	// Reporting changes nothing and gives the same figures again.
	again := p.Report()
	checkFigures(t, "plan again", again.Plan, 9,
		S{offered: 1, considering: 1, adopted: 1, declined: 2, inProgress: 2, paused: 1, implemented: 1}, 5.0/9, 54)
	if again.Plan == r.Plan {
		t.Error("two reports share their figures")
	}
}

// Only adoptions taken up count towards the mean progress, whatever progress
// the others carry.
func TestPlanReportIgnoresProgressNotTaken(t *testing.T) {
	p := domain.NewPlan()
	p.AddActor(actor(t, "a", domain.County), 1, t0)
	p.AddActor(actor(t, "b", domain.County), 2, t0)
	p.AddActor(actor(t, "c", domain.County), 3, t0)
	p.AddMeasure(measure(t, "4.1", domain.Leisure, domain.County), 4, t0)
	p.ChangeAdoption("m-4-1", "a", domain.Considering, domain.Adoption{Status: domain.Declined, Progress: 90}, 5, t0)
	p.ChangeAdoption("m-4-1", "b", domain.Offered, domain.Adoption{Status: domain.Considering, Progress: 70}, 6, t0)
	p.ChangeAdoption("m-4-1", "c", domain.InProgress, domain.Adoption{Status: domain.Paused, Progress: 40}, 7, t0)
	r := p.Report()
	checkFigures(t, "leisure", r.ByTopicField[domain.Leisure], 3,
		map[domain.Status]int{domain.Declined: 1, domain.Considering: 1, domain.Paused: 1}, 1.0/3, 40)
	checkFigures(t, "a", r.ByActor["a"], 1, map[domain.Status]int{domain.Declined: 1}, 0, 0)
}

func TestEmptyPlanReport(t *testing.T) {
	r := domain.NewPlan().Report()
	checkFigures(t, "plan", r.Plan, 0, map[domain.Status]int{}, 0, 0)
	if len(r.ByActor) != 0 {
		t.Errorf("%d actors", len(r.ByActor))
	}
	for _, tf := range domain.TopicFields() {
		checkFigures(t, tf.Label(), r.ByTopicField[tf], 0, map[domain.Status]int{}, 0, 0)
	}
}
