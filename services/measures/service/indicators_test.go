package service_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/natstest"
	edu "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	lab "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/measures/adapters/derive"
	"github.com/integrationsplan/integrationsplan/services/measures/service"
)

const (
	offersInCatalogue = "measures/m-1-3/indicators/angebote-im-katalog"
	assessed          = "measures/m-1-2/indicators/teilnehmende-eingestuft"
	referralsByStatus = "measures/m-1-1/indicators/vermittlungen-nach-status"
	placements        = "measures/m-2-5/indicators/vermittlungen-in-arbeit-oder-ausbildung"
	attendance        = "measures/m-2-3/indicators/teilnahmen-orientierung"
)

// source publishes real protobuf events of another service into its stream,
// as that service's event store would.
type source struct {
	t        *testing.T
	js       jetstream.JetStream
	store    *eventstore.Store
	service  string
	versions map[string]uint64
}

func newSource(t *testing.T, ns *natstest.Server, service string) *source {
	t.Helper()
	_, js := ns.Connect(t)
	store, err := eventstore.Open(ctx(t), js, eventstore.Config{Service: service})
	if err != nil {
		t.Fatal(err)
	}
	return &source{t: t, js: js, store: store, service: service, versions: map[string]uint64{}}
}

// append stores an event with the event store (ce-time now).
func (s *source) append(aggregate, id string, payload proto.Message) uint64 {
	s.t.Helper()
	a, err := s.store.Append(ctx(s.t), eventstore.Event{Aggregate: aggregate, ID: id, Payload: payload}, s.versions[aggregate+"/"+id])
	if err != nil {
		s.t.Fatal(err)
	}
	s.versions[aggregate+"/"+id] = a.Seq
	return a.Seq
}

// publish stores an event with a chosen ce-id and ce-time, as an event
// written earlier (or republished after the duplicate window) looks.
func (s *source) publish(aggregate, id string, payload proto.Message, ceID string, at time.Time) {
	s.t.Helper()
	data, err := proto.Marshal(payload)
	if err != nil {
		s.t.Fatal(err)
	}
	msg := &nats.Msg{Subject: fmt.Sprintf("integration.%s.%s.%s.%s", s.service, aggregate, id, eventstore.EventName(payload)), Data: data, Header: nats.Header{}}
	msg.Header.Set("ce-id", ceID)
	msg.Header.Set("ce-type", string(payload.ProtoReflect().Descriptor().FullName()))
	msg.Header.Set("ce-source", "/integrationsplan/"+s.service)
	msg.Header.Set("ce-time", at.UTC().Format(time.RFC3339Nano))
	msg.Header.Set("ce-specversion", "1.0")
	// A fresh Nats-Msg-Id: the server's duplicate window does not catch it.
	if _, err := s.js.PublishMsg(ctx(s.t), msg, jetstream.WithMsgID(uuid.NewString())); err != nil {
		s.t.Fatal(err)
	}
}

func (s *source) lastSeq() uint64 {
	s.t.Helper()
	seq, err := s.store.LastSeq(ctx(s.t))
	if err != nil {
		s.t.Fatal(err)
	}
	return seq
}

func startIndicators(t *testing.T, ns *natstest.Server, durable string, dropAcks int) *harness {
	t.Helper()
	return startWith(t, ns, func(c *service.Config) {
		c.ExampleData = true
		c.IndicatorConsumer = durable
		service.SetIndicatorHooks(c, func(d *derive.Config) {
			d.RetryEvery, d.FetchWait = 50*time.Millisecond, 100*time.Millisecond
			if dropAcks > 0 {
				d.DropAcks, d.AckWait = dropAcks, 500*time.Millisecond
			}
		})
	})
}

