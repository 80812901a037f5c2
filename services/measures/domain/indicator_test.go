package domain_test

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/integrationsplan/integrationsplan/services/measures/domain"
)

// catalog is a small event catalog written out for the tests; the real one
// (adapters/derive) reads the protobuf registry.
type catalog map[string]map[string]domain.FieldInfo

func (c catalog) Source(t string) (string, error) {
	if _, ok := c[t]; !ok {
		return "", errors.New("unknown event type " + t)
	}
	return "INTEGRATION_EDUCATION", nil
}

func (c catalog) Field(t, path string) (domain.FieldInfo, error) {
	f, ok := c[t][path]
	if !ok {
		return domain.FieldInfo{}, errors.New("no field " + path)
	}
	return f, nil
}

// lists are the test catalog's list fields by event type.
var lists = map[string][]string{"edu.OfferChanged": {"promoted_referral_ids"}}

func (c catalog) List(t, path string) error {
	if _, ok := c[t]; !ok {
		return errors.New("unknown event type " + t)
	}
	if !slices.Contains(lists[t], path) {
		return errors.New(path + " is not a list")
	}
	return nil
}

var referralStatus = domain.FieldInfo{Kind: domain.FieldEnum, EnumValues: map[int32]string{
	0: "REFERRAL_STATUS_UNSPECIFIED", 2: "REFERRAL_STATUS_WAITLISTED", 3: "REFERRAL_STATUS_ACCEPTED"}}

var events = catalog{
	"edu.OfferCreated": {"municipality": {Kind: domain.FieldString}, "capacity": {Kind: domain.FieldInt}},
	"edu.OfferStatusChanged": {"to_status": {Kind: domain.FieldEnum, EnumValues: map[int32]string{0: "OFFER_STATUS_UNSPECIFIED", 6: "OFFER_STATUS_CANCELLED"}},
		"offer_id": {Kind: domain.FieldString}},
	"edu.ReferralStatusChanged": {"to_status": referralStatus, "from_status": referralStatus, "promoted_referral_id": {Kind: domain.FieldString}},
	"edu.OfferChanged":          {"municipality": {Kind: domain.FieldString}},
}

func indicator() domain.Indicator {
	return domain.Indicator{
		Measure: "m-1-3", ID: "angebote", DisplayName: "Angebote im Katalog", Unit: "Angebote",
		Baseline: 10, BaselineDate: "2017-05-08", Target: 100, TargetDate: "2026-12-31", RollUp: domain.RollUpLatest,
	}
}

