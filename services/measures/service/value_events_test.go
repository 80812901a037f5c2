package service_test

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/natstest"
	edu "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	lab "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
)

const valueSubjects = "integration.measures.indicator_value.>"

// valueEvents reads every IndicatorValueChanged event of the measures
// stream, by subject in stream order.
func valueEvents(t *testing.T, h *harness) map[string][]*pb.IndicatorValueChanged {
	t.Helper()
	c := ctx(t)
	info, err := h.stream.Info(c, jetstream.WithSubjectFilter(valueSubjects))
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range info.State.Subjects {
		total += int(n)
	}
	out := map[string][]*pb.IndicatorValueChanged{}
	if total == 0 {
		return out
	}
	cons, err := h.stream.OrderedConsumer(c, jetstream.OrderedConsumerConfig{FilterSubjects: []string{valueSubjects}})
	if err != nil {
		t.Fatal(err)
	}
	for read := 0; read < total; {
		batch, err := cons.Fetch(total-read, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for msg := range batch.Messages() {
			e := &pb.IndicatorValueChanged{}
			if err := proto.Unmarshal(msg.Data(), e); err != nil {
				t.Fatal(err)
			}
			out[msg.Subject()] = append(out[msg.Subject()], e)
			n++
		}
		if n == 0 {
			t.Fatalf("read %d of %d value events", read, total)
		}
		read += n
	}
	return out
}

// checkChanges fails unless every value event is a change: its value or
// groups differ from the one before on its subject, it names that one's
// value as previous, and what it was computed from only moves forward.
func checkChanges(t *testing.T, events map[string][]*pb.IndicatorValueChanged) {
	t.Helper()
	for subject, es := range events {
		for i := 1; i < len(es); i++ {
			prev, e := es[i-1], es[i]
			if e.GetValue() == prev.GetValue() && maps.Equal(e.GetByGroup(), prev.GetByGroup()) {
				t.Errorf("%s: event %d repeats value %v %v", subject, i, e.GetValue(), e.GetByGroup())
			}
			if e.PreviousValue == nil || e.GetPreviousValue() != prev.GetValue() {
				t.Errorf("%s: event %d has previous value %v, the event before %v", subject, i, e.PreviousValue, prev.GetValue())
			}
			if e.GetIndicatorVersion() < prev.GetIndicatorVersion() {
				t.Errorf("%s: event %d from indicator version %d after %d", subject, i, e.GetIndicatorVersion(), prev.GetIndicatorVersion())
			}
			for s, seq := range e.GetSourcePositions() {
				if seq < prev.GetSourcePositions()[s] {
					t.Errorf("%s: event %d from %s position %d after %d", subject, i, s, seq, prev.GetSourcePositions()[s])
				}
			}
		}
		if len(es) > 0 && es[0].PreviousValue != nil {
			t.Errorf("%s: first event has a previous value", subject)
		}
	}
}

func valueSubject(indicator, period string) string {
	return "integration.measures.indicator_value." + indicator + "_" + period + ".indicator_value_changed"
}

// last is the latest published value of a subject, or nil.
func last(events map[string][]*pb.IndicatorValueChanged, subject string) *pb.IndicatorValueChanged {
	es := events[subject]
	if len(es) == 0 {
		return nil
	}
	return es[len(es)-1]
}

// An enrolment-like source event moves the derived value, visible to a
// subscriber of integration.measures.> as an IndicatorValueChanged event. A
// burst of source events while one replica (a child process) is killed with
// SIGKILL and started again, and a second runs beside it, leaves every value
// exactly right in both, and no change is published twice.
func TestIndicatorValueChangesArePublishedOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts a service process")
	}
	ns := natstest.Start(t)
	b := startIndicators(t, ns, "measures-indicators-b", 0)
	addrA := freeAddr(t)
	childEnv := []string{"MEASURES_CHILD_EXAMPLE_DATA=1", "MEASURES_CHILD_INDICATOR_CONSUMER=measures-indicators-a"}
	child := startChild(t, ns.ClientURL(), addrA, childEnv...)
	connA, err := grpc.NewClient(addrA, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer connA.Close()
	a := &harness{t: t, client: pb.NewMeasureServiceClient(connA)}
	waitServing(t, a.client)
	education := newSource(t, ns, "education")
	labour := newSource(t, ns, "labour")

	// A dashboard's subscription.
	nc, _ := ns.Connect(t)
	seen := make(chan *nats.Msg, 4096)
	sub, err := nc.ChanSubscribe("integration.measures.>", seen)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()

	now := time.Now().In(berlin(t))
	month := now.Format("2006-01")
	quarter := fmt.Sprintf("%d-q%d", now.Year(), (int(now.Month())+2)/3)
	year := strconv.Itoa(now.Year())
	catalogue := "m-1-3_angebote-im-katalog"

	began := time.Now()
	education.append("offer", "o-0", &edu.OfferCreated{OfferId: "o-0", Municipality: "backnang"})
	deadline := time.After(20 * time.Second)
	for moved := false; !moved; {
		select {
		case msg := <-seen:
			if msg.Subject != valueSubject(catalogue, month) {
				continue
			}
			e := &pb.IndicatorValueChanged{}
			if err := proto.Unmarshal(msg.Data, e); err != nil {
				t.Fatal(err)
			}
			if e.GetValue() != 1 || e.GetByGroup()["backnang"] != 1 || e.GetPeriod() != now.Format("2006-01") {
				t.Fatalf("first change: %v", e)
			}
			moved = true
			t.Logf("value change seen by a subscriber %v after the source event", time.Since(began).Round(time.Millisecond))
		case <-deadline:
			t.Fatal("no IndicatorValueChanged event for the new offer")
		}
	}

	// The burst: offers created in three municipalities, every fifth one
	// cancelled again, and labour cases opened and closed with placements.
	const n = 300
	municipalities := []string{"backnang", "waiblingen", "fellbach"}
	halfway := make(chan struct{})
	var burst sync.WaitGroup
	var burstErr error
	created, cancelled, placed := 1, 0, 0
	burst.Go(func() {
		c := context.Background()
		put := func(store *eventstore.Store, aggregate, id string, payload proto.Message, expected uint64) uint64 {
			if burstErr != nil {
				return 0
			}
			app, err := store.Append(c, eventstore.Event{Aggregate: aggregate, ID: id, Payload: payload}, expected)
			burstErr = err
			return app.Seq
		}
		for i := 1; i <= n; i++ {
			if i == n/3 {
				close(halfway)
			}
			id := "o-" + strconv.Itoa(i)
			v := put(education.store, "offer", id, &edu.OfferCreated{OfferId: id, Municipality: municipalities[i%3]}, 0)
			created++
			if i%5 == 0 {
				put(education.store, "offer", id, &edu.OfferStatusChanged{OfferId: id, FromStatus: edu.OfferStatus_OFFER_STATUS_OPEN, ToStatus: edu.OfferStatus_OFFER_STATUS_CANCELLED}, v)
				cancelled++
			}
			if i%4 == 0 {
				cid := "c-" + strconv.Itoa(i)
				v := put(labour.store, "case", cid, &lab.CaseOpened{CaseId: cid, Municipality: municipalities[i%3]}, 0)
				put(labour.store, "case", cid, &lab.CaseClosed{CaseId: cid, Outcome: lab.Outcome_OUTCOME_EMPLOYMENT}, v)
				placed++
			}
		}
	})
	<-halfway
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	startChild(t, ns.ClientURL(), addrA, childEnv...)
	burst.Wait()
	if burstErr != nil {
		t.Fatal(burstErr)
	}
	positions := map[string]uint64{"INTEGRATION_EDUCATION": education.lastSeq(), "INTEGRATION_LABOUR": labour.lastSeq()}
	settled(t, b, positions)
	waitServing(t, a.client)
	// The restarted replica has no hook for its positions: ask until they
	// include the burst.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := a.client.GetIndicatorValues(ctx(t), &pb.GetIndicatorValuesRequest{Name: offersInCatalogue, Periods: []string{year}})
		if err == nil && resp.GetSourcePositions()["INTEGRATION_EDUCATION"] >= positions["INTEGRATION_EDUCATION"] &&
			resp.GetSourcePositions()["INTEGRATION_LABOUR"] >= positions["INTEGRATION_LABOUR"] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the restarted replica does not catch up: %v %v", resp, err)
		}
	}

	wantOffers := float64(created - cancelled)
	checks := []struct {
		indicator, name string
		want            float64
	}{
		{catalogue, offersInCatalogue, wantOffers},
		{"m-2-5_vermittlungen-in-arbeit-oder-ausbildung", placements, float64(placed)},
	}
	// Both replicas compute the same, right values.
	for _, h := range []*harness{a, b} {
		for _, c := range checks {
			for _, p := range []string{month, year} {
				wantValue(t, h, c.name, map[string]string{month: now.Format("2006-01"), year: year}[p], c.want, nil)
			}
		}
	}
	// The published values arrive at the same.
	var events map[string][]*pb.IndicatorValueChanged
	for wait := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		events = valueEvents(t, b)
		done := true
		for _, c := range checks {
			for _, p := range []string{month, quarter, year} {
				e := last(events, valueSubject(c.indicator, p))
				done = done && e != nil && e.GetValue() == c.want
			}
		}
		if done {
			break
		}
		if time.Now().After(wait) {
			for _, c := range checks {
				t.Errorf("%s: published %v, want %v", c.indicator, last(events, valueSubject(c.indicator, month)), c.want)
			}
			t.FailNow()
		}
	}
	checkChanges(t, events)
	groups := last(events, valueSubject(catalogue, month)).GetByGroup()
	if sum := groups["backnang"] + groups["waiblingen"] + groups["fellbach"]; sum != wantOffers {
		t.Errorf("groups %v add up to %v, want %v", groups, sum, wantOffers)
	}
	median := last(events, valueSubject("m-2-5_tage-bis-vermittlung", month))
	if median == nil || median.GetValue() != 0 {
		t.Errorf("median days to placement of cases opened and closed at once: %v", median)
	}
	t.Logf("%d value events on %d subjects", func() (k int) {
		for _, es := range events {
			k += len(es)
		}
		return
	}(), len(events))
}
