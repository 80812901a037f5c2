package service_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/natstest"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
)

// BenchmarkWritePath compares, in one process and against one embedded
// server with file storage synced before every acknowledgement:
//
//   - raw: a synchronous JetStream publish of an adoption event (the baseline),
//   - append: the event store's append with optimistic concurrency,
//   - grpc: SetAdoptionStatus end to end over gRPC, including the wait for
//     the read model (read-your-writes).
//
// The figure that matters is each path's ns/op relative to raw's.
func BenchmarkWritePath(b *testing.B) {
	ns := natstest.Start(b)
	h := start(b, ns, false)
	c := context.Background()
	_, js := ns.Connect(b)

	event := &pb.AdoptionStatusChanged{MeasureId: "m-2-5", ActorId: "backnang", FromStatus: 5, ToStatus: 5, ProgressPercent: 42, DecidedOn: "2024-02-01", DecidingBody: "Gemeinderat"}
	payload, err := proto.Marshal(event)
	if err != nil {
		b.Fatal(err)
	}

	b.Run("raw", func(b *testing.B) {
		if _, err := js.CreateStream(c, jetstream.StreamConfig{Name: "BASELINE", Subjects: []string{"baseline.>"}, Storage: jetstream.FileStorage}); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := js.Publish(c, "baseline.measure.m-2-5.adoption_status_changed", payload); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("append", func(b *testing.B) {
		store, err := eventstore.Open(c, js, eventstore.Config{Service: "benchappend"})
		if err != nil {
			b.Fatal(err)
		}
		version, err := store.LastSeq(c) // the only aggregate in this stream
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			a, err := store.Append(c, eventstore.Event{Aggregate: "measure", ID: "m-2-5", Payload: event}, version)
			if err != nil {
				b.Fatal(err)
			}
			version = a.Seq
		}
	})

	b.Run("grpc", func(b *testing.B) {
		setUpInProgress(b, h)
		i := 0
		for b.Loop() {
			i++
			r := &pb.SetAdoptionStatusRequest{Name: "measures/m-2-5/adoptions/backnang", Status: pb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS, ProgressPercent: pct(int32(i % 101))}
			if _, err := h.client.SetAdoptionStatus(c, r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkWriteThroughput compares throughput under concurrent writers:
// raw publishes vs SetAdoptionStatus over gRPC, each writer on its own
// measure (writers on one measure would conflict by design).
func BenchmarkWriteThroughput(b *testing.B) {
	const writers = 32
	ns := natstest.Start(b)
	h := start(b, ns, false)
	c := context.Background()
	_, js := ns.Connect(b)
	payload, err := proto.Marshal(&pb.AdoptionStatusChanged{MeasureId: "m-2-5", ActorId: "backnang", FromStatus: 5, ToStatus: 5, ProgressPercent: 42})
	if err != nil {
		b.Fatal(err)
	}

	b.Run("raw", func(b *testing.B) {
		if _, err := js.CreateStream(c, jetstream.StreamConfig{Name: "BASELINE", Subjects: []string{"baseline.>"}, Storage: jetstream.FileStorage}); err != nil {
			b.Fatal(err)
		}
		var next atomic.Int32
		b.SetParallelism(writers / runtime.GOMAXPROCS(0))
		b.RunParallel(func(pb *testing.PB) {
			subject := fmt.Sprintf("baseline.measure.m-2-%d.adoption_status_changed", next.Add(1))
			for pb.Next() {
				if _, err := js.Publish(c, subject, payload); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})

	b.Run("grpc", func(b *testing.B) {
		names := inProgressOnDistinctMeasures(b, h, writers)
		var next atomic.Int32
		b.SetParallelism(writers / runtime.GOMAXPROCS(0))
		b.RunParallel(func(p *testing.PB) {
			name := names[int(next.Add(1)-1)%len(names)]
			i := 0
			for p.Next() {
				i++
				r := &pb.SetAdoptionStatusRequest{Name: name, Status: pb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS, ProgressPercent: pct(int32(i % 101))}
				if _, err := h.client.SetAdoptionStatus(c, r); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// inProgressOnDistinctMeasures creates n measures whose adoption by
// Backnang is IN_PROGRESS and returns the adoptions' names.
func inProgressOnDistinctMeasures(b *testing.B, h *harness, n int) []string {
	b.Helper()
	c := context.Background()
	if _, err := h.client.CreateActor(c, &pb.CreateActorRequest{ActorId: "backnang", Actor: &pb.Actor{Kind: pb.ActorKind_ACTOR_KIND_MUNICIPALITY, DisplayName: "Stadt Backnang"}}); err != nil && status.Code(err) != codes.AlreadyExists {
		b.Fatal(err)
	}
	var names []string
	for i := range n {
		m := measure25()
		m.Number = fmt.Sprintf("2.%d", 10+i)
		if _, err := h.client.CreateMeasure(c, &pb.CreateMeasureRequest{Measure: m}); err != nil && status.Code(err) != codes.AlreadyExists {
			b.Fatal(err)
		}
		name := fmt.Sprintf("measures/m-2-%d/adoptions/backnang", 10+i)
		names = append(names, name)
		got, err := h.client.ListAdoptions(c, &pb.ListAdoptionsRequest{Parent: fmt.Sprintf("measures/m-2-%d", 10+i), Actor: backnang})
		if err != nil {
			b.Fatal(err)
		}
		if got.GetAdoptions()[0].GetStatus() == pb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS {
			continue
		}
		for _, s := range []pb.AdoptionStatus{pb.AdoptionStatus_ADOPTION_STATUS_CONSIDERING, pb.AdoptionStatus_ADOPTION_STATUS_ADOPTED} {
			if _, err := h.client.SetAdoptionStatus(c, setStatus(name, s)); err != nil {
				b.Fatal(err)
			}
		}
		r := setStatus(name, pb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS)
		r.ProgressPercent = pct(0)
		if _, err := h.client.SetAdoptionStatus(c, r); err != nil {
			b.Fatal(err)
		}
	}
	return names
}

func setUpInProgress(b *testing.B, h *harness) {
	b.Helper()
	c := context.Background()
	if _, err := h.client.GetMeasure(c, &pb.GetMeasureRequest{Name: m25}); err == nil {
		return
	}
	fixtureTB(b, h)
	for _, s := range []pb.AdoptionStatus{pb.AdoptionStatus_ADOPTION_STATUS_CONSIDERING, pb.AdoptionStatus_ADOPTION_STATUS_ADOPTED} {
		if _, err := h.client.SetAdoptionStatus(c, setStatus(m25+"/adoptions/backnang", s)); err != nil {
			b.Fatal(err)
		}
	}
	r := setStatus(m25+"/adoptions/backnang", pb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS)
	r.ProgressPercent = pct(0)
	if _, err := h.client.SetAdoptionStatus(c, r); err != nil {
		b.Fatal(fmt.Errorf("start progress: %w", err))
	}
}