func TestNewIndicator(t *testing.T) {
	if _, err := domain.NewIndicator(indicator(), events); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		mod   func(*domain.Indicator)
		field string
	}{
		"target before baseline": {func(i *domain.Indicator) { i.TargetDate = "2017-05-07" }, "target_date"},
		"bad baseline date":      {func(i *domain.Indicator) { i.BaselineDate = "8.5.2017" }, "baseline_date"},
		"no roll-up":             {func(i *domain.Indicator) { i.RollUp = 0 }, "roll_up"},
		"no unit":                {func(i *domain.Indicator) { i.Unit = " " }, "unit"},
		"NaN target":             {func(i *domain.Indicator) { i.Target = math.NaN() }, "target_value"},
		"bad id":                 {func(i *domain.Indicator) { i.ID = "Angebote" }, "indicator_id"},
		"unknown event type": {func(i *domain.Indicator) {
			i.Rule = &domain.Rule{Terms: []domain.Term{{EventType: "edu.Nope", Aggregation: domain.Count}}}
		}, "rule.terms[0].event_type"},
		"unknown filter field": {func(i *domain.Indicator) {
			i.Rule = &domain.Rule{Terms: []domain.Term{{EventType: "edu.OfferCreated", Aggregation: domain.Count,
				Filters: []domain.Condition{{Field: "town", Op: domain.OpEqual, Value: "backnang"}}}}}
		}, "rule.terms[0].filters[0]"},
		"unknown enum value": {func(i *domain.Indicator) {
			i.Rule = &domain.Rule{Terms: []domain.Term{{EventType: "edu.OfferStatusChanged", Aggregation: domain.Count,
				Filters: []domain.Condition{{Field: "to_status", Op: domain.OpEqual, Value: "GONE"}}}}}
		}, "rule.terms[0].filters[0]"},
		"sum of a string": {func(i *domain.Indicator) {
			i.Rule = &domain.Rule{Terms: []domain.Term{{EventType: "edu.OfferCreated", Aggregation: domain.Sum, Field: "municipality"}}}
		}, "rule.terms[0].field"},
		"unknown group_by": {func(i *domain.Indicator) {
			i.Rule = &domain.Rule{Terms: []domain.Term{{EventType: "edu.OfferCreated", Aggregation: domain.Count, GroupBy: "town"}}}
		}, "rule.terms[0].group_by"},
		"no aggregation": {func(i *domain.Indicator) {
			i.Rule = &domain.Rule{Terms: []domain.Term{{EventType: "edu.OfferCreated"}}}
		}, "rule.terms[0].aggregation"},
		"no terms": {func(i *domain.Indicator) { i.Rule = &domain.Rule{} }, "rule.terms"},
		"is set on an unknown field": {func(i *domain.Indicator) {
			i.Rule = &domain.Rule{Terms: []domain.Term{{EventType: "edu.ReferralStatusChanged", Aggregation: domain.Count,
				Filters: []domain.Condition{{Field: "promoted", Op: domain.OpSet}}}}}
		}, "rule.terms[0].filters[0]"},
		"count elements without a list": {func(i *domain.Indicator) {
			i.Rule = &domain.Rule{Terms: []domain.Term{{EventType: "edu.OfferChanged", Aggregation: domain.CountElements}}}
		}, "rule.terms[0].field"},
		"count elements of a single field": {func(i *domain.Indicator) {
			i.Rule = &domain.Rule{Terms: []domain.Term{{EventType: "edu.OfferChanged", Aggregation: domain.CountElements, Field: "municipality"}}}
		}, "rule.terms[0].field"},
		"group and group_by": {func(i *domain.Indicator) {
			i.Rule = &domain.Rule{Terms: []domain.Term{{EventType: "edu.OfferCreated", Aggregation: domain.Count, GroupBy: "municipality", Group: "backnang"}}}
		}, "rule.terms[0].group"},
		"fixed group outside the grouped enum": {func(i *domain.Indicator) {
			i.Rule = &domain.Rule{Terms: []domain.Term{
				{EventType: "edu.ReferralStatusChanged", Aggregation: domain.Count, GroupBy: "to_status"},
				{EventType: "edu.OfferChanged", Aggregation: domain.CountElements, Field: "promoted_referral_ids", Group: "ACCEPTED"},
			}}
		}, "rule.terms[1].group"},
		"fixed group on two lines": {func(i *domain.Indicator) {
			i.Rule = &domain.Rule{Terms: []domain.Term{{EventType: "edu.OfferCreated", Aggregation: domain.Count, Group: "a\nb"}}}
		}, "rule.terms[0].group"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			i := indicator()
			c.mod(&i)
			_, err := domain.NewIndicator(i, events)
			if fields := invalidFields(t, err); !slices.Contains(fields, c.field) {
				t.Errorf("violations on %v, want %s (%v)", fields, c.field, err)
			}
		})
	}
	// Enum values by number are normalised to their names.
	i := indicator()
	i.Rule = &domain.Rule{Terms: []domain.Term{{EventType: "edu.OfferStatusChanged", Aggregation: domain.Count,
		Filters: []domain.Condition{{Field: "to_status", Op: domain.OpEqual, Value: "6"}}}}}
	got, err := domain.NewIndicator(i, events)
	if err != nil || got.Rule.Terms[0].Filters[0].Value != "OFFER_STATUS_CANCELLED" {
		t.Errorf("got %+v, %v", got.Rule, err)
	}
	// A fixed group may name an enum value by number too; it meets the
	// groups of the enum by name.
	i.Rule = &domain.Rule{Terms: []domain.Term{
		{EventType: "edu.ReferralStatusChanged", Aggregation: domain.Count, GroupBy: "to_status"},
		{EventType: "edu.ReferralStatusChanged", Aggregation: domain.Count, Group: "3",
			Filters: []domain.Condition{{Field: "promoted_referral_id", Op: domain.OpSet}}},
		{EventType: "edu.OfferChanged", Aggregation: domain.CountElements, Field: "promoted_referral_ids", Group: "REFERRAL_STATUS_WAITLISTED", Subtract: true},
	}}
	got, err = domain.NewIndicator(i, events)
	if err != nil || got.Rule.Terms[1].Group != "REFERRAL_STATUS_ACCEPTED" || got.Rule.Terms[1].Filters[0].String() != "promoted_referral_id is set" {
		t.Errorf("got %+v, %v", got.Rule, err)
	}
}

