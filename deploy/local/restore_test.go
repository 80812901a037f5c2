package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/jsm.go"
	"github.com/nats-io/jsm.go/api"
	"github.com/nats-io/nats.go"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	edpb "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	mpb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	education "github.com/integrationsplan/integrationsplan/services/education/service"
)

// TestBackupRestoreDrill is the runbook's restore drill (deploy/README.md,
// "Back up and restore the streams"), with the library behind the nats CLI's
// `nats backup stream` and `nats backup restore stream` (jsm.go, as in
// natscli v0.5.0):
//
//  1. measures and education run with the Beispieldaten and further
//     changes; their API answers are recorded;
//  2. every stream is backed up while they run (an online snapshot with
//     the health check, consumers included);
//  3. the services stop, a fresh NATS server with an empty store starts,
//     and every stream is restored into it from its backup directory;
//  4. the services start on the fresh server and replay the restored
//     streams; every recorded answer must be the same, and they take new
//     writes.
func TestBackupRestoreDrill(t *testing.T) {
	if testing.Short() {
		t.Skip("backs up and restores streams between two servers")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	key := "" // direct calls: no principal needed locally

	// 1. The system as it was.
	before := natstest.Start(t)
	m := startReplica(t, "measures", measuresStarter(t, before.ClientURL(), key, true), "127.0.0.1:0")
	e := startReplica(t, "education", educationStarter(t, before.ClientURL(), key, true), "127.0.0.1:0")
	mc := mpb.NewMeasureServiceClient(dial(t, m.addr))
	ec := edpb.NewEducationServiceClient(dial(t, e.addr))
	changeSomething(ctx, t, mc, ec)
	want := readModel(ctx, t, mc, ec)

	// 2. Online backup of every stream (`nats backup stream NAME DIR`).
	backups := t.TempDir()
	nc := connect(t, before.ClientURL())
	mgr, err := jsm.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	names, err := mgr.StreamNames(nil)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	for _, want := range []string{"INTEGRATION_MEASURES", "INTEGRATION_EDUCATION"} {
		if !slices.Contains(names, want) {
			t.Fatalf("stream %s not among %v", want, names)
		}
	}
	states := map[string]api.StreamState{}
	for _, name := range names {
		s, err := mgr.LoadStream(name)
		if err != nil {
			t.Fatal(err)
		}
		if states[name], err = s.State(); err != nil {
			t.Fatal(err)
		}
		p, err := s.SnapshotToDirectory(ctx, filepath.Join(backups, name), jsm.SnapshotConsumers(), jsm.SnapshotHealthCheck())
		if err != nil {
			t.Fatalf("back up %s: %v", name, err)
		}
		t.Logf("backed up %s: %d messages, %d bytes compressed in %s", name, states[name].Msgs, p.BytesReceived(), p.EndTime().Sub(p.StartTime()).Round(time.Millisecond))
	}

	// 3. The services stop (scaled to zero); the old server is gone.
	for _, r := range []*replica{m, e} {
		if err := r.stop(); err != nil {
			t.Fatal(err)
		}
	}
	nc.Close()
	before.Shutdown()
	before.WaitForShutdown()

	// A fresh server, restored from the backups (`nats backup restore
	// stream DIR`, with the configuration kept in the backup).
	after := natstest.Start(t)
	mgr2, err := jsm.New(connect(t, after.ClientURL()))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		dir := filepath.Join(backups, name)
		var meta api.JSApiStreamRestoreRequest
		data, err := os.ReadFile(filepath.Join(dir, "backup.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &meta); err != nil {
			t.Fatal(err)
		}
		if meta.Config.Name != name {
			t.Fatalf("backup of %s holds stream %s", name, meta.Config.Name)
		}
		if _, _, err := mgr2.RestoreSnapshotFromDirectory(ctx, name, dir, jsm.RestoreConfiguration(meta.Config)); err != nil {
			t.Fatalf("restore %s: %v", name, err)
		}
		s, err := mgr2.LoadStream(name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.State()
		if err != nil {
			t.Fatal(err)
		}
		if w := states[name]; got.Msgs != w.Msgs || got.FirstSeq != w.FirstSeq || got.LastSeq != w.LastSeq || got.Bytes != w.Bytes {
			t.Errorf("restored %s: %d messages, sequences %d–%d, %d bytes; backed up %d, %d–%d, %d bytes",
				name, got.Msgs, got.FirstSeq, got.LastSeq, got.Bytes, w.Msgs, w.FirstSeq, w.LastSeq, w.Bytes)
		}
	}

	// 4. The services start on the restored streams (without example
	// data) and answer as before.
	m = startReplica(t, "measures-restored", measuresStarter(t, after.ClientURL(), key, false), "127.0.0.1:0")
	e = startReplica(t, "education-restored", educationStarter(t, after.ClientURL(), key, false), "127.0.0.1:0")
	mc = mpb.NewMeasureServiceClient(dial(t, m.addr))
	ec = edpb.NewEducationServiceClient(dial(t, e.addr))
	got := readModel(ctx, t, mc, ec)
	if len(got) != len(want) {
		t.Fatalf("%d answers after the restore, %d before", len(got), len(want))
	}
	for i := range want {
		if !proto.Equal(got[i].msg, want[i].msg) {
			t.Errorf("%s differs after the restore:\nbefore: %s\nafter:  %s", want[i].call, protojson.Format(want[i].msg), protojson.Format(got[i].msg))
		}
	}
	// The restored streams take new writes (sequences and the duplicate
	// window continue).
	if _, err := mc.CreateActor(ctx, &mpb.CreateActorRequest{ActorId: "nach-restore", Actor: &mpb.Actor{
		Kind: mpb.ActorKind_ACTOR_KIND_MUNICIPALITY, DisplayName: "Nach dem Restore"}}); err != nil {
		t.Fatalf("write after the restore: %v", err)
	}
	total := 0
	for _, name := range names {
		total += int(states[name].Msgs)
	}
	t.Logf("restore drill: %d streams (%d messages) backed up and restored; %d API answers equal before and after", len(names), total, len(want))
}

func connect(t *testing.T, url string) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// changeSomething changes the example data the way partners do, so the
// backup holds more than the seed.
func changeSomething(ctx context.Context, t *testing.T, mc mpb.MeasureServiceClient, ec edpb.EducationServiceClient) {
	t.Helper()
	if _, err := mc.CreateActor(ctx, &mpb.CreateActorRequest{ActorId: "drill", Actor: &mpb.Actor{
		Kind: mpb.ActorKind_ACTOR_KIND_MUNICIPALITY, DisplayName: "Gemeinde Drill"}}); err != nil {
		t.Fatal(err)
	}
	adoptions, err := mc.ListAdoptions(ctx, &mpb.ListAdoptionsRequest{Parent: "measures/-", PageSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	changed := 0
	for _, a := range adoptions.GetAdoptions() {
		if a.GetStatus() != mpb.AdoptionStatus_ADOPTION_STATUS_OFFERED {
			continue
		}
		if _, err := mc.SetAdoptionStatus(ctx, &mpb.SetAdoptionStatusRequest{
			Name: a.GetName(), Status: mpb.AdoptionStatus_ADOPTION_STATUS_CONSIDERING, Comment: "Restore-Übung", Etag: a.GetEtag()}); err != nil {
			t.Fatal(err)
		}
		changed++
	}
	if changed == 0 {
		t.Fatal("no offered adoption among the first to change")
	}
	if _, err := ec.CreateProvider(ctx, &edpb.CreateProviderRequest{ProviderId: "drill", Provider: &edpb.Provider{
		Kind: edpb.ProviderKind_PROVIDER_KIND_LANGUAGE_SCHOOL, DisplayName: "Sprachschule Drill", Municipality: "backnang"}}); err != nil {
		t.Fatal(err)
	}
}

// answer is one API call's answer.
type answer struct {
	call string
	msg  proto.Message
}

// readModel records what the services answer: every list page by page,
// the reports, each measure's timeline and the example participant (from
// the personal-data stream).
func readModel(ctx context.Context, t *testing.T, mc mpb.MeasureServiceClient, ec edpb.EducationServiceClient) []answer {
	t.Helper()
	var out []answer
	add := func(call string, msg proto.Message, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", call, err)
		}
		out = append(out, answer{call, msg})
	}
	var measures []string
	for token, page := "", 0; page == 0 || token != ""; page++ {
		r, err := mc.ListMeasures(ctx, &mpb.ListMeasuresRequest{PageSize: 20, PageToken: token})
		add(fmt.Sprintf("ListMeasures page %d", page), r, err)
		for _, m := range r.GetMeasures() {
			measures = append(measures, m.GetName())
		}
		token = r.GetNextPageToken()
	}
	if len(measures) == 0 {
		t.Fatal("no measures: the example data did not load")
	}
	for token, page := "", 0; page == 0 || token != ""; page++ {
		r, err := mc.ListActors(ctx, &mpb.ListActorsRequest{PageSize: 20, PageToken: token})
		add(fmt.Sprintf("ListActors page %d", page), r, err)
		token = r.GetNextPageToken()
	}
	for token, page := "", 0; page == 0 || token != ""; page++ {
		r, err := mc.ListAdoptions(ctx, &mpb.ListAdoptionsRequest{Parent: "measures/-", PageSize: 50, PageToken: token})
		add(fmt.Sprintf("ListAdoptions page %d", page), r, err)
		token = r.GetNextPageToken()
	}
	for _, name := range measures {
		r, err := mc.GetMeasureTimeline(ctx, &mpb.GetMeasureTimelineRequest{Name: name, PageSize: 100})
		add("GetMeasureTimeline "+name, r, err)
	}
	r1, err := mc.GetAdoptionReport(ctx, &mpb.GetAdoptionReportRequest{})
	add("GetAdoptionReport", r1, err)

	for token, page := "", 0; page == 0 || token != ""; page++ {
		r, err := ec.ListProviders(ctx, &edpb.ListProvidersRequest{PageSize: 20, PageToken: token})
		add(fmt.Sprintf("ListProviders page %d", page), r, err)
		token = r.GetNextPageToken()
	}
	for token, page := "", 0; page == 0 || token != ""; page++ {
		r, err := ec.ListOffers(ctx, &edpb.ListOffersRequest{PageSize: 20, PageToken: token})
		add(fmt.Sprintf("ListOffers page %d", page), r, err)
		token = r.GetNextPageToken()
	}
	for token, page := "", 0; page == 0 || token != ""; page++ {
		r, err := ec.ListReferrals(ctx, &edpb.ListReferralsRequest{Parent: "offers/-", PageSize: 50, PageToken: token})
		add(fmt.Sprintf("ListReferrals page %d", page), r, err)
		token = r.GetNextPageToken()
	}
	r2, err := ec.GetDuplicateReport(ctx, &edpb.GetDuplicateReportRequest{})
	add("GetDuplicateReport", r2, err)
	participant := "participants/" + string(education.ExampleParticipantID)
	r3, err := ec.GetParticipant(ctx, &edpb.GetParticipantRequest{Name: participant})
	add("GetParticipant "+participant, r3, err)
	return out
}
