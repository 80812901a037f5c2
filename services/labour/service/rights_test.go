package service_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	"github.com/integrationsplan/integrationsplan/platform/principal"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/labour/v1"
	"github.com/integrationsplan/integrationsplan/services/labour/service"
)

const labourService = "/integration.labour.v1.LabourService/"

// TestCaseRights: with principals required, an organisation works only on
// its own cases, answers only transfers offered to it, and an admin may do
// everything.
func TestCaseRights(t *testing.T) {
	key := principal.NewKey()
	keys, err := principal.ParseKeys(key)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := principal.NewSigner(keys[0], time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	h := startWith(t, natstest.Start(t), func(c *service.Config) {
		c.ExampleData, c.PrincipalKeys, c.RequirePrincipal = true, key, true
	})
	as := func(p principal.Principal, method string) context.Context {
		token, err := signer.Sign(p, labourService+method)
		if err != nil {
			t.Fatal(err)
		}
		return metadata.AppendToOutgoingContext(ctx(t), principal.MetadataKey, token)
	}
	org := func(id string) principal.Principal {
		return principal.Principal{Partner: id, Scopes: []string{"labour.read", "labour.cases.write"}, ActsFor: principal.ActsFor{Organisation: id}}
	}
	jobcenter, ihk := org("jobcenter-rems-murr"), org("ihk-region-stuttgart")

	created, err := h.client.CreateCase(as(jobcenter, "CreateCase"), &pb.CreateCaseRequest{Process: standard, Owner: "jobcenter-rems-murr", Municipality: "backnang"})
	if err != nil {
		t.Fatal(err)
	}
	name := created.GetCase().GetName()
	before := h.lastSeq()
	_, err = h.client.CreateCase(as(ihk, "CreateCase"), &pb.CreateCaseRequest{Process: standard, Owner: "jobcenter-rems-murr", Municipality: "backnang"})
	wantStatus(t, err, codes.PermissionDenied, "")
	_, err = h.client.CompleteChecklistItem(as(ihk, "CompleteChecklistItem"), &pb.CompleteChecklistItemRequest{Name: name, Item: "consent"})
	wantStatus(t, err, codes.PermissionDenied, "")
	_, err = h.client.GetCasePersonalData(as(ihk, "GetCasePersonalData"), &pb.GetCasePersonalDataRequest{Name: name})
	wantStatus(t, err, codes.PermissionDenied, "")
	_, err = h.client.CompleteChecklistItem(ctx(t), &pb.CompleteChecklistItemRequest{Name: name, Item: "consent"})
	wantStatus(t, err, codes.Unauthenticated, "")
	if after := h.lastSeq(); after != before {
		t.Fatalf("refused calls moved the stream from %d to %d", before, after)
	}

	if _, err := h.client.TransferCase(as(jobcenter, "TransferCase"), &pb.TransferCaseRequest{Name: name, ToOwner: "ihk-region-stuttgart"}); err != nil {
		t.Fatal(err)
	}
	// The sender keeps the case until the receiver accepts; only the receiver answers.
	_, err = h.client.AcceptCaseTransfer(as(jobcenter, "AcceptCaseTransfer"), &pb.AcceptCaseTransferRequest{Name: name})
	wantStatus(t, err, codes.PermissionDenied, "")
	if _, err := h.client.CompleteChecklistItem(as(jobcenter, "CompleteChecklistItem"), &pb.CompleteChecklistItemRequest{Name: name, Item: "consent"}); err != nil {
		t.Fatalf("the sender works on the case until it is accepted: %v", err)
	}
	if _, err := h.client.AcceptCaseTransfer(as(ihk, "AcceptCaseTransfer"), &pb.AcceptCaseTransferRequest{Name: name}); err != nil {
		t.Fatal(err)
	}
	_, err = h.client.CompleteChecklistItem(as(jobcenter, "CompleteChecklistItem"), &pb.CompleteChecklistItemRequest{Name: name, Item: "documents"})
	wantStatus(t, err, codes.PermissionDenied, "")
	admin := principal.Principal{Partner: "kreis", Scopes: []string{"labour.admin", "labour.cases.write"}}
	if _, err := h.client.CompleteChecklistItem(as(admin, "CompleteChecklistItem"), &pb.CompleteChecklistItemRequest{Name: name, Item: "documents"}); err != nil {
		t.Fatalf("admin: %v", err)
	}
}
