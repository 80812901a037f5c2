package service_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	"github.com/integrationsplan/integrationsplan/platform/principal"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/measures/service"
)

const setAdoptionStatus = "/integration.measures.v1.MeasureService/SetAdoptionStatus"

// TestAdoptionRights: with principals required, a municipality changes only
// its own adoption, an admin any, and a call without a principal none.
func TestAdoptionRights(t *testing.T) {
	key := principal.NewKey()
	keys, err := principal.ParseKeys(key)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := principal.NewSigner(keys[0], time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	h := startWith(t, natstest.Start(t), func(c *service.Config) { c.PrincipalKeys, c.RequirePrincipal = key, true })
	as := func(p principal.Principal, method string) context.Context {
		token, err := signer.Sign(p, method)
		if err != nil {
			t.Fatal(err)
		}
		return metadata.AppendToOutgoingContext(ctx(t), principal.MetadataKey, token)
	}
	admin := principal.Principal{Partner: "kreis", Scopes: []string{"measures.admin"}}
	c := as(admin, "/integration.measures.v1.MeasureService/CreateActor")
	for _, id := range []string{"landkreis", "backnang"} {
		kind := pb.ActorKind_ACTOR_KIND_MUNICIPALITY
		if id == "landkreis" {
			kind = pb.ActorKind_ACTOR_KIND_COUNTY
		}
		if _, err := h.client.CreateActor(c, &pb.CreateActorRequest{ActorId: id, Actor: &pb.Actor{Kind: kind, DisplayName: id}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.client.CreateMeasure(as(admin, "/integration.measures.v1.MeasureService/CreateMeasure"), &pb.CreateMeasureRequest{Measure: measure25()}); err != nil {
		t.Fatal(err)
	}
	backnangPartner := principal.Principal{Partner: "backnang", Scopes: []string{"measures.read", "measures.adoptions.write"}, ActsFor: principal.ActsFor{Actor: "backnang"}}
	considering := pb.AdoptionStatus_ADOPTION_STATUS_CONSIDERING

	before := h.lastSeq()
	_, err = h.client.SetAdoptionStatus(as(backnangPartner, setAdoptionStatus), setStatus(m25+"/adoptions/landkreis", considering))
	wantStatus(t, err, codes.PermissionDenied, "")
	_, err = h.client.SetAdoptionStatus(ctx(t), setStatus(m25+"/adoptions/backnang", considering))
	wantStatus(t, err, codes.Unauthenticated, "")
	// A principal issued for another RPC does not pass.
	_, err = h.client.SetAdoptionStatus(as(backnangPartner, "/integration.measures.v1.MeasureService/GetMeasure"), setStatus(m25+"/adoptions/backnang", considering))
	wantStatus(t, err, codes.Unauthenticated, "")
	if after := h.lastSeq(); after != before {
		t.Fatalf("refused calls moved the stream from %d to %d", before, after)
	}

	if _, err := h.client.SetAdoptionStatus(as(backnangPartner, setAdoptionStatus), setStatus(m25+"/adoptions/backnang", considering)); err != nil {
		t.Fatalf("own adoption: %v", err)
	}
	if _, err := h.client.SetAdoptionStatus(as(admin, setAdoptionStatus), setStatus(m25+"/adoptions/landkreis", considering)); err != nil {
		t.Fatalf("admin on another's adoption: %v", err)
	}
}
