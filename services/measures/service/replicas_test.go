package service_test

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
)

// Two replicas of the service share one stream. A read on one replica sees
// every write acknowledged by the other before the read began, and a write
// decided on a replica that has not caught up is checked against the
// current state, not the stale one.
func TestReplicasReadTheirOwnAndEachOthersWrites(t *testing.T) {
	ns := natstest.Start(t)
	a := start(t, ns, false)
	b := start(t, ns, false)
	fixture(t, a)
	c := ctx(t)
	name := m25 + "/adoptions/backnang"
	steps := []pb.AdoptionStatus{
		pb.AdoptionStatus_ADOPTION_STATUS_CONSIDERING,
		pb.AdoptionStatus_ADOPTION_STATUS_ADOPTED,
		pb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS,
		pb.AdoptionStatus_ADOPTION_STATUS_PAUSED,
		pb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS,
	}
	for i, s := range steps {
		writer, reader := a, b
		if i%2 == 1 {
			writer, reader = b, a
		}
		r := setStatus(name, s)
		if s == pb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS {
			r.ProgressPercent = pct(int32(10 * i))
		}
		written, err := writer.client.SetAdoptionStatus(c, r)
		if err != nil {
			t.Fatalf("step %d (%v) on the other replica's state: %v", i, s, err)
		}
		read, err := reader.client.ListAdoptions(c, &pb.ListAdoptionsRequest{Parent: m25, Actor: backnang})
		if err != nil {
			t.Fatal(err)
		}
		if len(read.GetAdoptions()) != 1 || !proto.Equal(read.GetAdoptions()[0], written.GetAdoption()) {
			t.Fatalf("step %d: the other replica read %v, the writer wrote %v", i, read.GetAdoptions(), written.GetAdoption())
		}
	}
}