func TestNewManualValue(t *testing.T) {
	manual := indicator()
	v, err := domain.NewManualValue(manual, "2024-Q1", 12, "Statistik", "", today)
	if err != nil || v.AsOf != "2024-03-15" || v.Period.String() != "2024-Q1" {
		t.Fatalf("%+v %v", v, err)
	}
	_, err = domain.NewManualValue(manual, "2024-1", 12, "Statistik", "", today)
	wantOnlyViolation(t, err, "period")
	_, err = domain.NewManualValue(manual, "2024-Q2", 12, "Statistik", "", today)
	wantOnlyViolation(t, err, "period", "not begun")
	_, err = domain.NewManualValue(manual, "2024-Q1", 12, "Statistik", "2024-03-16", today)
	wantOnlyViolation(t, err, "as_of", "future")
	_, err = domain.NewManualValue(manual, "2024-Q1", 12, "", "", today)
	wantOnlyViolation(t, err, "source")
	derived := indicator()
	derived.Rule = &domain.Rule{Terms: []domain.Term{{EventType: "edu.OfferCreated", Aggregation: domain.Count}}}
	_, err = domain.NewManualValue(derived, "2024-Q1", 12, "Statistik", "", today)
	wantOnlyViolation(t, err, "name", "derived")
}

func TestManualValueFor(t *testing.T) {
	p := domain.NewPlan()
	p.AddMeasure(measure(t, "1.3", domain.EducationAndLanguage, domain.County), 1, t0)
	for _, r := range []domain.RollUp{domain.RollUpSum, domain.RollUpAverage, domain.RollUpLatest} {
		i := indicator()
		i.ID = domain.IndicatorID("i" + string(rune('a'+r)))
		i.RollUp = r
		p.AddIndicator(i, 2, t0)
		for n, rec := range []struct {
			period string
			value  float64
		}{{"2024-01", 10}, {"2024-03", 30}, {"2024-02", 20}, {"2024-02", 21}} {
			v, err := domain.NewManualValue(i, rec.period, rec.value, "Quelle", "", today)
			if err != nil {
				t.Fatal(err)
			}
			p.RecordValue(i.Key(), v, uint64(10+n), t0.Add(time.Duration(n)*time.Hour))
		}
		st, _ := p.Indicator(i.Key())
		q1, _ := domain.ParsePeriod("p", "2024-Q1")
		want := map[domain.RollUp]float64{domain.RollUpSum: 61, domain.RollUpAverage: 61.0 / 3, domain.RollUpLatest: 30}[r]
		if got := st.ManualValueFor(q1); !got.Has || !approx(got.Value, want) {
			t.Errorf("%v: Q1 = %+v, want %v", r.Label(), got, want)
		}
		feb, _ := domain.ParsePeriod("p", "2024-02")
		if got := st.ManualValueFor(feb); got.Value != 21 || got.Manual == nil || got.Manual.Version != 13 {
			t.Errorf("February %+v: the later recording wins", got)
		}
		q2, _ := domain.ParsePeriod("p", "2024-Q2")
		if got := st.ManualValueFor(q2); got.Has {
			t.Errorf("Q2 has a value %+v", got)
		}
		if len(st.Recorded) != 4 || st.Version != 13 {
			t.Errorf("recorded %d, version %d", len(st.Recorded), st.Version)
		}
	}
}

