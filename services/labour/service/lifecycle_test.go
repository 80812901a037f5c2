package service_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	"github.com/integrationsplan/integrationsplan/platform/personal"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	"github.com/integrationsplan/integrationsplan/services/labour/service"
)

// snapshot reads everything the API shows.
func snapshot(t *testing.T, h *harness) []proto.Message {
	t.Helper()
	c := ctx(t)
	cases, err := h.client.ListCases(c, &pb.ListCasesRequest{PageSize: 500})
	if err != nil {
		t.Fatal(err)
	}
	versions, err := h.client.ListProcessVersions(c, &pb.ListProcessVersionsRequest{Parent: standard})
	if err != nil {
		t.Fatal(err)
	}
	funnel, err := h.client.GetFunnelReport(c, &pb.GetFunnelReportRequest{Process: standard})
	if err != nil {
		t.Fatal(err)
	}
	pilots, err := h.client.ListPilotProjects(c, &pb.ListPilotProjectsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	events, err := h.client.ListOrientationEvents(c, &pb.ListOrientationEventsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return []proto.Message{cases, versions, funnel, pilots, events}
}

func TestRestartKeepsStateAndSeedsNothingTwice(t *testing.T) {
	ns := natstest.Start(t)
	h := start(t, ns, true)
	c := complete(t, h, newCase(t, h), "consent", "documents")
	advance(t, h, c)
	seq := h.lastSeq()
	before := snapshot(t, h)
	h.stop()

	h2 := start(t, ns, true)
	if h2.lastSeq() != seq {
		t.Fatalf("second start wrote %d more events", h2.lastSeq()-seq)
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

func TestOverdueIsFlaggedOncePerStay(t *testing.T) {
	clk := &clock{now: time.Now()}
	h := startWith(t, natstest.Start(t), func(c *service.Config) {
		c.ExampleData, c.Now, c.OverdueInterval = true, clk.Now, 10*time.Millisecond
	})
	c := newCase(t, h)
	id := strings.TrimPrefix(c.GetName(), "cases/")
	overdueEvents := func() int {
		n := 0
		for _, m := range h.events() {
			if m.Subject == "integration.labour.case."+id+".case_overdue" {
				n++
			}
		}
		return n
	}
	isOverdue := func() bool {
		got, err := h.client.GetCase(ctx(t), &pb.GetCaseRequest{Name: c.GetName()})
		if err != nil {
			t.Fatal(err)
		}
		c = got.GetCase()
		return c.GetOverdue()
	}

	clk.advance(13 * 24 * time.Hour) // the intake's target is 14 days
	time.Sleep(50 * time.Millisecond)
	if isOverdue() {
		t.Fatal("overdue before the time target")
	}
	clk.advance(2 * 24 * time.Hour)
	eventually(t, "the case is flagged overdue", isOverdue)
	time.Sleep(50 * time.Millisecond) // several more checks
	if n := overdueEvents(); n != 1 {
		t.Fatalf("%d overdue events for one stay, want 1", n)
	}
	listed, err := h.client.ListCases(ctx(t), &pb.ListCasesRequest{OverdueOnly: true})
	if err != nil || len(listed.GetCases()) != 1 || listed.GetCases()[0].GetName() != c.GetName() {
		t.Fatalf("overdue cases: %v %v", listed, err)
	}

	// A new stage is a new stay with its own target (30 days).
	c = advance(t, h, complete(t, h, c, "consent", "documents"))
	if c.GetOverdue() {
		t.Fatal("the new stage is overdue at once")
	}
	clk.advance(31 * 24 * time.Hour)
	eventually(t, "the case is flagged overdue in its new stage", isOverdue)
	if n := overdueEvents(); n != 2 {
		t.Fatalf("%d overdue events for two stays, want 2", n)
	}
	f, err := h.client.GetFunnelReport(ctx(t), &pb.GetFunnelReportRequest{Process: standard})
	if err != nil {
		t.Fatal(err)
	}
	// The example case waiting in the competence analysis since the start is overdue too.
	if f.GetOverdueCases() != 2 || f.GetStages()[1].GetOverdue() != 2 {
		t.Fatalf("funnel overdue: %v", f)
	}

	// Leaving the competence analysis after 31 days on the test clock: of
	// the two cases that reached it one went on, and its one finished stay
	// is the median. The other organisation's case never got there.
	advance(t, h, complete(t, h, c, "skills-test", "language-level"))
	f, err = h.client.GetFunnelReport(ctx(t), &pb.GetFunnelReportRequest{Process: standard})
	if err != nil {
		t.Fatal(err)
	}
	if s := f.GetStages()[1]; s.GetMedianDays() != 31 || s.GetFinishedStays() != 1 || s.GetConversionToNext() != 0.5 || s.GetOverdue() != 1 || f.GetOverdueCases() != 1 {
		t.Fatalf("funnel after leaving the competence analysis: %v", f)
	}
	other, err := h.client.GetFunnelReport(ctx(t), &pb.GetFunnelReportRequest{Process: standard, Owner: "agentur-fuer-arbeit-waiblingen"})
	if err != nil || other.GetStages()[1].GetReached() != 0 || other.GetStages()[1].GetMedianDays() != 0 || other.GetTotalCases() != 1 {
		t.Fatalf("funnel of the other organisation: %v %v", other, err)
	}
}

// onDisk reports which files of the NATS store directory contain needle.
func onDisk(t *testing.T, dir string, needle []byte) []string {
	t.Helper()
	var hits []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(data, needle) {
			hits = append(hits, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

// TestPersonalDataStaysOutOfEventsAndIsErasable creates a case with personal
// data, runs it a little, checks every event for the data, then erases it
// and searches the raw bytes of the NATS store for the data and its key.
func TestPersonalDataStaysOutOfEventsAndIsErasable(t *testing.T) {
	ns := natstest.Start(t)
	h := start(t, ns, true)
	c := ctx(t)
	pd := &pb.CasePersonalData{
		GivenName: "Zuleikha-Unverwechselbar", FamilyName: "Nachname-Einmalig", Phone: "0171-98765432",
		Email: "person-einmalig@example.org", Notes: "Notiz-Einmalig: spricht Dari",
	}
	created, err := h.client.CreateCase(c, &pb.CreateCaseRequest{Process: standard, Owner: "jobcenter-rems-murr", Municipality: "backnang", PersonalData: pd})
	if err != nil {
		t.Fatal(err)
	}
	cs := advance(t, h, complete(t, h, created.GetCase(), "consent", "documents"))
	if _, err := h.client.TransferCase(c, &pb.TransferCaseRequest{Name: cs.GetName(), ToOwner: "ihk-region-stuttgart"}); err != nil {
		t.Fatal(err)
	}
	got, err := h.client.GetCasePersonalData(c, &pb.GetCasePersonalDataRequest{Name: cs.GetName()})
	if err != nil || !proto.Equal(got.GetPersonalData(), pd) || got.GetErased() {
		t.Fatalf("personal data: %v %v", got, err)
	}
	// A refused creation stores no personal data.
	data, err := h.js.Stream(c, personal.DataStream("labour"))
	if err != nil {
		t.Fatal(err)
	}
	stored := func() uint64 {
		info, err := data.Info(c)
		if err != nil {
			t.Fatal(err)
		}
		return info.State.Msgs
	}
	before := stored()
	_, err = h.client.CreateCase(c, &pb.CreateCaseRequest{Process: "processes/nirgends", Owner: "jobcenter-rems-murr", Municipality: "backnang", PersonalData: pd})
	wantStatus(t, err, codes.NotFound, "")
	if stored() != before {
		t.Fatal("a refused creation stored personal data")
	}
	forbidden := []string{pd.GivenName, pd.FamilyName, pd.Phone, pd.Email, "Notiz-Einmalig"}
	checkEvents := func() {
		for _, m := range h.events() {
			raw := m.Subject + string(m.Data)
			for k, vs := range m.Header {
				raw += k + strings.Join(vs, "")
			}
			for _, f := range forbidden {
				if strings.Contains(raw, f) {
					t.Fatalf("event %d (%s) contains %q", m.Sequence, m.Subject, f)
				}
			}
		}
	}
	checkEvents()

	id := strings.TrimPrefix(cs.GetName(), "cases/")
	keys, err := h.js.Stream(c, personal.KeyStream("labour"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := keys.GetLastMsgForSubject(c, "labour.personal.keys."+id)
	if err != nil {
		t.Fatal(err)
	}
	if len(onDisk(t, ns.Dir, key.Data)) == 0 {
		t.Fatal("the search does not find the key before the erasure")
	}
	for _, f := range forbidden {
		if hits := onDisk(t, ns.Dir, []byte(f)); len(hits) != 0 {
			t.Fatalf("%q is on disk in plain text: %v", f, hits)
		}
	}
	funnelBefore, err := h.client.GetFunnelReport(c, &pb.GetFunnelReportRequest{Process: standard})
	if err != nil {
		t.Fatal(err)
	}

	erased, err := h.client.EraseCasePersonalData(c, &pb.EraseCasePersonalDataRequest{Name: cs.GetName()})
	if err != nil || !erased.GetCase().GetPersonalDataErased() {
		t.Fatalf("erase: %v %v", erased, err)
	}
	seq := h.lastSeq()
	if _, err := h.client.EraseCasePersonalData(c, &pb.EraseCasePersonalDataRequest{Name: cs.GetName()}); err != nil || h.lastSeq() != seq {
		t.Fatalf("erasing again: %v, stream %d → %d", err, seq, h.lastSeq())
	}
	if hits := onDisk(t, ns.Dir, key.Data); len(hits) != 0 {
		t.Fatalf("the key survived the erasure in %v", hits)
	}
	checkEvents()
	after, err := h.client.GetCasePersonalData(c, &pb.GetCasePersonalDataRequest{Name: cs.GetName()})
	if err != nil || after.GetPersonalData() != nil || !after.GetErased() {
		t.Fatalf("after erasure: %v %v", after, err)
	}
	funnelAfter, err := h.client.GetFunnelReport(c, &pb.GetFunnelReportRequest{Process: standard})
	if err != nil || !proto.Equal(funnelBefore, funnelAfter) {
		t.Fatalf("the erasure changed the figures:\n%v\n%v", funnelBefore, funnelAfter)
	}
	// A restart replays the erasure; the case and its history stay.
	h.stop()
	h2 := start(t, ns, true)
	again, err := h2.client.GetCase(ctx(t), &pb.GetCaseRequest{Name: cs.GetName()})
	if err != nil || !again.GetCase().GetPersonalDataErased() || again.GetCase().GetStage() != "competence-analysis" ||
		again.GetCase().GetPendingTransfer().GetToOwner() != "ihk-region-stuttgart" {
		t.Fatalf("after restart: %v %v", again, err)
	}
}
