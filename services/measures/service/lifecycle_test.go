package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/protobuf/proto"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/measures/exampledata"
)

// snapshot reads everything the API shows.
func snapshot(t *testing.T, h *harness) []proto.Message {
	t.Helper()
	c := ctx(t)
	var out []proto.Message
	ms, err := h.client.ListMeasures(c, &pb.ListMeasuresRequest{PageSize: 500})
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, ms)
	as, err := h.client.ListActors(c, &pb.ListActorsRequest{PageSize: 500})
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, as)
	ads, err := h.client.ListAdoptions(c, &pb.ListAdoptionsRequest{Parent: "measures/-", PageSize: 500})
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, ads)
	for _, m := range ms.GetMeasures() {
		tl, err := h.client.GetMeasureTimeline(c, &pb.GetMeasureTimelineRequest{Name: m.GetName(), PageSize: 500})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tl)
	}
	rep, err := h.client.GetAdoptionReport(c, &pb.GetAdoptionReportRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return append(out, rep)
}

func TestRestartKeepsDataAndSeedsNothingTwice(t *testing.T) {
	ns := natstest.Start(t)
	h := start(t, ns, true)
	seeded := commandEvents(t, h)
	wantEvents := uint64(12 + 8 + len(exampledata.Decisions) +
		len(exampledata.EducationIndicators) + len(exampledata.LabourIndicators) + len(exampledata.ManualIndicators) + len(exampledata.ManualValues))
	if seeded != wantEvents {
		t.Fatalf("seeding wrote %d events, want %d", seeded, wantEvents)
	}
	before := snapshot(t, h)
	h.stop()

	// Restart the service, then the NATS server under it as well.
	h2 := start(t, ns, true)
	if got := commandEvents(t, h2); got != seeded {
		t.Fatalf("second start wrote %d more events", got-seeded)
	}
	after := snapshot(t, h2)
	h2.stop()
	ns.Shutdown()
	ns.WaitForShutdown()
	h3 := start(t, natstest.StartIn(t, ns.Dir), true)
	again := snapshot(t, h3)
	for i := range before {
		if !proto.Equal(before[i], after[i]) || !proto.Equal(before[i], again[i]) {
			t.Fatalf("read model differs after restart:\n%v\n%v\n%v", before[i], after[i], again[i])
		}
	}
}

