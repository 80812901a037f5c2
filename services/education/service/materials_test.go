package service_test

import (
	"slices"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/integrationsplan/integrationsplan/platform/natstest"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/education/v1"
)

func TestTeachingMaterials(t *testing.T) {
	h := start(t, natstest.Start(t), false)
	createProvider(t, h)
	c := ctx(t)
	link, err := h.client.CreateMaterial(c, &pb.CreateMaterialRequest{Material: material()})
	if err != nil {
		t.Fatal(err)
	}
	file := material()
	file.Title, file.Level, file.Topic, file.Format, file.Licence = "Bildkarten Arztbesuch", pb.CefrLevel_CEFR_LEVEL_ALPHA, "Arztbesuch", pb.MaterialFormat_MATERIAL_FORMAT_PICTURE_CARDS, "proprietary"
	file.Reference = &pb.Material_File{File: &pb.MaterialFile{FileName: "bildkarten-arzt.pdf", MediaType: "application/pdf", SizeBytes: 48213}}
	cards, err := h.client.CreateMaterial(c, &pb.CreateMaterialRequest{Material: file})
	if err != nil {
		t.Fatal(err)
	}
	if f := cards.GetMaterial().GetFile(); f.GetFileName() != "bildkarten-arzt.pdf" || f.GetSizeBytes() != 48213 || cards.GetMaterial().GetLink() != "" {
		t.Fatalf("file reference %v", cards.GetMaterial())
	}
	approved, err := h.client.ApproveMaterial(c, &pb.ApproveMaterialRequest{Name: link.GetMaterial().GetName(), Provider: provider, Etag: link.GetMaterial().GetEtag()})
	if err != nil {
		t.Fatal(err)
	}
	if a := approved.GetMaterial().GetApprovingProviders(); !slices.Equal(a, []string{provider}) {
		t.Fatalf("approving providers %v", a)
	}
	got, err := h.client.GetMaterial(c, &pb.GetMaterialRequest{Name: link.GetMaterial().GetName()})
	if err != nil || got.GetMaterial().GetEtag() != approved.GetMaterial().GetEtag() || got.GetMaterial().GetLink() != material().GetLink() {
		t.Fatalf("get: %v %v", got, err)
	}
	titles := func(req *pb.ListMaterialsRequest) []string {
		t.Helper()
		resp, err := h.client.ListMaterials(c, req)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range resp.GetMaterials() {
			out = append(out, m.GetTitle())
		}
		return out
	}
	for _, tc := range []struct {
		req  *pb.ListMaterialsRequest
		want []string
	}{
		{&pb.ListMaterialsRequest{}, []string{"Bildkarten Arztbesuch", "Einkaufen im Supermarkt"}},
		{&pb.ListMaterialsRequest{Level: pb.CefrLevel_CEFR_LEVEL_A1}, []string{"Einkaufen im Supermarkt"}},
		{&pb.ListMaterialsRequest{Topic: "arztbesuch"}, []string{"Bildkarten Arztbesuch"}},
		{&pb.ListMaterialsRequest{Format: pb.MaterialFormat_MATERIAL_FORMAT_WORKSHEET}, []string{"Einkaufen im Supermarkt"}},
		{&pb.ListMaterialsRequest{ApprovedBy: provider}, []string{"Einkaufen im Supermarkt"}},
		{&pb.ListMaterialsRequest{ApprovedOnly: true}, []string{"Einkaufen im Supermarkt"}},
		{&pb.ListMaterialsRequest{Topic: "Arbeit"}, nil},
	} {
		if got := titles(tc.req); !slices.Equal(got, tc.want) {
			t.Errorf("%v: got %q, want %q", tc.req, got, tc.want)
		}
	}
	first, err := h.client.ListMaterials(c, &pb.ListMaterialsRequest{PageSize: 1})
	if err != nil || len(first.GetMaterials()) != 1 || first.GetNextPageToken() == "" || first.GetTotalSize() != 2 {
		t.Fatalf("first page %v %v", first, err)
	}
	second, err := h.client.ListMaterials(c, &pb.ListMaterialsRequest{PageSize: 1, PageToken: first.GetNextPageToken()})
	if err != nil || len(second.GetMaterials()) != 1 || second.GetNextPageToken() != "" || second.GetMaterials()[0].GetName() == first.GetMaterials()[0].GetName() {
		t.Fatalf("second page %v %v", second, err)
	}
	// Approving twice is refused.
	_, err = h.client.ApproveMaterial(c, &pb.ApproveMaterialRequest{Name: link.GetMaterial().GetName(), Provider: provider})
	wantStatus(t, err, codes.AlreadyExists, "")
}
