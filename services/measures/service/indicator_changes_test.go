package service_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	edu "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	lab "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
)

// publishedValue waits until the last published value of a subject is want.
func publishedValue(t *testing.T, h *harness, subject string, want float64) *pb.IndicatorValueChanged {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		e := last(valueEvents(t, h), subject)
		if e != nil && e.GetValue() == want {
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: published %v, want %v", subject, e, want)
		}
	}
}

// Changing a rule computes its values again from the source events and
// publishes the changes; deleting an indicator removes it for good.
func TestUpdateAndDeleteIndicator(t *testing.T) {
	ns := natstest.Start(t)
	h := startIndicators(t, ns, "measures-indicators", 0)
	c := ctx(t)
	education := newSource(t, ns, "education")
	jan := time.Date(2025, 1, 15, 10, 0, 0, 0, time.UTC)
	education.publish("offer", "o-1", &edu.OfferCreated{OfferId: "o-1", Municipality: "backnang"}, uuid.NewString(), jan)
	education.publish("offer", "o-2", &edu.OfferCreated{OfferId: "o-2", Municipality: "waiblingen"}, uuid.NewString(), jan)
	name := "measures/m-1-3/indicators/neue-angebote"
	created, err := h.client.CreateIndicator(c, &pb.CreateIndicatorRequest{Parent: "measures/m-1-3", IndicatorId: "neue-angebote", Indicator: &pb.Indicator{
		DisplayName: "Neue Angebote", Unit: "Angebote", BaselineDate: "2017-05-08", TargetValue: 20, TargetDate: "2026-12-31",
		RollUp: pb.IndicatorRollUp_INDICATOR_ROLL_UP_SUM,
		Rule:   &pb.IndicatorRule{Terms: []*pb.RuleTerm{{EventType: "integration.education.v1.OfferCreated", Filters: []string{"municipality = backnang"}, Aggregation: pb.RuleAggregation_RULE_AGGREGATION_COUNT}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	subject := valueSubject("m-1-3_neue-angebote", "2025-01")
	first := publishedValue(t, h, subject, 1)

	ind := proto.Clone(created.GetIndicator()).(*pb.Indicator)
	ind.Rule.Terms[0].Filters = nil
	ind.Etag = "1"
	_, err = h.client.UpdateIndicator(c, &pb.UpdateIndicatorRequest{Indicator: ind, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"rule"}}})
	wantStatus(t, err, codes.Aborted, "")
	ind.Etag = created.GetIndicator().GetEtag()
	updated, err := h.client.UpdateIndicator(c, &pb.UpdateIndicatorRequest{Indicator: ind, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"rule"}}})
	if err != nil {
		t.Fatal(err)
	}
	if updated.GetIndicator().GetEtag() == created.GetIndicator().GetEtag() || len(updated.GetIndicator().GetRule().GetTerms()[0].GetFilters()) != 0 {
		t.Fatalf("updated: %v", updated.GetIndicator())
	}
	settled(t, h, map[string]uint64{"INTEGRATION_EDUCATION": education.lastSeq()})
	wantValue(t, h, name, "2025-01", 2, nil)
	second := publishedValue(t, h, subject, 2)
	if second.GetIndicatorVersion() <= first.GetIndicatorVersion() || second.GetPreviousValue() != 1 {
		t.Errorf("change after the new rule: %v after %v", second, first)
	}

	// Only the display name: the rule and the values stay.
	ind.DisplayName, ind.Etag = "Neue Angebote im Kreis", ""
	ind.Rule = nil // not in the mask
	renamed, err := h.client.UpdateIndicator(c, &pb.UpdateIndicatorRequest{Indicator: ind, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"display_name"}}})
	if err != nil {
		t.Fatal(err)
	}
	if renamed.GetIndicator().GetDisplayName() != "Neue Angebote im Kreis" || renamed.GetIndicator().GetRule() == nil {
		t.Errorf("renamed: %v", renamed.GetIndicator())
	}
	wantValue(t, h, name, "2025-01", 2, nil)

	_, err = h.client.DeleteIndicator(c, &pb.DeleteIndicatorRequest{Name: name, Etag: updated.GetIndicator().GetEtag()})
	wantStatus(t, err, codes.Aborted, "")
	if _, err := h.client.DeleteIndicator(c, &pb.DeleteIndicatorRequest{Name: name, Etag: renamed.GetIndicator().GetEtag()}); err != nil {
		t.Fatal(err)
	}
	gone := func(h *harness) {
		t.Helper()
		_, err := h.client.GetIndicator(c, &pb.GetIndicatorRequest{Name: name})
		wantStatus(t, err, codes.NotFound, "")
		list, err := h.client.ListIndicators(c, &pb.ListIndicatorsRequest{Parent: "measures/m-1-3"})
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(list.GetIndicators(), func(i *pb.Indicator) bool { return i.GetName() == name }) {
			t.Error("a deleted indicator is listed")
		}
		_, err = h.client.CreateIndicator(c, &pb.CreateIndicatorRequest{Parent: "measures/m-1-3", IndicatorId: "neue-angebote", Indicator: created.GetIndicator()})
		wantStatus(t, err, codes.AlreadyExists, "")
	}
	gone(h)

	// 2.5's median days to placement, from the labour events' times.
	labour := newSource(t, ns, "labour")
	for i, days := range []int{40, 10, 90} {
		id := "c-" + strconv.Itoa(i)
		labour.publish("case", id, &lab.CaseOpened{CaseId: id}, uuid.NewString(), jan)
		labour.publish("case", id, &lab.CaseClosed{CaseId: id, Outcome: lab.Outcome_OUTCOME_EMPLOYMENT}, uuid.NewString(), jan.AddDate(0, 0, days))
	}
	labour.publish("case", "c-9", &lab.CaseOpened{CaseId: "c-9"}, uuid.NewString(), jan)
	labour.publish("case", "c-9", &lab.CaseClosed{CaseId: "c-9", Outcome: lab.Outcome_OUTCOME_MOVED_AWAY}, uuid.NewString(), jan.AddDate(0, 0, 1))
	settled(t, h, map[string]uint64{"INTEGRATION_LABOUR": labour.lastSeq()})
	wantValue(t, h, "measures/m-2-5/indicators/tage-bis-vermittlung", "2025", 40, nil)
	wantValue(t, h, "measures/m-2-5/indicators/tage-bis-vermittlung", "2025-01", 10, nil)
	h.stop()
	gone(startIndicators(t, ns, "measures-indicators", 0))
}

