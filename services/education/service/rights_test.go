package service_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	"github.com/integrationsplan/integrationsplan/platform/principal"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
	"github.com/integrationsplan/integrationsplan/services/education/service"
)

const method = "/integration.education.v1.EducationService/"

// TestProviderRights: with principals required, a provider acts only on its
// own offers, the referrals to them and approvals in its name; an
// administrator and the coordination office (a principal acting for no
// provider) act on all of them. Every refusal leaves the stream as it was.
func TestProviderRights(t *testing.T) {
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
	as := func(p principal.Principal, rpc string) context.Context {
		token, err := signer.Sign(p, method+rpc)
		if err != nil {
			t.Fatal(err)
		}
		return metadata.AppendToOutgoingContext(ctx(t), principal.MetadataKey, token)
	}
	admin := principal.Principal{Partner: "kreis", Scopes: []string{"education.admin"}}
	office := principal.Principal{Partner: "koordinierungsstelle", Scopes: []string{"education.offers.write", "education.referrals.write", "education.participants.write"}}
	actsFor := func(id string) principal.Principal {
		return principal.Principal{Partner: id, Scopes: []string{"education.offers.write", "education.referrals.write"}, ActsFor: principal.ActsFor{Provider: id}}
	}
	vhs, school := actsFor("vhs-backnang"), actsFor("sprachschule-waiblingen")
	// A referrer: a job centre (or the labour service in its name) may refer
	// participants to any offer but decides nothing in a provider's name.
	jobcenter := principal.Principal{Partner: "jobcenter", Scopes: []string{"education.offers.write", "education.referrals.write"},
		ActsFor: principal.ActsFor{Organisation: "jobcenter-rems-murr"}}
	// An administrator who also acts for a provider is not restricted to it.
	adminProvider := principal.Principal{Partner: "vhs-admin", Scopes: []string{"education.admin"}, ActsFor: principal.ActsFor{Provider: "vhs-backnang"}}

	for _, id := range []string{"vhs-backnang", "sprachschule-waiblingen"} {
		if _, err := h.client.CreateProvider(as(admin, "CreateProvider"), &pb.CreateProviderRequest{ProviderId: id, Provider: &pb.Provider{
			Kind: pb.ProviderKind_PROVIDER_KIND_LANGUAGE_SCHOOL, DisplayName: id, Municipality: "backnang",
		}}); err != nil {
			t.Fatal(err)
		}
	}
	// The VHS creates and opens its own offer.
	created, err := h.client.CreateOffer(as(vhs, "CreateOffer"), &pb.CreateOfferRequest{Offer: offer(2)})
	if err != nil {
		t.Fatalf("own offer: %v", err)
	}
	o := created.GetOffer().GetName()
	if _, err := h.client.SetOfferStatus(as(vhs, "SetOfferStatus"), &pb.SetOfferStatusRequest{Name: o, Status: pb.OfferStatus_OFFER_STATUS_OPEN}); err != nil {
		t.Fatalf("own offer: %v", err)
	}
	reg, err := h.client.RegisterParticipant(as(office, "RegisterParticipant"), &pb.RegisterParticipantRequest{PersonalData: &pb.PersonalData{GivenName: "A", FamilyName: "B", BirthYear: 1990}})
	if err != nil {
		t.Fatal(err)
	}
	p := reg.GetParticipant().GetName()
	// The coordination office refers across providers.
	ref, err := h.client.CreateReferral(as(office, "CreateReferral"), &pb.CreateReferralRequest{Parent: o, Participant: p})
	if err != nil {
		t.Fatalf("office refers: %v", err)
	}
	r := ref.GetReferral().GetName()
	mat, err := h.client.CreateMaterial(as(school, "CreateMaterial"), &pb.CreateMaterialRequest{Material: material()})
	if err != nil {
		t.Fatal(err)
	}
	m := mat.GetMaterial().GetName()

	// The language school may touch none of the VHS's objects.
	refused := []struct {
		name string
		call func() error
	}{
		{"CreateOffer for another provider", func() error {
			_, err := h.client.CreateOffer(as(school, "CreateOffer"), &pb.CreateOfferRequest{Offer: offer(5)})
			return err
		}},
		{"SetOfferStatus of another provider's offer", func() error {
			_, err := h.client.SetOfferStatus(as(school, "SetOfferStatus"), &pb.SetOfferStatusRequest{Name: o, Status: pb.OfferStatus_OFFER_STATUS_CANCELLED})
			return err
		}},
		{"UpdateOffer of another provider's offer", func() error {
			_, err := h.client.UpdateOffer(as(school, "UpdateOffer"), &pb.UpdateOfferRequest{Offer: &pb.Offer{Name: o, Capacity: 9}})
			return err
		}},
		{"CreateReferral to another provider's offer", func() error {
			_, err := h.client.CreateReferral(as(school, "CreateReferral"), &pb.CreateReferralRequest{Parent: o, Participant: p})
			return err
		}},
		{"SetReferralStatus of a referral to another provider's offer", func() error {
			_, err := h.client.SetReferralStatus(as(school, "SetReferralStatus"), &pb.SetReferralStatusRequest{Name: r, Status: pb.ReferralStatus_REFERRAL_STATUS_DECLINED})
			return err
		}},
		{"ApproveMaterial in another provider's name", func() error {
			_, err := h.client.ApproveMaterial(as(school, "ApproveMaterial"), &pb.ApproveMaterialRequest{Name: m, Provider: provider})
			return err
		}},
	}
	refused = append(refused, []struct {
		name string
		call func() error
	}{
		{"a referrer accepts a referral", func() error {
			_, err := h.client.SetReferralStatus(as(jobcenter, "SetReferralStatus"), &pb.SetReferralStatusRequest{Name: r, Status: pb.ReferralStatus_REFERRAL_STATUS_ACCEPTED})
			return err
		}},
		{"a referrer changes an offer", func() error {
			_, err := h.client.UpdateOffer(as(jobcenter, "UpdateOffer"), &pb.UpdateOfferRequest{Offer: &pb.Offer{Name: o, Capacity: 9}})
			return err
		}},
		{"a referrer cancels an offer", func() error {
			_, err := h.client.SetOfferStatus(as(jobcenter, "SetOfferStatus"), &pb.SetOfferStatusRequest{Name: o, Status: pb.OfferStatus_OFFER_STATUS_CANCELLED})
			return err
		}},
		{"a referrer creates an offer", func() error {
			_, err := h.client.CreateOffer(as(jobcenter, "CreateOffer"), &pb.CreateOfferRequest{Offer: offer(6)})
			return err
		}},
	}...)
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			before := h.lastSeq()
			st := wantStatus(t, tc.call(), codes.PermissionDenied, "")
			if st.Message() == "" {
				t.Fatal("no message")
			}
			if after := h.lastSeq(); after != before {
				t.Fatalf("the stream moved from %d to %d", before, after)
			}
		})
	}

	// The referrer refers a participant to the VHS's offer.
	other, err := h.client.RegisterParticipant(as(office, "RegisterParticipant"), &pb.RegisterParticipantRequest{PersonalData: &pb.PersonalData{GivenName: "C", FamilyName: "D", BirthYear: 1991}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.CreateReferral(as(jobcenter, "CreateReferral"), &pb.CreateReferralRequest{Parent: o, Participant: other.GetParticipant().GetName()}); err != nil {
		t.Fatalf("a referrer refers: %v", err)
	}

	// Their owners, an administrator and the office may.
	if _, err := h.client.UpdateOffer(as(vhs, "UpdateOffer"), &pb.UpdateOfferRequest{Offer: &pb.Offer{Name: o, Capacity: 3}}); err != nil {
		t.Fatalf("own offer: %v", err)
	}
	if _, err := h.client.SetReferralStatus(as(vhs, "SetReferralStatus"), &pb.SetReferralStatusRequest{Name: r, Status: pb.ReferralStatus_REFERRAL_STATUS_ACCEPTED}); err != nil {
		t.Fatalf("own referral: %v", err)
	}
	if _, err := h.client.SetReferralStatus(as(adminProvider, "SetReferralStatus"), &pb.SetReferralStatusRequest{Name: r, Status: pb.ReferralStatus_REFERRAL_STATUS_ENROLLED}); err != nil {
		t.Fatalf("admin: %v", err)
	}
	if _, err := h.client.ApproveMaterial(as(vhs, "ApproveMaterial"), &pb.ApproveMaterialRequest{Name: m, Provider: provider}); err != nil {
		t.Fatalf("approval in its own name: %v", err)
	}
	own := offer(3)
	own.Provider = "providers/sprachschule-waiblingen"
	if _, err := h.client.CreateOffer(as(school, "CreateOffer"), &pb.CreateOfferRequest{Offer: own}); err != nil {
		t.Fatalf("own offer: %v", err)
	}
	if _, err := h.client.SetOfferStatus(as(office, "SetOfferStatus"), &pb.SetOfferStatusRequest{Name: o, Status: pb.OfferStatus_OFFER_STATUS_RUNNING}); err != nil {
		t.Fatalf("office: %v", err)
	}
	// A refusal does not reveal whether an unknown object exists: NOT_FOUND comes first.
	_, err = h.client.SetOfferStatus(as(school, "SetOfferStatus"), &pb.SetOfferStatusRequest{Name: "offers/o-aaaaaaaaaaaaaaaa", Status: pb.OfferStatus_OFFER_STATUS_OPEN})
	wantStatus(t, err, codes.NotFound, "")
}
