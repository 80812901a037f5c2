package domain_test

import (
	"maps"
	"testing"

	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

func month(t *testing.T, s string) domain.MonthIndex {
	t.Helper()
	p, err := domain.ParsePeriod("p", s)
	if err != nil || p.Kind != domain.Month {
		t.Fatalf("%s: %v", s, err)
	}
	f, _ := p.Months()
	return f
}

func period(t *testing.T, s string) domain.Period {
	t.Helper()
	p, err := domain.ParsePeriod("p", s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Offers in the catalogue: published minus cancelled, cumulative, per
// municipality; a cancellation carries no municipality and counts for the
// one its offer was created in.
func TestDerivationCumulativeWithRememberedGroups(t *testing.T) {
	d := domain.NewDerivation(domain.Rule{Cumulative: true, Terms: []domain.Term{
		{EventType: "created", Aggregation: domain.Count, GroupBy: "municipality"},
		{EventType: "changed", Aggregation: domain.Count, Subtract: true},
	}})
	d.Observe(domain.Observation{Term: 0, Aggregate: "offer/a", Month: month(t, "2025-01"), Group: "backnang"})
	d.Observe(domain.Observation{Term: 0, Aggregate: "offer/b", Month: month(t, "2025-02"), Group: "backnang"})
	d.Observe(domain.Observation{Term: 0, Aggregate: "offer/c", Month: month(t, "2025-02"), Group: "waiblingen"})
	d.Observe(domain.Observation{Term: 1, Aggregate: "offer/b", Month: month(t, "2025-04")})
	d.Observe(domain.Observation{Term: 1, Aggregate: "offer/x", Month: month(t, "2025-04")}) // unknown offer: total only

	check := func(p string, total float64, groups map[string]float64) {
		t.Helper()
		v := d.Value(period(t, p))
		if v.Value != total || !maps.Equal(v.ByGroup, groups) {
			t.Errorf("%s: %v %v, want %v %v", p, v.Value, v.ByGroup, total, groups)
		}
	}
	check("2024", 0, map[string]float64{"backnang": 0, "waiblingen": 0})
	check("2025-01", 1, map[string]float64{"backnang": 1, "waiblingen": 0})
	check("2025-Q1", 3, map[string]float64{"backnang": 2, "waiblingen": 1})
	check("2025-04", 1, map[string]float64{"backnang": 1, "waiblingen": 1})
	check("2025", 1, map[string]float64{"backnang": 1, "waiblingen": 1})
}

// Participants assessed: distinct per period, so a participant assessed in
// January and March counts once in Q1 and once in each month.
func TestDerivationCountDistinctPerPeriod(t *testing.T) {
	d := domain.NewDerivation(domain.Rule{Terms: []domain.Term{
		{EventType: "assessed", Aggregation: domain.CountDistinct, Field: "participant_id", GroupBy: "municipality"},
	}})
	obs := []struct {
		m, key, group string
	}{{"2025-01", "p1", "backnang"}, {"2025-03", "p1", "backnang"}, {"2025-03", "p2", "waiblingen"}, {"2025-03", "p2", "waiblingen"}, {"2025-05", "p1", "waiblingen"}}
	for _, o := range obs {
		d.Observe(domain.Observation{Term: 0, Aggregate: "participant/" + o.key, Month: month(t, o.m), Key: o.key, Group: o.group})
	}
	for p, want := range map[string]float64{"2025-01": 1, "2025-02": 0, "2025-03": 2, "2025-Q1": 2, "2025-Q2": 1, "2025": 2} {
		if v := d.Value(period(t, p)); v.Value != want {
			t.Errorf("%s: %v, want %v", p, v.Value, want)
		}
	}
	// p1 moved: counted once in each municipality over the year, once in total.
	if v := d.Value(period(t, "2025")); v.ByGroup["backnang"] != 1 || v.ByGroup["waiblingen"] != 2 {
		t.Errorf("2025 by group %v", v.ByGroup)
	}
}

func TestDerivationSum(t *testing.T) {
	d := domain.NewDerivation(domain.Rule{Terms: []domain.Term{{EventType: "held", Aggregation: domain.Sum, Field: "attendance"}}})
	d.Observe(domain.Observation{Term: 0, Month: month(t, "2025-01"), Amount: 12})
	d.Observe(domain.Observation{Term: 0, Month: month(t, "2025-02"), Amount: 30})
	d.Observe(domain.Observation{Term: 5, Month: month(t, "2025-02"), Amount: 99}) // no such term: ignored
	if v := d.Value(period(t, "2025-Q1")); v.Value != 42 || v.ByGroup != nil {
		t.Errorf("%+v", v)
	}
}
