package service_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/natstest"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	"github.com/integrationsplan/integrationsplan/services/education/service"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// harness is an education service on free ports against an embedded NATS
// server, and a gRPC client for it.
type harness struct {
	t      testing.TB
	nats   *natstest.Server
	js     jetstream.JetStream
	client pb.EducationServiceClient
	stream jetstream.Stream
	stop   func()
}

func start(t testing.TB, ns *natstest.Server, exampleData bool) *harness {
	t.Helper()
	return startWith(t, ns, func(c *service.Config) { c.ExampleData = exampleData })
}

// startWith starts a service whose configuration mod changes.
func startWith(t testing.TB, ns *natstest.Server, mod func(*service.Config)) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cfg := service.Config{
		GRPCAddr: "127.0.0.1:0", AdminAddr: "127.0.0.1:0", NATSURL: ns.ClientURL(), StreamReplicas: 1,
		Neighbours: service.DefaultNeighbours, ShutdownTimeout: 5 * time.Second,
	}
	mod(&cfg)
	svc, err := service.Start(ctx, cfg, quiet)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Serve(ctx) }()
	conn, err := grpc.NewClient(svc.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	_, js := ns.Connect(t)
	stream, err := js.Stream(context.Background(), eventstore.StreamName(service.Name))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, nats: ns, js: js, client: pb.NewEducationServiceClient(conn), stream: stream}
	stopped := false
	h.stop = func() {
		if stopped {
			return
		}
		stopped = true
		conn.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
	t.Cleanup(h.stop)
	return h
}

// lastSeq is the event stream's last sequence, read from the server.
func (h *harness) lastSeq() uint64 {
	h.t.Helper()
	info, err := h.stream.Info(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return info.State.LastSeq
}

// event is a stored event as a test sees it.
type event struct {
	Seq     uint64
	Subject string
	// Type is the event's subject token, e.g. seat_freed.
	Type    string
	Payload proto.Message
}

func (e event) String() string { return fmt.Sprintf("%d %s", e.Seq, e.Subject) }

// eventsAfter reads the events stored after sequence seq.
func (h *harness) eventsAfter(seq uint64) []event {
	h.t.Helper()
	var out []event
	for s := seq + 1; s <= h.lastSeq(); s++ {
		raw, err := h.stream.GetMsg(context.Background(), s)
		if err != nil {
			h.t.Fatal(err)
		}
		env, err := eventstore.DecodeRaw(raw)
		if err != nil {
			h.t.Fatal(err)
		}
		out = append(out, event{Seq: s, Subject: env.Subject, Type: env.Subject[strings.LastIndexByte(env.Subject, '.')+1:], Payload: env.Payload})
	}
	return out
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

// wantStatus checks the code and, for INVALID_ARGUMENT, that a field
// violation names field.
func wantStatus(t *testing.T, err error, code codes.Code, field string) *status.Status {
	t.Helper()
	st, _ := status.FromError(err)
	if st.Code() != code {
		t.Fatalf("got %v %q, want %v", st.Code(), st.Message(), code)
	}
	if field == "" {
		return st
	}
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				if v.GetField() == field {
					return st
				}
			}
			t.Fatalf("field violations %v do not name %q", br.GetFieldViolations(), field)
		}
	}
	t.Fatalf("no BadRequest details naming %q in %v", field, st.Details())
	return st
}

const provider = "providers/vhs-backnang"

func createProvider(t testing.TB, h *harness) {
	t.Helper()
	if _, err := h.client.CreateProvider(ctx(t), &pb.CreateProviderRequest{ProviderId: "vhs-backnang", Provider: &pb.Provider{
		Kind: pb.ProviderKind_PROVIDER_KIND_ADULT_EDUCATION_CENTRE, DisplayName: "VHS Backnang", Municipality: "backnang",
	}}); err != nil {
		t.Fatal(err)
	}
}

func offer(capacity int32) *pb.Offer {
	return &pb.Offer{
		Provider: provider, Title: "Integrationskurs vormittags", Kind: pb.OfferKind_OFFER_KIND_INTEGRATION_COURSE_GENERAL,
		EntryLevel: pb.CefrLevel_CEFR_LEVEL_A1, TargetLevel: pb.CefrLevel_CEFR_LEVEL_B1, Municipality: "backnang",
		Schedule:  []*pb.TimeSlot{{Weekday: pb.Weekday_WEEKDAY_MONDAY, StartTime: "09:00", EndTime: "12:00"}},
		StartDate: "2027-01-11", EndDate: "2027-06-30", Capacity: capacity, Childcare: true,
	}
}

// openOffer creates an offer and opens it.
func openOffer(t testing.TB, h *harness, capacity int32) *pb.Offer {
	t.Helper()
	c := ctx(t)
	resp, err := h.client.CreateOffer(c, &pb.CreateOfferRequest{Offer: offer(capacity)})
	if err != nil {
		t.Fatal(err)
	}
	opened, err := h.client.SetOfferStatus(c, &pb.SetOfferStatusRequest{Name: resp.GetOffer().GetName(), Status: pb.OfferStatus_OFFER_STATUS_OPEN})
	if err != nil {
		t.Fatal(err)
	}
	return opened.GetOffer()
}

func assessment() *pb.Assessment {
	return &pb.Assessment{
		OverallLevel: pb.CefrLevel_CEFR_LEVEL_A1, Literacy: pb.Literacy_LITERACY_LITERATE, SchoolingYears: 10,
		Availability: []*pb.TimeSlot{{Weekday: pb.Weekday_WEEKDAY_MONDAY, StartTime: "08:00", EndTime: "13:00"}},
		Municipality: "backnang", Assessor: "vhs-backnang", AssessedOn: "2026-11-02",
	}
}

// participant registers and assesses a participant named given family.
func participant(t testing.TB, h *harness, given, family string) *pb.Participant {
	t.Helper()
	c := ctx(t)
	reg, err := h.client.RegisterParticipant(c, &pb.RegisterParticipantRequest{PersonalData: &pb.PersonalData{
		GivenName: given, FamilyName: family, BirthYear: 1994, Phone: "+49 7191 123456", Email: "person@example.org",
	}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := h.client.RecordAssessment(c, &pb.RecordAssessmentRequest{Name: reg.GetParticipant().GetName(), Assessment: assessment()})
	if err != nil {
		t.Fatal(err)
	}
	return a.GetParticipant()
}

func material() *pb.Material {
	return &pb.Material{
		Title: "Einkaufen im Supermarkt", Level: pb.CefrLevel_CEFR_LEVEL_A1, Topic: "Einkaufen",
		Format: pb.MaterialFormat_MATERIAL_FORMAT_WORKSHEET, Licence: "CC-BY-SA-4.0",
		Reference: &pb.Material_Link{Link: "https://example.org/arbeitsblatt-einkaufen.pdf"},
	}
}