func TestImportIsIdempotentAndAllOrNothing(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	c := ctx(t)
	first, err := h.client.ImportPlan(c, &pb.ImportPlanRequest{Content: exampledata.Plan})
	if err != nil {
		t.Fatal(err)
	}
	if first.GetActorsCreated() != 12 || first.GetMeasuresCreated() != 8 {
		t.Fatalf("first import: %v", first)
	}
	seq := h.lastSeq()
	second, err := h.client.ImportPlan(c, &pb.ImportPlanRequest{Content: exampledata.Plan})
	if err != nil {
		t.Fatal(err)
	}
	if second.GetActorsCreated() != 0 || second.GetMeasuresCreated() != 0 || second.GetActorsUnchanged() != 12 || second.GetMeasuresUnchanged() != 8 || h.lastSeq() != seq {
		t.Fatalf("re-import changed something: %v, stream %d → %d", second, seq, h.lastSeq())
	}

	// A file with new entries and one bad row imports nothing.
	bad := `actors:
  - id: neustadt
    kind: MUNICIPALITY
    name: Gemeinde Neustadt
measures:
  - number: "3.1"
    title: Wohnraum für Geflüchtete vermitteln
    topic_field: HOUSING
    addressed_actor_kinds: [MUNICIPALITY]
  - number: "4.2"
    title: Vereine öffnen
    topic_field: SPORTS
    addressed_actor_kinds: [MUNICIPALITY]
`
	_, err = h.client.ImportPlan(c, &pb.ImportPlanRequest{Content: []byte(bad)})
	st := wantStatus(t, err, codes.InvalidArgument, "content")
	if !strings.Contains(st.Message(), "line 10") || !strings.Contains(st.Message(), "measures[1].topic_field") {
		t.Fatalf("error does not name line 10 and the field: %s", st.Message())
	}
	if h.lastSeq() != seq {
		t.Fatalf("a failed import wrote %d events", h.lastSeq()-seq)
	}
	// validate_only writes nothing either.
	good := strings.Replace(bad, "SPORTS", "LEISURE", 1)
	check, err := h.client.ImportPlan(c, &pb.ImportPlanRequest{Content: []byte(good), ValidateOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if check.GetMeasuresCreated() != 2 || h.lastSeq() != seq {
		t.Fatalf("validate_only: %v, stream %d → %d", check, seq, h.lastSeq())
	}
}

func TestEveryChangeIsPublished(t *testing.T) {
	ns := natstest.Start(t)
	h := start(t, ns, false)
	nc, _ := ns.Connect(t)
	sub, err := nc.SubscribeSync("integration.measures.>")
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil { // the server has the subscription before the first write
		t.Fatal(err)
	}
	fixture(t, h)
	r := setStatus("measures/m-2-5/adoptions/backnang", pb.AdoptionStatus_ADOPTION_STATUS_CONSIDERING)
	if _, err := h.client.SetAdoptionStatus(ctx(t), r); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"integration.measures.actor.landkreis.actor_created",
		"integration.measures.actor.backnang.actor_created",
		"integration.measures.actor.ihk.actor_created",
		"integration.measures.measure.m-2-5.measure_created",
		"integration.measures.measure.m-2-5.adoption_status_changed",
	}
	var last *nats.Msg
	for _, subject := range want {
		msg, err := sub.NextMsg(5 * time.Second)
		if err != nil {
			t.Fatalf("waiting for %s: %v", subject, err)
		}
		if msg.Subject != subject {
			t.Fatalf("got %s, want %s", msg.Subject, subject)
		}
		last = msg
	}
	if last.Header.Get("ce-type") != "integration.measures.v1.AdoptionStatusChanged" || last.Header.Get("ce-id") == "" ||
		last.Header.Get("Nats-Msg-Id") != last.Header.Get("ce-id") || last.Header.Get("ce-specversion") != "1.0" {
		t.Fatalf("headers %v", last.Header)
	}
	var ev pb.AdoptionStatusChanged
	if err := proto.Unmarshal(last.Data, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.GetMeasureId() != "m-2-5" || ev.GetActorId() != "backnang" || ev.GetFromStatus() != pb.AdoptionStatus_ADOPTION_STATUS_OFFERED ||
		ev.GetToStatus() != pb.AdoptionStatus_ADOPTION_STATUS_CONSIDERING || ev.GetChangeTime() == nil || ev.GetDecidingBody() != "Gemeinderat" {
		t.Fatalf("event %v", &ev)
	}
}

func TestHealthAndReflection(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	c := ctx(t)
	resp, err := healthpb.NewHealthClient(h.conn).Check(c, &healthpb.HealthCheckRequest{Service: "integration.measures.v1.MeasureService"})
	if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health: %v %v", resp, err)
	}
	stream, err := reflectionpb.NewServerReflectionClient(h.conn).ServerReflectionInfo(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	got, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range got.GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	if !strings.Contains(strings.Join(names, " "), "integration.measures.v1.MeasureService") {
		t.Fatalf("reflection lists %v", names)
	}
}

func TestShutdownReportsNotServingAndFinishes(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	conn, err := grpc.NewClient(h.svc.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	watch, err := healthpb.NewHealthClient(conn).Watch(context.Background(), &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if first, err := watch.Recv(); err != nil || first.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("first health: %v %v", first, err)
	}
	stopped := make(chan struct{})
	go func() { h.stop(); close(stopped) }()
	next, err := watch.Recv()
	if err != nil || next.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Fatalf("health during shutdown: %v %v", next, err)
	}
	conn.Close() // the last open call; the graceful stop can finish
	select {
	case <-stopped:
	case <-time.After(4 * time.Second):
		t.Fatal("graceful stop did not finish after the last call ended")
	}
}

// commandEvents counts the events of the measures stream other than the
// published value changes, which follow the commands asynchronously.
func commandEvents(t *testing.T, h *harness) uint64 {
	t.Helper()
	info, err := h.stream.Info(ctx(t), jetstream.WithSubjectFilter(valueSubjects))
	if err != nil {
		t.Fatal(err)
	}
	n := info.State.Msgs
	for _, count := range info.State.Subjects {
		n -= count
	}
	return n
}