// Refused changes of indicators name the field and write nothing.
func TestIndicatorChangeBadInputChangesNothing(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	fixture(t, h)
	c := ctx(t)
	manual, err := h.client.CreateIndicator(c, manualIndicator())
	if err != nil {
		t.Fatal(err)
	}
	derived := manualIndicator()
	derived.IndicatorId = "vermittlungsdauer"
	derived.Indicator.Rule = &pb.IndicatorRule{Terms: []*pb.RuleTerm{{EventType: "integration.labour.v1.CaseClosed", Aggregation: pb.RuleAggregation_RULE_AGGREGATION_MEDIAN_DAYS, SinceEventType: "integration.labour.v1.CaseOpened"}}}
	median, err := h.client.CreateIndicator(c, derived)
	if err != nil {
		t.Fatal(err)
	}
	before := commandEvents(t, h)
	update := func(base *pb.Indicator, mod func(*pb.Indicator), paths ...string) func() error {
		return func() error {
			i := proto.Clone(base).(*pb.Indicator)
			mod(i)
			_, err := h.client.UpdateIndicator(c, &pb.UpdateIndicatorRequest{Indicator: i, UpdateMask: &fieldmaskpb.FieldMask{Paths: paths}})
			return err
		}
	}
	m, d := manual.GetIndicator(), median.GetIndicator()
	cases := []struct {
		name  string
		call  func() error
		code  codes.Code
		field string
	}{
		{"target date before baseline", update(m, func(i *pb.Indicator) { i.TargetDate = "2016-12-31" }), codes.InvalidArgument, "indicator.target_date"},
		{"baseline date after target", update(m, func(i *pb.Indicator) { i.BaselineDate = "2030-01-01" }, "baseline_date"), codes.InvalidArgument, "indicator.target_date"},
		{"unknown event type", update(d, func(i *pb.Indicator) { i.Rule.Terms[0].EventType = "integration.labour.v1.CaseFinished" }), codes.InvalidArgument, "indicator.rule.terms[0].event_type"},
		{"unknown filter field", update(d, func(i *pb.Indicator) { i.Rule.Terms[0].Filters = []string{"ergebnis = OUTCOME_EMPLOYMENT"} }), codes.InvalidArgument, "indicator.rule.terms[0].filters[0]"},
		{"median without start", update(d, func(i *pb.Indicator) { i.Rule.Terms[0].SinceEventType = "" }), codes.InvalidArgument, "indicator.rule.terms[0].since_event_type"},
		{"median from another service", update(d, func(i *pb.Indicator) {
			i.Rule.Terms[0].SinceEventType = "integration.education.v1.ParticipantRegistered"
		}), codes.InvalidArgument, "indicator.rule.terms[0].since_event_type"},
		{"median with a count", update(d, func(i *pb.Indicator) {
			i.Rule.Terms = append(i.Rule.Terms, &pb.RuleTerm{EventType: "integration.labour.v1.CaseClosed", Aggregation: pb.RuleAggregation_RULE_AGGREGATION_COUNT})
		}), codes.InvalidArgument, "indicator.rule.terms"},
		{"medians from two start events", update(d, func(i *pb.Indicator) {
			i.Rule.Terms = append(i.Rule.Terms, &pb.RuleTerm{EventType: "integration.labour.v1.CaseClosed",
				Aggregation: pb.RuleAggregation_RULE_AGGREGATION_MEDIAN_DAYS, SinceEventType: "integration.labour.v1.CaseStageChanged"})
		}), codes.InvalidArgument, "indicator.rule.terms[1].since_event_type"},
		{"start event for a count", update(d, func(i *pb.Indicator) { i.Rule.Terms[0].Aggregation = pb.RuleAggregation_RULE_AGGREGATION_COUNT }), codes.InvalidArgument, "indicator.rule.terms[0].since_event_type"},
		{"manual made derived", update(m, func(i *pb.Indicator) { i.Rule = proto.Clone(d.GetRule()).(*pb.IndicatorRule) }), codes.InvalidArgument, "indicator.rule"},
		{"derived made manual", update(d, func(i *pb.Indicator) { i.Rule = nil }, "rule"), codes.InvalidArgument, "indicator.rule"},
		{"unknown mask path", update(m, func(*pb.Indicator) {}, "actor"), codes.InvalidArgument, "update_mask"},
		{"bad name", update(m, func(i *pb.Indicator) { i.Name = m25 + "/indikatoren/x" }), codes.InvalidArgument, "indicator.name"},
		{"no indicator", func() error { _, err := h.client.UpdateIndicator(c, &pb.UpdateIndicatorRequest{}); return err }, codes.InvalidArgument, "indicator"},
		{"unknown indicator", update(m, func(i *pb.Indicator) { i.Name = m25 + "/indicators/unbekannt" }), codes.NotFound, ""},
		{"stale etag", update(m, func(i *pb.Indicator) { i.Etag = "1" }), codes.Aborted, ""},
		{"delete bad name", func() error {
			_, err := h.client.DeleteIndicator(c, &pb.DeleteIndicatorRequest{Name: "measures/m-2-5"})
			return err
		}, codes.InvalidArgument, "name"},
		{"delete unknown", func() error {
			_, err := h.client.DeleteIndicator(c, &pb.DeleteIndicatorRequest{Name: m25 + "/indicators/unbekannt"})
			return err
		}, codes.NotFound, ""},
		{"delete stale", func() error {
			_, err := h.client.DeleteIndicator(c, &pb.DeleteIndicatorRequest{Name: m.GetName(), Etag: "1"})
			return err
		}, codes.Aborted, ""},
		{"manual value for a derived indicator", func() error {
			_, err := h.client.RecordIndicatorValue(c, &pb.RecordIndicatorValueRequest{Name: d.GetName(), Period: "2024", Value: 3, Source: "Zählung"})
			return err
		}, codes.InvalidArgument, "name"},
		{"period in the wrong format", func() error {
			_, err := h.client.RecordIndicatorValue(c, &pb.RecordIndicatorValueRequest{Name: m.GetName(), Period: "2024-Q0", Value: 3, Source: "Zählung"})
			return err
		}, codes.InvalidArgument, "period"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantStatus(t, tc.call(), tc.code, tc.field) })
	}
	if after := commandEvents(t, h); after != before {
		t.Errorf("refused calls wrote %d events", after-before)
	}
}