// settled waits until the engine includes every event up to the sources'
// last sequences and no rule is catching up.
func settled(t *testing.T, h *harness, want map[string]uint64) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := h.svc.Indicators.Positions()
		ok := true
		for s, seq := range want {
			ok = ok && got[s] >= seq && h.svc.Indicators.CaughtUp(s)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("positions %v, want %v", got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func values(t *testing.T, h *harness, name string, periods ...string) []*pb.IndicatorValue {
	t.Helper()
	resp, err := h.client.GetIndicatorValues(ctx(t), &pb.GetIndicatorValuesRequest{Name: name, Periods: periods})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetValues()
}

func wantValue(t *testing.T, h *harness, name, period string, total float64, groups map[string]float64) {
	t.Helper()
	v := values(t, h, name, period)[0]
	if !v.GetHasValue() || v.GetValue() != total || (groups != nil && !maps.Equal(v.GetByGroup(), groups)) {
		t.Errorf("%s %s = %v %v, want %v %v", name, period, v.GetValue(), v.GetByGroup(), total, groups)
	}
}

// indicatorSnapshot reads every indicator's values for every month, quarter and year
// of 2024–2026, as a rebuild must reproduce them.
func indicatorSnapshot(t *testing.T, h *harness) string {
	t.Helper()
	var periods []string
	for y := 2024; y <= 2026; y++ {
		periods = append(periods, strconv.Itoa(y))
		for q := 1; q <= 4; q++ {
			periods = append(periods, fmt.Sprintf("%d-Q%d", y, q))
		}
		for m := 1; m <= 12; m++ {
			periods = append(periods, fmt.Sprintf("%d-%02d", y, m))
		}
	}
	list, err := h.client.ListIndicators(ctx(t), &pb.ListIndicatorsRequest{Parent: "measures/-"})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, ind := range list.GetIndicators() {
		for _, v := range values(t, h, ind.GetName(), periods...) {
			fmt.Fprintf(&b, "%s %s %v %v", v.GetIndicator(), v.GetPeriod(), v.GetHasValue(), v.GetValue())
			for _, g := range slices.Sorted(maps.Keys(v.GetByGroup())) {
				fmt.Fprintf(&b, " %s=%v", g, v.GetByGroup()[g])
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func metric(t *testing.T, h *harness, pattern string) float64 {
	t.Helper()
	body := get(t, "http://"+h.svc.AdminAddr()+"/metrics")
	m := regexp.MustCompile(regexp.QuoteMeta(pattern) + ` (\S+)`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("metrics lack %s", pattern)
	}
	f, _ := strconv.ParseFloat(m[1], 64)
	return f
}

// The whole path with real NATS: measures starts before the education and
// labour streams exist, follows them once they do, counts each event once
// although the first deliveries go unacknowledged and one event is stored
// twice, computes a rule defined after its events, and a restart as well as a
// rebuild with a fresh consumer give exactly the same values.
func TestDerivedIndicatorsFollowSourceStreams(t *testing.T) {
	ns := natstest.Start(t)
	h := startIndicators(t, ns, "measures-indicators", 4)
	c := ctx(t)
	if got := metric(t, h, `integrationsplan_indicators_source_available{service="measures",stream="INTEGRATION_EDUCATION"}`); got != 0 {
		// Before the stream exists the gauge is unset or 0.
		t.Errorf("education available = %v before the stream exists", got)
	}

	education := newSource(t, ns, "education")
	jan := time.Date(2025, 1, 15, 10, 0, 0, 0, time.UTC)
	// Written earlier, with their original times.
	education.publish("offer", "o-1", &edu.OfferCreated{OfferId: "o-1", Municipality: "backnang", Title: "Integrationskurs"}, uuid.NewString(), jan)
	education.publish("offer", "o-2", &edu.OfferCreated{OfferId: "o-2", Municipality: "backnang"}, uuid.NewString(), jan)
	education.publish("offer", "o-3", &edu.OfferCreated{OfferId: "o-3", Municipality: "waiblingen"}, uuid.NewString(), jan.AddDate(0, 1, 0))
	cancel := uuid.NewString()
	education.publish("offer", "o-2", &edu.OfferStatusChanged{OfferId: "o-2", FromStatus: edu.OfferStatus_OFFER_STATUS_OPEN, ToStatus: edu.OfferStatus_OFFER_STATUS_CANCELLED}, cancel, jan.AddDate(0, 3, 0))
	// The same cancellation stored again (a publisher retry after the
	// duplicate window): it must count once.
	education.publish("offer", "o-2", &edu.OfferStatusChanged{OfferId: "o-2", FromStatus: edu.OfferStatus_OFFER_STATUS_OPEN, ToStatus: edu.OfferStatus_OFFER_STATUS_CANCELLED}, cancel, jan.AddDate(0, 3, 0))
	for i, p := range []struct{ id, municipality string }{{"p-1", "backnang"}, {"p-2", "backnang"}, {"p-1", "backnang"}, {"p-3", "waiblingen"}} {
		education.publish("participant", p.id, &edu.AssessmentRecorded{ParticipantId: p.id, Assessment: &edu.Assessment{Municipality: p.municipality, OverallLevel: edu.CefrLevel(2)}}, uuid.NewString(), jan.AddDate(0, i, 0))
	}
	education.publish("offer", "o-1", &edu.ReferralCreated{OfferId: "o-1", ReferralId: "r-1", ParticipantId: "p-1", Status: edu.ReferralStatus_REFERRAL_STATUS_PROPOSED}, uuid.NewString(), jan)
	education.publish("offer", "o-1", &edu.ReferralCreated{OfferId: "o-1", ReferralId: "r-2", ParticipantId: "p-2", Status: edu.ReferralStatus_REFERRAL_STATUS_PROPOSED}, uuid.NewString(), jan)
	education.publish("offer", "o-1", &edu.ReferralStatusChanged{OfferId: "o-1", ReferralId: "r-1", ParticipantId: "p-1", FromStatus: edu.ReferralStatus_REFERRAL_STATUS_PROPOSED, ToStatus: edu.ReferralStatus_REFERRAL_STATUS_ACCEPTED}, uuid.NewString(), jan.AddDate(0, 1, 0))
	education.publish("offer", "o-1", &edu.ReferralStatusChanged{OfferId: "o-1", ReferralId: "r-1", ParticipantId: "p-1", FromStatus: edu.ReferralStatus_REFERRAL_STATUS_ACCEPTED, ToStatus: edu.ReferralStatus_REFERRAL_STATUS_ENROLLED}, uuid.NewString(), jan.AddDate(0, 2, 0))
	settled(t, h, map[string]uint64{"INTEGRATION_EDUCATION": education.lastSeq()})

	// Now live: events the engine gets from its durable consumer, the first
	// four deliveries left unacknowledged so the server delivers them again.
	education.append("offer", "o-4", &edu.OfferCreated{OfferId: "o-4", Municipality: "waiblingen"})
	education.append("offer", "o-5", &edu.OfferCreated{OfferId: "o-5", Municipality: "backnang"})
	education.append("offer", "o-4", &edu.OfferStatusChanged{OfferId: "o-4", FromStatus: edu.OfferStatus_OFFER_STATUS_OPEN, ToStatus: edu.OfferStatus_OFFER_STATUS_CANCELLED})
	education.append("participant", "p-9", &edu.AssessmentRecorded{ParticipantId: "p-9", Assessment: &edu.Assessment{Municipality: "fellbach"}})
	education.append("offer", "o-6", &edu.OfferCreated{OfferId: "o-6", Municipality: "fellbach"})
	settled(t, h, map[string]uint64{"INTEGRATION_EDUCATION": education.lastSeq()})
	deadline := time.Now().Add(10 * time.Second)
	for metric(t, h, `integrationsplan_indicators_source_events_total{outcome="redelivered",service="measures",stream="INTEGRATION_EDUCATION"}`) < 4 {
		if time.Now().After(deadline) {
			t.Fatal("the unacknowledged events were not delivered again")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := metric(t, h, `integrationsplan_indicators_source_events_total{outcome="duplicate",service="measures",stream="INTEGRATION_EDUCATION"}`); got != 1 {
		t.Errorf("%v duplicates skipped, want 1", got)
	}
	if got := metric(t, h, `integrationsplan_indicators_source_available{service="measures",stream="INTEGRATION_EDUCATION"}`); got != 1 {
		t.Errorf("education available = %v", got)
	}
	if got := metric(t, h, `integrationsplan_indicators_source_applied_sequence{service="measures",stream="INTEGRATION_EDUCATION"}`); got != float64(education.lastSeq()) {
		t.Errorf("applied sequence %v, want %d", got, education.lastSeq())
	}
	metric(t, h, `integrationsplan_indicators_source_lag_events{service="measures",stream="INTEGRATION_EDUCATION"}`)

	now := time.Now().In(berlin(t))
	thisYear := strconv.Itoa(now.Year())
	// 1.3: o-1, o-2 (cancelled in April), o-3 in Q1 2025; o-4 (cancelled), o-5, o-6 now.
	wantValue(t, h, offersInCatalogue, "2025-01", 2, map[string]float64{"backnang": 2, "waiblingen": 0, "fellbach": 0})
	wantValue(t, h, offersInCatalogue, "2025-Q1", 3, map[string]float64{"backnang": 2, "waiblingen": 1, "fellbach": 0})
	wantValue(t, h, offersInCatalogue, "2025-04", 2, map[string]float64{"backnang": 1, "waiblingen": 1, "fellbach": 0})
	wantValue(t, h, offersInCatalogue, thisYear, 4, map[string]float64{"backnang": 2, "waiblingen": 1, "fellbach": 1})
	// 1.2: p-1 in Jan and Mar, p-2 in Feb, p-3 in Apr; p-9 now.
	wantValue(t, h, assessed, "2025-Q1", 2, map[string]float64{"backnang": 2, "waiblingen": 0, "fellbach": 0})
	wantValue(t, h, assessed, "2025-03", 1, nil)
	wantValue(t, h, assessed, "2025-Q2", 1, map[string]float64{"backnang": 0, "waiblingen": 1, "fellbach": 0})
	wantValue(t, h, assessed, thisYear, 1, map[string]float64{"backnang": 0, "waiblingen": 0, "fellbach": 1})
	// 1.1: referrals by current status.
	wantValue(t, h, referralsByStatus, "2025-01", 2, map[string]float64{"REFERRAL_STATUS_PROPOSED": 2, "REFERRAL_STATUS_ACCEPTED": 0, "REFERRAL_STATUS_ENROLLED": 0})
	wantValue(t, h, referralsByStatus, "2025-03", 2, map[string]float64{"REFERRAL_STATUS_PROPOSED": 1, "REFERRAL_STATUS_ACCEPTED": 0, "REFERRAL_STATUS_ENROLLED": 1})

	// Labour: the stream appears later; 2.5 and 2.3 follow it.
	labour := newSource(t, ns, "labour")
	labour.append("case", "c-1", &lab.CaseClosed{CaseId: "c-1", Outcome: lab.Outcome_OUTCOME_EMPLOYMENT, CloseTime: timestamppb.Now()})
	labour.append("case", "c-2", &lab.CaseClosed{CaseId: "c-2", Outcome: lab.Outcome_OUTCOME_MOVED_AWAY, CloseTime: timestamppb.Now()})
	labour.append("case", "c-3", &lab.CaseClosed{CaseId: "c-3", Outcome: lab.Outcome_OUTCOME_APPRENTICESHIP, CloseTime: timestamppb.Now()})
	labour.append("orientation", "e-1", &lab.OrientationEventHeld{EventId: "e-1", Attendance: 14})
	labour.append("orientation", "e-2", &lab.OrientationEventHeld{EventId: "e-2", Attendance: 9})
	settled(t, h, map[string]uint64{"INTEGRATION_LABOUR": labour.lastSeq()})
	wantValue(t, h, placements, thisYear, 2, nil)
	wantValue(t, h, attendance, thisYear, 23, nil)

	// A rule defined after its events computes their history.
	created, err := h.client.CreateIndicator(c, &pb.CreateIndicatorRequest{Parent: "measures/m-1-3", IndicatorId: "angebote-backnang", Indicator: &pb.Indicator{
		DisplayName: "Neue Angebote in Backnang", Unit: "Angebote", Actor: "actors/backnang",
		BaselineDate: "2017-05-08", TargetValue: 20, TargetDate: "2026-12-31", RollUp: pb.IndicatorRollUp_INDICATOR_ROLL_UP_SUM,
		Rule: &pb.IndicatorRule{Terms: []*pb.RuleTerm{{EventType: "integration.education.v1.OfferCreated", Filters: []string{"municipality = backnang"}, Aggregation: pb.RuleAggregation_RULE_AGGREGATION_COUNT}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := created.GetIndicator().GetRule().GetTerms()[0].GetFilters(); !slices.Equal(got, []string{"municipality = backnang"}) {
		t.Errorf("filters %v", got)
	}
	settled(t, h, map[string]uint64{"INTEGRATION_EDUCATION": education.lastSeq()})
	wantValue(t, h, "measures/m-1-3/indicators/angebote-backnang", "2025", 2, nil)
	wantValue(t, h, "measures/m-1-3/indicators/angebote-backnang", thisYear, 1, nil)
	// The definition is an event on the measures stream.
	if _, err := h.stream.GetLastMsgForSubject(c, "integration.measures.indicator.m-1-3_angebote-backnang.indicator_defined"); err != nil {
		t.Errorf("no indicator_defined event: %v", err)
	}

	live := indicatorSnapshot(t, h)
	positions := map[string]uint64{"INTEGRATION_EDUCATION": education.lastSeq(), "INTEGRATION_LABOUR": labour.lastSeq()}

	// Restart: the values are rebuilt from the streams, the consumer goes on
	// after them, and a burst while measures is down is counted once.
	h.stop()
	education.append("offer", "o-7", &edu.OfferCreated{OfferId: "o-7", Municipality: "winnenden"})
	labour.append("case", "c-4", &lab.CaseClosed{CaseId: "c-4", Outcome: lab.Outcome_OUTCOME_EMPLOYMENT})
	restarted := startIndicators(t, ns, "measures-indicators", 0)
	positions = map[string]uint64{"INTEGRATION_EDUCATION": education.lastSeq(), "INTEGRATION_LABOUR": labour.lastSeq()}
	settled(t, restarted, positions)
	wantValue(t, restarted, offersInCatalogue, thisYear, 5, nil)
	wantValue(t, restarted, placements, thisYear, 3, nil)
	afterRestart := indicatorSnapshot(t, restarted)

	// A full rebuild with a new consumer gives exactly the same values.
	rebuilt := startIndicators(t, ns, "measures-indicators-rebuild", 0)
	settled(t, rebuilt, positions)
	if got := indicatorSnapshot(t, rebuilt); got != afterRestart {
		t.Errorf("rebuild differs from the followed values:\n%s", diff(afterRestart, got))
	}
	if live == afterRestart {
		t.Error("the burst during the restart changed nothing")
	}
}

func diff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			out = append(out, "- "+x, "+ "+y)
		}
	}
	return strings.Join(out, "\n")
}

func berlin(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func manualIndicator() *pb.CreateIndicatorRequest {
	return &pb.CreateIndicatorRequest{Parent: m25, IndicatorId: "kompetenzfeststellungen", Indicator: &pb.Indicator{
		DisplayName: "Kompetenzfeststellungen", Unit: "Personen", BaselineValue: 5, BaselineDate: "2017-05-08",
		TargetValue: 100, TargetDate: "2025-12-31", RollUp: pb.IndicatorRollUp_INDICATOR_ROLL_UP_SUM,
	}}
}

func TestManualIndicatorValuesAndRollUp(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	fixture(t, h)
	c := ctx(t)
	ind, err := h.client.CreateIndicator(c, manualIndicator())
	if err != nil {
		t.Fatal(err)
	}
	if ind.GetIndicator().GetName() != m25+"/indicators/kompetenzfeststellungen" || ind.GetIndicator().GetRule() != nil {
		t.Errorf("created %v", ind.GetIndicator())
	}
	name := ind.GetIndicator().GetName()
	for _, v := range []struct {
		period string
		value  float64
	}{{"2024-01", 4}, {"2024-02", 6}, {"2024-Q2", 11}} {
		if _, err := h.client.RecordIndicatorValue(c, &pb.RecordIndicatorValueRequest{Name: name, Period: v.period, Value: v.value, Source: "Statistik Jobcenter", AsOf: "2024-07-01"}); err != nil {
			t.Fatal(err)
		}
	}
	got := values(t, h, name, "2024-01", "2024-Q1", "2024-Q2", "2024", "2023")
	want := []struct {
		has   bool
		value float64
	}{{true, 4}, {true, 10}, {true, 11}, {true, 21}, {false, 0}}
	for i, w := range want {
		if got[i].GetHasValue() != w.has || got[i].GetValue() != w.value || got[i].GetTargetValue() != 100 {
			t.Errorf("%s: %v", got[i].GetPeriod(), got[i])
		}
	}
	if got[0].GetSource() != "Statistik Jobcenter" || got[0].GetAsOf() != "2024-07-01" {
		t.Errorf("source of a single value %v", got[0])
	}
	// A stale etag is refused.
	_, err = h.client.RecordIndicatorValue(c, &pb.RecordIndicatorValueRequest{Name: name, Period: "2024-03", Value: 1, Source: "Statistik", Etag: ind.GetIndicator().GetEtag()})
	wantStatus(t, err, codes.Aborted, "")
	// Roll-up: a second indicator of the same name in another topic field.
	if _, err := h.client.CreateMeasure(c, &pb.CreateMeasureRequest{Measure: &pb.Measure{Number: "1.2", Title: "Einstufung der Teilnehmenden",
		TopicField: pb.TopicField_TOPIC_FIELD_EDUCATION_AND_LANGUAGE, AddressedActorKinds: []pb.ActorKind{pb.ActorKind_ACTOR_KIND_COUNTY}}}); err != nil {
		t.Fatal(err)
	}
	second := manualIndicator()
	second.Parent = "measures/m-1-2"
	second.Indicator.TargetValue = 50
	if _, err := h.client.CreateIndicator(c, second); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.RecordIndicatorValue(c, &pb.RecordIndicatorValueRequest{Name: "measures/m-1-2/indicators/kompetenzfeststellungen", Period: "2024", Value: 9, Source: "VHS"}); err != nil {
		t.Fatal(err)
	}
	r, err := h.client.GetIndicatorRollUp(c, &pb.GetIndicatorRollUpRequest{Period: "2024"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.GetByTopicField()) != 2 || len(r.GetPlan()) != 1 {
		t.Fatalf("roll-up %v", r)
	}
	if p := r.GetPlan()[0]; p.GetValue() != 30 || p.GetTargetValue() != 150 || p.GetIndicators() != 2 || p.GetWithValue() != 2 || p.GetGroup() != "plan" {
		t.Errorf("plan row %v", p)
	}
	if e := r.GetByTopicField()[0]; e.GetGroup() != "TOPIC_FIELD_EDUCATION_AND_LANGUAGE" || e.GetValue() != 9 {
		t.Errorf("education row %v", e)
	}
	// Every change is an event on the measures stream.
	if _, err := h.stream.GetLastMsgForSubject(c, "integration.measures.indicator.m-2-5_kompetenzfeststellungen.indicator_value_recorded"); err != nil {
		t.Errorf("no indicator_value_recorded event: %v", err)
	}
	list, err := h.client.ListIndicators(c, &pb.ListIndicatorsRequest{Parent: "measures/-", PageSize: 1})
	if err != nil || len(list.GetIndicators()) != 1 || list.GetTotalSize() != 2 || list.GetIndicators()[0].GetName() != "measures/m-1-2/indicators/kompetenzfeststellungen" {
		t.Fatalf("list %v %v", list, err)
	}
	next, err := h.client.ListIndicators(c, &pb.ListIndicatorsRequest{Parent: "measures/-", PageSize: 1, PageToken: list.GetNextPageToken()})
	if err != nil || len(next.GetIndicators()) != 1 || next.GetIndicators()[0].GetName() != name || next.GetNextPageToken() != "" {
		t.Fatalf("second page %v %v", next, err)
	}
}

func TestIndicatorBadInputChangesNothing(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	fixture(t, h)
	c := ctx(t)
	derived := manualIndicator()
	derived.IndicatorId = "abgeleitet"
	derived.Indicator.Rule = &pb.IndicatorRule{Terms: []*pb.RuleTerm{{EventType: "integration.labour.v1.CaseClosed", Aggregation: pb.RuleAggregation_RULE_AGGREGATION_COUNT}}}
	if _, err := h.client.CreateIndicator(c, derived); err != nil {
		t.Fatal(err)
	}
	before := commandEvents(t, h)
	withRule := func(mod func(*pb.RuleTerm)) *pb.CreateIndicatorRequest {
		r := manualIndicator()
		term := &pb.RuleTerm{EventType: "integration.education.v1.OfferCreated", Aggregation: pb.RuleAggregation_RULE_AGGREGATION_COUNT}
		mod(term)
		r.Indicator.Rule = &pb.IndicatorRule{Terms: []*pb.RuleTerm{term}}
		return r
	}
	create := func(r *pb.CreateIndicatorRequest) func() error {
		return func() error { _, err := h.client.CreateIndicator(c, r); return err }
	}
	targetFirst := manualIndicator()
	targetFirst.Indicator.TargetDate = "2017-01-01"
	cases := []struct {
		name  string
		call  func() error
		code  codes.Code
		field string
	}{
		{"target date before baseline", create(targetFirst), codes.InvalidArgument, "indicator.target_date"},
		{"unknown event type", create(withRule(func(t *pb.RuleTerm) { t.EventType = "integration.education.v1.OfferPublished" })), codes.InvalidArgument, "indicator.rule.terms[0].event_type"},
		{"not an event", create(withRule(func(t *pb.RuleTerm) { t.EventType = "integration.education.v1.Offer" })), codes.InvalidArgument, "indicator.rule.terms[0].event_type"},
		{"own events", create(withRule(func(t *pb.RuleTerm) { t.EventType = "integration.measures.v1.MeasureCreated" })), codes.InvalidArgument, "indicator.rule.terms[0].event_type"},
		{"unknown filter field", create(withRule(func(t *pb.RuleTerm) { t.Filters = []string{"gemeinde = backnang"} })), codes.InvalidArgument, "indicator.rule.terms[0].filters[0]"},
		{"filter on a list", create(withRule(func(t *pb.RuleTerm) { t.Filters = []string{"support_languages = ar"} })), codes.InvalidArgument, "indicator.rule.terms[0].filters[0]"},
		{"filter syntax", create(withRule(func(t *pb.RuleTerm) { t.Filters = []string{"municipality backnang"} })), codes.InvalidArgument, "indicator.rule.terms[0].filters[0]"},
		{"unknown enum value", create(withRule(func(t *pb.RuleTerm) {
			t.EventType = "integration.education.v1.OfferStatusChanged"
			t.Filters = []string{"to_status = ABGESAGT"}
		})), codes.InvalidArgument, "indicator.rule.terms[0].filters[0]"},
		{"sum of text", create(withRule(func(t *pb.RuleTerm) {
			t.Aggregation, t.Field = pb.RuleAggregation_RULE_AGGREGATION_SUM, "municipality"
		})), codes.InvalidArgument, "indicator.rule.terms[0].field"},
		{"unknown nested field", create(withRule(func(t *pb.RuleTerm) {
			t.EventType, t.GroupBy = "integration.education.v1.AssessmentRecorded", "assessment.gemeinde"
		})), codes.InvalidArgument, "indicator.rule.terms[0].group_by"},
		{"is set on a list", create(withRule(func(t *pb.RuleTerm) { t.Filters = []string{"support_languages is set"} })), codes.InvalidArgument, "indicator.rule.terms[0].filters[0]"},
		{"count elements of a single field", create(withRule(func(t *pb.RuleTerm) {
			t.Aggregation, t.Field = pb.RuleAggregation_RULE_AGGREGATION_COUNT_ELEMENTS, "municipality"
		})), codes.InvalidArgument, "indicator.rule.terms[0].field"},
		{"group with group_by", create(withRule(func(t *pb.RuleTerm) { t.GroupBy, t.Group = "municipality", "backnang" })), codes.InvalidArgument, "indicator.rule.terms[0].group"},
		{"fixed group outside the grouped enum", func() error {
			r := withRule(func(t *pb.RuleTerm) { t.EventType, t.GroupBy = "integration.education.v1.ReferralCreated", "status" })
			r.Indicator.Rule.Terms = append(r.Indicator.Rule.Terms, &pb.RuleTerm{EventType: "integration.education.v1.OfferChanged",
				Aggregation: pb.RuleAggregation_RULE_AGGREGATION_COUNT_ELEMENTS, Field: "promoted_referral_ids", Group: "ACCEPTED"})
			_, err := h.client.CreateIndicator(c, r)
			return err
		}, codes.InvalidArgument, "indicator.rule.terms[1].group"},
		{"bad indicator id", func() error {
			r := manualIndicator()
			r.IndicatorId = "Kompetenz"
			_, err := h.client.CreateIndicator(c, r)
			return err
		}, codes.InvalidArgument, "indicator_id"},
		{"actor not addressed", func() error {
			r := manualIndicator()
			r.Indicator.Actor = chamber
			_, err := h.client.CreateIndicator(c, r)
			return err
		}, codes.InvalidArgument, "indicator.actor"},
		{"exists", create(derived), codes.AlreadyExists, ""},
		{"unknown measure", func() error {
			r := manualIndicator()
			r.Parent = "measures/m-9-9"
			_, err := h.client.CreateIndicator(c, r)
			return err
		}, codes.NotFound, ""},
		{"manual value for a derived indicator", func() error {
			_, err := h.client.RecordIndicatorValue(c, &pb.RecordIndicatorValueRequest{Name: m25 + "/indicators/abgeleitet", Period: "2024", Value: 3, Source: "Zählung"})
			return err
		}, codes.InvalidArgument, "name"},
		{"malformed period", func() error {
			_, err := h.client.RecordIndicatorValue(c, &pb.RecordIndicatorValueRequest{Name: m25 + "/indicators/abgeleitet", Period: "Q1/2024", Value: 3, Source: "Zählung"})
			return err
		}, codes.InvalidArgument, "period"},
		{"malformed period in a query", func() error {
			_, err := h.client.GetIndicatorValues(c, &pb.GetIndicatorValuesRequest{Name: m25 + "/indicators/abgeleitet", Periods: []string{"2024", "2024-13"}})
			return err
		}, codes.InvalidArgument, "periods[1]"},
		{"report period", func() error {
			_, err := h.client.GetImplementationReport(c, &pb.GetImplementationReportRequest{Period: "2024-Q5"})
			return err
		}, codes.InvalidArgument, "period"},
		{"roll-up period", func() error {
			_, err := h.client.GetIndicatorRollUp(c, &pb.GetIndicatorRollUpRequest{Period: "24"})
			return err
		}, codes.InvalidArgument, "period"},
		{"bad indicator name", func() error {
			_, err := h.client.GetIndicator(c, &pb.GetIndicatorRequest{Name: m25 + "/indikatoren/x"})
			return err
		}, codes.InvalidArgument, "name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantStatus(t, tc.call(), tc.code, tc.field) })
	}
	if after := commandEvents(t, h); after != before {
		t.Errorf("refused calls wrote %d events", after-before)
	}
}

func TestImplementationReport(t *testing.T) {
	ns := natstest.Start(t)
	h := startIndicators(t, ns, "measures-indicators", 0)
	education := newSource(t, ns, "education")
	education.append("offer", "o-1", &edu.OfferCreated{OfferId: "o-1", Municipality: "backnang"})
	settled(t, h, map[string]uint64{"INTEGRATION_EDUCATION": education.lastSeq()})
	c := ctx(t)
	if _, err := h.client.SetAdoptionStatus(c, &pb.SetAdoptionStatusRequest{Name: "measures/m-1-3/adoptions/backnang", Status: pb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS, ProgressPercent: pct(30)}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(berlin(t))
	quarter := fmt.Sprintf("%d-Q%d", now.Year(), (int(now.Month())-1)/3+1)
	r, err := h.client.GetImplementationReport(c, &pb.GetImplementationReportRequest{Period: quarter})
	if err != nil {
		t.Fatal(err)
	}
	if r.GetPeriod() != quarter {
		t.Errorf("period %s", r.GetPeriod())
	}
	body := bytes.TrimPrefix(r.GetCsv(), []byte("\ufeff"))
	cr := csv.NewReader(bytes.NewReader(body))
	cr.Comma = ';'
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0][:4], []string{"Handlungsfeld", "Maßnahme", "Titel", "Art"}) {
		t.Errorf("header %v", rows[0])
	}
	has := func(cells ...string) bool {
		for _, row := range rows {
			if len(row) < 15 {
				t.Fatalf("short row %v", row)
			}
			ok := true
			for i, c := range cells {
				ok = ok && (c == "*" || row[i] == c)
			}
			if ok {
				return true
			}
		}
		return false
	}
	if !has("Bildung und Sprache", "1.3", "*", "Umsetzungsstand", "Stadt Backnang", "", "In Umsetzung", "30") {
		t.Error("CSV lacks Backnang's adoption of 1.3")
	}
	if !has("Bildung und Sprache", "1.3", "*", "Indikator", "", "Angebote im Katalog", "", "", "0", "120", "2026-12-31", "1", "Angebote") {
		t.Error("CSV lacks the indicator of 1.3 with its actual value")
	}
	if !has("Bildung und Sprache", "1.3", "*", "Änderung", "", "Stadt Backnang: Beschlossen → In Umsetzung (30 %)") {
		t.Error("CSV lacks the change of the period")
	}
	html := r.GetHtml()
	for _, want := range []string{"<!DOCTYPE html>", `lang="de"`, "Umsetzungsbericht Integrationsplan", "Quartal", "Maßnahme 1.3", "Angebote im Katalog", "backnang: 1", "In Umsetzung", "@media print", "Indikatoren im gesamten Plan"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}
