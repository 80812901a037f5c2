package service_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
)

const (
	county   = "actors/landkreis"
	backnang = "actors/backnang"
	chamber  = "actors/ihk"
	m25      = "measures/m-2-5"
)

// fixture creates three actors and measure 2.5, offered to the county and
// the municipalities (not to chambers).
func fixture(t *testing.T, h *harness) { fixtureTB(t, h) }

func fixtureTB(t testing.TB, h *harness) {
	t.Helper()
	c := ctx(t)
	for _, a := range []struct {
		id   string
		kind pb.ActorKind
		name string
	}{
		{"landkreis", pb.ActorKind_ACTOR_KIND_COUNTY, "Landkreis Rems-Murr-Kreis"},
		{"backnang", pb.ActorKind_ACTOR_KIND_MUNICIPALITY, "Stadt Backnang"},
		{"ihk", pb.ActorKind_ACTOR_KIND_CHAMBER, "IHK Region Stuttgart"},
	} {
		if _, err := h.client.CreateActor(c, &pb.CreateActorRequest{ActorId: a.id, Actor: &pb.Actor{Kind: a.kind, DisplayName: a.name}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.client.CreateMeasure(c, &pb.CreateMeasureRequest{Measure: measure25()}); err != nil {
		t.Fatal(err)
	}
}

func measure25() *pb.Measure {
	return &pb.Measure{
		Number: "2.5", Title: "Standardprozess von der Kompetenzanalyse bis zur Arbeitsmarktintegration",
		TopicField:          pb.TopicField_TOPIC_FIELD_LABOUR_MARKET,
		CrossCuttingAreas:   []pb.CrossCuttingArea{pb.CrossCuttingArea_CROSS_CUTTING_AREA_PROCESSES},
		AddressedActorKinds: []pb.ActorKind{pb.ActorKind_ACTOR_KIND_COUNTY, pb.ActorKind_ACTOR_KIND_MUNICIPALITY},
		Lead:                "Stabsstelle Wirtschaftsförderung",
	}
}

func pct(n int32) *int32 { return &n }

func setStatus(name string, s pb.AdoptionStatus) *pb.SetAdoptionStatusRequest {
	return &pb.SetAdoptionStatusRequest{Name: name, Status: s, DecidingBody: "Gemeinderat", DecidedOn: "2024-02-01"}
}

func withMeasure(mod func(*pb.Measure)) *pb.CreateMeasureRequest {
	m := measure25()
	m.Number = "2.7"
	mod(m)
	return &pb.CreateMeasureRequest{Measure: m}
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

func TestBadInputIsRefusedAndChangesNothing(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	fixture(t, h)
	c := ctx(t)
	adoption := m25 + "/adoptions/backnang"
	const reqID = "6f1c0d2e-6a7b-4c8d-9e0f-112233445566"
	if _, err := h.client.SetAdoptionStatus(c, &pb.SetAdoptionStatusRequest{Name: adoption, Status: pb.AdoptionStatus_ADOPTION_STATUS_CONSIDERING, RequestId: reqID}); err != nil {
		t.Fatal(err)
	}
	hugeTitle := strings.Repeat("x", 201)

	cases := []struct {
		name  string
		call  func() error
		code  codes.Code
		field string
	}{
		{"GetMeasure empty name", func() error { _, err := h.client.GetMeasure(c, &pb.GetMeasureRequest{}); return err }, codes.InvalidArgument, "name"},
		{"GetMeasure number instead of ID", func() error {
			_, err := h.client.GetMeasure(c, &pb.GetMeasureRequest{Name: "measures/2.5"})
			return err
		}, codes.InvalidArgument, "name"},
		{"GetMeasure unknown", func() error {
			_, err := h.client.GetMeasure(c, &pb.GetMeasureRequest{Name: "measures/m-9-9"})
			return err
		}, codes.NotFound, ""},
		{"CreateMeasure without measure", func() error { _, err := h.client.CreateMeasure(c, &pb.CreateMeasureRequest{}); return err }, codes.InvalidArgument, "measure"},
		{"CreateMeasure without title", func() error {
			_, err := h.client.CreateMeasure(c, withMeasure(func(m *pb.Measure) { m.Title = "" }))
			return err
		}, codes.InvalidArgument, "measure.title"},
		{"CreateMeasure title too long", func() error {
			_, err := h.client.CreateMeasure(c, withMeasure(func(m *pb.Measure) { m.Title = hugeTitle }))
			return err
		}, codes.InvalidArgument, "measure.title"},
		{"CreateMeasure malformed number", func() error {
			_, err := h.client.CreateMeasure(c, withMeasure(func(m *pb.Measure) { m.Number = "2,7" }))
			return err
		}, codes.InvalidArgument, "measure.number"},
		{"CreateMeasure chapter of another topic field", func() error {
			_, err := h.client.CreateMeasure(c, withMeasure(func(m *pb.Measure) { m.TopicField = pb.TopicField_TOPIC_FIELD_HOUSING }))
			return err
		}, codes.InvalidArgument, "measure.topic_field"},
		{"CreateMeasure unknown topic field", func() error {
			_, err := h.client.CreateMeasure(c, withMeasure(func(m *pb.Measure) { m.TopicField = 42 }))
			return err
		}, codes.InvalidArgument, "measure.topic_field"},
		{"CreateMeasure addressing nobody", func() error {
			_, err := h.client.CreateMeasure(c, withMeasure(func(m *pb.Measure) { m.AddressedActorKinds = nil }))
			return err
		}, codes.InvalidArgument, "measure.addressed_actor_kinds"},
		{"CreateMeasure duplicate number", func() error {
			_, err := h.client.CreateMeasure(c, &pb.CreateMeasureRequest{Measure: measure25()})
			return err
		}, codes.AlreadyExists, ""},
		{"CreateMeasure malformed request_id", func() error {
			r := withMeasure(func(*pb.Measure) {})
			r.RequestId = "not-a-uuid"
			_, err := h.client.CreateMeasure(c, r)
			return err
		}, codes.InvalidArgument, "request_id"},
		{"CreateActor without actor", func() error { _, err := h.client.CreateActor(c, &pb.CreateActorRequest{ActorId: "neu"}); return err }, codes.InvalidArgument, "actor"},
		{"CreateActor malformed id", func() error {
			_, err := h.client.CreateActor(c, &pb.CreateActorRequest{ActorId: "Neu Stadt", Actor: &pb.Actor{Kind: pb.ActorKind_ACTOR_KIND_MUNICIPALITY, DisplayName: "Neustadt"}})
			return err
		}, codes.InvalidArgument, "actor_id"},
		{"CreateActor without kind", func() error {
			_, err := h.client.CreateActor(c, &pb.CreateActorRequest{ActorId: "neustadt", Actor: &pb.Actor{DisplayName: "Neustadt"}})
			return err
		}, codes.InvalidArgument, "actor.kind"},
		{"CreateActor without name", func() error {
			_, err := h.client.CreateActor(c, &pb.CreateActorRequest{ActorId: "neustadt", Actor: &pb.Actor{Kind: pb.ActorKind_ACTOR_KIND_MUNICIPALITY}})
			return err
		}, codes.InvalidArgument, "actor.display_name"},
		{"CreateActor existing id", func() error {
			_, err := h.client.CreateActor(c, &pb.CreateActorRequest{ActorId: "backnang", Actor: &pb.Actor{Kind: pb.ActorKind_ACTOR_KIND_MUNICIPALITY, DisplayName: "Backnang"}})
			return err
		}, codes.AlreadyExists, ""},
		{"GetActor malformed", func() error { _, err := h.client.GetActor(c, &pb.GetActorRequest{Name: "actors/Backnang"}); return err }, codes.InvalidArgument, "name"},
		{"GetActor unknown", func() error {
			_, err := h.client.GetActor(c, &pb.GetActorRequest{Name: "actors/nirgendwo"})
			return err
		}, codes.NotFound, ""},
		{"ListActors unknown kind", func() error { _, err := h.client.ListActors(c, &pb.ListActorsRequest{Kind: 99}); return err }, codes.InvalidArgument, "kind"},
		{"ListMeasures negative page size", func() error { _, err := h.client.ListMeasures(c, &pb.ListMeasuresRequest{PageSize: -1}); return err }, codes.InvalidArgument, "page_size"},
		{"ListMeasures forged page token", func() error {
			_, err := h.client.ListMeasures(c, &pb.ListMeasuresRequest{PageToken: "Zm9v"})
			return err
		}, codes.InvalidArgument, "page_token"},
		{"ListMeasures malformed actor", func() error {
			_, err := h.client.ListMeasures(c, &pb.ListMeasuresRequest{Actor: "backnang"})
			return err
		}, codes.InvalidArgument, "actor"},
		{"ListMeasures unknown actor", func() error {
			_, err := h.client.ListMeasures(c, &pb.ListMeasuresRequest{Actor: "actors/nirgendwo"})
			return err
		}, codes.NotFound, ""},
		{"ListMeasures unknown status", func() error {
			_, err := h.client.ListMeasures(c, &pb.ListMeasuresRequest{AdoptionStatus: 77})
			return err
		}, codes.InvalidArgument, "adoption_status"},
		{"ListAdoptions without parent", func() error { _, err := h.client.ListAdoptions(c, &pb.ListAdoptionsRequest{}); return err }, codes.InvalidArgument, "parent"},
		{"ListAdoptions unknown measure", func() error {
			_, err := h.client.ListAdoptions(c, &pb.ListAdoptionsRequest{Parent: "measures/m-4-4"})
			return err
		}, codes.NotFound, ""},
		{"GetMeasureTimeline malformed", func() error {
			_, err := h.client.GetMeasureTimeline(c, &pb.GetMeasureTimelineRequest{Name: "m-2-5"})
			return err
		}, codes.InvalidArgument, "name"},
		{"GetMeasureTimeline unknown", func() error {
			_, err := h.client.GetMeasureTimeline(c, &pb.GetMeasureTimelineRequest{Name: "measures/m-4-4"})
			return err
		}, codes.NotFound, ""},
		{"SetAdoptionStatus malformed name", func() error {
			_, err := h.client.SetAdoptionStatus(c, setStatus("measures/m-2-5/backnang", 2))
			return err
		}, codes.InvalidArgument, "name"},
		{"SetAdoptionStatus unknown measure", func() error {
			_, err := h.client.SetAdoptionStatus(c, setStatus("measures/m-4-4/adoptions/backnang", 2))
			return err
		}, codes.NotFound, ""},
		{"SetAdoptionStatus unknown actor", func() error {
			_, err := h.client.SetAdoptionStatus(c, setStatus(m25+"/adoptions/nirgendwo", 2))
			return err
		}, codes.NotFound, ""},
		{"SetAdoptionStatus actor not addressed", func() error {
			_, err := h.client.SetAdoptionStatus(c, setStatus(m25+"/adoptions/ihk", 2))
			return err
		}, codes.NotFound, ""},
		{"SetAdoptionStatus without status", func() error { _, err := h.client.SetAdoptionStatus(c, setStatus(adoption, 0)); return err }, codes.InvalidArgument, "status"},
		{"SetAdoptionStatus back to OFFERED", func() error {
			_, err := h.client.SetAdoptionStatus(c, setStatus(adoption, pb.AdoptionStatus_ADOPTION_STATUS_OFFERED))
			return err
		}, codes.InvalidArgument, "status"},
		{"SetAdoptionStatus progress out of range", func() error {
			r := setStatus(adoption, pb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS)
			r.ProgressPercent = pct(101)
			_, err := h.client.SetAdoptionStatus(c, r)
			return err
		}, codes.InvalidArgument, "progress_percent"},
		{"SetAdoptionStatus progress without IN_PROGRESS", func() error {
			r := setStatus(adoption, pb.AdoptionStatus_ADOPTION_STATUS_ADOPTED)
			r.ProgressPercent = pct(10)
			_, err := h.client.SetAdoptionStatus(c, r)
			return err
		}, codes.InvalidArgument, "progress_percent"},
		{"SetAdoptionStatus decision in the future", func() error {
			r := setStatus(adoption, pb.AdoptionStatus_ADOPTION_STATUS_ADOPTED)
			r.DecidedOn = time.Now().AddDate(0, 0, 3).Format(time.DateOnly)
			_, err := h.client.SetAdoptionStatus(c, r)
			return err
		}, codes.InvalidArgument, "decided_on"},
		{"SetAdoptionStatus malformed date", func() error {
			r := setStatus(adoption, pb.AdoptionStatus_ADOPTION_STATUS_ADOPTED)
			r.DecidedOn = "01.02.2024"
			_, err := h.client.SetAdoptionStatus(c, r)
			return err
		}, codes.InvalidArgument, "decided_on"},
		{"SetAdoptionStatus adopted without deciding body", func() error {
			r := setStatus(adoption, pb.AdoptionStatus_ADOPTION_STATUS_ADOPTED)
			r.DecidingBody = ""
			_, err := h.client.SetAdoptionStatus(c, r)
			return err
		}, codes.InvalidArgument, "deciding_body"},
		{"SetAdoptionStatus forbidden transition", func() error {
			_, err := h.client.SetAdoptionStatus(c, setStatus(adoption, pb.AdoptionStatus_ADOPTION_STATUS_IMPLEMENTED))
			return err
		}, codes.FailedPrecondition, ""},
		{"SetAdoptionStatus stale etag", func() error {
			r := setStatus(adoption, pb.AdoptionStatus_ADOPTION_STATUS_ADOPTED)
			r.Etag = "1"
			_, err := h.client.SetAdoptionStatus(c, r)
			return err
		}, codes.Aborted, ""},
		{"SetAdoptionStatus request_id reused for another request", func() error {
			r := setStatus(adoption, pb.AdoptionStatus_ADOPTION_STATUS_ADOPTED)
			r.RequestId = reqID
			_, err := h.client.SetAdoptionStatus(c, r)
			return err
		}, codes.InvalidArgument, "request_id"},
		{"ImportPlan not YAML", func() error {
			_, err := h.client.ImportPlan(c, &pb.ImportPlanRequest{Content: []byte("measures: [")})
			return err
		}, codes.InvalidArgument, "content"},
		{"ImportPlan contradicting the stored plan", func() error {
			_, err := h.client.ImportPlan(c, &pb.ImportPlanRequest{Content: []byte("actors:\n  - id: backnang\n    kind: MUNICIPALITY\n    name: Große Kreisstadt Backnang\n")})
			return err
		}, codes.FailedPrecondition, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := h.lastSeq()
			wantStatus(t, tc.call(), tc.code, tc.field)
			if after := h.lastSeq(); after != before {
				t.Fatalf("the stream moved from %d to %d", before, after)
			}
		})
	}
}

func TestForbiddenTransitionNamesBothStates(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	fixture(t, h)
	_, err := h.client.SetAdoptionStatus(ctx(t), setStatus(m25+"/adoptions/backnang", pb.AdoptionStatus_ADOPTION_STATUS_IMPLEMENTED))
	st := wantStatus(t, err, codes.FailedPrecondition, "")
	if !strings.Contains(st.Message(), "OFFERED") || !strings.Contains(st.Message(), "IMPLEMENTED") {
		t.Errorf("message %q does not name both states", st.Message())
	}
	var info *errdetails.ErrorInfo
	for _, d := range st.Details() {
		if i, ok := d.(*errdetails.ErrorInfo); ok {
			info = i
		}
	}
	if info == nil || info.GetReason() != "INVALID_TRANSITION" || info.GetMetadata()["from"] != "OFFERED" || info.GetMetadata()["to"] != "IMPLEMENTED" {
		t.Fatalf("ErrorInfo %v", info)
	}
}

func TestAdoptionLifecycleTimelineAndReport(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	fixture(t, h)
	c := ctx(t)
	name := m25 + "/adoptions/backnang"
	steps := []struct {
		status   pb.AdoptionStatus
		progress *int32
		want     int32
	}{
		{pb.AdoptionStatus_ADOPTION_STATUS_CONSIDERING, nil, 0},
		{pb.AdoptionStatus_ADOPTION_STATUS_ADOPTED, nil, 0},
		{pb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS, pct(30), 30},
		{pb.AdoptionStatus_ADOPTION_STATUS_PAUSED, nil, 30},
		{pb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS, pct(70), 70},
		{pb.AdoptionStatus_ADOPTION_STATUS_IMPLEMENTED, nil, 100},
	}
	etag := "0"
	for _, s := range steps {
		r := setStatus(name, s.status)
		r.ProgressPercent, r.Etag = s.progress, etag
		resp, err := h.client.SetAdoptionStatus(c, r)
		if err != nil {
			t.Fatalf("%v: %v", s.status, err)
		}
		a := resp.GetAdoption()
		if a.GetStatus() != s.status || a.GetProgressPercent() != s.want || a.GetEtag() == etag {
			t.Fatalf("after %v: %v", s.status, a)
		}
		etag = a.GetEtag()
		// Read-your-writes: the next read sees the write.
		got, err := h.client.ListAdoptions(c, &pb.ListAdoptionsRequest{Parent: m25, Actor: backnang})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.GetAdoptions()) != 1 || !proto.Equal(got.GetAdoptions()[0], a) {
			t.Fatalf("read after write: %v, wrote %v", got.GetAdoptions(), a)
		}
	}
	tl, err := h.client.GetMeasureTimeline(c, &pb.GetMeasureTimelineRequest{Name: m25})
	if err != nil {
		t.Fatal(err)
	}
	if len(tl.GetEntries()) != 1+len(steps) {
		t.Fatalf("timeline has %d entries, want %d", len(tl.GetEntries()), 1+len(steps))
	}
	prev := pb.AdoptionStatus_ADOPTION_STATUS_OFFERED
	for i, s := range steps {
		e := tl.GetEntries()[i+1]
		if e.GetActor() != backnang || e.GetFromStatus() != prev || e.GetToStatus() != s.status || e.GetSummary() == "" {
			t.Fatalf("timeline entry %d: %v", i+1, e)
		}
		prev = s.status
	}

	rep, err := h.client.GetAdoptionReport(c, &pb.GetAdoptionReportRequest{})
	if err != nil {
		t.Fatal(err)
	}
	// Measure 2.5 addresses the county (OFFERED) and Backnang (IMPLEMENTED).
	plan := rep.GetPlan()
	if plan.GetTotal() != 2 || plan.GetAdoptedShare() != 0.5 || plan.GetMeanProgressPercent() != 100 {
		t.Fatalf("plan figures %v", plan)
	}
	for _, f := range rep.GetByActor() {
		if f.GetGroup() == chamber && f.GetTotal() != 0 {
			t.Fatalf("the chamber is not addressed but has %v", f)
		}
	}
}

func TestListMeasuresFiltersAndPages(t *testing.T) {
	h := start(t, natstest.Start(t), true) // Beispieldaten: 8 measures
	c := ctx(t)
	var numbers []string
	token := ""
	for {
		resp, err := h.client.ListMeasures(c, &pb.ListMeasuresRequest{PageSize: 3, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if resp.GetTotalSize() != 8 {
			t.Fatalf("total size %d", resp.GetTotalSize())
		}
		for _, m := range resp.GetMeasures() {
			numbers = append(numbers, m.GetNumber())
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	if got := strings.Join(numbers, " "); got != "1.1 1.2 1.3 1.5 1.6 2.3 2.5 2.6" {
		t.Fatalf("paged through %s", got)
	}
	filters := []struct {
		req  *pb.ListMeasuresRequest
		want string
	}{
		{&pb.ListMeasuresRequest{TopicField: pb.TopicField_TOPIC_FIELD_LABOUR_MARKET}, "2.3 2.5 2.6"},
		{&pb.ListMeasuresRequest{CrossCuttingArea: pb.CrossCuttingArea_CROSS_CUTTING_AREA_VOLUNTEERING}, "1.6"},
		{&pb.ListMeasuresRequest{Actor: "actors/ihk-rems-murr"}, "2.3 2.5 2.6"},
		{&pb.ListMeasuresRequest{Actor: "actors/backnang", AdoptionStatus: pb.AdoptionStatus_ADOPTION_STATUS_ADOPTED}, "1.3"},
		{&pb.ListMeasuresRequest{AdoptionStatus: pb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS}, "1.3 2.3"},
		{&pb.ListMeasuresRequest{AdoptionStatus: pb.AdoptionStatus_ADOPTION_STATUS_DECLINED}, "1.3"},
	}
	for _, f := range filters {
		resp, err := h.client.ListMeasures(c, f.req)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range resp.GetMeasures() {
			got = append(got, m.GetNumber())
		}
		if strings.Join(got, " ") != f.want {
			t.Errorf("%v: got %v, want %s", f.req, got, f.want)
		}
	}
	// A token from one filter does not page another.
	first, err := h.client.ListMeasures(c, &pb.ListMeasuresRequest{PageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.client.ListMeasures(c, &pb.ListMeasuresRequest{PageSize: 1, PageToken: first.GetNextPageToken(), TopicField: pb.TopicField_TOPIC_FIELD_LEISURE})
	wantStatus(t, err, codes.InvalidArgument, "page_token")
}

func TestRequestIDMakesRetriesSafe(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	fixture(t, h)
	c := ctx(t)
	r := setStatus(m25+"/adoptions/landkreis", pb.AdoptionStatus_ADOPTION_STATUS_CONSIDERING)
	r.RequestId = "0b7e3d1c-2a4f-4e5d-8c9b-aabbccddeeff"
	first, err := h.client.SetAdoptionStatus(c, r)
	if err != nil {
		t.Fatal(err)
	}
	seq := h.lastSeq()
	retry, err := h.client.SetAdoptionStatus(c, r)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if !proto.Equal(first, retry) || h.lastSeq() != seq {
		t.Fatalf("retry acted again: %v vs %v, stream %d → %d", first, retry, seq, h.lastSeq())
	}

	create := &pb.CreateMeasureRequest{Measure: withMeasure(func(*pb.Measure) {}).GetMeasure(), RequestId: "5d2c1b0a-9f8e-4d7c-b6a5-0123456789ab"}
	m1, err := h.client.CreateMeasure(c, create)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := h.client.CreateMeasure(c, create)
	if err != nil {
		t.Fatalf("retried creation: %v", err)
	}
	if !proto.Equal(m1, m2) {
		t.Fatalf("retried creation returned %v, first %v", m2, m1)
	}
}

func TestConcurrentDecisionsOnOneMeasureAllLand(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	fixture(t, h)
	c := ctx(t)
	const n = 12
	for i := range n {
		if _, err := h.client.CreateActor(c, &pb.CreateActorRequest{ActorId: fmt.Sprintf("gemeinde-%d", i), Actor: &pb.Actor{Kind: pb.ActorKind_ACTOR_KIND_MUNICIPALITY, DisplayName: fmt.Sprintf("Gemeinde %d", i)}}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := h.client.SetAdoptionStatus(c, setStatus(fmt.Sprintf("%s/adoptions/gemeinde-%d", m25, i), pb.AdoptionStatus_ADOPTION_STATUS_CONSIDERING))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	resp, err := h.client.ListAdoptions(c, &pb.ListAdoptionsRequest{Parent: m25, Status: pb.AdoptionStatus_ADOPTION_STATUS_CONSIDERING})
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetTotalSize() != n {
		t.Fatalf("%d adoptions CONSIDERING, want %d", resp.GetTotalSize(), n)
	}
}

func TestConcurrentWritersWithOneEtagOneWins(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	fixture(t, h)
	c := ctx(t)
	const n = 8
	var wg sync.WaitGroup
	codesSeen := make(chan codes.Code, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := setStatus(m25+"/adoptions/backnang", pb.AdoptionStatus_ADOPTION_STATUS_CONSIDERING)
			r.Etag = "0"
			_, err := h.client.SetAdoptionStatus(c, r)
			codesSeen <- status.Code(err)
		}()
	}
	wg.Wait()
	close(codesSeen)
	count := map[codes.Code]int{}
	for code := range codesSeen {
		count[code]++
	}
	// The losers see either the stale etag or, when their check ran after the
	// winner's write, the transition CONSIDERING → CONSIDERING refused.
	if count[codes.OK] != 1 || count[codes.Aborted]+count[codes.FailedPrecondition] != n-1 {
		t.Fatalf("outcomes %v, want one OK and the rest ABORTED or FAILED_PRECONDITION", count)
	}
}
