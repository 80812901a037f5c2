package service_test

import (
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
)

func withOffer(mod func(*pb.Offer)) *pb.CreateOfferRequest {
	o := offer(10)
	mod(o)
	return &pb.CreateOfferRequest{Offer: o}
}

func TestBadInputIsRefusedAndChangesNothing(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	createProvider(t, h)
	c := ctx(t)
	o := openOffer(t, h, 1)
	p := participant(t, h, "Amina", "Beispiel")
	other := participant(t, h, "Omar", "Beispiel")
	ref, err := h.client.CreateReferral(c, &pb.CreateReferralRequest{Parent: o.GetName(), Participant: p.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	refName := ref.GetReferral().GetName()
	erased := participant(t, h, "Erika", "Beispiel")
	if _, err := h.client.EraseParticipant(c, &pb.EraseParticipantRequest{Name: erased.GetName()}); err != nil {
		t.Fatal(err)
	}
	const reqID = "6f1c0d2e-6a7b-4c8d-9e0f-112233445566"
	if _, err := h.client.SetReferralStatus(c, &pb.SetReferralStatusRequest{Name: refName, Status: pb.ReferralStatus_REFERRAL_STATUS_ACCEPTED, RequestId: reqID}); err != nil {
		t.Fatal(err)
	}
	mat, err := h.client.CreateMaterial(c, &pb.CreateMaterialRequest{Material: material()})
	if err != nil {
		t.Fatal(err)
	}
	matName := mat.GetMaterial().GetName()
	if _, err := h.client.ApproveMaterial(c, &pb.ApproveMaterialRequest{Name: matName, Provider: provider}); err != nil {
		t.Fatal(err)
	}
	withMaterial := func(mod func(*pb.Material)) *pb.CreateMaterialRequest {
		m := material()
		mod(m)
		return &pb.CreateMaterialRequest{Material: m}
	}
	withFile := func(mod func(*pb.MaterialFile)) *pb.CreateMaterialRequest {
		return withMaterial(func(m *pb.Material) {
			f := &pb.MaterialFile{FileName: "blatt.pdf", MediaType: "application/pdf", SizeBytes: 1000}
			mod(f)
			m.Reference = &pb.Material_File{File: f}
		})
	}
	unknownMaterial := "materials/m-aaaaaaaaaaaaaaaa"
	unknownOffer := "offers/o-aaaaaaaaaaaaaaaa"
	unknownParticipant := "participants/p-aaaaaaaaaaaaaaaa"

	cases := []struct {
		name  string
		call  func() error
		code  codes.Code
		field string
	}{
		{"CreateProvider without provider", func() error {
			_, err := h.client.CreateProvider(c, &pb.CreateProviderRequest{ProviderId: "neu"})
			return err
		}, codes.InvalidArgument, "provider"},
		{"CreateProvider malformed id", func() error {
			_, err := h.client.CreateProvider(c, &pb.CreateProviderRequest{ProviderId: "VHS Neu", Provider: &pb.Provider{Kind: 1, DisplayName: "VHS", Municipality: "backnang"}})
			return err
		}, codes.InvalidArgument, "provider_id"},
		{"CreateProvider without kind", func() error {
			_, err := h.client.CreateProvider(c, &pb.CreateProviderRequest{ProviderId: "neu", Provider: &pb.Provider{DisplayName: "VHS", Municipality: "backnang"}})
			return err
		}, codes.InvalidArgument, "provider.kind"},
		{"CreateProvider existing id", func() error {
			_, err := h.client.CreateProvider(c, &pb.CreateProviderRequest{ProviderId: "vhs-backnang", Provider: &pb.Provider{Kind: 1, DisplayName: "VHS", Municipality: "backnang"}})
			return err
		}, codes.AlreadyExists, ""},
		{"GetProvider malformed", func() error {
			_, err := h.client.GetProvider(c, &pb.GetProviderRequest{Name: "vhs-backnang"})
			return err
		}, codes.InvalidArgument, "name"},
		{"GetProvider unknown", func() error {
			_, err := h.client.GetProvider(c, &pb.GetProviderRequest{Name: "providers/nirgendwo"})
			return err
		}, codes.NotFound, ""},
		{"CreateOffer without offer", func() error { _, err := h.client.CreateOffer(c, &pb.CreateOfferRequest{}); return err }, codes.InvalidArgument, "offer"},
		{"CreateOffer malformed provider", func() error {
			_, err := h.client.CreateOffer(c, withOffer(func(o *pb.Offer) { o.Provider = "vhs" }))
			return err
		}, codes.InvalidArgument, "offer.provider"},
		{"CreateOffer unknown provider", func() error {
			_, err := h.client.CreateOffer(c, withOffer(func(o *pb.Offer) { o.Provider = "providers/nirgendwo" }))
			return err
		}, codes.NotFound, ""},
		{"CreateOffer invalid level", func() error {
			_, err := h.client.CreateOffer(c, withOffer(func(o *pb.Offer) { o.EntryLevel = 42 }))
			return err
		}, codes.InvalidArgument, "offer.entry_level"},
		{"CreateOffer target below entry", func() error {
			_, err := h.client.CreateOffer(c, withOffer(func(o *pb.Offer) { o.TargetLevel = pb.CefrLevel_CEFR_LEVEL_ALPHA }))
			return err
		}, codes.InvalidArgument, "offer.target_level"},
		{"CreateOffer end before start", func() error {
			_, err := h.client.CreateOffer(c, withOffer(func(o *pb.Offer) { o.EndDate = "2026-12-31" }))
			return err
		}, codes.InvalidArgument, "offer.end_date"},
		{"CreateOffer negative capacity", func() error {
			_, err := h.client.CreateOffer(c, withOffer(func(o *pb.Offer) { o.Capacity = -5 }))
			return err
		}, codes.InvalidArgument, "offer.capacity"},
		{"CreateOffer booked over capacity", func() error {
			_, err := h.client.CreateOffer(c, withOffer(func(o *pb.Offer) { o.DirectBookings = 11 }))
			return err
		}, codes.InvalidArgument, "offer.direct_bookings"},
		{"CreateOffer bad slot", func() error {
			_, err := h.client.CreateOffer(c, withOffer(func(o *pb.Offer) { o.Schedule[0].EndTime = "25:00" }))
			return err
		}, codes.InvalidArgument, "offer.schedule[0].end_time"},
		{"CreateOffer malformed request_id", func() error {
			r := withOffer(func(*pb.Offer) {})
			r.RequestId = "nope"
			_, err := h.client.CreateOffer(c, r)
			return err
		}, codes.InvalidArgument, "request_id"},
		{"GetOffer malformed", func() error { _, err := h.client.GetOffer(c, &pb.GetOfferRequest{Name: "offers/42"}); return err }, codes.InvalidArgument, "name"},
		{"GetOffer unknown", func() error { _, err := h.client.GetOffer(c, &pb.GetOfferRequest{Name: unknownOffer}); return err }, codes.NotFound, ""},
		{"ListOffers unknown level", func() error { _, err := h.client.ListOffers(c, &pb.ListOffersRequest{EntryLevel: 9}); return err }, codes.InvalidArgument, "entry_level"},
		{"ListOffers malformed date", func() error {
			_, err := h.client.ListOffers(c, &pb.ListOffersRequest{StartsFrom: "Januar"})
			return err
		}, codes.InvalidArgument, "starts_from"},
		{"ListOffers forged page token", func() error {
			_, err := h.client.ListOffers(c, &pb.ListOffersRequest{PageToken: "Zm9v"})
			return err
		}, codes.InvalidArgument, "page_token"},
		{"ListOffers unknown provider", func() error {
			_, err := h.client.ListOffers(c, &pb.ListOffersRequest{Provider: "providers/nirgendwo"})
			return err
		}, codes.NotFound, ""},
		{"SetOfferStatus to FULL", func() error {
			_, err := h.client.SetOfferStatus(c, &pb.SetOfferStatusRequest{Name: o.GetName(), Status: pb.OfferStatus_OFFER_STATUS_FULL})
			return err
		}, codes.InvalidArgument, "status"},
		{"SetOfferStatus forbidden transition", func() error {
			_, err := h.client.SetOfferStatus(c, &pb.SetOfferStatusRequest{Name: o.GetName(), Status: pb.OfferStatus_OFFER_STATUS_FINISHED})
			return err
		}, codes.FailedPrecondition, ""},
		{"SetOfferStatus stale etag", func() error {
			_, err := h.client.SetOfferStatus(c, &pb.SetOfferStatusRequest{Name: o.GetName(), Status: pb.OfferStatus_OFFER_STATUS_RUNNING, Etag: "1"})
			return err
		}, codes.Aborted, ""},
		{"GetDuplicateReport malformed municipality", func() error {
			_, err := h.client.GetDuplicateReport(c, &pb.GetDuplicateReportRequest{Municipality: "Back nang"})
			return err
		}, codes.InvalidArgument, "municipality"},
		{"RegisterParticipant without data", func() error {
			_, err := h.client.RegisterParticipant(c, &pb.RegisterParticipantRequest{})
			return err
		}, codes.InvalidArgument, "personal_data"},
		{"RegisterParticipant without name", func() error {
			_, err := h.client.RegisterParticipant(c, &pb.RegisterParticipantRequest{PersonalData: &pb.PersonalData{FamilyName: "X", BirthYear: 1990}})
			return err
		}, codes.InvalidArgument, "personal_data.given_name"},
		{"RegisterParticipant birth year in the future", func() error {
			_, err := h.client.RegisterParticipant(c, &pb.RegisterParticipantRequest{PersonalData: &pb.PersonalData{GivenName: "A", FamilyName: "B", BirthYear: 2999}})
			return err
		}, codes.InvalidArgument, "personal_data.birth_year"},
		{"GetParticipant malformed", func() error {
			_, err := h.client.GetParticipant(c, &pb.GetParticipantRequest{Name: "participants/amina"})
			return err
		}, codes.InvalidArgument, "name"},
		{"GetParticipant unknown", func() error {
			_, err := h.client.GetParticipant(c, &pb.GetParticipantRequest{Name: unknownParticipant})
			return err
		}, codes.NotFound, ""},
		{"RecordAssessment invalid level", func() error {
			a := assessment()
			a.OverallLevel = 0
			_, err := h.client.RecordAssessment(c, &pb.RecordAssessmentRequest{Name: p.GetName(), Assessment: a})
			return err
		}, codes.InvalidArgument, "assessment.overall_level"},
		{"RecordAssessment unknown participant", func() error {
			_, err := h.client.RecordAssessment(c, &pb.RecordAssessmentRequest{Name: unknownParticipant, Assessment: assessment()})
			return err
		}, codes.NotFound, ""},
		{"RecordAssessment stale etag", func() error {
			_, err := h.client.RecordAssessment(c, &pb.RecordAssessmentRequest{Name: p.GetName(), Assessment: assessment(), Etag: "1"})
			return err
		}, codes.Aborted, ""},
		{"RecordAssessment erased participant", func() error {
			_, err := h.client.RecordAssessment(c, &pb.RecordAssessmentRequest{Name: erased.GetName(), Assessment: assessment()})
			return err
		}, codes.FailedPrecondition, ""},
		{"EraseParticipant unknown", func() error {
			_, err := h.client.EraseParticipant(c, &pb.EraseParticipantRequest{Name: unknownParticipant})
			return err
		}, codes.NotFound, ""},
		{"MatchOffers negative limit", func() error {
			_, err := h.client.MatchOffers(c, &pb.MatchOffersRequest{Participant: p.GetName(), Limit: -1})
			return err
		}, codes.InvalidArgument, "limit"},
		{"MatchOffers unknown participant", func() error {
			_, err := h.client.MatchOffers(c, &pb.MatchOffersRequest{Participant: unknownParticipant})
			return err
		}, codes.NotFound, ""},
		{"CreateReferral malformed parent", func() error {
			_, err := h.client.CreateReferral(c, &pb.CreateReferralRequest{Parent: "offer", Participant: p.GetName()})
			return err
		}, codes.InvalidArgument, "parent"},
		{"CreateReferral unknown offer", func() error {
			_, err := h.client.CreateReferral(c, &pb.CreateReferralRequest{Parent: unknownOffer, Participant: p.GetName()})
			return err
		}, codes.NotFound, ""},
		{"CreateReferral participant already referred", func() error {
			_, err := h.client.CreateReferral(c, &pb.CreateReferralRequest{Parent: o.GetName(), Participant: p.GetName()})
			return err
		}, codes.AlreadyExists, ""},
		{"CreateReferral erased participant", func() error {
			_, err := h.client.CreateReferral(c, &pb.CreateReferralRequest{Parent: o.GetName(), Participant: erased.GetName()})
			return err
		}, codes.FailedPrecondition, ""},
		{"CreateReferral stale etag", func() error {
			_, err := h.client.CreateReferral(c, &pb.CreateReferralRequest{Parent: o.GetName(), Participant: other.GetName(), Etag: "2"})
			return err
		}, codes.Aborted, ""},
		{"SetReferralStatus malformed", func() error {
			_, err := h.client.SetReferralStatus(c, &pb.SetReferralStatusRequest{Name: o.GetName(), Status: pb.ReferralStatus_REFERRAL_STATUS_ENROLLED})
			return err
		}, codes.InvalidArgument, "name"},
		{"SetReferralStatus unknown", func() error {
			_, err := h.client.SetReferralStatus(c, &pb.SetReferralStatusRequest{Name: o.GetName() + "/referrals/r-aaaaaaaaaaaaaaaa", Status: pb.ReferralStatus_REFERRAL_STATUS_ENROLLED})
			return err
		}, codes.NotFound, ""},
		{"SetReferralStatus to WAITLISTED", func() error {
			_, err := h.client.SetReferralStatus(c, &pb.SetReferralStatusRequest{Name: refName, Status: pb.ReferralStatus_REFERRAL_STATUS_WAITLISTED})
			return err
		}, codes.InvalidArgument, "status"},
		{"SetReferralStatus forbidden transition", func() error {
			_, err := h.client.SetReferralStatus(c, &pb.SetReferralStatusRequest{Name: refName, Status: pb.ReferralStatus_REFERRAL_STATUS_COMPLETED})
			return err
		}, codes.FailedPrecondition, ""},
		{"SetReferralStatus stale etag", func() error {
			_, err := h.client.SetReferralStatus(c, &pb.SetReferralStatusRequest{Name: refName, Status: pb.ReferralStatus_REFERRAL_STATUS_ENROLLED, Etag: "3"})
			return err
		}, codes.Aborted, ""},
		{"SetReferralStatus request_id reused for another request", func() error {
			_, err := h.client.SetReferralStatus(c, &pb.SetReferralStatusRequest{Name: refName, Status: pb.ReferralStatus_REFERRAL_STATUS_DROPPED, RequestId: reqID})
			return err
		}, codes.InvalidArgument, "request_id"},
		{"ListReferrals without parent", func() error { _, err := h.client.ListReferrals(c, &pb.ListReferralsRequest{}); return err }, codes.InvalidArgument, "parent"},
		{"ListReferrals unknown status", func() error {
			_, err := h.client.ListReferrals(c, &pb.ListReferralsRequest{Parent: "offers/-", Status: 99})
			return err
		}, codes.InvalidArgument, "status"},
		{"GetSupplyGapReport malformed municipality", func() error {
			_, err := h.client.GetSupplyGapReport(c, &pb.GetSupplyGapReportRequest{Municipality: "Backnang"})
			return err
		}, codes.InvalidArgument, "municipality"},
		{"GetSupplyGapReport unknown level", func() error {
			_, err := h.client.GetSupplyGapReport(c, &pb.GetSupplyGapReportRequest{Level: 12})
			return err
		}, codes.InvalidArgument, "level"},
		{"CreateMaterial without material", func() error {
			_, err := h.client.CreateMaterial(c, &pb.CreateMaterialRequest{})
			return err
		}, codes.InvalidArgument, "material"},
		{"CreateMaterial invalid level", func() error {
			_, err := h.client.CreateMaterial(c, withMaterial(func(m *pb.Material) { m.Level = 0 }))
			return err
		}, codes.InvalidArgument, "material.level"},
		{"CreateMaterial without title", func() error {
			_, err := h.client.CreateMaterial(c, withMaterial(func(m *pb.Material) { m.Title = "" }))
			return err
		}, codes.InvalidArgument, "material.title"},
		{"CreateMaterial without reference", func() error {
			_, err := h.client.CreateMaterial(c, withMaterial(func(m *pb.Material) { m.Reference = nil }))
			return err
		}, codes.InvalidArgument, "material.reference"},
		{"CreateMaterial link not http", func() error {
			_, err := h.client.CreateMaterial(c, withMaterial(func(m *pb.Material) { m.Reference = &pb.Material_Link{Link: "javascript:alert(1)"} }))
			return err
		}, codes.InvalidArgument, "material.link"},
		{"CreateMaterial file with a path", func() error {
			_, err := h.client.CreateMaterial(c, withFile(func(f *pb.MaterialFile) { f.FileName = "../../etc/passwd" }))
			return err
		}, codes.InvalidArgument, "material.file.file_name"},
		{"CreateMaterial file of negative size", func() error {
			_, err := h.client.CreateMaterial(c, withFile(func(f *pb.MaterialFile) { f.SizeBytes = -1 }))
			return err
		}, codes.InvalidArgument, "material.file.size_bytes"},
		{"CreateMaterial bad media type", func() error {
			_, err := h.client.CreateMaterial(c, withFile(func(f *pb.MaterialFile) { f.MediaType = "pdf" }))
			return err
		}, codes.InvalidArgument, "material.file.media_type"},
		{"CreateMaterial bad checksum", func() error {
			_, err := h.client.CreateMaterial(c, withFile(func(f *pb.MaterialFile) { f.Sha256 = "abc" }))
			return err
		}, codes.InvalidArgument, "material.file.sha256"},
		{"CreateMaterial without licence", func() error {
			_, err := h.client.CreateMaterial(c, withMaterial(func(m *pb.Material) { m.Licence = "" }))
			return err
		}, codes.InvalidArgument, "material.licence"},
		{"GetMaterial malformed", func() error {
			_, err := h.client.GetMaterial(c, &pb.GetMaterialRequest{Name: "materials/einkaufen"})
			return err
		}, codes.InvalidArgument, "name"},
		{"GetMaterial unknown", func() error {
			_, err := h.client.GetMaterial(c, &pb.GetMaterialRequest{Name: unknownMaterial})
			return err
		}, codes.NotFound, ""},
		{"ListMaterials unknown format", func() error {
			_, err := h.client.ListMaterials(c, &pb.ListMaterialsRequest{Format: 77})
			return err
		}, codes.InvalidArgument, "format"},
		{"ListMaterials unknown level", func() error {
			_, err := h.client.ListMaterials(c, &pb.ListMaterialsRequest{Level: 9})
			return err
		}, codes.InvalidArgument, "level"},
		{"ListMaterials forged page token", func() error {
			_, err := h.client.ListMaterials(c, &pb.ListMaterialsRequest{PageToken: "Zm9v"})
			return err
		}, codes.InvalidArgument, "page_token"},
		{"ListMaterials malformed provider", func() error {
			_, err := h.client.ListMaterials(c, &pb.ListMaterialsRequest{ApprovedBy: "vhs-backnang"})
			return err
		}, codes.InvalidArgument, "approved_by"},
		{"ListMaterials unknown provider", func() error {
			_, err := h.client.ListMaterials(c, &pb.ListMaterialsRequest{ApprovedBy: "providers/nirgendwo"})
			return err
		}, codes.NotFound, ""},
		{"ApproveMaterial malformed name", func() error {
			_, err := h.client.ApproveMaterial(c, &pb.ApproveMaterialRequest{Name: "m-1", Provider: provider})
			return err
		}, codes.InvalidArgument, "name"},
		{"ApproveMaterial malformed provider", func() error {
			_, err := h.client.ApproveMaterial(c, &pb.ApproveMaterialRequest{Name: matName, Provider: "VHS"})
			return err
		}, codes.InvalidArgument, "provider"},
		{"ApproveMaterial unknown material", func() error {
			_, err := h.client.ApproveMaterial(c, &pb.ApproveMaterialRequest{Name: unknownMaterial, Provider: provider})
			return err
		}, codes.NotFound, ""},
		{"ApproveMaterial unknown provider", func() error {
			_, err := h.client.ApproveMaterial(c, &pb.ApproveMaterialRequest{Name: matName, Provider: "providers/nirgendwo"})
			return err
		}, codes.NotFound, ""},
		{"ApproveMaterial twice", func() error {
			_, err := h.client.ApproveMaterial(c, &pb.ApproveMaterialRequest{Name: matName, Provider: provider})
			return err
		}, codes.AlreadyExists, ""},
		{"ApproveMaterial stale etag", func() error {
			_, err := h.client.ApproveMaterial(c, &pb.ApproveMaterialRequest{Name: matName, Provider: provider, Etag: "1"})
			return err
		}, codes.Aborted, ""},
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
	createProvider(t, h)
	o := openOffer(t, h, 2)
	_, err := h.client.SetOfferStatus(ctx(t), &pb.SetOfferStatusRequest{Name: o.GetName(), Status: pb.OfferStatus_OFFER_STATUS_FINISHED})
	st := wantStatus(t, err, codes.FailedPrecondition, "")
	if !strings.Contains(st.Message(), "OPEN") || !strings.Contains(st.Message(), "FINISHED") {
		t.Fatalf("message %q does not name both states", st.Message())
	}
}

func TestCatalogueSearchAndDuplicates(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	createProvider(t, h)
	c := ctx(t)
	first := openOffer(t, h, 10)
	// Same kind and level in the neighbouring municipality, overlapping times.
	dup := offer(8)
	dup.Municipality, dup.Title = "aspach", "Integrationskurs in Aspach"
	dup.Schedule[0].StartTime, dup.StartDate = "10:00", "2027-01-12"
	created, err := h.client.CreateOffer(c, &pb.CreateOfferRequest{Offer: dup})
	if err != nil {
		t.Fatal(err)
	}
	if d := created.GetPossibleDuplicates(); len(d) != 1 || d[0].GetOffer() != first.GetName() || len(d[0].GetReasons()) != 5 {
		t.Fatalf("possible duplicates %v", d)
	}
	evening := offer(5)
	evening.Kind, evening.Childcare = pb.OfferKind_OFFER_KIND_LANGUAGE_CAFE, false
	evening.StartDate = "2027-03-01"
	if _, err := h.client.CreateOffer(c, &pb.CreateOfferRequest{Offer: evening}); err != nil {
		t.Fatal(err)
	}
	report, err := h.client.GetDuplicateReport(c, &pb.GetDuplicateReportRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(report.GetPairs()) != 1 || report.GetPairs()[0].GetOtherOffer() != created.GetOffer().GetName() {
		t.Fatalf("report %v", report.GetPairs())
	}
	titles := func(req *pb.ListOffersRequest) string {
		t.Helper()
		resp, err := h.client.ListOffers(c, req)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range resp.GetOffers() {
			out = append(out, o.GetMunicipality()+":"+o.GetStartDate())
		}
		return strings.Join(out, " ")
	}
	for _, tc := range []struct {
		req  *pb.ListOffersRequest
		want string
	}{
		{&pb.ListOffersRequest{}, "backnang:2027-01-11 aspach:2027-01-12 backnang:2027-03-01"},
		{&pb.ListOffersRequest{OrderBy: pb.OfferOrder_OFFER_ORDER_MUNICIPALITY}, "aspach:2027-01-12 backnang:2027-01-11 backnang:2027-03-01"},
		{&pb.ListOffersRequest{Municipality: "aspach"}, "aspach:2027-01-12"},
		{&pb.ListOffersRequest{Kind: pb.OfferKind_OFFER_KIND_LANGUAGE_CAFE}, "backnang:2027-03-01"},
		{&pb.ListOffersRequest{Childcare: true, Status: pb.OfferStatus_OFFER_STATUS_OPEN}, "backnang:2027-01-11"},
		{&pb.ListOffersRequest{StartsFrom: "2027-02-01"}, "backnang:2027-03-01"},
		{&pb.ListOffersRequest{EntryLevel: pb.CefrLevel_CEFR_LEVEL_B1}, ""},
	} {
		if got := titles(tc.req); got != tc.want {
			t.Errorf("%v: got %q, want %q", tc.req, got, tc.want)
		}
	}
	// Paging one by one visits every offer once.
	var seen []string
	token := ""
	for {
		resp, err := h.client.ListOffers(c, &pb.ListOffersRequest{PageSize: 1, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range resp.GetOffers() {
			seen = append(seen, o.GetName())
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	if len(seen) != 3 {
		t.Fatalf("paged through %v", seen)
	}
}
