package domain_test

import (
	"maps"
	"testing"
	"time"

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

// Referrals by status: promotions from the waiting list have no status
// change of their own; fixed groups move them from WAITLISTED to ACCEPTED,
// a list's elements counting each (none for an offer change without any).
func TestDerivationFixedGroupsAndListElements(t *testing.T) {
	const waitlisted, accepted, proposed, dropped = "WAITLISTED", "ACCEPTED", "PROPOSED", "DROPPED"
	d := domain.NewDerivation(domain.Rule{Cumulative: true, Terms: []domain.Term{
		{EventType: "created", Aggregation: domain.Count, GroupBy: "status"},
		{EventType: "changed", Aggregation: domain.Count, GroupBy: "to_status"},
		{EventType: "changed", Aggregation: domain.Count, GroupBy: "from_status", Subtract: true},
		{EventType: "changed", Aggregation: domain.Count, Group: accepted},
		{EventType: "changed", Aggregation: domain.Count, Group: waitlisted, Subtract: true},
		{EventType: "offer_changed", Aggregation: domain.CountElements, Field: "promoted", Group: accepted},
		{EventType: "offer_changed", Aggregation: domain.CountElements, Field: "promoted", Group: waitlisted, Subtract: true},
	}})
	jan, feb, mar := month(t, "2025-01"), month(t, "2025-02"), month(t, "2025-03")
	d.Observe(domain.Observation{Term: 0, Aggregate: "offer/o", Month: jan, Group: proposed})
	for range 3 {
		d.Observe(domain.Observation{Term: 0, Aggregate: "offer/o", Month: jan, Group: waitlisted})
	}
	// February: the proposed referral drops, the first waiting one takes its
	// seat (the engine observes the promotion terms only when it is set).
	d.Observe(domain.Observation{Term: 1, Aggregate: "offer/o", Month: feb, Group: dropped})
	d.Observe(domain.Observation{Term: 2, Aggregate: "offer/o", Month: feb, Group: proposed})
	d.Observe(domain.Observation{Term: 3, Aggregate: "offer/o", Month: feb})
	d.Observe(domain.Observation{Term: 4, Aggregate: "offer/o", Month: feb})
	// March: a capacity raise promotes the other two; a later change none.
	for _, n := range []float64{2, 0} {
		d.Observe(domain.Observation{Term: 5, Aggregate: "offer/o", Month: mar, Amount: n})
		d.Observe(domain.Observation{Term: 6, Aggregate: "offer/o", Month: mar, Amount: n})
	}
	check := func(p string, groups map[string]float64) {
		t.Helper()
		if v := d.Value(period(t, p)); v.Value != 4 || !maps.Equal(v.ByGroup, groups) {
			t.Errorf("%s: %v %v, want 4 %v", p, v.Value, v.ByGroup, groups)
		}
	}
	check("2025-01", map[string]float64{proposed: 1, waitlisted: 3, accepted: 0, dropped: 0})
	check("2025-02", map[string]float64{proposed: 0, waitlisted: 2, accepted: 1, dropped: 1})
	check("2025-Q1", map[string]float64{proposed: 0, waitlisted: 0, accepted: 3, dropped: 1})
}

// Median days to placement: from a case's opening to its closing, over the
// cases closed in the period by any of the rule's terms; a case whose
// opening lies before the kept history does not count.
func TestDerivationMedianDays(t *testing.T) {
	d := domain.NewDerivation(domain.Rule{Terms: []domain.Term{
		{EventType: "closed", Aggregation: domain.MedianDays, Since: "opened"},
		{EventType: "closed", Aggregation: domain.MedianDays, Since: "opened"},
	}})
	jan := time.Date(2025, 1, 10, 9, 0, 0, 0, time.UTC)
	open := func(c string, at time.Time) {
		d.Observe(domain.Observation{Term: 0, Aggregate: c, Time: at, Start: true})
		d.Observe(domain.Observation{Term: 1, Aggregate: c, Time: at, Start: true})
	}
	closeCase := func(term int, c string, at time.Time) {
		d.Observe(domain.Observation{Term: term, Aggregate: c, Time: at, Month: domain.MonthOf(at)})
	}
	open("case/a", jan)
	open("case/b", jan)
	open("case/c", jan.AddDate(0, 0, 5))
	open("case/a", jan.AddDate(0, 0, 20)) // only the first opening counts
	closeCase(0, "case/a", jan.AddDate(0, 0, 30))
	closeCase(1, "case/b", jan.AddDate(0, 0, 60))
	closeCase(0, "case/c", jan.AddDate(0, 0, 15))
	closeCase(0, "case/unknown", jan.AddDate(0, 0, 15))
	open("case/d", jan)
	closeCase(1, "case/d", jan.AddDate(0, 4, 0).Add(12*time.Hour)) // May 10, 21:00: 120.5 days
	for _, tc := range []struct {
		period string
		has    bool
		want   float64
	}{
		{"2025-01", true, 10},
		{"2025-02", true, 30},
		{"2025-03", true, 60},
		{"2025-Q1", true, 30}, // 10, 30 and 60
		{"2025-04", false, 0},
		{"2025", true, 45}, // 10, 30, 60 and 120.5: between 30 and 60
	} {
		v := d.Value(period(t, tc.period))
		if v.Has != tc.has || v.Value != tc.want {
			t.Errorf("%s: has %v value %v, want %v %v", tc.period, v.Has, v.Value, tc.has, tc.want)
		}
	}
}

// A value is published only as a change, and only forward: never from an
// older definition or from fewer source events than the published one.
func TestComputedPublishesOnlyForwardChanges(t *testing.T) {
	published := &domain.PublishedValue{Value: 5, ByGroup: map[string]float64{"a": 5}, IndicatorVersion: 7, Positions: map[string]uint64{"S": 100}}
	c := func(v float64, groups map[string]float64, version, pos uint64) domain.Computed {
		return domain.Computed{Value: domain.Value{Has: true, Value: v, ByGroup: groups}, IndicatorVersion: version, Positions: map[string]uint64{"S": pos}}
	}
	for _, tc := range []struct {
		name string
		c    domain.Computed
		want bool
	}{
		{"same value further on", c(5, map[string]float64{"a": 5}, 7, 120), false},
		{"new value further on", c(6, map[string]float64{"a": 6}, 7, 120), true},
		{"same total, other groups", c(5, map[string]float64{"a": 4, "b": 1}, 7, 120), true},
		{"new value from fewer events", c(3, map[string]float64{"a": 3}, 7, 90), false},
		{"new value from an older definition", c(6, map[string]float64{"a": 6}, 6, 120), false},
		{"new definition", c(2, map[string]float64{"a": 2}, 8, 100), true},
		{"no value", domain.Computed{IndicatorVersion: 8}, false},
	} {
		if got := tc.c.Publishes(published); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if !c(0, nil, 1, 0).Publishes(nil) {
		t.Error("a first value is not published")
	}
}
