package service_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/natstest"
	"github.com/integrationsplan/integrationsplan/platform/personal"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	"github.com/integrationsplan/integrationsplan/services/education/service"
)

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

// TestErasureLeavesNoPersonalDataOnDisk erases a participant and then
// searches the raw bytes of the NATS store for the name and for the key the
// data was encrypted with.
func TestErasureLeavesNoPersonalDataOnDisk(t *testing.T) {
	ns := natstest.Start(t)
	h := start(t, ns, false)
	createProvider(t, h)
	c := ctx(t)
	const name = "Zuleikha-Unverwechselbar"
	p := participant(t, h, name, "Musterfrau")
	o := openOffer(t, h, 5)
	ref, err := h.client.CreateReferral(c, &pb.CreateReferralRequest{Parent: o.GetName(), Participant: p.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	got, err := h.client.GetParticipant(c, &pb.GetParticipantRequest{Name: p.GetName()})
	if err != nil || got.GetParticipant().GetPersonalData().GetGivenName() != name {
		t.Fatalf("before erasure: %v %v", got, err)
	}
	id := strings.TrimPrefix(p.GetName(), "participants/")
	keys, err := h.js.Stream(c, personal.KeyStream("education"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := keys.GetLastMsgForSubject(c, "education.personal.keys."+id)
	if err != nil {
		t.Fatal(err)
	}
	// The search finds what is there: the key is on disk before the erasure,
	// the name never is (only its ciphertext).
	if len(onDisk(t, ns.Dir, key.Data)) == 0 {
		t.Fatal("the search does not find the key before the erasure")
	}
	if hits := onDisk(t, ns.Dir, []byte(name)); len(hits) != 0 {
		t.Fatalf("the name is on disk in plain text before the erasure: %v", hits)
	}

	erased, err := h.client.EraseParticipant(c, &pb.EraseParticipantRequest{Name: p.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if !erased.GetParticipant().GetErased() || erased.GetParticipant().GetPersonalData() != nil {
		t.Fatalf("after erasure: %v", erased.GetParticipant())
	}
	if _, err := h.client.EraseParticipant(c, &pb.EraseParticipantRequest{Name: p.GetName()}); err != nil {
		t.Fatalf("erasing again: %v", err)
	}
	if hits := onDisk(t, ns.Dir, key.Data); len(hits) != 0 {
		t.Fatalf("the key survived the erasure in %v", hits)
	}
	if hits := onDisk(t, ns.Dir, []byte(name)); len(hits) != 0 {
		t.Fatalf("the name survived the erasure in %v", hits)
	}
	// The pseudonymous history stays: the assessment, the referral and the seat.
	again, err := h.client.GetParticipant(c, &pb.GetParticipantRequest{Name: p.GetName()})
	if err != nil || again.GetParticipant().GetAssessment() == nil || again.GetParticipant().GetPersonalData() != nil {
		t.Fatalf("after erasure: %v %v", again, err)
	}
	refs, err := h.client.ListReferrals(c, &pb.ListReferralsRequest{Parent: o.GetName(), Participant: p.GetName()})
	if err != nil || len(refs.GetReferrals()) != 1 || refs.GetReferrals()[0].GetName() != ref.GetReferral().GetName() {
		t.Fatalf("referrals after erasure: %v %v", refs, err)
	}
	// A restart replays the erasure.
	h.stop()
	h2 := start(t, ns, false)
	after, err := h2.client.GetParticipant(ctx(t), &pb.GetParticipantRequest{Name: p.GetName()})
	if err != nil || !after.GetParticipant().GetErased() || after.GetParticipant().GetPersonalData() != nil {
		t.Fatalf("after restart: %v %v", after, err)
	}
}

// TestEventsCarryNoPersonalData runs the whole lifecycle and then reads
// every event of the stream: no payload or header may contain a name,
// phone number or e-mail address.
func TestEventsCarryNoPersonalData(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	createProvider(t, h)
	c := ctx(t)
	o := openOffer(t, h, 1)
	p := participant(t, h, "Shirin-Einmalig", "Nachname-Einmalig")
	q := participant(t, h, "Karim-Einmalig", "Familie-Einmalig")
	w := participant(t, h, "Nasrin-Einmalig", "Wartend-Einmalig")
	var refs []string
	for _, x := range []*pb.Participant{p, q, w} {
		r, err := h.client.CreateReferral(c, &pb.CreateReferralRequest{Parent: o.GetName(), Participant: x.GetName()})
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, r.GetReferral().GetName())
	}
	setReferral(t, h, refs[0], pb.ReferralStatus_REFERRAL_STATUS_ACCEPTED)
	setReferral(t, h, refs[0], pb.ReferralStatus_REFERRAL_STATUS_DROPPED)
	// One more seat goes to the participant still waiting.
	if _, err := h.client.UpdateOffer(c, &pb.UpdateOfferRequest{Offer: &pb.Offer{Name: o.GetName(), Capacity: 2}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.EraseParticipant(c, &pb.EraseParticipantRequest{Name: q.GetName()}); err != nil {
		t.Fatal(err)
	}

	cons, err := h.stream.OrderedConsumer(c, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	forbidden := []string{"Shirin-Einmalig", "Nachname-Einmalig", "Karim-Einmalig", "Familie-Einmalig", "Nasrin-Einmalig", "Wartend-Einmalig", "123456", "person@example.org"}
	types := map[string]bool{}
	for last := h.lastSeq(); ; {
		msg, err := cons.Next()
		if err != nil {
			t.Fatal(err)
		}
		env, err := eventstore.Decode(msg)
		if err != nil {
			t.Fatal(err)
		}
		types[env.Type] = true
		raw := string(msg.Data())
		for k, vs := range msg.Headers() {
			raw += k + strings.Join(vs, "")
		}
		for _, f := range forbidden {
			if strings.Contains(raw, f) {
				t.Fatalf("event %d (%s) contains %q", env.Seq, env.Type, f)
			}
		}
		if env.Seq == last {
			break
		}
	}
	for _, want := range []string{"ParticipantRegistered", "AssessmentRecorded", "ReferralCreated", "ReferralStatusChanged", "OfferChanged", "ParticipantErased"} {
		if !types["integration.education.v1."+want] {
			t.Errorf("no %s event checked", want)
		}
	}
}

func TestExampleDataLoadsOnceAndMatches(t *testing.T) {
	ns := natstest.Start(t)
	h := start(t, ns, true)
	seeded := h.lastSeq()
	h.stop()
	h2 := start(t, ns, true)
	if h2.lastSeq() != seeded {
		t.Fatalf("second start wrote %d more events", h2.lastSeq()-seeded)
	}
	c := ctx(t)
	m, err := h2.client.MatchOffers(c, &pb.MatchOffersRequest{Participant: "participants/" + service.ExampleParticipantID})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.GetMatches()) == 0 || m.GetExcludedCount() == 0 {
		t.Fatalf("matches %v, excluded %v", m.GetMatches(), m.GetExcluded())
	}
	report, err := h2.client.GetDuplicateReport(c, &pb.GetDuplicateReportRequest{})
	if err != nil || len(report.GetPairs()) == 0 {
		t.Fatalf("the Beispieldaten show no duplicate: %v %v", report, err)
	}
	refs, err := h2.client.ListReferrals(c, &pb.ListReferralsRequest{Parent: "offers/-"})
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[pb.ReferralStatus]int{}
	for _, r := range refs.GetReferrals() {
		statuses[r.GetStatus()]++
	}
	if statuses[pb.ReferralStatus_REFERRAL_STATUS_ENROLLED] != 1 || statuses[pb.ReferralStatus_REFERRAL_STATUS_ACCEPTED] != 1 || len(refs.GetReferrals()) != 2 {
		t.Fatalf("the Beispieldaten referrals by status: %v, want one enrolled and one accepted", statuses)
	}
}
