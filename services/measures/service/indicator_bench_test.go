package service_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/natstest"
	edu "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	"github.com/integrationsplan/integrationsplan/services/measures/adapters/derive"
	"github.com/integrationsplan/integrationsplan/services/measures/domain"
	"github.com/integrationsplan/integrationsplan/services/measures/exampledata"
)

// BenchmarkIndicatorRebuild measures how fast the derivation engine rebuilds
// the example education indicators (1.1, 1.2, 1.3: count with remembered
// groups, count distinct, cumulative terms) from a stream of 1,000,000
// education events (INDICATOR_BENCH_EVENTS overrides), against the raw
// replay of the same stream with an ordered consumer, in the same run on one
// embedded file-backed server. The events are stored once per run.
//
//	go test -run '^$' -bench BenchmarkIndicatorRebuild -benchtime 1x ./service/
//
// Figures: raw-events/s, indicator-events/s and ratio (indicator/raw).
func BenchmarkIndicatorRebuild(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("INDICATOR_BENCH_EVENTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	ns := natstest.Start(b)
	nc, js := ns.Connect(b)
	c := context.Background()
	if _, err := eventstore.Open(c, js, eventstore.Config{Service: "education"}); err != nil {
		b.Fatal(err)
	}
	stream, err := js.Stream(c, "INTEGRATION_EDUCATION")
	if err != nil {
		b.Fatal(err)
	}
	fill(b, nc, n)
	info, err := stream.Info(c)
	if err != nil {
		b.Fatal(err)
	}
	last := info.State.LastSeq

	catalog := derive.NewCatalog("education")
	var rawTook, engineTook time.Duration
	i := 0
	for b.Loop() {
		i++
		rawTook += rawReplay(b, stream, last)
		engineTook += engineRebuild(b, js, catalog, last, fmt.Sprintf("bench-%d", i))
	}
	raw := float64(last) * float64(i) / rawTook.Seconds()
	derived := float64(last) * float64(i) / engineTook.Seconds()
	b.ReportMetric(raw, "raw-events/s")
	b.ReportMetric(derived, "indicator-events/s")
	b.ReportMetric(derived/raw, "ratio")
}

// fill stores n education events: offers created in five municipalities,
// every tenth offer cancelled, assessments of 50,000 participants.
func fill(b *testing.B, nc *nats.Conn, n int) {
	b.Helper()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(4096))
	if err != nil {
		b.Fatal(err)
	}
	towns := []string{"backnang", "fellbach", "schorndorf", "waiblingen", "winnenden"}
	base := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		var (
			payload   proto.Message
			aggregate string
			id        string
		)
		switch i % 4 {
		case 0, 1:
			id = "o-" + strconv.Itoa(i)
			aggregate, payload = "offer", &edu.OfferCreated{OfferId: id, Municipality: towns[i%5], Capacity: 12}
		case 2:
			id = "o-" + strconv.Itoa(i-2)
			to := edu.OfferStatus_OFFER_STATUS_RUNNING
			if i%40 == 2 {
				to = edu.OfferStatus_OFFER_STATUS_CANCELLED
			}
			aggregate, payload = "offer", &edu.OfferStatusChanged{OfferId: id, FromStatus: edu.OfferStatus_OFFER_STATUS_OPEN, ToStatus: to}
		default:
			id = "p-" + strconv.Itoa(i%50_000)
			aggregate, payload = "participant", &edu.AssessmentRecorded{ParticipantId: id, Assessment: &edu.Assessment{Municipality: towns[i%5], OverallLevel: 3}}
		}
		data, err := proto.Marshal(payload)
		if err != nil {
			b.Fatal(err)
		}
		ceID := uuid.NewString()
		msg := &nats.Msg{Subject: "integration.education." + aggregate + "." + id + "." + eventstore.EventName(payload), Data: data, Header: nats.Header{}}
		msg.Header.Set("ce-id", ceID)
		msg.Header.Set("ce-type", string(payload.ProtoReflect().Descriptor().FullName()))
		msg.Header.Set("ce-time", base.Add(time.Duration(i)*time.Minute).Format(time.RFC3339Nano))
		msg.Header.Set("ce-specversion", "1.0")
		if _, err := js.PublishMsgAsync(msg, jetstream.WithMsgID(ceID)); err != nil {
			b.Fatal(err)
		}
		if i%2000 == 1999 || i == n-1 {
			select {
			case <-js.PublishAsyncComplete():
			case <-time.After(time.Minute):
				b.Fatal("publishing took too long")
			}
		}
	}
}

// rawReplay reads the whole stream with an ordered consumer, as the event
// store's follower does, and only counts.
func rawReplay(b *testing.B, stream jetstream.Stream, last uint64) time.Duration {
	b.Helper()
	began := time.Now()
	cons, err := stream.OrderedConsumer(context.Background(), jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		b.Fatal(err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(1000))
	if err != nil {
		b.Fatal(err)
	}
	defer it.Stop()
	for {
		msg, err := it.Next()
		if err != nil {
			b.Fatal(err)
		}
		meta, err := msg.Metadata()
		if err != nil {
			b.Fatal(err)
		}
		if meta.Sequence.Stream >= last {
			return time.Since(began)
		}
	}
}

// engineRebuild starts a derivation engine with the example education rules
// and waits until it includes the whole stream.
func engineRebuild(b *testing.B, js jetstream.JetStream, catalog *derive.Catalog, last uint64, durable string) time.Duration {
	b.Helper()
	e, err := derive.NewEngine(js, catalog, derive.Config{Durable: durable, RetryEvery: 10 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	for _, ex := range exampledata.EducationIndicators {
		terms, err := domain.ParseTerms(ex.Terms)
		if err != nil {
			b.Fatal(err)
		}
		i := ex.Indicator
		r, err := domain.NewRule(domain.Rule{Terms: terms, Cumulative: ex.Cumulative}, catalog)
		if err != nil {
			b.Fatal(err)
		}
		i.Rule = &r
		e.Define(i)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	began := time.Now()
	go func() { defer close(done); e.Run(ctx) }()
	for e.Positions()["INTEGRATION_EDUCATION"] < last || !e.CaughtUp("INTEGRATION_EDUCATION") {
		time.Sleep(time.Millisecond)
	}
	took := time.Since(began)
	cancel()
	<-done
	return took
}