func TestRollUpIndicators(t *testing.T) {
	mk := func(tf domain.TopicField, name string, r domain.RollUp, target float64, has bool, v float64) domain.RollUpItem {
		i := indicator()
		i.DisplayName, i.RollUp, i.Target = name, r, target
		return domain.RollUpItem{TopicField: tf, Indicator: i, Value: domain.Value{Has: has, Value: v}}
	}
	by, plan := domain.RollUpIndicators([]domain.RollUpItem{
		mk(domain.EducationAndLanguage, "Angebote", domain.RollUpLatest, 50, true, 10),
		mk(domain.EducationAndLanguage, "Angebote", domain.RollUpLatest, 70, true, 5),
		mk(domain.LabourMarket, "Angebote", domain.RollUpLatest, 10, false, 0),
		mk(domain.LabourMarket, "Quote", domain.RollUpAverage, 80, true, 40),
		mk(domain.Housing, "Quote", domain.RollUpAverage, 60, true, 60),
	})
	if len(by) != 4 || len(plan) != 2 {
		t.Fatalf("rows %d / %d: %+v %+v", len(by), len(plan), by, plan)
	}
	if r := by[0]; r.TopicField != domain.EducationAndLanguage || r.Value != 15 || r.Target != 120 || r.Indicators != 2 || r.WithValue != 2 {
		t.Errorf("education %+v", r)
	}
	if r := by[1]; r.TopicField != domain.LabourMarket || r.DisplayName != "Angebote" || r.Has || r.Target != 10 {
		t.Errorf("labour %+v", r)
	}
	if r := plan[0]; r.DisplayName != "Angebote" || r.Value != 15 || r.Target != 130 || r.Indicators != 3 || r.WithValue != 2 {
		t.Errorf("plan Angebote %+v", r)
	}
	if r := plan[1]; r.DisplayName != "Quote" || r.Value != 50 || r.Target != 70 {
		t.Errorf("plan Quote %+v", r)
	}
}

// A late event of a cumulative rule moves every published period that ends
// after it; a per-period rule only its own.
func TestAffectedPeriods(t *testing.T) {
	period := func(s string) domain.Period {
		p, err := domain.ParsePeriod("p", s)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, cumulative := range []bool{false, true} {
		p := domain.NewPlan()
		p.AddMeasure(measure(t, "1.3", domain.EducationAndLanguage, domain.County), 1, t0)
		i := indicator()
		i.Rule = &domain.Rule{Cumulative: cumulative, Terms: []domain.Term{{EventType: "edu.OfferCreated", Aggregation: domain.Count}}}
		p.AddIndicator(i, 2, t0)
		for _, s := range []string{"2024-02", "2024-04", "2024-Q1", "2024-Q2", "2024", "2023"} {
			p.PublishValue(i.Key(), period(s), domain.PublishedValue{})
		}
		st, _ := p.Indicator(i.Key())
		got := st.Affected([]domain.Period{period("2024-03"), period("2024-Q1"), period("2024")})
		want := []string{"2024-03", "2024-Q1", "2024"}
		if cumulative {
			want = append(want, "2024-04", "2024-Q2") // not February, not 2023
		}
		if len(got) != len(want) {
			t.Fatalf("cumulative=%v: affected %v, want %v", cumulative, got, want)
		}
		for _, s := range want {
			if !slices.Contains(got, period(s)) {
				t.Errorf("cumulative=%v: affected %v lack %s", cumulative, got, s)
			}
		}
	}
}
